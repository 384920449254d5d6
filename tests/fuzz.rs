//! Malformed input for every server function, on SQLite and PostgreSQL: missing fields,
//! wrong types, extra fields, JSON instead of a form, invalid UTF-8, NUL, oversized values
//! and a 10 MB body, signed out and signed in. Every answer is a 4xx with the JSON error
//! shape (or a 200 where the input happens to be acceptable); no 5xx anywhere; the server
//! stays healthy. The functions come from the server's own registry, so a new one is
//! covered the day it is added.

mod common;

use axum::body::Body;
use common::{Client, Reply, TestApp};
use http::{Request, StatusCode};

on_both_backends!(
    config = |config| {
        config.auth_attempts_per_ip_per_minute = 100_000;
        // Billing on (against a fake Stripe), so its functions are fuzzed past the 503
        // they answer when it is off.
        config.stripe = Some(crate::common::fake_stripe::FakeStripe::start_now().config(&[]));
        // Publishing on too (against fake networks), so its functions are fuzzed past the
        // 503 they answer without a key.
        config.publishing.key = onering::publishing::vault::VaultKey::parse(
            "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=",
        )
        .ok();
        config.publishing.bluesky_server = crate::common::fake_networks::FakeNetworks::start_now().url;
    };
    every_server_function_answers_malformed_input_with_a_4xx,
);

/// Every argument name any server function takes (a function ignores the others).
const FIELDS: &[&str] = &[
    "handle",
    "email",
    "password",
    "login",
    "title",
    "subtitle",
    "platform",
    "first_segment",
    "draft_id",
    "content",
    "segment_id",
    "to_user_id",
    "user_id",
    "role",
    "status",
    "session_id",
    "code",
    "note",
    "expires_in_days",
    "max_uses",
    "invite_id",
    "page",
    "idempotency_key",
    "now",
    "slug",
    "enabled",
    "show_thread",
    "plan",
    "entitlement",
    "time_zone",
    "question",
    "private",
    "shown",
    "text",
    "handle_or_email",
    "value",
    "reason",
    "event_id",
    "network",
    "at",
    "scheduled_at",
    "expires_at",
    "query",
    "event_type",
    "from",
    "until",
    "actor",
    "action",
    "target",
    "app_password",
    "server",
    "instance",
    "token",
    "connection_id",
    "publication_id",
    "reflow",
    "state",
];

fn server_functions() -> Vec<String> {
    let mut paths: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .collect();
    paths.sort();
    paths.dedup();
    // Signing out ends the session the signed-in cases use: last.
    paths.sort_by_key(|p| p.ends_with("/auth/sign_out"));
    paths
}

fn form(pairs: &[(&str, String)]) -> Vec<u8> {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())))
        .finish()
        .into_bytes()
}

fn request(path: &str, cookie: Option<&str>, content_type: &str, body: Vec<u8>) -> Request<Body> {
    let mut builder = Request::builder()
        .method("POST")
        .uri(path)
        .header("content-type", content_type)
        .header("accept", "application/json");
    if let Some(cookie) = cookie {
        builder = builder.header("cookie", format!("onering_session={cookie}"));
    }
    builder.body(Body::from(body)).unwrap_or_default()
}

fn assert_4xx_or_ok(what: &str, reply: &Reply) {
    assert!(
        reply.status.as_u16() < 500,
        "{what}: {} {}",
        reply.status,
        reply.body
    );
    if reply.status.is_client_error() {
        let kind = serde_json::from_str::<serde_json::Value>(&reply.body)
            .ok()
            .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_owned));
        assert!(
            kind.is_some(),
            "{what}: not the JSON error shape: {:.200}",
            reply.body
        );
    }
}

async fn every_server_function_answers_malformed_input_with_a_4xx(app: &TestApp) {
    let paths = server_functions();
    assert!(
        paths.len() >= 20,
        "the registry lists the server functions: {paths:?}"
    );
    let mut member: Client<'_> = app.client();
    member.sign_up("fuzzer").await;
    let cookies = [None, member.cookie.clone()];
    let plain: Vec<(&str, String)> = FIELDS.iter().map(|f| (*f, "x".to_owned())).collect();
    let form_type = "application/x-www-form-urlencoded";
    for path in &paths {
        for cookie in cookies.iter().map(Option::as_deref) {
            let who = if cookie.is_some() {
                "signed in"
            } else {
                "signed out"
            };
            let send = |content_type: &str, body: Vec<u8>| {
                app.send(request(path, cookie, content_type, body))
            };
            let cases: Vec<(String, &str, Vec<u8>)> = vec![
                ("missing fields".into(), form_type, Vec::new()),
                ("every field, plain".into(), form_type, form(&plain)),
                (
                    "wrong types".into(),
                    form_type,
                    form(
                        &FIELDS
                            .iter()
                            .map(|f| (*f, "[{]}-1e999".to_owned()))
                            .collect::<Vec<_>>(),
                    ),
                ),
                (
                    "extra fields".into(),
                    form_type,
                    [form(&plain), b"&zz%5B%5D=1&zz=2".to_vec()].concat(),
                ),
                (
                    "JSON instead of a form".into(),
                    "application/json",
                    br#"{"draft_id": 1, "content": ["x"]}"#.to_vec(),
                ),
                (
                    "invalid UTF-8".into(),
                    form_type,
                    vec![b'd', b'=', 0xff, 0xfe, b'&', 0xc0, 0xaf, b'=', b'1'],
                ),
                ("no content type".into(), "", form(&plain)),
            ];
            for (case, content_type, body) in cases {
                let reply = send(content_type, body).await;
                assert_4xx_or_ok(&format!("{path} {who}: {case}"), &reply);
            }
            for field in FIELDS {
                let with = |value: String| {
                    let pairs: Vec<(&str, String)> = FIELDS
                        .iter()
                        .map(|f| {
                            (
                                *f,
                                if f == field {
                                    value.clone()
                                } else {
                                    "x".to_owned()
                                },
                            )
                        })
                        .collect();
                    form(&pairs)
                };
                let nul = send(form_type, with("a\0b".into())).await;
                assert_eq!(
                    nul.status,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "{path} {who}: NUL in {field}: {}",
                    nul.body
                );
                assert_eq!(nul.json()["field"], *field, "{path} {who}: NUL in {field}");
                let oversized = send(form_type, with("é".repeat(25_000))).await;
                assert_4xx_or_ok(&format!("{path} {who}: 50 KB in {field}"), &oversized);
            }
            let huge = send(form_type, vec![b'a'; 10 * 1024 * 1024]).await;
            assert_eq!(
                huge.status,
                StatusCode::PAYLOAD_TOO_LARGE,
                "{path} {who}: 10 MB"
            );
            assert_eq!(huge.json()["kind"], "bad_request");
        }
    }
    // Still healthy, and still serving real requests (the last case signed the member out).
    assert_eq!(app.client().get("/api/health").await.status, StatusCode::OK);
    let signed_in = member.sign_in("fuzzer", common::PASSWORD).await;
    assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.body);
    let me = member.call("auth/me", &[]).await;
    assert_eq!(me.json()["user"]["handle"], "fuzzer");
}
