//! Settings server functions (listed in `docs/API.md`).

use leptos::prelude::*;

use super::types::Settings;
use crate::error::AppError;

/// My settings.
#[server(prefix = "/api", endpoint = "settings/get")]
pub async fn my_settings() -> Result<Settings, AppError> {
    let state = crate::server::state::app_state()?;
    let user = crate::auth::api::require_user().await?.user;
    super::store::settings(&state.db, &user.id).await
}

/// Appear on the leaderboards or leave them; effective on the next board anyone loads.
#[server(prefix = "/api", endpoint = "settings/leaderboards")]
pub async fn set_leaderboards(
    shown: String,
    idempotency_key: String,
) -> Result<Settings, AppError> {
    let shown = crate::text::flag("shown", &shown)?;
    crate::idempotency::mutate(
        "settings.leaderboards",
        &idempotency_key,
        crate::idempotency::fingerprint(&[if shown { "true" } else { "false" }]),
        move |tx, user| {
            Box::pin(async move {
                super::store::set_leaderboards(tx, &user.id, shown, crate::db::now_ms()).await
            })
        },
    )
    .await
}

/// My time zone (an IANA name such as `Europe/Berlin`): my days, streak and daily
/// challenge follow it from the next page I load.
#[server(prefix = "/api", endpoint = "settings/time_zone")]
pub async fn set_time_zone(
    time_zone: String,
    idempotency_key: String,
) -> Result<Settings, AppError> {
    let zone = crate::clock::Zone::parse(&time_zone)?;
    crate::idempotency::mutate(
        "settings.time_zone",
        &idempotency_key,
        crate::idempotency::fingerprint(&[zone.name()]),
        move |tx, user| {
            Box::pin(async move {
                super::store::set_time_zone(tx, &user.id, zone, crate::db::now_ms()).await
            })
        },
    )
    .await
}

/// Hide my profile page (it then answers like an unknown handle) or show it again.
#[server(prefix = "/api", endpoint = "settings/profile")]
pub async fn set_profile_private(
    private: String,
    idempotency_key: String,
) -> Result<Settings, AppError> {
    let private = crate::text::flag("private", &private)?;
    crate::idempotency::mutate(
        "settings.profile",
        &idempotency_key,
        crate::idempotency::fingerprint(&[if private { "true" } else { "false" }]),
        move |tx, user| {
            Box::pin(async move {
                super::store::set_profile_private(tx, &user.id, private, crate::db::now_ms()).await
            })
        },
    )
    .await
}
