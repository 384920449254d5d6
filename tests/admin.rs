//! Admin pages' functions through the real router, on SQLite and PostgreSQL: the three ways
//! in (an identity provider's RS256 token against a JWKS served by a local test server, an
//! account granted the admin role from the command line, the legacy key), every function
//! refused without a credential (401) and to a non-admin (403), every change audited with
//! its actor in its own transaction (and rolled back when the audit row cannot be
//! written), and an audit table that refuses to be rewritten.

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use axum::body::Body;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use common::{change, key, Backend, Client, Reply, TestApp};
use http::{Method, Request, StatusCode};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use onering::admin::config::{AdminConfig, AuthMode, Environment, JwtConfig};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs8::{EncodePublicKey, LineEnding};
use rsa::traits::PublicKeyParts;
use serde_json::{json, Value};
use sha2::Digest;

const ISSUER: &str = "https://clerk.onering.test";
const PARTY: &str = "https://onering.test";
const LEGACY_KEY: &str = "legacy admin key for tests";

/// Runs `$case(Backend)` as a test on each backend.
macro_rules! both {
    ($($case:ident),+ $(,)?) => {
        $(
            mod $case {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$case(super::Backend::Sqlite).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$case(super::Backend::Postgres).await;
                }
            }
        )+
    };
}

both!(
    identity_provider_tokens_are_checked_strictly,
    the_key_set_is_cached_refetched_on_rotation_and_kept_while_the_provider_is_down,
    the_legacy_key_works_in_development_only_and_never_in_jwt_mode,
    an_account_is_an_admin_only_after_the_command_line_grants_it,
    every_admin_function_refuses_strangers_and_members,
    every_change_is_audited_with_its_actor_and_applied_once,
    a_change_whose_audit_row_cannot_be_written_changes_nothing,
    the_audit_table_refuses_updates_and_deletes,
    the_admin_pages_answer_401_403_and_render_for_admins,
    repeated_failures_from_one_address_are_refused,
);

/// An RSA key the tests sign with, its JWK and its public key as PEM.
struct SigningKey {
    kid: &'static str,
    encoding: EncodingKey,
    jwk: Value,
    public_pem: String,
}

fn make_key(kid: &'static str) -> SigningKey {
    let mut rng = rsa::rand_core::OsRng;
    let private = rsa::RsaPrivateKey::new(&mut rng, 2048)
        .unwrap_or_else(|err| panic!("could not make an RSA key: {err}"));
    let der = private.to_pkcs1_der().unwrap_or_else(|err| panic!("{err}"));
    let public = private.to_public_key();
    SigningKey {
        kid,
        encoding: EncodingKey::from_rsa_der(der.as_bytes()),
        jwk: json!({
            "kty": "RSA",
            "kid": kid,
            "use": "sig",
            "alg": "RS256",
            "n": URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()),
            "e": URL_SAFE_NO_PAD.encode(public.e().to_bytes_be()),
        }),
        public_pem: public
            .to_public_key_pem(LineEnding::LF)
            .unwrap_or_else(|err| panic!("{err}")),
    }
}

/// Two keys, made once for the whole test binary (RSA key generation takes a while).
fn keys() -> &'static (SigningKey, SigningKey) {
    static KEYS: OnceLock<(SigningKey, SigningKey)> = OnceLock::new();
    KEYS.get_or_init(|| (make_key("key-one"), make_key("key-two")))
}

/// A stand-in for the identity provider's JWKS endpoint.
#[derive(Clone)]
struct Provider {
    url: String,
    keys: Arc<Mutex<Vec<Value>>>,
    fetches: Arc<AtomicUsize>,
    down: Arc<AtomicBool>,
}

impl Provider {
    async fn start(keys: Vec<Value>) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|err| panic!("{err}"));
        let addr = listener.local_addr().unwrap_or_else(|err| panic!("{err}"));
        let provider = Self {
            url: format!("http://{addr}/.well-known/jwks.json"),
            keys: Arc::new(Mutex::new(keys)),
            fetches: Arc::new(AtomicUsize::new(0)),
            down: Arc::new(AtomicBool::new(false)),
        };
        let state = provider.clone();
        let app = axum::Router::new().route(
            "/.well-known/jwks.json",
            axum::routing::get(move || {
                let state = state.clone();
                async move {
                    state.fetches.fetch_add(1, Ordering::SeqCst);
                    if state.down.load(Ordering::SeqCst) {
                        return (StatusCode::SERVICE_UNAVAILABLE, String::new());
                    }
                    let keys = state.keys.lock().map(|k| k.clone()).unwrap_or_default();
                    (StatusCode::OK, json!({ "keys": keys }).to_string())
                }
            }),
        );
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        provider
    }

    fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }
}

fn jwt_config(provider: &Provider) -> JwtConfig {
    JwtConfig {
        jwks_url: provider.url.clone(),
        issuer: ISSUER.to_owned(),
        authorized_parties: vec![PARTY.to_owned()],
        role_claim: vec!["public_metadata".to_owned(), "role".to_owned()],
        role_value: "admin".to_owned(),
    }
}

fn admin_config(
    provider: Option<&Provider>,
    mode: AuthMode,
    environment: Environment,
) -> AdminConfig {
    AdminConfig {
        mode,
        environment,
        jwt: provider.map(jwt_config),
        legacy_key_sha256: Some(sha2::Sha256::digest(LEGACY_KEY.as_bytes()).into()),
        failures_per_minute: 1_000,
    }
}

/// An app whose admin gate is `admin`, with room for the many refusals the tests provoke
/// (the limit on them has a test of its own).
async fn start(backend: Backend, admin: AdminConfig) -> TestApp {
    TestApp::start_with(backend, move |config| {
        config.admin = AdminConfig {
            failures_per_minute: admin.failures_per_minute.max(1_000),
            ..admin
        };
        config.mutation_limits.other = 10_000;
    })
    .await
}

fn now_s() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Claims a Clerk session token carries, for an admin unless changed.
fn claims() -> Value {
    let now = now_s();
    json!({
        "sub": "user_2admin",
        "iss": ISSUER,
        "azp": PARTY,
        "iat": now,
        "nbf": now - 1,
        "exp": now + 60,
        "email": "ops@onering.test",
        "public_metadata": { "role": "admin" },
    })
}

fn with(mut claims: Value, field: &str, value: Value) -> Value {
    if value.is_null() {
        claims.as_object_mut().map(|c| c.remove(field));
    } else {
        claims[field] = value;
    }
    claims
}

fn sign(key: &SigningKey, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(key.kid.to_owned());
    encode(&header, claims, &key.encoding).unwrap_or_else(|err| panic!("{err}"))
}

/// A request to a server function with extra headers (a bearer token, a key) and no cookie.
async fn call_as(
    app: &TestApp,
    endpoint: &str,
    form: &[(&str, &str)],
    headers: &[(&str, &str)],
) -> Reply {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let mut builder = Request::builder()
        .method(Method::POST)
        .uri(format!("/api/{endpoint}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json");
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    app.send(builder.body(Body::from(body)).unwrap_or_default())
        .await
}

async fn overview_with_token(app: &TestApp, token: &str) -> StatusCode {
    call_as(
        app,
        "admin/overview",
        &[],
        &[("authorization", &format!("Bearer {token}"))],
    )
    .await
    .status
}

async fn identity_provider_tokens_are_checked_strictly(backend: Backend) {
    let (one, two) = keys();
    let provider = Provider::start(vec![one.jwk.clone()]).await;
    let app = start(
        backend,
        admin_config(Some(&provider), AuthMode::Jwt, Environment::Test),
    )
    .await;

    // A valid admin token, by header and by the provider's cookie.
    let valid = sign(one, &claims());
    let reply = call_as(
        &app,
        "admin/overview",
        &[],
        &[("authorization", &format!("Bearer {valid}"))],
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.json()["me"]["kind"], "jwt");
    assert_eq!(reply.json()["me"]["email"], "ops@onering.test");
    let by_cookie = call_as(
        &app,
        "admin/overview",
        &[],
        &[("cookie", &format!("__session={valid}"))],
    )
    .await;
    assert_eq!(by_cookie.status, StatusCode::OK, "{}", by_cookie.body);
    assert_eq!(by_cookie.json()["me"]["mechanism"], "provider_cookie");

    let now = now_s();
    let refused = [
        (
            "expired",
            sign(one, &with(claims(), "exp", json!(now - 10))),
        ),
        (
            "not yet valid",
            sign(one, &with(claims(), "nbf", json!(now + 60))),
        ),
        ("no nbf", sign(one, &with(claims(), "nbf", Value::Null))),
        (
            "wrong issuer",
            sign(one, &with(claims(), "iss", json!("https://evil.test"))),
        ),
        (
            "wrong azp",
            sign(one, &with(claims(), "azp", json!("https://evil.test"))),
        ),
        ("no azp", sign(one, &with(claims(), "azp", Value::Null))),
        ("no sub", sign(one, &with(claims(), "sub", Value::Null))),
        ("unknown kid", sign(two, &claims())),
        ("garbage", "not.a.token".to_owned()),
    ];
    for (why, token) in &refused {
        assert_eq!(
            overview_with_token(&app, token).await,
            StatusCode::UNAUTHORIZED,
            "{why}"
        );
    }

    // alg: none, and HS256 signed with the provider's public key (algorithm confusion).
    let segment = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    let none = format!(
        "{}.{}.",
        segment(&json!({"alg": "none", "typ": "JWT", "kid": one.kid})),
        segment(&claims())
    );
    assert_eq!(
        overview_with_token(&app, &none).await,
        StatusCode::UNAUTHORIZED,
        "alg none"
    );
    let mut hs = Header::new(Algorithm::HS256);
    hs.kid = Some(one.kid.to_owned());
    let hmac_key =
        EncodingKey::from_secret(one.public_pem.as_bytes()).unwrap_or_else(|err| panic!("{err}"));
    let confused = encode(&hs, &claims(), &hmac_key).unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(
        overview_with_token(&app, &confused).await,
        StatusCode::UNAUTHORIZED,
        "HS256 with the public key"
    );

    // Valid identities that are not admins: 403.
    let member = sign(
        one,
        &with(claims(), "public_metadata", json!({"role": "member"})),
    );
    assert_eq!(
        overview_with_token(&app, &member).await,
        StatusCode::FORBIDDEN,
        "role member"
    );
    let no_role = sign(one, &with(claims(), "public_metadata", Value::Null));
    assert_eq!(
        overview_with_token(&app, &no_role).await,
        StatusCode::FORBIDDEN,
        "no role"
    );

    // Every refusal reads the same, whichever check failed.
    let bodies: std::collections::BTreeSet<String> = {
        let mut set = std::collections::BTreeSet::new();
        for (_, token) in &refused[..3] {
            let reply = call_as(
                &app,
                "admin/overview",
                &[],
                &[("authorization", &format!("Bearer {token}"))],
            )
            .await;
            set.insert(reply.body);
        }
        set
    };
    assert_eq!(bodies.len(), 1, "{bodies:?}");
    app.finish().await;
}

async fn the_key_set_is_cached_refetched_on_rotation_and_kept_while_the_provider_is_down(
    _backend: Backend,
) {
    use onering::admin::jwt::{Verdict, Verifier, REFETCH_EVERY};
    let (one, two) = keys();
    let provider = Provider::start(vec![one.jwk.clone()]).await;
    let verifier = Verifier::new(jwt_config(&provider), reqwest::Client::new());
    let start = Instant::now();
    let admin = |v: &Verdict| matches!(v, Verdict::Admin { .. });

    assert!(admin(&verifier.verify(&sign(one, &claims()), start).await));
    assert!(admin(&verifier.verify(&sign(one, &claims()), start).await));
    assert_eq!(provider.fetches(), 1, "cached after the first fetch");

    // The provider rotates in a new key: an unknown kid refetches, but not more than every
    // five minutes.
    provider
        .keys
        .lock()
        .map(|mut k| k.push(two.jwk.clone()))
        .unwrap_or_default();
    let soon = start + Duration::from_secs(10);
    assert_eq!(
        verifier.verify(&sign(two, &claims()), soon).await,
        Verdict::Invalid("unknown key")
    );
    assert_eq!(provider.fetches(), 1, "no refetch within five minutes");
    let later = start + REFETCH_EVERY + Duration::from_secs(1);
    assert!(admin(&verifier.verify(&sign(two, &claims()), later).await));
    assert_eq!(provider.fetches(), 2);

    // The provider goes down: cached keys keep working, even when the set is stale.
    provider.down.store(true, Ordering::SeqCst);
    let much_later = start + Duration::from_secs(3 * 3600);
    assert!(admin(
        &verifier.verify(&sign(one, &claims()), much_later).await
    ));
    assert_eq!(provider.fetches(), 3, "it tried");
    let unknown = make_key("key-three");
    assert_eq!(
        verifier
            .verify(
                &sign(&unknown, &claims()),
                much_later + Duration::from_secs(1)
            )
            .await,
        Verdict::Invalid("unknown key")
    );
    assert_eq!(
        provider.fetches(),
        3,
        "and waits five minutes before trying again"
    );
}

async fn the_legacy_key_works_in_development_only_and_never_in_jwt_mode(backend: Backend) {
    let key_header = [("x-admin-key", LEGACY_KEY)];
    for (mode, environment, expected) in [
        (AuthMode::Hybrid, Environment::Dev, StatusCode::OK),
        (AuthMode::Legacy, Environment::Test, StatusCode::OK),
        (
            AuthMode::Hybrid,
            Environment::Prod,
            StatusCode::UNAUTHORIZED,
        ),
        (
            AuthMode::Legacy,
            Environment::Prod,
            StatusCode::UNAUTHORIZED,
        ),
        (AuthMode::Jwt, Environment::Dev, StatusCode::UNAUTHORIZED),
    ] {
        let app = start(backend, admin_config(None, mode, environment)).await;
        let reply = call_as(&app, "admin/overview", &[], &key_header).await;
        assert_eq!(
            reply.status, expected,
            "{mode:?} {environment:?}: {}",
            reply.body
        );
        if expected == StatusCode::OK {
            assert_eq!(reply.json()["me"]["kind"], "legacy_key");
            assert!(!reply.body.contains(LEGACY_KEY));
            let wrong = call_as(&app, "admin/overview", &[], &[("x-admin-key", "guess")]).await;
            assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        }
        app.finish().await;
    }
}

async fn user_id(app: &TestApp, handle: &str) -> String {
    sqlx::query_scalar("SELECT id FROM users WHERE handle = $1")
        .bind(handle)
        .fetch_one(app.db.pool())
        .await
        .unwrap_or_else(|err| panic!("no @{handle}: {err}"))
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(app.db.pool())
        .await
        .unwrap_or_else(|err| panic!("{sql}: {err}"))
}

/// Signs `handle` up and grants them the admin role, as `onering admin grant` does.
async fn admin_account<'a>(app: &'a TestApp, handle: &str) -> Client<'a> {
    let mut client = app.client();
    client.sign_up(handle).await;
    let granted = onering::admin::service::set_admin_role(&app.db, handle, true).await;
    assert_eq!(granted.ok(), Some(format!("@{handle} is now an admin")));
    client
}

async fn an_account_is_an_admin_only_after_the_command_line_grants_it(backend: Backend) {
    let app = start(backend, AdminConfig::default()).await;
    let mut ada = app.client();
    ada.sign_up("ada").await;
    assert_eq!(
        ada.call("admin/overview", &[]).await.status,
        StatusCode::FORBIDDEN
    );

    let set = |grant| onering::admin::service::set_admin_role(&app.db, "ada", grant);
    assert_eq!(
        set(true).await.ok().as_deref(),
        Some("@ada is now an admin")
    );
    assert_eq!(
        set(true).await.ok().as_deref(),
        Some("@ada was already an admin")
    );
    let reply = ada.call("admin/overview", &[]).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.json()["me"]["kind"], "account");
    assert_eq!(reply.json()["me"]["email"], "ada@example.com");

    assert_eq!(
        set(false).await.ok().as_deref(),
        Some("@ada is no longer an admin")
    );
    assert_eq!(
        ada.call("admin/overview", &[]).await.status,
        StatusCode::FORBIDDEN
    );
    assert!(
        onering::admin::service::set_admin_role(&app.db, "nobody_here", true)
            .await
            .is_err()
    );

    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT actor_type, actor_id, mechanism, action FROM admin_audit ORDER BY at, action",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap_or_default();
    assert_eq!(rows.len(), 3, "grant, grant again, revoke: {rows:?}");
    assert!(rows.iter().all(|(kind, id, mechanism, _)| kind == "cli"
        && id == "cli"
        && mechanism == "command_line"));
    app.finish().await;
}

/// Every admin function with arguments that would pass validation.
fn admin_calls(user_id: &str) -> Vec<(&'static str, Vec<(&'static str, String)>)> {
    let reason = ("reason", "support ticket 42".to_owned());
    let user = ("user_id", user_id.to_owned());
    vec![
        ("admin/overview", vec![]),
        ("admin/users", vec![("query", "ada".into())]),
        ("admin/user", vec![user.clone()]),
        (
            "admin/change_plan",
            vec![user.clone(), ("plan", "creator".into()), reason.clone()],
        ),
        (
            "admin/set_override",
            vec![
                user.clone(),
                ("entitlement", "drafts.max".into()),
                ("value", "10".into()),
                reason.clone(),
            ],
        ),
        (
            "admin/clear_override",
            vec![
                user.clone(),
                ("entitlement", "drafts.max".into()),
                reason.clone(),
            ],
        ),
        (
            "admin/reset_grace",
            vec![user.clone(), ("entitlement", "all".into()), reason.clone()],
        ),
        ("admin/end_sessions", vec![user.clone(), reason.clone()]),
        ("admin/billing_events", vec![]),
        ("admin/billing_event", vec![("event_id", "evt_none".into())]),
        (
            "admin/replay_event",
            vec![("event_id", "evt_none".into()), reason.clone()],
        ),
        ("admin/reconcile", vec![reason.clone()]),
        ("admin/audit", vec![]),
    ]
}

async fn every_admin_function_refuses_strangers_and_members(backend: Backend) {
    let app = start(backend, AdminConfig::default()).await;
    let mut admin = admin_account(&app, "root_admin").await;
    let mut member = app.client();
    member.sign_up("cyd").await;
    app.client().sign_up("bea").await;
    let bea = user_id(&app, "bea").await;
    let mut stranger = app.client();
    let registered: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .filter(|path| path.starts_with("/api/admin/"))
        .collect();
    let calls = admin_calls(&bea);
    assert_eq!(
        registered.len(),
        calls.len(),
        "every admin function is listed here: {registered:?}"
    );
    for (endpoint, form) in &calls {
        let mut form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let idempotency_key = key();
        form.push(("idempotency_key", &idempotency_key));
        assert_eq!(
            stranger.call(endpoint, &form).await.status,
            StatusCode::UNAUTHORIZED,
            "{endpoint}"
        );
        assert_eq!(
            member.call(endpoint, &form).await.status,
            StatusCode::FORBIDDEN,
            "{endpoint}"
        );
        let reply = admin.call(endpoint, &form).await;
        assert!(
            reply.status == StatusCode::OK
                || (reply.status.is_client_error()
                    && reply.status != StatusCode::UNAUTHORIZED
                    && reply.status != StatusCode::FORBIDDEN)
                || reply.status == StatusCode::SERVICE_UNAVAILABLE,
            "{endpoint}: {} {}",
            reply.status,
            reply.body
        );
    }
    // Nobody but admins ever saw an email that is not their own.
    let leaked: Vec<String> = app.bodies.lock().map(|b| b.clone()).unwrap_or_default();
    assert!(
        leaked.iter().any(|b| b.contains("bea@example.com")),
        "admins see emails"
    );
    app.finish().await;
}

/// Every audit row, oldest first, as the audit page reads them.
async fn audit_rows(app: &TestApp) -> Vec<Value> {
    let page = onering::admin::audit::list(&app.db, &Default::default(), 0)
        .await
        .unwrap_or_else(|err| panic!("{err}"));
    page.rows
        .into_iter()
        .rev()
        .map(|r| {
            json!({"action": r.action, "kind": r.actor_type, "id": r.actor_id, "mechanism": r.mechanism,
                   "target": r.target, "before": r.before, "after": r.after, "request_id": r.request_id})
        })
        .collect()
}

async fn every_change_is_audited_with_its_actor_and_applied_once(backend: Backend) {
    let app = start(
        backend,
        admin_config(None, AuthMode::Hybrid, Environment::Dev),
    )
    .await;
    let mut admin = admin_account(&app, "root_admin").await;
    let admin_id = user_id(&app, "root_admin").await;
    let mut bea = app.client();
    bea.sign_up("bea").await;
    let bea_id = user_id(&app, "bea").await;
    let target = format!("user:{bea_id}");

    // An override with an expiry, sent twice with one key (a double click): applied once.
    let expires = (chrono::Utc::now() + chrono::Duration::days(30))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let once = key();
    let form = [
        ("user_id", bea_id.as_str()),
        ("entitlement", "drafts.max"),
        ("value", "25"),
        ("expires_at", expires.as_str()),
        ("reason", "pilot customer"),
        ("idempotency_key", once.as_str()),
    ];
    let first = admin.call("admin/set_override", &form).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let second = admin.call("admin/set_override", &form).await;
    assert_eq!(second.body, first.body);
    let (value, expires_at): (Option<i64>, Option<i64>) = sqlx::query_as(
        "SELECT value, expires_at FROM entitlement_overrides WHERE user_id = $1 AND entitlement = 'drafts.max'",
    )
    .bind(&bea_id)
    .fetch_one(app.db.pool())
    .await
    .unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(value, Some(25));
    assert!(expires_at.is_some());

    // Each of the other changes, by the account admin and by the legacy key.
    for (endpoint, form) in [
        (
            "admin/change_plan",
            vec![
                ("user_id", bea_id.as_str()),
                ("plan", "team"),
                ("reason", "upgrade by hand"),
            ],
        ),
        (
            "admin/reset_grace",
            vec![
                ("user_id", bea_id.as_str()),
                ("entitlement", "all"),
                ("reason", "goodwill"),
            ],
        ),
        (
            "admin/clear_override",
            vec![
                ("user_id", bea_id.as_str()),
                ("entitlement", "drafts.max"),
                ("reason", "pilot over"),
            ],
        ),
    ] {
        let reply = change(&mut admin, endpoint, &form).await;
        assert_eq!(reply.status, StatusCode::OK, "{endpoint}: {}", reply.body);
    }
    let k = key();
    let by_key = call_as(
        &app,
        "admin/end_sessions",
        &[
            ("user_id", &bea_id),
            ("reason", "lost laptop"),
            ("idempotency_key", &k),
        ],
        &[("x-admin-key", LEGACY_KEY)],
    )
    .await;
    assert_eq!(by_key.status, StatusCode::OK, "{}", by_key.body);
    assert_eq!(
        bea.call("auth/me", &[]).await.json(),
        Value::Null,
        "bea is signed out"
    );

    // Bad input is a 422 naming the field, and is not audited.
    for (field, form) in [
        (
            "value",
            vec![
                ("user_id", bea_id.as_str()),
                ("entitlement", "drafts.max"),
                ("value", "lots"),
                ("reason", "x"),
            ],
        ),
        (
            "expires_at",
            vec![
                ("user_id", bea_id.as_str()),
                ("entitlement", "drafts.max"),
                ("value", "5"),
                ("expires_at", "2001-01-01"),
                ("reason", "x"),
            ],
        ),
        (
            "reason",
            vec![
                ("user_id", bea_id.as_str()),
                ("entitlement", "drafts.max"),
                ("value", "5"),
                ("reason", " "),
            ],
        ),
        (
            "entitlement",
            vec![
                ("user_id", bea_id.as_str()),
                ("entitlement", "everything"),
                ("value", "5"),
                ("reason", "x"),
            ],
        ),
    ] {
        let reply = change(&mut admin, "admin/set_override", &form).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {}",
            reply.body
        );
        assert_eq!(reply.json()["field"], field);
    }
    let plan = change(
        &mut admin,
        "admin/change_plan",
        &[("user_id", &bea_id), ("plan", "platinum"), ("reason", "x")],
    )
    .await;
    assert_eq!(plan.status, StatusCode::UNPROCESSABLE_ENTITY);

    let rows = audit_rows(&app).await;
    let actions: Vec<&str> = rows.iter().filter_map(|r| r["action"].as_str()).collect();
    assert_eq!(
        actions,
        [
            "admin.grant",
            "entitlement.override.set",
            "plan.change",
            "grace.reset",
            "entitlement.override.clear",
            "sessions.end_all"
        ]
    );
    for row in &rows[1..] {
        assert_eq!(row["target"], target.as_str());
        assert!(row["request_id"].is_string(), "{row}");
    }
    for row in &rows[1..5] {
        assert_eq!(
            (
                row["kind"].as_str(),
                row["id"].as_str(),
                row["mechanism"].as_str()
            ),
            (Some("account"), Some(admin_id.as_str()), Some("session"))
        );
    }
    assert_eq!(rows[5]["kind"], "legacy_key");
    assert!(
        rows[1]["after"].as_str().is_some_and(|a| a.contains("25")),
        "{}",
        rows[1]
    );
    assert!(
        rows[2]["before"]
            .as_str()
            .is_some_and(|b| b.contains("free"))
            && rows[2]["after"]
                .as_str()
                .is_some_and(|a| a.contains("team"))
    );

    // The audit page filters.
    let by_action = admin
        .call("admin/audit", &[("action", "entitlement.")])
        .await;
    assert_eq!(by_action.json()["rows"].as_array().map(Vec::len), Some(2));
    let by_actor = admin.call("admin/audit", &[("actor", "legacy_key")]).await;
    assert_eq!(by_actor.json()["rows"].as_array().map(Vec::len), Some(1));
    let by_target = admin.call("admin/audit", &[("target", "@bea")]).await;
    assert_eq!(by_target.json()["rows"].as_array().map(Vec::len), Some(5));
    let future = admin.call("admin/audit", &[("from", "2099-01-01")]).await;
    assert_eq!(future.json()["rows"].as_array().map(Vec::len), Some(0));
    app.finish().await;
}

/// Makes every insert into the audit table fail, as a full disk or a broken table would.
async fn break_the_audit_table(app: &TestApp) {
    let statements: &[&str] = match app.backend {
        Backend::Sqlite => &["CREATE TRIGGER audit_broken BEFORE INSERT ON admin_audit BEGIN SELECT RAISE(ABORT, 'audit unavailable'); END"],
        Backend::Postgres => &[
            "CREATE FUNCTION audit_broken() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit unavailable'; END; $$",
            "CREATE TRIGGER audit_broken BEFORE INSERT ON admin_audit FOR EACH ROW EXECUTE FUNCTION audit_broken()",
        ],
    };
    for sql in statements {
        sqlx::query(sql)
            .execute(app.db.pool())
            .await
            .unwrap_or_else(|err| panic!("{sql}: {err}"));
    }
}

async fn a_change_whose_audit_row_cannot_be_written_changes_nothing(backend: Backend) {
    let app = start(backend, AdminConfig::default()).await;
    let mut admin = admin_account(&app, "root_admin").await;
    let mut bea = app.client();
    bea.sign_up("bea").await;
    let bea_id = user_id(&app, "bea").await;
    break_the_audit_table(&app).await;

    let attempts = [
        (
            "admin/set_override",
            vec![
                ("user_id", bea_id.as_str()),
                ("entitlement", "drafts.max"),
                ("value", "9"),
                ("reason", "x"),
            ],
        ),
        (
            "admin/change_plan",
            vec![
                ("user_id", bea_id.as_str()),
                ("plan", "team"),
                ("reason", "x"),
            ],
        ),
        (
            "admin/end_sessions",
            vec![("user_id", bea_id.as_str()), ("reason", "x")],
        ),
    ];
    for (endpoint, form) in attempts {
        let reply = change(&mut admin, endpoint, &form).await;
        assert_eq!(
            reply.status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{endpoint}: {}",
            reply.body
        );
        assert!(
            !reply.body.contains("audit unavailable"),
            "database text never reaches the browser"
        );
    }
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM entitlement_overrides").await,
        0
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM user_plans").await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM plan_changes").await, 0);
    assert_eq!(
        bea.call("auth/me", &[]).await.json()["user"]["handle"],
        "bea",
        "still signed in"
    );
    assert!(
        onering::admin::service::set_admin_role(&app.db, "bea", true)
            .await
            .is_err()
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM admin_accounts").await,
        1,
        "only the first grant"
    );
    app.finish().await;
}

async fn the_audit_table_refuses_updates_and_deletes(backend: Backend) {
    let app = start(backend, AdminConfig::default()).await;
    let _admin = admin_account(&app, "root_admin").await;
    let mut refusals = vec![
        "UPDATE admin_audit SET reason = 'rewritten'",
        "DELETE FROM admin_audit",
    ];
    if backend == Backend::Postgres {
        refusals.push("TRUNCATE admin_audit");
    }
    for sql in refusals {
        let result = sqlx::query(sql).execute(app.db.pool()).await;
        assert!(result.is_err(), "{sql} was allowed");
    }
    let reasons: Vec<String> = sqlx::query_scalar("SELECT reason FROM admin_audit")
        .fetch_all(app.db.pool())
        .await
        .unwrap_or_default();
    assert_eq!(reasons, ["from the server's command line"]);
    app.finish().await;
}

async fn the_admin_pages_answer_401_403_and_render_for_admins(backend: Backend) {
    let app = start(backend, AdminConfig::default()).await;
    let mut admin = admin_account(&app, "root_admin").await;
    let mut member = app.client();
    member.sign_up("cyd").await;
    app.client().sign_up("bea").await;
    let bea_id = user_id(&app, "bea").await;
    let mut stranger = app.client();
    let pages = [
        "/admin".to_owned(),
        "/admin/users?q=bea".to_owned(),
        format!("/admin/users/{bea_id}"),
        "/admin/billing".to_owned(),
        "/admin/reconcile".to_owned(),
        "/admin/audit".to_owned(),
    ];
    for page in &pages {
        let denied = stranger.get(page).await;
        assert_eq!(denied.status, StatusCode::UNAUTHORIZED, "{page}");
        assert!(
            denied.body.contains("for OneRing&#x27;s admins")
                || denied.body.contains("for OneRing's admins"),
            "{page}"
        );
        assert_eq!(
            member.get(page).await.status,
            StatusCode::FORBIDDEN,
            "{page}"
        );
        let shown = admin.get(page).await;
        assert_eq!(shown.status, StatusCode::OK, "{page}");
        assert!(shown.body.contains("noindex"), "{page}");
    }
    let person = admin.get(&format!("/admin/users/{bea_id}")).await;
    assert!(person.body.contains("bea@example.com"));
    assert!(!member
        .get("/admin/users")
        .await
        .body
        .contains("bea@example.com"));
    assert_eq!(
        admin.get("/admin/users/not-an-id").await.status,
        StatusCode::NOT_FOUND
    );
    app.finish().await;
}

async fn repeated_failures_from_one_address_are_refused(backend: Backend) {
    let app = TestApp::start_with(backend, |config| {
        config.admin = AdminConfig {
            failures_per_minute: 20,
            ..admin_config(None, AuthMode::Hybrid, Environment::Dev)
        };
    })
    .await;
    for _ in 0..20 {
        let reply = call_as(&app, "admin/overview", &[], &[("x-admin-key", "guess")]).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    let limited = call_as(&app, "admin/overview", &[], &[("x-admin-key", LEGACY_KEY)]).await;
    assert_eq!(
        limited.status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right key waits"
    );
    assert!(limited.header("retry-after").is_some());
    app.finish().await;
}
