//! Publishing as both builds see it: networks, a person's connections (never their
//! credentials), and publications with each post's state.

use serde::{Deserialize, Serialize};

use crate::drafts::model::Platform;

/// A network OneRing posts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Network {
    Bluesky,
    Mastodon,
    X,
}

impl Network {
    pub const ALL: [Network; 3] = [Network::Bluesky, Network::Mastodon, Network::X];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Bluesky => "bluesky",
            Self::Mastodon => "mastodon",
            Self::X => "x",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|n| n.as_str() == raw.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Bluesky => "Bluesky",
            Self::Mastodon => "Mastodon",
            Self::X => "X",
        }
    }

    /// How the network counts a post (the same counting as the editor's).
    pub fn platform(self) -> Platform {
        match self {
            Self::Bluesky => Platform::Bluesky,
            Self::Mastodon => Platform::Mastodon,
            Self::X => Platform::X,
        }
    }
}

/// One of my connected accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    pub id: String,
    pub network: Network,
    /// The account as the network shows it: `@ada.bsky.social`, `@ada@mastodon.social`.
    pub account: String,
    /// The server: a Bluesky PDS, a Mastodon instance, X's API.
    pub server: String,
    /// `active`, or `revoked` (the network refused its credentials: reconnect).
    pub status: String,
    pub created_at_ms: i64,
}

/// What my connections page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connections {
    pub connections: Vec<Connection>,
    /// Whether this server can publish at all (it has an encryption key for credentials).
    pub enabled: bool,
    /// Whether connecting X is set up here (X's client id).
    pub x_available: bool,
    /// The default Bluesky server (PDS).
    pub bluesky_server: String,
}

/// One post of a publication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Post {
    pub position: i64,
    pub content: String,
    /// `pending`, `posting` (sent, answer not yet known), `posted`, `failed`.
    pub status: String,
    pub url: Option<String>,
    pub attempts: i64,
    pub error: Option<String>,
}

/// A thread being (or to be) published to one network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publication {
    pub id: String,
    pub draft_id: String,
    pub draft_title: String,
    pub network: Network,
    pub account: String,
    /// `scheduled`, `publishing`, `published`, `failed`, `cancelled`.
    pub status: String,
    /// When it starts (or started).
    pub run_at_ms: i64,
    /// That time in the person's zone, to read (`2027-01-31 18:30 Europe/Berlin`) and to
    /// put in a `datetime-local` field (`2027-01-31T18:30`); filled in for the person asking.
    pub run_at_local: String,
    pub run_at_input: String,
    pub thread_url: Option<String>,
    pub error: Option<String>,
    pub posts: Vec<Post>,
}

impl Publication {
    /// Whether it can still be changed or cancelled (it has not started).
    pub fn is_waiting(&self) -> bool {
        self.status == "scheduled" && self.posts.iter().all(|p| p.status == "pending")
    }
}

/// What `/scheduled` shows: what is coming and what needs someone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    pub upcoming: Vec<Publication>,
    pub failed: Vec<Publication>,
    /// The person's time zone (an IANA name), in which times are shown and typed.
    pub time_zone: String,
}
