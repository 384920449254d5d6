//! The `jobs` table: enqueue, claim, finish, purge (see the module documentation).

use crate::db::{is_postgres, now_ms, Db, Tx};
use crate::error::AppError;

/// How long a claimed job is a server's before another may take it over.
pub const LEASE_MS: i64 = 5 * 60 * 1000;
/// The first retry's delay; each further one doubles it, up to [`BACKOFF_CAP_MS`].
pub const BACKOFF_BASE_MS: i64 = 5_000;
pub const BACKOFF_CAP_MS: i64 = 60 * 60 * 1000;
/// Attempts before a job is left `failed`.
pub const DEFAULT_MAX_ATTEMPTS: i64 = 8;
/// Finished jobs are kept this long (to answer "did the 14:00 reconcile run?"), then purged.
pub const KEEP_FINISHED_MS: i64 = 7 * 24 * 60 * 60 * 1000;

/// Work to enqueue.
#[derive(Debug, Clone)]
pub struct NewJob<'a> {
    pub kind: &'a str,
    /// Unique per kind: the same key again is the same job (kept as it is).
    pub dedupe_key: &'a str,
    pub payload: String,
    pub run_at: i64,
    pub max_attempts: i64,
}

impl<'a> NewJob<'a> {
    pub fn new(kind: &'a str, dedupe_key: &'a str, payload: String, run_at: i64) -> Self {
        Self {
            kind,
            dedupe_key,
            payload,
            run_at,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
        }
    }
}

/// A claimed job.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize, serde::Deserialize)]
pub struct Job {
    pub id: String,
    pub kind: String,
    pub dedupe_key: String,
    pub payload: String,
    /// This attempt's number, from 1.
    pub attempts: i64,
    pub max_attempts: i64,
}

/// Enqueues `job` inside the caller's transaction, so it exists exactly when the change
/// that needs it commits. `false` when a job with the same kind and key exists already.
pub async fn enqueue(tx: &mut Tx, job: NewJob<'_>) -> Result<bool, AppError> {
    let now = now_ms();
    let inserted = sqlx::query(
        "INSERT INTO jobs (id, kind, dedupe_key, payload, status, run_at, attempts, max_attempts, \
         lease_until, last_error, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 'queued', $5, 0, $6, NULL, NULL, $7, $7) \
         ON CONFLICT (kind, dedupe_key) DO NOTHING",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(job.kind)
    .bind(job.dedupe_key)
    .bind(&job.payload)
    .bind(job.run_at)
    .bind(job.max_attempts.max(1))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// Enqueues `job` in a write of its own.
pub async fn enqueue_now(db: &Db, job: NewJob<'_>) -> Result<bool, AppError> {
    let (kind, key) = (job.kind.to_owned(), job.dedupe_key.to_owned());
    let (payload, run_at, max_attempts) = (job.payload, job.run_at, job.max_attempts);
    db.write_with(move |tx| {
        Box::pin(async move {
            enqueue(
                tx,
                NewJob {
                    kind: &kind,
                    dedupe_key: &key,
                    payload,
                    run_at,
                    max_attempts,
                },
            )
            .await
        })
    })
    .await
}

/// Which of `kinds` are due at `$1`: queued and due, or running with a lapsed lease. The
/// kinds are bound from `$3` on.
fn due_jobs(kinds: &[String]) -> String {
    let kind_list = (0..kinds.len())
        .map(|i| format!("${}", i + 3))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "kind IN ({kind_list}) AND \
         ((status = 'queued' AND run_at <= $1) OR (status = 'running' AND lease_until <= $1))"
    )
}

/// Claims up to `limit` jobs of `kinds` that are due at `now` (queued and due, or running
/// with a lapsed lease), oldest first, each with a lease until `now + LEASE_MS`.
///
/// The runner asks about twice a second and the answer is nearly always "none": a read says
/// so from the read pool, and only a due job costs a write (on SQLite each write is an fsync
/// through the one writer the requests queue for).
pub async fn claim(
    db: &Db,
    kinds: Vec<String>,
    limit: i64,
    now: i64,
) -> Result<Vec<Job>, AppError> {
    if kinds.is_empty() {
        return Ok(Vec::new());
    }
    let due = due_jobs(&kinds);
    let probe = format!("SELECT id FROM jobs WHERE {due} LIMIT $2");
    let mut query = sqlx::query_scalar::<_, String>(&probe)
        .bind(now)
        .bind(1_i64);
    for kind in &kinds {
        query = query.bind(kind);
    }
    if query.fetch_optional(db.pool()).await?.is_none() {
        return Ok(Vec::new());
    }
    db.write_bookkeeping(move |tx| {
        Box::pin(async move {
            let skip_locked = if is_postgres(tx) {
                " FOR UPDATE SKIP LOCKED"
            } else {
                ""
            };
            let sql = format!(
                "UPDATE jobs SET status = 'running', attempts = attempts + 1, lease_until = $1 + {LEASE_MS}, \
                 updated_at = $1 WHERE id IN (SELECT id FROM jobs WHERE {due} \
                 ORDER BY run_at, id LIMIT $2{skip_locked}) \
                 RETURNING id, kind, dedupe_key, payload, attempts, max_attempts"
            );
            let mut query = sqlx::query_as::<_, Job>(&sql).bind(now).bind(limit);
            for kind in &kinds {
                query = query.bind(kind);
            }
            let mut jobs = query.fetch_all(&mut **tx).await?;
            jobs.sort_by(|a, b| a.id.cmp(&b.id));
            Ok(jobs)
        })
    })
    .await
}

/// How a job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// Failed with this error (no secrets in it): retried later, or left `failed` when out
    /// of attempts.
    Failed(String),
}

/// Records how `job`'s attempt ended. A worker whose lease lapsed (another server took the
/// job over) changes nothing: the row no longer matches its attempt.
pub async fn finish(db: &Db, job: &Job, outcome: Outcome, now: i64) -> Result<(), AppError> {
    let (id, attempts, max_attempts) = (job.id.clone(), job.attempts, job.max_attempts);
    db.write_bookkeeping(move |tx| {
        Box::pin(async move {
            let (status, run_at, error) = match outcome {
                Outcome::Done => ("done", None, None),
                Outcome::Failed(error) if attempts < max_attempts => (
                    "queued",
                    Some(now + backoff_ms(attempts, jitter())),
                    Some(error),
                ),
                Outcome::Failed(error) => ("failed", None, Some(error)),
            };
            sqlx::query(
                "UPDATE jobs SET status = $1, run_at = COALESCE($2, run_at), last_error = COALESCE($3, last_error), \
                 lease_until = NULL, updated_at = $4 WHERE id = $5 AND status = 'running' AND attempts = $6",
            )
            .bind(status)
            .bind(run_at)
            .bind(error.map(|e| crate::text::truncate(&e, 500)))
            .bind(now)
            .bind(id)
            .bind(attempts)
            .execute(&mut **tx)
            .await?;
            Ok(())
        })
    })
    .await
}

/// The delay before retry number `attempts` (1 after the first failure): 5 s doubling to a
/// cap of an hour, times `jitter` (0.8–1.2), so retries from many failures spread out.
pub fn backoff_ms(attempts: i64, jitter: f64) -> i64 {
    let exponent = attempts.saturating_sub(1).clamp(0, 30) as u32;
    let base = BACKOFF_BASE_MS
        .saturating_mul(1_i64 << exponent)
        .min(BACKOFF_CAP_MS);
    (base as f64 * jitter.clamp(0.8, 1.2)) as i64
}

fn jitter() -> f64 {
    0.8 + rand::random::<f64>() * 0.4
}

/// Deletes jobs that finished (done) more than [`KEEP_FINISHED_MS`] before `now`. Failed
/// ones stay for an admin.
pub async fn purge_finished(db: &Db, now: i64) -> Result<u64, AppError> {
    db.purge(
        "DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE status = 'done' AND updated_at < $1 LIMIT $2)",
        vec![now - KEEP_FINISHED_MS],
    )
    .await
}

/// A job as an admin (and the tests) see it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct JobRow {
    pub kind: String,
    pub dedupe_key: String,
    pub status: String,
    pub run_at: i64,
    pub attempts: i64,
    pub last_error: Option<String>,
}

/// Jobs of `kind`, oldest first.
pub async fn list(db: &Db, kind: &str) -> Result<Vec<JobRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT kind, dedupe_key, status, run_at, attempts, last_error FROM jobs WHERE kind = $1 \
         ORDER BY created_at, id",
    )
    .bind(kind)
    .fetch_all(db.pool())
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_a_cap_with_jitter_inside_a_fifth() {
        assert_eq!(backoff_ms(1, 1.0), 5_000);
        assert_eq!(backoff_ms(2, 1.0), 10_000);
        assert_eq!(backoff_ms(5, 1.0), 80_000);
        assert_eq!(backoff_ms(20, 1.0), BACKOFF_CAP_MS);
        assert_eq!(backoff_ms(i64::MAX, 1.0), BACKOFF_CAP_MS);
        assert_eq!(backoff_ms(1, 0.8), 4_000);
        assert_eq!(backoff_ms(1, 1.2), 6_000);
        assert_eq!(backoff_ms(1, 9.0), 6_000);
        assert_eq!(backoff_ms(0, 1.0), 5_000);
    }
}
