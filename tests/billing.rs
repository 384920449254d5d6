//! Stripe billing through the real router, on SQLite and PostgreSQL, against a fake Stripe
//! API on a local port (`common/fake_stripe.rs`): checkout and portal over real HTTP,
//! webhook signatures made by `generate_test_header`, order safety, exactly-once
//! application under a storm of shuffled duplicate deliveries, retries, period ends,
//! reconciliation — and a server without a Stripe key, where billing is off and nothing
//! else changes.

mod common;

use std::time::{Duration, Instant};

use common::fake_stripe::{
    self, subscription, FakeStripe, SubscriptionSpec, PRICE_CREATOR, PRICE_TEAM, SECRET_KEY,
    WEBHOOK_SECRET,
};
use common::{change, key, Backend, Client, TestApp};
use http::{Method, Request, StatusCode};
use onering::billing::service::{self, EVENT_JOB, PERIOD_END_JOB};
use serde_json::Value;

/// A secret being rotated out: deliveries signed with it are still taken.
const OLD_WEBHOOK_SECRET: &str = "whsec_onering_old";

/// Runs each case on both backends, each with its own fake Stripe.
macro_rules! with_billing {
    ($($case:ident),+ $(,)?) => {
        $(
            mod $case {
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn sqlite() {
                    let (app, fake) = super::start(super::Backend::Sqlite).await;
                    super::$case(&app, &fake).await;
                    app.finish().await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn postgres() {
                    let (app, fake) = super::start(super::Backend::Postgres).await;
                    super::$case(&app, &fake).await;
                    app.finish().await;
                }
            }
        )+
    };
}

with_billing!(
    checkout_makes_one_customer_and_the_plan_changes_only_from_the_webhook,
    signatures_are_checked_against_every_secret_within_300_seconds,
    the_webhook_alone_is_exempt_from_the_cross_site_check,
    a_late_update_never_undoes_a_deletion_and_a_tie_asks_stripe,
    a_failed_payment_keeps_the_plan_with_a_calm_notice,
    a_cancellation_keeps_the_plan_until_the_period_ends,
    reconciliation_fixes_drift_and_records_why,
    a_failed_event_is_retried_by_its_job_until_it_applies,
    an_event_the_sdk_cannot_read_is_kept_for_replay,
    a_storm_of_shuffled_duplicates_applies_each_event_once,
    an_admin_replays_an_ignored_event_and_reconciles_with_an_audit_trail,
);

on_both_backends!(without_a_key_billing_is_off_and_everything_else_works);

async fn start(backend: Backend) -> (TestApp, FakeStripe) {
    let fake = FakeStripe::start().await;
    let stripe = fake.config(&[OLD_WEBHOOK_SECRET]);
    let app = TestApp::start_with(backend, move |config| {
        config.mutation_limits.drafts_created = 1_000;
        config.mutation_limits.other = 1_000;
        config.stripe = Some(stripe);
    })
    .await;
    (app, fake)
}

fn now_secs() -> i64 {
    chrono::Utc::now().timestamp()
}

async fn user_id(app: &TestApp, handle: &str) -> String {
    sqlx::query_scalar("SELECT id FROM users WHERE handle = $1")
        .bind(handle)
        .fetch_one(app.db.pool())
        .await
        .unwrap_or_else(|err| panic!("no @{handle}: {err}"))
}

async fn plan_of(app: &TestApp, handle: &str) -> String {
    let id = user_id(app, handle).await;
    onering::plans::store::my_plan(&app.db, &id, onering::db::now_ms())
        .await
        .unwrap_or_else(|err| panic!("{err}"))
        .plan
        .id
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(app.db.pool())
        .await
        .unwrap_or_else(|err| panic!("{sql}: {err}"))
}

async fn event_status(app: &TestApp, id: &str) -> (String, i64, Option<String>) {
    sqlx::query_as("SELECT status, attempts, last_error FROM billing_events WHERE event_id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap_or_else(|err| panic!("no event {id}: {err}"))
}

/// Posts `payload` to the webhook route with `signature`, as Stripe does (no cookie, no
/// origin).
async fn post_webhook(app: &TestApp, payload: &str, signature: Option<&str>) -> common::Reply {
    let mut builder = Request::builder()
        .method(Method::POST)
        .uri("/api/billing/webhook")
        .header("content-type", "application/json; charset=utf-8")
        .header(
            "user-agent",
            "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
        );
    if let Some(signature) = signature {
        builder = builder.header("stripe-signature", signature);
    }
    let request = builder
        .body(axum::body::Body::from(payload.to_owned()))
        .unwrap_or_default();
    app.send(request).await
}

/// Delivers `payload` signed now with the current secret; asserts Stripe would be told 200.
async fn deliver(app: &TestApp, payload: &str) -> String {
    let signature = fake_stripe::signature(payload, WEBHOOK_SECRET, now_secs());
    let reply = post_webhook(app, payload, Some(&signature)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    settled(app, payload).await;
    reply.body
}

/// Waits until the event in `payload` is no longer pending: its answer waits a bounded
/// time for the apply, which then goes on in its own task.
async fn settled(app: &TestApp, payload: &str) {
    let value: Value = serde_json::from_str(payload).unwrap_or_default();
    let id = value["id"].as_str().unwrap_or_default().to_owned();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let status: Option<String> =
            sqlx::query_scalar("SELECT status FROM billing_events WHERE event_id = $1")
                .bind(&id)
                .fetch_optional(app.db.pool())
                .await
                .unwrap_or_default();
        if status.as_deref() != Some("pending") || Instant::now() > deadline {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A subscription for `customer` / `user` in `status` at `price`, ending in 30 days.
fn sub(id: &str, customer: &str, user: &str, status: &str, price: &str) -> Value {
    subscription(&SubscriptionSpec {
        id,
        customer,
        status,
        price,
        period_end: now_secs() + 30 * 86_400,
        cancel_at_period_end: false,
        user_id: Some(user),
    })
}

fn subscription_event(id: &str, kind: &str, created: i64, object: Value) -> String {
    fake_stripe::event(id, kind, created, object)
}

/// Signs someone up and makes them a Stripe customer through a real checkout call.
async fn customer(app: &TestApp, client: &mut Client<'_>, handle: &str) -> (String, String) {
    client.sign_up(handle).await;
    let started = change(client, "billing/checkout", &[("plan", "creator")]).await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);
    let user = user_id(app, handle).await;
    let customer: String =
        sqlx::query_scalar("SELECT customer_id FROM billing_customers WHERE user_id = $1")
            .bind(&user)
            .fetch_one(app.db.pool())
            .await
            .unwrap_or_else(|err| panic!("no customer for @{handle}: {err}"));
    (user, customer)
}

/// [`customer`] "ada", subscribed to `price` (subscription `id`, created at `at`): Stripe
/// holds it active and its `created` event has been delivered.
async fn subscriber(
    app: &TestApp,
    fake: &FakeStripe,
    ada: &mut Client<'_>,
    id: &str,
    price: &str,
    at: i64,
) -> (String, String) {
    let (uid, cus) = customer(app, ada, "ada").await;
    let active = sub(id, &cus, &uid, "active", price);
    fake.set_subscription(active.clone());
    let created = subscription_event(
        &format!("evt_{id}_created"),
        "customer.subscription.created",
        at,
        active,
    );
    deliver(app, &created).await;
    let plan = if price == PRICE_TEAM {
        "team"
    } else {
        "creator"
    };
    assert_eq!(plan_of(app, "ada").await, plan);
    (uid, cus)
}

async fn checkout_makes_one_customer_and_the_plan_changes_only_from_the_webhook(
    app: &TestApp,
    fake: &FakeStripe,
) {
    let mut ada = app.client();
    ada.sign_up("ada").await;
    let uid = user_id(app, "ada").await;
    let status = ada.call("billing/status", &[]).await.json();
    assert_eq!(status["enabled"], true);
    assert_eq!(status["can_manage"], false);
    let offered: Vec<&str> = status["upgrades"]
        .as_array()
        .map(|u| u.iter().filter_map(|p| p["plan"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(offered, ["creator", "team"]);

    // One intent, sent twice (a double click): one customer, one checkout session.
    let intent = key();
    let first = ada
        .call(
            "billing/checkout",
            &[("plan", "creator"), ("idempotency_key", &intent)],
        )
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let url = first.json()["url"].as_str().unwrap_or_default().to_owned();
    assert!(
        url.starts_with(&format!("{}/pay/cs_test_", fake.url)),
        "{url}"
    );
    let again = ada
        .call(
            "billing/checkout",
            &[("plan", "creator"), ("idempotency_key", &intent)],
        )
        .await;
    assert_eq!(again.json()["url"], url.as_str());
    let customers = fake.calls("/v1/customers");
    assert_eq!(customers.len(), 1, "the customer is made once");
    assert_eq!(customers[0].field("email"), Some("ada@example.com"));
    assert_eq!(
        customers[0].field("metadata[onering_user]"),
        Some(uid.as_str())
    );
    assert_eq!(
        customers[0].idempotency_key.as_deref(),
        Some(format!("onering-customer-{uid}").as_str())
    );
    let checkouts = fake.calls("/v1/checkout/sessions");
    assert_eq!(checkouts.len(), 2);
    assert_eq!(checkouts[0].idempotency_key, checkouts[1].idempotency_key);
    let checkout = &checkouts[0];
    assert_eq!(checkout.field("mode"), Some("subscription"));
    assert_eq!(checkout.field("client_reference_id"), Some(uid.as_str()));
    assert_eq!(checkout.field("line_items[0][price]"), Some(PRICE_CREATOR));
    assert_eq!(checkout.field("line_items[0][quantity]"), Some("1"));
    assert_eq!(
        checkout.field("success_url"),
        Some("http://127.0.0.1:3000/account/plan?checkout=done")
    );
    assert_eq!(
        checkout.field("cancel_url"),
        Some("http://127.0.0.1:3000/account/plan?checkout=cancelled")
    );
    // A second intent is a second checkout, on the same customer.
    let team = change(&mut ada, "billing/checkout", &[("plan", "team")]).await;
    assert_eq!(team.status, StatusCode::OK);
    assert_eq!(fake.calls("/v1/customers").len(), 1);

    // Coming back from checkout changes nothing by itself.
    let back = ada.get("/account/plan?checkout=done").await;
    assert_eq!(back.status, StatusCode::OK);
    assert!(
        back.body
            .contains("Payment received — your plan updates in a moment"),
        "{}",
        back.body
    );
    assert_eq!(plan_of(app, "ada").await, "free");

    // Refused: plans that cannot be bought, the plan one has, a missing key.
    for plan in ["free", "enterprise", ""] {
        let refused = change(&mut ada, "billing/checkout", &[("plan", plan)]).await;
        assert!(
            refused.status.is_client_error(),
            "{plan}: {}",
            refused.status
        );
    }
    let no_key = ada.call("billing/checkout", &[("plan", "creator")]).await;
    assert!(no_key.status.is_client_error());

    // Stripe reports the completed checkout: now the plan changes, with reason billing.
    let cus: String = sqlx::query_scalar("SELECT customer_id FROM billing_customers")
        .fetch_one(app.db.pool())
        .await
        .unwrap_or_default();
    let subscription = sub("sub_ada", &cus, &uid, "active", PRICE_CREATOR);
    fake.set_subscription(subscription.clone());
    let completed = serde_json::json!({
        "id": "cs_test_done", "object": "checkout.session", "automatic_tax": { "enabled": false },
        "client_reference_id": uid, "created": 1, "custom_fields": [], "custom_text": {},
        "customer": cus, "expires_at": 2, "livemode": false, "mode": "subscription",
        "payment_method_types": ["card"], "payment_status": "paid", "shipping_options": [],
        "subscription": "sub_ada",
    });
    let t = now_secs();
    deliver(
        app,
        &subscription_event("evt_done", "checkout.session.completed", t, completed),
    )
    .await;
    assert_eq!(plan_of(app, "ada").await, "creator");
    let reasons = count(
        app,
        "SELECT COUNT(*) FROM plan_changes WHERE reason = 'billing' AND to_plan = 'creator'",
    )
    .await;
    assert_eq!(reasons, 1);
    // …and the creator limits apply: a fourth draft is allowed.
    for n in 0..4 {
        let made = change(
            &mut ada,
            "drafts/create",
            &[
                ("title", &format!("Draft {n}")),
                ("platform", "x"),
                ("first_segment", "Hi"),
            ],
        )
        .await;
        assert_eq!(made.status, StatusCode::OK, "draft {n}: {}", made.body);
    }
    let page = ada.get("/account/plan").await;
    assert!(page.body.contains("Creator"));

    // The portal, for someone with a customer; a clear refusal for someone without.
    let portal = change(&mut ada, "billing/portal", &[]).await;
    assert_eq!(portal.status, StatusCode::OK, "{}", portal.body);
    assert!(portal.json()["url"]
        .as_str()
        .unwrap_or_default()
        .starts_with(&format!("{}/portal/", fake.url)));
    let opened = fake.calls("/v1/billing_portal/sessions");
    assert_eq!(opened[0].field("customer"), Some(cus.as_str()));
    assert_eq!(
        opened[0].field("return_url"),
        Some("http://127.0.0.1:3000/account/plan")
    );
    let mut bob = app.client();
    bob.sign_up("bob").await;
    let nothing = change(&mut bob, "billing/portal", &[]).await;
    assert_eq!(nothing.status, StatusCode::CONFLICT);

    // Stripe down: a clear 502, never Stripe's text.
    fake.state().failing = true;
    let down = change(&mut bob, "billing/checkout", &[("plan", "team")]).await;
    assert_eq!(down.status, StatusCode::BAD_GATEWAY);
    assert_eq!(down.json()["kind"], "payment_provider");
    assert!(!down.body.contains("Something went wrong"));
    app.assert_never_sent(&[SECRET_KEY, WEBHOOK_SECRET, OLD_WEBHOOK_SECRET]);
}

async fn signatures_are_checked_against_every_secret_within_300_seconds(
    app: &TestApp,
    fake: &FakeStripe,
) {
    let mut ada = app.client();
    let (uid, cus) = customer(app, &mut ada, "ada").await;
    let state = sub("sub_sig", &cus, &uid, "active", PRICE_CREATOR);
    fake.set_subscription(state.clone());
    let payload = subscription_event(
        "evt_sig",
        "customer.subscription.created",
        now_secs(),
        state,
    );
    let now = now_secs();
    let sign = |secret: &str, t: i64| fake_stripe::signature(&payload, secret, t);
    let v1 = |secret: &str, t: i64| {
        sign(secret, t)
            .split(',')
            .find_map(|part| part.strip_prefix("v1=").map(str::to_owned))
            .unwrap_or_default()
    };

    let refusals = [
        (
            "tampered body",
            payload.replace("active", "trialing"),
            sign(WEBHOOK_SECRET, now),
        ),
        (
            "wrong secret",
            payload.clone(),
            sign("whsec_someone_else", now),
        ),
        (
            "301 s old",
            payload.clone(),
            sign(WEBHOOK_SECRET, now - 301),
        ),
        (
            "301 s ahead",
            payload.clone(),
            sign(WEBHOOK_SECRET, now + 301),
        ),
        ("no v1", payload.clone(), format!("t={now}")),
        ("garbage header", payload.clone(), "nonsense".to_owned()),
        (
            "v0 only",
            payload.clone(),
            format!("t={now},v0={}", v1(WEBHOOK_SECRET, now)),
        ),
    ];
    for (what, body, signature) in &refusals {
        let reply = post_webhook(app, body, Some(signature)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{what}");
        assert_eq!(
            reply.body, "refused",
            "{what}: every refusal looks the same"
        );
    }
    let unsigned = post_webhook(app, &payload, None).await;
    assert_eq!(
        (unsigned.status, unsigned.body.as_str()),
        (StatusCode::BAD_REQUEST, "refused")
    );
    let signed_nonsense = "not an event";
    let header = fake_stripe::signature(signed_nonsense, WEBHOOK_SECRET, now);
    assert_eq!(
        post_webhook(app, signed_nonsense, Some(&header))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        count(app, "SELECT COUNT(*) FROM billing_events").await,
        0,
        "nothing refused is stored"
    );
    assert_eq!(plan_of(app, "ada").await, "free");

    // Inside the tolerance, and a rotation: two v1 values, only one made with a secret we
    // hold (here the old one), in either position.
    let within = post_webhook(app, &payload, Some(&sign(WEBHOOK_SECRET, now - 290))).await;
    assert_eq!(
        (within.status, within.body.as_str()),
        (StatusCode::OK, "received")
    );
    settled(app, &payload).await;
    assert_eq!(plan_of(app, "ada").await, "creator");

    let rotated = subscription_event(
        "evt_rotated",
        "customer.subscription.updated",
        now_secs() + 1,
        sub("sub_sig", &cus, &uid, "active", PRICE_TEAM),
    );
    for (n, header) in [
        format!(
            "t={now},v1={},v1={}",
            v1_of(&rotated, "whsec_unknown", now),
            v1_of(&rotated, OLD_WEBHOOK_SECRET, now)
        ),
        format!(
            "t={now},v1={},v1={}",
            v1_of(&rotated, OLD_WEBHOOK_SECRET, now),
            v1_of(&rotated, "whsec_unknown", now)
        ),
    ]
    .iter()
    .enumerate()
    {
        let reply = post_webhook(app, &rotated, Some(header)).await;
        assert_eq!(reply.status, StatusCode::OK, "rotation header {n}");
        settled(app, &rotated).await;
    }
    assert_eq!(plan_of(app, "ada").await, "team");

    // A duplicate: 200, nothing changes.
    let changes = count(app, "SELECT COUNT(*) FROM plan_changes").await;
    let duplicate = post_webhook(app, &payload, Some(&sign(WEBHOOK_SECRET, now_secs()))).await;
    assert_eq!(
        (duplicate.status, duplicate.body.as_str()),
        (StatusCode::OK, "duplicate")
    );
    assert_eq!(
        count(app, "SELECT COUNT(*) FROM plan_changes").await,
        changes
    );
    assert_eq!(count(app, "SELECT COUNT(*) FROM billing_events").await, 2);
    assert_eq!(plan_of(app, "ada").await, "team");

    // The stored event: raw payload, its digest, type, Stripe time, status.
    let (kind, created, raw, digest, status): (String, i64, String, String, String) = sqlx::query_as(
        "SELECT event_type, created, payload, payload_sha256, status FROM billing_events WHERE event_id = 'evt_sig'",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(kind, "customer.subscription.created");
    assert!(created > 0);
    assert_eq!(raw, payload);
    assert_eq!(digest, common::sha(payload.as_bytes()));
    assert_eq!(status, "processed");

    // Too big a body: refused before anything is read.
    let huge = "x".repeat(300 * 1024);
    let too_big = post_webhook(
        app,
        &huge,
        Some(&fake_stripe::signature(&huge, WEBHOOK_SECRET, now)),
    )
    .await;
    assert_eq!(too_big.status, StatusCode::PAYLOAD_TOO_LARGE);
}

fn v1_of(payload: &str, secret: &str, t: i64) -> String {
    fake_stripe::signature(payload, secret, t)
        .split(',')
        .find_map(|part| part.strip_prefix("v1=").map(str::to_owned))
        .unwrap_or_default()
}

async fn the_webhook_alone_is_exempt_from_the_cross_site_check(app: &TestApp, fake: &FakeStripe) {
    let mut ada = app.client();
    let (uid, cus) = customer(app, &mut ada, "ada").await;
    let state = sub("sub_csrf", &cus, &uid, "active", PRICE_CREATOR);
    fake.set_subscription(state.clone());
    let payload = subscription_event(
        "evt_csrf",
        "customer.subscription.created",
        now_secs(),
        state,
    );
    let cross_site = |path: &str, body: &str, content_type: &str| {
        let mut builder = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header("content-type", content_type)
            .header("origin", "https://evil.example")
            .header("sec-fetch-site", "cross-site")
            .header(
                "stripe-signature",
                fake_stripe::signature(body, WEBHOOK_SECRET, now_secs()),
            );
        if let Some(cookie) = &ada.cookie {
            builder = builder.header("cookie", format!("onering_session={cookie}"));
        }
        builder
            .body(axum::body::Body::from(body.to_owned()))
            .unwrap_or_default()
    };
    let webhook = app
        .send(cross_site(
            "/api/billing/webhook",
            &payload,
            "application/json",
        ))
        .await;
    assert_eq!(webhook.status, StatusCode::OK, "{}", webhook.body);
    let form = format!("plan=team&idempotency_key={}", key());
    for path in [
        "/api/billing/checkout",
        "/api/billing/portal",
        "/api/billing/webhook/",
        "/api/billing/webhook2",
        "/api/drafts/create",
    ] {
        let reply = app
            .send(cross_site(path, &form, "application/x-www-form-urlencoded"))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{path} took a cross-site post"
        );
    }
    assert_eq!(
        fake.calls("/v1/checkout/sessions").len(),
        1,
        "only the set-up checkout reached Stripe"
    );
}

async fn a_late_update_never_undoes_a_deletion_and_a_tie_asks_stripe(
    app: &TestApp,
    fake: &FakeStripe,
) {
    let mut ada = app.client();
    let t = now_secs();
    let (uid, cus) = subscriber(app, fake, &mut ada, "sub_late", PRICE_CREATOR, t - 20).await;
    let ended = subscription(&SubscriptionSpec {
        id: "sub_late",
        customer: &cus,
        status: "canceled",
        price: PRICE_CREATOR,
        period_end: t - 60,
        cancel_at_period_end: false,
        user_id: Some(&uid),
    });
    let active = sub("sub_late", &cus, &uid, "active", PRICE_CREATOR);
    fake.set_subscription(ended.clone());
    deliver(
        app,
        &subscription_event(
            "evt_deleted",
            "customer.subscription.deleted",
            t,
            ended.clone(),
        ),
    )
    .await;
    assert_eq!(plan_of(app, "ada").await, "free");
    // The update sent before the deletion arrives after it: it changes nothing.
    deliver(
        app,
        &subscription_event(
            "evt_late_update",
            "customer.subscription.updated",
            t - 10,
            active.clone(),
        ),
    )
    .await;
    assert_eq!(plan_of(app, "ada").await, "free");
    assert_eq!(event_status(app, "evt_late_update").await.0, "processed");
    // An update in the same second as the deletion: Stripe's current state decides.
    let retrievals = fake.calls("/v1/subscriptions/sub_late").len();
    deliver(
        app,
        &subscription_event("evt_tie", "customer.subscription.updated", t, active),
    )
    .await;
    assert_eq!(
        fake.calls("/v1/subscriptions/sub_late").len(),
        retrievals + 1,
        "a tie is fetched"
    );
    assert_eq!(plan_of(app, "ada").await, "free");
    let stored: String = sqlx::query_scalar(
        "SELECT status FROM billing_subscriptions WHERE subscription_id = 'sub_late'",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap_or_default();
    assert_eq!(stored, "canceled");
}

async fn a_failed_payment_keeps_the_plan_with_a_calm_notice(app: &TestApp, fake: &FakeStripe) {
    let mut ada = app.client();
    let t = now_secs();
    let (uid, cus) = subscriber(app, fake, &mut ada, "sub_due", PRICE_TEAM, t - 30).await;
    assert_eq!(plan_of(app, "ada").await, "team");

    fake.set_subscription(sub("sub_due", &cus, &uid, "past_due", PRICE_TEAM));
    let invoice = fake_stripe::invoice("in_1", &cus, "sub_due", t - 20);
    deliver(
        app,
        &subscription_event("evt_2", "invoice.payment_failed", t - 20, invoice),
    )
    .await;
    assert_eq!(
        plan_of(app, "ada").await,
        "team",
        "a failed payment keeps the plan"
    );
    let status = ada.call("billing/status", &[]).await.json();
    let notice = status["notice"].as_str().unwrap_or_default().to_owned();
    assert!(
        notice.contains("didn't go through") && notice.contains("update your card"),
        "{notice}"
    );
    for unkind in ["suspended", "overdue", "lose", "warning"] {
        assert!(!notice.to_lowercase().contains(unkind), "{notice}");
    }
    let page = ada.get("/account/plan").await.body;
    assert!(
        page.contains("id=\"billing-notice\""),
        "the plan page shows the notice"
    );

    fake.set_subscription(sub("sub_due", &cus, &uid, "active", PRICE_TEAM));
    let paid = fake_stripe::invoice("in_2", &cus, "sub_due", t - 10);
    deliver(
        app,
        &subscription_event("evt_3", "invoice.paid", t - 10, paid),
    )
    .await;
    assert_eq!(
        ada.call("billing/status", &[]).await.json()["notice"],
        Value::Null
    );
    assert_eq!(plan_of(app, "ada").await, "team");
    // Other types are stored and marked ignored.
    deliver(
        app,
        &subscription_event(
            "evt_other",
            "customer.updated",
            t,
            serde_json::json!({ "id": cus, "object": "customer", "created": 1, "livemode": false }),
        ),
    )
    .await;
    assert_eq!(event_status(app, "evt_other").await.0, "ignored");
}

async fn a_cancellation_keeps_the_plan_until_the_period_ends(app: &TestApp, fake: &FakeStripe) {
    let mut ada = app.client();
    let t = now_secs();
    let (uid, cus) = subscriber(app, fake, &mut ada, "sub_end", PRICE_CREATOR, t - 30).await;
    // Cancelled now, paid until two seconds from now.
    let end = t + 2;
    let cancelled = subscription(&SubscriptionSpec {
        id: "sub_end",
        customer: &cus,
        status: "canceled",
        price: PRICE_CREATOR,
        period_end: end,
        cancel_at_period_end: false,
        user_id: Some(&uid),
    });
    fake.set_subscription(cancelled.clone());
    deliver(
        app,
        &subscription_event("evt_2", "customer.subscription.deleted", t - 20, cancelled),
    )
    .await;
    assert_eq!(
        plan_of(app, "ada").await,
        "creator",
        "kept until the period ends"
    );
    let jobs = onering::jobs::store::list(&app.db, PERIOD_END_JOB)
        .await
        .unwrap_or_default();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].run_at, end * 1000);

    let runner =
        onering::billing::jobs::register(onering::jobs::Runner::new(app.state.clone()), true);
    assert_eq!(
        runner.run_due(end * 1000 - 1).await.ok(),
        Some(1),
        "only the hourly reconcile is due"
    );
    assert_eq!(plan_of(app, "ada").await, "creator");
    while onering::db::now_ms() <= end * 1000 {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // (At least one: an hour may have begun meanwhile, with its reconcile.)
    assert!(runner.run_due(onering::db::now_ms()).await.unwrap_or(0) >= 1);
    assert_eq!(plan_of(app, "ada").await, "free");
    let jobs = onering::jobs::store::list(&app.db, PERIOD_END_JOB)
        .await
        .unwrap_or_default();
    assert_eq!(jobs[0].status, "done");
}

/// Runs reconciliation as the hourly job does: how many it fixed, or why it stopped.
async fn reconcile(app: &TestApp) -> Result<usize, String> {
    let report = service::reconcile(&app.state, None).await;
    report.error.map_or(Ok(report.fixes.len()), Err)
}

async fn reconciliation_fixes_drift_and_records_why(app: &TestApp, fake: &FakeStripe) {
    let mut ada = app.client();
    let (uid, cus) = subscriber(app, fake, &mut ada, "sub_drift", PRICE_CREATOR, now_secs()).await;
    assert_eq!(reconcile(app).await, Ok(0), "nothing drifted");

    // Stripe upgraded it and the event never came.
    fake.set_subscription(sub("sub_drift", &cus, &uid, "active", PRICE_TEAM));
    assert_eq!(reconcile(app).await, Ok(1));
    assert_eq!(plan_of(app, "ada").await, "team");
    let (before, after, reason): (String, String, String) = sqlx::query_as(
        "SELECT before_state, after_state, reason FROM billing_reconciliations WHERE subscription_id = 'sub_drift'",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap_or_else(|err| panic!("{err}"));
    assert!(
        before.contains(PRICE_CREATOR) && after.contains(PRICE_TEAM),
        "{before} → {after}"
    );
    assert!(!reason.is_empty());
    assert_eq!(reconcile(app).await, Ok(0), "fixed once");

    // Stripe unreachable: the job fails and is retried; nothing changes.
    fake.state().failing = true;
    assert!(reconcile(app).await.is_err());
    assert_eq!(plan_of(app, "ada").await, "team");
}

async fn a_failed_event_is_retried_by_its_job_until_it_applies(app: &TestApp, fake: &FakeStripe) {
    let mut ada = app.client();
    let (uid, cus) = customer(app, &mut ada, "ada").await;
    let t = now_secs();
    fake.set_subscription(sub("sub_retry", &cus, &uid, "active", PRICE_CREATOR));
    fake.state().failing = true;
    // An invoice needs the subscription fetched: Stripe is down, so it fails — and is kept.
    let invoice = fake_stripe::invoice("in_r", &cus, "sub_retry", t);
    assert_eq!(
        deliver(
            app,
            &subscription_event("evt_retry", "invoice.paid", t, invoice)
        )
        .await,
        "received"
    );
    let (status, attempts, error) = event_status(app, "evt_retry").await;
    assert_eq!((status.as_str(), attempts), ("failed", 1));
    let error = error.unwrap_or_default();
    assert!(!error.is_empty() && !error.contains(SECRET_KEY), "{error}");
    assert_eq!(plan_of(app, "ada").await, "free");

    let runner =
        onering::billing::jobs::register(onering::jobs::Runner::new(app.state.clone()), true);
    let due = onering::db::now_ms() + service::SAFETY_NET_MS + 1;
    runner.run_due(due).await.ok();
    let job = onering::jobs::store::list(&app.db, EVENT_JOB)
        .await
        .unwrap_or_default();
    assert_eq!(job.len(), 1);
    assert_eq!(
        (job[0].status.as_str(), job[0].attempts),
        ("queued", 1),
        "retried later"
    );
    assert!(
        job[0].run_at >= onering::db::now_ms() + 3_000,
        "with backoff"
    );

    fake.state().failing = false;
    runner.run_due(job[0].run_at).await.ok();
    assert_eq!(plan_of(app, "ada").await, "creator");
    assert_eq!(event_status(app, "evt_retry").await.0, "processed");
    let job = onering::jobs::store::list(&app.db, EVENT_JOB)
        .await
        .unwrap_or_default();
    assert_eq!(job[0].status, "done");
}

async fn an_event_the_sdk_cannot_read_is_kept_for_replay(app: &TestApp, _fake: &FakeStripe) {
    // Signed and an event, but its subscription lacks what the SDK requires.
    let payload = serde_json::json!({
        "id": "evt_future", "object": "event", "created": now_secs(), "livemode": false,
        "pending_webhooks": 1, "type": "customer.subscription.updated",
        "data": { "object": { "id": "sub_x", "object": "subscription", "status": "active" } },
    })
    .to_string();
    let signature = fake_stripe::signature(&payload, WEBHOOK_SECRET, now_secs());
    let reply = post_webhook(app, &payload, Some(&signature)).await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (StatusCode::OK, "received")
    );
    let (raw, status): (String, String) =
        sqlx::query_as("SELECT payload, status FROM billing_events WHERE event_id = 'evt_future'")
            .fetch_one(app.db.pool())
            .await
            .unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(raw, payload, "the raw payload is kept");
    assert_eq!(status, "failed", "stored as failed, with why, for a replay");
    // A replay (by its job, or after an upgrade) parses the raw payload again.
    let processed = service::process(&app.state, "evt_future").await;
    assert!(processed.is_err());
    let (status, _, error) = event_status(app, "evt_future").await;
    assert_eq!(status, "failed");
    assert!(error.unwrap_or_default().contains("could not parse"));
    assert_eq!(
        onering::jobs::store::list(&app.db, EVENT_JOB)
            .await
            .unwrap_or_default()
            .len(),
        1
    );
}

/// One step of a subscription's life in the storm.
#[derive(Debug, Clone)]
struct Step {
    event_id: String,
    user: usize,
    status: &'static str,
    price: &'static str,
    period_end: i64,
    created: i64,
}

/// The plan the last step gives (the in-order result): what the product rules say.
fn in_order_plan(last: &Step, now: i64) -> &'static str {
    let plan = if last.price == PRICE_TEAM {
        "team"
    } else {
        "creator"
    };
    match last.status {
        "active" | "trialing" | "past_due" => plan,
        "canceled" | "unpaid" if last.period_end > now => plan,
        _ => "free",
    }
}

async fn a_storm_of_shuffled_duplicates_applies_each_event_once(app: &TestApp, fake: &FakeStripe) {
    const PEOPLE: usize = 10;
    const EVENTS: usize = 100;
    const COPIES: usize = 10;
    const AT_ONCE: usize = 8;
    let mut people = Vec::new();
    for n in 0..PEOPLE {
        let mut client = app.client();
        people.push(customer(app, &mut client, &format!("storm{n}")).await);
    }
    let t0 = now_secs() - 1_000;
    let statuses = [
        "active", "past_due", "active", "trialing", "canceled", "unpaid", "active",
    ];
    let mut seed: u64 = 0x5eed_f0e1_u64;
    let mut random = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        usize::try_from(seed % n as u64).unwrap_or(0)
    };
    // Ten steps per person, each a second apart; some steps share a second with the one
    // before (a tie), which is resolved by asking Stripe, which holds the last state.
    let mut steps: Vec<Step> = Vec::new();
    for i in 0..EVENTS {
        let user = i % PEOPLE;
        let index = i / PEOPLE;
        let tie = index > 0 && index < EVENTS / PEOPLE - 1 && random(4) == 0;
        let created = t0 + (index as i64) * 10 - i64::from(tie) * 10;
        steps.push(Step {
            event_id: format!("evt_storm_{i:03}"),
            user,
            status: statuses[random(statuses.len())],
            price: if random(2) == 0 {
                PRICE_CREATOR
            } else {
                PRICE_TEAM
            },
            period_end: if random(2) == 0 {
                t0 - 10
            } else {
                now_secs() + 86_400
            },
            created,
        });
    }
    // The subscription as a step leaves it.
    let state_after = |step: &Step| {
        let (uid, cus) = &people[step.user];
        subscription(&SubscriptionSpec {
            id: &format!("sub_storm_{}", step.user),
            customer: cus,
            status: step.status,
            price: step.price,
            period_end: step.period_end,
            cancel_at_period_end: false,
            user_id: Some(uid),
        })
    };
    let payloads: Vec<(String, String)> = steps
        .iter()
        .map(|step| {
            let kind = "customer.subscription.updated";
            let payload = subscription_event(&step.event_id, kind, step.created, state_after(step));
            (step.event_id.clone(), payload)
        })
        .collect();
    // Stripe holds each subscription's last state (what a tie fetches).
    for user in 0..PEOPLE {
        let last = steps.iter().rev().find(|s| s.user == user);
        fake.set_subscription(state_after(last.unwrap_or_else(|| panic!("no steps"))));
    }

    let mut deliveries: Vec<usize> = (0..EVENTS)
        .flat_map(|i| std::iter::repeat_n(i, COPIES))
        .collect();
    for i in (1..deliveries.len()).rev() {
        deliveries.swap(i, random(i + 1));
    }
    let queue = std::sync::Arc::new(std::sync::Mutex::new(deliveries));
    let payloads = std::sync::Arc::new(payloads);
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..AT_ONCE {
        let (queue, payloads, router) = (queue.clone(), payloads.clone(), app.router.clone());
        workers.push(tokio::spawn(async move {
            let mut answers = Vec::new();
            loop {
                let next = queue.lock().ok().and_then(|mut q| q.pop());
                let Some(i) = next else { break };
                let (_, payload) = &payloads[i];
                let request = Request::builder()
                    .method(Method::POST)
                    .uri("/api/billing/webhook")
                    .header("content-type", "application/json")
                    .header(
                        "stripe-signature",
                        fake_stripe::signature(
                            payload,
                            WEBHOOK_SECRET,
                            chrono::Utc::now().timestamp(),
                        ),
                    )
                    .body(axum::body::Body::from(payload.clone()))
                    .unwrap_or_default();
                let sent = Instant::now();
                let response = tower::ServiceExt::oneshot(router.clone(), request)
                    .await
                    .unwrap_or_else(|e| match e {});
                let status = response.status();
                let body = http_body_util::BodyExt::collect(response.into_body())
                    .await
                    .map(|b| String::from_utf8_lossy(&b.to_bytes()).into_owned())
                    .unwrap_or_default();
                answers.push((i, status, body, sent.elapsed()));
            }
            answers
        }));
    }
    let mut answers = Vec::new();
    for worker in workers {
        answers.extend(worker.await.unwrap_or_default());
    }
    let wall = started.elapsed();
    assert_eq!(answers.len(), EVENTS * COPIES);
    assert!(
        answers
            .iter()
            .all(|(_, status, _, _)| *status == StatusCode::OK),
        "every delivery answered 200"
    );
    let mut received: Vec<Duration> = Vec::new();
    for i in 0..EVENTS {
        let firsts: Vec<&Duration> = answers
            .iter()
            .filter(|(j, _, body, _)| *j == i && body == "received")
            .map(|(_, _, _, d)| d)
            .collect();
        assert_eq!(firsts.len(), 1, "event {i} was taken once");
        received.push(*firsts[0]);
    }
    // Anything not applied inside its request is applied by its job.
    let runner =
        onering::billing::jobs::register(onering::jobs::Runner::new(app.state.clone()), true);
    while runner
        .run_due(onering::db::now_ms() + service::SAFETY_NET_MS + 1)
        .await
        .unwrap_or(0)
        > 0
    {}

    assert_eq!(
        count(app, "SELECT COUNT(*) FROM billing_events").await,
        EVENTS as i64
    );
    assert_eq!(
        count(
            app,
            "SELECT COUNT(*) FROM billing_events WHERE status = 'processed' AND attempts = 1"
        )
        .await,
        EVENTS as i64,
        "every event processed, exactly once"
    );
    let now = now_secs();
    for (user, (_, _)) in people.iter().enumerate() {
        let last = steps
            .iter()
            .rev()
            .find(|s| s.user == user)
            .cloned()
            .unwrap_or_else(|| panic!("no steps"));
        assert_eq!(
            plan_of(app, &format!("storm{user}")).await,
            in_order_plan(&last, now),
            "storm{user}, last step {last:?}"
        );
        let stored: (String, String) = sqlx::query_as(
            "SELECT status, price_id FROM billing_subscriptions WHERE subscription_id = $1",
        )
        .bind(format!("sub_storm_{user}"))
        .fetch_one(app.db.pool())
        .await
        .unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(stored, (last.status.to_owned(), last.price.to_owned()));
    }
    received.sort();
    let pct = |p: usize| received[(received.len() * p / 100).min(received.len() - 1)];
    println!(
        "billing storm on {:?}: {} deliveries of {} events, {} at a time, in {:.0} ms; receipt → plan change p50 {:.1} ms, p99 {:.1} ms",
        app.backend,
        EVENTS * COPIES,
        EVENTS,
        AT_ONCE,
        wall.as_secs_f64() * 1000.0,
        pct(50).as_secs_f64() * 1000.0,
        pct(99).as_secs_f64() * 1000.0,
    );
}

async fn without_a_key_billing_is_off_and_everything_else_works(app: &TestApp) {
    assert!(app.state.billing.is_none());
    let payload = fake_stripe::event(
        "evt_off",
        "customer.subscription.updated",
        now_secs(),
        serde_json::json!({}),
    );
    let signature = fake_stripe::signature(&payload, WEBHOOK_SECRET, now_secs());
    assert_eq!(
        post_webhook(app, &payload, Some(&signature)).await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(
        post_webhook(app, &payload, None).await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );

    let mut ada = app.client();
    ada.sign_up("ada").await;
    let status = ada.call("billing/status", &[]).await;
    assert_eq!(status.status, StatusCode::OK);
    assert_eq!(status.json()["enabled"], false);
    for (endpoint, form) in [
        ("billing/checkout", vec![("plan", "creator")]),
        ("billing/portal", vec![]),
    ] {
        let reply = change(&mut ada, endpoint, &form).await;
        assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE, "{endpoint}");
        assert_eq!(reply.json()["kind"], "billing_disabled", "{endpoint}");
    }
    for page in ["/pricing", "/account/plan"] {
        let reply = ada.get(page).await;
        assert_eq!(reply.status, StatusCode::OK, "{page}");
        assert!(
            reply
                .body
                .contains("Upgrades are not available on this server."),
            "{page}"
        );
        assert!(!reply.body.contains("id=\"upgrade-creator\""), "{page}");
    }
    // Everything else as before.
    let made = change(
        &mut ada,
        "drafts/create",
        &[
            ("title", "Still here"),
            ("platform", "x"),
            ("first_segment", "Hi"),
        ],
    )
    .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    assert_eq!(count(app, "SELECT COUNT(*) FROM billing_events").await, 0);
}

/// An admin's replay and reconcile go through billing's own paths, once, and each is in the
/// audit log with what it changed.
async fn an_admin_replays_an_ignored_event_and_reconciles_with_an_audit_trail(
    app: &TestApp,
    fake: &FakeStripe,
) {
    let mut admin = app.client();
    admin.sign_up("root_admin").await;
    onering::admin::service::set_admin_role(&app.db, "root_admin", true)
        .await
        .unwrap_or_else(|err| panic!("{err}"));

    // A subscription event for a customer OneRing did not know yet: ignored.
    let mut ada = app.client();
    ada.sign_up("ada").await;
    let uid = user_id(app, "ada").await;
    let t = now_secs();
    let early = subscription_event(
        "evt_early",
        "customer.subscription.created",
        t,
        sub(
            "sub_early",
            "cus_early",
            "someone-else",
            "active",
            PRICE_TEAM,
        ),
    );
    deliver(app, &early).await;
    assert_eq!(event_status(app, "evt_early").await.0, "ignored");
    let refused = change(
        &mut admin,
        "admin/replay_event",
        &[("event_id", "evt_early"), ("reason", "")],
    )
    .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a reason is required"
    );

    // The customer is linked to ada afterwards (her checkout), then the event is replayed.
    sqlx::query("INSERT INTO billing_customers (user_id, customer_id, created_at) VALUES ($1, 'cus_early', 0)")
        .bind(&uid)
        .execute(app.db.pool())
        .await
        .unwrap_or_else(|err| panic!("{err}"));
    fake.set_subscription(sub("sub_early", "cus_early", &uid, "active", PRICE_TEAM));
    let once = key();
    let form = [
        ("event_id", "evt_early"),
        ("reason", "customer linked late"),
        ("idempotency_key", once.as_str()),
    ];
    let replayed = admin.call("admin/replay_event", &form).await;
    assert_eq!(replayed.status, StatusCode::OK, "{}", replayed.body);
    assert_eq!(replayed.json()["outcome"], "applied");
    assert_eq!(plan_of(app, "ada").await, "team");
    let again = admin.call("admin/replay_event", &form).await;
    assert_eq!(
        again.json()["outcome"],
        "already_done",
        "a double click applies once"
    );
    let processed = change(
        &mut admin,
        "admin/replay_event",
        &[("event_id", "evt_early"), ("reason", "again")],
    )
    .await;
    assert_eq!(
        processed.status,
        StatusCode::CONFLICT,
        "a processed event is not replayed"
    );

    // Payloads are shown with secrets redacted.
    let detail = admin
        .call("admin/billing_event", &[("event_id", "evt_early")])
        .await;
    assert_eq!(detail.status, StatusCode::OK);
    assert!(detail.json()["payload"]
        .as_str()
        .is_some_and(|p| p.contains("sub_early")));
    let listed = admin
        .call("admin/billing_events", &[("status", "processed")])
        .await;
    assert!(listed.body.contains("evt_early"));

    // Stripe downgraded the subscription and the event was lost: an admin reconciles.
    fake.set_subscription(sub("sub_early", "cus_early", &uid, "active", PRICE_CREATOR));
    let report = change(
        &mut admin,
        "admin/reconcile",
        &[("reason", "support ticket 7")],
    )
    .await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.body);
    let report = report.json();
    assert_eq!(report["checked"], 1);
    assert_eq!(report["changes"][0]["handle"], "ada");
    assert!(report["changes"][0]["after"]
        .as_str()
        .is_some_and(|a| a.contains(PRICE_CREATOR)));
    assert_eq!(plan_of(app, "ada").await, "creator");

    let audit = onering::admin::audit::list(&app.db, &Default::default(), 0)
        .await
        .unwrap_or_else(|err| panic!("{err}"));
    let actions: Vec<&str> = audit.rows.iter().rev().map(|r| r.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "admin.grant",
            "billing.event.replay",
            "billing.reconcile.fix",
            "billing.reconcile"
        ]
    );
    let fix = &audit.rows[1];
    assert_eq!(
        (fix.target_label.as_str(), fix.actor_type.as_str()),
        ("@ada", "account")
    );
    assert!(fix.before.contains(PRICE_TEAM) && fix.after.contains(PRICE_CREATOR));
}
