//! What invite pages and the owner's panel receive. A code appears only in
//! [`CreatedInvite::link`], in the one response that creates it.

use serde::{Deserialize, Serialize};

use crate::drafts::model::Platform;
use crate::drafts::types::Role;

/// Defaults and bounds for a new invite.
pub const DEFAULT_EXPIRY_DAYS: u32 = 7;
pub const MAX_EXPIRY_DAYS: u32 = 30;
pub const DEFAULT_MAX_USES: u32 = 1;
pub const MAX_USES: u32 = 50;
pub const NOTE_MAX_CHARS: usize = 100;

/// Where an invite stands, as its owner sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InviteStatus {
    /// It can still be accepted (perhaps already by some, if it has several uses).
    Pending,
    /// Every use is taken.
    Accepted,
    Expired,
    Revoked,
}

impl InviteStatus {
    /// The status at `now_ms`. Revoked wins over everything; a used-up invite stays
    /// "accepted" after its expiry.
    pub fn at(uses: i64, max_uses: i64, expires_at_ms: i64, revoked: bool, now_ms: i64) -> Self {
        if revoked {
            Self::Revoked
        } else if uses >= max_uses {
            Self::Accepted
        } else if now_ms >= expires_at_ms {
            Self::Expired
        } else {
            Self::Pending
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
        }
    }
}

/// One invite in the owner's list (never its code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteSummary {
    pub id: String,
    pub role: Role,
    pub note: Option<String>,
    pub status: InviteStatus,
    pub uses: i64,
    pub max_uses: i64,
    /// Handles of the people who joined through it, in the order they joined.
    pub accepted_by: Vec<String>,
    pub created_at_ms: i64,
    pub expires_at_ms: i64,
}

/// The response that creates an invite: the only one that ever carries its link. A retry
/// of the same request (same idempotency key) gets the invite without the link, since the
/// code was never stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedInvite {
    pub invite: InviteSummary,
    /// `<public origin>/refer/<code>`.
    pub link: Option<String>,
}

/// How the visitor of a refer page relates to the draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visitor {
    SignedOut,
    /// Signed in and not yet on the draft: may join.
    Invitee,
    /// Already a collaborator: "Join" just opens the draft.
    Member,
    /// The draft's owner, looking at their own link.
    Owner,
}

/// What a refer page shows about the draft behind a valid code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitePreview {
    /// The link-preview image's address (the inviter and the platform), while the invite
    /// can be used.
    pub image_url: Option<String>,
    pub draft_title: String,
    pub platform: Platform,
    pub inviter_handle: String,
    pub collaborator_count: i64,
    pub role: Role,
    pub visitor: Visitor,
}

/// What accepting did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Joined {
    /// The user is now a collaborator.
    Joined,
    /// They already were (a second click, or an earlier invite).
    AlreadyMember,
    /// The owner opened their own invite: nothing changes.
    Owner,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acceptance {
    pub draft_id: String,
    pub joined: Joined,
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000_000;

    #[test]
    fn status_follows_uses_expiry_and_revocation_at_a_fixed_now() {
        let later = NOW + 1;
        assert_eq!(
            InviteStatus::at(0, 1, later, false, NOW),
            InviteStatus::Pending
        );
        assert_eq!(
            InviteStatus::at(1, 2, later, false, NOW),
            InviteStatus::Pending
        );
        assert_eq!(
            InviteStatus::at(1, 1, later, false, NOW),
            InviteStatus::Accepted
        );
        assert_eq!(
            InviteStatus::at(0, 1, NOW, false, NOW),
            InviteStatus::Expired
        );
        assert_eq!(
            InviteStatus::at(1, 1, NOW - 5, false, NOW),
            InviteStatus::Accepted
        );
        assert_eq!(
            InviteStatus::at(1, 1, later, true, NOW),
            InviteStatus::Revoked
        );
        assert_eq!(
            InviteStatus::at(0, 1, NOW - 5, true, NOW),
            InviteStatus::Revoked
        );
    }
}
