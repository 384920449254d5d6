//! Publishing and scheduling: a finished thread posted to Bluesky, Mastodon or X — now or at
//! a time — post by post, each a reply to the one before, resumable from any failure and
//! never posting a post twice (see `service` and `networks`).
//!
//! - `split`: the deterministic splitter (shared by the browser and the server);
//! - `networks`: one client per network behind one trait, base URLs configurable;
//! - `vault`: credentials sealed at rest; `store`: the tables; `service`: the rules and
//!   the job; `oauth`: connecting through a network's own sign-in;
//! - pages: `/account/connections`, `/scheduled`, and the draft page's Publish panel.
//!
//! Builds on drafts (what is published), settings (the person's time zone), analytics (a
//! publication is recorded) and the job runner.

pub mod api;
mod connections_page;
mod panel;
mod schedule_page;
pub mod split;
pub mod types;

pub use connections_page::ConnectionsPage;
pub use panel::PublishPanel;
pub use schedule_page::SchedulePage;

#[cfg(feature = "ssr")]
pub mod config;
#[cfg(feature = "ssr")]
pub mod jobs;
#[cfg(feature = "ssr")]
pub mod networks;
#[cfg(feature = "ssr")]
pub mod oauth;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod vault;
