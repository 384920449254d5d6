//! Analytics types shared by the server and the browser: the events (as stored), and what
//! the insights and leaderboards show. Public shapes only: handles and display ids, never
//! emails, user ids of others, or raw events.

use serde::{Deserialize, Serialize};

use crate::drafts::model::Platform;
use crate::drafts::types::{DraftStatus, Role};

/// The version of the event payloads below. Readers refuse any other: they never guess.
pub const SCHEMA_VERSION: i64 = 1;

/// How someone joined a draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JoinedVia {
    Invite,
    Handle,
}

/// What happened, with its small typed payload. Stored as JSON (`kind` plus the fields);
/// user ids here are internal and never leave the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Activity {
    DraftCreated {
        platform: Platform,
    },
    SegmentAdded {
        segment_id: String,
        characters: i64,
    },
    SegmentEdited {
        segment_id: String,
        characters: i64,
    },
    SegmentDeleted {
        segment_id: String,
    },
    RingPassed {
        to: String,
    },
    RingReclaimed {
        from: String,
    },
    /// The ring went back to the owner because its holder was removed or made a viewer.
    RingReturned {
        from: String,
    },
    CollaboratorJoined {
        user: String,
        via: JoinedVia,
        role: Role,
    },
    RoleChanged {
        user: String,
        role: Role,
    },
    StatusChanged {
        status: DraftStatus,
    },
    /// A member opened the draft (recorded at most once per viewer, draft and hour).
    DraftViewed,
    /// Someone opened the draft's public share card (at most once per visitor and hour).
    CardViewed,
    /// Someone copied the share card's link or JSON.
    CardCopied,
    /// A thread of the draft went out to a network, every post of it.
    ThreadPublished {
        network: String,
        posts: i64,
    },
}

impl Activity {
    /// The stored `kind` column.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::DraftCreated { .. } => "draft_created",
            Self::SegmentAdded { .. } => "segment_added",
            Self::SegmentEdited { .. } => "segment_edited",
            Self::SegmentDeleted { .. } => "segment_deleted",
            Self::RingPassed { .. } => "ring_passed",
            Self::RingReclaimed { .. } => "ring_reclaimed",
            Self::RingReturned { .. } => "ring_returned",
            Self::CollaboratorJoined { .. } => "collaborator_joined",
            Self::RoleChanged { .. } => "role_changed",
            Self::StatusChanged { .. } => "status_changed",
            Self::DraftViewed => "draft_viewed",
            Self::CardViewed => "card_viewed",
            Self::CardCopied => "card_copied",
            Self::ThreadPublished { .. } => "thread_published",
        }
    }
}

/// A person as insights show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub handle: String,
    pub display_id: String,
}

/// A count per day for the last 30 days, oldest first, one series per person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailySeries {
    /// UTC days (days since 1970-01-01), oldest first.
    pub days: Vec<i64>,
    pub series: Vec<Series>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Series {
    pub person: Person,
    pub counts: Vec<i64>,
}

/// One person's part in a draft (its current segments).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contribution {
    pub person: Person,
    pub segments: i64,
    pub characters: i64,
}

/// Who held the ring from when to when (`until_ms` is `now` for the current holder).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holding {
    pub person: Person,
    pub from_ms: i64,
    pub until_ms: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassCounts {
    pub last_24h: i64,
    pub last_7d: i64,
    pub all_time: i64,
}

/// What a draft's members see about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftInsights {
    pub draft_id: String,
    pub title: String,
    pub platform: Platform,
    pub unique_viewers: i64,
    pub views: i64,
    pub card_views: i64,
    pub card_copies: i64,
    pub segments: i64,
    pub contributors: i64,
    pub passes: PassCounts,
    /// Average minutes between consecutive ring passes (none before the second pass).
    pub avg_minutes_between_passes: Option<i64>,
    /// Minutes from the first segment to the last.
    pub first_to_last_segment_minutes: Option<i64>,
    pub contributions: Vec<Contribution>,
    /// Segments added per day, stacked by contributor.
    pub activity: DailySeries,
    /// The last 30 days of the ring, oldest first.
    pub ring_timeline: Vec<Holding>,
    /// Whether the charts, the ring timeline and who wrote what are included (the draft
    /// owner's plan decides); without them, `note` says where they come from.
    pub full: bool,
    pub note: Option<String>,
    /// The day `now` fell on, and `now` itself (as milliseconds and as RFC 3339).
    pub today: i64,
    pub as_of_ms: i64,
    pub generated_at: String,
}

impl DraftInsights {
    /// Keeps the basic counts only (the owner's plan lacks the rest), saying why.
    pub fn basic_only(&mut self, note: String) {
        self.full = false;
        self.note = Some(note);
        self.contributions.clear();
        self.activity.series.clear();
        self.ring_timeline.clear();
    }
}

/// My own numbers over a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyNumbers {
    pub days: i64,
    pub drafts_started: i64,
    pub segments: i64,
    pub passes_given: i64,
    pub passes_received: i64,
    pub collaborators: i64,
    pub active_days: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyInsights {
    pub week: MyNumbers,
    pub month: MyNumbers,
    /// My segments per day, last 30 days.
    pub activity: DailySeries,
    pub today: i64,
    pub as_of_ms: i64,
    pub generated_at: String,
}

/// What a board ranks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Board {
    /// Ring passes given plus drafts co-written (with at least one other person) in the window.
    Collaboration,
    /// Days with a contribution (a segment or a ring pass) in the window.
    Consistency,
    /// Momentum (`analytics::momentum`): effort over the last 30 days, recent work counting
    /// most. Always a 30-day board.
    Momentum,
}

impl Board {
    pub const ALL: [Board; 3] = [Board::Collaboration, Board::Consistency, Board::Momentum];

    pub fn title(self) -> &'static str {
        match self {
            Self::Collaboration => "Collaboration",
            Self::Consistency => "Consistency",
            Self::Momentum => "Momentum",
        }
    }

    /// The windows (in days) the board is drawn for.
    pub fn windows(self) -> &'static [i64] {
        match self {
            Self::Momentum => &[30],
            Self::Collaboration | Self::Consistency => &[7, 30],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardEntry {
    pub rank: i64,
    pub person: Person,
    pub score: i64,
    pub thanks: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leaderboard {
    pub board: Board,
    pub days: i64,
    pub entries: Vec<BoardEntry>,
    /// The viewer's own place, when they are on the board's top 10 (never shown to others).
    pub my_rank: Option<i64>,
    /// The viewer's own score, whether or not they are in the top 10.
    pub my_score: i64,
    /// What the viewer gave, in their own numbers (when they gave anything).
    pub my_thanks: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leaderboards {
    pub boards: Vec<Leaderboard>,
    /// Whether the viewer appears on the boards (an account setting).
    pub i_am_shown: bool,
    pub generated_at: String,
}
