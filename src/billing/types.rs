//! Billing types shared by the server and the browser: what `/account/plan` shows about
//! payments. Nothing here names a Stripe id or a secret.

use serde::{Deserialize, Serialize};

/// A paid plan someone can switch to here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Upgrade {
    pub plan: String,
    pub name: String,
    pub price_label: String,
}

/// The billing side of `/account/plan`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingStatus {
    /// Billing is configured on this server.
    pub enabled: bool,
    /// Plans that can be bought (not the one I am on).
    pub upgrades: Vec<Upgrade>,
    /// I have a Stripe customer, so the billing portal has something to show.
    pub can_manage: bool,
    /// A calm note when a payment failed: the plan stays, the card needs updating.
    pub notice: Option<String>,
    /// The plan I am on (to notice when a webhook has changed it).
    pub plan: String,
}

/// Where to send the browser next (Stripe Checkout or the billing portal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redirect {
    pub url: String,
}
