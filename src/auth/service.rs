//! Sign-up, sign-in, sign-out and session resolution: the rules, independent of HTTP.

use http::request::Parts;

use super::model::{check_new_password, Email, Handle, Me, PublicUser};
use super::{password, session, store};
use crate::db::{now_ms, Tx};
use crate::error::AppError;
use crate::server::state::{client_ip, AppState};

/// Failed sign-ins allowed before an (account key, address) is locked, and how long
/// failures count. Counting per address means a stranger failing someone's password locks
/// only themselves out; the per-address limit on all attempts still holds.
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

/// What starting a session stores; the token itself only ever goes to the cookie.
struct NewSession {
    token_hash: String,
    user_agent: String,
    /// The session the browser already had, if any: signing in ends it.
    replaces: Option<String>,
    now: i64,
    expires_at: i64,
}

impl NewSession {
    /// A new session for the browser behind `parts`, and its cookie.
    fn for_request(state: &AppState, parts: &Parts, now: i64) -> (Self, String) {
        let token = session::new_token();
        let config = &state.config;
        let ttl_ms = config.session_ttl.min(config.session_max_age).as_millis() as i64;
        let cookie = session::session_cookie(&token, ttl_ms / 1000, config.is_https());
        let new = Self {
            token_hash: session::token_hash(&token),
            user_agent: user_agent(parts),
            replaces: session::token_from_headers(&parts.headers).map(|t| session::token_hash(&t)),
            now,
            expires_at: now + ttl_ms,
        };
        (new, cookie)
    }

    async fn store(&self, tx: &mut Tx, user_id: &str) -> Result<(), AppError> {
        if let Some(previous) = &self.replaces {
            store::revoke_session_by_token(tx, previous, self.now).await?;
        }
        store::insert_session(
            tx,
            user_id,
            &self.token_hash,
            &self.user_agent,
            self.now,
            self.expires_at,
        )
        .await?;
        Ok(())
    }
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
    let (session, set_cookie) = NewSession::for_request(state, parts, now);
    let me: Me = state
        .db
        .write_with(move |tx| {
            Box::pin(async move {
                let user = store::insert_user(tx, &handle, &email, &hash, now).await?;
                session.store(tx, &user.id).await?;
                Ok(user.me())
            })
        })
        .await?;
    tracing::info!(user_id = %me.user.id, "account created");
    Ok(SignedIn { me, set_cookie })
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
    if account_key.len() > 320 {
        return Err(AppError::unauthorized(WRONG_LOGIN));
    }
    if password.is_empty() {
        return Err(AppError::validation("password", "Enter your password."));
    }
    let address = client_ip(parts, &state.config).to_string();
    let now = now_ms();
    if let Some(throttle) = store::find_throttle(&state.db, &account_key, &address).await? {
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
            let (session, set_cookie) = NewSession::for_request(state, parts, now);
            let user_id = user.id.clone();
            state
                .db
                .write_with(move |tx| {
                    Box::pin(async move {
                        store::clear_failures(tx, &account_key, &address).await?;
                        session.store(tx, &user_id).await
                    })
                })
                .await?;
            Ok(SignedIn {
                me: user.me(),
                set_cookie,
            })
        }
        _ => {
            state
                .db
                .write_with(move |tx| {
                    Box::pin(async move {
                        store::record_failure(
                            tx,
                            &account_key,
                            &address,
                            now,
                            FORGET_FAILURES_AFTER_MS,
                            lock_after,
                        )
                        .await
                    })
                })
                .await?;
            Err(AppError::unauthorized(WRONG_LOGIN))
        }
    }
}

const WRONG_LOGIN: &str =
    "That handle or email and password don't match. Check them and try again.";

/// Resolves the request's session cookie to a signed-in user, sliding its expiry forward
/// (never past its absolute lifetime) when it was last written more than a few minutes ago.
pub async fn current_session(
    state: &AppState,
    parts: &Parts,
) -> Result<Option<CurrentSession>, AppError> {
    let Some(token) = session::token_from_headers(&parts.headers) else {
        return Ok(None);
    };
    let now = now_ms();
    let max_age_ms = state.config.session_max_age.as_millis() as i64;
    let found = store::find_live_session(
        &state.db,
        &session::token_hash(&token),
        now,
        now - max_age_ms,
    )
    .await?;
    let Some(row) = found else {
        return Ok(None);
    };
    let ttl_ms = state.config.session_ttl.as_millis() as i64;
    let renewed_cookie = if now - row.last_seen_at >= TOUCH_EVERY_MS {
        let expires_at = (now + ttl_ms).min(row.session_created_at + max_age_ms);
        let session_id = row.session_id.clone();
        state
            .db
            .write_with(move |tx| {
                Box::pin(
                    async move { store::touch_session(tx, &session_id, now, expires_at).await },
                )
            })
            .await?;
        Some(session::session_cookie(
            &token,
            (expires_at - now) / 1000,
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

/// The hourly clean-up: ended sessions and forgotten sign-in failures.
pub async fn purge(
    state_db: &crate::db::Db,
    max_age: std::time::Duration,
) -> Result<u64, AppError> {
    let now = now_ms();
    store::purge_ended(
        state_db,
        now,
        now - max_age.as_millis() as i64,
        now - FORGET_FAILURES_AFTER_MS,
    )
    .await
}

/// Revokes one of `user_id`'s sessions; false when there is no such live session.
pub async fn end_session(
    state: &AppState,
    user_id: &str,
    session_id: &str,
) -> Result<bool, AppError> {
    let (user_id, session_id) = (user_id.to_owned(), session_id.to_owned());
    let now = now_ms();
    state
        .db
        .write_with(move |tx| {
            Box::pin(async move { store::revoke_session(tx, &user_id, &session_id, now).await })
        })
        .await
}

/// Revokes the request's session server-side. Signing out twice is fine.
pub async fn sign_out(
    state: &AppState,
    current: Option<CurrentSession>,
) -> Result<String, AppError> {
    if let Some(current) = current {
        end_session(state, &current.user.id, &current.session_id).await?;
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
