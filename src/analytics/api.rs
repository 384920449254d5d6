//! Analytics server functions (listed in `docs/API.md`). Each takes an optional `now`
//! (ISO 8601 or Unix milliseconds; default the clock): the same data and the same `now`
//! give the same JSON, byte for byte.

use leptos::prelude::*;

use super::types::{DraftInsights, Leaderboards, MyInsights};
use crate::error::AppError;

#[cfg(feature = "ssr")]
fn reduced<T>(value: Result<T, super::reduce::ReduceError>) -> Result<T, AppError> {
    value.map_err(|err| {
        tracing::error!(error = %err, "analytics could not be reduced");
        AppError::Internal
    })
}

/// A draft's insights: members only (strangers get `not_found`).
#[server(prefix = "/api", endpoint = "analytics/draft")]
pub async fn get_draft_insights(
    draft_id: String,
    now: Option<String>,
) -> Result<DraftInsights, AppError> {
    let state = crate::server::state::app_state()?;
    let user = crate::auth::api::require_user().await?.user;
    let draft_id = crate::ids::parse_id(&draft_id)?;
    let now = crate::clock::parse_now(now.as_deref())?;
    crate::drafts::store::role_of(state.db.pool(), draft_id, &user.id).await?;
    let facts = super::store::draft_facts(&state.db, draft_id).await?;
    let mut insights = reduced(super::reduce::draft_insights(&facts, now))?;
    use crate::plans::types::Entitlement::AnalyticsEnabled;
    if !crate::plans::store::has_feature(&state.db, &facts.owner_id, AnalyticsEnabled, now).await? {
        let note = crate::plans::store::exceeded(AnalyticsEnabled, 0, 0, "this draft's plan", true);
        insights.basic_only(note.to_string());
    }
    Ok(insights)
}

/// My own numbers for the last 7 and 30 days, and my segments per day.
#[server(prefix = "/api", endpoint = "analytics/mine")]
pub async fn get_my_insights(now: Option<String>) -> Result<MyInsights, AppError> {
    let state = crate::server::state::app_state()?;
    let user = crate::auth::api::require_user().await?.user;
    let now = crate::clock::parse_now(now.as_deref())?;
    let first = super::reduce::window_start(now, super::reduce::CHART_DAYS);
    let (mine, drafts, others) = super::store::my_facts(&state.db, &user.id, first).await?;
    let me = super::types::Person {
        handle: user.handle.clone(),
        display_id: user.display_id.clone(),
    };
    Ok(super::reduce::my_insights(
        &mine, &drafts, &others, &me, now,
    ))
}

/// The community's boards (collaboration and consistency for 7 and 30 days, momentum for
/// 30), with my own place on my own page only.
#[server(prefix = "/api", endpoint = "analytics/leaderboards")]
pub async fn get_leaderboards(now: Option<String>) -> Result<Leaderboards, AppError> {
    let state = crate::server::state::app_state()?;
    let user = crate::auth::api::require_user().await?.user;
    let now = crate::clock::parse_now(now.as_deref())?;
    let (boards, i_am_shown) =
        super::boards::leaderboards(&state.boards, &state.db, now, crate::db::now_ms(), &user.id)
            .await?;
    Ok(Leaderboards {
        boards,
        i_am_shown,
        generated_at: crate::clock::rfc3339(now),
    })
}
