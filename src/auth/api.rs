//! Account server functions. Endpoints are listed in `docs/API.md`.

use leptos::prelude::*;

use super::model::{Me, SessionSummary};
use crate::error::AppError;

#[cfg(feature = "ssr")]
mod ssr {
    use http::header::SET_COOKIE;
    use http::HeaderValue;
    use leptos::prelude::use_context;
    use leptos_axum::ResponseOptions;

    use crate::auth::service::{self, CurrentSession};
    use crate::error::AppError;
    use crate::server::state::{app_state, request_parts};

    pub fn set_cookie(value: &str) -> Result<(), AppError> {
        let options = use_context::<ResponseOptions>().ok_or(AppError::Internal)?;
        let value = HeaderValue::from_str(value).map_err(|_| AppError::Internal)?;
        options.append_header(SET_COOKIE, value);
        Ok(())
    }

    /// The request's signed-in user, looked up once however many of a page's parts ask
    /// (every server function a page renders with shares its request's context).
    #[derive(Clone, Default)]
    pub struct RequestSession(std::sync::Arc<tokio::sync::OnceCell<Option<CurrentSession>>>);

    /// The signed-in user, if any; renews the cookie when the session slid forward.
    pub async fn current() -> Result<Option<CurrentSession>, AppError> {
        let cache = use_context::<RequestSession>().unwrap_or_default();
        let found = cache
            .0
            .get_or_try_init(|| async {
                let state = app_state()?;
                let parts = request_parts()?;
                let current = service::current_session(&state, &parts).await?;
                if let Some(cookie) = current.as_ref().and_then(|c| c.renewed_cookie.as_deref()) {
                    set_cookie(cookie)?;
                }
                Ok::<_, AppError>(current)
            })
            .await?;
        Ok(found.clone())
    }

    /// The signed-in user, or `Unauthorized`.
    pub async fn require_user() -> Result<CurrentSession, AppError> {
        current().await?.ok_or_else(AppError::sign_in_required)
    }
}

#[cfg(feature = "ssr")]
pub use ssr::{current, require_user, set_cookie, RequestSession};

/// Creates an account and signs it in.
#[server(prefix = "/api", endpoint = "auth/sign_up")]
pub async fn sign_up(handle: String, email: String, password: String) -> Result<Me, AppError> {
    let state = crate::server::state::app_state()?;
    let parts = crate::server::state::request_parts()?;
    let signed_in = super::service::sign_up(&state, &parts, &handle, &email, password).await?;
    set_cookie(&signed_in.set_cookie)?;
    Ok(signed_in.me)
}

/// Signs in with a handle or email and a password; a new session token every time.
#[server(prefix = "/api", endpoint = "auth/sign_in")]
pub async fn sign_in(login: String, password: String) -> Result<Me, AppError> {
    let state = crate::server::state::app_state()?;
    let parts = crate::server::state::request_parts()?;
    let signed_in = super::service::sign_in(&state, &parts, &login, password).await?;
    set_cookie(&signed_in.set_cookie)?;
    Ok(signed_in.me)
}

/// Ends the current session on the server and clears the cookie.
#[server(prefix = "/api", endpoint = "auth/sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    let state = crate::server::state::app_state()?;
    let current = ssr::current().await?;
    let cookie = super::service::sign_out(&state, current).await?;
    crate::server::forms::go_to_after_form("/");
    set_cookie(&cookie)
}

/// The signed-in user (with their own email), or `None` when signed out.
#[server(prefix = "/api", endpoint = "auth/me")]
pub async fn current_account() -> Result<Option<Me>, AppError> {
    Ok(ssr::current().await?.map(|c| c.me))
}

/// The signed-in user's active sessions, most recently seen first.
#[server(prefix = "/api", endpoint = "auth/sessions")]
pub async fn list_sessions() -> Result<Vec<SessionSummary>, AppError> {
    let state = crate::server::state::app_state()?;
    let current = ssr::require_user().await?;
    super::store::list_live_sessions(
        &state.db,
        &current.user.id,
        &current.session_id,
        crate::db::now_ms(),
    )
    .await
}

/// Ends one of the signed-in user's sessions (signing that device out).
#[server(prefix = "/api", endpoint = "auth/end_session")]
pub async fn end_session(session_id: String) -> Result<(), AppError> {
    let state = crate::server::state::app_state()?;
    let current = ssr::require_user().await?;
    let session_id = crate::ids::parse_id(&session_id)?.to_owned();
    let ended = super::service::end_session(&state, &current.user.id, &session_id).await?;
    if !ended {
        return Err(AppError::NotFound);
    }
    if session_id == current.session_id {
        set_cookie(&crate::auth::session::clearing_cookie(
            state.config.is_https(),
        ))?;
    }
    Ok(())
}
