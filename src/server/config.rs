//! Configuration from environment variables. Every variable and its default is listed in
//! `.env.example`.

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Config {
    /// `sqlite://path` (default `sqlite://data/onering.db`) or `postgres://…`.
    pub database_url: String,
    pub db_max_connections: u32,
    /// The origin browsers use to reach the app, e.g. `https://onering.example`. Used for
    /// the CSRF origin check; `https` here also turns on Secure cookies and HSTS.
    pub public_origin: String,
    pub session_ttl: Duration,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_forwarded_for: bool,
    /// Sign-in and sign-up attempts allowed per client address per minute.
    pub auth_attempts_per_ip_per_minute: u32,
    /// Largest request body accepted, in bytes.
    pub body_limit_bytes: usize,
    /// Invite-code lookups (refer pages, accepts) allowed per client address per minute:
    /// what stands between a guesser and the codes.
    pub invite_lookups_per_ip_per_minute: u32,
    /// Invites one user may create per hour (counted in the database, across instances).
    pub invites_per_user_per_hour: u32,
    /// How often an open live channel is pinged and its reader's access re-checked.
    pub live_recheck: Duration,
}

#[derive(Debug, thiserror::Error)]
#[error("invalid value for {name}: {reason}")]
pub struct ConfigError {
    name: &'static str,
    reason: String,
}

impl Config {
    /// Reads the configuration; `site_addr` is the address the server listens on, used for
    /// the default public origin.
    pub fn from_env(site_addr: &str) -> Result<Self, ConfigError> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let config = Self {
            database_url: var("DATABASE_URL")
                .unwrap_or_else(|| "sqlite://data/onering.db".to_owned()),
            db_max_connections: parse_or("DB_MAX_CONNECTIONS", var("DB_MAX_CONNECTIONS"), 16)?,
            public_origin: var("PUBLIC_ORIGIN")
                .unwrap_or_else(|| format!("http://{site_addr}"))
                .trim_end_matches('/')
                .to_owned(),
            session_ttl: Duration::from_secs(
                parse_or::<u64>("SESSION_TTL_DAYS", var("SESSION_TTL_DAYS"), 30)? * 86_400,
            ),
            trust_forwarded_for: parse_or(
                "TRUST_FORWARDED_FOR",
                var("TRUST_FORWARDED_FOR"),
                false,
            )?,
            auth_attempts_per_ip_per_minute: parse_or(
                "AUTH_ATTEMPTS_PER_IP_PER_MINUTE",
                var("AUTH_ATTEMPTS_PER_IP_PER_MINUTE"),
                20,
            )?,
            body_limit_bytes: parse_or("BODY_LIMIT_BYTES", var("BODY_LIMIT_BYTES"), 64 * 1024)?,
            invite_lookups_per_ip_per_minute: parse_or(
                "INVITE_LOOKUPS_PER_IP_PER_MINUTE",
                var("INVITE_LOOKUPS_PER_IP_PER_MINUTE"),
                30,
            )?,
            invites_per_user_per_hour: parse_or(
                "INVITES_PER_USER_PER_HOUR",
                var("INVITES_PER_USER_PER_HOUR"),
                30,
            )?,
            live_recheck: Duration::from_secs(parse_or(
                "LIVE_RECHECK_SECONDS",
                var("LIVE_RECHECK_SECONDS"),
                30,
            )?),
        };
        config.validate()?;
        Ok(config)
    }

    /// A configuration for tests and tools: everything default but the database.
    pub fn for_database(database_url: &str) -> Self {
        Self {
            database_url: database_url.to_owned(),
            db_max_connections: 8,
            public_origin: "http://127.0.0.1:3000".to_owned(),
            session_ttl: Duration::from_secs(30 * 86_400),
            trust_forwarded_for: false,
            auth_attempts_per_ip_per_minute: 20,
            body_limit_bytes: 64 * 1024,
            invite_lookups_per_ip_per_minute: 30,
            invites_per_user_per_hour: 30,
            live_recheck: Duration::from_secs(30),
        }
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if !(self.public_origin.starts_with("http://")
            || self.public_origin.starts_with("https://"))
        {
            return Err(ConfigError {
                name: "PUBLIC_ORIGIN",
                reason: "must start with http:// or https://".to_owned(),
            });
        }
        if self.live_recheck.is_zero() {
            return Err(ConfigError {
                name: "LIVE_RECHECK_SECONDS",
                reason: "must be at least 1".into(),
            });
        }
        if self.session_ttl.is_zero() {
            return Err(ConfigError {
                name: "SESSION_TTL_DAYS",
                reason: "must be at least 1".into(),
            });
        }
        Ok(())
    }

    /// Whether browsers reach the app over https (Secure cookies, HSTS).
    pub fn is_https(&self) -> bool {
        self.public_origin.starts_with("https://")
    }
}

fn parse_or<T: std::str::FromStr>(
    name: &'static str,
    value: Option<String>,
    default: T,
) -> Result<T, ConfigError> {
    match value {
        None => Ok(default),
        Some(raw) => raw.trim().parse().map_err(|_| ConfigError {
            name,
            reason: format!("could not read {raw:?}"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_or_falls_back_and_reports_bad_values() {
        assert_eq!(parse_or("X", None, 7u32).ok(), Some(7));
        assert_eq!(parse_or("X", Some(" 9 ".into()), 7u32).ok(), Some(9));
        let err = parse_or("X", Some("nine".into()), 7u32)
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("invalid value for X: could not read \"nine\"")
        );
    }

    #[test]
    fn https_origin_means_secure() {
        let mut config = Config::for_database("sqlite::memory:");
        assert!(!config.is_https());
        config.public_origin = "https://onering.example".into();
        assert!(config.is_https());
        assert!(config.validate().is_ok());
        config.public_origin = "onering.example".into();
        assert!(config.validate().is_err());
    }
}
