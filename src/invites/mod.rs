//! Invites: one-time links that bring collaborators into a draft, with a preview page for
//! whoever opens one and the owner's list of what became of each.

pub mod api;
mod banner;
mod panel;
mod refer_page;
pub mod types;

pub use banner::JoinedBanner;
pub use panel::InvitesPanel;
pub use refer_page::ReferPage;

#[cfg(feature = "ssr")]
pub mod code;
#[cfg(feature = "ssr")]
pub mod image;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
