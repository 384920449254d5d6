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
    let shown = match shown.trim() {
        "true" => true,
        "false" => false,
        _ => {
            return Err(AppError::validation(
                "shown",
                "Choose to appear on the boards or not.",
            ))
        }
    };
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
