//! Invites through the real router, on SQLite and PostgreSQL: links shown once, previews,
//! joining, the owner's list, revocation, expiry at a fixed `now`, races and rate limits.
//! Every test's responses are scanned: an invite code appears only in the response that
//! created it, and its hash in none (see `TestApp::finish`).

mod common;

use common::{change, key, Client, Reply, TestApp, PUBLIC_ORIGIN};
use http::StatusCode;
use onering::auth::model::PublicUser;
use onering::invites::code::code_hash;
use serde_json::Value;

on_both_backends!(
    an_invitee_previews_joins_with_the_role_and_sees_the_banner_once,
    a_signed_out_visitor_comes_back_after_signing_up_and_joins,
    unusable_codes_all_look_the_same_and_the_owner_list_says_why,
    expiry_is_honoured_at_a_fixed_now,
    a_used_invite_cannot_be_replayed_and_a_second_click_lands_in_the_draft,
    the_owner_opening_their_own_invite_changes_nothing,
    only_the_owner_creates_lists_and_revokes,
    invite_requests_are_validated,
    creating_twice_with_one_key_makes_one_invite_and_shows_its_link_once,
    racing_for_a_single_use_invite_lets_exactly_one_join,
);

on_both_backends!(
    config = |config| {
        config.invite_lookups_per_ip_per_minute = 5;
        config.invites_per_user_per_hour = 3;
    };
    code_guesses_and_invite_creation_are_rate_limited,
);

fn user(me: &Reply) -> PublicUser {
    serde_json::from_value(me.json()["user"].clone()).unwrap_or_else(|e| panic!("{e}: {}", me.body))
}

/// Ada, signed in, with a draft.
async fn owner_with_draft(app: &TestApp) -> (Client<'_>, PublicUser, String) {
    let mut ada = app.client();
    let me = user(&ada.sign_up("ada").await);
    let reply = change(
        &mut ada,
        "drafts/create",
        &[
            ("title", "Launch thread"),
            ("platform", "bluesky"),
            ("first_segment", "We shipped!"),
        ],
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let draft = reply.json()["id"].as_str().unwrap_or_default().to_owned();
    (ada, me, draft)
}

/// Creates an invite; returns its code and id.
async fn invite(owner: &mut Client<'_>, draft: &str, extra: &[(&str, &str)]) -> (String, String) {
    let mut form = vec![("draft_id", draft)];
    if !extra.iter().any(|(k, _)| *k == "role") {
        form.push(("role", "editor"));
    }
    form.extend_from_slice(extra);
    let reply = change(owner, "invites/create", &form).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let body = reply.json();
    let link = body["link"].as_str().unwrap_or_default();
    let prefix = format!("{PUBLIC_ORIGIN}/refer/");
    assert!(link.starts_with(&prefix), "{link}");
    let code = link[prefix.len()..].to_owned();
    assert_eq!(code.len(), 22, "128 bits, base64url");
    (
        code,
        body["invite"]["id"].as_str().unwrap_or_default().to_owned(),
    )
}

async fn preview(client: &mut Client<'_>, code: Option<&str>) -> Reply {
    let form: Vec<(&str, &str)> = code.map(|c| vec![("code", c)]).unwrap_or_default();
    client.call("invites/preview", &form).await
}

async fn accept(client: &mut Client<'_>, code: Option<&str>) -> Reply {
    let form: Vec<(&str, &str)> = code.map(|c| vec![("code", c)]).unwrap_or_default();
    change(client, "invites/accept", &form).await
}

async fn list(client: &mut Client<'_>, draft: &str) -> Vec<Value> {
    let reply = client.call("invites/list", &[("draft_id", draft)]).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json().as_array().cloned().unwrap_or_default()
}

async fn draft_view(client: &mut Client<'_>, draft: &str) -> Value {
    let reply = client.call("drafts/get", &[("draft_id", draft)]).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()
}

fn assert_unavailable(reply: &Reply) {
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.body);
    assert_eq!(reply.json()["kind"], "invite_unavailable");
}

async fn an_invitee_previews_joins_with_the_role_and_sees_the_banner_once(app: &TestApp) {
    let (mut ada, _, draft) = owner_with_draft(app).await;
    let (code, _) = invite(
        &mut ada,
        &draft,
        &[("role", "viewer"), ("note", "bob@example.com")],
    )
    .await;
    let mut bob = app.client();
    bob.sign_up("bob").await;

    let shown = preview(&mut bob, Some(&code)).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    let p = shown.json();
    assert_eq!(p["draft_title"], "Launch thread");
    assert_eq!(p["platform"], "bluesky");
    assert_eq!(p["inviter_handle"], "ada");
    assert_eq!(p["collaborator_count"], 1);
    assert_eq!(p["role"], "viewer");
    assert_eq!(p["visitor"], "invitee");
    assert!(
        !shown.body.contains("bob@example.com"),
        "the note is the owner's"
    );

    let joined = accept(&mut bob, Some(&code)).await;
    assert_eq!(joined.status, StatusCode::OK, "{}", joined.body);
    assert_eq!(joined.json()["draft_id"], draft.as_str());
    assert_eq!(joined.json()["joined"], "joined");

    let view = draft_view(&mut bob, &draft).await;
    assert_eq!(view["my_role"], "viewer");
    assert_eq!(view["show_joined_banner"], true);
    let page = bob.get(&format!("/drafts/{draft}")).await;
    assert!(
        page.body.contains("You joined"),
        "the banner is on the page"
    );
    let dismissed = change(
        &mut bob,
        "invites/dismiss_join_notice",
        &[("draft_id", &draft)],
    )
    .await;
    assert_eq!(dismissed.status, StatusCode::OK, "{}", dismissed.body);
    assert_eq!(
        draft_view(&mut bob, &draft).await["show_joined_banner"],
        false
    );
    let again = change(
        &mut bob,
        "invites/dismiss_join_notice",
        &[("draft_id", &draft)],
    )
    .await;
    assert_eq!(again.status, StatusCode::OK, "dismissing twice is harmless");
    assert!(!bob
        .get(&format!("/drafts/{draft}"))
        .await
        .body
        .contains("You joined"));

    let invites = list(&mut ada, &draft).await;
    assert_eq!(invites.len(), 1);
    assert_eq!(invites[0]["status"], "accepted");
    assert_eq!(invites[0]["note"], "bob@example.com");
    assert_eq!(invites[0]["accepted_by"], serde_json::json!(["bob"]));
    assert_eq!(invites[0]["uses"], 1);
    assert!(invites[0].get("code").is_none() && invites[0].get("code_hash").is_none());
}

async fn a_signed_out_visitor_comes_back_after_signing_up_and_joins(app: &TestApp) {
    let (mut ada, _, draft) = owner_with_draft(app).await;
    let (code, _) = invite(&mut ada, &draft, &[]).await;
    let mut visitor = app.client();

    let page = visitor.get(&format!("/refer/{code}")).await;
    assert_eq!(page.status, StatusCode::OK);
    for expected in [
        "Launch thread",
        "@ada invited you",
        r#"property="og:title""#,
        r#"name="twitter:card""#,
        r#"name="referrer" content="same-origin""#,
        "/signup?next=/refer",
        "/signin?next=/refer",
    ] {
        assert!(
            page.body.contains(expected),
            "the refer page lacks {expected}"
        );
    }
    let og = page
        .body
        .split(r#"property="og:description""#)
        .nth(1)
        .unwrap_or_default();
    assert!(
        !og[..og.find('>').unwrap_or(0)].contains("Launch thread"),
        "no draft title in link previews"
    );
    assert_eq!(
        visitor.cookie_named("onering_invite"),
        Some(code.as_str()),
        "remembered for the way back"
    );

    visitor.sign_up("newcomer").await;
    let back = visitor.get("/refer").await;
    assert_eq!(back.status, StatusCode::OK);
    assert!(back.body.contains("Join “Launch thread”"), "{}", back.body);
    let shown = preview(&mut visitor, None).await;
    assert_eq!(shown.json()["visitor"], "invitee");
    let joined = accept(&mut visitor, None).await;
    assert_eq!(joined.status, StatusCode::OK, "{}", joined.body);
    assert_eq!(joined.json()["joined"], "joined");
    assert_eq!(
        visitor.cookie_named("onering_invite"),
        None,
        "forgotten once used"
    );
    assert_eq!(draft_view(&mut visitor, &draft).await["my_role"], "editor");
}

async fn unusable_codes_all_look_the_same_and_the_owner_list_says_why(app: &TestApp) {
    let (mut ada, _, draft) = owner_with_draft(app).await;
    let (used, _) = invite(&mut ada, &draft, &[]).await;
    let (revoked, revoked_id) = invite(&mut ada, &draft, &[]).await;
    let (expired, expired_id) = invite(&mut ada, &draft, &[]).await;
    let mut bob = app.client();
    bob.sign_up("bob").await;
    assert_eq!(accept(&mut bob, Some(&used)).await.status, StatusCode::OK);
    let r = change(
        &mut ada,
        "invites/revoke",
        &[("draft_id", &draft), ("invite_id", &revoked_id)],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    sqlx::query("UPDATE invites SET expires_at = 1 WHERE id = $1")
        .bind(&expired_id)
        .execute(app.db.pool())
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    let unknown = onering::invites::code::new_code();
    let mut stranger = app.client();
    let mut cy = app.client();
    cy.sign_up("cyd").await;
    let mut pages = Vec::new();
    for code in [
        &used,
        &revoked,
        &expired,
        &unknown,
        &"not-a-code".to_owned(),
    ] {
        assert_unavailable(&preview(&mut stranger, Some(code)).await);
        assert_unavailable(&preview(&mut cy, Some(code)).await);
        assert_unavailable(&accept(&mut cy, Some(code)).await);
        let page = stranger.get(&format!("/refer/{code}")).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND);
        assert!(page.body.contains("This invite link isn"));
        let main = page.body.split("<main").nth(1).unwrap_or_default();
        pages.push(main.split("</main>").next().unwrap_or_default().to_owned());
    }
    assert!(
        pages.windows(2).all(|w| w[0] == w[1]),
        "every unusable code gets the same page"
    );
    assert_eq!(
        cy.call("drafts/get", &[("draft_id", &draft)]).await.status,
        StatusCode::NOT_FOUND
    );

    let statuses: Vec<(String, String)> = list(&mut ada, &draft)
        .await
        .iter()
        .map(|i| {
            (
                i["id"].as_str().unwrap_or_default().to_owned(),
                i["status"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert!(
        statuses.contains(&(revoked_id, "revoked".into())),
        "{statuses:?}"
    );
    assert!(
        statuses.contains(&(expired_id, "expired".into())),
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|(_, s)| s == "accepted").count(),
        1,
        "{statuses:?}"
    );
}

async fn expiry_is_honoured_at_a_fixed_now(app: &TestApp) {
    use onering::invites::{service, store};
    let (mut ada, ada_user, draft) = owner_with_draft(app).await;
    let (code, id) = invite(
        &mut ada,
        &draft,
        &[("expires_in_days", "2"), ("max_uses", "2")],
    )
    .await;
    let created: i64 = sqlx::query_scalar("SELECT created_at FROM invites WHERE id = $1")
        .bind(&id)
        .fetch_one(app.db.pool())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let expiry = created + 2 * 24 * 60 * 60 * 1000;
    let status_at = |now: i64| {
        let ada_user = ada_user.clone();
        let draft = draft.clone();
        async move {
            let invites = store::list_invites(&app.db, &draft, &ada_user, now)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            invites[0].status.label()
        }
    };
    assert_eq!(status_at(expiry - 1).await, "pending");
    assert_eq!(status_at(expiry).await, "expired");
    // The same lists, byte for byte, for the same `now`.
    let a = store::list_invites(&app.db, &draft, &ada_user, expiry)
        .await
        .ok();
    assert_eq!(
        a,
        store::list_invites(&app.db, &draft, &ada_user, expiry)
            .await
            .ok()
    );

    let mut bob = app.client();
    let bob_user = user(&bob.sign_up("bob").await);
    let hash = code_hash(&code);
    let accept_at = |now: i64, who: PublicUser| {
        let hash = hash.clone();
        app.db.write(Box::new(move |tx| {
            Box::pin(async move {
                service::accept_invite(tx, &hash, &who, now)
                    .await
                    .map(|a| serde_json::to_string(&a).unwrap_or_default())
            })
        }))
    };
    assert_eq!(
        accept_at(expiry, bob_user.clone()).await,
        Err(onering::error::AppError::InviteUnavailable)
    );
    let not_joined = bob.call("drafts/get", &[("draft_id", &draft)]).await;
    assert_eq!(not_joined.status, StatusCode::NOT_FOUND, "not joined");
    assert!(
        accept_at(expiry - 1, bob_user).await.is_ok(),
        "a millisecond earlier it works"
    );
}

async fn a_used_invite_cannot_be_replayed_and_a_second_click_lands_in_the_draft(app: &TestApp) {
    let (mut ada, _, draft) = owner_with_draft(app).await;
    let (code, _) = invite(&mut ada, &draft, &[]).await;
    let mut bob = app.client();
    bob.sign_up("bob").await;
    assert_eq!(
        accept(&mut bob, Some(&code)).await.json()["joined"],
        "joined"
    );
    let second = accept(&mut bob, Some(&code)).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    assert_eq!(second.json()["joined"], "already_member");
    assert_eq!(second.json()["draft_id"], draft.as_str());
    assert_eq!(
        preview(&mut bob, Some(&code)).await.json()["visitor"],
        "member"
    );
    let mut cy = app.client();
    cy.sign_up("cyd").await;
    assert_unavailable(&accept(&mut cy, Some(&code)).await);
    let people = draft_view(&mut ada, &draft).await["collaborators"]
        .as_array()
        .map(Vec::len);
    assert_eq!(people, Some(2));
}

async fn the_owner_opening_their_own_invite_changes_nothing(app: &TestApp) {
    let (mut ada, _, draft) = owner_with_draft(app).await;
    let (code, _) = invite(&mut ada, &draft, &[]).await;
    assert_eq!(
        preview(&mut ada, Some(&code)).await.json()["visitor"],
        "owner"
    );
    let page = ada.get(&format!("/refer/{code}")).await;
    assert!(page.body.contains("This is your own invite link"));
    let own = accept(&mut ada, Some(&code)).await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    assert_eq!(own.json()["joined"], "owner");
    let invites = list(&mut ada, &draft).await;
    assert_eq!(
        (invites[0]["status"].as_str(), invites[0]["uses"].as_i64()),
        (Some("pending"), Some(0))
    );
}

async fn only_the_owner_creates_lists_and_revokes(app: &TestApp) {
    let (mut ada, _, draft) = owner_with_draft(app).await;
    let (code, id) = invite(&mut ada, &draft, &[]).await;
    let mut bob = app.client();
    bob.sign_up("bob").await;
    accept(&mut bob, Some(&code)).await;
    let mut stranger = app.client();
    stranger.sign_up("zed").await;
    for (client, status) in [
        (&mut bob, StatusCode::FORBIDDEN),
        (&mut stranger, StatusCode::NOT_FOUND),
    ] {
        let made = change(
            client,
            "invites/create",
            &[("draft_id", &draft), ("role", "editor")],
        )
        .await;
        assert_eq!(made.status, status, "{}", made.body);
        assert_eq!(
            client
                .call("invites/list", &[("draft_id", &draft)])
                .await
                .status,
            status
        );
        let revoked = change(
            client,
            "invites/revoke",
            &[("draft_id", &draft), ("invite_id", &id)],
        )
        .await;
        assert_eq!(revoked.status, status);
    }
    let mut anonymous = app.client();
    let made = change(
        &mut anonymous,
        "invites/create",
        &[("draft_id", &draft), ("role", "editor")],
    )
    .await;
    assert_eq!(made.status, StatusCode::UNAUTHORIZED);

    let (_, pending) = invite(&mut ada, &draft, &[]).await;
    let first = change(
        &mut ada,
        "invites/revoke",
        &[("draft_id", &draft), ("invite_id", &pending)],
    )
    .await;
    assert_eq!(first.json()["status"], "revoked");
    let again = change(
        &mut ada,
        "invites/revoke",
        &[("draft_id", &draft), ("invite_id", &pending)],
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    let used = change(
        &mut ada,
        "invites/revoke",
        &[("draft_id", &draft), ("invite_id", &id)],
    )
    .await;
    assert_eq!(
        used.status,
        StatusCode::CONFLICT,
        "an accepted invite stays accepted"
    );
}

async fn invite_requests_are_validated(app: &TestApp) {
    let (mut ada, _, draft) = owner_with_draft(app).await;
    let long_note = "n".repeat(101);
    for (field, form) in [
        ("role", vec![("role", "owner")]),
        ("role", vec![("role", "admin")]),
        ("expires_in_days", vec![("expires_in_days", "0")]),
        ("expires_in_days", vec![("expires_in_days", "31")]),
        ("max_uses", vec![("max_uses", "0")]),
        ("max_uses", vec![("max_uses", "51")]),
        ("note", vec![("note", long_note.as_str())]),
    ] {
        let mut full = vec![("draft_id", draft.as_str())];
        full.extend(form.iter().copied());
        if !form.iter().any(|(k, _)| *k == "role") {
            full.push(("role", "editor"));
        }
        let reply = change(&mut ada, "invites/create", &full).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{form:?}: {}",
            reply.body
        );
        assert_eq!(reply.json()["field"], field);
    }
    let garbled = change(
        &mut ada,
        "invites/create",
        &[
            ("draft_id", &draft),
            ("role", "editor"),
            ("max_uses", "many"),
        ],
    )
    .await;
    assert_eq!(garbled.status, StatusCode::BAD_REQUEST, "{}", garbled.body);
    let archived = change(
        &mut ada,
        "drafts/set_status",
        &[("draft_id", &draft), ("status", "archived")],
    )
    .await;
    assert_eq!(archived.status, StatusCode::OK);
    let reply = change(
        &mut ada,
        "invites/create",
        &[("draft_id", &draft), ("role", "editor")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.body);
}

async fn creating_twice_with_one_key_makes_one_invite_and_shows_its_link_once(app: &TestApp) {
    let (mut ada, _, draft) = owner_with_draft(app).await;
    let key = key();
    let form = [
        ("draft_id", draft.as_str()),
        ("role", "editor"),
        ("idempotency_key", &key),
    ];
    let first = ada.call("invites/create", &form).await;
    let second = ada.call("invites/create", &form).await;
    assert_eq!(
        (first.status, second.status),
        (StatusCode::OK, StatusCode::OK)
    );
    assert!(first.json()["link"].is_string());
    assert_eq!(
        second.json()["link"],
        Value::Null,
        "the code was never stored, so a replay cannot show it"
    );
    assert_eq!(first.json()["invite"]["id"], second.json()["invite"]["id"]);
    assert_eq!(list(&mut ada, &draft).await.len(), 1);
}

async fn racing_for_a_single_use_invite_lets_exactly_one_join(app: &TestApp) {
    let (mut ada, _, draft) = owner_with_draft(app).await;
    // Three rounds bring three people: more than Free holds on one draft.
    app.set_plan("ada", "creator").await;
    for round in 0..3 {
        let (code, _) = invite(&mut ada, &draft, &[]).await;
        let mut racers = Vec::new();
        for i in 0..4 {
            let mut c = app.client();
            c.sign_up(&format!("racer{round}x{i}")).await;
            racers.push(c.cookie.clone());
        }
        let calls: Vec<_> = racers
            .into_iter()
            .map(|cookie| {
                common::spawn_call(
                    app,
                    cookie,
                    "invites/accept",
                    vec![("code", code.clone()), ("idempotency_key", key())],
                )
            })
            .collect();
        let mut outcomes = Vec::new();
        for call in calls {
            outcomes.push(call.await.unwrap_or_else(|e| panic!("{e}")));
        }
        let joined = outcomes
            .iter()
            .filter(|(s, _)| *s == StatusCode::OK)
            .count();
        let refused = outcomes
            .iter()
            .filter(|(s, b)| *s == StatusCode::NOT_FOUND && b.contains("invite_unavailable"))
            .count();
        assert_eq!((joined, refused), (1, 3), "{outcomes:?}");
    }
    let people = draft_view(&mut ada, &draft).await["collaborators"]
        .as_array()
        .map(Vec::len);
    assert_eq!(people, Some(4), "the owner and one winner per round");
}

async fn code_guesses_and_invite_creation_are_rate_limited(app: &TestApp) {
    let (mut ada, _, draft) = owner_with_draft(app).await;
    for _ in 0..3 {
        invite(&mut ada, &draft, &[]).await;
    }
    let fourth = change(
        &mut ada,
        "invites/create",
        &[("draft_id", &draft), ("role", "editor")],
    )
    .await;
    assert_eq!(
        fourth.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        fourth.body
    );
    assert!(fourth.header("retry-after").is_some());

    let mut guesser = app.client();
    for _ in 0..5 {
        let guess = onering::invites::code::new_code();
        assert_unavailable(&preview(&mut guesser, Some(&guess)).await);
    }
    let blocked = preview(&mut guesser, Some(&onering::invites::code::new_code())).await;
    assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS);
    let mut same_address = app.client();
    same_address.sign_up("bob").await;
    assert_eq!(
        accept(&mut same_address, Some("whatever")).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
}
