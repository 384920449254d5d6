//! Request-level guarantees through the real router, on SQLite and PostgreSQL: CSRF
//! refusal, security headers and CSP nonce, error statuses, body limits, health, pages.

mod common;

use axum::body::Body;
use common::{TestApp, PASSWORD, PUBLIC_ORIGIN};
use http::{Request, StatusCode};

on_both_backends!(
    cross_site_posts_are_refused,
    html_pages_carry_a_csp_whose_nonce_the_hydration_script_has,
    malformed_and_oversized_input_gets_a_4xx_never_a_500,
    pages_render_for_signed_out_and_signed_in_visitors,
    unknown_pages_get_a_friendly_404,
    pages_come_compressed_as_each_browser_can_read_them,
);

on_both_backends!(
    config = |config| config.health_token = Some("monitor-token".into());
    health_reports_the_database_without_secrets,
);

on_both_backends!(pages_keep_rendering_while_other_apps_start);

/// The flaky `GET /account` that did not answer within 20 s: listing an app's routes
/// suppresses resource loading process-wide (leptos-rs/leptos#4773), so a page whose
/// resource was first polled while another app in the process was being built waited
/// forever. Routes are now listed once per process; this builds apps in a loop while pages
/// render, which hung within a few dozen requests before.
async fn pages_keep_rendering_while_other_apps_start(app: &TestApp) {
    let mut ada = app.client();
    ada.sign_up("ada").await;
    let state = app.state.clone();
    let builder = tokio::spawn(async move {
        for _ in 0..50 {
            let _ = onering::server::router::build_router(state.clone());
            tokio::task::yield_now().await;
        }
    });
    for i in 0..150 {
        let path = if i % 2 == 0 { "/account" } else { "/drafts" };
        assert_eq!(ada.get(path).await.status, StatusCode::OK, "{path}");
    }
    let _ = builder.await;
}

fn sign_up_request(headers: &[(&str, &str)]) -> Request<Body> {
    let mut builder = Request::builder()
        .method("POST")
        .uri("/api/auth/sign_up")
        .header("content-type", "application/x-www-form-urlencoded");
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let body = format!(
        "handle=mallory&email=m%40example.com&password={}",
        PASSWORD.replace(' ', "+")
    );
    builder.body(Body::from(body)).unwrap_or_default()
}

async fn cross_site_posts_are_refused(app: &TestApp) {
    for headers in [
        vec![
            ("sec-fetch-site", "cross-site"),
            ("origin", "https://evil.example"),
        ],
        vec![
            ("sec-fetch-site", "same-site"),
            ("origin", "https://sub.127.0.0.1"),
        ],
        vec![("origin", "https://evil.example")],
        vec![("origin", "null")],
    ] {
        let reply = app.send(sign_up_request(&headers)).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{headers:?}");
        assert_eq!(reply.json()["kind"], "forbidden");
    }
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(app.db.pool())
        .await
        .unwrap_or(-1);
    assert_eq!(users, 0, "no refused request was applied");

    // The same request from the app's own pages, or from a script, goes through.
    let same_origin = app
        .send(sign_up_request(&[
            ("sec-fetch-site", "same-origin"),
            ("origin", PUBLIC_ORIGIN),
        ]))
        .await;
    assert_eq!(same_origin.status, StatusCode::OK, "{}", same_origin.body);
    let script = app
        .send(sign_up_request(&[]).map(|_| {
            Body::from(format!(
                "handle=scripted&email=s%40example.com&password={}",
                PASSWORD.replace(' ', "+")
            ))
        }))
        .await;
    assert_eq!(script.status, StatusCode::OK, "{}", script.body);
}

/// Chrome and Firefox offer zstd and get it (a fraction of brotli's time per page at the
/// same level); Safari offers brotli and gets it; a client that offers nothing gets the page
/// as it is. Each decodes to the same page.
async fn pages_come_compressed_as_each_browser_can_read_them(app: &TestApp) {
    use std::io::Read;
    let plain = app.client().get("/pricing").await;
    assert_eq!(plain.status, StatusCode::OK);
    assert_eq!(plain.header("content-encoding"), None);
    for (offered, chosen) in [
        ("gzip, deflate, br, zstd", "zstd"),
        ("gzip, deflate, br", "br"),
    ] {
        let request = Request::get("/pricing")
            .header("accept-encoding", offered)
            .body(Body::empty())
            .unwrap_or_else(|err| panic!("request: {err}"));
        let (parts, bytes) = common::exchange(app.router.clone(), request).await;
        assert_eq!(parts.status, StatusCode::OK);
        assert_eq!(
            parts
                .headers
                .get("content-encoding")
                .and_then(|v| v.to_str().ok()),
            Some(chosen),
            "offered {offered}"
        );
        let mut page = String::new();
        match chosen {
            "zstd" => zstd::stream::read::Decoder::new(&bytes[..])
                .and_then(|mut decoder| decoder.read_to_string(&mut page)),
            _ => brotli::Decompressor::new(&bytes[..], 4096).read_to_string(&mut page),
        }
        .unwrap_or_else(|err| panic!("{chosen} decodes: {err}"));
        assert!(
            page.len() > 2 * bytes.len(),
            "compressed: {} of {}",
            bytes.len(),
            page.len()
        );
        assert!(page.starts_with("<!DOCTYPE html>") && page.contains("</html>"));
        // The same page: its nonces differ per request but not in length.
        assert_eq!(page.len(), plain.body.len());
    }
}

async fn html_pages_carry_a_csp_whose_nonce_the_hydration_script_has(app: &TestApp) {
    let page = app.client().get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    let csp = page
        .header("content-security-policy")
        .unwrap_or_default()
        .to_owned();
    for directive in [
        "'wasm-unsafe-eval'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ] {
        assert!(csp.contains(directive), "{csp} lacks {directive}");
    }
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|s| s.split('\'').next())
        .unwrap_or_default();
    assert!(nonce.len() >= 22, "a 128-bit nonce: {csp}");
    assert!(
        page.body.contains(&format!("nonce=\"{nonce}\"")),
        "the hydration script carries the nonce"
    );
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert!(page.header("referrer-policy").is_some());
    assert!(page.header("x-request-id").is_some_and(|id| !id.is_empty()));
    assert!(
        page.header("strict-transport-security").is_none(),
        "no HSTS over plain http"
    );

    let second = app.client().get("/").await;
    assert_ne!(
        second.header("content-security-policy"),
        Some(csp.as_str()),
        "a new nonce per request"
    );
}

async fn malformed_and_oversized_input_gets_a_4xx_never_a_500(app: &TestApp) {
    let mut client = app.client();
    let missing = client.call("auth/sign_up", &[("handle", "ada")]).await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST, "{}", missing.body);
    assert_eq!(missing.json()["kind"], "bad_request");

    let garbage = app
        .send(
            Request::builder()
                .method("POST")
                .uri("/api/auth/sign_in")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(vec![0xff, 0xfe, 0x00, b'=', 0x80]))
                .unwrap_or_default(),
        )
        .await;
    assert!(
        garbage.status.is_client_error(),
        "{} {}",
        garbage.status,
        garbage.body
    );

    let huge = "x".repeat(200 * 1024);
    let oversized = client
        .call("auth/sign_in", &[("login", &huge), ("password", "x")])
        .await;
    assert_eq!(oversized.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(oversized.json()["kind"], "bad_request");

    for reply in [&missing, &garbage, &oversized] {
        let lower = reply.body.to_lowercase();
        for leak in [
            "sqlx",
            "sqlite",
            "postgres",
            "panicked",
            "deserializ",
            "error while",
        ] {
            assert!(!lower.contains(leak), "{leak} in {}", reply.body);
        }
    }
}

async fn health_reports_the_database_without_secrets(app: &TestApp) {
    let public = app.client().get("/api/health").await;
    assert_eq!(
        public.json(),
        serde_json::json!({"status": "ok", "database": "up"})
    );
    let reply = app
        .send(
            Request::builder()
                .uri("/api/health")
                .header("authorization", "Bearer monitor-token")
                .body(Body::empty())
                .unwrap_or_default(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let health = reply.json();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["database"], "up");
    let expected = match app.backend {
        common::Backend::Sqlite => "sqlite",
        common::Backend::Postgres => "postgres",
    };
    assert_eq!(health["details"]["backend"], expected);
    assert!(health["details"]["latency_ms"].as_f64().is_some());
    let tables = health["details"]["tables"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for table in ["users", "sessions", "login_failures"] {
        assert!(
            tables.iter().any(|t| t == table),
            "{table} missing from {tables:?}"
        );
    }
    for secret in [
        "sqlite://",
        "postgres://",
        "onering_test_",
        "/tmp",
        "password",
        "monitor-token",
    ] {
        assert!(!reply.body.contains(secret), "health leaked {secret}");
    }
}

async fn pages_render_for_signed_out_and_signed_in_visitors(app: &TestApp) {
    let mut visitor = app.client();
    let landing = visitor.get("/").await;
    assert!(landing.body.contains("Create your free account"));
    let signup = visitor.get("/signup").await;
    assert_eq!(signup.status, StatusCode::OK);
    assert!(signup.body.contains("for=\"handle\""), "labelled fields");
    let account = visitor.get("/account").await;
    assert_eq!(
        account.status,
        StatusCode::FOUND,
        "the account page needs sign-in"
    );
    assert_eq!(account.header("location"), Some("/signin?next=/account"));

    visitor.sign_up("ada").await;
    let home = visitor.get("/").await;
    assert!(home.body.contains("Welcome, @"));
    assert!(home.body.contains("ada"));
    let account = visitor.get("/account").await;
    assert!(
        account.body.contains("Where you&#x27;re signed in")
            || account.body.contains("Where you're signed in")
    );
    let signin = visitor.get("/signin").await;
    assert_eq!(
        signin.status,
        StatusCode::FOUND,
        "signed-in visitors move on"
    );
    assert_eq!(signin.header("location"), Some("/"));
}

async fn unknown_pages_get_a_friendly_404(app: &TestApp) {
    let reply = app.client().get("/no/such/page").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(reply.body.contains("slipped off the ring"));
}
