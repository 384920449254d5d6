//! Changing drafts: every rule is checked by the statement that makes the change (or inside
//! its write transaction), never only in the page.
//!
//! Concurrency: appends and passes both update the draft row, so the database orders them;
//! an append is a conditional `UPDATE … WHERE ring_holder_id = me RETURNING segment_count`, so
//! it either lands before a pass or is refused, never after it.

use super::model::{parse_subtitle, parse_title, Platform, SegmentText};
use super::store::role_of;
use super::types::{DraftStatus, PassKind, Role, Segment};
use crate::auth::model::PublicUser;
use crate::db::{is_unique_violation, now_ms, Tx};
use crate::error::AppError;

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn archived() -> AppError {
    AppError::conflict("This draft is archived, so it is read-only. Its owner can restore it.")
}

fn not_your_turn() -> AppError {
    AppError::conflict("The ring has moved on: it's someone else's turn now.")
}

fn owner_only() -> AppError {
    AppError::Forbidden
}

#[derive(sqlx::FromRow)]
struct DraftState {
    owner_id: String,
    ring_holder_id: String,
    platform: String,
    status: String,
}

async fn draft_state(tx: &mut Tx, draft_id: &str) -> Result<DraftState, AppError> {
    sqlx::query_as::<_, DraftState>(
        "SELECT owner_id, ring_holder_id, platform, status FROM drafts WHERE id = $1",
    )
    .bind(draft_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::NotFound)
}

/// Owners and editors write; viewers only read; strangers see nothing.
async fn require_writer(tx: &mut Tx, draft_id: &str, actor: &PublicUser) -> Result<(), AppError> {
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
struct Move<'a> {
    from: &'a str,
    to: &'a str,
    kind: PassKind,
    after_position: i64,
    at: i64,
}

async fn record_pass(tx: &mut Tx, draft_id: &str, m: Move<'_>) -> Result<(), AppError> {
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
    Ok(())
}

async fn insert_segment(
    tx: &mut Tx,
    draft_id: &str,
    position: i64,
    text: &SegmentText,
    author: &PublicUser,
    at: i64,
) -> Result<Segment, AppError> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO segments (id, draft_id, position, content, author_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(draft_id)
    .bind(position)
    .bind(text.as_str())
    .bind(&author.id)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(Segment {
        id,
        position,
        content: text.as_str().to_owned(),
        author: author.clone(),
        created_at_ms: at,
        edited_at_ms: None,
    })
}

/// Creates a draft with its first segment; the creator owns it and holds the ring.
pub async fn create_draft(
    tx: &mut Tx,
    owner: &PublicUser,
    title: &str,
    subtitle: Option<&str>,
    platform: &str,
    first_segment: &str,
) -> Result<String, AppError> {
    let title = parse_title(title)?;
    let subtitle = parse_subtitle(subtitle)?;
    let platform = Platform::parse(platform)?;
    let text = SegmentText::parse(platform, first_segment)?;
    let id = new_id();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO drafts (id, owner_id, title, subtitle, platform, status, ring_holder_id, \
         segment_count, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'draft', $2, 1, $6, $6)",
    )
    .bind(&id)
    .bind(&owner.id)
    .bind(&title)
    .bind(&subtitle)
    .bind(platform.as_str())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    sqlx::query("INSERT INTO collaborators (draft_id, user_id, role, added_at) VALUES ($1, $2, 'owner', $3)")
        .bind(&id)
        .bind(&owner.id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    insert_segment(tx, &id, 1, &text, owner, now).await?;
    Ok(id)
}

/// Appends a segment; only the ring holder may, and only while the draft is not archived.
pub async fn append_segment(
    tx: &mut Tx,
    draft_id: &str,
    author: &PublicUser,
    content: &str,
) -> Result<Segment, AppError> {
    // One read for the platform and the caller's role: appends are the hot path.
    let found: Option<(String, Option<String>)> = sqlx::query_as(
        "SELECT d.platform, c.role FROM drafts d LEFT JOIN collaborators c \
         ON c.draft_id = d.id AND c.user_id = $2 WHERE d.id = $1",
    )
    .bind(draft_id)
    .bind(&author.id)
    .fetch_optional(&mut **tx)
    .await?;
    let (platform, role) = found.ok_or(AppError::NotFound)?;
    if !Role::parse(role.as_deref().ok_or(AppError::NotFound)?)?.can_hold_ring() {
        return Err(AppError::Forbidden);
    }
    let text = SegmentText::parse(Platform::parse(&platform)?, content)?;
    let now = now_ms();
    let position: Option<i64> = sqlx::query_scalar(
        "UPDATE drafts SET segment_count = segment_count + 1, updated_at = $1 \
         WHERE id = $2 AND ring_holder_id = $3 AND status <> 'archived' RETURNING segment_count",
    )
    .bind(now)
    .bind(draft_id)
    .bind(&author.id)
    .fetch_optional(&mut **tx)
    .await?;
    match position {
        Some(position) => insert_segment(tx, draft_id, position, &text, author, now).await,
        None if draft_state(tx, draft_id).await?.status == DraftStatus::Archived.as_str() => {
            Err(archived())
        }
        None => Err(not_your_turn()),
    }
}

/// The author edits their segment while holding the ring.
pub async fn edit_segment(
    tx: &mut Tx,
    draft_id: &str,
    segment_id: &str,
    author: &PublicUser,
    content: &str,
) -> Result<Segment, AppError> {
    let state = draft_state(tx, draft_id).await?;
    require_writer(tx, draft_id, author).await?;
    let text = SegmentText::parse(Platform::parse(&state.platform)?, content)?;
    check_author_holds_ring(&state, author)?;
    let now = now_ms();
    let position: Option<(i64, i64)> = sqlx::query_as(
        "UPDATE segments SET content = $1, edited_at = $2 \
         WHERE id = $3 AND draft_id = $4 AND author_id = $5 \
         AND EXISTS (SELECT 1 FROM drafts d WHERE d.id = $4 AND d.ring_holder_id = $5 \
                     AND d.status <> 'archived') \
         RETURNING position, created_at",
    )
    .bind(text.as_str())
    .bind(now)
    .bind(segment_id)
    .bind(draft_id)
    .bind(&author.id)
    .fetch_optional(&mut **tx)
    .await?;
    let (position, created_at) = position.ok_or(AppError::Forbidden)?;
    touch(tx, draft_id, now).await?;
    Ok(Segment {
        id: segment_id.to_owned(),
        position,
        content: text.as_str().to_owned(),
        author: author.clone(),
        created_at_ms: created_at,
        edited_at_ms: Some(now),
    })
}

fn check_author_holds_ring(state: &DraftState, author: &PublicUser) -> Result<(), AppError> {
    if state.status == DraftStatus::Archived.as_str() {
        return Err(archived());
    }
    if state.ring_holder_id != author.id {
        return Err(not_your_turn());
    }
    Ok(())
}

async fn touch(tx: &mut Tx, draft_id: &str, now: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE drafts SET updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(draft_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The author deletes their segment while holding the ring; later segments move up so
/// positions stay 1..n.
pub async fn delete_segment(
    tx: &mut Tx,
    draft_id: &str,
    segment_id: &str,
    author: &PublicUser,
) -> Result<(), AppError> {
    let state = draft_state(tx, draft_id).await?;
    require_writer(tx, draft_id, author).await?;
    check_author_holds_ring(&state, author)?;
    let position: Option<i64> = sqlx::query_scalar(
        "DELETE FROM segments WHERE id = $1 AND draft_id = $2 AND author_id = $3 RETURNING position",
    )
    .bind(segment_id)
    .bind(draft_id)
    .bind(&author.id)
    .fetch_optional(&mut **tx)
    .await?;
    let position = position.ok_or(AppError::Forbidden)?;
    // Two steps, because a unique (draft, position) index is checked row by row.
    sqlx::query("UPDATE segments SET position = -position WHERE draft_id = $1 AND position > $2")
        .bind(draft_id)
        .bind(position)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "UPDATE segments SET position = -position - 1 WHERE draft_id = $1 AND position < 0",
    )
    .bind(draft_id)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "UPDATE drafts SET segment_count = segment_count - 1, updated_at = $1 WHERE id = $2",
    )
    .bind(now_ms())
    .bind(draft_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

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
    if state.status == DraftStatus::Archived.as_str() {
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
    let state = draft_state(tx, draft_id).await?;
    if role_of(&mut **tx, draft_id, &owner.id).await? != Role::Owner {
        return Err(owner_only());
    }
    if state.ring_holder_id == owner.id {
        return Ok(());
    }
    return_ring_to_owner(tx, draft_id, &state, PassKind::Reclaim).await
}

async fn return_ring_to_owner(
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

async fn require_owner(
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
        Ok(_) => Ok(PublicUser {
            display_id: crate::auth::model::display_id(&user_id),
            id: user_id,
            handle,
        }),
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
    Ok(())
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
    Ok(())
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
    sqlx::query("UPDATE drafts SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(status.as_str())
        .bind(now_ms())
        .bind(draft_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
