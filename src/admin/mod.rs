//! In-app admin: the pages admins run OneRing from, the one gate that decides who is an
//! admin (`auth::require_admin`: an identity-provider JWT, an account with the admin role,
//! or the legacy shared key), and the strict, append-only audit trail every admin action
//! writes in its own transaction (`audit`).
//!
//! Builds on plans (plan changes, overrides, grace) and billing (webhook events, replay,
//! reconciliation); nothing below it knows it exists.

pub mod api;
mod pages;
pub mod types;

pub use pages::{
    AdminAuditPage, AdminEventPage, AdminEventsPage, AdminOverviewPage, AdminReconcilePage,
    AdminUserPage, AdminUsersPage,
};

#[cfg(feature = "ssr")]
pub mod audit;
#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(feature = "ssr")]
pub mod config;
#[cfg(feature = "ssr")]
pub mod input;
#[cfg(feature = "ssr")]
pub mod jwt;
#[cfg(feature = "ssr")]
mod redact;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
