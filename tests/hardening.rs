//! Hostile and careless input through the real router, on SQLite and PostgreSQL: hostile
//! paths and queries on every route, NUL and invalid UTF-8 at the edge, bodies over the
//! limit however they are sent, text with control characters, limits behind a proxy,
//! per-user budgets, caching, health details and session lifetimes.

mod common;

use std::time::Duration;

use axum::body::Body;
use common::{change, key, Client, TestApp, PASSWORD};
use http::{Request, StatusCode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

on_both_backends!(
    hostile_paths_and_queries_never_crash_or_leave_the_site,
    hostile_raw_requests_over_a_socket_get_an_answer,
    nul_and_invalid_utf8_are_refused_at_the_edge_naming_the_field,
    bodies_over_the_limit_get_413_even_when_chunked,
    titles_with_control_or_override_characters_are_refused,
    a_removed_collaborator_can_rejoin_through_a_link_with_uses_left,
    archiving_freezes_the_thread_the_ring_and_the_people,
    personal_answers_are_never_cached,
    health_details_need_the_monitors_token,
    signing_in_ends_the_browsers_previous_session,
    purges_remove_ended_sessions_and_old_failures,
);

on_both_backends!(
    config = |config| {
        config.mutation_limits.appends = 3;
        config.mutation_limits.drafts_created = 2;
    };
    one_user_is_held_to_a_budget_of_changes,
);

on_both_backends!(
    config = |config| config.trusted_proxy_hops = 1;
    behind_a_proxy_limits_count_the_address_the_proxy_saw,
    sign_in_failures_lock_only_the_address_that_failed,
);

on_both_backends!(
    config = |config| config.session_max_age = std::time::Duration::from_millis(1_500);
    sessions_end_at_their_absolute_lifetime,
);

/// Percent-encoded values that have broken web apps: control characters and encoded
/// newlines, protocol-relative and backslash paths, overlong and invalid UTF-8, 8 KB values.
fn corpus() -> Vec<String> {
    let mut values: Vec<String> = [
        "%00",
        "%0A",
        "%0D%0A",
        "%09",
        "%7F",
        "%1B%5B31m",
        "%E2%80%AE",
        "//evil.example",
        "%2F%2Fevil.example",
        "/%2F/evil.example",
        "/%09/evil.example",
        "/%0A/evil.example",
        "%5C%5Cevil.example",
        "/%5Cevil.example",
        "https:%2F%2Fevil.example",
        "%C0%AF",
        "%E0%80%AF",
        "%F0%80%80%AF",
        "%FF%FE",
        "..%2F..%2Fetc%2Fpasswd",
        "%25",
        "%",
        "%zz",
        "-1",
        "99999999999999999999",
        "0b7e6c2e-1111-4a4a-9c9c-000000000001",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    values.push("a".repeat(8 * 1024));
    values.push("%0A".repeat(2_730));
    values
}

/// Every page and plain route, with `{}` where a hostile value goes.
const ROUTES: [&str; 14] = [
    "/{}",
    "/signup?next={}",
    "/signin?next={}",
    "/account?x={}",
    "/drafts?page={}",
    "/drafts/{}",
    "/drafts/{}?x={}",
    "/refer/{}",
    "/refer?next={}",
    "/api/health?x={}",
    "/api/live/drafts/{}?after={}",
    "/pkg/{}",
    "/no/such/{}",
    "/{}/{}",
];

/// The answers a hostile request may get: a 200, a 4xx, or a 3xx to a path on this site.
fn assert_safe_answer(what: &str, status: StatusCode, location: Option<&str>) {
    assert!(
        status.is_success() || status.is_client_error() || status.is_redirection(),
        "{what}: {status}"
    );
    assert!(status.as_u16() < 500, "{what}: {status}");
    if status.is_redirection() {
        let location = location.unwrap_or_default();
        let decoded = percent_decoded(location);
        assert!(
            location.starts_with('/')
                && !location.starts_with("//")
                && !location.starts_with("/\\")
                && !decoded.starts_with("//")
                && !decoded.bytes().any(|b| b < b' ' || b == b'\\'),
            "{what}: redirected to {location:?}"
        );
    }
}

fn percent_decoded(value: &str) -> String {
    url::form_urlencoded::parse(format!("v={}", value.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

async fn hostile_paths_and_queries_never_crash_or_leave_the_site(app: &TestApp) {
    let mut visitor = app.client();
    let mut member = app.client();
    member.sign_up("ada").await;
    for value in corpus() {
        for route in ROUTES {
            let path = route.replace("{}", &value);
            for client in [&mut visitor, &mut member] {
                let signed_in = client.cookie.is_some();
                let reply = client.get(&path).await;
                let what = format!("GET {path:.120} (signed in: {signed_in})");
                assert_safe_answer(&what, reply.status, reply.header("location"));
            }
        }
    }
    // The defects first reported: a signed-in return path with an encoded tab, and a draft
    // id that decodes to a newline.
    let tab = member.get("/signin?next=/%09/evil.example").await;
    assert_eq!(tab.status, StatusCode::FOUND);
    assert_eq!(tab.header("location"), Some("/"));
    let newline = visitor.get("/drafts/%0A").await;
    assert_eq!(newline.status, StatusCode::FOUND);
    assert!(newline
        .header("location")
        .is_some_and(|l| l.starts_with("/signin?next=/drafts/%25")));
}

/// Raw requests, some of which `http` itself would not build, over a real socket: every
/// one gets a status line back (never an empty reply or a dropped connection), below 500.
async fn hostile_raw_requests_over_a_socket_get_an_answer(app: &TestApp) {
    let addr = app.serve().await;
    let mut ada = app.client();
    ada.sign_up("ada").await;
    let cookie = format!("onering_session={}", ada.cookie.clone().unwrap_or_default());
    let targets = [
        "/drafts/%0A",
        "/signin?next=/\\evil.example",
        "/drafts/\\evil",
        "/drafts/\u{1}x",
        "/signin?next=/\t/evil.example",
        "//evil.example",
        "/\\evil.example",
        "*",
        "http://evil.example/",
        "evil.example:443",
    ];
    for target in targets {
        for (method, with_cookie) in [("GET", false), ("GET", true), ("CONNECT", false)] {
            let mut stream = tokio::net::TcpStream::connect(addr)
                .await
                .unwrap_or_else(|err| panic!("connect: {err}"));
            let cookie_line = if with_cookie {
                format!("Cookie: {cookie}\r\n")
            } else {
                String::new()
            };
            let request = format!(
                "{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n{cookie_line}Accept: text/html\r\nConnection: close\r\n\r\n"
            );
            let _ = stream.write_all(request.as_bytes()).await;
            let mut answer = Vec::new();
            let read =
                tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut answer))
                    .await;
            assert!(read.is_ok(), "{method} {target:?}: no answer within 20 s");
            let head = String::from_utf8_lossy(&answer);
            let status: u16 = head
                .split(' ')
                .nth(1)
                .and_then(|s| s.parse().ok())
                .unwrap_or_else(|| {
                    panic!("{method} {target:?}: empty or garbled reply {head:.80}")
                });
            assert!(
                (100..500).contains(&status),
                "{method} {target:?}: {status}"
            );
            if (300..400).contains(&status) {
                let location = head
                    .lines()
                    .find_map(|l| l.strip_prefix("location: "))
                    .unwrap_or_default();
                assert_safe_answer(target, StatusCode::FOUND, Some(location));
            }
        }
    }
}

async fn nul_and_invalid_utf8_are_refused_at_the_edge_naming_the_field(app: &TestApp) {
    // Signed out, the first report: a NUL in the login.
    let reply = app
        .send(raw_form(
            "/api/auth/sign_in",
            b"login=ada%00x&password=whatever",
        ))
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    assert_eq!(reply.json()["field"], "login");

    let mut ada = app.client();
    ada.sign_up("ada").await;
    let draft = create_draft(&mut ada, "Edge").await;
    /// An endpoint, its fields, and the field that holds the NUL.
    type Case<'a> = (&'a str, Vec<(&'a str, String)>, &'a str);
    let cases: Vec<Case> = vec![
        (
            "drafts/append",
            vec![("draft_id", draft.clone()), ("content", "abc\0".into())],
            "content",
        ),
        (
            "drafts/append",
            vec![("draft_id", format!("{draft}\0")), ("content", "ok".into())],
            "draft_id",
        ),
        (
            "drafts/create",
            vec![
                ("title", "t\0".into()),
                ("platform", "x".into()),
                ("first_segment", "a".into()),
            ],
            "title",
        ),
        (
            "drafts/add_collaborator",
            vec![
                ("draft_id", draft.clone()),
                ("handle", "bob\0".into()),
                ("role", "editor".into()),
            ],
            "handle",
        ),
        (
            "auth/end_session",
            vec![("session_id", "\0".into())],
            "session_id",
        ),
    ];
    for (endpoint, fields, field) in cases {
        let mut form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let k = key();
        form.push(("idempotency_key", &k));
        let reply = ada.call(endpoint, &form).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{endpoint}: {}",
            reply.body
        );
        assert_eq!(reply.json()["field"], field, "{endpoint}");
    }
    // Percent-encoded invalid UTF-8 is refused, not stored as U+FFFD.
    let body = format!(
        "draft_id={draft}&content=abc%FF%FE&idempotency_key={}",
        key()
    );
    let reply = app
        .send(raw_form_as(&ada, "/api/drafts/append", body.as_bytes()))
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    assert_eq!(reply.json()["field"], "content");
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM segments")
        .fetch_one(app.db.pool())
        .await
        .unwrap_or(-1);
    assert_eq!(stored, 1, "nothing but the first segment was stored");
}

fn raw_form(path: &str, body: &[u8]) -> Request<Body> {
    Request::builder()
        .method("POST")
        .uri(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(Body::from(body.to_vec()))
        .unwrap_or_default()
}

fn raw_form_as(client: &Client<'_>, path: &str, body: &[u8]) -> Request<Body> {
    let mut request = raw_form(path, body);
    if let Some(cookie) = &client.cookie {
        if let Ok(value) = format!("onering_session={cookie}").parse() {
            request.headers_mut().insert("cookie", value);
        }
    }
    request
}

async fn create_draft(client: &mut Client<'_>, title: &str) -> String {
    let reply = change(
        client,
        "drafts/create",
        &[
            ("title", title),
            ("platform", "x"),
            ("first_segment", "Hello"),
        ],
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()["id"].as_str().unwrap_or_default().to_owned()
}

async fn bodies_over_the_limit_get_413_even_when_chunked(app: &TestApp) {
    let big = vec![b'a'; 200 * 1024];
    // Told in advance.
    let declared = app.send(raw_form("/api/auth/sign_in", &big)).await;
    assert_eq!(declared.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(declared.json()["kind"], "bad_request");
    // Streamed without a length (Transfer-Encoding: chunked).
    let chunks = futures_util::stream::iter(
        big.chunks(8 * 1024)
            .map(|c| Ok::<_, std::io::Error>(axum::body::Bytes::copy_from_slice(c)))
            .collect::<Vec<_>>(),
    );
    let streamed = Request::builder()
        .method("POST")
        .uri("/api/auth/sign_in")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from_stream(chunks))
        .unwrap_or_default();
    let reply = app.send(streamed).await;
    assert_eq!(
        reply.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        reply.body
    );
    assert_eq!(reply.json()["kind"], "bad_request");
}

async fn titles_with_control_or_override_characters_are_refused(app: &TestApp) {
    let mut ada = app.client();
    ada.sign_up("ada").await;
    for title in [
        "Launch\u{202E}txt.exe",
        "Bell\u{7}",
        "Two\nlines",
        "Esc\u{1b}[2J",
    ] {
        let reply = change(
            &mut ada,
            "drafts/create",
            &[("title", title), ("platform", "x"), ("first_segment", "Hi")],
        )
        .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{title:?}");
        assert_eq!(reply.json()["field"], "title");
    }
    let draft = create_draft(&mut ada, "שלום — launch 🚀").await;
    let segment = change(
        &mut ada,
        "drafts/append",
        &[
            ("draft_id", &draft),
            ("content", "line one\r\nline two\twith a tab"),
        ],
    )
    .await;
    assert_eq!(segment.status, StatusCode::OK, "{}", segment.body);
    assert_eq!(segment.json()["content"], "line one\nline two\twith a tab");
    let hidden = change(
        &mut ada,
        "drafts/append",
        &[("draft_id", &draft), ("content", "abc\u{202D}def")],
    )
    .await;
    assert_eq!(hidden.status, StatusCode::UNPROCESSABLE_ENTITY);
    let handle = app
        .client()
        .call(
            "auth/sign_up",
            &[
                ("handle", "ev\u{202E}il"),
                ("email", "e@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(handle.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(handle.json()["field"], "handle");
}

async fn a_removed_collaborator_can_rejoin_through_a_link_with_uses_left(app: &TestApp) {
    let mut ada = app.client();
    ada.sign_up("ada").await;
    let mut bob = app.client();
    let bob_id = bob.sign_up("bob").await.json()["user"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let draft = create_draft(&mut ada, "Rejoin").await;
    let created = change(
        &mut ada,
        "invites/create",
        &[("draft_id", &draft), ("role", "editor"), ("max_uses", "5")],
    )
    .await;
    let link = created.json()["link"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let code = link.rsplit('/').next().unwrap_or_default().to_owned();
    let joined = change(&mut bob, "invites/accept", &[("code", &code)]).await;
    assert_eq!(joined.json()["joined"], "joined", "{}", joined.body);
    let removed = change(
        &mut ada,
        "drafts/remove_collaborator",
        &[("draft_id", &draft), ("user_id", &bob_id)],
    )
    .await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.body);
    let again = change(&mut bob, "invites/accept", &[("code", &code)]).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(again.json()["joined"], "joined");
    let uses: i64 = sqlx::query_scalar("SELECT uses FROM invites")
        .fetch_one(app.db.pool())
        .await
        .unwrap_or(-1);
    assert_eq!(uses, 2, "coming back takes a use like any join");
}

async fn archiving_freezes_the_thread_the_ring_and_the_people(app: &TestApp) {
    let mut ada = app.client();
    ada.sign_up("ada").await;
    let mut bob = app.client();
    let bob_id = bob.sign_up("bob").await.json()["user"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    app.client().sign_up("cyd").await;
    let draft = create_draft(&mut ada, "Frozen").await;
    let created = change(
        &mut ada,
        "invites/create",
        &[("draft_id", &draft), ("role", "editor")],
    )
    .await;
    let code = created.json()["link"]
        .as_str()
        .and_then(|l| l.rsplit('/').next())
        .unwrap_or_default()
        .to_owned();
    change(
        &mut ada,
        "drafts/add_collaborator",
        &[("draft_id", &draft), ("handle", "bob"), ("role", "editor")],
    )
    .await;
    change(
        &mut ada,
        "drafts/pass_ring",
        &[("draft_id", &draft), ("to_user_id", &bob_id)],
    )
    .await;
    let archived = change(
        &mut ada,
        "drafts/set_status",
        &[("draft_id", &draft), ("status", "archived")],
    )
    .await;
    assert_eq!(archived.status, StatusCode::OK);

    let refused: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("drafts/reclaim_ring", vec![("draft_id", &draft)]),
        (
            "drafts/add_collaborator",
            vec![("draft_id", &draft), ("handle", "cyd"), ("role", "viewer")],
        ),
        (
            "drafts/set_role",
            vec![
                ("draft_id", &draft),
                ("user_id", &bob_id),
                ("role", "viewer"),
            ],
        ),
        (
            "invites/create",
            vec![("draft_id", &draft), ("role", "viewer")],
        ),
    ];
    for (endpoint, form) in refused {
        let reply = change(&mut ada, endpoint, &form).await;
        assert_eq!(
            reply.status,
            StatusCode::CONFLICT,
            "{endpoint}: {}",
            reply.body
        );
    }
    let append = change(
        &mut bob,
        "drafts/append",
        &[("draft_id", &draft), ("content", "late")],
    )
    .await;
    assert_eq!(append.status, StatusCode::CONFLICT);
    let mut cyd = app.client();
    cyd.sign_in("cyd", PASSWORD).await;
    let join = change(&mut cyd, "invites/accept", &[("code", &code)]).await;
    assert_eq!(join.status, StatusCode::NOT_FOUND, "{}", join.body);
    assert_eq!(join.json()["kind"], "invite_unavailable");

    // Taking access away still works, and so does un-archiving.
    let removed = change(
        &mut ada,
        "drafts/remove_collaborator",
        &[("draft_id", &draft), ("user_id", &bob_id)],
    )
    .await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.body);
    let restored = change(
        &mut ada,
        "drafts/set_status",
        &[("draft_id", &draft), ("status", "draft")],
    )
    .await;
    assert_eq!(restored.status, StatusCode::OK);
    let ring: String =
        sqlx::query_scalar("SELECT u.handle FROM drafts d JOIN users u ON u.id = d.ring_holder_id")
            .fetch_one(app.db.pool())
            .await
            .unwrap_or_default();
    assert_eq!(
        ring, "ada",
        "the removed holder's ring came back to the owner"
    );
}

async fn sign_in_failures_lock_only_the_address_that_failed(app: &TestApp) {
    app.client().sign_up("ada").await;
    // A stranger at another address fails ada's password until locked out.
    for _ in 0..6 {
        let reply = app
            .send(sign_in_from("198.51.100.66", "ada", "not her password"))
            .await;
        assert!(
            matches!(
                reply.status,
                StatusCode::UNAUTHORIZED | StatusCode::TOO_MANY_REQUESTS
            ),
            "{}",
            reply.status
        );
    }
    let stranger = app
        .send(sign_in_from("198.51.100.66", "ada", PASSWORD))
        .await;
    assert_eq!(
        stranger.status,
        StatusCode::TOO_MANY_REQUESTS,
        "locked for the stranger"
    );
    // Ada, at her own address, signs in.
    let owner = app.send(sign_in_from("203.0.113.7", "ada", PASSWORD)).await;
    assert_eq!(owner.status, StatusCode::OK, "{}", owner.body);
}

/// A sign-in through our proxy, which saw the client at `address`.
fn sign_in_from(address: &str, login: &str, password: &str) -> Request<Body> {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("login", login)
        .append_pair("password", password)
        .finish();
    let mut request = raw_form("/api/auth/sign_in", body.as_bytes());
    if let Ok(value) = address.parse() {
        request.headers_mut().insert("x-forwarded-for", value);
    }
    request
}

async fn behind_a_proxy_limits_count_the_address_the_proxy_saw(app: &TestApp) {
    // The client sends a made-up leftmost entry each time; the proxy appends what it saw.
    let mut statuses = Vec::new();
    for i in 0..21 {
        let body = format!("login=someone{i}&password=whatever12");
        let mut request = raw_form("/api/auth/sign_in", body.as_bytes());
        if let Ok(value) = format!("10.9.{}.{}, 198.51.100.7", i / 200, i % 200).parse() {
            request.headers_mut().insert("x-forwarded-for", value);
        }
        statuses.push(app.send(request).await.status);
    }
    assert_eq!(
        statuses.last(),
        Some(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    let mut other = raw_form("/api/auth/sign_in", b"login=someone&password=whatever12");
    if let Ok(value) = "198.51.100.7, 198.51.100.8".parse() {
        other.headers_mut().insert("x-forwarded-for", value);
    }
    assert_eq!(
        app.send(other).await.status,
        StatusCode::UNAUTHORIZED,
        "another client's budget is its own"
    );
}

async fn one_user_is_held_to_a_budget_of_changes(app: &TestApp) {
    let mut ada = app.client();
    ada.sign_up("ada").await;
    let draft = create_draft(&mut ada, "Budget").await;
    create_draft(&mut ada, "Second").await;
    let third = change(
        &mut ada,
        "drafts/create",
        &[
            ("title", "Third"),
            ("platform", "x"),
            ("first_segment", "x"),
        ],
    )
    .await;
    assert_eq!(third.status, StatusCode::TOO_MANY_REQUESTS);
    let retry = third
        .header("retry-after")
        .and_then(|v| v.parse::<u64>().ok());
    assert!(retry.is_some_and(|s| (1..=60).contains(&s)), "{retry:?}");
    for i in 0..3 {
        let reply = change(
            &mut ada,
            "drafts/append",
            &[("draft_id", &draft), ("content", &format!("post {i}"))],
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    let over = change(
        &mut ada,
        "drafts/append",
        &[("draft_id", &draft), ("content", "one more")],
    )
    .await;
    assert_eq!(over.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(over.json()["kind"], "rate_limited");
    let mut bob = app.client();
    bob.sign_up("bob").await;
    create_draft(&mut bob, "Bob's own budget").await;
}

async fn personal_answers_are_never_cached(app: &TestApp) {
    let mut ada = app.client();
    ada.sign_up("ada").await;
    for path in ["/", "/account", "/drafts", "/no/such/page"] {
        let page = ada.get(path).await;
        assert_eq!(
            page.header("cache-control"),
            Some("private, no-store"),
            "{path}"
        );
    }
    let me = ada.call("auth/me", &[]).await;
    assert_eq!(me.header("cache-control"), Some("private, no-store"));
    let error = app.client().call("auth/sessions", &[]).await;
    assert_eq!(error.header("cache-control"), Some("private, no-store"));
}

async fn health_details_need_the_monitors_token(app: &TestApp) {
    let public = app.client().get("/api/health").await;
    assert_eq!(public.status, StatusCode::OK);
    assert_eq!(
        public.json(),
        serde_json::json!({"status": "ok", "database": "up"})
    );
    // Behind a proxy everyone looks local: an address is no credential.
    let local = Request::builder()
        .uri("/api/health")
        .header("x-forwarded-for", "127.0.0.1")
        .body(Body::empty())
        .unwrap_or_default();
    assert!(app.send(local).await.json().get("details").is_none());
    let wrong = Request::builder()
        .uri("/api/health")
        .header("authorization", "Bearer guess")
        .body(Body::empty())
        .unwrap_or_default();
    assert!(app.send(wrong).await.json().get("details").is_none());
}

async fn signing_in_ends_the_browsers_previous_session(app: &TestApp) {
    let mut browser = app.client();
    browser.sign_up("ada").await;
    let first = browser.cookie.clone();
    browser.sign_in("ada", PASSWORD).await;
    assert_ne!(browser.cookie, first);
    let mut old = app.client();
    old.cookie = first;
    assert_eq!(
        old.call("auth/me", &[]).await.json(),
        serde_json::Value::Null
    );
    let live: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE revoked_at IS NULL")
        .fetch_one(app.db.pool())
        .await
        .unwrap_or(-1);
    assert_eq!(live, 1);
}

async fn sessions_end_at_their_absolute_lifetime(app: &TestApp) {
    let mut ada = app.client();
    ada.sign_up("ada").await;
    assert_ne!(
        ada.call("auth/me", &[]).await.json(),
        serde_json::Value::Null
    );
    tokio::time::sleep(Duration::from_millis(1_600)).await;
    // However recently used, a session ends its absolute lifetime after sign-in.
    assert_eq!(
        ada.call("auth/me", &[]).await.json(),
        serde_json::Value::Null
    );
}

async fn purges_remove_ended_sessions_and_old_failures(app: &TestApp) {
    let mut ada = app.client();
    ada.sign_up("ada").await;
    ada.call("auth/sign_out", &[]).await;
    app.client().sign_in("ada", "wrong password").await;
    let mut bob = app.client();
    bob.sign_up("bob").await;
    sqlx::query("UPDATE login_failures SET updated_at = 0")
        .execute(app.db.pool())
        .await
        .ok();
    let purged = onering::auth::service::purge(&app.db, Duration::from_secs(90 * 86_400)).await;
    assert_eq!(purged, Ok(2), "ada's ended session and the old failure");
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
        .fetch_one(app.db.pool())
        .await
        .unwrap_or(-1);
    assert_eq!(left, 1, "bob's live session stays");
    assert_ne!(
        bob.call("auth/me", &[]).await.json(),
        serde_json::Value::Null
    );
}
