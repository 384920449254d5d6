//! The admin audit trail: one row per admin action, written in the same transaction as the
//! change it records.
//!
//! Guarantees:
//! - **No change without its row.** [`record`] returns a `Result` and every admin action
//!   calls it with `?` inside the write that makes the change, so if the row cannot be
//!   written the whole action rolls back and the admin sees an error. There is no path from
//!   an admin function to a change that does not pass through it (read-only functions
//!   aside).
//! - **Append-only.** This module inserts and reads; nothing in OneRing updates or deletes
//!   an audit row, and the database refuses it too (triggers on both backends, migration
//!   0012), so a bug or a stray query cannot rewrite history.
//! - **Nothing secret.** Rows say who (actor type, id, email where the provider gave one,
//!   mechanism), what (action, target, a before/after summary), why (the admin's reason),
//!   and from where (request id, client address) — never a token, key or password.

use http::request::Parts;
use serde_json::Value;

use super::auth::AdminActor;
use super::types::{AuditPage, AuditRow, PAGE_SIZE};
use crate::db::{Db, Tx};
use crate::error::AppError;

/// Who acted, and the request they acted through.
#[derive(Debug, Clone)]
pub struct Context {
    pub actor: AdminActor,
    pub request_id: Option<String>,
    pub client_address: Option<String>,
}

impl Context {
    /// The context of an admin request.
    pub fn of_request(
        actor: AdminActor,
        parts: &Parts,
        config: &crate::server::config::Config,
    ) -> Self {
        Self {
            actor,
            request_id: parts
                .headers
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .map(|v| crate::text::truncate(v, 100)),
            client_address: Some(crate::server::state::client_ip(parts, config).to_string()),
        }
    }

    /// A command run on the server itself.
    pub fn command_line() -> Self {
        Self {
            actor: AdminActor::cli(),
            request_id: None,
            client_address: None,
        }
    }
}

/// One action to record.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    /// What was done, dotted: `plan.change`, `entitlement.override.set`, …
    pub action: &'a str,
    /// What it was done to, as `kind:id` (`user:…`, `billing_event:…`, `billing`).
    pub target: String,
    /// The target as people read it (`@ada`, an event id).
    pub target_label: String,
    pub before: Value,
    pub after: Value,
    pub reason: &'a str,
}

/// Writes `entry`'s row inside the action's transaction. Its error fails the action.
pub async fn record(
    tx: &mut Tx,
    context: &Context,
    entry: Entry<'_>,
    now: i64,
) -> Result<(), AppError> {
    let actor = &context.actor;
    sqlx::query(
        "INSERT INTO admin_audit (id, at, actor_type, actor_id, actor_email, mechanism, action, \
         target, target_label, before_state, after_state, reason, request_id, client_address) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(now)
    .bind(actor.kind.as_str())
    .bind(&actor.id)
    .bind(actor.email.as_deref())
    .bind(actor.mechanism)
    .bind(entry.action)
    .bind(&entry.target)
    .bind(&entry.target_label)
    .bind(entry.before.to_string())
    .bind(entry.after.to_string())
    .bind(entry.reason)
    .bind(context.request_id.as_deref())
    .bind(context.client_address.as_deref())
    .execute(&mut **tx)
    .await
    .map_err(|err| {
        tracing::error!(error = %err, action = entry.action, "the audit row could not be written; the action is rolled back");
        AppError::Internal
    })?;
    Ok(())
}

/// What the audit page filters by; each is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// An actor's id or email (exact), or an actor type (`jwt`, `account`, …).
    pub actor: Option<String>,
    /// An action, or the start of one (`entitlement.` finds every override action).
    pub action: Option<String>,
    /// A target (`user:…`) or its label (`@ada`), exact.
    pub target: Option<String>,
    pub from_ms: Option<i64>,
    pub until_ms: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    at: i64,
    actor_type: String,
    actor_id: String,
    actor_email: Option<String>,
    mechanism: String,
    action: String,
    target: String,
    target_label: String,
    before_state: String,
    after_state: String,
    reason: String,
    request_id: Option<String>,
    client_address: Option<String>,
}

/// Newest first, a page at a time; ties by id, so pages never overlap.
pub async fn list(db: &Db, filter: &Filter, page: u32) -> Result<AuditPage, AppError> {
    let like_prefix = filter
        .action
        .as_deref()
        .map(|a| format!("{}%", super::store::escape_like(a)));
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, at, actor_type, actor_id, actor_email, mechanism, action, target, target_label, \
         before_state, after_state, reason, request_id, client_address FROM admin_audit \
         WHERE ($1 IS NULL OR actor_id = $1 OR actor_email = $1 OR actor_type = $1) \
         AND ($2 IS NULL OR action LIKE $2 ESCAPE '\\') \
         AND ($3 IS NULL OR target = $3 OR target_label = $3) \
         AND ($4 IS NULL OR at >= $4) AND ($5 IS NULL OR at < $5) \
         ORDER BY at DESC, id DESC LIMIT $6 OFFSET $7",
    )
    .bind(filter.actor.as_deref())
    .bind(like_prefix.as_deref())
    .bind(filter.target.as_deref())
    .bind(filter.from_ms)
    .bind(filter.until_ms)
    .bind((PAGE_SIZE + 1) as i64)
    .bind(i64::from(page) * PAGE_SIZE as i64)
    .fetch_all(db.pool())
    .await?;
    let has_more = rows.len() > PAGE_SIZE;
    Ok(AuditPage {
        rows: rows
            .into_iter()
            .take(PAGE_SIZE)
            .map(|r| AuditRow {
                id: r.id,
                at_ms: r.at,
                actor_type: r.actor_type,
                actor_id: r.actor_id,
                actor_email: r.actor_email,
                mechanism: r.mechanism,
                action: r.action,
                target: r.target,
                target_label: r.target_label,
                before: r.before_state,
                after: r.after_state,
                reason: r.reason,
                request_id: r.request_id,
                client_address: r.client_address,
            })
            .collect(),
        has_more,
    })
}
