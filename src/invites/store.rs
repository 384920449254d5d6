//! Reading invites: the owner's list and the refer page's preview. Codes arrive here only
//! as hashes.

use sqlx::FromRow;

use super::types::{InvitePreview, InviteStatus, InviteSummary, Visitor};
use crate::auth::model::PublicUser;
use crate::db::Db;
use crate::drafts::model::Platform;
use crate::drafts::store::role_of;
use crate::drafts::types::{DraftStatus, Role};
use crate::error::AppError;

/// The owner sees the most recent invites, up to this many.
const LIST_LIMIT: i64 = 100;

pub(super) const INVITE_COLUMNS: &str =
    "id, role, note, max_uses, uses, expires_at, revoked_at, created_at";

#[derive(FromRow)]
pub(super) struct InviteRow {
    id: String,
    role: String,
    note: Option<String>,
    max_uses: i64,
    uses: i64,
    expires_at: i64,
    revoked_at: Option<i64>,
    created_at: i64,
}

pub(super) fn invite_summary(
    row: InviteRow,
    accepted_by: Vec<String>,
    now: i64,
) -> Result<InviteSummary, AppError> {
    Ok(InviteSummary {
        status: InviteStatus::at(
            row.uses,
            row.max_uses,
            row.expires_at,
            row.revoked_at.is_some(),
            now,
        ),
        id: row.id,
        role: Role::parse(&row.role)?,
        note: row.note,
        uses: row.uses,
        max_uses: row.max_uses,
        accepted_by,
        created_at_ms: row.created_at,
        expires_at_ms: row.expires_at,
    })
}

/// The draft's invites, newest first, with their status at `now`: owner only.
pub async fn list_invites(
    db: &Db,
    draft_id: &str,
    viewer: &PublicUser,
    now: i64,
) -> Result<Vec<InviteSummary>, AppError> {
    if role_of(db.pool(), draft_id, &viewer.id).await? != Role::Owner {
        return Err(AppError::Forbidden);
    }
    let rows = sqlx::query_as::<_, InviteRow>(&format!(
        "SELECT {INVITE_COLUMNS} FROM invites WHERE draft_id = $1 \
         ORDER BY created_at DESC, id LIMIT $2"
    ))
    .bind(draft_id)
    .bind(LIST_LIMIT)
    .fetch_all(db.pool())
    .await?;
    let accepted: Vec<(String, String)> = sqlx::query_as(
        "SELECT a.invite_id, u.handle FROM invite_acceptances a \
         JOIN invites i ON i.id = a.invite_id JOIN users u ON u.id = a.user_id \
         WHERE i.draft_id = $1 ORDER BY a.accepted_at, u.handle",
    )
    .bind(draft_id)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|row| {
            let by = accepted
                .iter()
                .filter(|(invite_id, _)| *invite_id == row.id)
                .map(|(_, handle)| handle.clone())
                .collect();
            invite_summary(row, by, now)
        })
        .collect()
}

/// What a usable invite's image shows (the inviter and the platform), or `None`.
pub async fn image_facts(
    db: &Db,
    invite_id: &str,
    now: i64,
) -> Result<Option<super::image::InviteImage>, AppError> {
    let row: Option<ImageFactsRow> = sqlx::query_as(
        "SELECT u.handle AS inviter, d.platform, i.uses, i.max_uses, i.expires_at, \
         i.revoked_at, d.status FROM invites i JOIN drafts d ON d.id = i.draft_id \
         JOIN users u ON u.id = i.created_by WHERE i.id = $1",
    )
    .bind(invite_id)
    .fetch_optional(db.pool())
    .await?;
    let Some(ImageFactsRow {
        inviter,
        platform,
        uses,
        max_uses,
        expires_at,
        revoked_at,
        status,
    }) = row
    else {
        return Ok(None);
    };
    let usable = InviteStatus::at(uses, max_uses, expires_at, revoked_at.is_some(), now)
        == InviteStatus::Pending
        && status != DraftStatus::Archived.as_str();
    Ok(usable.then(|| super::image::InviteImage {
        inviter,
        platform: Platform::parse(&platform)
            .map(|p| p.label().to_owned())
            .unwrap_or_default(),
    }))
}

#[derive(FromRow)]
struct ImageFactsRow {
    inviter: String,
    platform: String,
    uses: i64,
    max_uses: i64,
    expires_at: i64,
    revoked_at: Option<i64>,
    status: String,
}

#[derive(FromRow)]
struct PreviewRow {
    invite_id: String,
    draft_id: String,
    title: String,
    platform: String,
    inviter_handle: String,
    role: String,
    max_uses: i64,
    uses: i64,
    expires_at: i64,
    revoked_at: Option<i64>,
    status: String,
    collaborator_count: i64,
}

/// What the refer page shows for the code hashing to `code_hash`. A usable invite shows
/// its draft to anyone; an unusable one still opens for people already on the draft (their
/// second visit lands in the draft) and is `InviteUnavailable` for everyone else.
pub async fn preview(
    db: &Db,
    code_hash: &str,
    viewer: Option<&PublicUser>,
    now: i64,
) -> Result<InvitePreview, AppError> {
    let row = sqlx::query_as::<_, PreviewRow>(
        "SELECT i.id AS invite_id, i.draft_id, d.title, d.platform, u.handle AS inviter_handle, i.role, \
         i.max_uses, i.uses, i.expires_at, i.revoked_at, d.status, \
         (SELECT COUNT(*) FROM collaborators c WHERE c.draft_id = i.draft_id) AS collaborator_count \
         FROM invites i JOIN drafts d ON d.id = i.draft_id JOIN users u ON u.id = i.created_by \
         WHERE i.code_hash = $1",
    )
    .bind(code_hash)
    .fetch_optional(db.pool())
    .await?
    .ok_or(AppError::InviteUnavailable)?;
    let visitor = match viewer {
        None => Visitor::SignedOut,
        Some(user) => match role_of(db.pool(), &row.draft_id, &user.id).await {
            Ok(Role::Owner) => Visitor::Owner,
            Ok(_) => Visitor::Member,
            Err(AppError::NotFound) => Visitor::Invitee,
            Err(other) => return Err(other),
        },
    };
    let usable = InviteStatus::at(
        row.uses,
        row.max_uses,
        row.expires_at,
        row.revoked_at.is_some(),
        now,
    ) == InviteStatus::Pending
        && row.status != DraftStatus::Archived.as_str();
    if !usable && matches!(visitor, Visitor::SignedOut | Visitor::Invitee) {
        return Err(AppError::InviteUnavailable);
    }
    let platform = Platform::parse(&row.platform)?;
    let image = super::image::InviteImage {
        inviter: row.inviter_handle.clone(),
        platform: platform.label().to_owned(),
    };
    Ok(InvitePreview {
        image_url: usable.then(|| super::image::image_path(&row.invite_id, &image)),
        draft_title: row.title,
        platform,
        inviter_handle: row.inviter_handle,
        collaborator_count: row.collaborator_count,
        role: Role::parse(&row.role)?,
        visitor,
    })
}
