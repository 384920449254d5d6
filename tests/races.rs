//! Rules on fresh reads: pairs of draft mutations raced against each other, many rounds,
//! on PostgreSQL (where they run side by side under row locks) and on SQLite (where the
//! writer runs them one after another). Whatever order the database picks, the outcome is
//! one that the two changes could give one after the other: never a 5xx (no deadlock), a
//! delete or an append never lands after the pass or the archive that should have stopped
//! it, and the ring is always held by an owner or editor who is on the draft.

mod common;

use common::{key, spawn_call, Client, TestApp};
use http::StatusCode;

on_both_backends!(
    config = |config| {
        config.mutation_limits.drafts_created = 1_000;
        config.mutation_limits.other = 1_000;
        config.mutation_limits.appends = 1_000;
        config.mutation_limits.ring_passes = 1_000;
    };
    delete_races_pass_and_archive,
    role_changes_and_removals_race_passes_and_each_other,
    reclaim_races_pass,
    append_races_archive,
);

const ROUNDS: usize = 8;

struct Team<'a> {
    ada: Client<'a>,
    bob: Client<'a>,
    ada_id: String,
    bob_id: String,
    cyd_id: String,
}

fn id_of(reply: &common::Reply) -> String {
    reply.json()["user"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn team(app: &TestApp) -> Team<'_> {
    let mut ada = app.client();
    let ada_id = id_of(&ada.sign_up("ada").await);
    let mut bob = app.client();
    let bob_id = id_of(&bob.sign_up("bob").await);
    let cyd_id = id_of(&app.client().sign_up("cyd").await);
    app.set_plan("ada", "team").await;
    Team {
        ada,
        bob,
        ada_id,
        bob_id,
        cyd_id,
    }
}

async fn ok(client: &mut Client<'_>, endpoint: &str, form: &[(&str, &str)]) -> serde_json::Value {
    let reply = common::change(client, endpoint, form).await;
    assert_eq!(reply.status, StatusCode::OK, "{endpoint}: {}", reply.body);
    reply.json()
}

/// A fresh draft owned by ada with editors bob and cyd; bob holds the ring and has written
/// a segment, whose id is returned too.
async fn round(team: &mut Team<'_>) -> (String, String) {
    let draft = ok(
        &mut team.ada,
        "drafts/create",
        &[
            ("title", "Race"),
            ("platform", "x"),
            ("first_segment", "one"),
        ],
    )
    .await
    .get("id")
    .and_then(serde_json::Value::as_str)
    .unwrap_or_default()
    .to_owned();
    for handle in ["bob", "cyd"] {
        ok(
            &mut team.ada,
            "drafts/add_collaborator",
            &[("draft_id", &draft), ("handle", handle), ("role", "editor")],
        )
        .await;
    }
    ok(
        &mut team.ada,
        "drafts/pass_ring",
        &[("draft_id", &draft), ("to_user_id", &team.bob_id)],
    )
    .await;
    let segment = ok(
        &mut team.bob,
        "drafts/append",
        &[("draft_id", &draft), ("content", "bob's")],
    )
    .await;
    (draft, segment["id"].as_str().unwrap_or_default().to_owned())
}

/// Starts one change as `client` (its own idempotency key).
fn start(
    app: &TestApp,
    client: &Client<'_>,
    endpoint: &'static str,
    form: &[(&'static str, &str)],
) -> tokio::task::JoinHandle<(StatusCode, String)> {
    let mut form: Vec<(&'static str, String)> =
        form.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
    form.push(("idempotency_key", key()));
    spawn_call(app, client.cookie.clone(), endpoint, form)
}

async fn outcome(call: tokio::task::JoinHandle<(StatusCode, String)>) -> StatusCode {
    let (status, body) = call
        .await
        .unwrap_or((StatusCode::INTERNAL_SERVER_ERROR, String::new()));
    assert!(status.as_u16() < 500, "a race ended in {status}: {body}");
    status
}

/// The draft's live events in commit order: their types, with a pass's receiver.
async fn event_kinds(app: &TestApp, draft: &str) -> Vec<String> {
    let payloads: Vec<String> =
        sqlx::query_scalar("SELECT payload FROM draft_events WHERE draft_id = $1 ORDER BY seq")
            .bind(draft)
            .fetch_all(app.db.pool())
            .await
            .unwrap_or_default();
    payloads
        .iter()
        .filter_map(|p| serde_json::from_str::<serde_json::Value>(p).ok())
        .map(|e| e["type"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn position(kinds: &[String], kind: &str) -> Option<usize> {
    kinds.iter().rposition(|k| k == kind)
}

/// The ring is held by an owner or editor on the draft.
async fn assert_ring_with_a_writer(app: &TestApp, draft: &str) {
    let holder_role: Option<String> = sqlx::query_scalar(
        "SELECT c.role FROM drafts d LEFT JOIN collaborators c \
         ON c.draft_id = d.id AND c.user_id = d.ring_holder_id WHERE d.id = $1",
    )
    .bind(draft)
    .fetch_one(app.db.pool())
    .await
    .unwrap_or_default();
    assert!(
        matches!(holder_role.as_deref(), Some("owner" | "editor")),
        "the ring is held by {holder_role:?}"
    );
}

async fn delete_races_pass_and_archive(app: &TestApp) {
    let mut team = team(app).await;
    for _ in 0..ROUNDS {
        let (draft, segment) = round(&mut team).await;
        let delete = start(
            app,
            &team.bob,
            "drafts/delete_segment",
            &[("draft_id", &draft), ("segment_id", &segment)],
        );
        let pass = start(
            app,
            &team.bob,
            "drafts/pass_ring",
            &[("draft_id", &draft), ("to_user_id", &team.cyd_id)],
        );
        let (deleted, passed) = (outcome(delete).await, outcome(pass).await);
        let kinds = event_kinds(app, &draft).await;
        if deleted == StatusCode::OK && passed == StatusCode::OK {
            assert!(
                position(&kinds, "segment_deleted") < position(&kinds, "ring_moved"),
                "{kinds:?}"
            );
        }
    }
    for _ in 0..ROUNDS {
        let (draft, segment) = round(&mut team).await;
        let delete = start(
            app,
            &team.bob,
            "drafts/delete_segment",
            &[("draft_id", &draft), ("segment_id", &segment)],
        );
        let archive = start(
            app,
            &team.ada,
            "drafts/set_status",
            &[("draft_id", &draft), ("status", "archived")],
        );
        let (deleted, archived) = (outcome(delete).await, outcome(archive).await);
        assert_eq!(archived, StatusCode::OK);
        let kinds = event_kinds(app, &draft).await;
        if deleted == StatusCode::OK {
            assert!(
                position(&kinds, "segment_deleted") < position(&kinds, "status_changed"),
                "{kinds:?}"
            );
        }
    }
}

async fn role_changes_and_removals_race_passes_and_each_other(app: &TestApp) {
    let mut team = team(app).await;
    for _ in 0..ROUNDS {
        // The holder is demoted while passing the ring on, and removed while passing it.
        let (draft, _) = round(&mut team).await;
        let demote = start(
            app,
            &team.ada,
            "drafts/set_role",
            &[
                ("draft_id", &draft),
                ("user_id", &team.bob_id),
                ("role", "viewer"),
            ],
        );
        let pass = start(
            app,
            &team.bob,
            "drafts/pass_ring",
            &[("draft_id", &draft), ("to_user_id", &team.cyd_id)],
        );
        outcome(demote).await;
        outcome(pass).await;
        assert_ring_with_a_writer(app, &draft).await;

        // Cyd is demoted while the ring is passed to her.
        let (draft, _) = round(&mut team).await;
        let demote = start(
            app,
            &team.ada,
            "drafts/set_role",
            &[
                ("draft_id", &draft),
                ("user_id", &team.cyd_id),
                ("role", "viewer"),
            ],
        );
        let pass = start(
            app,
            &team.bob,
            "drafts/pass_ring",
            &[("draft_id", &draft), ("to_user_id", &team.cyd_id)],
        );
        outcome(demote).await;
        outcome(pass).await;
        assert_ring_with_a_writer(app, &draft).await;

        // Removed while passing, and: demoted and removed at once (opposite lock orders
        // deadlocked before).
        let (draft, _) = round(&mut team).await;
        let remove = start(
            app,
            &team.ada,
            "drafts/remove_collaborator",
            &[("draft_id", &draft), ("user_id", &team.bob_id)],
        );
        let pass = start(
            app,
            &team.bob,
            "drafts/pass_ring",
            &[("draft_id", &draft), ("to_user_id", &team.cyd_id)],
        );
        outcome(remove).await;
        outcome(pass).await;
        assert_ring_with_a_writer(app, &draft).await;

        let (draft, _) = round(&mut team).await;
        let demote = start(
            app,
            &team.ada,
            "drafts/set_role",
            &[
                ("draft_id", &draft),
                ("user_id", &team.bob_id),
                ("role", "viewer"),
            ],
        );
        let remove = start(
            app,
            &team.ada,
            "drafts/remove_collaborator",
            &[("draft_id", &draft), ("user_id", &team.bob_id)],
        );
        outcome(demote).await;
        assert_eq!(outcome(remove).await, StatusCode::OK);
        assert_ring_with_a_writer(app, &draft).await;
    }
    let _ = &team.ada_id;
}

async fn reclaim_races_pass(app: &TestApp) {
    let mut team = team(app).await;
    for _ in 0..ROUNDS {
        let (draft, _) = round(&mut team).await;
        let reclaim = start(
            app,
            &team.ada,
            "drafts/reclaim_ring",
            &[("draft_id", &draft)],
        );
        let pass = start(
            app,
            &team.bob,
            "drafts/pass_ring",
            &[("draft_id", &draft), ("to_user_id", &team.cyd_id)],
        );
        outcome(reclaim).await;
        outcome(pass).await;
        // The history is one chain: each move starts from whoever the previous one gave it to,
        // and the last one gave it to the holder.
        let moves: Vec<(String, String)> = sqlx::query_scalar::<_, String>(
            "SELECT payload FROM draft_events WHERE draft_id = $1 ORDER BY seq",
        )
        .bind(&draft)
        .fetch_all(app.db.pool())
        .await
        .unwrap_or_default()
        .iter()
        .filter_map(|p| serde_json::from_str::<serde_json::Value>(p).ok())
        .filter(|e| e["type"] == "ring_moved")
        .map(|e| {
            let id = |side: &str| {
                e["pass"][side]["id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            };
            (id("from"), id("to"))
        })
        .collect();
        let mut holder = team.ada_id.clone();
        for (from, to) in &moves {
            assert_eq!(from, &holder, "{moves:?}");
            holder = to.clone();
        }
        let now_held: String =
            sqlx::query_scalar("SELECT ring_holder_id FROM drafts WHERE id = $1")
                .bind(&draft)
                .fetch_one(app.db.pool())
                .await
                .unwrap_or_default();
        assert_eq!(now_held, holder);
    }
}

async fn append_races_archive(app: &TestApp) {
    let mut team = team(app).await;
    for _ in 0..ROUNDS {
        let (draft, _) = round(&mut team).await;
        let appends: Vec<_> = (0..4)
            .map(|i| {
                start(
                    app,
                    &team.bob,
                    "drafts/append",
                    &[("draft_id", &draft), ("content", &format!("late {i}"))],
                )
            })
            .collect();
        let archive = start(
            app,
            &team.ada,
            "drafts/set_status",
            &[("draft_id", &draft), ("status", "archived")],
        );
        for append in appends {
            outcome(append).await;
        }
        assert_eq!(outcome(archive).await, StatusCode::OK);
        let kinds = event_kinds(app, &draft).await;
        let archived_at = position(&kinds, "status_changed");
        assert!(
            position(&kinds, "segment_appended") < archived_at,
            "{kinds:?}"
        );
    }
}
