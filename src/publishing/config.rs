//! Publishing's configuration (each variable is in `.env.example` and the README):
//!
//! - `PUBLISHING_KEY`: 32 random bytes, base64 (`openssl rand -base64 32`), that seal the
//!   networks' credentials. Without it nothing can be connected or published, and the pages
//!   say so. Keep it: credentials sealed with a lost key must be connected again.
//! - `BLUESKY_SERVER` (default `https://bsky.social`): the PDS an account signs in to unless
//!   the person names theirs.
//! - `X_CLIENT_ID`, `X_CLIENT_SECRET`: OneRing's app on X (its developer portal); X is off
//!   without the id. `X_API_BASE` (default `https://api.x.com`) and `X_AUTHORIZE_URL` (default
//!   `https://x.com/i/oauth2/authorize`) point elsewhere for tests.
//! - `ENVIRONMENT`: outside `prod`, servers may be plain `http://` (local fakes in tests);
//!   in `prod` a Bluesky server or Mastodon instance must be `https://`.

use super::networks::XEndpoints;
use super::vault::VaultKey;
use crate::server::config::ConfigError;

#[derive(Debug, Clone)]
pub struct PublishingConfig {
    pub key: Option<VaultKey>,
    pub bluesky_server: String,
    pub x: XEndpoints,
    pub allow_plain_http: bool,
}

impl Default for PublishingConfig {
    fn default() -> Self {
        Self {
            key: None,
            bluesky_server: "https://bsky.social".to_owned(),
            x: XEndpoints {
                api_base: "https://api.x.com".to_owned(),
                authorize_url: "https://x.com/i/oauth2/authorize".to_owned(),
                client_id: None,
                client_secret: None,
            },
            allow_plain_http: true,
        }
    }
}

impl PublishingConfig {
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let defaults = Self::default();
        let key = match var("PUBLISHING_KEY") {
            None => None,
            Some(raw) => Some(
                VaultKey::parse(&raw)
                    .map_err(|reason| ConfigError::new("PUBLISHING_KEY", reason))?,
            ),
        };
        Ok(Self {
            key,
            bluesky_server: var("BLUESKY_SERVER").map_or(defaults.bluesky_server, |s| {
                s.trim().trim_end_matches('/').to_owned()
            }),
            x: XEndpoints {
                api_base: var("X_API_BASE").unwrap_or(defaults.x.api_base),
                authorize_url: var("X_AUTHORIZE_URL").unwrap_or(defaults.x.authorize_url),
                client_id: var("X_CLIENT_ID"),
                client_secret: var("X_CLIENT_SECRET"),
            },
            allow_plain_http: var("ENVIRONMENT").as_deref().map(str::trim) != Some("prod"),
        })
    }

    /// A server address a person typed (a PDS, an instance), as OneRing will call it: an
    /// origin, `https://` (or `http://` outside production), no credentials, path or query.
    pub fn server(&self, field: &str, raw: &str) -> Result<String, crate::error::AppError> {
        let invalid = |message: &str| crate::error::AppError::validation(field, message);
        let raw = raw.trim().trim_end_matches('/');
        let with_scheme = if raw.contains("://") {
            raw.to_owned()
        } else {
            format!("https://{raw}")
        };
        let url = reqwest::Url::parse(&with_scheme)
            .map_err(|_| invalid("Give the server's address, like mastodon.social."))?;
        let plain_ok = self.allow_plain_http && url.scheme() == "http";
        if url.scheme() != "https" && !plain_ok {
            return Err(invalid("The server must be reached over https."));
        }
        if !url.username().is_empty() || url.password().is_some() || url.query().is_some() {
            return Err(invalid(
                "Give just the server's address, like mastodon.social.",
            ));
        }
        if url.path() != "/" && !url.path().is_empty() {
            return Err(invalid(
                "Give just the server's address, like mastodon.social.",
            ));
        }
        let host = url
            .host_str()
            .ok_or_else(|| invalid("Give the server's address."))?;
        // A public server has a domain name (or is an address); a bare word is a typo.
        let named = host.contains('.') || host.starts_with('[');
        if !(named || plain_ok && host == "localhost") {
            return Err(invalid(
                "Give the server's full address, like mastodon.social.",
            ));
        }
        Ok(match url.port() {
            Some(port) => format!("{}://{host}:{port}", url.scheme()),
            None => format!("{}://{host}", url.scheme()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(allow_plain_http: bool) -> PublishingConfig {
        PublishingConfig {
            allow_plain_http,
            ..PublishingConfig::default()
        }
    }

    #[test]
    fn servers_are_plain_origins_over_https_in_production() {
        let prod = config(false);
        assert_eq!(
            prod.server("instance", "mastodon.social").ok().as_deref(),
            Some("https://mastodon.social")
        );
        assert_eq!(
            prod.server("instance", "https://Mastodon.Social/")
                .ok()
                .as_deref(),
            Some("https://mastodon.social")
        );
        assert!(prod.server("instance", "http://127.0.0.1:9000").is_err());
        assert!(prod.server("instance", "https://a@b.example").is_err());
        assert!(prod
            .server("instance", "https://b.example/path?x=1")
            .is_err());
        assert!(prod.server("instance", "not a server").is_err());
        assert!(
            prod.server("instance", "x").is_err(),
            "a bare word is a typo"
        );
        assert!(config(true)
            .server("instance", "http://localhost:9000")
            .is_ok());
        assert!(
            prod.server("instance", "x").is_err(),
            "a bare word is a typo"
        );
        assert!(config(true)
            .server("instance", "http://localhost:9000")
            .is_ok());
        assert_eq!(
            config(true)
                .server("instance", "http://127.0.0.1:9000")
                .ok()
                .as_deref(),
            Some("http://127.0.0.1:9000")
        );
    }
}
