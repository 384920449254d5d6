//! Stripe billing: checkout and the billing portal from `/account/plan`, a signed webhook
//! route, and the order-safe, exactly-once application of subscription states to plans,
//! with retries and hourly reconciliation on the job runner. Off (every billing call 503)
//! without `STRIPE_SECRET_KEY`.
//!
//! Stripe sits behind [`provider::BillingProvider`]; `stripe_provider.rs` is the only file
//! that knows its types. Plans change only through `plans::store::change_plan`, with reason
//! `billing`, and only from webhook events and reconciliation — never from the return URL.

pub mod api;
mod plan_page;
pub mod types;

pub use plan_page::PlanPage;

#[cfg(feature = "ssr")]
pub mod jobs;
#[cfg(feature = "ssr")]
pub mod provider;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod stripe_provider;
#[cfg(feature = "ssr")]
pub mod webhook;
