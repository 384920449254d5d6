//! The daily loop and profiles through the real router, on SQLite and PostgreSQL: Today at a
//! fixed `now` (byte-identical), streaks in the person's own time zone (UTC+13 and UTC−11
//! on the same instant), the coach's box and its harmful-text guard, the momentum board
//! against the formula, public and private profiles (the same 404 as an unknown handle),
//! and personal cards (byte-identical JSON and PNG, immutable caching), with no email or
//! private draft anywhere.

mod common;

use common::{change, decoded, get_image, sha, Client, TestApp};
use http::StatusCode;
use serde_json::Value;

on_both_backends!(
    today_is_byte_identical_at_a_fixed_now_and_counts_a_first_segment,
    the_day_follows_the_persons_time_zone,
    streaks_over_kept_days_read_as_streaks_read_afresh,
    the_coach_answers_questions_and_meets_pain_with_care,
    momentum_on_the_board_is_the_momentum_on_today,
    profiles_are_public_unless_private_and_show_nothing_private,
    personal_cards_are_byte_identical_real_images,
);

async fn ok(client: &mut Client<'_>, endpoint: &str, form: &[(&str, &str)]) -> Value {
    let reply = change(client, endpoint, form).await;
    assert_eq!(reply.status, StatusCode::OK, "{endpoint}: {}", reply.body);
    reply.json()
}

/// A signed-up person with a draft of their own (its opening is their first segment).
async fn writer<'a>(app: &'a TestApp, handle: &str, title: &str) -> (Client<'a>, String) {
    let mut client = app.client();
    client.sign_up(handle).await;
    let draft = ok(
        &mut client,
        "drafts/create",
        &[
            ("title", title),
            ("platform", "bluesky"),
            ("first_segment", "The opening of a thread worth reading."),
        ],
    )
    .await["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    (client, draft)
}

/// Saves `zone` as the person's time zone; the saved settings.
async fn set_zone(client: &mut Client<'_>, zone: &str) -> Value {
    ok(client, "settings/time_zone", &[("time_zone", zone)]).await
}

fn now_soon() -> String {
    (onering::db::now_ms() + 1_000).to_string()
}

async fn today(client: &mut Client<'_>, now: &str) -> Value {
    let reply = client.call("today/get", &[("now", now)]).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()
}

async fn today_is_byte_identical_at_a_fixed_now_and_counts_a_first_segment(app: &TestApp) {
    let mut signed_out = app.client();
    assert_eq!(
        signed_out.call("today/get", &[]).await.status,
        StatusCode::UNAUTHORIZED
    );
    // Signed-out visitors are sent to sign in, and back to the very address afterwards.
    for (path, back) in [
        ("/today", "/signin?next=/today"),
        (
            "/insights?window=30",
            "/signin?next=/insights%3Fwindow%3D30",
        ),
    ] {
        let page = signed_out.get(path).await;
        assert_eq!(page.status, StatusCode::FOUND, "{path}");
        assert_eq!(page.header("location"), Some(back));
    }
    let (mut ada, _) = writer(app, "ada", "Launch week").await;
    let now = now_soon();
    let first = ada.call("today/get", &[("now", &now)]).await;
    let second = ada.call("today/get", &[("now", &now)]).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(
        first.body, second.body,
        "the same data and now, the same bytes"
    );
    let view = first.json();
    assert_eq!(view["streak"]["current"], 1);
    assert_eq!(view["streak"]["state"], "wrote_today");
    assert_eq!(view["time_zone"], "UTC");
    assert!(view["momentum"]["score"].as_i64() > Some(0), "{view}");
    assert_eq!(
        view["momentum"]["values"].as_array().map(Vec::len),
        Some(30)
    );
    let suggestions = view["coach"]["suggestions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!((3..=5).contains(&suggestions.len()), "{suggestions:?}");
    assert!(suggestions
        .iter()
        .all(|s| s["reason"].as_str().is_some_and(|r| !r.is_empty())));
    assert_eq!(view["archetype"]["kind"], "newcomer");
    assert!(view["challenge"]["prompt"]
        .as_str()
        .is_some_and(|p| !p.is_empty()));
    assert!(!first.body.contains("@example.com"), "no email on Today");
    // A bad `now` is the field's 422.
    let bad = ada.call("today/get", &[("now", "yesterday")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["field"], "now");
}

async fn the_day_follows_the_persons_time_zone(app: &TestApp) {
    let (mut kiwi, _) = writer(app, "kiwi", "From Auckland").await;
    let (mut sam, _) = writer(app, "sam", "From Pago Pago").await;
    // Auckland is UTC+13 in December, Pago Pago UTC−11: their calendars are a day apart at
    // every instant.
    set_zone(&mut kiwi, "Pacific/Auckland").await;
    let saved = set_zone(&mut sam, "Pacific/Pago_Pago").await;
    assert_eq!(saved["time_zone"], "Pacific/Pago_Pago");
    let now = now_soon();
    let (k, s) = (today(&mut kiwi, &now).await, today(&mut sam, &now).await);
    assert_ne!(k["date_label"], s["date_label"]);
    let (kn, sn, of) = (
        k["challenge"]["number"].as_i64().unwrap_or(0),
        s["challenge"]["number"].as_i64().unwrap_or(0),
        k["challenge"]["of"].as_i64().unwrap_or(1),
    );
    assert_eq!(
        kn % of,
        (sn % of + 1) % of,
        "Auckland is on tomorrow's challenge"
    );
    // Each wrote today, on their own calendar.
    assert_eq!(
        (
            k["streak"]["current"].clone(),
            s["streak"]["current"].clone()
        ),
        (1.into(), 1.into())
    );
    // Everyone in a zone gets the same prompt on the same date.
    let (mut ana, _) = writer(app, "ana", "Also Auckland").await;
    set_zone(&mut ana, "Pacific/Auckland").await;
    assert_eq!(today(&mut ana, &now).await["challenge"], k["challenge"]);
    // A zone that isn't one is the field's 422, and nothing changes.
    for bad in ["Mars/Olympus", "utc+2", "", "Europe/Berlin\u{0}"] {
        let reply = change(&mut kiwi, "settings/time_zone", &[("time_zone", bad)]).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad:?}: {}",
            reply.body
        );
        assert_eq!(reply.json()["field"], "time_zone");
    }
    assert_eq!(
        today(&mut kiwi, &now).await["time_zone"],
        "Pacific/Auckland"
    );
}

/// The days before yesterday are folded once per server (`today::streak_cache`); asking at
/// later and earlier `now`s, in any order, gives the same streak as reading every day.
async fn streaks_over_kept_days_read_as_streaks_read_afresh(app: &TestApp) {
    let (ada, _) = writer(app, "ada", "In UTC").await;
    let (mut ravi, _) = writer(app, "ravi", "In Kolkata").await;
    // UTC+5:30: the first hour of a day there starts half an hour into a UTC hour.
    set_zone(&mut ravi, "Asia/Kolkata").await;
    let base = onering::db::now_ms() + 1_000;
    let day = 24 * 60 * 60 * 1000;
    // Days after the one written on: (current, state). The written day is open (read from
    // the hours) at 0 and 1 days later, kept folded from 2 days on.
    let expected = [
        (0, 1, "wrote_today"),
        (1, 1, "today_is_open"),
        (2, 1, "rested_yesterday"),
        (3, 0, "fresh_start"),
        (30, 0, "fresh_start"),
    ];
    for mut client in [ada, ravi] {
        let mut first_bodies = Vec::new();
        for (days_later, current, state) in expected {
            let now = (base + days_later * day).to_string();
            let reply = client.call("today/get", &[("now", &now)]).await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            let streak = reply.json()["streak"].clone();
            assert_eq!(
                (
                    streak["current"].as_i64(),
                    streak["state"].as_str(),
                    streak["longest"].as_i64()
                ),
                (Some(current), Some(state), Some(1)),
                "{days_later} days later: {streak}"
            );
            first_bodies.push((now, reply.body));
        }
        // Again, latest first: what is kept by now changes nothing.
        for (now, body) in first_bodies.iter().rev() {
            assert_eq!(&client.call("today/get", &[("now", now)]).await.body, body);
        }
    }
}

async fn the_coach_answers_questions_and_meets_pain_with_care(app: &TestApp) {
    let mut stranger = app.client();
    assert_eq!(
        stranger
            .call("today/ask", &[("question", "How?")])
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let (mut ada, draft) = writer(app, "ada", "Openings").await;
    let reply = ada
        .call(
            "today/ask",
            &[("question", "How do I write a better hook?")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.json()["topic"], "openings");
    assert_eq!(reply.json()["tips"].as_array().map(Vec::len), Some(3));

    let pain = ada
        .call(
            "today/ask",
            &[("question", "how do I go on, I want to die")],
        )
        .await
        .json();
    assert_eq!(pain["support"]["concern"], "self_harm");
    assert!(pain["support"]["help"]["url"]
        .as_str()
        .is_some_and(|u| u.starts_with("https://")));
    assert_eq!(pain["tips"], Value::Array(vec![]));
    assert!(
        !pain.to_string().contains("want to die"),
        "never quoted back"
    );

    for (question, status) in [
        ("x".repeat(1_001), StatusCode::UNPROCESSABLE_ENTITY),
        ("   ".to_owned(), StatusCode::UNPROCESSABLE_ENTITY),
        ("bad\u{0}byte".to_owned(), StatusCode::UNPROCESSABLE_ENTITY),
        ("é".repeat(1_000), StatusCode::OK),
    ] {
        let reply = ada.call("today/ask", &[("question", &question)]).await;
        assert_eq!(reply.status, status, "{:.20}: {}", question, reply.body);
        if status != StatusCode::OK {
            assert_eq!(reply.json()["field"], "question");
        }
    }

    // Heavy words in my own recent writing bring care to Today, never quoted.
    let before = today(&mut ada, &now_soon()).await;
    assert!(before["coach"]["support"].is_null());
    ok(
        &mut ada,
        "drafts/append",
        &[
            ("draft_id", &draft),
            ("content", "Honestly I'm worthless at this."),
        ],
    )
    .await;
    let after = today(&mut ada, &now_soon()).await;
    assert_eq!(after["coach"]["support"]["concern"], "self_hatred");
    assert!(!after.to_string().contains("worthless"));
}

async fn momentum_on_the_board_is_the_momentum_on_today(app: &TestApp) {
    let (mut ada, draft) = writer(app, "ada", "Board").await;
    for content in [
        "A second, longer segment with a few more words in it.",
        "A third.",
    ] {
        ok(
            &mut ada,
            "drafts/append",
            &[("draft_id", &draft), ("content", content)],
        )
        .await;
    }
    let (mut bob, _) = writer(app, "bob", "Another").await;
    let now = now_soon();
    let mine = today(&mut ada, &now).await["momentum"]["score"].clone();
    let boards = ada
        .call("analytics/leaderboards", &[("now", &now)])
        .await
        .json();
    let momentum = boards["boards"]
        .as_array()
        .and_then(|b| b.iter().find(|b| b["board"] == "momentum"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(momentum["days"], 30);
    let entries = momentum["entries"].as_array().cloned().unwrap_or_default();
    let ada_entry = entries
        .iter()
        .find(|e| e["person"]["handle"] == "ada")
        .cloned()
        .unwrap_or_default();
    assert_eq!(ada_entry["score"], mine, "SQL and Rust agree: {momentum}");
    assert_eq!(momentum["my_score"], mine);
    assert_eq!(
        entries.first().map(|e| e["person"]["handle"].clone()),
        Some("ada".into())
    );
    // Leaving the boards takes me off this one too, at once.
    ok(&mut ada, "settings/leaderboards", &[("shown", "false")]).await;
    let boards = bob
        .call("analytics/leaderboards", &[("now", &now)])
        .await
        .json();
    assert!(
        !boards.to_string().contains("\"handle\":\"ada\""),
        "{boards}"
    );
}

async fn profiles_are_public_unless_private_and_show_nothing_private(app: &TestApp) {
    let (mut ada, shared) = writer(app, "ada", "Shared thread").await;
    ok(
        &mut ada,
        "drafts/create",
        &[
            ("title", "Secret plans"),
            ("platform", "x"),
            ("first_segment", "Shh."),
        ],
    )
    .await;
    ok(
        &mut ada,
        "sharecards/set_sharing",
        &[("draft_id", &shared), ("enabled", "true")],
    )
    .await;
    let mut visitor = app.client();
    let profile = visitor.call("profiles/get", &[("handle", "ada")]).await;
    assert_eq!(profile.status, StatusCode::OK, "{}", profile.body);
    let body = profile.json();
    assert_eq!(body["card"]["handle"], "ada");
    assert_eq!(body["is_me"], false);
    assert_eq!(body["card"]["streak"], 1);
    assert!(body["card"]["archetype"]["why"]
        .as_str()
        .is_some_and(|w| !w.is_empty()));
    assert_eq!(body["public_drafts"].as_array().map(Vec::len), Some(1));
    assert!(profile.body.contains("Shared thread") && !profile.body.contains("Secret plans"));
    assert!(!profile.body.contains("@example.com"), "no email");
    assert_eq!(
        visitor
            .call("profiles/get", &[("handle", "@ADA")])
            .await
            .status,
        StatusCode::OK
    );
    // The page renders, with the personal card in its link-preview tags.
    let page = visitor.get("/u/ada").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("og:image") && page.body.contains("/images/people/ada/"));
    assert!(!page.body.contains("@example.com") && !page.body.contains("Secret plans"));

    let unknown = visitor.call("profiles/get", &[("handle", "nobody")]).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    ok(&mut ada, "settings/profile", &[("private", "true")]).await;
    let private = visitor.call("profiles/get", &[("handle", "ada")]).await;
    assert_eq!(
        (private.status, private.body.clone()),
        (unknown.status, unknown.body.clone())
    );
    assert_eq!(visitor.get("/u/ada").await.status, StatusCode::NOT_FOUND);
    assert_eq!(visitor.get("/u/nobody").await.status, StatusCode::NOT_FOUND);
    let image = body["image_url"]
        .as_str()
        .unwrap_or_default()
        .trim_start_matches(common::PUBLIC_ORIGIN)
        .to_owned();
    assert_eq!(
        get_image(app, &visitor, &image, None).await.0,
        StatusCode::NOT_FOUND
    );
    // Its owner still sees it (and is told it is theirs).
    let own = ada.call("profiles/get", &[("handle", "ada")]).await;
    assert_eq!(own.status, StatusCode::OK);
    assert_eq!(own.json()["is_me"], true);
    let bad = change(&mut ada, "settings/profile", &[("private", "maybe")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["field"], "private");
}

async fn personal_cards_are_byte_identical_real_images(app: &TestApp) {
    let (mut ada, _) = writer(app, "ada", "Cards").await;
    let now = now_soon();
    let a = ada
        .call("profiles/card", &[("handle", "ada"), ("now", &now)])
        .await;
    let b = app
        .client()
        .call("profiles/card", &[("handle", "ada"), ("now", &now)])
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(
        a.json()["card"],
        b.json()["card"],
        "the same card for everyone"
    );
    assert_eq!(
        serde_json::to_string(&a.json()["card"]).ok(),
        serde_json::to_string(
            &ada.call("profiles/card", &[("handle", "ada"), ("now", &now)])
                .await
                .json()["card"]
        )
        .ok()
    );
    let card = a.json();
    assert_eq!(card["card"]["version"], 1);
    assert_eq!(card["card"]["graph"].as_array().map(Vec::len), Some(30));
    let path = card["image_path"].as_str().unwrap_or_default().to_owned();
    let visitor = app.client();
    let (status, headers, png) = get_image(app, &visitor, &path, None).await;
    assert_eq!(status, StatusCode::OK, "{path}");
    assert_eq!(decoded(&png), (1200, 630, true));
    assert_eq!(
        headers.get("cache-control").and_then(|v| v.to_str().ok()),
        Some("public, max-age=31536000, immutable")
    );
    let (_, _, again) = get_image(app, &visitor, &path, None).await;
    assert_eq!(sha(&png), sha(&again), "the same card, the same bytes");
    // A private profile's card is mine alone, on my own route.
    ok(&mut ada, "settings/profile", &[("private", "true")]).await;
    let mine = ada.call("profiles/card", &[("handle", "ada")]).await.json();
    let own = mine["image_path"].as_str().unwrap_or_default().to_owned();
    assert!(own.starts_with("/api/today/card/"), "{own}");
    assert_eq!(get_image(app, &ada, &own, None).await.0, StatusCode::OK);
    assert_eq!(
        get_image(app, &visitor, &own, None).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        get_image(app, &visitor, &path, None).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.client()
            .call("profiles/card", &[("handle", "ada")])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}
