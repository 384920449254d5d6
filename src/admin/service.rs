//! The admin actions. Each is one idempotent write (keyed per admin identity, like every
//! other mutation) that makes its change and writes its audit row together: permission was
//! checked by the caller (`require_admin`), then the change, then [`audit::record`] with `?`
//! — a failed audit row fails the action and nothing changes.

use std::sync::Arc;

use serde_json::json;

use super::audit::{self, Context, Entry};
use super::types::{Done, ReconcileChange, ReconcileReport, ReplayOutcome};
use crate::db::{Db, Tx};
use crate::error::AppError;
use crate::idempotency::{run_once, TxFuture};
use crate::plans::store::ChangeReason;
use crate::plans::types::{describe, Entitlement, Value};
use crate::server::state::AppState;

/// Runs `change` once per (admin, operation, key), within the admin's budget for changes.
async fn audited<T, F>(
    state: &AppState,
    context: Context,
    operation: &str,
    key: &str,
    fingerprint: String,
    change: F,
) -> Result<T, AppError>
where
    T: serde::Serialize + serde::de::DeserializeOwned + Send + 'static,
    F: for<'tx> FnOnce(&'tx mut Tx, Context) -> TxFuture<'tx, T> + Send + 'static,
{
    let actor_key = context.actor.key();
    state.mutation_limiter.check(operation, &actor_key)?;
    run_once(
        &state.db,
        &actor_key,
        operation,
        key,
        &fingerprint,
        move |tx| change(tx, context),
    )
    .await
}

fn user_target(user_id: &str) -> String {
    format!("user:{user_id}")
}

/// The person's handle, read in the write (404 for an unknown id).
async fn handle_of(tx: &mut Tx, user_id: &str) -> Result<String, AppError> {
    sqlx::query_scalar("SELECT handle FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(AppError::NotFound)
}

/// Moves someone to a plan (grace starts afresh, as on every plan change).
pub async fn change_plan(
    state: &AppState,
    context: Context,
    user_id: String,
    plan: String,
    reason: String,
    key: &str,
) -> Result<Done, AppError> {
    let fingerprint = crate::idempotency::fingerprint(&[&user_id, &plan, &reason]);
    audited(
        state,
        context,
        "admin.change_plan",
        key,
        fingerprint,
        move |tx, context| {
            Box::pin(async move {
                let handle = handle_of(tx, &user_id).await?;
                let before = crate::admin::store::user(&mut **tx, &user_id).await?.plan;
                let now = crate::db::now_ms();
                let changed = crate::plans::store::change_plan(
                    tx,
                    &user_id,
                    &plan,
                    ChangeReason::Admin,
                    Some(&reason),
                    now,
                )
                .await?;
                audit::record(
                    tx,
                    &context,
                    Entry {
                        action: "plan.change",
                        target: user_target(&user_id),
                        target_label: format!("@{handle}"),
                        before: json!({ "plan": before }),
                        after: json!({ "plan": plan }),
                        reason: &reason,
                    },
                    now,
                )
                .await?;
                Ok(Done {
                    message: if changed {
                        format!("@{handle} is now on {plan}.")
                    } else {
                        format!("@{handle} was already on {plan}; nothing changed.")
                    },
                })
            })
        },
    )
    .await
}

/// An override as stored: value, expiry, reason.
async fn current_override(
    tx: &mut Tx,
    user_id: &str,
    entitlement: Entitlement,
) -> Result<serde_json::Value, AppError> {
    let row: Option<(Option<i64>, Option<i64>, String)> = sqlx::query_as(
        "SELECT value, expires_at, reason FROM entitlement_overrides WHERE user_id = $1 AND entitlement = $2",
    )
    .bind(user_id)
    .bind(entitlement.key())
    .fetch_optional(&mut **tx)
    .await?;
    Ok(match row {
        None => json!({ "override": null }),
        Some((value, expires_at, reason)) => json!({
            "override": describe(entitlement, value),
            "expires_at": expires_at.map(crate::clock::rfc3339),
            "reason": reason,
        }),
    })
}

/// What an override change asks for: set (value, expiry) or clear.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverrideChange {
    Set {
        value: Value,
        expires_at: Option<i64>,
    },
    Clear,
}

/// Sets or clears someone's override of one entitlement.
pub async fn change_override(
    state: &AppState,
    context: Context,
    user_id: String,
    entitlement: Entitlement,
    change: OverrideChange,
    reason: String,
    key: &str,
) -> Result<Done, AppError> {
    let (operation, action) = match change {
        OverrideChange::Set { .. } => ("admin.set_override", "entitlement.override.set"),
        OverrideChange::Clear => ("admin.clear_override", "entitlement.override.clear"),
    };
    let fingerprint = crate::idempotency::fingerprint(&[
        &user_id,
        entitlement.key(),
        &format!("{change:?}"),
        &reason,
    ]);
    audited(
        state,
        context,
        operation,
        key,
        fingerprint,
        move |tx, context| {
            Box::pin(async move {
                let handle = handle_of(tx, &user_id).await?;
                let before = current_override(tx, &user_id, entitlement).await?;
                let now = crate::db::now_ms();
                let stored = match change {
                    OverrideChange::Set { value, expires_at } => {
                        Some((value, expires_at, reason.as_str()))
                    }
                    OverrideChange::Clear => None,
                };
                crate::plans::store::set_override(tx, &user_id, entitlement, stored, now).await?;
                let after = current_override(tx, &user_id, entitlement).await?;
                audit::record(
                    tx,
                    &context,
                    Entry {
                        action,
                        target: user_target(&user_id),
                        target_label: format!("@{handle}"),
                        before: json!({ "entitlement": entitlement.key(), "state": before }),
                        after: json!({ "entitlement": entitlement.key(), "state": after }),
                        reason: &reason,
                    },
                    now,
                )
                .await?;
                Ok(Done {
                    message: match change {
                        OverrideChange::Set { value, expires_at } => format!(
                            "@{handle}'s {} is now {}{}.",
                            entitlement.key(),
                            describe(entitlement, value),
                            expires_at.map_or_else(String::new, |at| format!(
                                " until {}",
                                crate::clock::rfc3339(at)
                            ))
                        ),
                        OverrideChange::Clear => format!(
                            "@{handle}'s {} follows their plan again.",
                            entitlement.key()
                        ),
                    },
                })
            })
        },
    )
    .await
}

/// Gives someone their grace again: for one entitlement, or all of them.
pub async fn reset_grace(
    state: &AppState,
    context: Context,
    user_id: String,
    entitlement: Option<Entitlement>,
    reason: String,
    key: &str,
) -> Result<Done, AppError> {
    let which = entitlement.map_or("all", Entitlement::key);
    let fingerprint = crate::idempotency::fingerprint(&[&user_id, which, &reason]);
    audited(state, context, "admin.reset_grace", key, fingerprint, move |tx, context| {
        Box::pin(async move {
            let handle = handle_of(tx, &user_id).await?;
            let used: Vec<(String, i64)> = sqlx::query_as(
                "SELECT entitlement, used FROM entitlement_grace WHERE user_id = $1 \
                 AND ($2 IS NULL OR entitlement = $2) ORDER BY entitlement",
            )
            .bind(&user_id)
            .bind(entitlement.map(Entitlement::key))
            .fetch_all(&mut **tx)
            .await?;
            sqlx::query(
                "DELETE FROM entitlement_grace WHERE user_id = $1 AND ($2 IS NULL OR entitlement = $2)",
            )
            .bind(&user_id)
            .bind(entitlement.map(Entitlement::key))
            .execute(&mut **tx)
            .await?;
            let now = crate::db::now_ms();
            let before: serde_json::Map<String, serde_json::Value> =
                used.into_iter().map(|(e, n)| (e, json!(n))).collect();
            audit::record(
                tx,
                &context,
                Entry {
                    action: "grace.reset",
                    target: user_target(&user_id),
                    target_label: format!("@{handle}"),
                    before: json!({ "grace_used": before }),
                    after: json!({ "grace_used": {}, "entitlement": which }),
                    reason: &reason,
                },
                now,
            )
            .await?;
            Ok(Done {
                message: format!("@{handle}'s grace is reset ({which})."),
            })
        })
    })
    .await
}

/// Signs someone out everywhere.
pub async fn end_sessions(
    state: &AppState,
    context: Context,
    user_id: String,
    reason: String,
    key: &str,
) -> Result<Done, AppError> {
    let fingerprint = crate::idempotency::fingerprint(&[&user_id, &reason]);
    audited(state, context, "admin.end_sessions", key, fingerprint, move |tx, context| {
        Box::pin(async move {
            let handle = handle_of(tx, &user_id).await?;
            let now = crate::db::now_ms();
            let ended = sqlx::query(
                "UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL AND expires_at > $1",
            )
            .bind(now)
            .bind(&user_id)
            .execute(&mut **tx)
            .await?
            .rows_affected();
            audit::record(
                tx,
                &context,
                Entry {
                    action: "sessions.end_all",
                    target: user_target(&user_id),
                    target_label: format!("@{handle}"),
                    before: json!({ "live_sessions": ended }),
                    after: json!({ "live_sessions": 0 }),
                    reason: &reason,
                },
                now,
            )
            .await?;
            Ok(Done {
                message: format!(
                    "@{handle} is signed out everywhere ({}).",
                    crate::ui::format::count(ended as i64, "session")
                ),
            })
        })
    })
    .await
}

/// Puts a failed or ignored webhook event back to be processed, then processes it through
/// billing's own path (exactly once, as for any delivery).
pub async fn replay_event(
    state: &AppState,
    context: Context,
    event_id: String,
    reason: String,
    key: &str,
) -> Result<ReplayOutcome, AppError> {
    if state.billing.is_none() {
        return Err(AppError::BillingDisabled);
    }
    let fingerprint = crate::idempotency::fingerprint(&[&event_id, &reason]);
    let id = event_id.clone();
    audited(
        state,
        context,
        "admin.replay_event",
        key,
        fingerprint,
        move |tx, context| {
            Box::pin(async move {
                let before = crate::billing::store::reopen_event(tx, &id).await?;
                let now = crate::db::now_ms();
                audit::record(
                    tx,
                    &context,
                    Entry {
                        action: "billing.event.replay",
                        target: format!("billing_event:{id}"),
                        target_label: id.clone(),
                        before: json!({ "status": before }),
                        after: json!({ "status": "pending" }),
                        reason: &reason,
                    },
                    now,
                )
                .await?;
                Ok(())
            })
        },
    )
    .await?;
    let outcome = match crate::billing::service::process(state, &event_id).await {
        Ok(processed) => processed.as_str().to_owned(),
        Err(error) => format!("failed: {error}"),
    };
    let status = crate::billing::store::event(&state.db, &event_id)
        .await?
        .map_or_else(|| "unknown".to_owned(), |e| e.status);
    Ok(ReplayOutcome {
        event_id,
        outcome,
        status,
    })
}

/// Compares every subscription with Stripe now; each fix writes its audit row in its own
/// transaction, and the run itself is recorded (with what it changed) once.
pub async fn reconcile(
    state: &AppState,
    context: Context,
    reason: String,
    key: &str,
) -> Result<ReconcileReport, AppError> {
    if state.billing.is_none() {
        return Err(AppError::BillingDisabled);
    }
    let hook_context = context.clone();
    let hook_reason = reason.clone();
    let on_fix: crate::billing::service::FixHook = Arc::new(move |tx, fix| {
        let (context, reason) = (hook_context.clone(), hook_reason.clone());
        Box::pin(async move {
            let handle = handle_of(tx, &fix.user_id).await?;
            audit::record(
                tx,
                &context,
                Entry {
                    action: "billing.reconcile.fix",
                    target: user_target(&fix.user_id),
                    target_label: format!("@{handle}"),
                    before: json!({ "subscription": fix.subscription_id, "state": raw_json(&fix.before) }),
                    after: json!({ "subscription": fix.subscription_id, "state": raw_json(&fix.after) }),
                    reason: &reason,
                },
                crate::db::now_ms(),
            )
            .await
        })
    });
    let report = crate::billing::service::reconcile(state, Some(on_fix)).await;
    let mut changes = Vec::with_capacity(report.fixes.len());
    for fix in &report.fixes {
        changes.push(ReconcileChange {
            subscription_id: fix.subscription_id.clone(),
            handle: crate::auth::store::public_user(state.db.pool(), &fix.user_id)
                .await
                .map_or_else(|_| "?".to_owned(), |u| u.handle),
            before: fix.before.clone(),
            after: fix.after.clone(),
        });
    }
    let summary = ReconcileReport {
        checked: report.checked,
        changes,
        error: report.error,
    };
    let fingerprint = crate::idempotency::fingerprint(&[&reason]);
    let recorded = summary.clone();
    audited(
        state,
        context,
        "admin.reconcile",
        key,
        fingerprint,
        move |tx, context| {
            Box::pin(async move {
                audit::record(
                    tx,
                    &context,
                    Entry {
                        action: "billing.reconcile",
                        target: "billing".to_owned(),
                        target_label: "all subscriptions".to_owned(),
                        before: json!({ "checked": recorded.checked }),
                        after: json!({ "fixed": recorded.changes.len(), "error": recorded.error }),
                        reason: &reason,
                    },
                    crate::db::now_ms(),
                )
                .await?;
                Ok(recorded)
            })
        },
    )
    .await
}

fn raw_json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|_| json!(text))
}

/// Grants or revokes the admin role from the server's command line (audited as `cli`).
pub async fn set_admin_role(db: &Db, handle: &str, grant: bool) -> Result<String, AppError> {
    let handle = crate::auth::model::Handle::parse(handle)?;
    let handle = handle.as_str().to_owned();
    db.write_with(move |tx| {
        Box::pin(async move {
            let user_id: String = sqlx::query_scalar("SELECT id FROM users WHERE handle = $1")
                .bind(&handle)
                .fetch_optional(&mut **tx)
                .await?
                .ok_or(AppError::NotFound)?;
            let now = crate::db::now_ms();
            let changed = super::store::set_admin_account(tx, &user_id, grant, now).await?;
            let (was, is) = if grant {
                (!changed, true)
            } else {
                (changed, false)
            };
            audit::record(
                tx,
                &Context::command_line(),
                Entry {
                    action: if grant { "admin.grant" } else { "admin.revoke" },
                    target: user_target(&user_id),
                    target_label: format!("@{handle}"),
                    before: json!({ "admin": was }),
                    after: json!({ "admin": is }),
                    reason: "from the server's command line",
                },
                now,
            )
            .await?;
            Ok(match (grant, changed) {
                (true, true) => format!("@{handle} is now an admin"),
                (true, false) => format!("@{handle} was already an admin"),
                (false, true) => format!("@{handle} is no longer an admin"),
                (false, false) => format!("@{handle} was not an admin"),
            })
        })
    })
    .await
}
