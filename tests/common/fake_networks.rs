//! Fake Bluesky, Mastodon and X servers for the publishing tests (`tests/publishing.rs`) and
//! the browser test (`examples/fake_networks.rs` serves them): one axum app on a free port
//! speaking the documented request and response shapes of the calls OneRing makes.
//!
//! - Bluesky (XRPC): `createSession` (the app password `app-password`), `refreshSession`,
//!   `createRecord` (record keys are the caller's; a key used twice is refused, as a PDS
//!   does), `getRecord`, `resolveHandle`, `deleteSession`.
//! - Mastodon: `POST /api/v1/apps`, `GET /oauth/authorize` (approves at once and sends the
//!   browser back with a code), `POST /oauth/token`, `verify_credentials`,
//!   `POST /api/v1/statuses` (honouring `Idempotency-Key`), `POST /oauth/revoke`.
//! - X (under `/x`): `GET /x/i/oauth2/authorize`, `POST /x/2/oauth2/token`, `GET /x/2/users/me`,
//!   `POST /x/2/tweets` (refusing duplicate text), `GET /x/2/users/:id/tweets`, revoke.
//!
//! A test can make the Nth post attempt misbehave ([`Trouble`]): fail before storing it,
//! store it and then fail (an unknown outcome), answer 429 with a reset time, or refuse the
//! credentials; and it can read every post made, in order.

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde_json::{json, Value};

pub const APP_PASSWORD: &str = "app-password";
pub const BLUESKY_DID: &str = "did:plc:fakeada";
pub const MASTODON_TOKEN: &str = "mastodon-token";

/// What goes wrong with a post attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trouble {
    /// 503 before anything is stored.
    Unavailable,
    /// Stored, then a 502: the caller cannot know it was made.
    LostAnswer,
    /// 429 with a reset this many seconds ahead.
    RateLimited(i64),
    /// 401: the credentials are no longer good.
    Revoked,
}

/// One post the fake holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Made {
    pub network: &'static str,
    pub id: String,
    pub text: String,
    pub reply_to: Option<String>,
}

#[derive(Default)]
pub struct Fake {
    pub posts: Vec<Made>,
    /// Post attempts so far, all networks (1-based when compared with `trouble`).
    pub attempts: usize,
    /// Attempt number → what goes wrong with it.
    pub trouble: HashMap<usize, Trouble>,
    /// Mastodon's idempotency: key → status id.
    idempotency: HashMap<String, String>,
    /// Access tokens handed out (Bluesky and X) that still work.
    tokens: Vec<String>,
    /// Every credential refused from now on.
    pub revoked: bool,
    pub revocations: usize,
    /// OAuth codes handed out: code → (PKCE challenge, network).
    codes: HashMap<String, String>,
    next: u64,
}

impl Fake {
    fn id(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}{:08}", self.next)
    }

    /// The trouble this attempt has, counting it.
    fn attempt(&mut self) -> Option<Trouble> {
        self.attempts += 1;
        if self.revoked {
            return Some(Trouble::Revoked);
        }
        self.trouble.get(&self.attempts).copied()
    }

    fn bearer_ok(&self, headers: &HeaderMap) -> bool {
        let token = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        !self.revoked
            && token.is_some_and(|t| self.tokens.iter().any(|k| k == t) || t == MASTODON_TOKEN)
    }
}

#[derive(Clone)]
pub struct FakeNetworks {
    pub url: String,
    state: Arc<Mutex<Fake>>,
}

impl FakeNetworks {
    pub async fn start() -> Self {
        Self::serve("127.0.0.1:0").await
    }

    pub async fn serve(addr: &str) -> Self {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .unwrap_or_else(|err| panic!("the fake networks could not listen: {err}"));
        Self::serve_on(listener)
    }

    /// [`FakeNetworks::start`] for a synchronous caller inside a Tokio runtime (a test's
    /// configuration closure).
    pub fn start_now() -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.set_nonblocking(true).map(|()| l))
            .and_then(tokio::net::TcpListener::from_std)
            .unwrap_or_else(|err| panic!("the fake networks could not listen: {err}"));
        Self::serve_on(listener)
    }

    fn serve_on(listener: tokio::net::TcpListener) -> Self {
        let url = format!(
            "http://{}",
            listener.local_addr().unwrap_or_else(|err| panic!("{err}"))
        );
        let fake = Self {
            url,
            state: Arc::new(Mutex::new(Fake::default())),
        };
        let app = router(fake.state.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        fake
    }

    pub fn state(&self) -> MutexGuard<'_, Fake> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The posts made, in order.
    pub fn posts(&self) -> Vec<Made> {
        self.state().posts.clone()
    }

    /// Makes attempt number `n` (counting from the next one) go wrong.
    pub fn trouble_in(&self, n: usize, trouble: Trouble) {
        let mut state = self.state();
        let at = state.attempts + n;
        state.trouble.insert(at, trouble);
    }

    pub fn x_api(&self) -> String {
        format!("{}/x", self.url)
    }
}

type Shared = Arc<Mutex<Fake>>;

fn lock(state: &Shared) -> MutexGuard<'_, Fake> {
    state.lock().unwrap_or_else(|p| p.into_inner())
}

fn router(state: Shared) -> Router {
    Router::new()
        .route("/xrpc/com.atproto.server.createSession", post(bsky_session))
        .route(
            "/xrpc/com.atproto.server.refreshSession",
            post(bsky_refresh),
        )
        .route(
            "/xrpc/com.atproto.server.deleteSession",
            post(bsky_delete_session),
        )
        .route("/xrpc/com.atproto.repo.createRecord", post(bsky_create))
        .route("/xrpc/com.atproto.repo.getRecord", get(bsky_get))
        .route(
            "/xrpc/com.atproto.identity.resolveHandle",
            get(bsky_resolve),
        )
        .route("/api/v1/apps", post(masto_app))
        .route("/oauth/authorize", get(authorize))
        .route("/oauth/token", post(masto_token))
        .route("/oauth/revoke", post(revoke))
        .route("/api/v1/accounts/verify_credentials", get(masto_verify))
        .route("/api/v1/statuses", post(masto_post))
        .route("/x/i/oauth2/authorize", get(authorize))
        .route("/x/2/oauth2/token", post(x_token))
        .route("/x/2/oauth2/revoke", post(revoke))
        .route("/x/2/users/me", get(x_me))
        .route("/x/2/tweets", post(x_post))
        .route("/x/2/users/{id}/tweets", get(x_timeline))
        .with_state(state)
}

fn xrpc_error(status: StatusCode, error: &str) -> Response {
    (status, Json(json!({ "error": error, "message": error }))).into_response()
}

fn trouble_response(trouble: Trouble, reset_header: &'static str) -> Response {
    match trouble {
        Trouble::Unavailable => StatusCode::SERVICE_UNAVAILABLE.into_response(),
        Trouble::LostAnswer => StatusCode::BAD_GATEWAY.into_response(),
        Trouble::RateLimited(secs) => {
            let reset = chrono::Utc::now().timestamp() + secs;
            let mut headers = HeaderMap::new();
            let value = if reset_header == "x-ratelimit-reset" {
                chrono::DateTime::from_timestamp(reset, 0)
                    .map(|t| t.to_rfc3339())
                    .unwrap_or_default()
            } else {
                reset.to_string()
            };
            if let Ok(v) = value.parse() {
                headers.insert(reset_header, v);
            }
            (StatusCode::TOO_MANY_REQUESTS, headers, "slow down").into_response()
        }
        Trouble::Revoked => (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "error": "InvalidToken" })),
        )
            .into_response(),
    }
}

async fn bsky_session(State(state): State<Shared>, Json(body): Json<Value>) -> Response {
    if body["password"] != APP_PASSWORD {
        return xrpc_error(StatusCode::UNAUTHORIZED, "AuthenticationRequired");
    }
    let mut fake = lock(&state);
    let (access, refresh) = (fake.id("access-"), fake.id("refresh-"));
    fake.tokens.push(access.clone());
    let handle = body["identifier"].as_str().unwrap_or("ada.test").to_owned();
    let handle = if handle.starts_with("did:") {
        "ada.test".to_owned()
    } else {
        handle
    };
    Json(
        json!({ "did": BLUESKY_DID, "handle": handle, "accessJwt": access, "refreshJwt": refresh }),
    )
    .into_response()
}

async fn bsky_refresh(State(state): State<Shared>) -> Response {
    let mut fake = lock(&state);
    if fake.revoked {
        return xrpc_error(StatusCode::UNAUTHORIZED, "ExpiredToken");
    }
    let (access, refresh) = (fake.id("access-"), fake.id("refresh-"));
    fake.tokens.push(access.clone());
    Json(json!({ "did": BLUESKY_DID, "handle": "ada.test", "accessJwt": access, "refreshJwt": refresh })).into_response()
}

async fn bsky_delete_session(State(state): State<Shared>) -> StatusCode {
    lock(&state).revocations += 1;
    StatusCode::OK
}

async fn bsky_create(
    State(state): State<Shared>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let mut fake = lock(&state);
    if !fake.bearer_ok(&headers) {
        return xrpc_error(StatusCode::UNAUTHORIZED, "InvalidToken");
    }
    let trouble = fake.attempt();
    if matches!(
        trouble,
        Some(Trouble::Unavailable | Trouble::RateLimited(_) | Trouble::Revoked)
    ) {
        return trouble
            .map(|t| trouble_response(t, "ratelimit-reset"))
            .unwrap_or_default();
    }
    let rkey = body["rkey"].as_str().unwrap_or_default().to_owned();
    let uri = format!("at://{BLUESKY_DID}/app.bsky.feed.post/{rkey}");
    if fake.posts.iter().any(|p| p.id == uri) {
        return xrpc_error(StatusCode::BAD_REQUEST, "RecordAlreadyExists");
    }
    let reply_to = body["record"]["reply"]["parent"]["uri"]
        .as_str()
        .map(str::to_owned);
    let text = body["record"]["text"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    fake.posts.push(Made {
        network: "bluesky",
        id: uri.clone(),
        text,
        reply_to,
    });
    if trouble == Some(Trouble::LostAnswer) {
        return trouble_response(Trouble::LostAnswer, "");
    }
    Json(json!({ "uri": uri, "cid": format!("cid-{rkey}") })).into_response()
}

async fn bsky_get(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let fake = lock(&state);
    if !fake.bearer_ok(&headers) {
        return xrpc_error(StatusCode::UNAUTHORIZED, "InvalidToken");
    }
    let rkey = query.get("rkey").cloned().unwrap_or_default();
    let uri = format!("at://{BLUESKY_DID}/app.bsky.feed.post/{rkey}");
    match fake.posts.iter().find(|p| p.id == uri) {
        Some(post) => Json(
            json!({ "uri": post.id, "cid": format!("cid-{rkey}"), "value": { "text": post.text } }),
        )
        .into_response(),
        None => xrpc_error(StatusCode::BAD_REQUEST, "RecordNotFound"),
    }
}

async fn bsky_resolve(Query(query): Query<HashMap<String, String>>) -> Response {
    match query.get("handle").map(String::as_str) {
        Some("bea.bsky.social") => Json(json!({ "did": "did:plc:fakebea" })).into_response(),
        _ => xrpc_error(StatusCode::BAD_REQUEST, "InvalidRequest"),
    }
}

async fn masto_app(State(state): State<Shared>) -> Json<Value> {
    let mut fake = lock(&state);
    Json(json!({ "client_id": fake.id("client-"), "client_secret": fake.id("secret-") }))
}

/// Approves at once: back to `redirect_uri` with a code bound to the PKCE challenge.
async fn authorize(
    State(state): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let mut fake = lock(&state);
    let code = fake.id("code-");
    fake.codes.insert(
        code.clone(),
        query.get("code_challenge").cloned().unwrap_or_default(),
    );
    let redirect = query.get("redirect_uri").cloned().unwrap_or_default();
    let state_param = query.get("state").cloned().unwrap_or_default();
    let target = reqwest_free_url(&redirect, &[("code", &code), ("state", &state_param)]);
    Redirect::to(&target).into_response()
}

fn reqwest_free_url(base: &str, pairs: &[(&str, &str)]) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    format!("{base}?{query}")
}

/// Checks a code against the PKCE verifier (S256).
fn code_ok(fake: &mut Fake, code: &str, verifier: &str) -> bool {
    use base64::Engine as _;
    use sha2::Digest;
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()));
    fake.codes.remove(code).is_some_and(|c| c == challenge)
}

async fn masto_token(
    State(state): State<Shared>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let mut fake = lock(&state);
    let (code, verifier) = (
        form.get("code").cloned().unwrap_or_default(),
        form.get("code_verifier").cloned().unwrap_or_default(),
    );
    if !code_ok(&mut fake, &code, &verifier) {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": "invalid_grant" })),
        )
            .into_response();
    }
    Json(json!({ "access_token": MASTODON_TOKEN, "token_type": "Bearer", "scope": "write:statuses read:accounts" })).into_response()
}

async fn revoke(State(state): State<Shared>) -> StatusCode {
    lock(&state).revocations += 1;
    StatusCode::OK
}

async fn masto_verify(State(state): State<Shared>, headers: HeaderMap) -> Response {
    if !lock(&state).bearer_ok(&headers) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "error": "The access token is invalid" })),
        )
            .into_response();
    }
    Json(json!({ "id": "109", "acct": "ada", "url": "https://mastodon.test/@ada" })).into_response()
}

async fn masto_post(
    State(state): State<Shared>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let mut fake = lock(&state);
    if !fake.bearer_ok(&headers) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "error": "The access token is invalid" })),
        )
            .into_response();
    }
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if let Some(id) = key.as_ref().and_then(|k| fake.idempotency.get(k)).cloned() {
        return Json(json!({ "id": id, "url": format!("https://mastodon.test/@ada/{id}") }))
            .into_response();
    }
    let trouble = fake.attempt();
    if matches!(
        trouble,
        Some(Trouble::Unavailable | Trouble::RateLimited(_) | Trouble::Revoked)
    ) {
        return trouble
            .map(|t| trouble_response(t, "x-ratelimit-reset"))
            .unwrap_or_default();
    }
    let id = fake.id("");
    let text = body["status"].as_str().unwrap_or_default().to_owned();
    let reply_to = body["in_reply_to_id"].as_str().map(str::to_owned);
    fake.posts.push(Made {
        network: "mastodon",
        id: id.clone(),
        text,
        reply_to,
    });
    if let Some(key) = key {
        fake.idempotency.insert(key, id.clone());
    }
    if trouble == Some(Trouble::LostAnswer) {
        return trouble_response(Trouble::LostAnswer, "");
    }
    Json(json!({ "id": id, "url": format!("https://mastodon.test/@ada/{id}") })).into_response()
}

async fn x_token(
    State(state): State<Shared>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let mut fake = lock(&state);
    let granted = match form.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            let (code, verifier) = (
                form.get("code").cloned().unwrap_or_default(),
                form.get("code_verifier").cloned().unwrap_or_default(),
            );
            code_ok(&mut fake, &code, &verifier)
        }
        Some("refresh_token") => !fake.revoked,
        _ => false,
    };
    if !granted {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": "invalid_request" })),
        )
            .into_response();
    }
    let (access, refresh) = (fake.id("xaccess-"), fake.id("xrefresh-"));
    fake.tokens.push(access.clone());
    Json(json!({ "access_token": access, "refresh_token": refresh, "expires_in": 7200, "token_type": "bearer" })).into_response()
}

async fn x_me(State(state): State<Shared>, headers: HeaderMap) -> Response {
    if !lock(&state).bearer_ok(&headers) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    Json(json!({ "data": { "id": "4242", "username": "ada_x", "name": "Ada" } })).into_response()
}

async fn x_post(
    State(state): State<Shared>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let mut fake = lock(&state);
    if !fake.bearer_ok(&headers) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "title": "Unauthorized" })),
        )
            .into_response();
    }
    let text = body["text"].as_str().unwrap_or_default().to_owned();
    if fake
        .posts
        .iter()
        .any(|p| p.network == "x" && p.text == text)
    {
        return (StatusCode::FORBIDDEN, Json(json!({ "detail": "You are not allowed to create a Tweet with duplicate content." }))).into_response();
    }
    let trouble = fake.attempt();
    if matches!(
        trouble,
        Some(Trouble::Unavailable | Trouble::RateLimited(_) | Trouble::Revoked)
    ) {
        return trouble
            .map(|t| trouble_response(t, "x-rate-limit-reset"))
            .unwrap_or_default();
    }
    let id = fake.id("17");
    let reply_to = body["reply"]["in_reply_to_tweet_id"]
        .as_str()
        .map(str::to_owned);
    fake.posts.push(Made {
        network: "x",
        id: id.clone(),
        text: text.clone(),
        reply_to,
    });
    if trouble == Some(Trouble::LostAnswer) {
        return trouble_response(Trouble::LostAnswer, "");
    }
    Json(json!({ "data": { "id": id, "text": text } })).into_response()
}

async fn x_timeline(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(_id): Path<String>,
) -> Response {
    let fake = lock(&state);
    if !fake.bearer_ok(&headers) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let data: Vec<Value> = fake
        .posts
        .iter()
        .rev()
        .filter(|p| p.network == "x")
        .take(20)
        .map(|p| {
            let mut tweet = json!({ "id": p.id, "text": p.text });
            if let Some(parent) = &p.reply_to {
                tweet["referenced_tweets"] = json!([{ "type": "replied_to", "id": parent }]);
            }
            tweet
        })
        .collect();
    Json(json!({ "data": data })).into_response()
}
