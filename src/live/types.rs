//! What travels on a draft's live channel. Server to page: [`LiveMessage`]; page to
//! server: [`PageMessage`]. Public shapes only (handles and display ids, never emails).

use serde::{Deserialize, Serialize};

use crate::auth::model::PublicUser;
use crate::drafts::types::{DraftStatus, RingPass, Role, Segment};

/// A change to a draft, stored with a per-draft sequence number so a page that missed some
/// can ask for everything after the last one it saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DraftEvent {
    SegmentAppended { segment: Segment },
    SegmentEdited { segment: Segment },
    SegmentDeleted { segment_id: String, by: PublicUser },
    RingMoved { pass: RingPass },
    CollaboratorAdded { user: PublicUser, role: Role },
    CollaboratorRemoved { user: PublicUser },
    RoleChanged { user: PublicUser, role: Role },
    StatusChanged { status: DraftStatus },
}

impl DraftEvent {
    /// Whose activity this was, if one person's (their typing indicator ends with it).
    pub fn author(&self) -> Option<&PublicUser> {
        match self {
            Self::SegmentAppended { segment } | Self::SegmentEdited { segment } => {
                Some(&segment.author)
            }
            Self::SegmentDeleted { by, .. } => Some(by),
            _ => None,
        }
    }
}

/// Someone with the draft open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Present {
    pub user: PublicUser,
    pub typing: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiveMessage {
    /// The channel is open; events after `seq` follow.
    Ready {
        seq: i64,
    },
    Event {
        seq: i64,
        event: DraftEvent,
    },
    /// More was missed than is kept for replay: reload the draft, then carry on from `seq`.
    Reset {
        seq: i64,
    },
    /// Who has the draft open now, and who of them is typing (sorted by handle).
    Presence {
        people: Vec<Present>,
    },
    /// The reader lost access to the draft; the channel closes.
    Revoked,
}

/// What a page sends: that its user is typing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PageMessage {
    Typing,
}

/// The channel's state, for the page's "reconnecting…" cue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connection {
    Connecting,
    Live,
    Reconnecting,
    /// Access was withdrawn; no more attempts.
    Closed,
}

impl Connection {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Connecting => "connecting",
            Self::Live => "live",
            Self::Reconnecting => "reconnecting",
            Self::Closed => "closed",
        }
    }
}
