//! What the admin pages read: counts, people, sessions, billing events and the admin role.
//! Every list is paged; no query reads a table whole.

use sqlx::FromRow;

use super::types::{
    EventList, EventRow, PlanChoice, ReconcileRun, SessionRow, StatusCount, UserRow, UserSearch,
    PAGE_SIZE,
};
use crate::db::{Db, Tx};
use crate::error::AppError;

/// `raw` with LIKE's wildcards (and the escape character) escaped, for `ESCAPE '\'`.
pub fn escape_like(raw: &str) -> String {
    let mut escaped = String::with_capacity(raw.len());
    for c in raw.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// Whether `user_id` holds the admin role.
pub async fn is_admin_account(db: &Db, user_id: &str) -> Result<bool, AppError> {
    let found: Option<String> =
        sqlx::query_scalar("SELECT user_id FROM admin_accounts WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(db.pool())
            .await?;
    Ok(found.is_some())
}

/// Grants (`true`) or revokes the admin role; `false` when it was so already.
pub async fn set_admin_account(
    tx: &mut Tx,
    user_id: &str,
    admin: bool,
    now: i64,
) -> Result<bool, AppError> {
    let changed = if admin {
        sqlx::query(
            "INSERT INTO admin_accounts (user_id, granted_at) VALUES ($1, $2) ON CONFLICT (user_id) DO NOTHING",
        )
        .bind(user_id)
        .bind(now)
        .execute(&mut **tx)
        .await?
    } else {
        sqlx::query("DELETE FROM admin_accounts WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut **tx)
            .await?
    };
    Ok(changed.rows_affected() == 1)
}

/// The overview's counts: people, drafts, segments since `day_start`.
pub async fn counts(db: &Db, day_start: i64) -> Result<(i64, i64, i64), AppError> {
    Ok(sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM drafts), \
         (SELECT COUNT(*) FROM segments WHERE created_at >= $1)",
    )
    .bind(day_start)
    .fetch_one(db.pool())
    .await?)
}

pub async fn events_by_status(db: &Db) -> Result<Vec<StatusCount>, AppError> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT status, COUNT(*) FROM billing_events GROUP BY status ORDER BY status",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(status, count)| StatusCount { status, count })
        .collect())
}

/// The latest reconciliation job, whoever ran it.
pub async fn last_reconcile(db: &Db) -> Result<Option<ReconcileRun>, AppError> {
    let row: Option<(i64, String, Option<String>)> = sqlx::query_as(
        "SELECT updated_at, status, last_error FROM jobs WHERE kind = $1 \
         ORDER BY updated_at DESC, id DESC LIMIT 1",
    )
    .bind(crate::billing::service::RECONCILE_JOB)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|(at_ms, status, error)| ReconcileRun {
        at_ms,
        status,
        error,
    }))
}

pub async fn failed_jobs(db: &Db) -> Result<i64, AppError> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE status = 'failed'")
            .fetch_one(db.pool())
            .await?,
    )
}

#[derive(FromRow)]
struct UserRecord {
    id: String,
    handle: String,
    email: String,
    created_at: i64,
    plan: String,
    is_admin: i64,
}

impl From<UserRecord> for UserRow {
    fn from(r: UserRecord) -> Self {
        Self {
            id: r.id,
            handle: r.handle,
            email: r.email,
            created_at_ms: r.created_at,
            plan: r.plan,
            is_admin: r.is_admin != 0,
        }
    }
}

const USER_SELECT: &str = "SELECT u.id, u.handle, u.email, u.created_at, \
     COALESCE(up.plan_id, (SELECT id FROM plans WHERE is_default = 1)) AS plan, \
     CASE WHEN a.user_id IS NULL THEN 0 ELSE 1 END AS is_admin \
     FROM users u LEFT JOIN user_plans up ON up.user_id = u.id \
     LEFT JOIN admin_accounts a ON a.user_id = u.id";

/// People whose handle or email contains `query` (case-insensitive), newest first; everyone
/// when it is empty.
pub async fn search_users(db: &Db, query: &str, page: u32) -> Result<UserSearch, AppError> {
    let needle = format!(
        "%{}%",
        escape_like(query.trim().trim_start_matches('@').to_lowercase().as_str())
    );
    let rows: Vec<UserRecord> = sqlx::query_as(&format!(
        "{USER_SELECT} WHERE u.handle LIKE $1 ESCAPE '\\' OR u.email_normalized LIKE $1 ESCAPE '\\' \
         ORDER BY u.created_at DESC, u.id LIMIT $2 OFFSET $3"
    ))
    .bind(needle)
    .bind((PAGE_SIZE + 1) as i64)
    .bind(i64::from(page) * PAGE_SIZE as i64)
    .fetch_all(db.pool())
    .await?;
    let has_more = rows.len() > PAGE_SIZE;
    Ok(UserSearch {
        rows: rows
            .into_iter()
            .take(PAGE_SIZE)
            .map(UserRow::from)
            .collect(),
        has_more,
    })
}

pub async fn user<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    executor: E,
    user_id: &str,
) -> Result<UserRow, AppError> {
    sqlx::query_as::<_, UserRecord>(&format!("{USER_SELECT} WHERE u.id = $1"))
        .bind(user_id)
        .fetch_optional(executor)
        .await?
        .map(UserRow::from)
        .ok_or(AppError::NotFound)
}

/// The person's sessions that can still be used, most recently seen first.
pub async fn live_sessions(db: &Db, user_id: &str, now: i64) -> Result<Vec<SessionRow>, AppError> {
    let rows: Vec<(String, String, i64, i64, i64)> = sqlx::query_as(
        "SELECT id, user_agent, created_at, last_seen_at, expires_at FROM sessions \
         WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 \
         ORDER BY last_seen_at DESC, id LIMIT 100",
    )
    .bind(user_id)
    .bind(now)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, agent, created, seen, expires)| SessionRow {
            id,
            user_agent: crate::auth::model::describe_user_agent(&agent),
            created_at_ms: created,
            last_seen_at_ms: seen,
            expires_at_ms: expires,
        })
        .collect())
}

pub async fn drafts_owned(db: &Db, user_id: &str) -> Result<i64, AppError> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM drafts WHERE owner_id = $1")
            .bind(user_id)
            .fetch_one(db.pool())
            .await?,
    )
}

pub async fn plan_choices(db: &Db) -> Result<Vec<PlanChoice>, AppError> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT id, name FROM plans ORDER BY position")
            .fetch_all(db.pool())
            .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name)| PlanChoice { id, name })
        .collect())
}

/// What the billing events page filters by.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    pub event_type: Option<String>,
    pub status: Option<String>,
    pub from_ms: Option<i64>,
    pub until_ms: Option<i64>,
}

#[derive(FromRow)]
struct EventRecord {
    event_id: String,
    event_type: String,
    status: String,
    created: i64,
    received_at: i64,
    attempts: i64,
    last_error: Option<String>,
}

impl From<EventRecord> for EventRow {
    fn from(r: EventRecord) -> Self {
        Self {
            event_id: r.event_id,
            event_type: r.event_type,
            status: r.status,
            created_s: r.created,
            received_at_ms: r.received_at,
            attempts: r.attempts,
            last_error: r.last_error,
        }
    }
}

const EVENT_COLUMNS: &str =
    "event_id, event_type, status, created, received_at, attempts, last_error";

/// Stored webhook events, newest received first (the payload only on the event's own page).
pub async fn events(db: &Db, filter: &EventFilter, page: u32) -> Result<EventList, AppError> {
    let rows: Vec<EventRecord> = sqlx::query_as(&format!(
        "SELECT {EVENT_COLUMNS} FROM billing_events \
         WHERE ($1 IS NULL OR event_type = $1) AND ($2 IS NULL OR status = $2) \
         AND ($3 IS NULL OR received_at >= $3) AND ($4 IS NULL OR received_at < $4) \
         ORDER BY received_at DESC, event_id DESC LIMIT $5 OFFSET $6"
    ))
    .bind(filter.event_type.as_deref())
    .bind(filter.status.as_deref())
    .bind(filter.from_ms)
    .bind(filter.until_ms)
    .bind((PAGE_SIZE + 1) as i64)
    .bind(i64::from(page) * PAGE_SIZE as i64)
    .fetch_all(db.pool())
    .await?;
    let types: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT event_type FROM billing_events ORDER BY event_type LIMIT 200",
    )
    .fetch_all(db.pool())
    .await?;
    let has_more = rows.len() > PAGE_SIZE;
    Ok(EventList {
        rows: rows
            .into_iter()
            .take(PAGE_SIZE)
            .map(EventRow::from)
            .collect(),
        has_more,
        types,
    })
}

#[derive(FromRow)]
struct EventWithPayload {
    #[sqlx(flatten)]
    record: EventRecord,
    payload: String,
}

/// One stored event and its raw payload.
pub async fn event(db: &Db, event_id: &str) -> Result<(EventRow, String), AppError> {
    let found: EventWithPayload = sqlx::query_as(&format!(
        "SELECT {EVENT_COLUMNS}, payload FROM billing_events WHERE event_id = $1"
    ))
    .bind(event_id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(AppError::NotFound)?;
    Ok((EventRow::from(found.record), found.payload))
}

#[cfg(test)]
mod tests {
    use super::escape_like;

    #[test]
    fn wildcards_are_taken_literally() {
        assert_eq!(escape_like("ada"), "ada");
        assert_eq!(escape_like("50%_off\\"), "50\\%\\_off\\\\");
    }
}
