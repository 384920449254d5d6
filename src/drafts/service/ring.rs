//! Moving the ring: the holder passes it to an owner or editor, the owner takes it back, and
//! it returns to the owner when its holder can no longer write.

use super::{
    archived, draft_state, not_your_turn, record_pass, require_owner, require_writer, DraftState,
    Move,
};
use crate::auth::model::PublicUser;
use crate::db::{now_ms, Tx};
use crate::drafts::types::PassKind;
use crate::error::AppError;

/// The holder passes the ring to an owner or editor of the draft.
pub async fn pass_ring(
    tx: &mut Tx,
    draft_id: &str,
    holder: &PublicUser,
    to_user_id: &str,
) -> Result<(), AppError> {
    require_writer(tx, draft_id, holder).await?;
    let now = now_ms();
    let passed: Option<i64> = sqlx::query_scalar(
        "UPDATE drafts SET ring_holder_id = $1, updated_at = $2 \
         WHERE id = $3 AND ring_holder_id = $4 AND status <> 'archived' \
         AND EXISTS (SELECT 1 FROM collaborators c WHERE c.draft_id = $3 AND c.user_id = $1 \
                     AND c.role IN ('owner', 'editor')) RETURNING segment_count",
    )
    .bind(to_user_id)
    .bind(now)
    .bind(draft_id)
    .bind(&holder.id)
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(after_position) = passed {
        let kind = PassKind::Pass;
        return record_pass(
            tx,
            draft_id,
            Move {
                from: &holder.id,
                to: to_user_id,
                kind,
                after_position,
                at: now,
            },
        )
        .await;
    }
    // Read the draft now, not before the update: a concurrent pass may just have committed,
    // and the answer must say so.
    let state = draft_state(tx, draft_id).await?;
    if state.is_archived() {
        return Err(archived());
    }
    if state.ring_holder_id != holder.id {
        return Err(not_your_turn());
    }
    if to_user_id == holder.id {
        return Err(AppError::validation(
            "to_user_id",
            "You already hold the ring.",
        ));
    }
    Err(AppError::validation(
        "to_user_id",
        "The ring can only go to an owner or editor of this draft.",
    ))
}

/// The owner takes the ring back.
pub async fn reclaim_ring(tx: &mut Tx, draft_id: &str, owner: &PublicUser) -> Result<(), AppError> {
    let state = require_owner(tx, draft_id, owner).await?;
    if state.ring_holder_id == owner.id {
        return Ok(());
    }
    return_ring_to_owner(tx, draft_id, &state, PassKind::Reclaim).await
}

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
