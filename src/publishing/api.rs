//! Publishing server functions (listed in `docs/API.md`). Every one needs a signed-in person;
//! changes take an idempotency key. With no `PUBLISHING_KEY` the server cannot hold
//! credentials: connecting and publishing answer 503 `publishing_disabled`.

use leptos::prelude::*;

use super::types::{Connections, Publication, Schedule};
use crate::error::AppError;

#[cfg(feature = "ssr")]
mod ssr {
    use crate::error::AppError;

    /// A time typed in the person's own zone (`2027-01-31T18:30`, a `datetime-local` value)
    /// or RFC 3339, as Unix ms; empty is `None` (now).
    pub fn local_time(
        raw: Option<&str>,
        zone: &crate::clock::Zone,
    ) -> Result<Option<i64>, AppError> {
        let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
            return Ok(None);
        };
        let invalid = || AppError::validation("at", "Give a date and time like 2027-01-31T18:30.");
        if let Ok(at) = chrono::DateTime::parse_from_rfc3339(raw) {
            return Ok(Some(at.timestamp_millis()));
        }
        let local =
            chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M").map_err(|_| invalid())?;
        zone.instant(local).map(Some).ok_or_else(invalid)
    }

    /// A future time (or now when absent), no more than a year ahead.
    pub fn when(raw: Option<&str>, zone: &crate::clock::Zone, now: i64) -> Result<i64, AppError> {
        match local_time(raw, zone)? {
            None => Ok(now),
            Some(at) if at < now - 60_000 => Err(AppError::validation(
                "at",
                "That time has passed: choose a time ahead, or publish now.",
            )),
            Some(at) if at > now + 366 * crate::clock::DAY_MS => {
                Err(AppError::validation("at", "Schedule at most a year ahead."))
            }
            Some(at) => Ok(at.max(now)),
        }
    }

    /// `publications` with their times shown in `zone`.
    pub fn in_zone(
        mut publications: Vec<crate::publishing::types::Publication>,
        zone: &crate::clock::Zone,
    ) -> Vec<crate::publishing::types::Publication> {
        for p in &mut publications {
            p.run_at_local = zone.local_text(p.run_at_ms);
            p.run_at_input = zone.local_input(p.run_at_ms);
        }
        publications
    }

    pub fn network(raw: &str) -> Result<crate::publishing::types::Network, AppError> {
        crate::publishing::types::Network::parse(raw)
            .ok_or_else(|| AppError::validation("network", "Choose Bluesky, Mastodon or X."))
    }
}

/// My connected accounts, and what this server can connect.
#[server(prefix = "/api", endpoint = "publishing/connections")]
pub async fn my_connections() -> Result<Connections, AppError> {
    let state = crate::server::state::app_state()?;
    let user = crate::auth::api::require_user().await?.user;
    let config = &state.config.publishing;
    Ok(Connections {
        connections: super::store::connections(&state.db, &user.id).await?,
        enabled: config.key.is_some(),
        x_available: config.key.is_some() && config.x.client_id.is_some(),
        bluesky_server: config.bluesky_server.clone(),
    })
}

/// Connects a Bluesky account with its handle and an app password (Settings → App
/// passwords on Bluesky; never the account's own password).
#[server(prefix = "/api", endpoint = "publishing/connect_bluesky")]
pub async fn connect_bluesky(
    handle: String,
    app_password: String,
    server: Option<String>,
    idempotency_key: String,
) -> Result<String, AppError> {
    use super::networks::bluesky::Bluesky;
    let state = crate::server::state::app_state()?;
    let user = crate::auth::api::require_user().await?.user;
    super::service::vault(&state)?;
    crate::idempotency::check_key(&idempotency_key)?;
    state
        .mutation_limiter
        .check("publishing.connect", &user.id)?;
    let handle = crate::text::single_line("handle", &handle, 253)?;
    let handle = handle.trim_start_matches('@').to_owned();
    if handle.is_empty() {
        return Err(AppError::validation(
            "handle",
            "Give your Bluesky handle, like ada.bsky.social.",
        ));
    }
    let app_password = crate::text::single_line("app_password", &app_password, 100)?;
    if app_password.is_empty() {
        return Err(AppError::validation(
            "app_password",
            "Give an app password made for OneRing.",
        ));
    }
    let config = &state.config.publishing;
    let server = match server.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(raw) => config.server("server", raw)?,
        None => config.bluesky_server.clone(),
    };
    let account = Bluesky::new(crate::server::state::outside_client())
        .sign_in(&server, &handle, &app_password)
        .await
        .map_err(super::service::connect_error)?;
    super::service::save_account(&state, &user, account).await?;
    crate::server::forms::go_to_after_form("/account/connections");
    Ok(format!("Connected @{handle} on Bluesky."))
}

/// Connects a Mastodon account with an access token made on the instance (Preferences →
/// Development), for instances where OneRing's sign-in flow is not wanted.
#[server(prefix = "/api", endpoint = "publishing/connect_mastodon_token")]
pub async fn connect_mastodon_token(
    instance: String,
    token: String,
    idempotency_key: String,
) -> Result<String, AppError> {
    use super::networks::mastodon::Mastodon;
    let state = crate::server::state::app_state()?;
    let user = crate::auth::api::require_user().await?.user;
    super::service::vault(&state)?;
    crate::idempotency::check_key(&idempotency_key)?;
    state
        .mutation_limiter
        .check("publishing.connect", &user.id)?;
    let instance = state.config.publishing.server("instance", &instance)?;
    let token = crate::text::single_line("token", &token, 500)?;
    if token.is_empty() {
        return Err(AppError::validation("token", "Paste the access token."));
    }
    let account = Mastodon::new(crate::server::state::outside_client())
        .verify(&instance, &token, None)
        .await
        .map_err(super::service::connect_error)?;
    let handle = account.handle.clone();
    super::service::save_account(&state, &user, account).await?;
    crate::server::forms::go_to_after_form("/account/connections");
    Ok(format!("Connected @{handle}."))
}

/// Starts connecting through the network's own sign-in (Mastodon, X): the address to send
/// the person to (a form posted without a script is redirected there).
#[server(prefix = "/api", endpoint = "publishing/start_oauth")]
pub async fn start_oauth(
    network: String,
    instance: Option<String>,
    idempotency_key: String,
) -> Result<String, AppError> {
    let state = crate::server::state::app_state()?;
    let user = crate::auth::api::require_user().await?.user;
    crate::idempotency::check_key(&idempotency_key)?;
    state
        .mutation_limiter
        .check("publishing.connect", &user.id)?;
    let network = ssr::network(&network)?;
    let started = super::oauth::start(&state, &user, network, instance.as_deref()).await?;
    // Posted without a script, the form cannot be sent off-site (the CSP's form-action):
    // the connections page shows a link to the network's page instead.
    crate::server::forms::go_to_after_form(&format!(
        "/account/connections?continue={}",
        crate::ui::nav::encode_query_value(&started.state)
    ));
    Ok(started.url)
}

/// The network's sign-in page of an authorization I began (for the link shown when my form
/// was posted without a script).
#[server(prefix = "/api", endpoint = "publishing/oauth_page")]
pub async fn oauth_page(state: String) -> Result<String, AppError> {
    let app = crate::server::state::app_state()?;
    let user = crate::auth::api::require_user().await?.user;
    if state.len() > 100 {
        return Err(AppError::NotFound);
    }
    super::oauth::page_of(&app, &user, &state).await
}

/// Disconnects an account: OneRing forgets its credentials (and withdraws them where the
/// network allows). Scheduled threads on it fail with a note to connect again.
#[server(prefix = "/api", endpoint = "publishing/disconnect")]
pub async fn disconnect(connection_id: String, idempotency_key: String) -> Result<(), AppError> {
    let state = crate::server::state::app_state()?;
    let user = crate::auth::api::require_user().await?.user;
    let connection_id = crate::ids::parse_id(&connection_id)?.to_owned();
    let key = super::service::vault(&state)?.clone();
    // Withdrawn at the network first (best effort), then forgotten here.
    if let Ok((_, account)) =
        super::store::account(state.db.pool(), &key, &user.id, &connection_id).await
    {
        super::networks::client_for(account.network, &state.config.publishing.x)
            .revoke(&account)
            .await;
    }
    crate::idempotency::mutate(
        "publishing.disconnect",
        &idempotency_key,
        crate::idempotency::fingerprint(&[&connection_id]),
        move |tx, user| {
            Box::pin(async move {
                super::store::delete_connection(tx, &user.id, &connection_id).await?;
                Ok(())
            })
        },
    )
    .await
}

/// Publishes a draft (its owner, with their own connection): now, or at `at` in the
/// person's time zone. `reflow` (`true`) splits segments too long for the network, each on
/// its own; without it such segments are a 422 that names them.
#[server(prefix = "/api", endpoint = "publishing/publish")]
pub async fn publish(
    draft_id: String,
    connection_id: String,
    at: Option<String>,
    reflow: Option<String>,
    idempotency_key: String,
) -> Result<Publication, AppError> {
    let state = crate::server::state::app_state()?;
    let user = crate::auth::api::require_user().await?.user;
    super::service::vault(&state)?;
    let draft_id = crate::ids::parse_id(&draft_id)?.to_owned();
    let connection_id = crate::ids::parse_field_id("connection_id", &connection_id)?.to_owned();
    let reflow = crate::text::flag("reflow", reflow.as_deref().unwrap_or("false"))?;
    let zone = crate::settings::store::zone_of(&state.db, &user.id).await?;
    let now = crate::db::now_ms();
    let run_at = ssr::when(at.as_deref(), &zone, now)?;
    let fingerprint = crate::idempotency::fingerprint(&[
        &draft_id,
        &connection_id,
        at.as_deref().unwrap_or(""),
        if reflow { "reflow" } else { "" },
    ]);
    let target = draft_id.clone();
    let id: String = crate::idempotency::mutate(
        "publishing.publish",
        &idempotency_key,
        fingerprint,
        move |tx, user| {
            Box::pin(async move {
                super::service::publish(tx, &user, &target, &connection_id, run_at, reflow, now)
                    .await
            })
        },
    )
    .await?;
    crate::server::forms::go_to_after_form(&crate::ui::nav::draft_path(&draft_id));
    let publication = super::service::view(&state, &user, &id).await?;
    ssr::in_zone(vec![publication], &zone)
        .pop()
        .ok_or(AppError::Internal)
}

/// Moves a scheduled publication that has not started to `at` (the person's time zone).
#[server(prefix = "/api", endpoint = "publishing/reschedule")]
pub async fn reschedule(
    publication_id: String,
    at: String,
    idempotency_key: String,
) -> Result<(), AppError> {
    let state = crate::server::state::app_state()?;
    let user = crate::auth::api::require_user().await?.user;
    let id = crate::ids::parse_id(&publication_id)?.to_owned();
    let zone = crate::settings::store::zone_of(&state.db, &user.id).await?;
    let now = crate::db::now_ms();
    if at.trim().is_empty() {
        return Err(AppError::validation("at", "Choose the new date and time."));
    }
    let run_at = ssr::when(Some(&at), &zone, now)?;
    crate::idempotency::mutate(
        "publishing.reschedule",
        &idempotency_key,
        crate::idempotency::fingerprint(&[&id, &at]),
        move |tx, user| {
            Box::pin(async move { super::service::reschedule(tx, &user, &id, run_at, now).await })
        },
    )
    .await?;
    crate::server::forms::go_to_after_form("/scheduled");
    Ok(())
}

/// Cancels a scheduled publication that has not started.
#[server(prefix = "/api", endpoint = "publishing/cancel")]
pub async fn cancel(publication_id: String, idempotency_key: String) -> Result<(), AppError> {
    let id = crate::ids::parse_id(&publication_id)?.to_owned();
    crate::idempotency::mutate(
        "publishing.cancel",
        &idempotency_key,
        crate::idempotency::fingerprint(&[&id]),
        move |tx, user| {
            Box::pin(
                async move { super::service::cancel(tx, &user, &id, crate::db::now_ms()).await },
            )
        },
    )
    .await
}

/// Tries a failed publication again, from its first post not yet posted.
#[server(prefix = "/api", endpoint = "publishing/retry")]
pub async fn retry(publication_id: String, idempotency_key: String) -> Result<(), AppError> {
    let id = crate::ids::parse_id(&publication_id)?.to_owned();
    crate::idempotency::mutate(
        "publishing.retry",
        &idempotency_key,
        crate::idempotency::fingerprint(&[&id]),
        move |tx, user| {
            Box::pin(
                async move { super::service::retry(tx, &user, &id, crate::db::now_ms()).await },
            )
        },
    )
    .await
}

/// A draft's publications, newest first (its owner only; anyone else 404).
#[server(prefix = "/api", endpoint = "publishing/for_draft")]
pub async fn draft_publications(draft_id: String) -> Result<Vec<Publication>, AppError> {
    let state = crate::server::state::app_state()?;
    let user = crate::auth::api::require_user().await?.user;
    let draft_id = crate::ids::parse_id(&draft_id)?;
    let owner: Option<String> = sqlx::query_scalar("SELECT owner_id FROM drafts WHERE id = $1")
        .bind(draft_id)
        .fetch_optional(state.db.pool())
        .await?;
    if owner.as_deref() != Some(user.id.as_str()) {
        return Err(AppError::NotFound);
    }
    let zone = crate::settings::store::zone_of(&state.db, &user.id).await?;
    Ok(ssr::in_zone(
        super::store::for_draft(&state.db, draft_id).await?,
        &zone,
    ))
}

/// What is scheduled and what failed, for `/scheduled`.
#[server(prefix = "/api", endpoint = "publishing/scheduled")]
pub async fn scheduled() -> Result<Schedule, AppError> {
    let state = crate::server::state::app_state()?;
    let user = crate::auth::api::require_user().await?.user;
    let zone = crate::settings::store::zone_of(&state.db, &user.id).await?;
    Ok(Schedule {
        upcoming: ssr::in_zone(super::store::upcoming(&state.db, &user.id).await?, &zone),
        failed: ssr::in_zone(super::store::failed(&state.db, &user.id).await?, &zone),
        time_zone: zone.name().to_owned(),
    })
}
