//! Moving the ring: the holder passes it to an owner or editor, the owner takes it back, and
//! it returns to the owner when its holder can no longer write. Each decides on the draft
//! as locked by its first statement (see the module comment of `service`).

use super::{lock_as_member, not_your_turn, record_pass, require_owner, DraftState, Move};
use crate::auth::model::PublicUser;
use crate::db::{now_ms, Tx};
use crate::drafts::store::role_of;
use crate::drafts::types::PassKind;
use crate::error::AppError;

/// The holder passes the ring to an owner or editor of the draft.
pub async fn pass_ring(
    tx: &mut Tx,
    draft_id: &str,
    holder: &PublicUser,
    to_user_id: &str,
) -> Result<(), AppError> {
    let (state, role) = lock_as_member(tx, draft_id, holder).await?;
    if !role.can_hold_ring() {
        return Err(AppError::Forbidden);
    }
    state.refuse_if_archived()?;
    if state.ring_holder_id != holder.id {
        return Err(not_your_turn());
    }
    if to_user_id == holder.id {
        return Err(AppError::validation(
            "to_user_id",
            "You already hold the ring.",
        ));
    }
    let receiver_writes = match role_of(&mut **tx, draft_id, to_user_id).await {
        Ok(role) => role.can_hold_ring(),
        Err(AppError::NotFound) => false,
        Err(other) => return Err(other),
    };
    if !receiver_writes {
        return Err(AppError::validation(
            "to_user_id",
            "The ring can only go to an owner or editor of this draft.",
        ));
    }
    let now = now_ms();
    let after_position: i64 = sqlx::query_scalar(
        "UPDATE drafts SET ring_holder_id = $1, updated_at = $2 WHERE id = $3 \
         RETURNING segment_count",
    )
    .bind(to_user_id)
    .bind(now)
    .bind(draft_id)
    .fetch_one(&mut **tx)
    .await?;
    record_pass(
        tx,
        draft_id,
        Move {
            from: &holder.id,
            to: to_user_id,
            kind: PassKind::Pass,
            after_position,
            at: now,
        },
    )
    .await
}

/// The owner takes the ring back (not on an archived draft: its ring is frozen).
pub async fn reclaim_ring(tx: &mut Tx, draft_id: &str, owner: &PublicUser) -> Result<(), AppError> {
    let state = require_owner(tx, draft_id, owner).await?;
    state.refuse_if_archived()?;
    if state.ring_holder_id == owner.id {
        return Ok(());
    }
    return_ring_to_owner(tx, draft_id, &state, PassKind::Reclaim).await
}

/// Gives the ring back to the owner; `state` was read under the draft's lock.
pub(super) async fn return_ring_to_owner(
    tx: &mut Tx,
    draft_id: &str,
    state: &DraftState,
    kind: PassKind,
) -> Result<(), AppError> {
    let now = now_ms();
    let after_position: i64 = sqlx::query_scalar(
        "UPDATE drafts SET ring_holder_id = owner_id, updated_at = $1 WHERE id = $2 \
         RETURNING segment_count",
    )
    .bind(now)
    .bind(draft_id)
    .fetch_one(&mut **tx)
    .await?;
    let (from, to) = (state.ring_holder_id.as_str(), state.owner_id.as_str());
    record_pass(
        tx,
        draft_id,
        Move {
            from,
            to,
            kind,
            after_position,
            at: now,
        },
    )
    .await
}
