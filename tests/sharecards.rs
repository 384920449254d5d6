//! Share cards through the real router, on SQLite and PostgreSQL: byte-identical card JSON
//! and PNG at a fixed `now`, the on/off/new-slug cycle with the same 404 for dead links,
//! authorization, real PNGs (decoded: size, not blank) with immutable caching and ETags,
//! hard titles (emoji, CJK, right-to-left, 300-character words), invite link images, and
//! views and copies recorded once per visitor and hour.

mod common;

use common::{change, decoded, get_image, sha, Client, Reply, TestApp};
use http::StatusCode;
use serde_json::Value;

on_both_backends!(
    cards_are_byte_identical_at_a_fixed_now_and_carry_no_secrets,
    sharing_on_off_and_on_again_makes_a_new_slug_and_kills_the_old,
    only_members_see_a_card_and_only_the_owner_shares_it,
    images_are_real_cached_for_good_and_versioned,
    hard_titles_render_and_nothing_shows_as_a_box,
    invite_links_unfurl_with_an_image_but_never_the_title,
    views_and_copies_count_once_per_visitor_and_hour,
);

fn id_of(reply: &Reply) -> String {
    reply.json()["user"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn ok(client: &mut Client<'_>, endpoint: &str, form: &[(&str, &str)]) -> Value {
    let reply = change(client, endpoint, form).await;
    assert_eq!(reply.status, StatusCode::OK, "{endpoint}: {}", reply.body);
    reply.json()
}

/// Ada's draft titled `title`, written with bob, the ring passed twice.
async fn shared_draft<'a>(app: &'a TestApp, title: &str) -> (Client<'a>, Client<'a>, String) {
    let mut ada = app.client();
    let ada_id = id_of(&ada.sign_up("ada").await);
    let mut bob = app.client();
    let bob_id = id_of(&bob.sign_up("bob").await);
    let draft = ok(
        &mut ada,
        "drafts/create",
        &[
            ("title", title),
            ("platform", "bluesky"),
            ("first_segment", "It began with one ring."),
        ],
    )
    .await["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    ok(
        &mut ada,
        "drafts/add_collaborator",
        &[("draft_id", &draft), ("handle", "bob"), ("role", "editor")],
    )
    .await;
    ok(
        &mut ada,
        "drafts/pass_ring",
        &[("draft_id", &draft), ("to_user_id", &bob_id)],
    )
    .await;
    ok(
        &mut bob,
        "drafts/append",
        &[("draft_id", &draft), ("content", "Then we took turns.")],
    )
    .await;
    ok(
        &mut bob,
        "drafts/pass_ring",
        &[("draft_id", &draft), ("to_user_id", &ada_id)],
    )
    .await;
    (ada, bob, draft)
}

async fn share(client: &mut Client<'_>, draft: &str, enabled: bool, thread: bool) -> Value {
    ok(
        client,
        "sharecards/set_sharing",
        &[
            ("draft_id", draft),
            ("enabled", &enabled.to_string()),
            ("show_thread", &thread.to_string()),
        ],
    )
    .await
}

fn slug_of(view: &Value) -> String {
    view["public_link"]
        .as_str()
        .and_then(|l| l.rsplit('/').next())
        .unwrap_or_default()
        .to_owned()
}

async fn cards_are_byte_identical_at_a_fixed_now_and_carry_no_secrets(app: &TestApp) {
    let (mut ada, mut bob, draft) = shared_draft(app, "Launch week").await;
    let now = (onering::db::now_ms() + 1_000).to_string();
    let a = ada
        .call("sharecards/card", &[("draft_id", &draft), ("now", &now)])
        .await;
    let b = bob
        .call("sharecards/card", &[("draft_id", &draft), ("now", &now)])
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(
        a.json()["card"],
        b.json()["card"],
        "the same card for every member"
    );
    let again = ada
        .call("sharecards/card", &[("draft_id", &draft), ("now", &now)])
        .await;
    assert_eq!(a.body, again.body, "same state, same now, same bytes");
    let card = a.json()["card"].clone();
    assert_eq!(card["version"], 2);
    assert_eq!(
        card["subtitle"],
        "Ring with @ada • 2 contributors • 2 passes/24h"
    );
    assert_eq!(card["metrics"]["segments_count"], 2);
    assert_eq!(card["contributors"][0]["handle"], "ada");
    assert_eq!(card["cta"]["label"], "Open the draft");
    assert_eq!(
        card["thread"],
        Value::Null,
        "no segment text unless the owner shows the thread"
    );
    let ada_id: String = sqlx::query_scalar("SELECT id FROM users WHERE handle = 'ada'")
        .fetch_one(app.db.pool())
        .await
        .unwrap_or_default();
    for secret in ["@example.com", ada_id.as_str(), "It began with one ring"] {
        assert!(
            !a.json()["card"].to_string().contains(secret),
            "the card carries {secret}"
        );
    }
    let theme = card["theme"]["name"].clone();
    let later = ada
        .call("sharecards/card", &[("draft_id", &draft)])
        .await
        .json();
    assert_eq!(
        later["card"]["theme"]["name"], theme,
        "a draft keeps its theme"
    );
}

async fn sharing_on_off_and_on_again_makes_a_new_slug_and_kills_the_old(app: &TestApp) {
    let (mut ada, _bob, draft) = shared_draft(app, "Cycle").await;
    let off = ada
        .call("sharecards/card", &[("draft_id", &draft)])
        .await
        .json();
    assert_eq!(off["public_link"], Value::Null, "sharing starts off");
    let first = slug_of(&share(&mut ada, &draft, true, false).await);
    assert_eq!(first.len(), 22, "128 random bits");
    let mut visitor = app.client();
    let page = visitor.get(&format!("/c/{first}")).await;
    assert_eq!(page.status, StatusCode::OK);
    for tag in [
        "og:title",
        "og:image",
        "twitter:card\" content=\"summary_large_image",
        "Start your own ring",
    ] {
        assert!(page.body.contains(tag), "the public page lacks {tag}");
    }
    assert!(
        !page.body.contains("Then we took turns"),
        "the thread stays hidden"
    );
    // With the thread shown, the page has it.
    assert_eq!(
        slug_of(&share(&mut ada, &draft, true, true).await),
        first,
        "same link while on"
    );
    assert!(visitor
        .get(&format!("/c/{first}"))
        .await
        .body
        .contains("Then we took turns"));

    share(&mut ada, &draft, false, false).await;
    let dead = visitor.get(&format!("/c/{first}")).await;
    let unknown = visitor.get("/c/AAAAAAAAAAAAAAAAAAAAAA").await;
    assert_eq!(dead.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let strip = |body: &str| body.split("nonce=\"").next().unwrap_or_default().len();
    assert_eq!(strip(&dead.body), strip(&unknown.body), "the same 404 page");
    let api_dead = visitor.call("sharecards/public", &[("slug", &first)]).await;
    assert_eq!(api_dead.status, StatusCode::NOT_FOUND);

    let second = slug_of(&share(&mut ada, &draft, true, false).await);
    assert_ne!(second, first, "a new slug when turned on again");
    assert_eq!(
        visitor.get(&format!("/c/{first}")).await.status,
        StatusCode::NOT_FOUND,
        "old links stay dead"
    );
    assert_eq!(
        visitor.get(&format!("/c/{second}")).await.status,
        StatusCode::OK
    );
    for hostile in ["%00", "..%2F..", "a".repeat(300).as_str()] {
        assert_eq!(
            visitor.get(&format!("/c/{hostile}")).await.status,
            StatusCode::NOT_FOUND
        );
    }
}

async fn only_members_see_a_card_and_only_the_owner_shares_it(app: &TestApp) {
    let (_ada, mut bob, draft) = shared_draft(app, "Private").await;
    let mut eve = app.client();
    eve.sign_up("eve").await;
    assert_eq!(
        eve.call("sharecards/card", &[("draft_id", &draft)])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.client()
            .call("sharecards/card", &[("draft_id", &draft)])
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let by_editor = change(
        &mut bob,
        "sharecards/set_sharing",
        &[("draft_id", &draft), ("enabled", "true")],
    )
    .await;
    assert_eq!(by_editor.status, StatusCode::FORBIDDEN);
    let by_stranger = change(
        &mut eve,
        "sharecards/set_sharing",
        &[("draft_id", &draft), ("enabled", "true")],
    )
    .await;
    assert_eq!(by_stranger.status, StatusCode::NOT_FOUND);
    let bad = change(
        &mut bob,
        "sharecards/set_sharing",
        &[("draft_id", &draft), ("enabled", "maybe")],
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let view = bob
        .call("sharecards/card", &[("draft_id", &draft)])
        .await
        .json();
    let image = view["image_path"].as_str().unwrap_or_default().to_owned();
    assert_eq!(
        get_image(app, &eve, &image, None).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get_image(app, &app.client(), &image, None).await.0,
        StatusCode::UNAUTHORIZED
    );
}

async fn images_are_real_cached_for_good_and_versioned(app: &TestApp) {
    let (mut ada, _bob, draft) = shared_draft(app, "Pictures").await;
    let view = share(&mut ada, &draft, true, false).await;
    let member_path = view["image_path"].as_str().unwrap_or_default().to_owned();
    let (status, headers, png) = get_image(app, &ada, &member_path, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("image/png")
    );
    assert_eq!(decoded(&png), (1200, 630, true));
    let (_, _, png_again) = get_image(app, &ada, &member_path, None).await;
    assert_eq!(sha(&png), sha(&png_again), "the same card, the same bytes");

    let slug = slug_of(&view);
    let public = app
        .client()
        .call("sharecards/public", &[("slug", &slug)])
        .await
        .json();
    let url = public["image_url"].as_str().unwrap_or_default().to_owned();
    let path = url.trim_start_matches(common::PUBLIC_ORIGIN).to_owned();
    let visitor = app.client();
    let (status, headers, public_png) = get_image(app, &visitor, &path, None).await;
    assert_eq!(status, StatusCode::OK, "{path}");
    assert_eq!(
        sha(&public_png),
        sha(&png),
        "strangers see what the creator sees"
    );
    assert_eq!(
        headers.get("cache-control").and_then(|v| v.to_str().ok()),
        Some("public, max-age=31536000, immutable")
    );
    let etag = headers
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        get_image(app, &visitor, &path, Some(&etag)).await.0,
        StatusCode::NOT_MODIFIED
    );

    // A changed card gets a new address; the old one is still served while in memory.
    ok(
        &mut ada,
        "drafts/append",
        &[("draft_id", &draft), ("content", "A third post.")],
    )
    .await;
    let newer = app
        .client()
        .call("sharecards/public", &[("slug", &slug)])
        .await
        .json();
    assert_ne!(newer["image_url"], public["image_url"]);
    assert_eq!(
        get_image(app, &visitor, &path, None).await.0,
        StatusCode::OK
    );
    assert_eq!(
        get_image(
            app,
            &visitor,
            &format!("/images/cards/{slug}/0000000000000000.png"),
            None
        )
        .await
        .0,
        StatusCode::FOUND
    );
    assert_eq!(
        get_image(app, &visitor, &format!("/images/cards/{slug}/nope"), None)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    share(&mut ada, &draft, false, false).await;
    assert_eq!(
        get_image(app, &visitor, &path, None).await.0,
        StatusCode::NOT_FOUND,
        "off means gone"
    );
}

async fn hard_titles_render_and_nothing_shows_as_a_box(app: &TestApp) {
    let renderer = app
        .state
        .images
        .renderer()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    for c in ['🎉', '🚀', '日', '本', '한', '中', 'ש', 'م', 'é', 'Ж'] {
        assert!(
            renderer.covers(c),
            "no font draws {c:?}: install the card fonts (scripts/setup.sh)"
        );
    }
    // Titles hold 120 characters: one word of them (the layout test below takes 300).
    let long_word = "a".repeat(120);
    let family = "👩‍👩‍👧‍👦 family";
    for (i, title) in [
        "Launch week 🚀 日本語のスレッド",
        "שלום עולם — a thread together",
        long_word.as_str(),
        family,
        "Mixed: English, 中文, العربية, हिन्दी, русский",
    ]
    .into_iter()
    .enumerate()
    {
        let mut owner = app.client();
        owner.sign_up(&format!("titler{i}")).await;
        let draft = ok(
            &mut owner,
            "drafts/create",
            &[
                ("title", title),
                ("platform", "x"),
                ("first_segment", "Hello"),
            ],
        )
        .await["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let view = owner
            .call("sharecards/card", &[("draft_id", &draft)])
            .await
            .json();
        let path = view["image_path"].as_str().unwrap_or_default().to_owned();
        let (status, _, png) = get_image(app, &owner, &path, None).await;
        assert_eq!(status, StatusCode::OK, "{title}");
        assert_eq!(decoded(&png), (1200, 630, true), "{title}");
    }
    let lines = renderer.wrap(&"a".repeat(300), 64.0, 1040.0, 3);
    assert_eq!(
        lines.len(),
        3,
        "a long word breaks inside itself, three lines at most"
    );
    assert!(lines[2].ends_with('…'));
}

async fn invite_links_unfurl_with_an_image_but_never_the_title(app: &TestApp) {
    let (mut ada, _bob, draft) = shared_draft(app, "Secret project name").await;
    let created = ok(
        &mut ada,
        "invites/create",
        &[("draft_id", &draft), ("role", "viewer")],
    )
    .await;
    let link = created["link"].as_str().unwrap_or_default().to_owned();
    let code = link.rsplit('/').next().unwrap_or_default().to_owned();
    let invite_id = created["invite"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let mut visitor = app.client();
    let page = visitor.get(&format!("/refer/{code}")).await;
    assert!(page.body.contains("og:image"));
    assert!(page.body.contains(&format!("/images/invites/{invite_id}/")));
    let image_url = page
        .body
        .split("property=\"og:image\" content=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_owned();
    assert!(
        !image_url.contains(&code),
        "the code is not in the image's address"
    );
    let path = image_url
        .trim_start_matches(common::PUBLIC_ORIGIN)
        .to_owned();
    let (status, headers, png) = get_image(app, &visitor, &path, None).await;
    assert_eq!(status, StatusCode::OK, "{path}");
    assert_eq!(
        headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("image/png")
    );
    assert_eq!(decoded(&png), (1200, 630, true));
    ok(
        &mut ada,
        "invites/revoke",
        &[("draft_id", &draft), ("invite_id", &invite_id)],
    )
    .await;
    assert_eq!(
        get_image(app, &visitor, &path, None).await.0,
        StatusCode::NOT_FOUND
    );
}

async fn views_and_copies_count_once_per_visitor_and_hour(app: &TestApp) {
    let (mut ada, _bob, draft) = shared_draft(app, "Counted").await;
    app.set_plan("ada", "creator").await;
    let slug = slug_of(&share(&mut ada, &draft, true, false).await);
    let mut visitor = app.client();
    for _ in 0..3 {
        visitor.get(&format!("/c/{slug}")).await;
    }
    visitor.call("sharecards/copied", &[("slug", &slug)]).await;
    visitor.call("sharecards/copied", &[("slug", &slug)]).await;
    ada.call("sharecards/copied", &[("draft_id", &draft)]).await;
    let insights = ada
        .call("analytics/draft", &[("draft_id", &draft)])
        .await
        .json();
    assert_eq!(insights["card_views"], 1, "one view per visitor and hour");
    assert_eq!(
        insights["card_copies"], 2,
        "the visitor's two clicks count once, ada's once"
    );
    let stranger = app
        .client()
        .call("sharecards/copied", &[("draft_id", &draft)])
        .await;
    assert_eq!(stranger.status, StatusCode::UNAUTHORIZED);
}
