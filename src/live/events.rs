//! Storing draft events inside the write that causes them, and reading them back.
//!
//! An event commits (or rolls back) with its change. On PostgreSQL the same transaction
//! sends `NOTIFY onering_live`, which PostgreSQL delivers to every app server only once the
//! transaction commits; on SQLite (one server) the group-commit writer wakes the hub after
//! the commit, whether or not the request that made the change is still there.

use sqlx::FromRow;

use super::types::DraftEvent;
use crate::db::Tx;
use crate::error::AppError;

/// The PostgreSQL channel live notifications travel on.
pub const CHANNEL: &str = "onering_live";
/// A page further behind than this reloads the draft instead of replaying.
pub const REPLAY_LIMIT: i64 = 200;
/// Events are kept this long for replay (a page away longer reloads).
pub const KEEP_MS: i64 = 24 * 60 * 60 * 1000;

/// Takes the draft's next event number (locking its row until commit).
pub async fn next_seq(tx: &mut Tx, draft_id: &str) -> Result<i64, AppError> {
    sqlx::query_scalar(
        "UPDATE drafts SET event_seq = event_seq + 1 WHERE id = $1 RETURNING event_seq",
    )
    .bind(draft_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::NotFound)
}

/// Stores `event` as number `seq` of the draft's events and tells the other app servers.
pub async fn store(
    tx: &mut Tx,
    draft_id: &str,
    seq: i64,
    event: &DraftEvent,
    at: i64,
) -> Result<(), AppError> {
    let payload = serde_json::to_string(event).map_err(|err| {
        tracing::error!(error = %err, "event did not serialise");
        AppError::Internal
    })?;
    if crate::db::is_postgres(tx) {
        // One round trip: the event, and the notice other servers hear once it commits.
        sqlx::query(
            "WITH stored AS (INSERT INTO draft_events (draft_id, seq, payload, at) \
             VALUES ($1, $2, $3, $4) RETURNING 1) SELECT pg_notify($5, $6) FROM stored",
        )
        .bind(draft_id)
        .bind(seq)
        .bind(payload)
        .bind(at)
        .bind(CHANNEL)
        .bind(super::bus::event_notice(draft_id))
        .execute(&mut **tx)
        .await?;
    } else {
        sqlx::query(
            "INSERT INTO draft_events (draft_id, seq, payload, at) VALUES ($1, $2, $3, $4)",
        )
        .bind(draft_id)
        .bind(seq)
        .bind(payload)
        .bind(at)
        .execute(&mut **tx)
        .await?;
        // SQLite: the group-commit writer tells the hub once the batch is durable.
        crate::db::group_commit::note_changed(draft_id);
    }
    Ok(())
}

/// Records `event` as the draft's next event.
pub async fn record(
    tx: &mut Tx,
    draft_id: &str,
    event: &DraftEvent,
    at: i64,
) -> Result<(), AppError> {
    let seq = next_seq(tx, draft_id).await?;
    store(tx, draft_id, seq, event, at).await
}

#[derive(FromRow)]
struct EventRow {
    seq: i64,
    payload: String,
}

/// The draft's events after `after`, oldest first, at most `limit`.
pub async fn since<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    executor: E,
    draft_id: &str,
    after: i64,
    limit: i64,
) -> Result<Vec<(i64, DraftEvent)>, AppError> {
    let rows = sqlx::query_as::<_, EventRow>(
        "SELECT seq, payload FROM draft_events WHERE draft_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
    )
    .bind(draft_id)
    .bind(after)
    .bind(limit)
    .fetch_all(executor)
    .await?;
    rows.into_iter()
        .map(|row| {
            serde_json::from_str(&row.payload)
                .map(|event| (row.seq, event))
                .map_err(|err| {
                    tracing::error!(error = %err, "stored event no longer decodes");
                    AppError::Internal
                })
        })
        .collect()
}

/// The draft's latest event number.
pub async fn latest_seq(db: &crate::db::Db, draft_id: &str) -> Result<i64, AppError> {
    sqlx::query_scalar("SELECT event_seq FROM drafts WHERE id = $1")
        .bind(draft_id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(AppError::NotFound)
}

/// Deletes events older than [`KEEP_MS`].
pub async fn purge_expired(db: &crate::db::Db, now_ms: i64) -> Result<u64, AppError> {
    db.purge(
        "DELETE FROM draft_events WHERE (draft_id, seq) IN \
         (SELECT draft_id, seq FROM draft_events WHERE at < $1 LIMIT $2)",
        vec![now_ms - KEEP_MS],
    )
    .await
}
