//! Share cards: the artifact a creator posts to say "we wrote this together". The v2 card
//! (`card`), its image (`template`, on the shared renderer in `crate::images`), the
//! share-card modal on the draft page, and the public page `/c/<slug>` with link-preview tags.
//! A card shows who and how, never a secret, and the thread only when its owner says so.

pub mod api;
mod modal;
mod public_page;
pub mod types;

pub use modal::ShareCardButton;
pub use public_page::PublicCardPage;

#[cfg(feature = "ssr")]
pub mod card;
#[cfg(feature = "ssr")]
pub mod image;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod template;
