//! Bluesky, over the AT Protocol's HTTP API (XRPC) against the account's PDS:
//! `com.atproto.server.createSession` with an app password (never the main password),
//! `refreshSession` when the access token expires, `com.atproto.repo.createRecord` for each
//! post (with `reply.root`/`reply.parent`, and facets for links, mentions and hashtags that we
//! build ourselves, so nothing is resolved through a third party), `getRecord` to settle an
//! unknown outcome, `deleteSession` to disconnect.
//!
//! Every post's record key is a TID made from the publication's time and the post's position:
//! the same post always has the same key, so a retry can never create a second record.

use serde_json::{json, Value};

use super::{
    rate_limited, refusal_text, transport, Account, Client, Failure, NetFuture, PostKey, Remote,
    Secret, Thread, CALL_TIMEOUT,
};
use crate::publishing::types::Network;

const POST: &str = "app.bsky.feed.post";
/// The sortable base-32 alphabet of TIDs.
const TID_ALPHABET: &[u8; 32] = b"234567abcdefghijklmnopqrstuvwxyz";

pub struct Bluesky {
    http: reqwest::Client,
}

impl Bluesky {
    pub fn new(http: reqwest::Client) -> Self {
        Self { http }
    }

    fn url(server: &str, method: &str) -> String {
        format!("{}/xrpc/{method}", server.trim_end_matches('/'))
    }

    /// Signs in with an app password: the account (DID, handle) and its tokens.
    pub async fn sign_in(
        &self,
        server: &str,
        identifier: &str,
        app_password: &str,
    ) -> Result<Account, Failure> {
        let response = self
            .http
            .post(Self::url(server, "com.atproto.server.createSession"))
            .timeout(CALL_TIMEOUT)
            .json(&json!({ "identifier": identifier, "password": app_password }))
            .send()
            .await
            .map_err(|e| transport(&e))?;
        let status = response.status();
        let body = response.text().await.map_err(|e| transport(&e))?;
        if status.as_u16() == 401 || status.as_u16() == 400 {
            return Err(Failure::Revoked(
                "Bluesky did not accept that handle and app password.".to_owned(),
            ));
        }
        if !status.is_success() {
            return Err(Failure::Retry {
                reason: format!("Bluesky answered {status}"),
                after_ms: None,
            });
        }
        let session: Value = serde_json::from_str(&body)
            .map_err(|_| Failure::Unknown("unreadable session".into()))?;
        let field = |name: &str| session.get(name).and_then(Value::as_str).map(str::to_owned);
        match (
            field("did"),
            field("handle"),
            field("accessJwt"),
            field("refreshJwt"),
        ) {
            (Some(did), Some(handle), Some(access_jwt), Some(refresh_jwt)) => Ok(Account {
                network: Network::Bluesky,
                server: server.trim_end_matches('/').to_owned(),
                account_id: did,
                handle,
                secret: Secret::Bluesky {
                    app_password: app_password.to_owned(),
                    access_jwt,
                    refresh_jwt,
                },
            }),
            _ => Err(Failure::Unknown(
                "an incomplete session from Bluesky".into(),
            )),
        }
    }

    /// New tokens: the refresh token, else signing in again with the app password.
    async fn renew(&self, account: &mut Account) -> Result<(), Failure> {
        let Secret::Bluesky {
            app_password,
            refresh_jwt,
            ..
        } = &account.secret
        else {
            return Err(Failure::Revoked("not a Bluesky account".into()));
        };
        let (app_password, refresh_jwt) = (app_password.clone(), refresh_jwt.clone());
        let refreshed = self
            .http
            .post(Self::url(
                &account.server,
                "com.atproto.server.refreshSession",
            ))
            .bearer_auth(&refresh_jwt)
            .timeout(CALL_TIMEOUT)
            .send()
            .await
            .map_err(|e| transport(&e))?;
        if refreshed.status().is_success() {
            let session: Value = refreshed
                .json()
                .await
                .map_err(|_| Failure::Unknown("unreadable session".into()))?;
            let field = |name: &str| session.get(name).and_then(Value::as_str).map(str::to_owned);
            if let (Some(access_jwt), Some(refresh_jwt)) = (field("accessJwt"), field("refreshJwt"))
            {
                account.secret = Secret::Bluesky {
                    app_password,
                    access_jwt,
                    refresh_jwt,
                };
                return Ok(());
            }
        }
        let fresh = self
            .sign_in(&account.server, &account.account_id, &app_password)
            .await?;
        account.secret = fresh.secret;
        Ok(())
    }

    fn access(account: &Account) -> &str {
        match &account.secret {
            Secret::Bluesky { access_jwt, .. } => access_jwt,
            _ => "",
        }
    }

    /// Sends a signed request, renewing the tokens once if they expired.
    async fn send(
        &self,
        account: &mut Account,
        make: impl Fn(&reqwest::Client, &str) -> reqwest::RequestBuilder,
    ) -> Result<(reqwest::StatusCode, reqwest::header::HeaderMap, String), Failure> {
        for attempt in 0..2 {
            let response = make(&self.http, Self::access(account))
                .timeout(CALL_TIMEOUT)
                .send()
                .await
                .map_err(|e| transport(&e))?;
            let (status, headers) = (response.status(), response.headers().clone());
            let body = response.text().await.map_err(|e| transport(&e))?;
            let expired = matches!(status.as_u16(), 400 | 401)
                && matches!(
                    error_code(&body).as_deref(),
                    Some("ExpiredToken" | "InvalidToken" | "AuthenticationRequired")
                );
            if expired && attempt == 0 {
                self.renew(account).await?;
                continue;
            }
            if expired || status.as_u16() == 401 {
                return Err(Failure::Revoked(
                    "Bluesky no longer accepts this connection: reconnect it with a new app password."
                        .into(),
                ));
            }
            return Ok((status, headers, body));
        }
        Err(Failure::Revoked(
            "Bluesky refused the renewed session.".into(),
        ))
    }

    async fn resolve(&self, server: &str, handle: &str) -> Option<String> {
        let response = self
            .http
            .get(Self::url(server, "com.atproto.identity.resolveHandle"))
            .query(&[("handle", handle)])
            .timeout(CALL_TIMEOUT)
            .send()
            .await
            .ok()?;
        if !response.status().is_success() {
            return None;
        }
        let value: Value = response.json().await.ok()?;
        value.get("did").and_then(Value::as_str).map(str::to_owned)
    }

    async fn record(
        &self,
        account: &Account,
        text: &str,
        thread: Option<&Thread>,
        at_ms: i64,
    ) -> Value {
        let mut facets = Vec::new();
        for span in spans(text) {
            let feature = match &span.kind {
                SpanKind::Link(uri) => {
                    json!({ "$type": "app.bsky.richtext.facet#link", "uri": uri })
                }
                SpanKind::Tag(tag) => json!({ "$type": "app.bsky.richtext.facet#tag", "tag": tag }),
                SpanKind::Mention(handle) => match self.resolve(&account.server, handle).await {
                    Some(did) => json!({ "$type": "app.bsky.richtext.facet#mention", "did": did }),
                    None => continue,
                },
            };
            facets.push(json!({
                "index": { "byteStart": span.start, "byteEnd": span.end },
                "features": [feature],
            }));
        }
        let mut record = json!({
            "$type": POST,
            "text": text,
            "createdAt": crate::clock::rfc3339(at_ms),
        });
        if !facets.is_empty() {
            record["facets"] = Value::Array(facets);
        }
        if let Some(thread) = thread {
            record["reply"] = json!({
                "root": { "uri": thread.root.id, "cid": thread.root.cid },
                "parent": { "uri": thread.parent.id, "cid": thread.parent.cid },
            });
        }
        record
    }

    fn remote(account: &Account, uri: &str, cid: Option<String>) -> Remote {
        let rkey = uri.rsplit('/').next().unwrap_or_default();
        Remote {
            id: uri.to_owned(),
            cid,
            url: format!("https://bsky.app/profile/{}/post/{rkey}", account.handle),
        }
    }
}

impl Client for Bluesky {
    fn post<'a>(
        &'a self,
        account: &'a mut Account,
        text: &'a str,
        thread: Option<&'a Thread>,
        key: &'a PostKey,
    ) -> NetFuture<'a, Result<Remote, Failure>> {
        Box::pin(async move {
            let rkey = tid(key);
            let record = self.record(account, text, thread, key.created_at_ms).await;
            let body = json!({ "repo": account.account_id, "collection": POST, "rkey": rkey, "record": record });
            let server = account.server.clone();
            let (status, headers, answer) = self
                .send(account, |http, token| {
                    http.post(Self::url(&server, "com.atproto.repo.createRecord"))
                        .bearer_auth(token)
                        .json(&body)
                })
                .await?;
            let now = crate::db::now_ms();
            match status.as_u16() {
                200..=299 => {
                    let value: Value = serde_json::from_str(&answer)
                        .map_err(|_| Failure::Unknown("unreadable answer to a post".into()))?;
                    let uri = value.get("uri").and_then(Value::as_str);
                    let cid = value.get("cid").and_then(Value::as_str).map(str::to_owned);
                    uri.map(|uri| Self::remote(account, uri, cid))
                        .ok_or_else(|| Failure::Unknown("a post without its address".into()))
                }
                429 => Err(rate_limited(&headers, now)),
                500..=599 => Err(Failure::Unknown(format!("Bluesky answered {status}"))),
                _ => Err(Failure::Rejected(refusal_text(&answer))),
            }
        })
    }

    fn find<'a>(
        &'a self,
        account: &'a mut Account,
        _text: &'a str,
        _thread: Option<&'a Thread>,
        key: &'a PostKey,
    ) -> NetFuture<'a, Result<Option<Remote>, Failure>> {
        Box::pin(async move {
            let rkey = tid(key);
            let (server, repo) = (account.server.clone(), account.account_id.clone());
            let (status, headers, answer) = self
                .send(account, |http, token| {
                    http.get(Self::url(&server, "com.atproto.repo.getRecord"))
                        .bearer_auth(token)
                        .query(&[
                            ("repo", repo.as_str()),
                            ("collection", POST),
                            ("rkey", rkey.as_str()),
                        ])
                })
                .await?;
            match status.as_u16() {
                200..=299 => {
                    let value: Value = serde_json::from_str(&answer)
                        .map_err(|_| Failure::Unknown("unreadable record".into()))?;
                    let uri = value.get("uri").and_then(Value::as_str);
                    let cid = value.get("cid").and_then(Value::as_str).map(str::to_owned);
                    Ok(uri.map(|uri| Self::remote(account, uri, cid)))
                }
                400 | 404
                    if error_code(&answer).as_deref() == Some("RecordNotFound")
                        || status.as_u16() == 404 =>
                {
                    Ok(None)
                }
                429 => Err(rate_limited(&headers, crate::db::now_ms())),
                _ => Err(Failure::Retry {
                    reason: format!("could not look the post up (Bluesky answered {status})"),
                    after_ms: None,
                }),
            }
        })
    }

    fn revoke<'a>(&'a self, account: &'a Account) -> NetFuture<'a, ()> {
        Box::pin(async move {
            if let Secret::Bluesky { refresh_jwt, .. } = &account.secret {
                let _ = self
                    .http
                    .post(Self::url(
                        &account.server,
                        "com.atproto.server.deleteSession",
                    ))
                    .bearer_auth(refresh_jwt)
                    .timeout(CALL_TIMEOUT)
                    .send()
                    .await;
            }
        })
    }
}

fn error_code(body: &str) -> Option<String> {
    serde_json::from_str::<Value>(body)
        .ok()?
        .get("error")?
        .as_str()
        .map(str::to_owned)
}

/// The post's record key: a TID (13 characters of sortable base 32) whose timestamp is the
/// publication's time plus the position in microseconds, and whose clock id comes from the
/// publication's id: unique per post, the same on every attempt.
pub fn tid(key: &PostKey) -> String {
    let micros = (key.created_at_ms.max(0) as u64)
        .saturating_mul(1000)
        .saturating_add(key.position.max(0) as u64)
        & ((1 << 53) - 1);
    let clock = key.publication_id.bytes().fold(0u64, |acc, b| {
        acc.wrapping_mul(31).wrapping_add(u64::from(b))
    }) & 0x3FF;
    let mut value = (micros << 10) | clock;
    let mut out = [0u8; 13];
    for slot in out.iter_mut().rev() {
        *slot = TID_ALPHABET[(value & 31) as usize];
        value >>= 5;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A link, mention or hashtag in a post, by UTF-8 byte range (what facets index).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub kind: SpanKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpanKind {
    Link(String),
    Mention(String),
    Tag(String),
}

/// The links (`https://…`, `www.…`), mentions (`@handle.domain`) and hashtags (`#tag`) in
/// `text`, each a whole word without the punctuation that ends a sentence.
pub fn spans(text: &str) -> Vec<Span> {
    let mut found = Vec::new();
    let mut offset = 0;
    for word in text.split_inclusive(char::is_whitespace) {
        let start = offset;
        offset += word.len();
        let word = word.trim_end();
        let start = start + (word.len() - word.trim_start_matches(['(', '"', '\'']).len());
        let word = word.trim_start_matches(['(', '"', '\'']);
        let trimmed = word.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '"', '\'']);
        let end = start + trimmed.len();
        let lower = trimmed.to_ascii_lowercase();
        let kind = if lower.starts_with("https://") || lower.starts_with("http://") {
            (trimmed.len() > 8).then(|| SpanKind::Link(trimmed.to_owned()))
        } else if lower.starts_with("www.") && trimmed.len() > 4 && trimmed[4..].contains('.') {
            Some(SpanKind::Link(format!("https://{trimmed}")))
        } else if let Some(handle) = trimmed.strip_prefix('@') {
            let valid = handle.contains('.')
                && !handle.starts_with('.')
                && !handle.ends_with('.')
                && handle
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
            valid.then(|| SpanKind::Mention(handle.to_ascii_lowercase()))
        } else if let Some(tag) = trimmed.strip_prefix('#') {
            let valid = !tag.is_empty()
                && tag.chars().count() <= 64
                && !tag.chars().all(|c| c.is_ascii_digit())
                && tag.chars().all(|c| c.is_alphanumeric() || c == '_');
            valid.then(|| SpanKind::Tag(tag.to_owned()))
        } else {
            None
        };
        if let Some(kind) = kind {
            found.push(Span { start, end, kind });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_keys_are_tids_stable_per_post_and_distinct_across_posts() {
        let key = |position| PostKey {
            publication_id: "7f1c2a9e-0c1d-4a5b-9d3e-2f6a8b7c9d0e".into(),
            position,
            created_at_ms: 1_800_000_000_000,
        };
        let first = tid(&key(1));
        assert_eq!(first.len(), 13);
        assert!(first.bytes().all(|b| TID_ALPHABET.contains(&b)));
        assert_eq!(first, tid(&key(1)));
        assert_ne!(first, tid(&key(2)));
        assert!(first < tid(&key(2)), "later posts sort later");
        assert!(
            first.starts_with([
                '2', '3', '4', '5', '6', '7', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'
            ]),
            "the top bit is 0"
        );
    }

    #[test]
    fn facets_cover_links_mentions_and_tags_by_byte_range() {
        let text =
            "Read https://example.com/a. Thanks @ada.bsky.social! 🎉 #OneRing (www.onering.app)";
        let found = spans(text);
        let slice = |s: &Span| &text[s.start..s.end];
        assert_eq!(found.len(), 4, "{found:?}");
        assert_eq!(slice(&found[0]), "https://example.com/a");
        assert_eq!(found[1].kind, SpanKind::Mention("ada.bsky.social".into()));
        assert_eq!(slice(&found[1]), "@ada.bsky.social");
        assert_eq!(slice(&found[2]), "#OneRing");
        assert_eq!(
            found[3].kind,
            SpanKind::Link("https://www.onering.app".into())
        );
        assert!(spans("email me@example at #123 or @nobody").is_empty());
    }
}
