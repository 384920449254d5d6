//! Creating drafts and writing segments: only the ring holder appends; authors edit and
//! delete their own segments while holding the ring.

use super::{archived, draft_state, new_id, not_your_turn, require_writer, DraftState};
use crate::auth::model::PublicUser;
use crate::db::{now_ms, Tx};
use crate::drafts::model::{parse_subtitle, parse_title, Platform, SegmentText};
use crate::drafts::types::{Role, Segment};
use crate::error::AppError;
use crate::live::events;
use crate::live::types::DraftEvent;

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
    // The same statement takes the position and the live event's number.
    let taken: Option<(i64, i64)> = sqlx::query_as(
        "UPDATE drafts SET segment_count = segment_count + 1, event_seq = event_seq + 1, \
         updated_at = $1 WHERE id = $2 AND ring_holder_id = $3 AND status <> 'archived' \
         RETURNING segment_count, event_seq",
    )
    .bind(now)
    .bind(draft_id)
    .bind(&author.id)
    .fetch_optional(&mut **tx)
    .await?;
    match taken {
        Some((position, seq)) => {
            let segment = insert_segment(tx, draft_id, position, &text, author, now).await?;
            let event = DraftEvent::SegmentAppended {
                segment: segment.clone(),
            };
            events::store(tx, draft_id, seq, &event, now).await?;
            Ok(segment)
        }
        None if draft_state(tx, draft_id).await?.is_archived() => Err(archived()),
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
    let segment = Segment {
        id: segment_id.to_owned(),
        position,
        content: text.as_str().to_owned(),
        author: author.clone(),
        created_at_ms: created_at,
        edited_at_ms: Some(now),
    };
    let event = DraftEvent::SegmentEdited {
        segment: segment.clone(),
    };
    events::record(tx, draft_id, &event, now).await?;
    Ok(segment)
}

fn check_author_holds_ring(state: &DraftState, author: &PublicUser) -> Result<(), AppError> {
    if state.is_archived() {
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
    let now = now_ms();
    sqlx::query(
        "UPDATE drafts SET segment_count = segment_count - 1, updated_at = $1 WHERE id = $2",
    )
    .bind(now)
    .bind(draft_id)
    .execute(&mut **tx)
    .await?;
    let event = DraftEvent::SegmentDeleted {
        segment_id: segment_id.to_owned(),
        by: author.clone(),
    };
    events::record(tx, draft_id, &event, now).await
}
