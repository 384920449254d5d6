//! The networks behind one trait: post one post (a reply to the one before), find a post whose
//! outcome was lost, revoke a connection. One module per network; every base URL comes from
//! the connection (a PDS, an instance) or configuration (X's API), so the tests point them at
//! local fakes.
//!
//! **Never twice.** A post is marked `posting` (committed) before it is sent, so after a crash
//! or a lost answer OneRing knows its outcome is unknown, and each network settles it:
//! - Bluesky: the record key of every post is ours, made from the publication and position;
//!   an unknown outcome is looked up (`com.atproto.repo.getRecord`) before retrying, and a
//!   retry with the same key cannot make a second record.
//! - Mastodon: every post carries an `Idempotency-Key` (ours, per post); Mastodon answers a
//!   repeat within an hour with the status it already made.
//! - X: no idempotency key exists; an unknown outcome is looked up among the account's latest
//!   posts (same text, replying to the same post) before retrying, and X itself refuses an
//!   identical post ("duplicate content"), which is taken as "already posted" and looked up.

pub mod bluesky;
pub mod mastodon;
pub mod x;

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::types::Network;

pub type NetFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A post on a network: what the next reply points at, and where people read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remote {
    /// Bluesky: the `at://` URI; Mastodon: the status id; X: the tweet id.
    pub id: String,
    /// Bluesky's content hash (a reply names its parent and root by URI and CID).
    pub cid: Option<String>,
    pub url: String,
}

/// Where a reply goes: under `parent`, in the thread that `root` starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thread {
    pub root: Remote,
    pub parent: Remote,
}

/// Which post this is, across every attempt (the networks' idempotency keys come from it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostKey {
    pub publication_id: String,
    pub position: i64,
    /// When the publication was made (Bluesky's record keys are timestamps).
    pub created_at_ms: i64,
}

impl PostKey {
    /// A stable key for this post, for networks that take one.
    pub fn idempotency_key(&self) -> String {
        format!("onering-{}-{}", self.publication_id, self.position)
    }
}

/// A connected account with its (opened) credentials. Never serialised to a browser.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub network: Network,
    /// The PDS, the instance, or X's API base.
    pub server: String,
    /// The network's id for the account: a DID, an account id, a user id.
    pub account_id: String,
    /// The handle as shown (`ada.bsky.social`, `ada@mastodon.social`, `ada`).
    pub handle: String,
    pub secret: Secret,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("network", &self.network)
            .field("server", &self.server)
            .field("handle", &self.handle)
            .field("secret", &"<sealed>")
            .finish()
    }
}

/// What signs requests, per network.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Secret {
    Bluesky {
        app_password: String,
        access_jwt: String,
        refresh_jwt: String,
    },
    Mastodon {
        token: String,
        /// The app the token was made for (to revoke it), when connected through OAuth.
        client: Option<(String, String)>,
    },
    X {
        access_token: String,
        refresh_token: Option<String>,
        /// When the access token stops working (Unix ms).
        expires_at_ms: i64,
    },
}

/// Why a call did not give an answer to act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Not made (refused before anything was posted, or never sent): try again, after
    /// `after_ms` (Unix ms) when the network said when.
    Retry {
        reason: String,
        after_ms: Option<i64>,
    },
    /// Sent, but the answer was lost or unclear: the post may exist.
    Unknown(String),
    /// The network refuses these credentials: the person must reconnect.
    Revoked(String),
    /// The network refuses this post itself: trying again would not help.
    Rejected(String),
}

impl Failure {
    pub fn message(&self) -> &str {
        match self {
            Self::Retry { reason, .. } => reason,
            Self::Unknown(m) | Self::Revoked(m) | Self::Rejected(m) => m,
        }
    }
}

/// One network's client.
pub trait Client: Send + Sync {
    /// Posts `text` (under `thread` when given). May refresh the account's tokens (the caller
    /// stores the account again when its secret changed).
    fn post<'a>(
        &'a self,
        account: &'a mut Account,
        text: &'a str,
        thread: Option<&'a Thread>,
        key: &'a PostKey,
    ) -> NetFuture<'a, Result<Remote, Failure>>;

    /// The post made for `key` (with `text`, under `thread`), if the network has it.
    fn find<'a>(
        &'a self,
        account: &'a mut Account,
        text: &'a str,
        thread: Option<&'a Thread>,
        key: &'a PostKey,
    ) -> NetFuture<'a, Result<Option<Remote>, Failure>>;

    /// Withdraws the credentials where the network allows it (best effort).
    fn revoke<'a>(&'a self, account: &'a Account) -> NetFuture<'a, ()>;
}

/// How long one call to a network may take before its outcome counts as unknown.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(15);

/// A transport error: one that happened before the request left is safe to retry; any other
/// leaves the outcome unknown.
pub fn transport(error: &reqwest::Error) -> Failure {
    if error.is_connect() || error.is_builder() {
        Failure::Retry {
            reason: format!("could not reach the network ({})", short(error)),
            after_ms: None,
        }
    } else {
        Failure::Unknown(format!(
            "no clear answer from the network ({})",
            short(error)
        ))
    }
}

/// An error's kind without its URL (which could carry a token in a query).
fn short(error: &reqwest::Error) -> &'static str {
    if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "connection refused"
    } else if error.is_body() || error.is_decode() {
        "unreadable answer"
    } else {
        "request failed"
    }
}

/// The wait a 429 asks for: the reset time in one of the headers networks use (Unix
/// seconds, or an HTTP/ISO date), else a minute.
pub fn rate_limited(headers: &reqwest::header::HeaderMap, now_ms: i64) -> Failure {
    let value = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let reset = ["ratelimit-reset", "x-rate-limit-reset", "x-ratelimit-reset"]
        .iter()
        .find_map(|name| value(name))
        .and_then(|raw| {
            raw.trim()
                .parse::<i64>()
                .ok()
                .map(|secs| {
                    // Seconds from now (some send a delta) or a Unix time.
                    if secs < 1_000_000_000 {
                        now_ms + secs * 1000
                    } else {
                        secs * 1000
                    }
                })
                .or_else(|| {
                    chrono::DateTime::parse_from_rfc3339(raw.trim())
                        .ok()
                        .map(|t| t.timestamp_millis())
                })
        })
        .or_else(|| {
            value("retry-after")
                .and_then(|raw| raw.trim().parse::<i64>().ok())
                .map(|secs| now_ms + secs * 1000)
        });
    Failure::Retry {
        reason: "the network asked us to slow down".to_owned(),
        after_ms: Some(reset.unwrap_or(now_ms + 60_000).max(now_ms)),
    }
}

/// What a network's refusal says, short and without anything echoed back at length.
pub fn refusal_text(body: &str) -> String {
    let parsed: Option<serde_json::Value> = serde_json::from_str(body).ok();
    let message = parsed.as_ref().and_then(|v| {
        ["message", "error_description", "error", "detail", "title"]
            .iter()
            .find_map(|k| v.get(k).and_then(|m| m.as_str()))
            .map(str::to_owned)
    });
    crate::text::truncate(message.as_deref().unwrap_or("refused"), 200)
}

/// The client for `network`.
pub fn client_for(network: Network, x: &XEndpoints) -> Box<dyn Client> {
    let http = crate::server::state::outside_client();
    match network {
        Network::Bluesky => Box::new(bluesky::Bluesky::new(http)),
        Network::Mastodon => Box::new(mastodon::Mastodon::new(http)),
        Network::X => Box::new(x::X::new(http, x.clone())),
    }
}

/// Where X's API and authorization pages are, and OneRing's app there.
#[derive(Clone, PartialEq, Eq)]
pub struct XEndpoints {
    pub api_base: String,
    pub authorize_url: String,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
}

impl std::fmt::Debug for XEndpoints {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XEndpoints")
            .field("api_base", &self.api_base)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<secret>"),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue};

    #[test]
    fn a_rate_limit_waits_until_the_network_says() {
        let now = 1_800_000_000_000;
        let mut headers = HeaderMap::new();
        headers.insert("ratelimit-reset", HeaderValue::from_static("1800000090"));
        assert_eq!(
            rate_limited(&headers, now),
            Failure::Retry {
                reason: "the network asked us to slow down".into(),
                after_ms: Some(1_800_000_090_000)
            }
        );
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-ratelimit-reset",
            HeaderValue::from_static("2027-01-15T08:00:30Z"),
        );
        let Failure::Retry { after_ms, .. } = rate_limited(&headers, now) else {
            panic!("not a retry");
        };
        assert_eq!(after_ms, Some(chrono_ms("2027-01-15T08:00:30Z")));
        assert_eq!(after_ms, Some(now + 30_000));
        let Failure::Retry { after_ms, .. } = rate_limited(&HeaderMap::new(), now) else {
            panic!("not a retry");
        };
        assert_eq!(after_ms, Some(now + 60_000), "a minute when unsaid");
    }

    fn chrono_ms(raw: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(raw)
            .map(|t| t.timestamp_millis())
            .unwrap_or_default()
    }

    #[test]
    fn refusals_are_short_and_plain() {
        assert_eq!(
            refusal_text(r#"{"error":"InvalidRequest","message":"Text too long"}"#),
            "Text too long"
        );
        assert_eq!(refusal_text("<html>oops</html>"), "refused");
        assert_eq!(
            refusal_text(&format!(r#"{{"error":"{}"}}"#, "x".repeat(500))).len(),
            200
        );
    }
}
