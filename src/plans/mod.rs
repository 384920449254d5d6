//! Plans and entitlements: "is this person allowed to do this, under their plan, right
//! now?" answered in one place — the pure decision (`decide`), its enforcement inside the
//! actions' own writes (`store::enforce`), and the pages that explain it (`/pricing`,
//! `/account/plan`).
//!
//! The plans themselves are defined in one place: the migration `0007_plans.sql` seeds them,
//! and the server checks them at start-up (`store::validate`).

pub mod api;
mod plan_page;
mod pricing_page;
pub mod types;

pub use plan_page::{PlanHistory, PlanSummary};
pub use pricing_page::PricingPage;

#[cfg(feature = "ssr")]
pub mod decide;
#[cfg(feature = "ssr")]
pub mod store;
