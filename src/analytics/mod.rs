//! Analytics: a durable event store with daily rollups, draft insights, my own numbers and
//! supportive leaderboards, all deterministic under `now`. OneRing measures effort and
//! collaboration, never vanity: no follower counts, no "you are last", views never a goal.
//!
//! - `types`: events and what insights show (shared);
//! - `events`: the event store and its rollups (written inside the actions' own writes);
//! - `reduce`: pure functions from rows and `now` to every number; `momentum`: its formula;
//! - `store`: the bounded reads the reducers need; `rebuild`: rollups from the events;
//! - `api`: server functions; `draft_page` and `page`: `/drafts/:id/insights` and `/insights`.

pub mod api;
mod draft_page;
mod page;
pub mod types;

pub use draft_page::DraftInsightsPage;
pub use page::InsightsPage;

#[cfg(feature = "ssr")]
pub mod boards;
#[cfg(feature = "ssr")]
pub mod events;
// Shared: the Today page explains the formula with its own constants.
pub mod momentum;
#[cfg(feature = "ssr")]
pub mod rebuild;
#[cfg(feature = "ssr")]
pub mod reduce;
#[cfg(feature = "ssr")]
pub mod store;
