//! What each person chooses about themselves (appearing on the leaderboards, their
//! time zone and whether their profile is public), and the `/account` page that gathers
//! their account, sessions and these choices.

mod account_page;
pub mod api;
mod panel;
pub mod types;

pub use account_page::AccountPage;

#[cfg(feature = "ssr")]
pub mod store;
