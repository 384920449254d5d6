//! What the draft pages receive: public shapes only (handles and display ids, never emails).

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::model::Platform;
use crate::auth::model::PublicUser;
use crate::error::AppError;

/// A collaborator's part in a draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Owner,
    Editor,
    Viewer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Editor => "editor",
            Self::Viewer => "viewer",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, AppError> {
        match raw.trim() {
            "owner" => Ok(Self::Owner),
            "editor" => Ok(Self::Editor),
            "viewer" => Ok(Self::Viewer),
            _ => Err(AppError::validation("role", "Choose editor or viewer.")),
        }
    }

    /// Owners and editors may hold the ring (and so append); viewers only read.
    pub fn can_hold_ring(self) -> bool {
        matches!(self, Self::Owner | Self::Editor)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DraftStatus {
    Draft,
    Published,
    Archived,
}

impl DraftStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Published => "published",
            Self::Archived => "archived",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, AppError> {
        match raw.trim() {
            "draft" => Ok(Self::Draft),
            "published" => Ok(Self::Published),
            "archived" => Ok(Self::Archived),
            _ => Err(AppError::validation(
                "status",
                "Choose draft, published or archived.",
            )),
        }
    }
}

/// How the ring changed hands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PassKind {
    /// The holder passed it on.
    Pass,
    /// The owner took it back.
    Reclaim,
    /// It went back to the owner because the holder was removed or made a viewer.
    Return,
}

impl PassKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Reclaim => "reclaim",
            Self::Return => "return",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    pub id: String,
    pub position: i64,
    pub content: String,
    pub author: PublicUser,
    pub created_at_ms: i64,
    pub edited_at_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Collaborator {
    pub user: PublicUser,
    pub role: Role,
    /// Contribution: segments written and their characters (code points).
    pub segments: i64,
    pub characters: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RingPass {
    pub from: PublicUser,
    pub to: PublicUser,
    pub kind: PassKind,
    /// The ring moved after this many segments.
    pub after_position: i64,
    pub at_ms: i64,
}

/// Everything the draft page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftView {
    pub id: String,
    pub title: String,
    pub subtitle: Option<String>,
    pub platform: Platform,
    pub status: DraftStatus,
    pub owner: PublicUser,
    pub ring_holder: PublicUser,
    pub my_role: Role,
    pub me: PublicUser,
    /// Shared, not copied: the page hands the view to several panels, and a long thread
    /// copied for each was a tenth of the page's time. Changed through `Arc::make_mut`.
    pub segments: Arc<Vec<Segment>>,
    pub collaborators: Vec<Collaborator>,
    /// Most recent first. Shared like `segments` (up to 50 passes, two people each).
    pub ring_history: Arc<Vec<RingPass>>,
    /// The viewer joined through an invite and has not dismissed the welcome yet.
    pub show_joined_banner: bool,
    /// The number of the latest live event this view includes (a page's live channel
    /// resumes after it).
    pub event_seq: i64,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

impl DraftView {
    pub fn i_hold_ring(&self) -> bool {
        self.ring_holder.id == self.me.id
    }
}

/// A new draft, and what the person's plan had to say about it (grace used, if any).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedDraft {
    pub id: String,
    pub notice: Option<String>,
}

/// Someone added to a draft, and what the owner's plan had to say about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddedCollaborator {
    pub user: PublicUser,
    pub notice: Option<String>,
}

/// One row of "my drafts".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftSummary {
    pub id: String,
    pub title: String,
    pub platform: Platform,
    pub status: DraftStatus,
    pub segment_count: i64,
    pub collaborator_handles: Vec<String>,
    pub my_role: Role,
    pub i_hold_ring: bool,
    pub updated_at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftPage {
    pub drafts: Vec<DraftSummary>,
    pub page: u32,
    pub has_more: bool,
}
