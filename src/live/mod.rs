//! Live drafts: every change, who has the draft open and who is typing reach every open
//! page at once, on one app server or across many (through PostgreSQL).
//!
//! - `events`: changes are stored with a dense per-draft number inside the write itself;
//! - `bus`: how news travels between servers (`NOTIFY`/`LISTEN` on PostgreSQL);
//! - `hub`: this server's per-draft broadcast channels, presence and typing;
//! - `socket`: the WebSocket a draft page keeps open (and why not SSE);
//! - `client`: the page's side: reconnects, resumes from its last event, applies them.

pub mod apply;
pub mod types;

#[cfg(feature = "hydrate")]
pub mod client;

#[cfg(feature = "ssr")]
pub mod bus;
#[cfg(feature = "ssr")]
pub mod events;
#[cfg(feature = "ssr")]
pub mod hub;
#[cfg(feature = "ssr")]
pub mod socket;
