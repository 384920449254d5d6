//! Who may be an admin, from the environment (each variable is in `.env.example`):
//!
//! - `ADMIN_AUTH_MODE`: `jwt` | `legacy` | `hybrid` (default `hybrid`): which credentials
//!   besides an admin account are accepted — the identity provider's JWT, the legacy shared
//!   key, or both. An account granted the admin role (`onering admin grant`) works in every
//!   mode.
//! - `ENVIRONMENT`: `dev` | `test` | `prod` (default `dev`). In `prod` the legacy key is
//!   refused in every mode.
//! - `ADMIN_JWKS_URL`, `ADMIN_JWT_ISSUER` (both, or neither: the JWT way is off without
//!   them), `ADMIN_JWT_AUTHORIZED_PARTIES` (comma-separated `azp` values; unchecked when
//!   unset), `ADMIN_JWT_ROLE_CLAIM` (a dotted path into the claims, default
//!   `public_metadata.role`) and `ADMIN_JWT_ROLE_VALUE` (default `admin`).
//! - `ADMIN_KEY_SHA256`: the SHA-256 (64 hex digits) of the legacy key; the key itself is
//!   never configured, so it cannot leak from the server's environment.
//! - `ADMIN_FAILURES_PER_IP_PER_MINUTE` (default 20): refused admin attempts one client
//!   address may make per minute before it is refused outright (429).

use crate::server::config::ConfigError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMode {
    Jwt,
    Legacy,
    Hybrid,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Dev,
    Test,
    Prod,
}

/// The identity provider's side: where its keys are and what its tokens must say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwtConfig {
    pub jwks_url: String,
    pub issuer: String,
    /// Accepted `azp` (authorized party) values; empty: not checked.
    pub authorized_parties: Vec<String>,
    /// The path of the role claim, one name per level (`["public_metadata", "role"]`).
    pub role_claim: Vec<String>,
    pub role_value: String,
}

#[derive(Clone, PartialEq, Eq)]
pub struct AdminConfig {
    pub mode: AuthMode,
    pub environment: Environment,
    pub jwt: Option<JwtConfig>,
    /// SHA-256 of the legacy `X-Admin-Key`.
    pub legacy_key_sha256: Option<[u8; 32]>,
    /// Refused attempts per client address per minute.
    pub failures_per_minute: u32,
}

impl std::fmt::Debug for AdminConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminConfig")
            .field("mode", &self.mode)
            .field("environment", &self.environment)
            .field("jwt", &self.jwt)
            .field("legacy_key", &self.legacy_key_sha256.map(|_| "<hash>"))
            .field("failures_per_minute", &self.failures_per_minute)
            .finish()
    }
}

impl Default for AdminConfig {
    /// Accounts only: no identity provider, no legacy key, a development server.
    fn default() -> Self {
        Self {
            mode: AuthMode::Hybrid,
            environment: Environment::Dev,
            jwt: None,
            legacy_key_sha256: None,
            failures_per_minute: 20,
        }
    }
}

impl AdminConfig {
    /// Whether identity-provider tokens are checked at all.
    pub fn accepts_jwt(&self) -> bool {
        self.jwt.is_some() && matches!(self.mode, AuthMode::Jwt | AuthMode::Hybrid)
    }

    /// Whether the legacy key would be accepted, and if not, why (for the log).
    pub fn legacy_key_refusal(&self) -> Option<&'static str> {
        if self.legacy_key_sha256.is_none() {
            Some("no ADMIN_KEY_SHA256 is configured")
        } else if self.mode == AuthMode::Jwt {
            Some("ADMIN_AUTH_MODE=jwt accepts only identity-provider tokens and admin accounts")
        } else if self.environment == Environment::Prod {
            Some("ENVIRONMENT=prod refuses the legacy X-Admin-Key in every mode; use the identity provider or an admin account")
        } else {
            None
        }
    }

    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mode = match var("ADMIN_AUTH_MODE").as_deref().map(str::trim) {
            None | Some("hybrid") => AuthMode::Hybrid,
            Some("jwt") => AuthMode::Jwt,
            Some("legacy") => AuthMode::Legacy,
            Some(other) => {
                return Err(ConfigError::new(
                    "ADMIN_AUTH_MODE",
                    format!("{other:?} is not one of jwt, legacy, hybrid"),
                ))
            }
        };
        let environment = match var("ENVIRONMENT").as_deref().map(str::trim) {
            None | Some("dev") => Environment::Dev,
            Some("test") => Environment::Test,
            Some("prod") => Environment::Prod,
            Some(other) => {
                return Err(ConfigError::new(
                    "ENVIRONMENT",
                    format!("{other:?} is not one of dev, test, prod"),
                ))
            }
        };
        let jwt = match (var("ADMIN_JWKS_URL"), var("ADMIN_JWT_ISSUER")) {
            (None, None) => None,
            (Some(jwks_url), Some(issuer)) => {
                let jwks_url = jwks_url.trim().to_owned();
                if !(jwks_url.starts_with("https://") || jwks_url.starts_with("http://")) {
                    return Err(ConfigError::new(
                        "ADMIN_JWKS_URL",
                        "must be an http(s) URL".to_owned(),
                    ));
                }
                let role_claim: Vec<String> = var("ADMIN_JWT_ROLE_CLAIM")
                    .unwrap_or_else(|| "public_metadata.role".to_owned())
                    .trim()
                    .split('.')
                    .map(str::to_owned)
                    .collect();
                if role_claim.iter().any(String::is_empty) {
                    return Err(ConfigError::new(
                        "ADMIN_JWT_ROLE_CLAIM",
                        "must be a dotted path such as public_metadata.role".to_owned(),
                    ));
                }
                Some(JwtConfig {
                    jwks_url,
                    issuer: issuer.trim().to_owned(),
                    authorized_parties: var("ADMIN_JWT_AUTHORIZED_PARTIES")
                        .unwrap_or_default()
                        .split(',')
                        .map(str::trim)
                        .filter(|p| !p.is_empty())
                        .map(str::to_owned)
                        .collect(),
                    role_claim,
                    role_value: var("ADMIN_JWT_ROLE_VALUE")
                        .map_or_else(|| "admin".to_owned(), |v| v.trim().to_owned()),
                })
            }
            (Some(_), None) => {
                return Err(ConfigError::new(
                    "ADMIN_JWT_ISSUER",
                    "ADMIN_JWKS_URL is set, so the issuer its tokens must name is needed"
                        .to_owned(),
                ))
            }
            (None, Some(_)) => {
                return Err(ConfigError::new(
                    "ADMIN_JWKS_URL",
                    "ADMIN_JWT_ISSUER is set, so the provider's key set URL is needed".to_owned(),
                ))
            }
        };
        let legacy_key_sha256 = match var("ADMIN_KEY_SHA256") {
            None => None,
            Some(raw) => {
                let bytes = hex::decode(raw.trim()).ok();
                let digest = bytes.and_then(|b| <[u8; 32]>::try_from(b).ok());
                Some(digest.ok_or_else(|| {
                    ConfigError::new(
                        "ADMIN_KEY_SHA256",
                        "must be 64 hex digits: the SHA-256 of the key (sha256sum)".to_owned(),
                    )
                })?)
            }
        };
        let failures_per_minute = match var("ADMIN_FAILURES_PER_IP_PER_MINUTE") {
            None => Self::default().failures_per_minute,
            Some(raw) => raw.trim().parse().map_err(|_| {
                ConfigError::new(
                    "ADMIN_FAILURES_PER_IP_PER_MINUTE",
                    format!("could not read {raw:?}"),
                )
            })?,
        };
        Ok(Self {
            mode,
            environment,
            jwt,
            legacy_key_sha256,
            failures_per_minute,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn defaults_are_hybrid_dev_and_accounts_only() {
        let config = AdminConfig::from_vars(vars(&[])).unwrap_or_default();
        assert_eq!(config, AdminConfig::default());
        assert!(!config.accepts_jwt());
        assert!(config.legacy_key_refusal().is_some());
    }

    #[test]
    fn the_jwt_way_needs_both_its_url_and_its_issuer() {
        assert!(AdminConfig::from_vars(vars(&[("ADMIN_JWKS_URL", "https://p/jwks")])).is_err());
        assert!(AdminConfig::from_vars(vars(&[("ADMIN_JWT_ISSUER", "https://p")])).is_err());
        let config = AdminConfig::from_vars(vars(&[
            ("ADMIN_JWKS_URL", "https://p/.well-known/jwks.json"),
            ("ADMIN_JWT_ISSUER", "https://p"),
            (
                "ADMIN_JWT_AUTHORIZED_PARTIES",
                "https://a.example, https://b.example",
            ),
        ]));
        let Ok(AdminConfig { jwt: Some(jwt), .. }) = config else {
            panic!("a complete provider configuration was refused");
        };
        assert_eq!(jwt.role_claim, ["public_metadata", "role"]);
        assert_eq!(jwt.role_value, "admin");
        assert_eq!(jwt.authorized_parties.len(), 2);
        assert!(AdminConfig::from_vars(vars(&[
            ("ADMIN_AUTH_MODE", "open"),
            ("ENVIRONMENT", "dev")
        ]))
        .is_err());
    }

    #[test]
    fn the_legacy_key_is_refused_in_prod_and_in_jwt_mode() {
        const HASH: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        let with = |mode: &'static str, env: &'static str| {
            let pairs: &'static [(&'static str, &'static str)] = Box::leak(Box::new([
                ("ADMIN_KEY_SHA256", HASH),
                ("ADMIN_AUTH_MODE", mode),
                ("ENVIRONMENT", env),
            ]));
            AdminConfig::from_vars(vars(pairs)).unwrap_or_default()
        };
        assert_eq!(with("hybrid", "dev").legacy_key_refusal(), None);
        assert_eq!(with("legacy", "test").legacy_key_refusal(), None);
        assert!(with("hybrid", "prod").legacy_key_refusal().is_some());
        assert!(with("legacy", "prod").legacy_key_refusal().is_some());
        assert!(with("jwt", "dev").legacy_key_refusal().is_some());
        assert!(AdminConfig::from_vars(vars(&[("ADMIN_KEY_SHA256", "abc")])).is_err());
        assert!(!format!("{:?}", with("hybrid", "dev")).contains(HASH));
    }
}
