//! Share cards as both builds see them. A card holds handles and display ids only: no
//! emails, no user ids, no invite codes or hashes, and no segment text unless the draft's
//! owner chose to show the thread on the public page.

use serde::{Deserialize, Serialize};

use crate::drafts::model::Platform;

/// The card format's version.
pub const CARD_VERSION: u32 = 2;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardPerson {
    pub handle: String,
    pub display_id: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardMetrics {
    pub contributors_count: i64,
    pub ring_passes_last_24h: i64,
    pub avg_minutes_between_passes: Option<i64>,
    pub segments_count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallToAction {
    pub label: String,
    /// Always a path on this site.
    pub url: String,
}

/// Colours chosen from a fixed palette by the draft's id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Theme {
    pub name: String,
    pub background: String,
    pub background_to: String,
    pub accent: String,
}

/// A segment as a public card with the thread shown carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardSegment {
    pub author: String,
    pub text: String,
}

/// The v2 share card. The same draft state and the same `now` give the same JSON, byte for
/// byte.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareCard {
    pub version: u32,
    pub title: String,
    /// "Ring with @owner • 5 contributors • 3 passes/24h".
    pub subtitle: String,
    pub platform: Platform,
    pub metrics: CardMetrics,
    /// The owner first, then the rest by handle; at most five (the full count is in the
    /// metrics).
    pub contributors: Vec<CardPerson>,
    pub top_line: String,
    pub cta: CallToAction,
    pub theme: Theme,
    /// The thread, only when the owner shows it on the public page.
    pub thread: Option<Vec<CardSegment>>,
    pub generated_at: String,
}

/// What the share-card modal shows: the card, its image, and the sharing settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardView {
    pub card: ShareCard,
    /// This site's path to the card's current image (for members).
    pub image_path: String,
    /// The public page's full link, while sharing is on.
    pub public_link: Option<String>,
    pub show_thread: bool,
    pub i_own_it: bool,
    /// Whether the owner's plan puts images on the public card.
    pub public_image: bool,
}

/// What the public page `/c/<slug>` shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicCard {
    pub card: ShareCard,
    /// The image's absolute URL (for link previews), when the owner's plan includes it.
    pub image_url: Option<String>,
    pub page_url: String,
}
