//! Admin server functions (listed in `docs/API.md`). Every one passes `require_admin` before
//! anything else: 401 without a credential, 403 for someone who is not an admin, 429 for an
//! address that keeps failing. Changes take an idempotency key and a reason, and write their
//! audit row in their own transaction.

use leptos::prelude::*;

use super::types::{
    AuditPage, Done, EventDetail, EventList, Overview, ReconcileReport, ReplayOutcome, UserDetail,
    UserSearch,
};
use crate::error::AppError;

#[cfg(feature = "ssr")]
mod ssr {
    use crate::admin::audit::Context;
    use crate::error::AppError;
    use crate::server::state::{app_state, request_parts, AppState};

    /// The state and the admin making this request (or 401/403/429).
    pub async fn admin() -> Result<(AppState, Context), AppError> {
        let state = app_state()?;
        let parts = request_parts()?;
        let actor = crate::admin::auth::require_admin(&state, &parts).await?;
        let context = Context::of_request(actor, &parts, &state.config);
        Ok((state, context))
    }

    /// The state, the admin, and the change's reason (required, one line).
    pub async fn admin_change(reason: &str) -> Result<(AppState, Context, String), AppError> {
        let (state, context) = admin().await?;
        let reason = crate::admin::input::reason(reason)?;
        Ok((state, context, reason))
    }

    /// A webhook event id as Stripe makes them; anything else names no event (404).
    pub fn event_id(raw: &str) -> Result<String, AppError> {
        let id = raw.trim();
        if id.is_empty() || id.len() > 255 || !id.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(AppError::NotFound);
        }
        Ok(id.to_owned())
    }

    pub fn user_id(raw: &str) -> Result<String, AppError> {
        Ok(crate::ids::parse_id(raw)?.to_owned())
    }
}

/// The admin home: counts, billing events by status, the last reconciliation, health.
#[server(prefix = "/api", endpoint = "admin/overview")]
pub async fn admin_overview() -> Result<Overview, AppError> {
    use super::types::{AdminIdentity, HealthSummary};
    let (state, context) = ssr::admin().await?;
    let now = crate::db::now_ms();
    let day_start = crate::clock::day_start(crate::clock::day_of(now));
    let (users, drafts, segments_today) = super::store::counts(&state.db, day_start).await?;
    let latency = state.db.ping().await.ok();
    let actor = context.actor;
    Ok(Overview {
        me: AdminIdentity {
            kind: actor.kind,
            id: actor.id,
            email: actor.email,
            mechanism: actor.mechanism.to_owned(),
        },
        users,
        drafts,
        segments_today,
        events_by_status: super::store::events_by_status(&state.db).await?,
        last_reconcile: super::store::last_reconcile(&state.db).await?,
        billing_enabled: state.billing.is_some(),
        health: HealthSummary {
            database_up: latency.is_some(),
            backend: state.db.backend().name().to_owned(),
            latency_ms: latency.map(|l| (l.as_secs_f64() * 100_000.0).round() / 100.0),
            failed_jobs: super::store::failed_jobs(&state.db).await?,
        },
    })
}

/// People whose handle or email contains `query`, newest first (everyone when empty).
#[server(prefix = "/api", endpoint = "admin/users")]
pub async fn admin_users(query: Option<String>, page: Option<u32>) -> Result<UserSearch, AppError> {
    let (state, _) = ssr::admin().await?;
    let query = super::input::filter("query", query.as_deref().unwrap_or_default())?;
    super::store::search_users(
        &state.db,
        query.as_deref().unwrap_or_default(),
        page.unwrap_or(0),
    )
    .await
}

/// One person: plan, usage, overrides, grace, live sessions.
#[server(prefix = "/api", endpoint = "admin/user")]
pub async fn admin_user(user_id: String) -> Result<UserDetail, AppError> {
    let (state, _) = ssr::admin().await?;
    let user_id = ssr::user_id(&user_id)?;
    let now = crate::db::now_ms();
    let user = super::store::user(state.db.pool(), &user_id).await?;
    Ok(UserDetail {
        plan: crate::plans::store::my_plan(&state.db, &user_id, now).await?,
        sessions: super::store::live_sessions(&state.db, &user_id, now).await?,
        drafts_owned: super::store::drafts_owned(&state.db, &user_id).await?,
        plans: super::store::plan_choices(&state.db).await?,
        user,
    })
}

/// Moves someone to a plan.
#[server(prefix = "/api", endpoint = "admin/change_plan")]
pub async fn admin_change_plan(
    user_id: String,
    plan: String,
    reason: String,
    idempotency_key: String,
) -> Result<Done, AppError> {
    let (state, context, reason) = ssr::admin_change(&reason).await?;
    let user_id = ssr::user_id(&user_id)?;
    let plan = crate::text::single_line("plan", &plan, 40)?;
    super::service::change_plan(&state, context, user_id, plan, reason, &idempotency_key).await
}

/// Sets someone's own value for one entitlement, until `expires_at` (UTC) or for good.
#[server(prefix = "/api", endpoint = "admin/set_override")]
pub async fn admin_set_override(
    user_id: String,
    entitlement: String,
    value: String,
    expires_at: Option<String>,
    reason: String,
    idempotency_key: String,
) -> Result<Done, AppError> {
    use super::service::OverrideChange;
    let (state, context, reason) = ssr::admin_change(&reason).await?;
    let user_id = ssr::user_id(&user_id)?;
    let entitlement = super::input::entitlement(&entitlement)?;
    let value = super::input::value(entitlement, &value)?;
    let expires_at = super::input::expiry(
        expires_at.as_deref().unwrap_or_default(),
        crate::db::now_ms(),
    )?;
    let change = OverrideChange::Set { value, expires_at };
    super::service::change_override(
        &state,
        context,
        user_id,
        entitlement,
        change,
        reason,
        &idempotency_key,
    )
    .await
}

/// Removes someone's override: their plan decides again.
#[server(prefix = "/api", endpoint = "admin/clear_override")]
pub async fn admin_clear_override(
    user_id: String,
    entitlement: String,
    reason: String,
    idempotency_key: String,
) -> Result<Done, AppError> {
    use super::service::OverrideChange;
    let (state, context, reason) = ssr::admin_change(&reason).await?;
    let user_id = ssr::user_id(&user_id)?;
    let entitlement = super::input::entitlement(&entitlement)?;
    super::service::change_override(
        &state,
        context,
        user_id,
        entitlement,
        OverrideChange::Clear,
        reason,
        &idempotency_key,
    )
    .await
}

/// Gives someone their grace again, for one entitlement (`entitlement`) or all (`all`/none).
#[server(prefix = "/api", endpoint = "admin/reset_grace")]
pub async fn admin_reset_grace(
    user_id: String,
    entitlement: Option<String>,
    reason: String,
    idempotency_key: String,
) -> Result<Done, AppError> {
    let (state, context, reason) = ssr::admin_change(&reason).await?;
    let user_id = ssr::user_id(&user_id)?;
    let entitlement = match entitlement.as_deref().map(str::trim) {
        None | Some("" | "all") => None,
        Some(raw) => Some(super::input::entitlement(raw)?),
    };
    super::service::reset_grace(
        &state,
        context,
        user_id,
        entitlement,
        reason,
        &idempotency_key,
    )
    .await
}

/// Ends every session someone has (they sign in again on each device).
#[server(prefix = "/api", endpoint = "admin/end_sessions")]
pub async fn admin_end_sessions(
    user_id: String,
    reason: String,
    idempotency_key: String,
) -> Result<Done, AppError> {
    let (state, context, reason) = ssr::admin_change(&reason).await?;
    let user_id = ssr::user_id(&user_id)?;
    super::service::end_sessions(&state, context, user_id, reason, &idempotency_key).await
}

/// Stored Stripe events, newest first, filtered by type, status and the day they arrived.
#[server(prefix = "/api", endpoint = "admin/billing_events")]
pub async fn admin_billing_events(
    event_type: Option<String>,
    status: Option<String>,
    from: Option<String>,
    until: Option<String>,
    page: Option<u32>,
) -> Result<EventList, AppError> {
    use super::store::EventFilter;
    let (state, _) = ssr::admin().await?;
    let (from_ms, until_ms) = super::input::date_range(
        from.as_deref().unwrap_or_default(),
        until.as_deref().unwrap_or_default(),
    )?;
    let filter = EventFilter {
        event_type: super::input::filter("event_type", event_type.as_deref().unwrap_or_default())?,
        status: super::input::filter("status", status.as_deref().unwrap_or_default())?,
        from_ms,
        until_ms,
    };
    super::store::events(&state.db, &filter, page.unwrap_or(0)).await
}

/// One stored event with its payload, secrets redacted.
#[server(prefix = "/api", endpoint = "admin/billing_event")]
pub async fn admin_billing_event(event_id: String) -> Result<EventDetail, AppError> {
    let (state, _) = ssr::admin().await?;
    let (row, payload) = super::store::event(&state.db, &ssr::event_id(&event_id)?).await?;
    Ok(EventDetail {
        row,
        payload: super::redact::for_display(&payload),
    })
}

/// Processes a failed or ignored event again, through the webhook's own path.
#[server(prefix = "/api", endpoint = "admin/replay_event")]
pub async fn admin_replay_event(
    event_id: String,
    reason: String,
    idempotency_key: String,
) -> Result<ReplayOutcome, AppError> {
    let (state, context, reason) = ssr::admin_change(&reason).await?;
    let event_id = ssr::event_id(&event_id)?;
    super::service::replay_event(&state, context, event_id, reason, &idempotency_key).await
}

/// Compares every subscription with Stripe's now and fixes what differs.
#[server(prefix = "/api", endpoint = "admin/reconcile")]
pub async fn admin_reconcile(
    reason: String,
    idempotency_key: String,
) -> Result<ReconcileReport, AppError> {
    let (state, context, reason) = ssr::admin_change(&reason).await?;
    super::service::reconcile(&state, context, reason, &idempotency_key).await
}

/// The audit trail, newest first; read-only.
#[server(prefix = "/api", endpoint = "admin/audit")]
pub async fn admin_audit(
    actor: Option<String>,
    action: Option<String>,
    target: Option<String>,
    from: Option<String>,
    until: Option<String>,
    page: Option<u32>,
) -> Result<AuditPage, AppError> {
    use super::audit::Filter;
    let (state, _) = ssr::admin().await?;
    let (from_ms, until_ms) = super::input::date_range(
        from.as_deref().unwrap_or_default(),
        until.as_deref().unwrap_or_default(),
    )?;
    let filter = Filter {
        actor: super::input::filter("actor", actor.as_deref().unwrap_or_default())?,
        action: super::input::filter("action", action.as_deref().unwrap_or_default())?,
        target: super::input::filter("target", target.as_deref().unwrap_or_default())?,
        from_ms,
        until_ms,
    };
    super::audit::list(&state.db, &filter, page.unwrap_or(0)).await
}
