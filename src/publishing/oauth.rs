//! Connecting through a network's own sign-in (OAuth 2.0 authorization code with PKCE):
//! Mastodon (an app registered once per instance) and X (OneRing's app from configuration).
//!
//! [`start`] records the authorization in flight (who asked, where, and the PKCE verifier,
//! sealed) under a random `state` and returns the network's page to send the person to. The
//! network sends them back to `GET /api/publishing/oauth/<network>/callback` — a plain route
//! ([`callback`]): the browser arrives from the network, not from a page of ours — which takes
//! the authorization (once, within ten minutes, for the same signed-in person), trades the
//! code for a token, stores the connection, and sends them to `/account/connections`.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::networks::mastodon::Mastodon;
use super::networks::x::X;
use super::store::{self, Pending};
use super::types::Network;
use crate::auth::model::PublicUser;
use crate::error::AppError;
use crate::server::state::AppState;

/// How long an authorization may take.
const PENDING_MS: i64 = 10 * 60 * 1000;

fn redirect_uri(state: &AppState, network: Network) -> String {
    format!(
        "{}/api/publishing/oauth/{}/callback",
        state.config.public_origin,
        network.as_str()
    )
}

fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// PKCE's S256 challenge of `verifier`.
pub fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// An authorization begun: the network's page that asks the person, and the `state` it is
/// kept under.
pub struct Started {
    pub url: String,
    pub state: String,
}

/// Begins an authorization for `user` on `network` (`instance` for Mastodon).
pub async fn start(
    state: &AppState,
    user: &PublicUser,
    network: Network,
    instance: Option<&str>,
) -> Result<Started, AppError> {
    let key = super::service::vault(state)?.clone();
    let config = &state.config.publishing;
    let verifier = random_token();
    let oauth_state = random_token();
    let redirect = redirect_uri(state, network);
    let (server, url) = match network {
        Network::Bluesky => {
            return Err(AppError::validation(
                "network",
                "Bluesky connects with an app password instead.",
            ))
        }
        Network::Mastodon => {
            let instance = config.server("instance", instance.unwrap_or_default())?;
            let app = mastodon_app(state, &key, &instance, &redirect).await?;
            let url = Mastodon::authorize_url(
                &instance,
                &app,
                &redirect,
                &oauth_state,
                &challenge(&verifier),
            )
            .map_err(super::service::connect_error)?;
            (instance, url)
        }
        Network::X => {
            let x = X::new(crate::server::state::outside_client(), config.x.clone());
            let url = x
                .authorize_url(&redirect, &oauth_state, &challenge(&verifier))
                .map_err(super::service::connect_error)?;
            (config.x.api_base.clone(), url)
        }
    };
    let pending = Pending {
        user_id: user.id.clone(),
        network,
        server,
        verifier,
        authorize_url: url.clone(),
        created_at: crate::db::now_ms(),
    };
    let kept = oauth_state.clone();
    state
        .db
        .write_with(move |tx| {
            Box::pin(async move { store::save_pending(tx, &key, &kept, &pending).await })
        })
        .await?;
    Ok(Started {
        url,
        state: oauth_state,
    })
}

/// The network's page for `user`'s authorization `oauth_state`, while it is in flight: the
/// link a page without scripts shows (its form could not redirect off-site under the CSP).
pub async fn page_of(
    state: &AppState,
    user: &PublicUser,
    oauth_state: &str,
) -> Result<String, AppError> {
    let not_before = crate::db::now_ms() - PENDING_MS;
    store::pending_url(&state.db, &user.id, oauth_state, not_before)
        .await?
        .ok_or(AppError::NotFound)
}

/// OneRing's app on `instance`: the one registered before, or a new registration.
async fn mastodon_app(
    state: &AppState,
    key: &super::vault::VaultKey,
    instance: &str,
    redirect: &str,
) -> Result<super::networks::mastodon::App, AppError> {
    if let Some(app) = store::mastodon_app(&state.db, key, instance).await? {
        return Ok(app);
    }
    let app = Mastodon::new(crate::server::state::outside_client())
        .register_app(instance, redirect)
        .await
        .map_err(super::service::connect_error)?;
    let (key, instance_owned, registered) = (key.clone(), instance.to_owned(), app.clone());
    state
        .db
        .write_with(move |tx| {
            Box::pin(async move {
                store::save_mastodon_app(
                    tx,
                    &key,
                    &instance_owned,
                    &registered,
                    crate::db::now_ms(),
                )
                .await
            })
        })
        .await?;
    // Two registrations racing keep the first; use what is stored.
    Ok(store::mastodon_app(&state.db, key_ref(state)?, instance)
        .await?
        .unwrap_or(app))
}

fn key_ref(state: &AppState) -> Result<&super::vault::VaultKey, AppError> {
    super::service::vault(state)
}

#[derive(Debug, serde::Deserialize)]
pub struct Answer {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// Where the network sends the person back. Always ends on `/account/connections`, with
/// `?connected=<network>` or `?failed=<network>`.
pub async fn callback(
    State(state): State<AppState>,
    Path(network): Path<String>,
    Query(answer): Query<Answer>,
    parts: http::request::Parts,
) -> Response {
    let Some(network) = Network::parse(&network) else {
        return http::StatusCode::NOT_FOUND.into_response();
    };
    let back = |ok: bool| {
        let outcome = if ok { "connected" } else { "failed" };
        Redirect::to(&format!(
            "/account/connections?{outcome}={}",
            network.as_str()
        ))
        .into_response()
    };
    match finish(&state, &parts, network, answer).await {
        Ok(()) => back(true),
        Err(reason) => {
            tracing::info!(network = network.as_str(), %reason, "an account connection did not finish");
            back(false)
        }
    }
}

async fn finish(
    state: &AppState,
    parts: &http::request::Parts,
    network: Network,
    answer: Answer,
) -> Result<(), String> {
    if let Some(error) = answer.error {
        return Err(format!(
            "the network said {}",
            crate::text::truncate(&error, 60)
        ));
    }
    let (Some(code), Some(oauth_state)) = (answer.code, answer.state) else {
        return Err("no code".into());
    };
    if code.len() > 2048 || oauth_state.len() > 256 {
        return Err("oversized answer".into());
    }
    let user = crate::auth::service::current_session(state, parts)
        .await
        .map_err(|_| "database error".to_owned())?
        .ok_or_else(|| "signed out".to_owned())?
        .user;
    let key = super::service::vault(state)
        .map_err(|_| "publishing is off".to_owned())?
        .clone();
    let now = crate::db::now_ms();
    let pending = {
        let (key, oauth_state) = (key.clone(), oauth_state.clone());
        state
            .db
            .write_with(move |tx| {
                Box::pin(async move {
                    store::take_pending(tx, &key, &oauth_state, now - PENDING_MS).await
                })
            })
            .await
            .map_err(|_| "database error".to_owned())?
            .ok_or_else(|| "unknown or expired state".to_owned())?
    };
    if pending.user_id != user.id || pending.network != network {
        return Err("the authorization belongs to someone else".into());
    }
    let redirect = redirect_uri(state, network);
    let account = match network {
        Network::Mastodon => {
            let app = store::mastodon_app(&state.db, &key, &pending.server)
                .await
                .map_err(|_| "database error".to_owned())?
                .ok_or_else(|| "no app for that instance".to_owned())?;
            let mastodon = Mastodon::new(crate::server::state::outside_client());
            let token = mastodon
                .exchange(&pending.server, &app, &redirect, &code, &pending.verifier)
                .await
                .map_err(|f| f.message().to_owned())?;
            mastodon
                .verify(
                    &pending.server,
                    &token,
                    Some((app.client_id, app.client_secret)),
                )
                .await
                .map_err(|f| f.message().to_owned())?
        }
        Network::X => X::new(
            crate::server::state::outside_client(),
            state.config.publishing.x.clone(),
        )
        .exchange(&redirect, &code, &pending.verifier)
        .await
        .map_err(|f| f.message().to_owned())?,
        Network::Bluesky => return Err("Bluesky has no authorization flow here".into()),
    };
    super::service::save_account(state, &user, account)
        .await
        .map(|_| ())
        .map_err(|_| "could not store the connection".to_owned())
}

#[cfg(test)]
mod tests {
    use super::challenge;

    #[test]
    fn the_pkce_challenge_is_rfc_7636s() {
        // RFC 7636, appendix B.
        assert_eq!(
            challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
