//! A fake Stripe API, for the billing tests (`tests/billing.rs`) and the browser test
//! (`examples/fake_stripe.rs` serves it): axum on a free port, which the app's Stripe client
//! is pointed at with `STRIPE_API_BASE`. It answers the four calls OneRing makes — create a
//! customer, a checkout session, a portal session, and retrieve a subscription — with
//! objects carrying the fields async-stripe requires, honours `Idempotency-Key` as Stripe
//! does (the same key gives the same answer), and records every call.
//!
//! It also plays the hosted checkout page: `GET /pay/<session>` shows a Pay button, and
//! paying creates the subscription, delivers `checkout.session.completed` and
//! `customer.subscription.created` to the app's webhook signed with its secret (with
//! `generate_test_header`, as the Stripe CLI does), and sends the browser to the success URL.

#![allow(dead_code)]
// Handlers answer refusals as ready responses; size does not matter in a test fake.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

pub const SECRET_KEY: &str = "sk_test_onering_fake";
pub const WEBHOOK_SECRET: &str = "whsec_onering_fake";
pub const PRICE_CREATOR: &str = "price_onering_creator";
pub const PRICE_TEAM: &str = "price_onering_team";
/// When the fake's objects say they were made (Unix seconds).
const CREATED: i64 = 1_780_000_000;

/// One call the app made.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: &'static str,
    pub path: String,
    pub form: Vec<(String, String)>,
    pub idempotency_key: Option<String>,
}

impl Call {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone)]
pub struct Session {
    pub customer: String,
    pub price: String,
    pub user_id: String,
    pub success_url: String,
}

#[derive(Default)]
pub struct Fake {
    pub calls: Vec<Call>,
    /// Stripe's idempotency: the answer first given for a key.
    answers: HashMap<String, Value>,
    pub sessions: HashMap<String, Session>,
    /// Subscriptions as Stripe holds them now (what a retrieve answers).
    pub subscriptions: HashMap<String, Value>,
    next_id: u64,
    /// Answer every call with 500 (Stripe having a bad day).
    pub failing: bool,
    /// Where paying delivers its events (the app's webhook URL).
    pub webhook_url: Option<String>,
}

impl Fake {
    fn id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}_fake{:06}", self.next_id)
    }
}

#[derive(Clone)]
pub struct FakeStripe {
    /// Its base URL (`http://127.0.0.1:<port>`).
    pub url: String,
    state: Arc<Mutex<Fake>>,
}

impl FakeStripe {
    /// Serves a fake on a free port of 127.0.0.1.
    pub async fn start() -> Self {
        Self::serve("127.0.0.1:0").await
    }

    pub async fn serve(addr: &str) -> Self {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .unwrap_or_else(|err| panic!("fake Stripe could not listen on {addr}: {err}"));
        Self::serve_on(listener)
    }

    /// [`FakeStripe::start`] for a synchronous caller inside a Tokio runtime (a test's
    /// configuration closure).
    pub fn start_now() -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.set_nonblocking(true).map(|()| l))
            .and_then(tokio::net::TcpListener::from_std)
            .unwrap_or_else(|err| panic!("fake Stripe could not listen: {err}"));
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
        let router = fake.router();
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        fake
    }

    /// The app's Stripe settings for this fake (with `more_secrets` also accepted).
    pub fn config(&self, more_secrets: &[&str]) -> onering::server::config::StripeConfig {
        let mut webhook_secrets: Vec<String> =
            more_secrets.iter().map(|s| (*s).to_owned()).collect();
        webhook_secrets.push(WEBHOOK_SECRET.to_owned());
        onering::server::config::StripeConfig {
            secret_key: SECRET_KEY.to_owned(),
            webhook_secrets,
            prices: vec![
                ("creator".to_owned(), PRICE_CREATOR.to_owned()),
                ("team".to_owned(), PRICE_TEAM.to_owned()),
            ],
            api_base: Some(self.url.clone()),
        }
    }

    pub fn state(&self) -> MutexGuard<'_, Fake> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn calls(&self, path: &str) -> Vec<Call> {
        self.state()
            .calls
            .iter()
            .filter(|c| c.path == path)
            .cloned()
            .collect()
    }

    /// Sets what Stripe holds for a subscription (what a retrieve answers).
    pub fn set_subscription(&self, subscription: Value) {
        let id = subscription["id"].as_str().unwrap_or_default().to_owned();
        self.state().subscriptions.insert(id, subscription);
    }

    fn router(&self) -> Router {
        Router::new()
            .route("/v1/customers", post(create_customer))
            .route("/v1/checkout/sessions", post(create_checkout))
            .route("/v1/billing_portal/sessions", post(create_portal))
            .route("/v1/subscriptions/{id}", get(retrieve_subscription))
            .route("/pay/{session}", get(pay_page).post(pay))
            .route("/portal/{session}", get(portal_page))
            .with_state(self.clone())
    }

    /// Checks the key, records the call, and answers it once per idempotency key.
    fn answer(
        &self,
        method: &'static str,
        path: &str,
        headers: &HeaderMap,
        body: &str,
        make: impl FnOnce(&mut Fake, &[(String, String)]) -> Result<Value, Response>,
    ) -> Response {
        let authorised = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v == format!("Bearer {SECRET_KEY}"));
        if !authorised {
            return stripe_error(StatusCode::UNAUTHORIZED, "Invalid API Key provided");
        }
        let form: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes())
            .into_owned()
            .collect();
        let idempotency_key = headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let mut fake = self.state();
        fake.calls.push(Call {
            method,
            path: path.to_owned(),
            form: form.clone(),
            idempotency_key: idempotency_key.clone(),
        });
        if fake.failing {
            return stripe_error(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong");
        }
        if let Some(answer) = idempotency_key.as_ref().and_then(|k| fake.answers.get(k)) {
            return Json(answer.clone()).into_response();
        }
        match make(&mut fake, &form) {
            Ok(answer) => {
                if let Some(key) = idempotency_key {
                    fake.answers.insert(key, answer.clone());
                }
                Json(answer).into_response()
            }
            Err(refusal) => refusal,
        }
    }
}

fn stripe_error(status: StatusCode, message: &str) -> Response {
    let body = json!({ "error": { "type": "invalid_request_error", "message": message } });
    (status, Json(body)).into_response()
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn required(form: &[(String, String)], name: &str) -> Result<String, Response> {
    field(form, name).map(str::to_owned).ok_or_else(|| {
        stripe_error(
            StatusCode::BAD_REQUEST,
            &format!("Missing required param: {name}."),
        )
    })
}

async fn create_customer(
    State(fake): State<FakeStripe>,
    headers: HeaderMap,
    body: String,
) -> Response {
    fake.answer("POST", "/v1/customers", &headers, &body, |state, form| {
        let id = state.id("cus");
        Ok(json!({
            "id": id, "object": "customer", "created": CREATED, "livemode": false,
            "email": field(form, "email"),
            "metadata": { "onering_user": field(form, "metadata[onering_user]") },
        }))
    })
}

async fn create_checkout(
    State(fake): State<FakeStripe>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let base = fake.url.clone();
    fake.answer(
        "POST",
        "/v1/checkout/sessions",
        &headers,
        &body,
        |state, form| {
            if field(form, "mode") != Some("subscription") {
                return Err(stripe_error(
                    StatusCode::BAD_REQUEST,
                    "mode must be subscription",
                ));
            }
            let session = Session {
                customer: required(form, "customer")?,
                price: required(form, "line_items[0][price]")?,
                user_id: required(form, "client_reference_id")?,
                success_url: required(form, "success_url")?,
            };
            required(form, "cancel_url")?;
            let id = state.id("cs_test");
            state.sessions.insert(id.clone(), session.clone());
            Ok(checkout_session(
                &id,
                &session,
                &format!("{base}/pay/{id}"),
                "unpaid",
                None,
            ))
        },
    )
}

async fn create_portal(
    State(fake): State<FakeStripe>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let base = fake.url.clone();
    fake.answer(
        "POST",
        "/v1/billing_portal/sessions",
        &headers,
        &body,
        |state, form| {
            let customer = required(form, "customer")?;
            let id = state.id("bps");
            Ok(json!({
                "id": id, "object": "billing_portal.session", "configuration": "bpc_fake",
                "created": CREATED, "customer": customer, "livemode": false,
                "return_url": field(form, "return_url"), "url": format!("{base}/portal/{id}"),
            }))
        },
    )
}

async fn retrieve_subscription(
    State(fake): State<FakeStripe>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let path = format!("/v1/subscriptions/{id}");
    fake.answer("GET", &path, &headers, "", |state, _| {
        state.subscriptions.get(&id).cloned().ok_or_else(|| {
            stripe_error(
                StatusCode::NOT_FOUND,
                &format!("No such subscription: '{id}'"),
            )
        })
    })
}

async fn pay_page(State(fake): State<FakeStripe>, Path(session): Path<String>) -> Response {
    let Some(found) = fake.state().sessions.get(&session).cloned() else {
        return (StatusCode::NOT_FOUND, "no such checkout").into_response();
    };
    Html(format!(
        "<!doctype html><title>Fake checkout</title><h1>Fake Stripe checkout</h1>\
         <p>Subscribe to {price}</p><form method=post><button id=pay>Pay</button></form>",
        price = found.price
    ))
    .into_response()
}

async fn portal_page() -> Html<&'static str> {
    Html("<!doctype html><title>Fake billing portal</title><h1>Fake Stripe billing portal</h1>")
}

/// Completes a checkout as Stripe would: the subscription exists, two signed events reach
/// the webhook, and the browser goes back to the success URL.
async fn pay(State(fake): State<FakeStripe>, Path(session_id): Path<String>) -> Response {
    let (session, webhook_url, subscription_id) = {
        let mut state = fake.state();
        let Some(session) = state.sessions.get(&session_id).cloned() else {
            return (StatusCode::NOT_FOUND, "no such checkout").into_response();
        };
        let id = state.id("sub");
        (session, state.webhook_url.clone(), id)
    };
    let now = chrono::Utc::now().timestamp();
    let subscription = subscription(&SubscriptionSpec {
        id: &subscription_id,
        customer: &session.customer,
        status: "active",
        price: &session.price,
        period_end: now + 30 * 86_400,
        cancel_at_period_end: false,
        user_id: Some(&session.user_id),
    });
    fake.set_subscription(subscription.clone());
    let completed = checkout_session(&session_id, &session, "", "paid", Some(&subscription_id));
    if let Some(url) = webhook_url {
        for (n, (kind, object)) in [
            ("checkout.session.completed", completed),
            ("customer.subscription.created", subscription),
        ]
        .into_iter()
        .enumerate()
        {
            let payload = event(&format!("evt_{session_id}_{n}"), kind, now, object);
            if let Err(err) = deliver(&url, &payload, WEBHOOK_SECRET, now).await {
                tracing::warn!(%err, "the fake could not deliver an event");
            }
        }
    }
    Redirect::to(&session.success_url).into_response()
}

fn checkout_session(
    id: &str,
    session: &Session,
    url: &str,
    payment_status: &str,
    subscription: Option<&str>,
) -> Value {
    json!({
        "id": id, "object": "checkout.session", "automatic_tax": { "enabled": false },
        "client_reference_id": session.user_id, "created": CREATED, "custom_fields": [],
        "custom_text": {}, "customer": session.customer, "expires_at": CREATED + 86_400,
        "livemode": false, "mode": "subscription", "payment_method_types": ["card"],
        "payment_status": payment_status, "shipping_options": [], "status": "open",
        "subscription": subscription, "success_url": session.success_url,
        "url": if url.is_empty() { Value::Null } else { Value::from(url) },
    })
}

/// What a subscription is, for [`subscription`].
#[derive(Debug, Clone, Copy)]
pub struct SubscriptionSpec<'a> {
    pub id: &'a str,
    pub customer: &'a str,
    pub status: &'a str,
    pub price: &'a str,
    /// Unix seconds.
    pub period_end: i64,
    pub cancel_at_period_end: bool,
    pub user_id: Option<&'a str>,
}

/// A Stripe subscription object with one item at `price`.
pub fn subscription(spec: &SubscriptionSpec<'_>) -> Value {
    let start = spec.period_end - 30 * 86_400;
    let metadata = spec
        .user_id
        .map_or(json!({}), |u| json!({ "onering_user": u }));
    let item = json!({
        "id": format!("si_{}", spec.id), "object": "subscription_item", "created": start,
        "current_period_end": spec.period_end, "current_period_start": start,
        "discounts": [], "metadata": {}, "quantity": 1, "subscription": spec.id,
        "plan": {
            "id": spec.price, "object": "plan", "active": true, "billing_scheme": "per_unit",
            "created": CREATED, "currency": "usd", "interval": "month", "interval_count": 1,
            "livemode": false, "usage_type": "licensed",
        },
        "price": {
            "id": spec.price, "object": "price", "active": true, "billing_scheme": "per_unit",
            "created": CREATED, "currency": "usd", "livemode": false, "metadata": {},
            "product": "prod_onering", "type": "recurring",
        },
    });
    json!({
        "id": spec.id, "object": "subscription", "automatic_tax": { "enabled": false },
        "billing_cycle_anchor": start, "billing_mode": { "type": "classic" },
        "billing_schedules": [], "cancel_at_period_end": spec.cancel_at_period_end,
        "collection_method": "charge_automatically", "created": start, "currency": "usd",
        "customer": spec.customer, "discounts": [],
        "invoice_settings": { "issuer": { "type": "self" } },
        "items": { "object": "list", "data": [item], "has_more": false,
                   "url": format!("/v1/subscription_items?subscription={}", spec.id) },
        "livemode": false, "metadata": metadata, "start_date": start, "status": spec.status,
    })
}

/// An invoice for `subscription` (for `invoice.paid` and `invoice.payment_failed`).
pub fn invoice(id: &str, customer: &str, subscription: &str, created: i64) -> Value {
    json!({
        "id": id, "object": "invoice", "amount_due": 900, "amount_overpaid": 0,
        "amount_paid": 0, "amount_remaining": 900, "amount_shipping": 0, "attempt_count": 1,
        "attempted": true, "automatic_tax": { "enabled": false },
        "collection_method": "charge_automatically", "created": created, "currency": "usd",
        "customer": customer, "default_tax_rates": [], "discounts": [],
        "issuer": { "type": "self" },
        "lines": { "object": "list", "data": [], "has_more": false, "url": "/v1/invoices/lines" },
        "livemode": false,
        "parent": { "type": "subscription_details",
                    "subscription_details": { "subscription": subscription, "metadata": {} } },
        "payment_settings": {}, "period_end": created, "period_start": created - 30 * 86_400,
        "post_payment_credit_notes_amount": 0, "pre_payment_credit_notes_amount": 0,
        "starting_balance": 0, "status_transitions": {}, "subtotal": 900, "total": 900,
    })
}

/// A webhook event's payload.
pub fn event(id: &str, kind: &str, created: i64, object: Value) -> String {
    json!({
        "id": id, "object": "event", "api_version": stripe_shared::version::VERSION.as_str(),
        "created": created, "data": { "object": object }, "livemode": false,
        "pending_webhooks": 1, "request": { "id": null, "idempotency_key": null }, "type": kind,
    })
    .to_string()
}

/// A `Stripe-Signature` header for `payload`, made as the Stripe CLI makes it.
pub fn signature(payload: &str, secret: &str, timestamp: i64) -> String {
    stripe_webhook::Webhook::generate_test_header(payload, secret, Some(timestamp))
}

/// Delivers a signed webhook event over plain HTTP/1.1 (the app is on localhost).
pub async fn deliver(url: &str, payload: &str, secret: &str, now: i64) -> Result<(), String> {
    let target: url::Url = url.parse().map_err(|e| format!("{e}"))?;
    let host = target.host_str().ok_or("no host")?.to_owned();
    let port = target.port_or_known_default().ok_or("no port")?;
    let mut stream = tokio::net::TcpStream::connect((host.as_str(), port))
        .await
        .map_err(|e| e.to_string())?;
    let request = format!(
        "POST {path} HTTP/1.1\r\nhost: {host}:{port}\r\ncontent-type: application/json\r\n\
         stripe-signature: {sig}\r\ncontent-length: {len}\r\nconnection: close\r\n\r\n{payload}",
        path = target.path(),
        sig = signature(payload, secret, now),
        len = payload.len(),
    );
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .await
        .map_err(|e| e.to_string())?;
    if answer.starts_with("HTTP/1.1 200") {
        Ok(())
    } else {
        Err(answer.lines().next().unwrap_or_default().to_owned())
    }
}
