//! The payment provider behind one small trait: the only part of OneRing that knows
//! Stripe's types is its implementation (`stripe_provider.rs`). Everything here is ours.

use std::future::Future;
use std::pin::Pin;

pub type ProviderFuture<'a, T> =
    Pin<Box<dyn Future<Output = Result<T, ProviderError>> + Send + 'a>>;

/// Why a call to the provider failed. The text is for the server's log only (it may name
/// ids, never a key).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    /// Could not reach it, it timed out, or it failed on its side: worth retrying.
    #[error("payment provider unavailable: {0}")]
    Unavailable(String),
    /// It refused the request (an unknown id, a bad parameter).
    #[error("payment provider refused the request: {0}")]
    Refused(String),
}

/// A customer to create, once per person (the key makes a retry return the same one).
#[derive(Debug, Clone)]
pub struct NewCustomer {
    pub user_id: String,
    pub email: String,
    pub idempotency_key: String,
}

/// A subscription checkout to start.
#[derive(Debug, Clone)]
pub struct NewCheckout {
    pub customer_id: String,
    pub price_id: String,
    /// Sent as `client_reference_id` and in the subscription's metadata.
    pub user_id: String,
    pub success_url: String,
    pub cancel_url: String,
    pub idempotency_key: String,
}

/// A subscription as the provider reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionState {
    pub id: String,
    pub customer_id: String,
    /// Stripe's status word: `active`, `trialing`, `past_due`, `canceled`, `unpaid`,
    /// `incomplete`, `incomplete_expired`, `paused`.
    pub status: String,
    pub price_id: Option<String>,
    /// Unix seconds.
    pub current_period_end: Option<i64>,
    pub cancel_at_period_end: bool,
    /// The OneRing user named in the subscription's metadata at checkout.
    pub user_id: Option<String>,
}

/// What a webhook event says, in our terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventBody {
    /// `checkout.session.completed`.
    CheckoutCompleted {
        customer_id: Option<String>,
        user_id: Option<String>,
        subscription_id: Option<String>,
    },
    /// `customer.subscription.created|updated|deleted`.
    Subscription {
        state: SubscriptionState,
        deleted: bool,
    },
    /// `invoice.paid`, `invoice.payment_failed`: the subscription's state is fetched afresh.
    Invoice { subscription_id: Option<String> },
    /// Any other type: stored, marked ignored.
    Other,
}

/// A webhook delivery whose signature checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedEvent {
    pub id: String,
    pub event_type: String,
    /// Stripe's `created`, Unix seconds.
    pub created: i64,
    /// The parsed body, or why the SDK could not parse it (the raw payload is kept, to be
    /// replayed after an upgrade).
    pub body: Result<EventBody, String>,
}

/// Why a delivery was refused. Never told to the sender (every refusal is the same 400).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No signature made with a configured secret.
    Forged,
    /// Signed, but more than 300 s from now.
    Stale,
    /// Not an event at all (no id).
    Malformed,
}

pub trait BillingProvider: Send + Sync + std::fmt::Debug {
    fn create_customer(&self, customer: NewCustomer) -> ProviderFuture<'_, String>;
    /// Returns the checkout page's URL.
    fn create_checkout(&self, checkout: NewCheckout) -> ProviderFuture<'_, String>;
    /// Returns the billing portal's URL.
    fn create_portal(&self, customer_id: String, return_url: String) -> ProviderFuture<'_, String>;
    fn subscription(&self, id: String) -> ProviderFuture<'_, SubscriptionState>;
    /// Checks a delivery's signature (any configured secret, 300 s tolerance around
    /// `now_secs`) and parses it.
    fn verify(
        &self,
        payload: &str,
        signature: &str,
        now_secs: i64,
    ) -> Result<VerifiedEvent, Refusal>;
    /// Parses a stored payload again (a retry, a replay after an upgrade).
    fn parse(&self, payload: &str) -> Result<EventBody, String>;
}
