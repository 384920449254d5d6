//! [`BillingProvider`] on Stripe, with async-stripe 1.0 (pinned exactly in Cargo.toml).
//! The only file that knows Stripe's types.

use std::collections::HashMap;
use std::time::Duration;

use stripe::{Client, ClientBuilder, IdempotencyKey, RequestStrategy, StripeError, StripeRequest};
use stripe_billing::billing_portal_session::CreateBillingPortalSession;
use stripe_billing::subscription::RetrieveSubscription;
use stripe_checkout::checkout_session::{
    CreateCheckoutSession, CreateCheckoutSessionLineItems, CreateCheckoutSessionSubscriptionData,
};
use stripe_core::customer::CreateCustomer;
use stripe_webhook::{Event, EventObject, Webhook, WebhookError};

use super::provider::{
    BillingProvider, EventBody, NewCheckout, NewCustomer, ProviderError, ProviderFuture, Refusal,
    SubscriptionState, VerifiedEvent,
};
use crate::server::config::StripeConfig;

/// The metadata key that names the OneRing user on Stripe's objects.
pub const USER_METADATA: &str = "onering_user";

pub struct StripeProvider {
    client: Client,
    webhook_secrets: Vec<String>,
}

impl std::fmt::Debug for StripeProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeProvider")
            .field("webhook_secrets", &self.webhook_secrets.len())
            .finish_non_exhaustive()
    }
}

impl StripeProvider {
    pub fn new(config: &StripeConfig) -> Result<Self, String> {
        let mut builder =
            ClientBuilder::new(config.secret_key.clone()).timeout(Duration::from_secs(10));
        if let Some(base) = &config.api_base {
            builder = builder.url(base.clone());
        }
        let client = builder
            .build()
            .map_err(|_| "STRIPE_SECRET_KEY or STRIPE_API_BASE cannot be used".to_owned())?;
        Ok(Self {
            client,
            webhook_secrets: config.webhook_secrets.clone(),
        })
    }
}

/// Stripe's idempotency key for one of our intents (Stripe keeps them 24 hours).
fn idempotent(key: &str) -> Result<RequestStrategy, ProviderError> {
    IdempotencyKey::new(key)
        .map(RequestStrategy::Idempotent)
        .map_err(|_| ProviderError::Refused("unusable idempotency key".to_owned()))
}

fn provider_error(error: StripeError) -> ProviderError {
    match error {
        StripeError::Stripe(details, status) if status < 500 && status != 429 => {
            ProviderError::Refused(format!("{status}: {}", details.message.unwrap_or_default()))
        }
        StripeError::Stripe(_, status) => ProviderError::Unavailable(format!("status {status}")),
        StripeError::JSONDeserialize(e) => {
            ProviderError::Unavailable(format!("unreadable answer: {e}"))
        }
        StripeError::ClientError(e) => ProviderError::Unavailable(e),
        StripeError::ConfigError(e) => ProviderError::Refused(e),
        StripeError::Timeout => ProviderError::Unavailable("timed out".to_owned()),
    }
}

fn user_metadata(user_id: &str) -> HashMap<String, String> {
    HashMap::from([(USER_METADATA.to_owned(), user_id.to_owned())])
}

fn subscription_state(subscription: &stripe_shared::Subscription) -> SubscriptionState {
    let item = subscription.items.data.first();
    SubscriptionState {
        id: subscription.id.as_str().to_owned(),
        customer_id: subscription.customer.id().as_str().to_owned(),
        status: subscription.status.as_str().to_owned(),
        price_id: item.map(|i| i.price.id.as_str().to_owned()),
        current_period_end: item.map(|i| i.current_period_end),
        cancel_at_period_end: subscription.cancel_at_period_end,
        user_id: subscription.metadata.get(USER_METADATA).cloned(),
    }
}

fn event_body(event: &Event) -> EventBody {
    match &event.data.object {
        EventObject::CheckoutSessionCompleted(session) => EventBody::CheckoutCompleted {
            customer_id: session
                .customer
                .as_ref()
                .map(|c| c.id().as_str().to_owned()),
            user_id: session.client_reference_id.clone(),
            subscription_id: session
                .subscription
                .as_ref()
                .map(|s| s.id().as_str().to_owned()),
        },
        EventObject::CustomerSubscriptionCreated(s)
        | EventObject::CustomerSubscriptionUpdated(s) => EventBody::Subscription {
            state: subscription_state(s),
            deleted: false,
        },
        EventObject::CustomerSubscriptionDeleted(s) => EventBody::Subscription {
            state: subscription_state(s),
            deleted: true,
        },
        EventObject::InvoicePaid(invoice) | EventObject::InvoicePaymentFailed(invoice) => {
            let from_parent = invoice
                .parent
                .as_ref()
                .and_then(|p| p.subscription_details.as_ref())
                .map(|d| d.subscription.id().as_str().to_owned());
            EventBody::Invoice {
                subscription_id: invoice
                    .subscription
                    .as_ref()
                    .map(|s| s.id().as_str().to_owned())
                    .or(from_parent),
            }
        }
        _ => EventBody::Other,
    }
}

/// The envelope of a signed payload the SDK could not parse, read without it.
fn envelope(payload: &str) -> Option<(String, String, i64)> {
    let value: serde_json::Value = serde_json::from_str(payload).ok()?;
    let id = value.get("id")?.as_str()?.to_owned();
    let event_type = value
        .get("type")
        .and_then(|t| t.as_str())
        .unwrap_or("unknown")
        .to_owned();
    let created = value
        .get("created")
        .and_then(serde_json::Value::as_i64)
        .unwrap_or(0);
    Some((id, event_type, created))
}

impl BillingProvider for StripeProvider {
    fn create_customer(&self, customer: NewCustomer) -> ProviderFuture<'_, String> {
        Box::pin(async move {
            let created = CreateCustomer::new()
                .email(customer.email)
                .metadata(user_metadata(&customer.user_id))
                .customize()
                .request_strategy(idempotent(&customer.idempotency_key)?)
                .send(&self.client)
                .await
                .map_err(provider_error)?;
            Ok(created.id.as_str().to_owned())
        })
    }

    fn create_checkout(&self, checkout: NewCheckout) -> ProviderFuture<'_, String> {
        Box::pin(async move {
            let mut item = CreateCheckoutSessionLineItems::new();
            item.price = Some(checkout.price_id);
            item.quantity = Some(1);
            let mut subscription_data = CreateCheckoutSessionSubscriptionData::new();
            subscription_data.metadata = Some(user_metadata(&checkout.user_id));
            let session = CreateCheckoutSession::new()
                .mode(stripe_shared::CheckoutSessionMode::Subscription)
                .customer(checkout.customer_id)
                .client_reference_id(checkout.user_id)
                .line_items(vec![item])
                .subscription_data(subscription_data)
                .success_url(checkout.success_url)
                .cancel_url(checkout.cancel_url)
                .customize()
                .request_strategy(idempotent(&checkout.idempotency_key)?)
                .send(&self.client)
                .await
                .map_err(provider_error)?;
            session.url.ok_or_else(|| {
                ProviderError::Unavailable("checkout session without a url".to_owned())
            })
        })
    }

    fn create_portal(&self, customer_id: String, return_url: String) -> ProviderFuture<'_, String> {
        Box::pin(async move {
            let session = CreateBillingPortalSession::new()
                .customer(customer_id)
                .return_url(return_url)
                .send(&self.client)
                .await
                .map_err(provider_error)?;
            Ok(session.url)
        })
    }

    fn subscription(&self, id: String) -> ProviderFuture<'_, SubscriptionState> {
        Box::pin(async move {
            let subscription = RetrieveSubscription::new(id.as_str())
                .send(&self.client)
                .await
                .map_err(provider_error)?;
            Ok(subscription_state(&subscription))
        })
    }

    fn verify(
        &self,
        payload: &str,
        signature: &str,
        now_secs: i64,
    ) -> Result<VerifiedEvent, Refusal> {
        for secret in &self.webhook_secrets {
            match Webhook::construct_event_with_timestamp(payload, signature, secret, now_secs) {
                Ok(event) => {
                    return Ok(VerifiedEvent {
                        id: event.id.as_str().to_owned(),
                        event_type: event.type_.as_str().to_owned(),
                        created: event.created,
                        body: Ok(event_body(&event)),
                    })
                }
                // The signature and its time checked out (they are checked first); the SDK
                // could not read the body. Kept, to replay after an upgrade.
                Err(WebhookError::BadParse(reason)) => {
                    let (id, event_type, created) = envelope(payload).ok_or(Refusal::Malformed)?;
                    return Ok(VerifiedEvent {
                        id,
                        event_type,
                        created,
                        body: Err(format!(
                            "the SDK (API version {}) could not parse it: {reason}",
                            api_version()
                        )),
                    });
                }
                Err(WebhookError::BadTimestamp(_)) => return Err(Refusal::Stale),
                Err(
                    WebhookError::BadSignature | WebhookError::BadKey | WebhookError::BadHeader(_),
                ) => {}
            }
        }
        Err(Refusal::Forged)
    }

    fn parse(&self, payload: &str) -> Result<EventBody, String> {
        // The SDK parses only through a signature check; a stored payload was verified
        // when it arrived, so it is signed again here with a key of the moment.
        let key = format!("whsec_replay_{}", uuid::Uuid::new_v4().simple());
        let now = chrono::Utc::now().timestamp();
        let header = Webhook::generate_test_header(payload, &key, Some(now));
        Webhook::construct_event_with_timestamp(payload, &header, &key, now)
            .map(|event| event_body(&event))
            .map_err(|error| {
                format!(
                    "the SDK (API version {}) could not parse it: {error}",
                    api_version()
                )
            })
    }
}

/// The Stripe API version the SDK parses events as (create the webhook endpoint with it).
pub fn api_version() -> &'static str {
    stripe_shared::version::VERSION.as_str()
}
