//! Accounts and sessions: sign up, sign in, sign out, who am I, where am I signed in.

pub mod api;
mod gate;
pub mod model;
mod pages;
mod sessions_page;
mod state;

pub use gate::SignedIn;
pub use pages::{SignInPage, SignUpPage};
pub use sessions_page::{AccountDetails, SessionList};
pub use state::{provide_auth, use_auth, Auth};

#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod store;
