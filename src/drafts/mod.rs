//! Drafts: threads written together, one segment at a time, with a single ring that says
//! whose turn it is.

pub mod api;
pub mod count;
mod draft_page;
mod draft_panels;
pub mod export;
mod list_page;
mod live_copy;
pub mod model;
mod payload;
mod timeline;
pub mod types;

pub use draft_page::DraftPage;
pub use list_page::{CreateDraftDialog, DraftsPage};

#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
