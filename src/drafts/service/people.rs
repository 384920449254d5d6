//! The owner's controls: collaborators, their roles, and the draft's status.

use super::ring::return_ring_to_owner;
use super::{record_activity, require_owner};
use crate::analytics::types::{Activity, JoinedVia};
use crate::auth::model::PublicUser;
use crate::auth::store::public_user;
use crate::db::{now_ms, Tx};
use crate::drafts::types::{AddedCollaborator, DraftStatus, PassKind, Role};
use crate::error::AppError;
use crate::live::events;
use crate::live::types::DraftEvent;
use crate::plans::store::{self as plans, After};
use crate::plans::types::Entitlement;

/// The owner adds someone by handle as an editor or viewer.
pub async fn add_collaborator(
    tx: &mut Tx,
    draft_id: &str,
    owner: &PublicUser,
    handle: &str,
    role: Role,
) -> Result<AddedCollaborator, AppError> {
    let state = require_owner(tx, draft_id, owner).await?;
    state.refuse_if_archived()?;
    let after = After::PeopleOn { draft_id, plus: 1 };
    let granted = plans::enforce(
        tx,
        &owner.id,
        Entitlement::CollaboratorsMax,
        after,
        true,
        now_ms(),
    )
    .await?;
    let handle = handle.trim().trim_start_matches('@').to_lowercase();
    let user: Option<(String, String)> =
        sqlx::query_as("SELECT id, handle FROM users WHERE handle = $1")
            .bind(&handle)
            .fetch_optional(&mut **tx)
            .await?;
    let (user_id, handle) = user.ok_or_else(|| {
        AppError::validation("handle", format!("There is no one called @{handle}."))
    })?;
    let added = sqlx::query(
        "INSERT INTO collaborators (draft_id, user_id, role, added_at, joined_seq) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (draft_id, user_id) DO NOTHING",
    )
    .bind(draft_id)
    .bind(&user_id)
    .bind(role.as_str())
    .bind(now_ms())
    .bind(state.event_seq)
    .execute(&mut **tx)
    .await?;
    if added.rows_affected() == 0 {
        return Err(AppError::validation(
            "handle",
            format!("@{handle} is already on this draft."),
        ));
    }
    let user = PublicUser {
        display_id: crate::auth::model::display_id(&user_id),
        id: user_id,
        handle,
    };
    let now = now_ms();
    let joined = Activity::CollaboratorJoined {
        user: user.id.clone(),
        via: JoinedVia::Handle,
        role,
    };
    record_activity(tx, &owner.id, draft_id, now, joined).await?;
    let event = DraftEvent::CollaboratorAdded {
        user: user.clone(),
        role,
    };
    events::record(tx, draft_id, &event, now).await?;
    Ok(AddedCollaborator {
        user,
        notice: granted.notice,
    })
}

/// The owner changes a collaborator's role; a ring holder made viewer hands it back.
pub async fn set_role(
    tx: &mut Tx,
    draft_id: &str,
    owner: &PublicUser,
    user_id: &str,
    role: Role,
) -> Result<(), AppError> {
    let state = require_owner(tx, draft_id, owner).await?;
    state.refuse_if_archived()?;
    if user_id == state.owner_id || role == Role::Owner {
        return Err(AppError::validation(
            "role",
            "The owner's role stays owner.",
        ));
    }
    let changed =
        sqlx::query("UPDATE collaborators SET role = $1 WHERE draft_id = $2 AND user_id = $3")
            .bind(role.as_str())
            .bind(draft_id)
            .bind(user_id)
            .execute(&mut **tx)
            .await?;
    if changed.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    if !role.can_hold_ring() && state.ring_holder_id == user_id {
        return_ring_to_owner(tx, draft_id, &state, PassKind::Return).await?;
    }
    let now = now_ms();
    let changed = Activity::RoleChanged {
        user: user_id.to_owned(),
        role,
    };
    record_activity(tx, &owner.id, draft_id, now, changed).await?;
    let user = public_user(&mut **tx, user_id).await?;
    events::record(tx, draft_id, &DraftEvent::RoleChanged { user, role }, now).await
}

/// The owner removes a collaborator; if they held the ring, it returns to the owner.
/// Allowed on an archived draft too: it only takes access away.
pub async fn remove_collaborator(
    tx: &mut Tx,
    draft_id: &str,
    owner: &PublicUser,
    user_id: &str,
) -> Result<(), AppError> {
    let state = require_owner(tx, draft_id, owner).await?;
    if user_id == state.owner_id {
        return Err(AppError::validation(
            "user_id",
            "The owner can't be removed from their draft.",
        ));
    }
    if state.ring_holder_id == user_id {
        return_ring_to_owner(tx, draft_id, &state, PassKind::Return).await?;
    }
    let removed = sqlx::query("DELETE FROM collaborators WHERE draft_id = $1 AND user_id = $2")
        .bind(draft_id)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    if removed.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    sqlx::query("DELETE FROM join_notices WHERE draft_id = $1 AND user_id = $2")
        .bind(draft_id)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    // Their open pages get `revoked` and close.
    let user = public_user(&mut **tx, user_id).await?;
    events::record(
        tx,
        draft_id,
        &DraftEvent::CollaboratorRemoved { user },
        now_ms(),
    )
    .await
}

/// The owner moves the draft between draft, published and archived.
pub async fn set_status(
    tx: &mut Tx,
    draft_id: &str,
    owner: &PublicUser,
    status: DraftStatus,
) -> Result<Option<String>, AppError> {
    let state = require_owner(tx, draft_id, owner).await?;
    let now = now_ms();
    // Un-archiving makes the draft active again: it needs a free slot on the plan.
    let mut notice = None;
    if state.is_archived() && status != DraftStatus::Archived {
        notice = plans::enforce(
            tx,
            &owner.id,
            Entitlement::DraftsMax,
            After::OneMoreDraft,
            true,
            now,
        )
        .await?
        .notice;
    }
    sqlx::query("UPDATE drafts SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(status.as_str())
        .bind(now)
        .bind(draft_id)
        .execute(&mut **tx)
        .await?;
    record_activity(
        tx,
        &owner.id,
        draft_id,
        now,
        Activity::StatusChanged { status },
    )
    .await?;
    events::record(tx, draft_id, &DraftEvent::StatusChanged { status }, now).await?;
    Ok(notice)
}
