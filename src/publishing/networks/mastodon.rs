//! Mastodon, over its REST API against the account's instance: an app registered once per
//! instance (`POST /api/v1/apps`), the OAuth authorization-code flow with PKCE (or a pasted
//! access token), `GET /api/v1/accounts/verify_credentials`, `POST /api/v1/statuses` with
//! `in_reply_to_id` and an `Idempotency-Key` header (the same key on every attempt: Mastodon
//! answers a repeat within an hour with the status it already made), and `POST /oauth/revoke`
//! on disconnect. Plain reqwest: the API is small and every URL must be the instance's.

use serde_json::{json, Value};

use super::{
    rate_limited, refusal_text, transport, Account, Client, Failure, NetFuture, PostKey, Remote,
    Secret, Thread, CALL_TIMEOUT,
};
use crate::publishing::types::Network;

/// What OneRing asks a Mastodon account for: posting, and reading who it is.
pub const SCOPES: &str = "write:statuses read:accounts";

pub struct Mastodon {
    http: reqwest::Client,
}

/// OneRing's app on one instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct App {
    pub client_id: String,
    pub client_secret: String,
}

impl Mastodon {
    pub fn new(http: reqwest::Client) -> Self {
        Self { http }
    }

    fn url(instance: &str, path: &str) -> String {
        format!("{}{path}", instance.trim_end_matches('/'))
    }

    /// Registers OneRing on `instance`, with `redirect_uri` for the authorization code.
    pub async fn register_app(&self, instance: &str, redirect_uri: &str) -> Result<App, Failure> {
        let response = self
            .http
            .post(Self::url(instance, "/api/v1/apps"))
            .timeout(CALL_TIMEOUT)
            .json(&json!({
                "client_name": "OneRing",
                "redirect_uris": redirect_uri,
                "scopes": SCOPES,
                "website": "https://onering.app",
            }))
            .send()
            .await
            .map_err(|e| transport(&e))?;
        if !response.status().is_success() {
            return Err(Failure::Rejected(format!(
                "that server did not register OneRing (it answered {})",
                response.status()
            )));
        }
        let value: Value = response
            .json()
            .await
            .map_err(|_| Failure::Rejected("that does not look like a Mastodon server".into()))?;
        let field = |name: &str| value.get(name).and_then(Value::as_str).map(str::to_owned);
        match (field("client_id"), field("client_secret")) {
            (Some(client_id), Some(client_secret)) => Ok(App {
                client_id,
                client_secret,
            }),
            _ => Err(Failure::Rejected(
                "that does not look like a Mastodon server".into(),
            )),
        }
    }

    /// Where to send the person to authorize OneRing.
    pub fn authorize_url(
        instance: &str,
        app: &App,
        redirect_uri: &str,
        state: &str,
        challenge: &str,
    ) -> Result<String, Failure> {
        reqwest::Url::parse_with_params(
            &Self::url(instance, "/oauth/authorize"),
            &[
                ("response_type", "code"),
                ("client_id", app.client_id.as_str()),
                ("redirect_uri", redirect_uri),
                ("scope", SCOPES),
                ("state", state),
                ("code_challenge", challenge),
                ("code_challenge_method", "S256"),
            ],
        )
        .map(String::from)
        .map_err(|_| Failure::Rejected("not a server address".into()))
    }

    /// Trades an authorization code for a token.
    pub async fn exchange(
        &self,
        instance: &str,
        app: &App,
        redirect_uri: &str,
        code: &str,
        verifier: &str,
    ) -> Result<String, Failure> {
        let response = self
            .http
            .post(Self::url(instance, "/oauth/token"))
            .timeout(CALL_TIMEOUT)
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("client_id", &app.client_id),
                ("client_secret", &app.client_secret),
                ("redirect_uri", redirect_uri),
                ("scope", SCOPES),
                ("code_verifier", verifier),
            ])
            .send()
            .await
            .map_err(|e| transport(&e))?;
        if !response.status().is_success() {
            return Err(Failure::Revoked("the server did not grant access".into()));
        }
        let value: Value = response
            .json()
            .await
            .map_err(|_| Failure::Revoked("the server did not grant access".into()))?;
        value
            .get("access_token")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| Failure::Revoked("the server did not grant access".into()))
    }

    /// The account a token belongs to.
    pub async fn verify(
        &self,
        instance: &str,
        token: &str,
        client: Option<(String, String)>,
    ) -> Result<Account, Failure> {
        let response = self
            .http
            .get(Self::url(instance, "/api/v1/accounts/verify_credentials"))
            .bearer_auth(token)
            .timeout(CALL_TIMEOUT)
            .send()
            .await
            .map_err(|e| transport(&e))?;
        if matches!(response.status().as_u16(), 401 | 403) {
            return Err(Failure::Revoked(
                "That server does not accept this access token.".into(),
            ));
        }
        if !response.status().is_success() {
            return Err(Failure::Retry {
                reason: format!("the server answered {}", response.status()),
                after_ms: None,
            });
        }
        let value: Value = response
            .json()
            .await
            .map_err(|_| Failure::Rejected("that does not look like a Mastodon server".into()))?;
        let id = value.get("id").and_then(Value::as_str);
        let acct = value.get("acct").and_then(Value::as_str);
        let (Some(id), Some(acct)) = (id, acct) else {
            return Err(Failure::Rejected(
                "that does not look like a Mastodon server".into(),
            ));
        };
        let host = instance
            .split_once("://")
            .map_or(instance, |(_, rest)| rest)
            .trim_end_matches('/');
        let handle = if acct.contains('@') {
            acct.to_owned()
        } else {
            format!("{acct}@{host}")
        };
        Ok(Account {
            network: Network::Mastodon,
            server: instance.trim_end_matches('/').to_owned(),
            account_id: id.to_owned(),
            handle,
            secret: Secret::Mastodon {
                token: token.to_owned(),
                client,
            },
        })
    }

    fn token(account: &Account) -> &str {
        match &account.secret {
            Secret::Mastodon { token, .. } => token,
            _ => "",
        }
    }
}

impl Client for Mastodon {
    fn post<'a>(
        &'a self,
        account: &'a mut Account,
        text: &'a str,
        thread: Option<&'a Thread>,
        key: &'a PostKey,
    ) -> NetFuture<'a, Result<Remote, Failure>> {
        Box::pin(async move {
            let mut body = json!({ "status": text });
            if let Some(thread) = thread {
                body["in_reply_to_id"] = json!(thread.parent.id);
            }
            let response = self
                .http
                .post(Self::url(&account.server, "/api/v1/statuses"))
                .bearer_auth(Self::token(account))
                .header("Idempotency-Key", key.idempotency_key())
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
                    let id = value.get("id").and_then(Value::as_str);
                    let url = value.get("url").and_then(Value::as_str);
                    match (id, url) {
                        (Some(id), Some(url)) => Ok(Remote {
                            id: id.to_owned(),
                            cid: None,
                            url: url.to_owned(),
                        }),
                        _ => Err(Failure::Unknown("a post without its address".into())),
                    }
                }
                401 | 403 => Err(Failure::Revoked(
                    "Mastodon no longer accepts this connection: reconnect it.".into(),
                )),
                429 => Err(rate_limited(&headers, crate::db::now_ms())),
                500..=599 => Err(Failure::Unknown(format!("Mastodon answered {status}"))),
                _ => Err(Failure::Rejected(refusal_text(&answer))),
            }
        })
    }

    /// Mastodon settles a lost answer itself: the same `Idempotency-Key` returns the status
    /// already made, so "find" is posting again.
    fn find<'a>(
        &'a self,
        account: &'a mut Account,
        text: &'a str,
        thread: Option<&'a Thread>,
        key: &'a PostKey,
    ) -> NetFuture<'a, Result<Option<Remote>, Failure>> {
        Box::pin(async move { self.post(account, text, thread, key).await.map(Some) })
    }

    fn revoke<'a>(&'a self, account: &'a Account) -> NetFuture<'a, ()> {
        Box::pin(async move {
            if let Secret::Mastodon {
                token,
                client: Some((client_id, client_secret)),
            } = &account.secret
            {
                let _ = self
                    .http
                    .post(Self::url(&account.server, "/oauth/revoke"))
                    .timeout(CALL_TIMEOUT)
                    .form(&[
                        ("client_id", client_id.as_str()),
                        ("client_secret", client_secret.as_str()),
                        ("token", token.as_str()),
                    ])
                    .send()
                    .await;
            }
        })
    }
}
