//! Who is an admin: [`require_admin`] is the one gate every admin function passes, and the
//! [`AdminActor`] it yields is what the audit trail records.
//!
//! Three ways in (see `config.rs` for which are on):
//! 1. an identity-provider JWT, from `Authorization: Bearer` or the provider's `__session`
//!    cookie (`jwt.rs` says what it must be);
//! 2. a OneRing session whose account holds the admin role (granted and revoked only with
//!    `onering admin grant|revoke`);
//! 3. the legacy shared key in `X-Admin-Key`, compared as a SHA-256 digest in constant time
//!    (never in production).
//!
//! No credential at all is 401; a credential that proves someone who is not an admin is 403;
//! a credential that proves nothing (bad token, wrong key) is 401. The answers are the same
//! whichever check failed. Failures count per client address, and an address that keeps
//! failing is refused (429) before its credentials are even looked at.

use std::net::IpAddr;

use http::request::Parts;
use sha2::{Digest, Sha256};

use super::config::AdminConfig;
use super::jwt::{Verdict, Verifier};
use super::types::ActorKind;
use crate::error::AppError;
use crate::server::rate_limit::RateLimiter;
use crate::server::state::{client_ip, AppState};

/// The identity provider's session cookie (Clerk's name for it).
pub const PROVIDER_COOKIE: &str = "__session";
pub const LEGACY_KEY_HEADER: &str = "x-admin-key";

/// An admin, as the audit trail records them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminActor {
    pub kind: ActorKind,
    /// The provider's subject, the account's id, a short digest of the legacy key, or `cli`.
    pub id: String,
    /// The admin's email where the provider (or the account) gave one.
    pub email: Option<String>,
    /// How the credential arrived: `bearer`, `provider_cookie`, `session`, `x-admin-key`,
    /// `command_line`.
    pub mechanism: &'static str,
}

impl AdminActor {
    /// The actor running a maintenance command on the server itself.
    pub fn cli() -> Self {
        Self {
            kind: ActorKind::Cli,
            id: "cli".to_owned(),
            email: None,
            mechanism: "command_line",
        }
    }

    /// The key idempotency records and budgets are kept under: one per admin identity.
    pub fn key(&self) -> String {
        format!("admin:{}:{}", self.kind.as_str(), self.id)
    }
}

/// The gate's state on each server: the provider's verifier (when configured) and the
/// failures per address.
#[derive(Debug)]
pub struct AdminGate {
    pub failures: RateLimiter<IpAddr>,
    verifier: Option<Verifier>,
}

impl AdminGate {
    pub fn new(config: &AdminConfig, client: reqwest::Client) -> Self {
        Self {
            failures: RateLimiter::per_minute(config.failures_per_minute),
            verifier: config.jwt.clone().map(|jwt| Verifier::new(jwt, client)),
        }
    }

    async fn verify_jwt(&self, token: &str) -> Verdict {
        match &self.verifier {
            Some(verifier) => verifier.verify(token, std::time::Instant::now()).await,
            None => Verdict::Invalid("no identity provider configured"),
        }
    }
}

/// The request's admin, or 401/403/429.
pub async fn require_admin(state: &AppState, parts: &Parts) -> Result<AdminActor, AppError> {
    let address = client_ip(parts, &state.config);
    if state.admin.failures.is_limited(&address) {
        return Err(too_many(state, &address));
    }
    let outcome = identify(state, parts).await;
    match outcome {
        Ok(actor) => Ok(actor),
        Err(refusal) => {
            // Every refusal costs the address one attempt; the answer never says which
            // check failed.
            let _ = state.admin.failures.check(&address);
            tracing::warn!(reason = refusal.reason, "refused an admin request");
            Err(refusal.error)
        }
    }
}

fn too_many(state: &AppState, address: &IpAddr) -> AppError {
    let retry_after_s = state.admin.failures.retry_after(address).unwrap_or(60);
    AppError::RateLimited { retry_after_s }
}

struct Refusal {
    error: AppError,
    reason: &'static str,
}

fn unauthorized(reason: &'static str) -> Refusal {
    Refusal {
        error: AppError::unauthorized("Admin pages need an admin sign-in."),
        reason,
    }
}

fn forbidden(reason: &'static str) -> Refusal {
    Refusal {
        error: AppError::Forbidden,
        reason,
    }
}

async fn identify(state: &AppState, parts: &Parts) -> Result<AdminActor, Refusal> {
    let config = &state.config.admin;
    let mut proved_someone = false;
    if let Some((token, mechanism)) = provider_token(parts).filter(|_| config.accepts_jwt()) {
        match state.admin.verify_jwt(&token).await {
            Verdict::Admin { subject, email } => {
                return Ok(AdminActor {
                    kind: ActorKind::Jwt,
                    id: subject,
                    email,
                    mechanism,
                })
            }
            Verdict::NotAdmin => proved_someone = true,
            Verdict::Invalid(reason) => tracing::info!(reason, "an admin token was refused"),
        }
    }
    if let Some(key) = header(parts, LEGACY_KEY_HEADER) {
        if let Some(actor) = legacy_key(config, &key) {
            return Ok(actor);
        }
    }
    match crate::auth::service::current_session(state, parts).await {
        Ok(Some(session)) => {
            if super::store::is_admin_account(&state.db, &session.user.id)
                .await
                .map_err(|_| Refusal {
                    error: AppError::Internal,
                    reason: "database",
                })?
            {
                let email = crate::auth::store::email_of(&state.db, &session.user.id)
                    .await
                    .ok();
                return Ok(AdminActor {
                    kind: ActorKind::Account,
                    id: session.user.id,
                    email,
                    mechanism: "session",
                });
            }
            proved_someone = true;
        }
        Ok(None) => {}
        Err(_) => {
            return Err(Refusal {
                error: AppError::Internal,
                reason: "database",
            })
        }
    }
    if proved_someone {
        Err(forbidden("not an admin"))
    } else {
        Err(unauthorized("no valid admin credential"))
    }
}

/// The provider's token: `Authorization: Bearer …`, else its session cookie.
fn provider_token(parts: &Parts) -> Option<(String, &'static str)> {
    if let Some(bearer) = header(parts, http::header::AUTHORIZATION.as_str())
        .and_then(|v| v.strip_prefix("Bearer ").map(str::trim).map(str::to_owned))
        .filter(|t| !t.is_empty())
    {
        return Some((bearer, "bearer"));
    }
    crate::auth::session::cookie_from_headers(&parts.headers, PROVIDER_COOKIE)
        .map(|token| (token, "provider_cookie"))
}

fn header(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The legacy key's actor, if `key` is the configured one and the key is accepted here.
fn legacy_key(config: &AdminConfig, key: &str) -> Option<AdminActor> {
    let digest: [u8; 32] = Sha256::digest(key.trim().as_bytes()).into();
    let expected = config.legacy_key_sha256?;
    if !constant_time_eq(&digest, &expected) {
        return None;
    }
    if let Some(why) = config.legacy_key_refusal() {
        tracing::warn!("refused X-Admin-Key: {why}");
        return None;
    }
    Some(AdminActor {
        kind: ActorKind::LegacyKey,
        id: format!("key:{}", &hex::encode(digest)[..12]),
        email: None,
        mechanism: "x-admin-key",
    })
}

/// Equality that takes the same time wherever the first difference is.
fn constant_time_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::admin::config::{AuthMode, Environment};

    fn with_key(mode: AuthMode, environment: Environment) -> AdminConfig {
        AdminConfig {
            mode,
            environment,
            jwt: None,
            legacy_key_sha256: Some(Sha256::digest(b"open sesame").into()),
            failures_per_minute: 20,
        }
    }

    #[test]
    fn the_legacy_key_works_only_where_allowed() {
        let dev = with_key(AuthMode::Hybrid, Environment::Dev);
        let actor = legacy_key(&dev, "open sesame");
        assert_eq!(actor.as_ref().map(|a| a.kind), Some(ActorKind::LegacyKey));
        assert!(actor.is_some_and(|a| !a.id.contains("open")));
        assert!(legacy_key(&dev, "open sesame!").is_none());
        assert!(legacy_key(&dev, "").is_none());
        assert!(legacy_key(
            &with_key(AuthMode::Legacy, Environment::Test),
            "open sesame"
        )
        .is_some());
        assert!(legacy_key(
            &with_key(AuthMode::Hybrid, Environment::Prod),
            "open sesame"
        )
        .is_none());
        assert!(legacy_key(&with_key(AuthMode::Jwt, Environment::Dev), "open sesame").is_none());
        assert!(legacy_key(&AdminConfig::default(), "open sesame").is_none());
    }

    #[test]
    fn digests_compare_whole() {
        let a = [7u8; 32];
        let mut b = a;
        assert!(constant_time_eq(&a, &b));
        b[31] = 8;
        assert!(!constant_time_eq(&a, &b));
    }

    #[test]
    fn bearer_comes_before_the_cookie() {
        let (parts, ()) = http::Request::builder()
            .header("authorization", "Bearer abc.def.ghi")
            .header("cookie", "__session=jkl.mno.pqr")
            .body(())
            .unwrap_or_default()
            .into_parts();
        assert_eq!(
            provider_token(&parts),
            Some(("abc.def.ghi".to_owned(), "bearer"))
        );
        let (parts, ()) = http::Request::builder()
            .header("cookie", "__session=jkl.mno.pqr")
            .body(())
            .unwrap_or_default()
            .into_parts();
        assert_eq!(
            provider_token(&parts),
            Some(("jkl.mno.pqr".to_owned(), "provider_cookie"))
        );
    }
}
