//! The app shell's pages and shared building blocks.

pub mod browser;
pub mod chart;
pub mod contrast;
pub mod dialog;
pub mod flash;
pub mod form;
pub mod format;
mod home;
mod landing;
mod layout;
mod lazy_preload;
pub mod nav;
pub mod preview;
mod status_pages;
pub mod style;

pub use home::HomePage;
pub use layout::{Footer, Header};
pub use lazy_preload::LazyModulePreloads;
pub use status_pages::{LoadError, NotFound};
