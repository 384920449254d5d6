//! Drafts: threads written together, one segment at a time, with a single ring that says
//! whose turn it is.

pub mod api;
pub mod count;
pub mod model;
pub mod types;

#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
