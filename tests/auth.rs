//! Accounts and sessions through the real router, on SQLite and PostgreSQL.

mod common;

use common::{TestApp, PASSWORD};
use http::StatusCode;
use sha2::{Digest, Sha256};

on_both_backends!(
    sign_up_signs_in_with_a_safe_cookie,
    secrets_are_stored_only_as_hashes,
    handles_and_emails_are_unique_and_normalised,
    invalid_sign_up_input_names_the_field,
    sign_out_revokes_the_session_on_the_server,
    every_sign_in_gets_a_new_token,
    unknown_account_and_wrong_password_look_the_same,
    repeated_failures_lock_the_account_with_growing_delays,
    sign_in_is_rate_limited_per_ip,
    sessions_can_be_listed_and_ended,
    sessions_expire_and_slide,
);

fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

async fn sign_up_signs_in_with_a_safe_cookie(app: &TestApp) {
    let mut ada = app.client();
    let reply = ada.sign_up("Ada_Lovelace").await;
    let me = reply.json();
    assert_eq!(me["user"]["handle"], "ada_lovelace");
    assert_eq!(me["email"], "Ada_Lovelace@example.com");
    let display_id = me["user"]["display_id"].as_str().unwrap_or_default();
    assert!(display_id.starts_with("@u_") && display_id.len() == 9);

    let cookie = reply
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("onering_session="));
    let cookie = cookie.unwrap_or_default();
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=2592000"] {
        assert!(cookie.contains(flag), "{cookie} lacks {flag}");
    }
    assert!(
        !cookie.contains("Secure"),
        "plain-http deployments must not set Secure"
    );

    let me_again = ada.call("auth/me", &[]).await;
    assert_eq!(me_again.status, StatusCode::OK);
    assert_eq!(me_again.json()["user"]["handle"], "ada_lovelace");

    let mut stranger = app.client();
    assert_eq!(
        stranger.call("auth/me", &[]).await.json(),
        serde_json::Value::Null
    );
}

async fn secrets_are_stored_only_as_hashes(app: &TestApp) {
    let mut ada = app.client();
    ada.sign_up("ada").await;
    let token = ada.cookie.clone().unwrap_or_default();
    assert!(token.len() >= 43, "a 256-bit token");

    let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM sessions")
        .fetch_all(app.db.pool())
        .await
        .unwrap_or_default();
    assert_eq!(stored, vec![sha256_hex(&token)]);
    assert!(!stored[0].contains(&token));

    let password_hash: String = sqlx::query_scalar("SELECT password_hash FROM users")
        .fetch_one(app.db.pool())
        .await
        .unwrap_or_default();
    assert!(password_hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    assert!(!password_hash.contains(PASSWORD));

    // Every page and call of a signed-in user; `finish` then scans every body for the
    // password, each token handed out, its stored hash and the password hash.
    ada.call("auth/sessions", &[]).await;
    ada.call("auth/me", &[]).await;
    ada.get("/account").await;
    ada.get("/").await;
}

async fn handles_and_emails_are_unique_and_normalised(app: &TestApp) {
    app.client().sign_up("ada").await;
    let taken = app
        .client()
        .call(
            "auth/sign_up",
            &[
                ("handle", "ADA"),
                ("email", "other@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(taken.json()["field"], "handle");

    let same_email = app
        .client()
        .call(
            "auth/sign_up",
            &[
                ("handle", "grace"),
                ("email", "ADA@Example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(same_email.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(same_email.json()["field"], "email");
}

async fn invalid_sign_up_input_names_the_field(app: &TestApp) {
    let cases = [
        ("a", "a@example.com", PASSWORD, "handle"),
        ("has-dash", "a@example.com", PASSWORD, "handle"),
        ("grace", "not-an-email", PASSWORD, "email"),
        ("grace", "g@example.com", "short", "password"),
    ];
    for (handle, email, password, field) in cases {
        let reply = app
            .client()
            .call(
                "auth/sign_up",
                &[("handle", handle), ("email", email), ("password", password)],
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{handle} {email}"
        );
        assert_eq!(reply.json()["kind"], "validation");
        assert_eq!(reply.json()["field"], field);
        assert!(!reply.json()["message"]
            .as_str()
            .unwrap_or_default()
            .is_empty());
    }
}

async fn sign_out_revokes_the_session_on_the_server(app: &TestApp) {
    let mut ada = app.client();
    ada.sign_up("ada").await;
    let old_cookie = ada.cookie.clone();
    let reply = ada.call("auth/sign_out", &[]).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.set_cookies().iter().any(|c| c.contains("Max-Age=0")));

    // Replaying the old cookie (as a thief would) no longer works.
    let mut replay = app.client();
    replay.cookie = old_cookie;
    assert_eq!(
        replay.call("auth/me", &[]).await.json(),
        serde_json::Value::Null
    );
    let revoked: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE revoked_at IS NOT NULL")
            .fetch_one(app.db.pool())
            .await
            .unwrap_or_default();
    assert_eq!(revoked, 1);
}

async fn every_sign_in_gets_a_new_token(app: &TestApp) {
    let mut ada = app.client();
    ada.sign_up("ada").await;
    let first = ada.cookie.clone();
    let reply = ada.sign_in("ADA", PASSWORD).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_ne!(ada.cookie, first);
    let by_email = app.client().sign_in("Ada@Example.com", PASSWORD).await;
    assert_eq!(by_email.status, StatusCode::OK);
    assert_eq!(by_email.json()["user"]["handle"], "ada");
}

async fn unknown_account_and_wrong_password_look_the_same(app: &TestApp) {
    app.client().sign_up("ada").await;
    let wrong = app.client().sign_in("ada", "wrong password!").await;
    let unknown = app.client().sign_in("nobody", "wrong password!").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.status, unknown.status);
    assert_eq!(wrong.body, unknown.body);
    assert!(wrong.set_cookies().is_empty());
}

async fn repeated_failures_lock_the_account_with_growing_delays(app: &TestApp) {
    app.client().sign_up("ada").await;
    for _ in 0..5 {
        let reply = app.client().sign_in("ada", "nope nope nope").await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    // Locked now, even with the right password.
    let locked = app.client().sign_in("ada", PASSWORD).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(locked.json()["kind"], "rate_limited");
    let retry = locked.json()["retry_after_s"].as_u64().unwrap_or_default();
    assert!((1..=30).contains(&retry), "{retry}");
    assert_eq!(
        locked.header("retry-after"),
        Some(retry.to_string().as_str())
    );

    // Once the lock passes, the next failure locks for longer.
    sqlx::query("UPDATE login_failures SET locked_until = 0")
        .execute(app.db.pool())
        .await
        .ok();
    app.client().sign_in("ada", "nope nope nope").await;
    let longer = app.client().sign_in("ada", PASSWORD).await;
    assert!(longer.json()["retry_after_s"].as_u64().unwrap_or_default() > 30);
}

async fn sign_in_is_rate_limited_per_ip(app: &TestApp) {
    // The harness's limit is 20 a minute from one address; these come from the same one.
    let mut last = None;
    for i in 0..21 {
        let login = format!("someone{i}");
        last = Some(app.client().sign_in(&login, "whatever12").await);
    }
    let last = last.map(|r| (r.status, r.json()["kind"].clone()));
    assert_eq!(
        last,
        Some((
            StatusCode::TOO_MANY_REQUESTS,
            serde_json::json!("rate_limited")
        ))
    );
}

async fn sessions_can_be_listed_and_ended(app: &TestApp) {
    let mut laptop = app.client();
    laptop.sign_up("ada").await;
    let mut phone = app.client();
    phone.user_agent = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1".into();
    phone.sign_in("ada", PASSWORD).await;

    let list = laptop.call("auth/sessions", &[]).await.json();
    let sessions = list.as_array().cloned().unwrap_or_default();
    assert_eq!(sessions.len(), 2);
    let current: Vec<_> = sessions.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0]["device"], "Chrome on Linux");
    let phone_session = sessions
        .iter()
        .find(|s| s["current"] == false)
        .cloned()
        .unwrap_or_default();
    assert_eq!(phone_session["device"], "Safari on iPhone");
    let phone_id = phone_session["id"].as_str().unwrap_or_default().to_owned();

    // Another user cannot end it.
    let mut grace = app.client();
    grace.sign_up("grace").await;
    let foreign = grace
        .call("auth/end_session", &[("session_id", &phone_id)])
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);

    let ended = laptop
        .call("auth/end_session", &[("session_id", &phone_id)])
        .await;
    assert_eq!(ended.status, StatusCode::OK);
    assert_eq!(
        phone.call("auth/me", &[]).await.json(),
        serde_json::Value::Null
    );
    assert_eq!(
        laptop
            .call("auth/sessions", &[])
            .await
            .json()
            .as_array()
            .map(Vec::len),
        Some(1)
    );

    let signed_out = app.client().call("auth/sessions", &[]).await;
    assert_eq!(signed_out.status, StatusCode::UNAUTHORIZED);
}

async fn sessions_expire_and_slide(app: &TestApp) {
    let mut ada = app.client();
    ada.sign_up("ada").await;
    let before: i64 = sqlx::query_scalar("SELECT expires_at FROM sessions")
        .fetch_one(app.db.pool())
        .await
        .unwrap_or_default();

    // Seen ten minutes ago: this request slides the expiry forward and renews the cookie.
    let ten_minutes = 10 * 60 * 1000_i64;
    sqlx::query(
        "UPDATE sessions SET last_seen_at = last_seen_at - $1, expires_at = expires_at - $1",
    )
    .bind(ten_minutes)
    .execute(app.db.pool())
    .await
    .ok();
    let reply = ada.call("auth/me", &[]).await;
    assert!(reply
        .set_cookies()
        .iter()
        .any(|c| c.starts_with("onering_session=") && c.contains("Max-Age=2592000")));
    let after: i64 = sqlx::query_scalar("SELECT expires_at FROM sessions")
        .fetch_one(app.db.pool())
        .await
        .unwrap_or_default();
    assert!(after >= before, "expiry slid forward");

    // A quick second request does not write again.
    assert!(ada.call("auth/me", &[]).await.set_cookies().is_empty());

    sqlx::query("UPDATE sessions SET expires_at = 1")
        .execute(app.db.pool())
        .await
        .ok();
    assert_eq!(
        ada.call("auth/me", &[]).await.json(),
        serde_json::Value::Null
    );
}
