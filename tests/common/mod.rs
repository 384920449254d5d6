//! Test harness: the real axum router on a fresh database, one per test, on SQLite and on
//! PostgreSQL, driven with real requests and real cookies.
//!
//! PostgreSQL is expected at `TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`); each test creates its own database and
//! drops it afterwards. An unreachable server fails the test loudly: it is never skipped.

#![allow(dead_code)]

pub mod fake_networks;
pub mod fake_stripe;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::Router;
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use leptos::prelude::LeptosOptions;
use onering::db::{run_migrations, Db};
use onering::server::config::Config;
use onering::server::router::build_router;
use onering::server::state::AppState;
use sha2::Digest;
use sqlx::{Connection, Executor};
use tower::ServiceExt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs `$case(&TestApp)` once on SQLite and once on PostgreSQL, as two tests; with
/// `config = |config| …;` first, on an app with that configuration.
#[macro_export]
macro_rules! on_both_backends {
    (config = $configure:expr; $($case:ident),+ $(,)?) => {
        $(
            mod $case {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let app = $crate::common::TestApp::start_with($crate::common::Backend::Sqlite, $configure).await;
                    super::$case(&app).await;
                    app.finish().await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    let app = $crate::common::TestApp::start_with($crate::common::Backend::Postgres, $configure).await;
                    super::$case(&app).await;
                    app.finish().await;
                }
            }
        )+
    };
    ($($case:ident),+ $(,)?) => {
        $(
            mod $case {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let app = $crate::common::TestApp::start($crate::common::Backend::Sqlite).await;
                    super::$case(&app).await;
                    app.finish().await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    let app = $crate::common::TestApp::start($crate::common::Backend::Postgres).await;
                    super::$case(&app).await;
                    app.finish().await;
                }
            }
        )+
    };
}

pub const PUBLIC_ORIGIN: &str = "http://127.0.0.1:3000";

pub struct TestApp {
    pub router: Router,
    pub db: Db,
    /// The database's URL (a second app server can open it too).
    pub database_url: String,
    pub state: AppState,
    pub backend: Backend,
    cleanup: Cleanup,
    /// Every response body this app produced, for the leak scans.
    pub bodies: Arc<Mutex<Vec<String>>>,
    /// Every session token handed out (and its stored hash): no body may ever contain one.
    secrets: Arc<Mutex<Vec<String>>>,
    /// Every invite code handed out: only the response that created it may contain it.
    invite_codes: Arc<Mutex<Vec<String>>>,
}

enum Cleanup {
    SqliteFile(std::path::PathBuf),
    PostgresDatabase { admin_url: String, name: String },
}

fn postgres_admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

impl TestApp {
    pub async fn start(backend: Backend) -> Self {
        Self::start_with(backend, |_| {}).await
    }

    pub async fn start_with(backend: Backend, configure: impl FnOnce(&mut Config)) -> Self {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let (url, cleanup) = match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(format!("onering-test-{id}"));
                let url = format!("sqlite://{}/test.db", dir.display());
                (url, Cleanup::SqliteFile(dir))
            }
            Backend::Postgres => {
                let admin_url = postgres_admin_url();
                let name = format!("onering_test_{id}");
                let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap_or_else(|err| {
                    panic!(
                        "\n\n*** PostgreSQL is unreachable at {admin_url}: {err}\n*** The test suite \
                         runs every storage test on PostgreSQL too; start it (e.g. `pg_ctlcluster \
                         15 main start`) or set TEST_POSTGRES_URL.\n\n"
                    )
                });
                admin
                    .execute(format!("CREATE DATABASE {name}").as_str())
                    .await
                    .unwrap_or_else(|err| panic!("could not create test database {name}: {err}"));
                let _ = admin.close().await;
                let base = admin_url
                    .rsplit_once('/')
                    .map_or(admin_url.as_str(), |(b, _)| b);
                (
                    format!("{base}/{name}"),
                    Cleanup::PostgresDatabase { admin_url, name },
                )
            }
        };
        let mut config = Config::for_database(&url);
        configure(&mut config);
        let db = Db::connect(&url, config.db_max_connections)
            .await
            .unwrap_or_else(|err| panic!("could not open the test database: {err}"));
        run_migrations(&db)
            .await
            .unwrap_or_else(|err| panic!("migrations failed: {err}"));
        let options = LeptosOptions::builder().output_name("onering").build();
        let state = AppState::new(db.clone(), config, options);
        state.live.ready().await;
        let router = build_router(state.clone()).layer(MockConnectInfo(SocketAddr::from((
            [203, 0, 113, 7],
            40_000,
        ))));
        Self {
            router,
            db,
            database_url: url,
            state,
            backend,
            cleanup,
            bodies: Arc::new(Mutex::new(Vec::new())),
            secrets: Arc::new(Mutex::new(Vec::new())),
            invite_codes: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// Checks that no response leaked a secret, then closes the pool and removes the test
    /// database.
    pub async fn finish(self) {
        let password_hashes: Vec<String> = sqlx::query_scalar("SELECT password_hash FROM users")
            .fetch_all(self.db.pool())
            .await
            .unwrap_or_default();
        let mut secrets = self.secrets.lock().map(|s| s.clone()).unwrap_or_default();
        secrets.extend(password_hashes);
        secrets.push(PASSWORD.to_owned());
        secrets.push(PASSWORD.replace(' ', "+"));
        secrets.push("$argon2".to_owned());
        self.assert_never_sent(&secrets.iter().map(String::as_str).collect::<Vec<_>>());
        self.assert_invite_codes_sent_once();
        self.db.close().await;
        match self.cleanup {
            Cleanup::SqliteFile(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::PostgresDatabase { admin_url, name } => {
                if let Ok(mut admin) = sqlx::PgConnection::connect(&admin_url).await {
                    let _ = admin
                        .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                        .await;
                    let _ = admin.close().await;
                }
            }
        }
    }

    /// Serves the app on a real socket (for WebSockets); returns its address.
    pub async fn serve(&self) -> SocketAddr {
        serve_router(self.router.clone()).await
    }

    /// A second app server on the same database (its own pool and live hub), served on a
    /// socket of its own.
    pub async fn second_server(&self) -> SocketAddr {
        let config = Config::for_database(&self.database_url);
        let db = Db::connect(&self.database_url, config.db_max_connections)
            .await
            .unwrap_or_else(|err| panic!("second server: {err}"));
        let options = LeptosOptions::builder().output_name("onering").build();
        let state = AppState::new(db, config, options);
        state.live.ready().await;
        serve_router(build_router(state)).await
    }

    /// The state of a second app server on the same database (its own pool, live hub and
    /// job runner's view), for tests of several servers sharing one database.
    pub async fn second_state(&self) -> AppState {
        let mut config = Config::for_database(&self.database_url);
        config.publishing = self.state.config.publishing.clone();
        let db = Db::connect(&self.database_url, config.db_max_connections)
            .await
            .unwrap_or_else(|err| panic!("second server: {err}"));
        let options = LeptosOptions::builder().output_name("onering").build();
        let state = AppState::new(db, config, options);
        state.live.ready().await;
        state
    }

    /// Moves the person with `handle` to `plan` (as an admin change).
    pub async fn set_plan(&self, handle: &str, plan: &str) {
        let user_id: String = sqlx::query_scalar("SELECT id FROM users WHERE handle = $1")
            .bind(handle)
            .fetch_one(self.db.pool())
            .await
            .unwrap_or_else(|err| panic!("no @{handle}: {err}"));
        let plan = plan.to_owned();
        let changed = self
            .db
            .write_with(move |tx| {
                Box::pin(async move {
                    onering::plans::store::change_plan(
                        tx,
                        &user_id,
                        &plan,
                        onering::plans::store::ChangeReason::Admin,
                        Some("test"),
                        onering::db::now_ms(),
                    )
                    .await
                })
            })
            .await;
        assert!(changed.is_ok(), "{changed:?}");
    }

    /// A browser-like client with its own cookie jar.
    pub fn client(&self) -> Client<'_> {
        Client {
            app: self,
            cookie: None,
            other_cookies: Vec::new(),
            user_agent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36".into(),
        }
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let what = format!("{} {}", request.method(), request.uri());
        let (parts, bytes) = tokio::time::timeout(
            std::time::Duration::from_secs(20),
            exchange(self.router.clone(), request),
        )
        .await
        .unwrap_or_else(|_| panic!("{what} did not complete within 20 s"));
        let (status, headers) = (parts.status, parts.headers);
        let body = String::from_utf8_lossy(&bytes).into_owned();
        if let Ok(mut bodies) = self.bodies.lock() {
            bodies.push(body.clone());
        }
        let reply = Reply {
            status,
            headers,
            body,
        };
        if let (Some(code), Ok(mut codes)) = (invite_code_in(&reply.body), self.invite_codes.lock())
        {
            codes.push(code);
        }
        if let Ok(mut secrets) = self.secrets.lock() {
            for token in reply.session_tokens() {
                secrets.push(hex::encode(sha2::Sha256::digest(token.as_bytes())));
                secrets.push(token);
            }
        }
        reply
    }

    /// Each invite code appeared in exactly one response body (the one that created it), and
    /// its stored hash in none.
    pub fn assert_invite_codes_sent_once(&self) {
        let bodies = self.bodies.lock().map(|b| b.clone()).unwrap_or_default();
        let codes = self
            .invite_codes
            .lock()
            .map(|c| c.clone())
            .unwrap_or_default();
        for code in &codes {
            let hash = hex::encode(sha2::Sha256::digest(code.as_bytes()));
            let showing = bodies.iter().filter(|b| b.contains(code.as_str())).count();
            assert_eq!(
                showing, 1,
                "invite code {code:.4}… was in {showing} response bodies"
            );
            assert!(
                !bodies.iter().any(|b| b.contains(&hash)),
                "a response body contained an invite code's hash"
            );
        }
    }

    /// Asserts that no response so far contained any of `secrets`.
    pub fn assert_never_sent(&self, secrets: &[&str]) {
        let bodies = self.bodies.lock().map(|b| b.clone()).unwrap_or_default();
        for secret in secrets.iter().filter(|s| !s.is_empty()) {
            for body in &bodies {
                assert!(
                    !body.contains(secret),
                    "a response body contained a secret ({secret:.6}…)"
                );
            }
        }
    }
}

#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Non-empty session tokens this reply sets.
    pub fn session_tokens(&self) -> Vec<String> {
        self.set_cookies()
            .iter()
            .filter_map(|c| c.strip_prefix("onering_session="))
            .map(|rest| rest.split(';').next().unwrap_or_default().to_owned())
            .filter(|token| !token.is_empty())
            .collect()
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect()
    }
}

pub struct Client<'a> {
    pub app: &'a TestApp,
    /// The session token.
    pub cookie: Option<String>,
    /// Any other cookies the app set (name, value).
    pub other_cookies: Vec<(String, String)>,
    pub user_agent: String,
}

/// The code in a created invite's link, if `body` is one.
fn invite_code_in(body: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    let link = value.get("link")?.as_str()?;
    link.rsplit_once("/refer/").map(|(_, code)| code.to_owned())
}

impl Client<'_> {
    fn request(&self, method: Method, path: &str) -> http::request::Builder {
        let mut builder = Request::builder()
            .method(method)
            .uri(path)
            .header("user-agent", &self.user_agent)
            .header("sec-fetch-site", "same-origin")
            .header("origin", PUBLIC_ORIGIN);
        let mut cookies: Vec<String> = self
            .other_cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        if let Some(cookie) = &self.cookie {
            cookies.push(format!("onering_session={cookie}"));
        }
        if !cookies.is_empty() {
            builder = builder.header("cookie", cookies.join("; "));
        }
        builder
    }

    fn remember_cookie(&mut self, reply: &Reply) {
        for set in reply.set_cookies() {
            let pair = set.split(';').next().unwrap_or_default();
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            if name == "onering_session" {
                self.cookie = Some(value.to_owned()).filter(|v| !v.is_empty());
                continue;
            }
            self.other_cookies.retain(|(n, _)| n != name);
            if !value.is_empty() {
                self.other_cookies.push((name.to_owned(), value.to_owned()));
            }
        }
    }

    /// The value of a non-session cookie the app set, if it is still set.
    pub fn cookie_named(&self, name: &str) -> Option<&str> {
        self.other_cookies
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Calls a server function with a urlencoded form, as the browser does.
    pub async fn call(&mut self, endpoint: &str, form: &[(&str, &str)]) -> Reply {
        let request = form_request(
            self.request(Method::POST, &format!("/api/{endpoint}")),
            form,
        );
        let reply = self.app.send(request).await;
        self.remember_cookie(&reply);
        reply
    }

    /// Posts a form as a browser does without JavaScript: it accepts HTML and says which
    /// page the form was on.
    pub async fn post_plain_form(
        &mut self,
        endpoint: &str,
        form: &[(&str, &str)],
        from_page: &str,
    ) -> Reply {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let request = self
            .request(Method::POST, &format!("/api/{endpoint}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "text/html,application/xhtml+xml")
            .header("referer", format!("{PUBLIC_ORIGIN}{from_page}"))
            .body(Body::from(body))
            .unwrap_or_default();
        let reply = self.app.send(request).await;
        self.remember_cookie(&reply);
        reply
    }

    pub async fn get(&mut self, path: &str) -> Reply {
        let request = self
            .request(Method::GET, path)
            .header("accept", "text/html,application/xhtml+xml")
            .body(Body::empty())
            .unwrap_or_default();
        let reply = self.app.send(request).await;
        self.remember_cookie(&reply);
        reply
    }

    pub async fn sign_up(&mut self, handle: &str) -> Reply {
        let email = format!("{handle}@example.com");
        let reply = self
            .call(
                "auth/sign_up",
                &[
                    ("handle", handle),
                    ("email", &email),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "sign-up failed: {}",
            reply.body
        );
        reply
    }
}

impl Client<'_> {
    pub async fn sign_in(&mut self, login: &str, password: &str) -> Reply {
        self.call("auth/sign_in", &[("login", login), ("password", password)])
            .await
    }
}

fn form_request(builder: http::request::Builder, form: &[(&str, &str)]) -> Request<Body> {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    builder
        .header("content-type", "application/x-www-form-urlencoded")
        .header("content-length", body.len())
        .header("accept", "application/json")
        .body(Body::from(body))
        .unwrap_or_default()
}

async fn serve_router(router: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|err| panic!("could not listen: {err}"));
    let addr = listener
        .local_addr()
        .unwrap_or_else(|err| panic!("no local address: {err}"));
    tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await;
    });
    addr
}

/// Runs `call_with` on a task of its own.
pub fn spawn_call(
    app: &TestApp,
    cookie: Option<String>,
    endpoint: &'static str,
    form: Vec<(&'static str, String)>,
) -> tokio::task::JoinHandle<(StatusCode, String)> {
    let router = app.router.clone();
    tokio::spawn(async move {
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        call_with(router, cookie, endpoint, &pairs).await
    })
}

/// Sends `request` through `router` and reads the whole response.
pub async fn exchange(
    router: Router,
    request: Request<Body>,
) -> (http::response::Parts, axum::body::Bytes) {
    let response = router.oneshot(request).await.unwrap_or_else(|e| match e {});
    let (parts, body) = response.into_parts();
    let bytes = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    (parts, bytes)
}

/// A server-function call from a spawned task (which cannot borrow a `Client`).
pub async fn call_with(
    router: Router,
    cookie: Option<String>,
    endpoint: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String) {
    let mut builder = Request::builder()
        .method(Method::POST)
        .uri(format!("/api/{endpoint}"))
        .header("sec-fetch-site", "same-origin");
    if let Some(cookie) = cookie {
        builder = builder.header("cookie", format!("onering_session={cookie}"));
    }
    let (parts, bytes) = exchange(router, form_request(builder, form)).await;
    let status = parts.status;
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

pub const PASSWORD: &str = "correct horse battery staple";

/// A fresh idempotency key (one per intent).
pub fn key() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Calls a mutating server function with a fresh idempotency key.
pub async fn change(client: &mut Client<'_>, endpoint: &str, form: &[(&str, &str)]) -> Reply {
    let key = key();
    let mut form = form.to_vec();
    form.push(("idempotency_key", &key));
    client.call(endpoint, &form).await
}

/// A GET of an image route as `client` (with its cookie), optionally revalidating `etag`:
/// the status, headers and bytes.
pub async fn get_image(
    app: &TestApp,
    client: &Client<'_>,
    path: &str,
    etag: Option<&str>,
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut builder = Request::builder().uri(path);
    if let Some(cookie) = &client.cookie {
        builder = builder.header("cookie", format!("onering_session={cookie}"));
    }
    if let Some(etag) = etag {
        builder = builder.header("if-none-match", etag);
    }
    let response = app
        .router
        .clone()
        .oneshot(builder.body(Body::empty()).unwrap_or_default())
        .await
        .unwrap_or_else(|e| match e {});
    let (parts, body) = response.into_parts();
    let bytes = body
        .collect()
        .await
        .map(|b| b.to_bytes().to_vec())
        .unwrap_or_default();
    (parts.status, parts.headers, bytes)
}

/// Decodes a PNG: its size and whether it has more than a handful of colours.
pub fn decoded(png: &[u8]) -> (u32, u32, bool) {
    let pixmap =
        resvg::tiny_skia::Pixmap::decode_png(png).unwrap_or_else(|e| panic!("not a PNG: {e}"));
    let colours: std::collections::BTreeSet<[u8; 4]> = pixmap
        .pixels()
        .iter()
        .step_by(97)
        .map(|p| [p.red(), p.green(), p.blue(), p.alpha()])
        .collect();
    (pixmap.width(), pixmap.height(), colours.len() > 20)
}

pub fn sha(bytes: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(bytes))
}
