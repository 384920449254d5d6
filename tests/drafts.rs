//! Drafts, segments, collaborators and the ring through the real router, on SQLite and
//! PostgreSQL: the rules, the authorization matrix, idempotency and races.

mod common;

use common::{key, Client, Reply, TestApp};
use http::StatusCode;
use serde_json::Value;

on_both_backends!(
    creating_a_draft_gives_the_owner_the_ring,
    only_the_ring_holder_appends_and_passes_go_to_writers_only,
    the_owner_reclaims_and_removing_the_holder_returns_the_ring,
    authors_edit_and_delete_while_holding_the_ring_and_positions_stay_dense,
    archived_drafts_are_read_only,
    segments_are_validated_with_the_platform_count,
    authorization_matrix,
    idempotency_keys_replay_and_refuse_reuse,
    concurrent_appends_get_dense_positions,
    concurrent_duplicate_appends_apply_once,
    concurrent_passes_pass_once_and_appends_never_land_after_a_pass,
    forms_posted_without_a_script_land_on_the_next_page_with_errors_shown,
    the_draft_page_arrives_whole_for_every_role_every_time,
);

on_both_backends!(
    config = |config| config.mutation_limits.drafts_created = 100;
    drafts_list_newest_activity_first_with_pages,
);

/// Calls a mutating draft function with a fresh idempotency key.
async fn change(client: &mut Client<'_>, endpoint: &str, form: &[(&str, &str)]) -> Reply {
    common::change(client, &format!("drafts/{endpoint}"), form).await
}

async fn create(client: &mut Client<'_>, platform: &str) -> String {
    let reply = change(
        client,
        "create",
        &[
            ("title", "Launch thread"),
            ("platform", platform),
            ("first_segment", "We shipped! 🚀"),
        ],
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()["id"].as_str().unwrap_or_default().to_owned()
}

async fn get(client: &mut Client<'_>, draft_id: &str) -> Value {
    let reply = client.call("drafts/get", &[("draft_id", draft_id)]).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()
}

fn user_id(me: &Reply) -> String {
    me.json()["user"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Owner ada with a draft, editor bob and viewer cy on it.
async fn team(app: &TestApp) -> (Client<'_>, Client<'_>, Client<'_>, String, String, String) {
    let mut ada = app.client();
    ada.sign_up("ada").await;
    let mut bob = app.client();
    let bob_id = user_id(&bob.sign_up("bob").await);
    let mut cy = app.client();
    let cy_id = user_id(&cy.sign_up("cyd").await);
    let draft = create(&mut ada, "x").await;
    for (handle, role) in [("bob", "editor"), ("@CYD", "viewer")] {
        let reply = change(
            &mut ada,
            "add_collaborator",
            &[("draft_id", &draft), ("handle", handle), ("role", role)],
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    (ada, bob, cy, draft, bob_id, cy_id)
}

async fn append(client: &mut Client<'_>, draft: &str, content: &str) -> Reply {
    change(
        client,
        "append",
        &[("draft_id", draft), ("content", content)],
    )
    .await
}

async fn creating_a_draft_gives_the_owner_the_ring(app: &TestApp) {
    let mut ada = app.client();
    let me = ada.sign_up("ada").await;
    let draft = create(&mut ada, "bluesky").await;
    let view = get(&mut ada, &draft).await;
    assert_eq!(view["title"], "Launch thread");
    assert_eq!(view["platform"], "bluesky");
    assert_eq!(view["status"], "draft");
    assert_eq!(view["my_role"], "owner");
    assert_eq!(view["ring_holder"]["id"], user_id(&me));
    assert_eq!(view["segments"][0]["position"], 1);
    assert_eq!(view["segments"][0]["content"], "We shipped! 🚀");
    assert_eq!(view["segments"][0]["author"]["handle"], "ada");
    assert_eq!(view["collaborators"][0]["segments"], 1);
    assert!(
        !view.to_string().contains("@example.com"),
        "no emails in draft views"
    );
}

async fn only_the_ring_holder_appends_and_passes_go_to_writers_only(app: &TestApp) {
    let (mut ada, mut bob, mut cy, draft, bob_id, cy_id) = team(app).await;
    let refused = append(&mut bob, &draft, "my turn?").await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);

    let to_viewer = change(
        &mut ada,
        "pass_ring",
        &[("draft_id", &draft), ("to_user_id", &cy_id)],
    )
    .await;
    assert_eq!(to_viewer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(to_viewer.json()["field"], "to_user_id");

    let passed = change(
        &mut ada,
        "pass_ring",
        &[("draft_id", &draft), ("to_user_id", &bob_id)],
    )
    .await;
    assert_eq!(passed.status, StatusCode::OK, "{}", passed.body);
    assert_eq!(
        append(&mut ada, &draft, "still mine?").await.status,
        StatusCode::CONFLICT
    );
    let appended = append(&mut bob, &draft, "Bob here.").await;
    assert_eq!(appended.status, StatusCode::OK, "{}", appended.body);
    assert_eq!(appended.json()["position"], 2);

    // The viewer can read but never write.
    assert_eq!(
        get(&mut cy, &draft).await["segments"][1]["author"]["handle"],
        "bob"
    );
    assert_eq!(
        append(&mut cy, &draft, "hi").await.status,
        StatusCode::FORBIDDEN
    );

    let view = get(&mut ada, &draft).await;
    assert_eq!(view["ring_history"][0]["kind"], "pass");
    assert_eq!(view["ring_history"][0]["to"]["handle"], "bob");
}

async fn the_owner_reclaims_and_removing_the_holder_returns_the_ring(app: &TestApp) {
    let (mut ada, mut bob, _cy, draft, bob_id, _) = team(app).await;
    change(
        &mut ada,
        "pass_ring",
        &[("draft_id", &draft), ("to_user_id", &bob_id)],
    )
    .await;
    assert_eq!(
        change(&mut bob, "reclaim_ring", &[("draft_id", &draft)])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        change(&mut ada, "reclaim_ring", &[("draft_id", &draft)])
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        get(&mut ada, &draft).await["ring_history"][0]["kind"],
        "reclaim"
    );

    change(
        &mut ada,
        "pass_ring",
        &[("draft_id", &draft), ("to_user_id", &bob_id)],
    )
    .await;
    let removed = change(
        &mut ada,
        "remove_collaborator",
        &[("draft_id", &draft), ("user_id", &bob_id)],
    )
    .await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.body);
    let view = get(&mut ada, &draft).await;
    assert_eq!(view["ring_holder"]["handle"], "ada");
    assert_eq!(view["ring_history"][0]["kind"], "return");
    assert_eq!(
        bob.call("drafts/get", &[("draft_id", &draft)]).await.status,
        StatusCode::NOT_FOUND
    );
}

async fn authors_edit_and_delete_while_holding_the_ring_and_positions_stay_dense(app: &TestApp) {
    let (mut ada, mut bob, _cy, draft, bob_id, _) = team(app).await;
    for text in ["two", "three", "four"] {
        append(&mut ada, &draft, text).await;
    }
    let view = get(&mut ada, &draft).await;
    let second = view["segments"][1]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let edited = change(
        &mut ada,
        "edit_segment",
        &[
            ("draft_id", &draft),
            ("segment_id", &second),
            ("content", "TWO"),
        ],
    )
    .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    assert!(edited.json()["edited_at_ms"].as_i64().is_some());

    let deleted = change(
        &mut ada,
        "delete_segment",
        &[("draft_id", &draft), ("segment_id", &second)],
    )
    .await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.body);
    let view = get(&mut ada, &draft).await;
    let positions: Vec<i64> = view["segments"]
        .as_array()
        .map(|s| s.iter().filter_map(|x| x["position"].as_i64()).collect())
        .unwrap_or_default();
    assert_eq!(positions, vec![1, 2, 3]);
    assert_eq!(view["segments"][1]["content"], "three");
    assert_eq!(append(&mut ada, &draft, "five").await.json()["position"], 4);

    // Bob holds the ring now, but the segments are Ada's: not his to edit.
    change(
        &mut ada,
        "pass_ring",
        &[("draft_id", &draft), ("to_user_id", &bob_id)],
    )
    .await;
    let first = view["segments"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let not_his = change(
        &mut bob,
        "edit_segment",
        &[
            ("draft_id", &draft),
            ("segment_id", &first),
            ("content", "x"),
        ],
    )
    .await;
    assert_eq!(not_his.status, StatusCode::FORBIDDEN);
    // And Ada no longer holds the ring.
    let not_her_turn = change(
        &mut ada,
        "delete_segment",
        &[("draft_id", &draft), ("segment_id", &first)],
    )
    .await;
    assert_eq!(not_her_turn.status, StatusCode::CONFLICT);
}

async fn archived_drafts_are_read_only(app: &TestApp) {
    let (mut ada, mut bob, _cy, draft, _, _) = team(app).await;
    assert_eq!(
        change(
            &mut bob,
            "set_status",
            &[("draft_id", &draft), ("status", "archived")]
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        change(
            &mut ada,
            "set_status",
            &[("draft_id", &draft), ("status", "archived")]
        )
        .await
        .status,
        StatusCode::OK
    );
    let refused = append(&mut ada, &draft, "more").await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.json()["message"]
        .as_str()
        .unwrap_or_default()
        .contains("archived"));
    assert_eq!(
        change(
            &mut ada,
            "set_status",
            &[("draft_id", &draft), ("status", "draft")]
        )
        .await
        .status,
        StatusCode::OK
    );
    assert_eq!(
        append(&mut ada, &draft, "more").await.status,
        StatusCode::OK
    );
}

async fn segments_are_validated_with_the_platform_count(app: &TestApp) {
    let mut ada = app.client();
    ada.sign_up("ada").await;
    let draft = create(&mut ada, "x").await;
    let cjk_fits = "日".repeat(140);
    assert_eq!(
        append(&mut ada, &draft, &cjk_fits).await.status,
        StatusCode::OK
    );
    let too_long = append(&mut ada, &draft, &"日".repeat(141)).await;
    assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(too_long.json()["field"], "content");
    assert_eq!(
        append(&mut ada, &draft, "   ").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let bad_platform = change(
        &mut ada,
        "create",
        &[
            ("title", "t"),
            ("platform", "myspace"),
            ("first_segment", "x"),
        ],
    )
    .await;
    assert_eq!(bad_platform.json()["field"], "platform");
}

async fn authorization_matrix(app: &TestApp) {
    let (mut ada, mut bob, mut cy, draft, bob_id, cy_id) = team(app).await;
    // More people on one draft than Free holds.
    app.set_plan("ada", "creator").await;
    let mut stranger = app.client();
    stranger.sign_up("stranger").await;
    let mut signed_out = app.client();
    let first = get(&mut ada, &draft).await["segments"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    let calls: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("get", vec![("draft_id", &draft)]),
        ("append", vec![("draft_id", &draft), ("content", "x")]),
        (
            "edit_segment",
            vec![
                ("draft_id", &draft),
                ("segment_id", &first),
                ("content", "x"),
            ],
        ),
        (
            "pass_ring",
            vec![("draft_id", &draft), ("to_user_id", &bob_id)],
        ),
        ("reclaim_ring", vec![("draft_id", &draft)]),
        (
            "add_collaborator",
            vec![
                ("draft_id", &draft),
                ("handle", "stranger"),
                ("role", "viewer"),
            ],
        ),
        (
            "set_role",
            vec![
                ("draft_id", &draft),
                ("user_id", &cy_id),
                ("role", "viewer"),
            ],
        ),
        (
            "set_status",
            vec![("draft_id", &draft), ("status", "draft")],
        ),
        (
            "remove_collaborator",
            vec![("draft_id", &draft), ("user_id", &cy_id)],
        ),
    ];
    // Expected status per caller: editor (not holding the ring), viewer, stranger, signed out.
    let expected: [(&str, [u16; 4]); 9] = [
        ("get", [200, 200, 404, 401]),
        ("append", [409, 403, 404, 401]),
        ("edit_segment", [409, 403, 404, 401]),
        ("pass_ring", [409, 403, 404, 401]),
        ("reclaim_ring", [403, 403, 404, 401]),
        ("add_collaborator", [403, 403, 404, 401]),
        ("set_role", [403, 403, 404, 401]),
        ("set_status", [403, 403, 404, 401]),
        ("remove_collaborator", [403, 403, 404, 401]),
    ];
    for ((endpoint, form), (name, statuses)) in calls.iter().zip(expected) {
        assert_eq!(*endpoint, name);
        for (who, client) in [&mut bob, &mut cy, &mut stranger, &mut signed_out]
            .into_iter()
            .enumerate()
        {
            let reply = if *endpoint == "get" {
                client.call("drafts/get", form).await
            } else {
                change(client, endpoint, form).await
            };
            assert_eq!(
                reply.status.as_u16(),
                statuses[who],
                "{endpoint} as caller #{who}: {}",
                reply.body
            );
        }
    }
    // The owner can do all of it (remove last, as it removes cy).
    for (endpoint, form) in &calls {
        let reply = if *endpoint == "get" {
            ada.call("drafts/get", form).await
        } else {
            change(&mut ada, endpoint, form).await
        };
        assert!(
            reply.status.is_success() || *endpoint == "pass_ring",
            "{endpoint} as owner: {}",
            reply.body
        );
    }
}

async fn idempotency_keys_replay_and_refuse_reuse(app: &TestApp) {
    let mut ada = app.client();
    ada.sign_up("ada").await;
    let draft = create(&mut ada, "threads").await;
    let form = [
        ("draft_id", draft.as_str()),
        ("content", "once"),
        ("idempotency_key", "click-1"),
    ];
    let first = ada.call("drafts/append", &form).await;
    let again = ada.call("drafts/append", &form).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(
        first.body, again.body,
        "the stored response, not a second segment"
    );
    assert_eq!(
        get(&mut ada, &draft).await["segments"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );

    let other = ada
        .call(
            "drafts/append",
            &[
                ("draft_id", &draft),
                ("content", "different"),
                ("idempotency_key", "click-1"),
            ],
        )
        .await;
    assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(other.json()["field"], "idempotency_key");

    // Keys belong to their user: the same key from someone else is a new request.
    let missing = ada
        .call(
            "drafts/append",
            &[
                ("draft_id", &draft),
                ("content", "x"),
                ("idempotency_key", ""),
            ],
        )
        .await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);

    let purged = onering::idempotency::purge_expired(
        &app.db,
        onering::db::now_ms() + onering::idempotency::KEEP_MS + 1,
    )
    .await;
    assert_eq!(purged, Ok(2), "the create and the append keys");
}

/// Starts `count` concurrent calls of `endpoint` as the owner of `cookie`; `form(i)` gives the
/// i-th call's arguments.
fn spawn_many(
    app: &TestApp,
    cookie: &Option<String>,
    endpoint: &'static str,
    count: usize,
    form: impl Fn(usize) -> Vec<(&'static str, String)>,
) -> Vec<tokio::task::JoinHandle<(StatusCode, String)>> {
    (0..count)
        .map(|i| common::spawn_call(app, cookie.clone(), endpoint, form(i)))
        .collect()
}

async fn statuses(
    tasks: Vec<tokio::task::JoinHandle<(StatusCode, String)>>,
) -> Vec<(StatusCode, String)> {
    let mut out = Vec::new();
    for task in tasks {
        out.push(
            task.await
                .unwrap_or((StatusCode::INTERNAL_SERVER_ERROR, String::new())),
        );
    }
    out
}

fn positions(view: &Value) -> Vec<i64> {
    view["segments"]
        .as_array()
        .map(|s| s.iter().filter_map(|x| x["position"].as_i64()).collect())
        .unwrap_or_default()
}

async fn concurrent_appends_get_dense_positions(app: &TestApp) {
    let mut ada = app.client();
    ada.sign_up("ada").await;
    let draft = create(&mut ada, "linkedin").await;
    let tasks = spawn_many(app, &ada.cookie, "drafts/append", 50, |i| {
        vec![
            ("draft_id", draft.clone()),
            ("content", format!("segment {i}")),
            ("idempotency_key", key()),
        ]
    });
    for (status, body) in statuses(tasks).await {
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    assert_eq!(
        positions(&get(&mut ada, &draft).await),
        (1..=51).collect::<Vec<_>>()
    );
}

async fn concurrent_duplicate_appends_apply_once(app: &TestApp) {
    let mut ada = app.client();
    ada.sign_up("ada").await;
    let draft = create(&mut ada, "mastodon").await;
    let shared_key = key();
    let tasks = spawn_many(app, &ada.cookie, "drafts/append", 50, |_| {
        vec![
            ("draft_id", draft.clone()),
            ("content", "double click".into()),
            ("idempotency_key", shared_key.clone()),
        ]
    });
    let mut bodies = Vec::new();
    for (status, body) in statuses(tasks).await {
        assert!(
            status == StatusCode::OK || status == StatusCode::CONFLICT,
            "{status} {body}"
        );
        if status == StatusCode::OK {
            bodies.push(body);
        }
    }
    bodies.dedup();
    assert_eq!(bodies.len(), 1, "every success is the same stored response");
    assert_eq!(
        get(&mut ada, &draft).await["segments"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
}

async fn concurrent_passes_pass_once_and_appends_never_land_after_a_pass(app: &TestApp) {
    let (mut ada, _bob, _cy, draft, bob_id, _) = team(app).await;
    let pass_form = |_| {
        vec![
            ("draft_id", draft.clone()),
            ("to_user_id", bob_id.clone()),
            ("idempotency_key", key()),
        ]
    };
    let mut codes: Vec<StatusCode> = statuses(spawn_many(
        app,
        &ada.cookie,
        "drafts/pass_ring",
        2,
        pass_form,
    ))
    .await
    .into_iter()
    .map(|(status, _)| status)
    .collect();
    codes.sort();
    assert_eq!(codes, vec![StatusCode::OK, StatusCode::CONFLICT]);
    assert_eq!(
        get(&mut ada, &draft).await["ring_history"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );

    // Ada takes the ring back, then appends while passing it: every append that succeeded
    // landed before the pass.
    change(&mut ada, "reclaim_ring", &[("draft_id", &draft)]).await;
    let appends = spawn_many(app, &ada.cookie, "drafts/append", 10, |i| {
        vec![
            ("draft_id", draft.clone()),
            ("content", format!("racing {i}")),
            ("idempotency_key", key()),
        ]
    });
    let passed = statuses(spawn_many(
        app,
        &ada.cookie,
        "drafts/pass_ring",
        1,
        pass_form,
    ))
    .await;
    assert_eq!(passed[0].0, StatusCode::OK, "{}", passed[0].1);
    for (status, body) in statuses(appends).await {
        assert!(
            status == StatusCode::OK || status == StatusCode::CONFLICT,
            "{status} {body}"
        );
    }
    let view = get(&mut ada, &draft).await;
    let after = view["ring_history"][0]["after_position"]
        .as_i64()
        .unwrap_or_default();
    let positions = positions(&view);
    assert_eq!(
        positions.len() as i64,
        after,
        "nothing was appended after the pass"
    );
    assert!(positions.iter().all(|p| *p <= after));
}

async fn drafts_list_newest_activity_first_with_pages(app: &TestApp) {
    let (mut ada, mut bob, _cy, draft, _, _) = team(app).await;
    app.set_plan("ada", "team").await;
    for _ in 0..21 {
        create(&mut ada, "x").await;
    }
    append(&mut ada, &draft, "bump").await;
    let first_page = ada.call("drafts/list", &[("page", "0")]).await.json();
    assert_eq!(first_page["drafts"].as_array().map(Vec::len), Some(20));
    assert_eq!(first_page["has_more"], true);
    assert_eq!(
        first_page["drafts"][0]["id"],
        draft.as_str(),
        "the bumped draft comes first"
    );
    assert_eq!(first_page["drafts"][0]["i_hold_ring"], true);
    assert_eq!(first_page["drafts"][0]["segment_count"], 2);
    let handles = first_page["drafts"][0]["collaborator_handles"].to_string();
    assert!(handles.contains("bob") && handles.contains("cyd"));
    let second_page = ada.call("drafts/list", &[("page", "1")]).await.json();
    assert_eq!(second_page["drafts"].as_array().map(Vec::len), Some(2));
    assert_eq!(second_page["has_more"], false);

    let bobs = bob.call("drafts/list", &[("page", "0")]).await.json();
    assert_eq!(bobs["drafts"].as_array().map(Vec::len), Some(1));
    assert_eq!(bobs["drafts"][0]["my_role"], "editor");
    assert_eq!(bobs["drafts"][0]["i_hold_ring"], false);
}

/// Without JavaScript a form posts straight to its server function: a new draft opens its
/// page (303), an append comes back to the draft, and an error comes back to the form's page
/// in its address, where the page renders it on the server.
async fn forms_posted_without_a_script_land_on_the_next_page_with_errors_shown(app: &TestApp) {
    let mut ada = app.client();
    ada.sign_up("ada").await;
    let key = common::key();
    let created = ada
        .post_plain_form(
            "drafts/create",
            &[
                ("title", "Plain"),
                ("platform", "x"),
                ("first_segment", "Hello"),
                ("idempotency_key", &key),
            ],
            "/drafts?new=1",
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let location = created.header("location").unwrap_or_default().to_owned();
    assert!(location.starts_with("/drafts/"), "{location}");
    let draft = location.trim_start_matches("/drafts/").to_owned();

    let key = common::key();
    let page = format!("/drafts/{draft}");
    let appended = ada
        .post_plain_form(
            "drafts/append",
            &[
                ("draft_id", &draft),
                ("content", "Second"),
                ("idempotency_key", &key),
            ],
            &page,
        )
        .await;
    assert_eq!(appended.status, StatusCode::FOUND);
    let back_to = appended.header("location").unwrap_or_default();
    assert!(
        back_to.starts_with(&format!("{}{page}", common::PUBLIC_ORIGIN))
            && !back_to.contains("__err"),
        "{back_to}"
    );

    let key = common::key();
    let refused = ada
        .post_plain_form(
            "drafts/create",
            &[
                ("title", ""),
                ("platform", "x"),
                ("first_segment", "x"),
                ("idempotency_key", &key),
            ],
            "/drafts?new=1",
        )
        .await;
    assert_eq!(refused.status, StatusCode::FOUND);
    let back = refused.header("location").unwrap_or_default().to_owned();
    assert!(
        back.contains("/drafts?new=1&__path=") && back.contains("__err="),
        "{back}"
    );
    let shown = ada
        .get(back.trim_start_matches(common::PUBLIC_ORIGIN))
        .await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(
        shown.body.contains("id=\"create-dialog\""),
        "the dialog is open again"
    );
    assert!(
        shown.body.contains("Give your draft a title"),
        "with the error, rendered on the server"
    );
}

/// The page is the thread, not "Loading": the owner's side panels load in the browser only,
/// and reading them while rendering on the server used to make the page's `<Transition>`
/// send its fallback instead, on some requests and not others.
async fn the_draft_page_arrives_whole_for_every_role_every_time(app: &TestApp) {
    let (mut ada, mut bob, mut cy, draft, _, _) = team(app).await;
    for (who, client) in [
        ("owner", &mut ada),
        ("editor", &mut bob),
        ("viewer", &mut cy),
    ] {
        for attempt in 0..15 {
            let page = client.get(&format!("/drafts/{draft}")).await;
            assert_eq!(page.status, StatusCode::OK);
            assert!(
                page.body.contains(r#"id="timeline""#) && !page.body.contains("Loading the draft"),
                "{who}, request {attempt}: {}",
                page.body
            );
        }
    }
}
