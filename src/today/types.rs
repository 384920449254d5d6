//! The daily loop and profiles as both builds see them. Everything here is a person's own
//! numbers, worded to encourage; nothing carries an email, a user id or a private draft.

use serde::{Deserialize, Serialize};

/// Today's challenge: the same prompt for everyone whose calendar shows the same date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Challenge {
    /// Its place in the list (1-based), shown as "Challenge 12 of 64".
    pub number: usize,
    pub of: usize,
    pub prompt: String,
}

/// Where a streak stands today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StreakState {
    /// Never wrote a segment yet.
    NotStarted,
    /// Wrote today.
    WroteToday,
    /// Wrote yesterday; today is still open.
    TodayIsOpen,
    /// Yesterday was the run's rest day; writing today keeps it going.
    RestedYesterday,
    /// No live streak: the next segment is day 1.
    FreshStart,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Streak {
    /// Days with a segment in the current run (rest days keep a run, they don't add to it).
    pub current: i64,
    pub longest: i64,
    /// Rest days the current run has used.
    pub rest_days_used: i64,
    pub state: StreakState,
    /// "12-day streak", "A fresh start — day 1", …
    pub headline: String,
    /// What to do next, in a sentence.
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Momentum {
    pub score: i64,
    /// The last 30 local days (days since 1970-01-01) and the momentum at each day's end.
    pub days: Vec<i64>,
    pub values: Vec<i64>,
    /// The graph in words, for screen readers and the card.
    pub summary: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArchetypeKind {
    Leader,
    Connector,
    Analytical,
    Creative,
    /// Not enough writing in the last 30 days to say (a badge should describe, not guess).
    Newcomer,
}

impl ArchetypeKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::Leader => "Leader",
            Self::Connector => "Connector",
            Self::Analytical => "Analytical",
            Self::Creative => "Creative",
            Self::Newcomer => "Finding a voice",
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Self::Leader => "🧭",
            Self::Connector => "🔗",
            Self::Analytical => "🔍",
            Self::Creative => "✨",
            Self::Newcomer => "🌱",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Archetype {
    pub kind: ArchetypeKind,
    pub label: String,
    /// "Why this badge", from the person's own numbers.
    pub why: String,
}

/// A link a suggestion offers (always a path on this site).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub label: String,
    pub url: String,
}

/// One coaching suggestion and why it was chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    /// The rule that chose it (`ring_waiting`, `opening_too_long`, …).
    pub rule: String,
    pub text: String,
    pub reason: String,
    pub link: Option<Link>,
}

/// What the harmful-text guard found, in the kind of care it calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Concern {
    SelfHarm,
    SelfHatred,
    Hopelessness,
}

/// A caring answer in place of advice: resilience framing, and for self-harm real help.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Support {
    pub concern: Concern,
    pub message: String,
    pub help: Option<Link>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coach {
    /// Set when something the person wrote recently sounded heavy (never quoted back).
    pub support: Option<Support>,
    /// Three to five, most useful first.
    pub suggestions: Vec<Suggestion>,
}

/// The coach's answer to a question typed into its box.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoachReply {
    /// Care instead of tips, when the question sounded like a person in pain.
    pub support: Option<Support>,
    /// What the answer is about ("openings", "the ring", …), when tips were given.
    pub topic: Option<String>,
    pub tips: Vec<String>,
}

/// `/today`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TodayView {
    pub handle: String,
    /// "Tuesday 1 December 2026", in the person's zone.
    pub date_label: String,
    pub time_zone: String,
    pub challenge: Challenge,
    pub streak: Streak,
    pub momentum: Momentum,
    pub archetype: Archetype,
    pub coach: Coach,
    pub profile_private: bool,
    pub generated_at: String,
}

/// A draft a profile lists: one whose owner shares its card publicly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicDraft {
    pub title: String,
    pub platform: String,
    /// The public card's page (`/c/<slug>`).
    pub url: String,
}

/// `/u/<handle>`: the person's card, and what only the page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub card: PersonalCard,
    pub public_drafts: Vec<PublicDraft>,
    /// "March 2026".
    pub member_since: String,
    /// The personal card's image (absolute, for link previews).
    pub image_url: String,
    pub page_url: String,
    pub is_me: bool,
}

/// The personal share card (version 1). The same data and the same `now` give the same
/// JSON, byte for byte, and the same image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonalCard {
    pub version: u32,
    pub handle: String,
    pub display_id: String,
    pub archetype: Archetype,
    pub momentum: i64,
    pub streak: i64,
    pub longest_streak: i64,
    /// Momentum at the end of each of the last 30 days.
    pub graph: Vec<i64>,
    pub theme: crate::sharecards::types::Theme,
    /// The profile's path.
    pub profile_path: String,
    pub generated_at: String,
}

/// What "Share my card" shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonalCardView {
    pub card: PersonalCard,
    /// This site's path to the image: public when the profile is, the owner's own route
    /// otherwise.
    pub image_path: String,
    /// The profile's full link.
    pub page_url: String,
    pub profile_private: bool,
}
