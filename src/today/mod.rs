//! The daily loop and creator identity: a daily reason to come back that never turns into
//! a guilt machine. Every number is deterministic under `now`, explained to the person it
//! describes, and worded to encourage.
//!
//! - `challenge`: today's prompt by the person's own date; `streak`: runs with rest days (`streak_cache` keeps
//!   the part over finished days);
//!   momentum itself is `analytics::momentum` (its board lives with the others);
//! - `coach` (suggestions from my drafts, each with why), `ask` (the coach's box) and
//!   `guard` (the harmful-text guard, with its corpus in `corpus/`);
//! - `archetype`: the badge and why; `card`: the personal card and its image;
//! - `store`: bounded reads; `api`: server functions; `image`: the card's image routes;
//! - pages: `/today` (`page`), `/u/<handle>` (`profile_page`), "Share my card".

pub mod api;
mod card_dialog;
mod page;
mod profile_page;
pub mod types;

pub use page::TodayPage;
pub use profile_page::ProfilePage;

#[cfg(feature = "ssr")]
pub mod archetype;
#[cfg(feature = "ssr")]
pub mod ask;
#[cfg(feature = "ssr")]
pub mod card;
#[cfg(feature = "ssr")]
pub mod challenge;
#[cfg(feature = "ssr")]
pub mod coach;
#[cfg(feature = "ssr")]
pub mod guard;
#[cfg(feature = "ssr")]
pub mod image;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod streak;
#[cfg(feature = "ssr")]
mod streak_cache;
