//! The app shell's pages and shared building blocks.

pub mod form;
pub mod format;
mod home;
mod landing;
mod layout;
mod not_found;

pub use home::HomePage;
pub use layout::{Footer, Header};
pub use not_found::NotFound;
