//! Identity-provider tokens (Clerk-style session JWTs) for admins.
//!
//! What a token must be, all of it checked here and nothing else trusted:
//! - signed with RS256 (the only algorithm on the allowlist: `none`, HS256 — which a forger
//!   would sign with the provider's *public* key — and every other algorithm are refused
//!   before any key is looked up);
//! - by a key in the provider's key set (JWKS) with the token's `kid`;
//! - issued by `ADMIN_JWT_ISSUER`, for one of `ADMIN_JWT_AUTHORIZED_PARTIES` (`azp`) when
//!   those are set, with `exp`, `nbf`, `iss` and `sub` present, and `exp`/`nbf` within 5 s
//!   of our clock (jsonwebtoken's default leeway, 60 s, is a Clerk token's whole life);
//! - carrying the admin role at the configured claim path. A token that passes everything
//!   but the role is a valid identity that is not an admin (403, not 401).
//!
//! The key set is fetched from `ADMIN_JWKS_URL` and cached: an unknown `kid` (a rotated key)
//! refetches it, at most once every 5 minutes; a set older than an hour is refreshed on use
//! on the same schedule; while the provider is down the cached keys keep working. The
//! fetch is bounded (5 s, 64 KiB, 32 keys) so a misbehaving provider cannot stall or bloat
//! the server. Only verification happens here (public keys), which is why the `rsa`
//! crate's timing advisory (RUSTSEC-2023-0071, about private-key operations) does not apply.

use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use tokio::sync::Mutex;

use super::config::JwtConfig;

/// How often an unknown `kid` may trigger a refetch of the key set.
pub const REFETCH_EVERY: Duration = Duration::from_secs(5 * 60);
/// A key set older than this is refreshed on use (still at most every [`REFETCH_EVERY`]).
const STALE_AFTER: Duration = Duration::from_secs(60 * 60);
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
const MAX_JWKS_BYTES: usize = 64 * 1024;
const MAX_KEYS: usize = 32;
/// Seconds of clock difference tolerated on `exp` and `nbf`.
pub const LEEWAY_S: u64 = 5;

/// What a token turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// A valid token with the admin role.
    Admin {
        subject: String,
        email: Option<String>,
    },
    /// A valid token without it.
    NotAdmin,
    /// Anything else: bad signature, wrong algorithm, expired, unknown key…
    Invalid(&'static str),
}

#[derive(Default)]
struct Cached {
    keys: Option<JwkSet>,
    fetched_at: Option<Instant>,
    last_attempt: Option<Instant>,
}

/// The provider's configuration, its cached keys and the HTTP client that fetches them.
pub struct Verifier {
    config: JwtConfig,
    client: reqwest::Client,
    cache: Mutex<Cached>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("jwks_url", &self.config.jwks_url)
            .finish()
    }
}

impl Verifier {
    pub fn new(config: JwtConfig, client: reqwest::Client) -> Self {
        Self {
            config,
            client,
            cache: Mutex::new(Cached::default()),
        }
    }

    /// Verifies `token` at `now` (Unix seconds, for `exp`/`nbf`).
    pub async fn verify(&self, token: &str, now: Instant) -> Verdict {
        let Ok(header) = decode_header(token) else {
            return Verdict::Invalid("unreadable header");
        };
        if header.alg != Algorithm::RS256 {
            return Verdict::Invalid("algorithm not allowed");
        }
        let Some(kid) = header.kid else {
            return Verdict::Invalid("no key id");
        };
        let Some(key) = self.key(&kid, now).await else {
            return Verdict::Invalid("unknown key");
        };
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[self.config.issuer.as_str()]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "sub"]);
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.validate_aud = false;
        validation.leeway = LEEWAY_S;
        let claims = match decode::<serde_json::Value>(token, &key, &validation) {
            Ok(data) => data.claims,
            Err(_) => return Verdict::Invalid("signature or claims"),
        };
        judge(&self.config, &claims)
    }

    /// The decoding key for `kid`, refetching the key set when it is unknown or stale (at
    /// most every [`REFETCH_EVERY`]); cached keys keep working while the provider is down.
    async fn key(&self, kid: &str, now: Instant) -> Option<DecodingKey> {
        let mut cache = self.cache.lock().await;
        let known = cache.keys.as_ref().and_then(|set| rsa_key(set, kid));
        let stale = cache
            .fetched_at
            .is_none_or(|at| now.saturating_duration_since(at) >= STALE_AFTER);
        let may_fetch = cache
            .last_attempt
            .is_none_or(|at| now.saturating_duration_since(at) >= REFETCH_EVERY);
        if (known.is_none() || stale) && may_fetch {
            cache.last_attempt = Some(now);
            match self.fetch().await {
                Ok(set) => {
                    cache.keys = Some(set);
                    cache.fetched_at = Some(now);
                }
                Err(reason) => {
                    tracing::warn!(%reason, "could not fetch the admin identity provider's keys; using the cached ones");
                }
            }
        }
        cache.keys.as_ref().and_then(|set| rsa_key(set, kid))
    }

    async fn fetch(&self) -> Result<JwkSet, String> {
        let response = self
            .client
            .get(&self.config.jwks_url)
            .timeout(FETCH_TIMEOUT)
            .send()
            .await
            .map_err(|e| format!("request failed: {e}"))?;
        if !response.status().is_success() {
            return Err(format!("answered {}", response.status()));
        }
        if response
            .content_length()
            .is_some_and(|n| n > MAX_JWKS_BYTES as u64)
        {
            return Err("key set too large".to_owned());
        }
        let mut body = Vec::new();
        let mut response = response;
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| format!("reading failed: {e}"))?
        {
            body.extend_from_slice(&chunk);
            if body.len() > MAX_JWKS_BYTES {
                return Err("key set too large".to_owned());
            }
        }
        let mut set: JwkSet =
            serde_json::from_slice(&body).map_err(|_| "not a key set".to_owned())?;
        set.keys.truncate(MAX_KEYS);
        Ok(set)
    }
}

/// The RSA signing key `kid` of `set`, if it is one (a key marked for another use, or for
/// another algorithm, is not).
fn rsa_key(set: &JwkSet, kid: &str) -> Option<DecodingKey> {
    let jwk = set.find(kid)?;
    if let Some(usage) = &jwk.common.public_key_use {
        if *usage != jsonwebtoken::jwk::PublicKeyUse::Signature {
            return None;
        }
    }
    if let Some(algorithm) = jwk.common.key_algorithm {
        if algorithm != jsonwebtoken::jwk::KeyAlgorithm::RS256 {
            return None;
        }
    }
    match &jwk.algorithm {
        jsonwebtoken::jwk::AlgorithmParameters::RSA(_) => DecodingKey::from_jwk(jwk).ok(),
        _ => None,
    }
}

/// What verified claims say: the authorized party when required, then the role.
pub fn judge(config: &JwtConfig, claims: &serde_json::Value) -> Verdict {
    if !config.authorized_parties.is_empty() {
        let azp = claims.get("azp").and_then(|v| v.as_str());
        if !azp.is_some_and(|azp| config.authorized_parties.iter().any(|p| p == azp)) {
            return Verdict::Invalid("authorized party");
        }
    }
    let Some(subject) = claims.get("sub").and_then(|v| v.as_str()) else {
        return Verdict::Invalid("no subject");
    };
    let role = config
        .role_claim
        .iter()
        .try_fold(claims, |value, name| value.get(name))
        .and_then(|v| v.as_str());
    if role != Some(config.role_value.as_str()) {
        return Verdict::NotAdmin;
    }
    Verdict::Admin {
        subject: crate::text::truncate(subject, 200),
        email: claims
            .get("email")
            .and_then(|v| v.as_str())
            .map(|e| crate::text::truncate(e, 254)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn config(parties: &[&str]) -> JwtConfig {
        JwtConfig {
            jwks_url: "https://p/jwks".into(),
            issuer: "https://p".into(),
            authorized_parties: parties.iter().map(|p| (*p).to_owned()).collect(),
            role_claim: vec!["public_metadata".into(), "role".into()],
            role_value: "admin".into(),
        }
    }

    #[test]
    fn the_role_decides_between_admin_and_not() {
        let admin = json!({"sub": "user_1", "email": "ops@example.com", "public_metadata": {"role": "admin"}});
        assert_eq!(
            judge(&config(&[]), &admin),
            Verdict::Admin {
                subject: "user_1".into(),
                email: Some("ops@example.com".into())
            }
        );
        let member = json!({"sub": "user_2", "public_metadata": {"role": "member"}});
        assert_eq!(judge(&config(&[]), &member), Verdict::NotAdmin);
        let bare = json!({"sub": "user_3"});
        assert_eq!(judge(&config(&[]), &bare), Verdict::NotAdmin);
        let not_a_string = json!({"sub": "user_4", "public_metadata": {"role": ["admin"]}});
        assert_eq!(judge(&config(&[]), &not_a_string), Verdict::NotAdmin);
    }

    #[test]
    fn the_authorized_party_is_checked_when_configured() {
        let claims = json!({"sub": "u", "azp": "https://evil.example", "public_metadata": {"role": "admin"}});
        assert_eq!(
            judge(&config(&["https://onering.example"]), &claims),
            Verdict::Invalid("authorized party")
        );
        let missing = json!({"sub": "u", "public_metadata": {"role": "admin"}});
        assert_eq!(
            judge(&config(&["https://onering.example"]), &missing),
            Verdict::Invalid("authorized party")
        );
        assert!(matches!(
            judge(&config(&[]), &claims),
            Verdict::Admin { .. }
        ));
    }
}
