//! Sign-up, sign-in, sign-out and session resolution: the rules, independent of HTTP.

use http::request::Parts;

use super::model::{check_new_password, Email, Handle, Me, PublicUser};
use super::{password, session, store};
use crate::db::now_ms;
use crate::error::AppError;
use crate::server::state::{client_ip, AppState};

/// Failed sign-ins allowed before an account key is locked, and how long failures count.
const FREE_FAILURES: i64 = 5;
const FORGET_FAILURES_AFTER_MS: i64 = 60 * 60 * 1000;
const MAX_LOCK_MS: i64 = 15 * 60 * 1000;
/// A seen session is written back at most this often (sliding renewal without a write per
/// request).
const TOUCH_EVERY_MS: i64 = 5 * 60 * 1000;
const MAX_USER_AGENT: usize = 300;

/// How long an account key is locked after `failures` consecutive failures: nothing for the
/// first five, then 30 s doubling each time, at most 15 minutes.
pub fn lock_after(failures: i64) -> i64 {
    if failures < FREE_FAILURES {
        return 0;
    }
    let doublings = (failures - FREE_FAILURES).min(10) as u32;
    (30_000_i64 << doublings).min(MAX_LOCK_MS)
}

/// The signed-in user behind a request.
#[derive(Debug, Clone)]
pub struct CurrentSession {
    pub session_id: String,
    pub user: PublicUser,
    pub me: Me,
    /// A renewed cookie to send, when the session's expiry slid forward.
    pub renewed_cookie: Option<String>,
}

/// Outcome of a sign-up or sign-in: the user and the cookie that carries the new session.
#[derive(Debug)]
pub struct SignedIn {
    pub me: Me,
    pub set_cookie: String,
}

fn user_agent(parts: &Parts) -> String {
    let agent = parts
        .headers
        .get(http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    agent.chars().take(MAX_USER_AGENT).collect()
}

fn check_ip_limit(state: &AppState, parts: &Parts) -> Result<(), AppError> {
    let ip = client_ip(parts, &state.config);
    state
        .auth_ip_limiter
        .check(&ip)
        .map_err(|retry_after_s| AppError::RateLimited { retry_after_s })
}

async fn start_session(
    state: &AppState,
    parts: &Parts,
    user: &store::UserRow,
    now: i64,
) -> Result<String, AppError> {
    let token = session::new_token();
    let ttl_ms = state.config.session_ttl.as_millis() as i64;
    store::insert_session(
        &state.db,
        &user.id,
        &session::token_hash(&token),
        &user_agent(parts),
        now,
        now + ttl_ms,
    )
    .await?;
    Ok(session::session_cookie(
        &token,
        ttl_ms / 1000,
        state.config.is_https(),
    ))
}

pub async fn sign_up(
    state: &AppState,
    parts: &Parts,
    handle: &str,
    email: &str,
    password: String,
) -> Result<SignedIn, AppError> {
    check_ip_limit(state, parts)?;
    let handle = Handle::parse(handle)?;
    let email = Email::parse(email)?;
    check_new_password(&password, handle.as_str(), email.as_str())?;
    let hash = password::hash(password).await?;
    let now = now_ms();
    let user = store::insert_user(&state.db, &handle, &email, &hash, now).await?;
    let set_cookie = start_session(state, parts, &user, now).await?;
    tracing::info!(user_id = %user.id, "account created");
    Ok(SignedIn {
        me: user.me(),
        set_cookie,
    })
}

pub async fn sign_in(
    state: &AppState,
    parts: &Parts,
    login: &str,
    password: String,
) -> Result<SignedIn, AppError> {
    check_ip_limit(state, parts)?;
    let account_key = login.trim().trim_start_matches('@').to_lowercase();
    if account_key.is_empty() {
        return Err(AppError::validation("login", "Enter your handle or email."));
    }
    if password.is_empty() {
        return Err(AppError::validation("password", "Enter your password."));
    }
    let now = now_ms();
    if let Some(throttle) = store::find_throttle(&state.db, &account_key).await? {
        if throttle.locked_until > now {
            let retry_after_s = ((throttle.locked_until - now) as u64).div_ceil(1000);
            return Err(AppError::RateLimited { retry_after_s });
        }
    }
    let user = store::find_user_by_login(&state.db, &account_key).await?;
    // An unknown account is verified against a dummy hash: same answer, same time.
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let matched = password::verify(password, stored).await?;
    match user {
        Some(user) if matched => {
            store::clear_throttle(&state.db, &account_key).await?;
            let set_cookie = start_session(state, parts, &user, now).await?;
            Ok(SignedIn {
                me: user.me(),
                set_cookie,
            })
        }
        _ => {
            store::record_failure(
                &state.db,
                &account_key,
                now,
                FORGET_FAILURES_AFTER_MS,
                lock_after,
            )
            .await?;
            Err(AppError::unauthorized(
                "That handle or email and password don't match. Check them and try again.",
            ))
        }
    }
}

/// Resolves the request's session cookie to a signed-in user, sliding its expiry forward
/// when it was last written more than a few minutes ago.
pub async fn current_session(
    state: &AppState,
    parts: &Parts,
) -> Result<Option<CurrentSession>, AppError> {
    let Some(token) = session::token_from_headers(&parts.headers) else {
        return Ok(None);
    };
    let now = now_ms();
    let Some(row) = store::find_live_session(&state.db, &session::token_hash(&token), now).await?
    else {
        return Ok(None);
    };
    let ttl_ms = state.config.session_ttl.as_millis() as i64;
    let renewed_cookie = if now - row.last_seen_at >= TOUCH_EVERY_MS {
        store::touch_session(&state.db, &row.session_id, now, now + ttl_ms).await?;
        Some(session::session_cookie(
            &token,
            ttl_ms / 1000,
            state.config.is_https(),
        ))
    } else {
        None
    };
    Ok(Some(CurrentSession {
        session_id: row.session_id,
        user: row.user.public(),
        me: row.user.me(),
        renewed_cookie,
    }))
}

/// Revokes the request's session server-side. Signing out twice is fine.
pub async fn sign_out(
    state: &AppState,
    current: Option<CurrentSession>,
) -> Result<String, AppError> {
    if let Some(current) = current {
        store::revoke_session(&state.db, &current.user.id, &current.session_id, now_ms()).await?;
    }
    Ok(session::clearing_cookie(state.config.is_https()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_grows_after_five_failures_and_is_capped() {
        assert_eq!(lock_after(1), 0);
        assert_eq!(lock_after(4), 0);
        assert_eq!(lock_after(5), 30_000);
        assert_eq!(lock_after(6), 60_000);
        assert_eq!(lock_after(7), 120_000);
        assert_eq!(lock_after(12), MAX_LOCK_MS);
        assert_eq!(lock_after(1_000), MAX_LOCK_MS);
    }
}
