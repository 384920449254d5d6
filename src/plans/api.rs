//! Plan server functions (listed in `docs/API.md`). Plans change only through billing and
//! admin (and the `onering plans set` command), never from the browser.

use leptos::prelude::*;

use super::types::{MyPlan, Pricing};
use crate::error::AppError;

/// Every plan and what it includes; the visitor's own when signed in. Works signed out.
#[server(prefix = "/api", endpoint = "plans/list")]
pub async fn get_pricing() -> Result<Pricing, AppError> {
    let state = crate::server::state::app_state()?;
    let user = crate::auth::api::current().await?.map(|c| c.user);
    let plans = super::store::plans(state.db.pool()).await?;
    let current = match &user {
        Some(user) => Some(
            super::store::my_plan(&state.db, &user.id, crate::db::now_ms())
                .await?
                .plan
                .id,
        ),
        None => None,
    };
    Ok(Pricing {
        plans,
        current,
        upgrades_available: state.billing.is_some(),
    })
}

/// My plan, what I use of it, grace, overrides in force and the plan's history, at `now`.
#[server(prefix = "/api", endpoint = "plans/mine")]
pub async fn get_my_plan(now: Option<String>) -> Result<MyPlan, AppError> {
    let state = crate::server::state::app_state()?;
    let user = crate::auth::api::require_user().await?.user;
    let now = crate::clock::parse_now(now.as_deref())?;
    super::store::my_plan(&state.db, &user.id, now).await
}
