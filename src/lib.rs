//! OneRing: creators write threads together, one segment at a time, and a single ring says
//! whose turn it is.
//!
//! One crate, two builds: `ssr` (the axum server) and `hydrate` (the browser bundle). Each
//! domain lives in its own folder with its shared types, server functions, server-only
//! storage and components.

pub mod admin;
pub mod analytics;
pub mod app;
pub mod auth;
pub mod billing;
pub mod clock;
pub mod drafts;
pub mod error;
pub mod ids;
pub mod invites;
pub mod live;
pub mod plans;
pub mod publishing;
pub mod settings;
pub mod sharecards;
pub mod text;
pub mod today;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod idempotency;
#[cfg(feature = "ssr")]
pub mod images;
#[cfg(feature = "ssr")]
pub mod jobs;
#[cfg(feature = "ssr")]
pub mod server;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Lazy routes (the draft, drafts, account and invite pages) load their code before they
    // hydrate, so hydration is asynchronous; once all of it is done the body says so
    // (`data-hydrated`, which the browser tests wait for).
    let _ = any_spawner::Executor::init_wasm_bindgen();
    leptos::task::spawn_local(async {
        let Some(body) = leptos::prelude::document().body() else {
            return;
        };
        leptos::mount::hydrate_from_async(body.clone(), app::App)
            .await
            .forget();
        let _ = body.set_attribute("data-hydrated", "true");
    });
}

/// Room for wasm-split to lay the read-only data out again, so each lazy page's strings
/// leave the first load.
///
/// `cargo leptos build --split` hands each lazy page its share of the linker's read-only
/// data segment, re-packed with alignment padding. When the re-packed segment comes out
/// longer than the linker's (by as little as a few hundred bytes, tipped by any change), it
/// keeps *all* of the segment in the first-load module: measured once as +143 KB raw, +36 KiB
/// brotli from a change of a few lines. This block lengthens the linker's segment so the
/// padding always fits; nothing reads it, so no output module carries it. If it ever stops
/// working, `scripts/wasm-size.sh` (the first-load budget) fails.
#[cfg(feature = "hydrate")]
#[used]
static SPLIT_DATA_SLACK: [u8; 4096] = [0x5a; 4096];
