//! Analytics through the real router, on SQLite and PostgreSQL: events recorded with their
//! actions (and only then), idempotent recording, rebuild equal to incremental, insights
//! byte-identical at a fixed `now`, authorization and bad input, leaderboards that thank and
//! that anyone can leave at once.

mod common;

use common::{change, Client, Reply, TestApp};
use http::StatusCode;
use onering::analytics::events::{record, Event};
use onering::analytics::types::Activity;
use serde_json::Value;

on_both_backends!(
    actions_record_their_events_and_refusals_record_nothing,
    recording_an_event_id_twice_counts_it_once,
    rebuilding_the_rollups_gives_what_recording_gave,
    draft_insights_are_byte_identical_at_a_fixed_now,
    insights_are_for_members_and_bad_input_is_a_4xx,
    views_count_once_per_viewer_and_hour,
    my_numbers_and_the_boards_thank_and_anyone_can_leave,
    boards_are_the_same_wherever_the_sealed_part_ends,
    a_write_on_this_server_shows_on_the_next_look_at_the_boards,
    concurrent_events_of_one_person_all_count_and_none_is_left_waiting,
    an_event_a_crash_left_unfolded_is_folded_once_by_the_sweep,
    a_rebuild_folds_the_waiting_events_and_the_sweep_then_adds_nothing,
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

/// Ada's draft with editor bob; ada writes, passes to bob, bob writes and passes back.
async fn story(app: &TestApp) -> (Client<'_>, Client<'_>, String, String) {
    let mut ada = app.client();
    ada.sign_up("ada").await;
    let mut bob = app.client();
    let bob_id = id_of(&bob.sign_up("bob").await);
    let draft = ok(
        &mut ada,
        "drafts/create",
        &[
            ("title", "Story"),
            ("platform", "x"),
            ("first_segment", "Once"),
        ],
    )
    .await
    .get("id")
    .and_then(serde_json::Value::as_str)
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
        "drafts/append",
        &[("draft_id", &draft), ("content", "upon a time")],
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
        &[("draft_id", &draft), ("content", "there was a ring")],
    )
    .await;
    let ada_id = ok(&mut ada, "auth/me", &[]).await["user"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    ok(
        &mut bob,
        "drafts/pass_ring",
        &[("draft_id", &draft), ("to_user_id", &ada_id)],
    )
    .await;
    (ada, bob, draft, bob_id)
}

async fn kinds(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar("SELECT kind FROM analytics_events ORDER BY occurred_at, kind")
        .fetch_all(app.db.pool())
        .await
        .unwrap_or_default()
}

async fn actions_record_their_events_and_refusals_record_nothing(app: &TestApp) {
    let (mut ada, mut bob, draft, _) = story(app).await;
    let mut recorded = kinds(app).await;
    recorded.sort();
    let mut expected = vec![
        "collaborator_joined",
        "draft_created",
        "ring_passed",
        "ring_passed",
        "segment_added",
        "segment_added",
        "segment_added",
    ];
    expected.sort_unstable();
    assert_eq!(recorded, expected);
    let before = recorded.len();
    // Bob no longer holds the ring: refused, and nothing recorded.
    let refused = change(
        &mut bob,
        "drafts/append",
        &[("draft_id", &draft), ("content", "sneaky")],
    )
    .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(kinds(app).await.len(), before);
    ok(
        &mut ada,
        "drafts/set_status",
        &[("draft_id", &draft), ("status", "published")],
    )
    .await;
    let stored: Vec<(i64, String)> = sqlx::query_as(
        "SELECT schema_version, payload FROM analytics_events WHERE kind = 'status_changed'",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap_or_default();
    assert_eq!(
        stored,
        vec![(
            1,
            r#"{"kind":"status_changed","status":"published"}"#.to_owned()
        )]
    );
}

async fn recording_an_event_id_twice_counts_it_once(app: &TestApp) {
    let event = Event {
        id: "fixed-id".into(),
        actor: Some("someone".into()),
        draft: Some("some-draft".into()),
        at: 1_795_633_380_000,
        activity: Activity::SegmentAdded {
            segment_id: "s".into(),
            characters: 5,
        },
    };
    for expected in [true, false] {
        let e = event.clone();
        let recorded = app
            .db
            .write_with(move |tx| Box::pin(async move { record(tx, &e).await }))
            .await;
        assert_eq!(recorded, Ok(expected));
    }
    let (events, segments): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM analytics_events), \
         (SELECT CAST(SUM(segments) AS BIGINT) FROM analytics_user_days)",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap_or((-1, -1));
    assert_eq!((events, segments), (1, 1));
}

/// Every rollup row, as text, in key order.
async fn rollups(app: &TestApp) -> Vec<String> {
    let text = |column: &str| format!("CAST({column} AS TEXT)");
    let tables = [
        (
            "analytics_draft_days",
            vec![
                "draft_id",
                "day",
                "user_id",
                "segments",
                "characters",
                "passes",
                "views",
                "card_views",
                "card_copies",
            ],
        ),
        (
            "analytics_user_days",
            vec![
                "user_id",
                "day",
                "drafts_started",
                "segments",
                "characters",
                "passes_given",
                "passes_received",
            ],
        ),
        (
            "analytics_user_hours",
            vec!["user_id", "hour", "segments", "characters", "passes_given"],
        ),
    ];
    let mut rows = Vec::new();
    for (table, columns) in tables {
        let joined: Vec<String> = columns.iter().map(|c| text(c)).collect();
        let sql = format!(
            "SELECT {} AS row FROM {table} ORDER BY 1",
            joined.join(" || '|' || ")
        );
        let table_rows: Vec<String> = sqlx::query_scalar(&sql)
            .fetch_all(app.db.pool())
            .await
            .unwrap_or_else(|err| panic!("{table}: {err}"));
        rows.extend(table_rows.into_iter().map(|r| format!("{table}: {r}")));
    }
    rows
}

async fn rebuilding_the_rollups_gives_what_recording_gave(app: &TestApp) {
    let (mut ada, _bob, draft, _) = story(app).await;
    ok(&mut ada, "drafts/get", &[("draft_id", &draft)]).await;
    let incremental = rollups(app).await;
    assert!(incremental.len() > 5, "{incremental:?}");
    let rebuilt = onering::analytics::rebuild::rebuild(&app.db).await;
    let report = rebuilt.unwrap_or_else(|e| panic!("rebuild failed: {e}"));
    assert!(report.events >= 8, "{report:?}");
    assert_eq!(rollups(app).await, incremental);

    // An event of a schema this code does not read stops the rebuild; nothing changes.
    sqlx::query(
        "INSERT INTO analytics_events (id, schema_version, kind, actor_id, draft_id, occurred_at, payload) \
         VALUES ('future', 2, 'segment_added', NULL, NULL, 1, '{}')",
    )
    .execute(app.db.pool())
    .await
    .ok();
    let refused = onering::analytics::rebuild::rebuild(&app.db).await;
    assert!(refused.is_err());
    assert_eq!(rollups(app).await, incremental);
}

async fn draft_insights_are_byte_identical_at_a_fixed_now(app: &TestApp) {
    let (mut ada, mut bob, draft, _) = story(app).await;
    // On Free the insights are the basic counts; the charts come with Creator.
    let basic = ada
        .call("analytics/draft", &[("draft_id", &draft)])
        .await
        .json();
    assert_eq!(basic["full"], false);
    assert_eq!(basic["segments"], 3);
    assert!(basic["activity"]["series"]
        .as_array()
        .is_some_and(Vec::is_empty));
    app.set_plan("ada", "creator").await;
    let now = (onering::db::now_ms() + 60_000).to_string();
    let first = ada
        .call("analytics/draft", &[("draft_id", &draft), ("now", &now)])
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let again = bob
        .call("analytics/draft", &[("draft_id", &draft), ("now", &now)])
        .await;
    assert_eq!(first.body, again.body, "same data, same now, same bytes");
    let insights = first.json();
    assert_eq!(insights["segments"], 3);
    assert_eq!(insights["contributors"], 2);
    assert_eq!(insights["passes"]["all_time"], 2);
    assert_eq!(insights["passes"]["last_24h"], 2);
    assert_eq!(
        insights["unique_viewers"], 0,
        "nobody has opened the draft yet"
    );
    let series = insights["activity"]["series"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let handles: Vec<&str> = series
        .iter()
        .filter_map(|s| s["person"]["handle"].as_str())
        .collect();
    assert_eq!(handles, vec!["ada", "bob"]);
    // Ada's two segments are on the chart's last day, or its last two when the story
    // straddled midnight UTC (a run at 23:59 once failed a test that said "the last day").
    let ada_counts: Vec<i64> = series[0]["counts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_i64)
        .collect();
    assert_eq!(ada_counts.len(), 30);
    assert_eq!(ada_counts.iter().sum::<i64>(), 2, "{ada_counts:?}");
    assert_eq!(ada_counts[28] + ada_counts[29], 2, "{ada_counts:?}");
    let holders: Vec<&str> = insights["ring_timeline"]
        .as_array()
        .map(|t| {
            t.iter()
                .filter_map(|h| h["person"]["handle"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(holders, vec!["ada", "bob", "ada"]);
    for secret in ["@example.com", "password", "\"id\":\""] {
        assert!(!first.body.contains(secret), "insights carry no {secret}");
    }
    // A `now` before everything happened replays an empty past.
    let past = ada
        .call(
            "analytics/draft",
            &[("draft_id", &draft), ("now", "2001-01-01T00:00:00Z")],
        )
        .await;
    assert_eq!(past.json()["segments"], 0);
    // The page draws the chart and the numbers on the server.
    let page = ada.get(&format!("/drafts/{draft}/insights")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<svg") && page.body.contains("Who held the ring"));
    assert!(page.body.contains("id=\"contributions\""));
}

async fn insights_are_for_members_and_bad_input_is_a_4xx(app: &TestApp) {
    let (_ada, _bob, draft, _) = story(app).await;
    let mut stranger = app.client();
    stranger.sign_up("eve").await;
    let hidden = stranger
        .call("analytics/draft", &[("draft_id", &draft)])
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    let page = stranger.get(&format!("/drafts/{draft}/insights")).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let signed_out = app
        .client()
        .call("analytics/draft", &[("draft_id", &draft)])
        .await;
    assert_eq!(signed_out.status, StatusCode::UNAUTHORIZED);
    let unknown = stranger
        .call(
            "analytics/draft",
            &[("draft_id", "0b7e6c2e-1111-4a4a-9c9c-000000000001")],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    for now in [
        "tomorrow",
        "1",
        "3000-01-01T00:00:00Z",
        "1999-12-31T23:59:59Z",
    ] {
        for endpoint in ["analytics/mine", "analytics/leaderboards"] {
            let reply = stranger.call(endpoint, &[("now", now)]).await;
            assert_eq!(
                reply.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{endpoint} {now}"
            );
            assert_eq!(reply.json()["field"], "now");
        }
    }
}

async fn views_count_once_per_viewer_and_hour(app: &TestApp) {
    let (mut ada, mut bob, draft, _) = story(app).await;
    for _ in 0..3 {
        assert_eq!(
            ada.get(&format!("/drafts/{draft}")).await.status,
            StatusCode::OK
        );
    }
    bob.get(&format!("/drafts/{draft}")).await;
    let insights = ada
        .call("analytics/draft", &[("draft_id", &draft)])
        .await
        .json();
    assert_eq!(insights["views"], 2, "one per viewer in the hour");
    assert_eq!(insights["unique_viewers"], 2);
}

async fn my_numbers_and_the_boards_thank_and_anyone_can_leave(app: &TestApp) {
    let (mut ada, mut bob, _draft, _) = story(app).await;
    let mine = bob.call("analytics/mine", &[]).await.json();
    assert_eq!(mine["week"]["segments"], 1);
    assert_eq!(mine["week"]["passes_given"], 1);
    assert_eq!(mine["week"]["passes_received"], 1);
    assert_eq!(mine["week"]["collaborators"], 1);
    assert_eq!(mine["week"]["active_days"], 1);

    let boards = ada.call("analytics/leaderboards", &[]).await;
    assert_eq!(boards.status, StatusCode::OK, "{}", boards.body);
    let json = boards.json();
    let collaboration = json["boards"]
        .as_array()
        .and_then(|b| {
            b.iter()
                .find(|b| b["board"] == "collaboration" && b["days"] == 7)
                .cloned()
        })
        .unwrap_or_default();
    let names: Vec<&str> = collaboration["entries"]
        .as_array()
        .map(|e| {
            e.iter()
                .filter_map(|e| e["person"]["handle"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(names, vec!["ada", "bob"], "equal scores, in handle order");
    assert_eq!(
        collaboration["entries"][0]["thanks"],
        "passed the ring once and co-wrote 1 draft this week"
    );
    assert_eq!(collaboration["my_rank"], 1);
    assert!(!boards.body.contains("@example.com"));
    for shaming in ["behind", "last", "lost", "worst"] {
        assert!(!boards.body.to_lowercase().contains(shaming), "{shaming}");
    }

    // Bob leaves the boards: gone from every board at once.
    ok(&mut bob, "settings/leaderboards", &[("shown", "false")]).await;
    let after = ada.call("analytics/leaderboards", &[]).await.body;
    assert!(!after.contains("\"bob\""), "{after}");
    let his = bob.call("analytics/leaderboards", &[]).await.json();
    assert_eq!(his["i_am_shown"], false);
    assert!(his["boards"]
        .as_array()
        .is_some_and(|b| b.iter().all(|b| b["my_rank"].is_null())));
    let page = bob.get("/insights").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Thank-you boards"));
}

/// The boards keep the sums of finished days and hours and read only the open ones per
/// request (`analytics::boards`): wherever that split falls, and whether the sealed sums
/// were built fresh or kept from an earlier split, the boards are the same bytes.
async fn boards_are_the_same_wherever_the_sealed_part_ends(app: &TestApp) {
    use onering::analytics::boards::{leaderboards, BoardCache};
    const HOUR: i64 = 3_600_000;
    const DAY: i64 = 24 * HOUR;
    const NOW: i64 = 1_795_633_380_000; // 2026-11-25 19:03 UTC
    let mut ids = Vec::new();
    let mut cyd_client = app.client();
    for handle in ["ada", "bob", "cyd", "dee"] {
        let mut client = app.client();
        ids.push(id_of(&client.sign_up(handle).await));
        if handle == "cyd" {
            cyd_client = client;
        }
    }
    let (ada, bob, cyd, dee) = (&ids[0], &ids[1], &ids[2], &ids[3]);
    // (who, draft, days before NOW, hour of day, passes the ring on?)
    let work: [(&String, &str, i64, i64, bool); 12] = [
        (ada, "d1", 12, 9, false), // outside the 7-day window
        (ada, "d1", 3, 9, true),   // ada alone on d1 until bob joins today
        (bob, "d1", 0, 18, false),
        (ada, "d2", 2, 10, false),
        (cyd, "d2", 2, 11, true), // shared in the sealed days already
        (cyd, "d2", 2, 17, false),
        (dee, "d3", 1, 23, true), // the last hour before the split at midnight
        (dee, "d3", 0, 0, false), // the first hour after it
        (bob, "d4", 20, 8, true),
        (dee, "d4", 20, 9, false),
        (ada, "d5", 0, 18, true),
        (cyd, "d5", 6, 12, false), // cyd's d5 becomes co-written when ada writes today
    ];
    let today = NOW - NOW % DAY;
    for (n, (who, draft, days_ago, hour, passes)) in work.into_iter().enumerate() {
        let at = today - days_ago * DAY + hour * HOUR + 60_000;
        let mut events = vec![Activity::SegmentAdded {
            segment_id: format!("s{n}"),
            characters: 40 + n as i64 * 90,
        }];
        if passes {
            let to = if who == dee { bob } else { dee };
            events.push(Activity::RingPassed { to: to.clone() });
        }
        for (k, activity) in events.into_iter().enumerate() {
            let event = Event {
                id: format!("e{n}-{k}"),
                actor: Some(who.clone()),
                draft: Some(draft.to_owned()),
                at,
                activity,
            };
            let recorded = app
                .db
                .write_with(move |tx| Box::pin(async move { record(tx, &event).await }))
                .await;
            assert_eq!(recorded, Ok(true));
        }
    }
    // Cyd left the boards: on no board, but still sees their own numbers.
    ok(
        &mut cyd_client,
        "settings/leaderboards",
        &[("shown", "false")],
    )
    .await;

    let walls = [
        NOW - 60 * DAY,                  // nothing sealed
        today - 2 * DAY + 4 * 60_000,    // still inside the grace after a midnight
        today + 5 * 60_000,              // yesterday just sealed
        today + 18 * HOUR + 30 * 60_000, // part of today's hours sealed
        NOW,                             // the real clock at NOW
        NOW + 60 * DAY,                  // everything sealed
    ];
    let kept = BoardCache::default();
    for me in [ada, cyd] {
        let mut answers = Vec::new();
        for wall in walls {
            for cache in [&BoardCache::default(), &kept] {
                let (boards, shown) = leaderboards(cache, &app.db, NOW, wall, me)
                    .await
                    .unwrap_or_else(|e| panic!("boards at {wall}: {e:?}"));
                answers.push(serde_json::to_string(&(boards, shown)).unwrap_or_default());
            }
        }
        let first = &answers[0];
        assert!(answers.iter().all(|a| a == first), "{answers:#?}");
        let boards: Value = serde_json::from_str(first).unwrap_or_default();
        let collaboration_7 = &boards[0][0];
        assert_eq!(collaboration_7["board"], "collaboration");
        assert_eq!(collaboration_7["days"], 7);
        let entries: Vec<(String, i64)> = collaboration_7["entries"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| {
                let handle = e["person"]["handle"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                (handle, e["score"].as_i64().unwrap_or_default())
            })
            .collect();
        // ada: 2 passes + d1 (bob joined today), d2, d5; bob: d1; dee: 1 pass; cyd hidden.
        assert_eq!(
            entries,
            vec![("ada".into(), 5), ("bob".into(), 1), ("dee".into(), 1)],
            "{first}"
        );
        if me == cyd {
            assert_eq!(boards[1], false);
            // cyd: 1 pass + d2 + d5.
            assert_eq!(collaboration_7["my_score"], 3, "{first}");
        }
    }
}

/// The open part of the boards is kept for a moment (`analytics::boards::OPEN_FRESH_MS`),
/// but never past a write this server committed: whoever acts sees it on their next look.
async fn a_write_on_this_server_shows_on_the_next_look_at_the_boards(app: &TestApp) {
    use onering::analytics::boards::{leaderboards, BoardCache};
    let mut client = app.client();
    let ada = id_of(&client.sign_up("ada").await);
    let bob = id_of(&client.sign_up("bob").await);
    let now = onering::db::now_ms();
    let pass = |n: usize| Event {
        id: format!("pass-{n}"),
        actor: Some(ada.clone()),
        draft: Some("d1".to_owned()),
        at: now,
        activity: Activity::RingPassed { to: bob.clone() },
    };
    let cache = BoardCache::default();
    let mut seen = Vec::new();
    for n in 0..3 {
        let event = pass(n);
        let recorded = app
            .db
            .write_with(move |tx| Box::pin(async move { record(tx, &event).await }))
            .await;
        assert_eq!(recorded, Ok(true));
        let (boards, _) = leaderboards(&cache, &app.db, now, now, &ada)
            .await
            .unwrap_or_else(|e| panic!("boards: {e:?}"));
        assert_eq!(
            boards[0].board,
            onering::analytics::types::Board::Collaboration
        );
        seen.push(boards[0].my_score);
    }
    assert_eq!(seen, vec![1, 2, 3], "passes given, each seen at once");
}

fn segment_by(actor: &str, id: &str, at: i64) -> Event {
    Event {
        id: id.to_owned(),
        actor: Some(actor.to_owned()),
        draft: Some(format!("draft-{id}")),
        at,
        activity: Activity::SegmentAdded {
            segment_id: format!("s-{id}"),
            characters: 4,
        },
    }
}

/// (events waiting to be folded, the person's segments in the day rollup, in the hour one)
async fn folded_state(app: &TestApp, actor: &str) -> (i64, i64, i64) {
    sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM analytics_unfolded), \
         (SELECT COALESCE(CAST(SUM(segments) AS BIGINT), 0) FROM analytics_user_days WHERE user_id = $1), \
         (SELECT COALESCE(CAST(SUM(segments) AS BIGINT), 0) FROM analytics_user_hours WHERE user_id = $1)",
    )
    .bind(actor)
    .fetch_one(app.db.pool())
    .await
    .unwrap_or_else(|err| panic!("rollups: {err}"))
}

/// On PostgreSQL a person's rollups are folded just after each event's commit; writes racing
/// on the same rollup rows all count, and each is folded before its writer answers.
async fn concurrent_events_of_one_person_all_count_and_none_is_left_waiting(app: &TestApp) {
    let now = onering::db::now_ms();
    let writes = (0..16).map(|n| {
        let event = segment_by("ada", &format!("e{n}"), now);
        let db = app.db.clone();
        async move {
            db.write_with(move |tx| Box::pin(async move { record(tx, &event).await }))
                .await
        }
    });
    let recorded = futures_util::future::join_all(writes).await;
    assert!(recorded.iter().all(|r| r == &Ok(true)), "{recorded:?}");
    assert_eq!(folded_state(app, "ada").await, (0, 16, 16));
}

/// Writes the event and its note in `analytics_unfolded`, as a crash between a PostgreSQL
/// write's commit and its fold leaves them: no rollups.
async fn leave_unfolded(app: &TestApp, event: &Event, noted_at: i64) {
    let payload = serde_json::to_string(&event.activity).unwrap_or_default();
    for (sql, noted) in [
        (
            "INSERT INTO analytics_events (id, schema_version, kind, actor_id, draft_id, occurred_at, payload) \
             VALUES ($1, 1, 'segment_added', $2, $3, $4, $5)",
            false,
        ),
        ("INSERT INTO analytics_unfolded (event_id, recorded_at) VALUES ($1, $2)", true),
    ] {
        let query = sqlx::query(sql).bind(&event.id);
        let query = if noted {
            query.bind(noted_at)
        } else {
            query
                .bind(event.actor.as_deref())
                .bind(event.draft.as_deref())
                .bind(event.at)
                .bind(&payload)
        };
        query
            .execute(app.db.pool())
            .await
            .unwrap_or_else(|err| panic!("{sql}: {err}"));
    }
}

async fn an_event_a_crash_left_unfolded_is_folded_once_by_the_sweep(app: &TestApp) {
    use onering::analytics::events::{fold_leftovers, LEFT_AFTER_MS};
    let now = onering::db::now_ms();
    leave_unfolded(
        app,
        &segment_by("ada", "left", now),
        now - LEFT_AFTER_MS - 1,
    )
    .await;
    // Just recorded: its writer is about to fold it, the sweep leaves it alone.
    leave_unfolded(app, &segment_by("ada", "young", now), now).await;
    assert_eq!(folded_state(app, "ada").await, (2, 0, 0));
    assert_eq!(fold_leftovers(&app.db, now).await, Ok(1));
    assert_eq!(folded_state(app, "ada").await, (1, 1, 1));
    assert_eq!(fold_leftovers(&app.db, now).await, Ok(0), "folded once");
    assert_eq!(
        fold_leftovers(&app.db, now + LEFT_AFTER_MS + 1).await,
        Ok(1)
    );
    assert_eq!(folded_state(app, "ada").await, (0, 2, 2));
}

async fn a_rebuild_folds_the_waiting_events_and_the_sweep_then_adds_nothing(app: &TestApp) {
    let now = onering::db::now_ms();
    let counted = segment_by("ada", "counted", now);
    let recorded = app
        .db
        .write_with(move |tx| Box::pin(async move { record(tx, &counted).await }))
        .await;
    assert_eq!(recorded, Ok(true));
    leave_unfolded(app, &segment_by("ada", "left", now), 0).await;
    assert_eq!(folded_state(app, "ada").await, (1, 1, 1));
    let rebuilt = onering::analytics::rebuild::rebuild(&app.db).await;
    assert!(rebuilt.is_ok(), "{rebuilt:?}");
    assert_eq!(folded_state(app, "ada").await, (0, 2, 2));
    assert_eq!(
        onering::analytics::events::fold_leftovers(&app.db, now).await,
        Ok(0)
    );
    assert_eq!(folded_state(app, "ada").await, (0, 2, 2));
}
