//! The owner's controls: collaborators, their roles, and the draft's status.

use super::require_owner;
use super::ring::return_ring_to_owner;
use crate::auth::model::PublicUser;
use crate::auth::store::public_user;
use crate::db::{is_unique_violation, now_ms, Tx};
use crate::drafts::types::{DraftStatus, PassKind, Role};
use crate::error::AppError;
use crate::live::events;
use crate::live::types::DraftEvent;

/// The owner adds someone by handle as an editor or viewer.
pub async fn add_collaborator(
    tx: &mut Tx,
    draft_id: &str,
    owner: &PublicUser,
    handle: &str,
    role: &str,
) -> Result<PublicUser, AppError> {
    require_owner(tx, draft_id, owner).await?;
    let role = Role::parse(role)?;
    if role == Role::Owner {
        return Err(AppError::validation(
            "role",
            "A draft has one owner. Choose editor or viewer.",
        ));
    }
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
        "INSERT INTO collaborators (draft_id, user_id, role, added_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(draft_id)
    .bind(&user_id)
    .bind(role.as_str())
    .bind(now_ms())
    .execute(&mut **tx)
    .await;
    match added {
        Ok(_) => {
            let user = PublicUser {
                display_id: crate::auth::model::display_id(&user_id),
                id: user_id,
                handle,
            };
            let event = DraftEvent::CollaboratorAdded {
                user: user.clone(),
                role,
            };
            events::record(tx, draft_id, &event, now_ms()).await?;
            Ok(user)
        }
        Err(err) if is_unique_violation(&err, "collaborators_pkey") => Err(AppError::validation(
            "handle",
            format!("@{handle} is already on this draft."),
        )),
        Err(err) => Err(err.into()),
    }
}

/// The owner changes a collaborator's role; a ring holder made viewer hands it back.
pub async fn set_role(
    tx: &mut Tx,
    draft_id: &str,
    owner: &PublicUser,
    user_id: &str,
    role: &str,
) -> Result<(), AppError> {
    let state = require_owner(tx, draft_id, owner).await?;
    let role = Role::parse(role)?;
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
    let user = public_user(&mut **tx, user_id).await?;
    events::record(
        tx,
        draft_id,
        &DraftEvent::RoleChanged { user, role },
        now_ms(),
    )
    .await
}

/// The owner removes a collaborator; if they held the ring, it returns to the owner.
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
    status: &str,
) -> Result<(), AppError> {
    require_owner(tx, draft_id, owner).await?;
    let status = DraftStatus::parse(status)?;
    let now = now_ms();
    sqlx::query("UPDATE drafts SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(status.as_str())
        .bind(now)
        .bind(draft_id)
        .execute(&mut **tx)
        .await?;
    events::record(tx, draft_id, &DraftEvent::StatusChanged { status }, now).await
}
