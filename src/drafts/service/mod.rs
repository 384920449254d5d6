//! Changing drafts: every rule is checked by the statement that makes the change (or inside
//! its write transaction), never only in the page.
//!
//! Concurrency, and the one lock order: every draft mutation's first statement on the
//! draft locks its row — [`lock_draft`] (`SELECT … FOR UPDATE` on PostgreSQL), or, for an
//! append, the conditional `UPDATE drafts … WHERE ring_holder_id = me RETURNING …` that
//! takes the position. Only then does it read anything else (roles, segments) or write
//! anything else (collaborators, segments, ring passes, invites, events). So every rule is
//! decided on a state no concurrent change can alter before commit, changes to one draft run
//! one after another, and two of them can never wait for each other's locks in opposite
//! orders. (The idempotency key, claimed first, is the only earlier lock; a duplicate request
//! waits on it before touching the draft.) On SQLite the group-commit writer runs writes one
//! at a time, so every read in a write is fresh anyway.
//!
//! What archiving freezes (see `DraftState::refuse_if_archived`): the thread (append, edit,
//! delete), the ring (pass, reclaim), and who is on the draft and how (adding people,
//! accepting invites, creating invites, changing roles). Still allowed: reading, removing a
//! collaborator and revoking an invite (they only take access away), dismissing one's own
//! banner, and the owner's status change (un-archiving).

mod people;
mod ring;
mod segments;

pub use people::{add_collaborator, remove_collaborator, set_role, set_status};
pub use ring::{pass_ring, reclaim_ring};
pub use segments::{append_segment, create_draft, delete_segment, edit_segment};

use super::store::role_of;
use super::types::{DraftStatus, PassKind, RingPass, Role};
use crate::analytics::events::Event;
use crate::analytics::types::Activity;
use crate::auth::model::PublicUser;
use crate::auth::store::public_user;
use crate::db::{is_postgres, Tx};
use crate::error::AppError;
use crate::live::events;
use crate::live::types::DraftEvent;

pub(super) fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

pub(crate) fn archived() -> AppError {
    AppError::conflict("This draft is archived, so it is read-only. Its owner can restore it.")
}

pub(super) fn not_your_turn() -> AppError {
    AppError::conflict("The ring has moved on: it's someone else's turn now.")
}

pub(super) fn owner_only() -> AppError {
    AppError::Forbidden
}

/// A draft as a mutation sees it, read under the draft's row lock.
#[derive(sqlx::FromRow)]
pub(crate) struct DraftState {
    pub(crate) owner_id: String,
    pub(crate) ring_holder_id: String,
    pub(crate) platform: String,
    status: String,
    /// The latest live event number (a new collaborator's replay starts here).
    pub(crate) event_seq: i64,
}

/// Locks the draft's row for the rest of the transaction and reads it: the first thing
/// every draft mutation does (see the module comment).
pub(crate) async fn lock_draft(tx: &mut Tx, draft_id: &str) -> Result<DraftState, AppError> {
    let sql = if is_postgres(tx) {
        "SELECT owner_id, ring_holder_id, platform, status, event_seq FROM drafts \
         WHERE id = $1 FOR UPDATE"
    } else {
        "SELECT owner_id, ring_holder_id, platform, status, event_seq FROM drafts WHERE id = $1"
    };
    sqlx::query_as::<_, DraftState>(sql)
        .bind(draft_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(AppError::NotFound)
}

impl DraftState {
    pub(crate) fn is_archived(&self) -> bool {
        self.status == DraftStatus::Archived.as_str()
    }

    /// Refuses a change that archiving freezes.
    pub(crate) fn refuse_if_archived(&self) -> Result<(), AppError> {
        if self.is_archived() {
            Err(archived())
        } else {
            Ok(())
        }
    }
}

/// Locks the draft; `actor`'s role on it (strangers get `NotFound`).
pub(crate) async fn lock_as_member(
    tx: &mut Tx,
    draft_id: &str,
    actor: &PublicUser,
) -> Result<(DraftState, Role), AppError> {
    let state = lock_draft(tx, draft_id).await?;
    let role = role_of(&mut **tx, draft_id, &actor.id).await?;
    Ok((state, role))
}

/// Locks the draft, if `actor` owns it; `Forbidden` for other collaborators.
pub(crate) async fn require_owner(
    tx: &mut Tx,
    draft_id: &str,
    actor: &PublicUser,
) -> Result<DraftState, AppError> {
    let (state, role) = lock_as_member(tx, draft_id, actor).await?;
    if role != Role::Owner {
        return Err(owner_only());
    }
    Ok(state)
}

/// Locks the draft for its ring holder's change to the thread: owners and editors only,
/// not archived, holding the ring.
pub(super) async fn require_holder(
    tx: &mut Tx,
    draft_id: &str,
    actor: &PublicUser,
) -> Result<DraftState, AppError> {
    let (state, role) = lock_as_member(tx, draft_id, actor).await?;
    if !role.can_hold_ring() {
        return Err(AppError::Forbidden);
    }
    state.refuse_if_archived()?;
    if state.ring_holder_id != actor.id {
        return Err(not_your_turn());
    }
    Ok(state)
}

/// Who gave the ring to whom, how, and after which segment.
pub(super) struct Move<'a> {
    from: &'a str,
    to: &'a str,
    kind: PassKind,
    after_position: i64,
    at: i64,
}

/// Records `activity` by `actor` on the draft in the analytics event store, inside the
/// change's own transaction (so the event exists exactly when the change commits).
pub(crate) async fn record_activity(
    tx: &mut Tx,
    actor: &str,
    draft_id: &str,
    at: i64,
    activity: Activity,
) -> Result<(), AppError> {
    crate::analytics::events::record(tx, &Event::of(actor, Some(draft_id), at, activity)).await?;
    Ok(())
}

/// Records a move of the ring in its history, as a live event and as an analytics event.
pub(super) async fn record_pass(tx: &mut Tx, draft_id: &str, m: Move<'_>) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO ring_passes (id, draft_id, from_user_id, to_user_id, kind, after_position, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new_id())
    .bind(draft_id)
    .bind(m.from)
    .bind(m.to)
    .bind(m.kind.as_str())
    .bind(m.after_position)
    .bind(m.at)
    .execute(&mut **tx)
    .await?;
    let (actor, activity) = match m.kind {
        PassKind::Pass => (
            m.from,
            Activity::RingPassed {
                to: m.to.to_owned(),
            },
        ),
        PassKind::Reclaim => (
            m.to,
            Activity::RingReclaimed {
                from: m.from.to_owned(),
            },
        ),
        PassKind::Return => (
            m.to,
            Activity::RingReturned {
                from: m.from.to_owned(),
            },
        ),
    };
    record_activity(tx, actor, draft_id, m.at, activity).await?;
    let pass = RingPass {
        from: public_user(&mut **tx, m.from).await?,
        to: public_user(&mut **tx, m.to).await?,
        kind: m.kind,
        after_position: m.after_position,
        at_ms: m.at,
    };
    events::record(tx, draft_id, &DraftEvent::RingMoved { pass }, m.at).await
}
