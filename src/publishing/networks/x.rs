//! X, over its v2 API: OAuth 2.0 authorization code with PKCE (OneRing's client id and
//! secret from configuration; X is off without them), `offline.access` for a refresh token
//! (an access token lasts two hours), `GET /2/users/me`, `POST /2/tweets` with
//! `reply.in_reply_to_tweet_id`, `POST /2/oauth2/revoke`.
//!
//! X takes no idempotency key. A post whose answer was lost is looked up among the account's
//! latest posts (`GET /2/users/:id/tweets`: same text, replying to the same post) before it is
//! sent again; and X refuses a second identical post ("duplicate content"), which is taken as
//! "it is there" and looked up the same way.

use serde_json::{json, Value};

use super::{
    rate_limited, refusal_text, transport, Account, Client, Failure, NetFuture, PostKey, Remote,
    Secret, Thread, XEndpoints, CALL_TIMEOUT,
};
use crate::publishing::types::Network;

pub const SCOPES: &str = "tweet.read tweet.write users.read offline.access";
/// Refresh a token this long before it expires.
const REFRESH_MARGIN_MS: i64 = 60_000;

pub struct X {
    http: reqwest::Client,
    endpoints: XEndpoints,
}

impl X {
    pub fn new(http: reqwest::Client, endpoints: XEndpoints) -> Self {
        Self { http, endpoints }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.endpoints.api_base.trim_end_matches('/'))
    }

    fn client(&self) -> Result<(&str, Option<&str>), Failure> {
        match &self.endpoints.client_id {
            Some(id) => Ok((id, self.endpoints.client_secret.as_deref())),
            None => Err(Failure::Rejected("X is not set up on this server".into())),
        }
    }

    /// Where to send the person to authorize OneRing.
    pub fn authorize_url(
        &self,
        redirect_uri: &str,
        state: &str,
        challenge: &str,
    ) -> Result<String, Failure> {
        let (client_id, _) = self.client()?;
        reqwest::Url::parse_with_params(
            &self.endpoints.authorize_url,
            &[
                ("response_type", "code"),
                ("client_id", client_id),
                ("redirect_uri", redirect_uri),
                ("scope", SCOPES),
                ("state", state),
                ("code_challenge", challenge),
                ("code_challenge_method", "S256"),
            ],
        )
        .map(String::from)
        .map_err(|_| Failure::Rejected("X's authorization address is not a URL".into()))
    }

    async fn token_request(&self, form: &[(&str, &str)]) -> Result<Secret, Failure> {
        let (client_id, client_secret) = self.client()?;
        let mut request = self
            .http
            .post(self.url("/2/oauth2/token"))
            .timeout(CALL_TIMEOUT);
        // A confidential client authenticates with Basic; a public one names itself.
        request = match client_secret {
            Some(secret) => request.basic_auth(client_id, Some(secret)).form(form),
            None => {
                let mut with_id = form.to_vec();
                with_id.push(("client_id", client_id));
                request.form(&with_id)
            }
        };
        let response = request.send().await.map_err(|e| transport(&e))?;
        if !response.status().is_success() {
            return Err(Failure::Revoked(
                "X no longer accepts this connection: reconnect it.".into(),
            ));
        }
        let value: Value = response
            .json()
            .await
            .map_err(|_| Failure::Revoked("X gave no usable token".into()))?;
        let access = value.get("access_token").and_then(Value::as_str);
        let Some(access) = access else {
            return Err(Failure::Revoked("X gave no usable token".into()));
        };
        let expires_in = value
            .get("expires_in")
            .and_then(Value::as_i64)
            .unwrap_or(7200);
        Ok(Secret::X {
            access_token: access.to_owned(),
            refresh_token: value
                .get("refresh_token")
                .and_then(Value::as_str)
                .map(str::to_owned),
            expires_at_ms: crate::db::now_ms() + expires_in * 1000,
        })
    }

    /// Trades an authorization code for tokens, and finds whose they are.
    pub async fn exchange(
        &self,
        redirect_uri: &str,
        code: &str,
        verifier: &str,
    ) -> Result<Account, Failure> {
        let secret = self
            .token_request(&[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", redirect_uri),
                ("code_verifier", verifier),
            ])
            .await?;
        let Secret::X { access_token, .. } = &secret else {
            return Err(Failure::Revoked("X gave no usable token".into()));
        };
        let response = self
            .http
            .get(self.url("/2/users/me"))
            .bearer_auth(access_token)
            .timeout(CALL_TIMEOUT)
            .send()
            .await
            .map_err(|e| transport(&e))?;
        let value: Value = response
            .json()
            .await
            .map_err(|_| Failure::Revoked("X did not say whose account this is".into()))?;
        let data = value.get("data");
        let id = data.and_then(|d| d.get("id")).and_then(Value::as_str);
        let username = data.and_then(|d| d.get("username")).and_then(Value::as_str);
        match (id, username) {
            (Some(id), Some(username)) => Ok(Account {
                network: Network::X,
                server: self.endpoints.api_base.trim_end_matches('/').to_owned(),
                account_id: id.to_owned(),
                handle: username.to_owned(),
                secret,
            }),
            _ => Err(Failure::Revoked(
                "X did not say whose account this is".into(),
            )),
        }
    }

    /// A usable access token, refreshed first when it is (nearly) expired.
    async fn access(&self, account: &mut Account) -> Result<String, Failure> {
        let Secret::X {
            access_token,
            refresh_token,
            expires_at_ms,
        } = &account.secret
        else {
            return Err(Failure::Revoked("not an X account".into()));
        };
        if *expires_at_ms - REFRESH_MARGIN_MS > crate::db::now_ms() {
            return Ok(access_token.clone());
        }
        let Some(refresh) = refresh_token.clone() else {
            return Err(Failure::Revoked(
                "X's access expired: reconnect the account.".into(),
            ));
        };
        account.secret = self
            .token_request(&[("grant_type", "refresh_token"), ("refresh_token", &refresh)])
            .await?;
        match &account.secret {
            Secret::X { access_token, .. } => Ok(access_token.clone()),
            _ => Err(Failure::Revoked("X gave no usable token".into())),
        }
    }

    fn remote(account: &Account, id: &str) -> Remote {
        Remote {
            id: id.to_owned(),
            cid: None,
            url: format!("https://x.com/{}/status/{id}", account.handle),
        }
    }
}

impl Client for X {
    fn post<'a>(
        &'a self,
        account: &'a mut Account,
        text: &'a str,
        thread: Option<&'a Thread>,
        key: &'a PostKey,
    ) -> NetFuture<'a, Result<Remote, Failure>> {
        Box::pin(async move {
            let token = self.access(account).await?;
            let mut body = json!({ "text": text });
            if let Some(thread) = thread {
                body["reply"] = json!({ "in_reply_to_tweet_id": thread.parent.id });
            }
            let response = self
                .http
                .post(self.url("/2/tweets"))
                .bearer_auth(&token)
                .timeout(CALL_TIMEOUT)
                .json(&body)
                .send()
                .await
                .map_err(|e| transport(&e))?;
            let (status, headers) = (response.status(), response.headers().clone());
            let answer = response.text().await.map_err(|e| transport(&e))?;
            match status.as_u16() {
                200..=299 => {
                    let value: Value = serde_json::from_str(&answer)
                        .map_err(|_| Failure::Unknown("unreadable answer to a post".into()))?;
                    value
                        .get("data")
                        .and_then(|d| d.get("id"))
                        .and_then(Value::as_str)
                        .map(|id| Self::remote(account, id))
                        .ok_or_else(|| Failure::Unknown("a post without its id".into()))
                }
                401 => Err(Failure::Revoked(
                    "X no longer accepts this connection: reconnect it.".into(),
                )),
                // Already posted (a lost answer): the same text was made already.
                403 if answer.to_lowercase().contains("duplicate") => {
                    match self.find(account, text, thread, key).await? {
                        Some(found) => Ok(found),
                        None => Err(Failure::Rejected(refusal_text(&answer))),
                    }
                }
                429 => Err(rate_limited(&headers, crate::db::now_ms())),
                500..=599 => Err(Failure::Unknown(format!("X answered {status}"))),
                _ => Err(Failure::Rejected(refusal_text(&answer))),
            }
        })
    }

    fn find<'a>(
        &'a self,
        account: &'a mut Account,
        text: &'a str,
        thread: Option<&'a Thread>,
        _key: &'a PostKey,
    ) -> NetFuture<'a, Result<Option<Remote>, Failure>> {
        Box::pin(async move {
            let token = self.access(account).await?;
            let response = self
                .http
                .get(self.url(&format!("/2/users/{}/tweets", account.account_id)))
                .bearer_auth(&token)
                .query(&[("max_results", "20"), ("tweet.fields", "referenced_tweets")])
                .timeout(CALL_TIMEOUT)
                .send()
                .await
                .map_err(|e| transport(&e))?;
            let (status, headers) = (response.status(), response.headers().clone());
            if status.as_u16() == 429 {
                return Err(rate_limited(&headers, crate::db::now_ms()));
            }
            if !status.is_success() {
                return Err(Failure::Retry {
                    reason: format!("could not look the post up (X answered {status})"),
                    after_ms: None,
                });
            }
            let value: Value = response
                .json()
                .await
                .map_err(|_| Failure::Unknown("unreadable timeline".into()))?;
            let parent = thread.map(|t| t.parent.id.as_str());
            let found = value
                .get("data")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .find(|tweet| {
                    let same_text = tweet.get("text").and_then(Value::as_str) == Some(text);
                    let replied_to = tweet
                        .get("referenced_tweets")
                        .and_then(Value::as_array)
                        .and_then(|refs| {
                            refs.iter().find(|r| {
                                r.get("type").and_then(Value::as_str) == Some("replied_to")
                            })
                        })
                        .and_then(|r| r.get("id"))
                        .and_then(Value::as_str);
                    same_text && replied_to == parent
                })
                .and_then(|tweet| tweet.get("id").and_then(Value::as_str))
                .map(|id| Self::remote(account, id));
            Ok(found)
        })
    }

    fn revoke<'a>(&'a self, account: &'a Account) -> NetFuture<'a, ()> {
        Box::pin(async move {
            let (Ok((client_id, client_secret)), Secret::X { access_token, .. }) =
                (self.client(), &account.secret)
            else {
                return;
            };
            let mut request = self
                .http
                .post(self.url("/2/oauth2/revoke"))
                .timeout(CALL_TIMEOUT);
            request = match client_secret {
                Some(secret) => request.basic_auth(client_id, Some(secret)),
                None => request,
            };
            let _ = request
                .form(&[
                    ("token", access_token.as_str()),
                    ("client_id", client_id),
                    ("token_type_hint", "access_token"),
                ])
                .send()
                .await;
        })
    }
}
