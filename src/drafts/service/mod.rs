//! Changing drafts: every rule is checked by the statement that makes the change (or inside
//! its write transaction), never only in the page.
//!
//! Concurrency: appends and passes both update the draft row, so the database orders them;
//! an append is a conditional `UPDATE … WHERE ring_holder_id = me RETURNING segment_count`, so
//! it either lands before a pass or is refused, never after it.

mod people;
mod ring;
mod segments;

pub use people::{add_collaborator, remove_collaborator, set_role, set_status};
pub use ring::{pass_ring, reclaim_ring};
pub use segments::{append_segment, create_draft, delete_segment, edit_segment};

use super::store::role_of;
use super::types::{DraftStatus, PassKind, RingPass, Role};
use crate::auth::model::PublicUser;
use crate::auth::store::public_user;
use crate::db::Tx;
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

#[derive(sqlx::FromRow)]
pub(crate) struct DraftState {
    owner_id: String,
    ring_holder_id: String,
    platform: String,
    status: String,
}

pub(super) async fn draft_state(tx: &mut Tx, draft_id: &str) -> Result<DraftState, AppError> {
    sqlx::query_as::<_, DraftState>(
        "SELECT owner_id, ring_holder_id, platform, status FROM drafts WHERE id = $1",
    )
    .bind(draft_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::NotFound)
}

impl DraftState {
    pub(crate) fn is_archived(&self) -> bool {
        self.status == DraftStatus::Archived.as_str()
    }
}

/// The draft, if `actor` owns it; `Forbidden` for other collaborators.
pub(crate) async fn require_owner(
    tx: &mut Tx,
    draft_id: &str,
    actor: &PublicUser,
) -> Result<DraftState, AppError> {
    let state = draft_state(tx, draft_id).await?;
    if role_of(&mut **tx, draft_id, &actor.id).await? != Role::Owner {
        return Err(owner_only());
    }
    Ok(state)
}

/// Owners and editors write; viewers only read; strangers see nothing.
pub(super) async fn require_writer(
    tx: &mut Tx,
    draft_id: &str,
    actor: &PublicUser,
) -> Result<(), AppError> {
    if role_of(&mut **tx, draft_id, &actor.id)
        .await?
        .can_hold_ring()
    {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Who gave the ring to whom, how, and after which segment.
pub(super) struct Move<'a> {
    from: &'a str,
    to: &'a str,
    kind: PassKind,
    after_position: i64,
    at: i64,
}

/// Records a move of the ring in its history and as a live event.
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
    let pass = RingPass {
        from: public_user(&mut **tx, m.from).await?,
        to: public_user(&mut **tx, m.to).await?,
        kind: m.kind,
        after_position: m.after_position,
        at_ms: m.at,
    };
    events::record(tx, draft_id, &DraftEvent::RingMoved { pass }, m.at).await
}
