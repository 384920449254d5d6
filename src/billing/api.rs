//! Billing server functions (listed in `docs/API.md`). Each answers 503 `billing_disabled`
//! when the server has no Stripe key.

use leptos::prelude::*;

use super::types::{BillingStatus, Redirect};
use crate::error::AppError;

/// The billing side of `/account/plan`: upgrades on offer, the portal, a payment notice.
#[server(prefix = "/api", endpoint = "billing/status")]
pub async fn load_billing_status() -> Result<BillingStatus, AppError> {
    let state = crate::server::state::app_state()?;
    let user = crate::auth::api::require_user().await?.user;
    super::service::status(&state, &user).await
}

/// Starts a Stripe Checkout for `plan`; the browser goes to the returned URL. The same
/// `idempotency_key` gives the same checkout.
#[server(prefix = "/api", endpoint = "billing/checkout")]
pub async fn start_checkout(plan: String, idempotency_key: String) -> Result<Redirect, AppError> {
    let state = crate::server::state::app_state()?;
    let user = crate::auth::api::require_user().await?.user;
    if state.billing.is_none() {
        return Err(AppError::BillingDisabled);
    }
    let key = crate::idempotency::check_key(&idempotency_key)?;
    let plan = crate::text::single_line("plan", &plan, 40)?;
    let redirect = super::service::start_checkout(&state, &user, &plan, key).await?;
    send_browser(&redirect)?;
    Ok(redirect)
}

/// Opens the Stripe billing portal (card, cancel, switch plan).
#[server(prefix = "/api", endpoint = "billing/portal")]
pub async fn open_portal(idempotency_key: String) -> Result<Redirect, AppError> {
    let state = crate::server::state::app_state()?;
    let user = crate::auth::api::require_user().await?.user;
    crate::idempotency::check_key(&idempotency_key)?;
    let redirect = super::service::open_portal(&state, &user).await?;
    send_browser(&redirect)?;
    Ok(redirect)
}

/// Redirects the browser to Stripe's page: a 302 for a form posted before hydration, and
/// the router's redirect hook after it. The URL is Stripe's; it is checked before it goes
/// into a header (the header constructor would panic on a bad one).
#[cfg(feature = "ssr")]
fn send_browser(redirect: &Redirect) -> Result<(), AppError> {
    let url = redirect.url.as_str();
    let usable = (url.starts_with("https://") || url.starts_with("http://"))
        && http::HeaderValue::from_str(url).is_ok();
    if !usable {
        tracing::warn!("the payment provider answered with an unusable URL");
        return Err(AppError::PaymentProvider);
    }
    leptos_axum::redirect(url);
    Ok(())
}
