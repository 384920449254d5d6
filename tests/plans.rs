//! Plans and entitlements through the real router, on SQLite and PostgreSQL: each
//! enforcement point refused and allowed, nothing written by a refusal, concurrency at the
//! limit, grace consumed once each and reset on a new plan, overrides until they expire,
//! and the pages that explain it all.

mod common;

use common::{change, key, spawn_call, Client, TestApp};
use http::StatusCode;
use serde_json::Value;

on_both_backends!(
    config = |config| {
        config.mutation_limits.drafts_created = 1_000;
        config.mutation_limits.other = 1_000;
    };
    a_fourth_draft_on_free_is_refused_with_the_way_out_and_archiving_frees_a_slot,
    twenty_creates_at_the_limit_make_exactly_one_draft,
    grace_is_consumed_once_each_and_starts_afresh_on_a_new_plan,
    overrides_win_until_they_expire,
    collaborators_invites_and_insights_follow_the_owners_plan,
    the_pricing_and_plan_pages_explain_it,
);

async fn create(client: &mut Client<'_>, title: &str) -> common::Reply {
    change(
        client,
        "drafts/create",
        &[("title", title), ("platform", "x"), ("first_segment", "Hi")],
    )
    .await
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(app.db.pool())
        .await
        .unwrap_or(-1)
}

/// Everything a refused create could have touched.
async fn footprint(app: &TestApp) -> (i64, i64, i64, i64) {
    (
        count(app, "SELECT COUNT(*) FROM drafts").await,
        count(app, "SELECT COUNT(*) FROM segments").await,
        count(app, "SELECT COUNT(*) FROM analytics_events").await,
        count(app, "SELECT COUNT(*) FROM entitlement_grace").await,
    )
}

fn id(reply: &common::Reply) -> String {
    reply.json()["id"].as_str().unwrap_or_default().to_owned()
}

async fn a_fourth_draft_on_free_is_refused_with_the_way_out_and_archiving_frees_a_slot(
    app: &TestApp,
) {
    let mut ada = app.client();
    ada.sign_up("ada").await;
    let mut first = String::new();
    for i in 0..3 {
        let reply = create(&mut ada, &format!("Draft {i}")).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.json()["notice"], Value::Null);
        if i == 0 {
            first = id(&reply);
        }
    }
    let before = footprint(app).await;
    let refused = create(&mut ada, "One too many").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let body = refused.json();
    assert_eq!(body["kind"], "quota_exceeded");
    assert_eq!(body["entitlement"], "drafts.max");
    assert_eq!(body["limit"], 3);
    assert_eq!(body["usage"], 3);
    assert_eq!(
        body["message"],
        "You have 3 active drafts, the most on Free. Archive one, or upgrade."
    );
    assert_eq!(
        footprint(app).await,
        before,
        "a refused action writes nothing"
    );

    // Archiving frees the slot at once; un-archiving needs one again.
    let archived = change(
        &mut ada,
        "drafts/set_status",
        &[("draft_id", &first), ("status", "archived")],
    )
    .await;
    assert_eq!(archived.status, StatusCode::OK);
    let fourth = create(&mut ada, "Now there is room").await;
    assert_eq!(fourth.status, StatusCode::OK, "{}", fourth.body);
    let back = change(
        &mut ada,
        "drafts/set_status",
        &[("draft_id", &first), ("status", "draft")],
    )
    .await;
    assert_eq!(back.status, StatusCode::FORBIDDEN, "{}", back.body);
    assert_eq!(back.json()["entitlement"], "drafts.max");
    let status: String = sqlx::query_scalar("SELECT status FROM drafts WHERE id = $1")
        .bind(&first)
        .fetch_one(app.db.pool())
        .await
        .unwrap_or_default();
    assert_eq!(status, "archived", "the refused un-archive changed nothing");
}

async fn twenty_creates_at_the_limit_make_exactly_one_draft(app: &TestApp) {
    let mut ada = app.client();
    ada.sign_up("ada").await;
    for i in 0..2 {
        assert_eq!(
            create(&mut ada, &format!("Draft {i}")).await.status,
            StatusCode::OK
        );
    }
    let racing: Vec<_> = (0..20)
        .map(|i| {
            spawn_call(
                app,
                ada.cookie.clone(),
                "drafts/create",
                vec![
                    ("title", format!("Racer {i}")),
                    ("platform", "x".to_owned()),
                    ("first_segment", "go".to_owned()),
                    ("idempotency_key", key()),
                ],
            )
        })
        .collect();
    let mut statuses = Vec::new();
    for call in racing {
        statuses.push(
            call.await
                .map(|(s, _)| s)
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        );
    }
    let created = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::FORBIDDEN)
        .count();
    assert_eq!((created, refused), (1, 19), "{statuses:?}");
    assert_eq!(count(app, "SELECT COUNT(*) FROM drafts").await, 3);

    // With grace: Creator (2 grace) held at one draft by an override; 20 at once.
    let mut bob = app.client();
    bob.sign_up("bob").await;
    app.set_plan("bob", "creator").await;
    set_override(app, "bob", "drafts.max", Some(1), None).await;
    assert_eq!(create(&mut bob, "Bob's first").await.status, StatusCode::OK);
    let racing: Vec<_> = (0..20)
        .map(|i| {
            spawn_call(
                app,
                bob.cookie.clone(),
                "drafts/create",
                vec![
                    ("title", format!("Bob racer {i}")),
                    ("platform", "x".to_owned()),
                    ("first_segment", "go".to_owned()),
                    ("idempotency_key", key()),
                ],
            )
        })
        .collect();
    let mut bodies = Vec::new();
    for call in racing {
        bodies.push(
            call.await
                .unwrap_or((StatusCode::INTERNAL_SERVER_ERROR, String::new())),
        );
    }
    let with_grace = bodies.iter().filter(|(s, _)| *s == StatusCode::OK).count();
    assert_eq!(with_grace, 2, "two grace drafts, no more");
    let notices: Vec<String> = bodies
        .iter()
        .filter(|(s, _)| *s == StatusCode::OK)
        .filter_map(|(_, b)| serde_json::from_str::<Value>(b).ok())
        .filter_map(|v| v["notice"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(notices.len(), 2);
    assert!(
        notices
            .iter()
            .any(|n| n.starts_with("You're using 1 of 2 grace active drafts")),
        "{notices:?}"
    );
    assert!(
        notices
            .iter()
            .any(|n| n.starts_with("You're using 2 of 2 grace active drafts")),
        "{notices:?}"
    );
    assert_eq!(count(app, "SELECT used FROM entitlement_grace").await, 2);
}

async fn set_override(
    app: &TestApp,
    handle: &str,
    entitlement: &str,
    value: Option<i64>,
    until: Option<i64>,
) {
    let user_id: String = sqlx::query_scalar("SELECT id FROM users WHERE handle = $1")
        .bind(handle)
        .fetch_one(app.db.pool())
        .await
        .unwrap_or_default();
    let entitlement = onering::plans::types::Entitlement::parse(entitlement);
    let set = app
        .db
        .write_with(move |tx| {
            Box::pin(async move {
                let entitlement = entitlement.ok_or(onering::error::AppError::NotFound)?;
                onering::plans::store::set_override(
                    tx,
                    &user_id,
                    entitlement,
                    Some((value, until, "a test")),
                    onering::db::now_ms(),
                )
                .await
            })
        })
        .await;
    assert!(set.is_ok(), "{set:?}");
}

async fn grace_is_consumed_once_each_and_starts_afresh_on_a_new_plan(app: &TestApp) {
    let mut ada = app.client();
    ada.sign_up("ada").await;
    app.set_plan("ada", "creator").await;
    set_override(app, "ada", "drafts.max", Some(1), None).await;
    assert_eq!(
        create(&mut ada, "Within").await.json()["notice"],
        Value::Null
    );
    let graced = create(&mut ada, "Past, with grace").await;
    assert_eq!(graced.status, StatusCode::OK);
    assert!(graced.json()["notice"]
        .as_str()
        .is_some_and(|n| n.contains("1 of 2")));
    // The same request again (same key) is the same answer, not a second grace unit.
    let k = key();
    let form = [
        ("title", "Twice"),
        ("platform", "x"),
        ("first_segment", "Hi"),
        ("idempotency_key", k.as_str()),
    ];
    let once = ada.call("drafts/create", &form).await;
    let again = ada.call("drafts/create", &form).await;
    assert_eq!(once.body, again.body);
    assert_eq!(count(app, "SELECT used FROM entitlement_grace").await, 2);
    let blocked = create(&mut ada, "No grace left").await;
    assert_eq!(blocked.status, StatusCode::FORBIDDEN);
    // A new plan, a new grace.
    app.set_plan("ada", "team").await;
    app.set_plan("ada", "creator").await;
    assert_eq!(
        count(app, "SELECT COUNT(*) FROM entitlement_grace").await,
        0
    );
    let fresh = create(&mut ada, "Grace again").await;
    assert!(
        fresh.json()["notice"]
            .as_str()
            .is_some_and(|n| n.contains("1 of 2")),
        "{}",
        fresh.body
    );
    let history = ada.call("plans/mine", &[]).await.json();
    let reasons: Vec<&str> = history["history"]
        .as_array()
        .map(|h| h.iter().filter_map(|c| c["reason"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(reasons, vec!["admin", "admin", "admin", "signup"]);
}

async fn overrides_win_until_they_expire(app: &TestApp) {
    let mut ada = app.client();
    ada.sign_up("ada").await;
    let now = onering::db::now_ms();
    set_override(app, "ada", "drafts.max", Some(5), Some(now + 3_600_000)).await;
    for i in 0..5 {
        assert_eq!(
            create(&mut ada, &format!("Draft {i}")).await.status,
            StatusCode::OK,
            "{i}"
        );
    }
    assert_eq!(
        create(&mut ada, "Sixth").await.status,
        StatusCode::FORBIDDEN
    );
    let mine = ada.call("plans/mine", &[]).await.json();
    let drafts = mine["standings"][0].clone();
    assert_eq!(drafts["value"], 5);
    assert_eq!(drafts["usage"], 5);
    assert_eq!(drafts["override_reason"], "a test");
    // At a `now` after it ends, the plan's own limit is back.
    let later = (now + 3_600_001).to_string();
    let then = ada.call("plans/mine", &[("now", &later)]).await.json();
    assert_eq!(then["standings"][0]["value"], 3);
    assert_eq!(then["standings"][0]["override_until_ms"], Value::Null);
    // An expired override no longer lets anything through.
    set_override(app, "ada", "drafts.max", Some(50), Some(now - 1)).await;
    assert_eq!(
        create(&mut ada, "Still the sixth").await.status,
        StatusCode::FORBIDDEN
    );
    let bad = ada.call("plans/mine", &[("now", "soon")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn collaborators_invites_and_insights_follow_the_owners_plan(app: &TestApp) {
    let mut ada = app.client();
    ada.sign_up("ada").await;
    for handle in ["bob", "cyd", "dan", "eve"] {
        app.client().sign_up(handle).await;
    }
    let draft = id(&create(&mut ada, "People").await);
    for handle in ["bob", "cyd"] {
        let added = change(
            &mut ada,
            "drafts/add_collaborator",
            &[("draft_id", &draft), ("handle", handle), ("role", "editor")],
        )
        .await;
        assert_eq!(added.status, StatusCode::OK, "{}", added.body);
        assert_eq!(added.json()["user"]["handle"], handle);
    }
    let third = change(
        &mut ada,
        "drafts/add_collaborator",
        &[("draft_id", &draft), ("handle", "dan"), ("role", "viewer")],
    )
    .await;
    assert_eq!(third.status, StatusCode::FORBIDDEN);
    assert_eq!(
        third.json()["message"],
        "This draft has 2 collaborators, the most on Free. Remove someone, or upgrade."
    );

    // An invite asking for more uses than the plan allows.
    let many = change(
        &mut ada,
        "invites/create",
        &[("draft_id", &draft), ("role", "viewer"), ("max_uses", "10")],
    )
    .await;
    assert_eq!(many.status, StatusCode::FORBIDDEN);
    assert_eq!(many.json()["entitlement"], "invites.max_uses");
    let link = change(
        &mut ada,
        "invites/create",
        &[("draft_id", &draft), ("role", "viewer"), ("max_uses", "5")],
    )
    .await;
    assert_eq!(link.status, StatusCode::OK, "{}", link.body);
    let code = link.json()["link"]
        .as_str()
        .and_then(|l| l.rsplit('/').next())
        .unwrap_or_default()
        .to_owned();

    // The draft is full on its owner's plan: the joiner is told so, and nothing changes.
    let mut eve = app.client();
    eve.sign_in("eve", common::PASSWORD).await;
    let before = count(app, "SELECT COUNT(*) FROM collaborators").await;
    let join = change(&mut eve, "invites/accept", &[("code", &code)]).await;
    assert_eq!(join.status, StatusCode::FORBIDDEN, "{}", join.body);
    assert_eq!(
        join.json()["message"],
        "This draft is full on its owner's plan. Ask its owner to make room, then try again."
    );
    assert_eq!(
        count(app, "SELECT COUNT(*) FROM collaborators").await,
        before
    );
    let uses = count(app, "SELECT uses FROM invites").await;
    assert_eq!(uses, 0, "the refused join took no use");

    // On Creator there is room, and the insights are full.
    assert_eq!(
        ada.call("analytics/draft", &[("draft_id", &draft)])
            .await
            .json()["full"],
        false
    );
    app.set_plan("ada", "creator").await;
    let join = change(&mut eve, "invites/accept", &[("code", &code)]).await;
    assert_eq!(join.status, StatusCode::OK, "{}", join.body);
    let insights = ada
        .call("analytics/draft", &[("draft_id", &draft)])
        .await
        .json();
    assert_eq!(insights["full"], true);
    assert_eq!(insights["note"], Value::Null);
}

async fn the_pricing_and_plan_pages_explain_it(app: &TestApp) {
    let mut visitor = app.client();
    let pricing = visitor.get("/pricing").await;
    assert_eq!(pricing.status, StatusCode::OK);
    for text in [
        "Free",
        "Creator",
        "Team",
        "Active drafts",
        "Unlimited",
        "Start free",
    ] {
        assert!(pricing.body.contains(text), "pricing lacks {text}");
    }
    let listed = visitor.call("plans/list", &[]).await.json();
    assert_eq!(listed["current"], Value::Null);
    assert_eq!(listed["plans"].as_array().map(Vec::len), Some(3));
    assert_eq!(visitor.get("/account/plan").await.status, StatusCode::FOUND);

    let mut ada = app.client();
    ada.sign_up("ada").await;
    create(&mut ada, "One").await;
    assert_eq!(ada.call("plans/list", &[]).await.json()["current"], "free");
    let page = ada.get("/account/plan").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("1 of 3"), "usage meter");
    assert!(page
        .body
        .contains("Upgrades are not available on this server."));
    assert!(page.body.contains("<progress"));
    assert!(ada.get("/pricing").await.body.contains("Your plan"));
    // Plans are never changed from the browser: there is no such function.
    let attempt = change(&mut ada, "plans/set", &[("plan", "team")]).await;
    assert!(attempt.status.is_client_error());
    assert_eq!(ada.call("plans/list", &[]).await.json()["current"], "free");
}
