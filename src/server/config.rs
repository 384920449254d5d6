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
    /// Sliding session lifetime: a session unused this long ends.
    pub session_ttl: Duration,
    /// Absolute session lifetime: however often it is used, a session ends this long after
    /// sign-in.
    pub session_max_age: Duration,
    /// How many proxies of ours stand in front of the app and append to `X-Forwarded-For`
    /// (0: none, use the socket's peer). The client is the address the outermost of them
    /// saw: the `n`-th entry from the right (entries further left are whatever the client
    /// sent, so they are never trusted).
    pub trusted_proxy_hops: usize,
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
    /// Live channels one user may hold open on this server, and one draft may have.
    pub live_sockets_per_user: usize,
    pub live_sockets_per_draft: usize,
    /// Live-channel handshakes per user per minute.
    pub live_handshakes_per_user_per_minute: u32,
    /// Per-user mutation budgets, per minute (this server).
    pub mutation_limits: MutationLimits,
    /// A token monitors send (`Authorization: Bearer …`) to see `/api/health` in detail.
    pub health_token: Option<String>,
    /// Where card images find their fonts (`FONT_DIRS`, colon-separated).
    pub font_dirs: Vec<std::path::PathBuf>,
    /// Stripe billing; `None` (no `STRIPE_SECRET_KEY`) turns billing off.
    pub stripe: Option<StripeConfig>,
    /// Who may be an admin (see `admin::config`).
    pub admin: crate::admin::config::AdminConfig,
    /// Publishing to the networks (see `publishing::config`).
    pub publishing: crate::publishing::config::PublishingConfig,
}

/// Stripe's keys and the prices that map to plans. Its `Debug` never shows a secret.
#[derive(Clone, PartialEq, Eq)]
pub struct StripeConfig {
    /// `STRIPE_SECRET_KEY`.
    pub secret_key: String,
    /// `STRIPE_WEBHOOK_SECRET`: one or more signing secrets, comma-separated (several while
    /// a secret is rotated).
    pub webhook_secrets: Vec<String>,
    /// `(plan id, Stripe price id)`: `STRIPE_PRICE_CREATOR`, `STRIPE_PRICE_TEAM`.
    pub prices: Vec<(String, String)>,
    /// `STRIPE_API_BASE`: where the Stripe API is (a local fake in tests); Stripe's own
    /// when unset.
    pub api_base: Option<String>,
}

impl std::fmt::Debug for StripeConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeConfig")
            .field("secret_key", &"<redacted>")
            .field("webhook_secrets", &self.webhook_secrets.len())
            .field("prices", &self.prices)
            .field("api_base", &self.api_base)
            .finish()
    }
}

impl StripeConfig {
    /// The origins Stripe's pages are on, for the CSP's `form-action` (with a leading
    /// space): Checkout, the billing portal, and `STRIPE_API_BASE`'s origin when set (a test
    /// server serving both).
    pub fn form_targets(&self) -> String {
        let mut targets = " https://checkout.stripe.com https://billing.stripe.com".to_owned();
        let origin = self.api_base.as_deref().and_then(|base| {
            let rest = base.split_once("://")?.1;
            let host = rest.split('/').next()?;
            let scheme = base.split_once("://")?.0;
            let plain =
                |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']');
            (matches!(scheme, "http" | "https") && !host.is_empty() && host.chars().all(plain))
                .then(|| format!("{scheme}://{host}"))
        });
        if let Some(origin) = origin {
            targets.push(' ');
            targets.push_str(&origin);
        }
        targets
    }

    /// The plan a Stripe price buys.
    pub fn plan_for_price(&self, price_id: &str) -> Option<&str> {
        self.prices
            .iter()
            .find(|(_, price)| price == price_id)
            .map(|(plan, _)| plan.as_str())
    }

    /// The Stripe price that buys `plan`, if it is for sale here.
    pub fn price_for_plan(&self, plan: &str) -> Option<&str> {
        self.prices
            .iter()
            .find(|(p, _)| p == plan)
            .map(|(_, price)| price.as_str())
    }

    fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, ConfigError> {
        let Some(secret_key) = var("STRIPE_SECRET_KEY") else {
            return Ok(None);
        };
        let webhook_secrets: Vec<String> = var("STRIPE_WEBHOOK_SECRET")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        if webhook_secrets.is_empty() {
            return Err(ConfigError {
                name: "STRIPE_WEBHOOK_SECRET",
                reason: "billing is on (STRIPE_SECRET_KEY is set), so the webhook's signing secret is needed".into(),
            });
        }
        let prices: Vec<(String, String)> = [
            ("creator", "STRIPE_PRICE_CREATOR"),
            ("team", "STRIPE_PRICE_TEAM"),
        ]
        .into_iter()
        .filter_map(|(plan, name)| {
            var(name).map(|price| (plan.to_owned(), price.trim().to_owned()))
        })
        .collect();
        if prices.is_empty() {
            return Err(ConfigError {
                name: "STRIPE_PRICE_CREATOR",
                reason: "billing is on, so at least one of STRIPE_PRICE_CREATOR and STRIPE_PRICE_TEAM is needed".into(),
            });
        }
        Ok(Some(Self {
            secret_key: secret_key.trim().to_owned(),
            webhook_secrets,
            prices,
            api_base: var("STRIPE_API_BASE"),
        }))
    }
}

/// How many changes of each kind one user may make per minute on one server: enough for
/// anyone typing, not enough to monopolise the writer. Answered with 429 and `Retry-After`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MutationLimits {
    pub appends: u32,
    pub drafts_created: u32,
    pub invites_created: u32,
    pub ring_passes: u32,
    /// Every other change (edits, deletes, roles, status, dismissals…).
    pub other: u32,
}

impl Default for MutationLimits {
    fn default() -> Self {
        Self {
            appends: 120,
            drafts_created: 20,
            invites_created: 20,
            ring_passes: 60,
            other: 120,
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("invalid value for {name}: {reason}")]
pub struct ConfigError {
    name: &'static str,
    reason: String,
}

impl ConfigError {
    pub fn new(name: &'static str, reason: String) -> Self {
        Self { name, reason }
    }
}

impl Config {
    /// Reads the configuration; `site_addr` is the address the server listens on, used for
    /// the default public origin.
    pub fn from_env(site_addr: &str) -> Result<Self, ConfigError> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let defaults = Self::for_database("");
        let limits = MutationLimits::default();
        let config = Self {
            database_url: var("DATABASE_URL")
                .unwrap_or_else(|| "sqlite://data/onering.db".to_owned()),
            db_max_connections: parse_or("DB_MAX_CONNECTIONS", var("DB_MAX_CONNECTIONS"), 16)?,
            public_origin: var("PUBLIC_ORIGIN")
                .unwrap_or_else(|| format!("http://{site_addr}"))
                .trim_end_matches('/')
                .to_owned(),
            session_ttl: days("SESSION_TTL_DAYS", var("SESSION_TTL_DAYS"), 30)?,
            session_max_age: days("SESSION_MAX_AGE_DAYS", var("SESSION_MAX_AGE_DAYS"), 90)?,
            trusted_proxy_hops: proxy_hops(var("TRUST_FORWARDED_FOR"))?,
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
            live_sockets_per_user: parse_or(
                "LIVE_SOCKETS_PER_USER",
                var("LIVE_SOCKETS_PER_USER"),
                defaults.live_sockets_per_user,
            )?,
            live_sockets_per_draft: parse_or(
                "LIVE_SOCKETS_PER_DRAFT",
                var("LIVE_SOCKETS_PER_DRAFT"),
                defaults.live_sockets_per_draft,
            )?,
            live_handshakes_per_user_per_minute: parse_or(
                "LIVE_HANDSHAKES_PER_USER_PER_MINUTE",
                var("LIVE_HANDSHAKES_PER_USER_PER_MINUTE"),
                defaults.live_handshakes_per_user_per_minute,
            )?,
            mutation_limits: MutationLimits {
                appends: parse_or(
                    "LIMIT_APPENDS_PER_MINUTE",
                    var("LIMIT_APPENDS_PER_MINUTE"),
                    limits.appends,
                )?,
                drafts_created: parse_or(
                    "LIMIT_DRAFTS_PER_MINUTE",
                    var("LIMIT_DRAFTS_PER_MINUTE"),
                    limits.drafts_created,
                )?,
                invites_created: parse_or(
                    "LIMIT_INVITES_PER_MINUTE",
                    var("LIMIT_INVITES_PER_MINUTE"),
                    limits.invites_created,
                )?,
                ring_passes: parse_or(
                    "LIMIT_PASSES_PER_MINUTE",
                    var("LIMIT_PASSES_PER_MINUTE"),
                    limits.ring_passes,
                )?,
                other: parse_or(
                    "LIMIT_OTHER_CHANGES_PER_MINUTE",
                    var("LIMIT_OTHER_CHANGES_PER_MINUTE"),
                    limits.other,
                )?,
            },
            health_token: var("HEALTH_TOKEN"),
            font_dirs: font_dirs(var("FONT_DIRS")),
            stripe: StripeConfig::from_vars(var)?,
            admin: crate::admin::config::AdminConfig::from_vars(var)?,
            publishing: crate::publishing::config::PublishingConfig::from_vars(var)?,
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
            session_max_age: Duration::from_secs(90 * 86_400),
            trusted_proxy_hops: 0,
            auth_attempts_per_ip_per_minute: 20,
            body_limit_bytes: 64 * 1024,
            invite_lookups_per_ip_per_minute: 30,
            invites_per_user_per_hour: 30,
            live_recheck: Duration::from_secs(30),
            live_sockets_per_user: 16,
            live_sockets_per_draft: 1_000,
            live_handshakes_per_user_per_minute: 60,
            mutation_limits: MutationLimits::default(),
            health_token: None,
            font_dirs: font_dirs(None),
            stripe: None,
            admin: crate::admin::config::AdminConfig::default(),
            publishing: crate::publishing::config::PublishingConfig::default(),
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
        if self.session_max_age < self.session_ttl {
            return Err(ConfigError {
                name: "SESSION_MAX_AGE_DAYS",
                reason: "must be at least SESSION_TTL_DAYS".into(),
            });
        }
        Ok(())
    }

    /// Whether browsers reach the app over https (Secure cookies, HSTS).
    pub fn is_https(&self) -> bool {
        self.public_origin.starts_with("https://")
    }
}

/// `FONT_DIRS`: colon-separated folders, default `/usr/share/fonts`.
fn font_dirs(value: Option<String>) -> Vec<std::path::PathBuf> {
    value
        .unwrap_or_else(|| "/usr/share/fonts".to_owned())
        .split(':')
        .filter(|d| !d.trim().is_empty())
        .map(|d| std::path::PathBuf::from(d.trim()))
        .collect()
}

fn days(name: &'static str, value: Option<String>, default: u64) -> Result<Duration, ConfigError> {
    Ok(Duration::from_secs(
        parse_or(name, value, default)? * 86_400,
    ))
}

/// `TRUST_FORWARDED_FOR`: `false`/`0` (no proxy), `true` (one proxy), or a number of hops.
fn proxy_hops(value: Option<String>) -> Result<usize, ConfigError> {
    match value.as_deref().map(str::trim) {
        None | Some("false") => Ok(0),
        Some("true") => Ok(1),
        Some(other) => other.parse().map_err(|_| ConfigError {
            name: "TRUST_FORWARDED_FOR",
            reason: format!("could not read {other:?}: use false, true or a number of proxies"),
        }),
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
    fn proxy_hops_read_as_a_count() {
        assert_eq!(proxy_hops(None).ok(), Some(0));
        assert_eq!(proxy_hops(Some("false".into())).ok(), Some(0));
        assert_eq!(proxy_hops(Some("true".into())).ok(), Some(1));
        assert_eq!(proxy_hops(Some("2".into())).ok(), Some(2));
        assert!(proxy_hops(Some("yes".into())).is_err());
    }

    #[test]
    fn billing_is_off_without_a_key_and_complete_with_one() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        assert_eq!(StripeConfig::from_vars(vars(&[])).ok(), Some(None));
        assert!(StripeConfig::from_vars(vars(&[("STRIPE_SECRET_KEY", "sk_test_1")])).is_err());
        let stripe = StripeConfig::from_vars(vars(&[
            ("STRIPE_SECRET_KEY", "sk_test_1"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_a, whsec_b"),
            ("STRIPE_PRICE_TEAM", "price_team"),
        ]))
        .ok()
        .flatten();
        let Some(stripe) = stripe else {
            panic!("a complete Stripe configuration was refused");
        };
        assert_eq!(stripe.webhook_secrets, ["whsec_a", "whsec_b"]);
        assert_eq!(stripe.plan_for_price("price_team"), Some("team"));
        assert_eq!(stripe.price_for_plan("creator"), None);
        let shown = format!("{stripe:?}");
        assert!(!shown.contains("sk_test_1") && !shown.contains("whsec_a"));
        let stripe_pages = " https://checkout.stripe.com https://billing.stripe.com";
        assert_eq!(stripe.form_targets(), stripe_pages);
        let with_base = |base: &str| {
            StripeConfig {
                api_base: Some(base.to_owned()),
                ..stripe.clone()
            }
            .form_targets()
        };
        assert_eq!(
            with_base("http://127.0.0.1:3111/v1"),
            format!("{stripe_pages} http://127.0.0.1:3111")
        );
        // Nothing that could break out of the CSP directive.
        assert_eq!(with_base("http://a; script-src *"), stripe_pages);
        assert_eq!(with_base("javascript://x"), stripe_pages);
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
