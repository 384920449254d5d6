//! Creating drafts and writing segments: only the ring holder appends; authors edit and
//! delete their own segments while holding the ring.

use super::{new_id, not_your_turn, record_activity, require_holder};
use crate::analytics::types::Activity;
use crate::auth::model::PublicUser;
use crate::db::{now_ms, Tx};
use crate::drafts::model::{MeasuredText, NewDraft, Platform, SegmentText};
use crate::drafts::types::{CreatedDraft, Segment};
use crate::error::AppError;
use crate::live::events;
use crate::live::types::DraftEvent;
use crate::plans::store::{self as plans, After};
use crate::plans::types::Entitlement;

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

/// A written segment, as analytics counts it.
fn added(segment: &Segment) -> Activity {
    Activity::SegmentAdded {
        segment_id: segment.id.clone(),
        characters: crate::drafts::count::contributed_characters(&segment.content),
    }
}

/// Creates a draft with its first segment; the creator owns it and holds the ring.
pub async fn create_draft(
    tx: &mut Tx,
    owner: &PublicUser,
    draft: &NewDraft,
) -> Result<CreatedDraft, AppError> {
    let id = new_id();
    let now = now_ms();
    let granted = plans::enforce(
        tx,
        &owner.id,
        Entitlement::DraftsMax,
        After::OneMoreDraft,
        true,
        now,
    )
    .await?;
    sqlx::query(
        "INSERT INTO drafts (id, owner_id, title, subtitle, platform, status, ring_holder_id, \
         segment_count, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'draft', $2, 1, $6, $6)",
    )
    .bind(&id)
    .bind(&owner.id)
    .bind(&draft.title)
    .bind(&draft.subtitle)
    .bind(draft.platform.as_str())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO collaborators (draft_id, user_id, role, added_at, joined_seq) \
         VALUES ($1, $2, 'owner', $3, 0)",
    )
    .bind(&id)
    .bind(&owner.id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    let segment = insert_segment(tx, &id, 1, &draft.first_segment, owner, now).await?;
    let created = Activity::DraftCreated {
        platform: draft.platform,
    };
    record_activity(tx, &owner.id, &id, now, created).await?;
    record_activity(tx, &owner.id, &id, now, added(&segment)).await?;
    Ok(CreatedDraft {
        id,
        notice: granted.notice,
    })
}

/// Appends a segment; only the ring holder may, and only while the draft is not archived.
/// The text was checked and measured before this write was queued; here it is only
/// compared with the platform's limit.
pub async fn append_segment(
    tx: &mut Tx,
    draft_id: &str,
    author: &PublicUser,
    text: &MeasuredText,
) -> Result<Segment, AppError> {
    let now = now_ms();
    // One statement locks the draft, checks the ring and takes the position and the live
    // event's number. (Holding the ring implies being an owner or editor.)
    let taken: Option<(i64, i64, String)> = sqlx::query_as(
        "UPDATE drafts SET segment_count = segment_count + 1, event_seq = event_seq + 1, \
         updated_at = $1 WHERE id = $2 AND ring_holder_id = $3 AND status <> 'archived' \
         RETURNING segment_count, event_seq, platform",
    )
    .bind(now)
    .bind(draft_id)
    .bind(&author.id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((position, seq, platform)) = taken else {
        // Refused: say why, from the draft as it is now.
        return Err(match require_holder(tx, draft_id, author).await {
            Err(refusal) => refusal,
            Ok(_) => not_your_turn(),
        });
    };
    let text = text.clone().fit(Platform::parse(&platform)?)?;
    let segment = insert_segment(tx, draft_id, position, &text, author, now).await?;
    let event = DraftEvent::SegmentAppended {
        segment: segment.clone(),
    };
    events::store(tx, draft_id, seq, &event, now).await?;
    // Last: the author's own rollup rows are shared by all their drafts, so on PostgreSQL
    // their lock is held from here to the commit; the shorter, the less their other
    // appends wait.
    record_activity(tx, &author.id, draft_id, now, added(&segment)).await?;
    Ok(segment)
}

/// The author edits their segment while holding the ring.
pub async fn edit_segment(
    tx: &mut Tx,
    draft_id: &str,
    segment_id: &str,
    author: &PublicUser,
    text: &MeasuredText,
) -> Result<Segment, AppError> {
    let state = require_holder(tx, draft_id, author).await?;
    let text = text.clone().fit(Platform::parse(&state.platform)?)?;
    let now = now_ms();
    let position: Option<(i64, i64)> = sqlx::query_as(
        "UPDATE segments SET content = $1, edited_at = $2 \
         WHERE id = $3 AND draft_id = $4 AND author_id = $5 RETURNING position, created_at",
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
    let edited = Activity::SegmentEdited {
        segment_id: segment.id.clone(),
        characters: crate::drafts::count::contributed_characters(&segment.content),
    };
    record_activity(tx, &author.id, draft_id, now, edited).await?;
    let event = DraftEvent::SegmentEdited {
        segment: segment.clone(),
    };
    events::record(tx, draft_id, &event, now).await?;
    Ok(segment)
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
    require_holder(tx, draft_id, author).await?;
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
    let deleted = Activity::SegmentDeleted {
        segment_id: segment_id.to_owned(),
    };
    record_activity(tx, &author.id, draft_id, now, deleted).await?;
    let event = DraftEvent::SegmentDeleted {
        segment_id: segment_id.to_owned(),
        by: author.clone(),
    };
    events::record(tx, draft_id, &event, now).await
}
