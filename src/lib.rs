//! OneRing: creators write threads together, one segment at a time, and a single ring says
//! whose turn it is.
//!
//! One crate, two builds: `ssr` (the axum server) and `hydrate` (the browser bundle). Each
//! domain lives in its own folder with its shared types, server functions, server-only
//! storage and components.

pub mod app;
pub mod auth;
pub mod drafts;
pub mod error;
pub mod invites;
pub mod live;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod idempotency;
#[cfg(feature = "ssr")]
pub mod server;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
