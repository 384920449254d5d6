//! Reading drafts. A draft page costs a fixed number of statements (four), whatever the
//! number of segments or collaborators.

use std::collections::HashMap;

use sqlx::{Any, Executor, FromRow};

use super::model::Platform;
use super::types::{
    Collaborator, DraftPage, DraftStatus, DraftSummary, DraftView, PassKind, RingPass, Role,
    Segment,
};
use crate::auth::model::{display_id, PublicUser};
use crate::db::Db;
use crate::error::AppError;

pub const PAGE_SIZE: u32 = 20;
const RING_HISTORY_LIMIT: i64 = 50;

fn public_user(id: String, handle: String) -> PublicUser {
    let display_id = display_id(&id);
    PublicUser {
        id,
        handle,
        display_id,
    }
}

/// The caller's role on a draft, or `NotFound` for anyone who is not a collaborator (a
/// stranger learns nothing, not even that the draft exists).
pub async fn role_of<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    draft_id: &str,
    user_id: &str,
) -> Result<Role, AppError> {
    let role: Option<String> =
        sqlx::query_scalar("SELECT role FROM collaborators WHERE draft_id = $1 AND user_id = $2")
            .bind(draft_id)
            .bind(user_id)
            .fetch_optional(executor)
            .await?;
    role.as_deref().map_or(Err(AppError::NotFound), Role::parse)
}

/// The caller's role on a draft and the draft's event number when they joined it (where
/// their live replay may start); `NotFound` for anyone not on it.
pub async fn membership<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    draft_id: &str,
    user_id: &str,
) -> Result<(Role, i64), AppError> {
    let row: Option<(String, i64)> = sqlx::query_as(
        "SELECT role, joined_seq FROM collaborators WHERE draft_id = $1 AND user_id = $2",
    )
    .bind(draft_id)
    .bind(user_id)
    .fetch_optional(executor)
    .await?;
    let (role, joined_seq) = row.ok_or(AppError::NotFound)?;
    Ok((Role::parse(&role)?, joined_seq))
}

#[derive(FromRow)]
struct DraftRow {
    id: String,
    title: String,
    subtitle: Option<String>,
    platform: String,
    status: String,
    owner_id: String,
    owner_handle: String,
    holder_id: String,
    holder_handle: String,
    created_at: i64,
    updated_at: i64,
    event_seq: i64,
}

#[derive(FromRow)]
struct SegmentRow {
    id: String,
    position: i64,
    content: String,
    author_id: String,
    author_handle: String,
    created_at: i64,
    edited_at: Option<i64>,
}

#[derive(FromRow)]
struct CollaboratorRow {
    user_id: String,
    handle: String,
    role: String,
}

#[derive(FromRow)]
struct PassRow {
    from_id: String,
    from_handle: String,
    to_id: String,
    to_handle: String,
    kind: String,
    after_position: i64,
    at: i64,
}

fn pass_kind(raw: &str) -> PassKind {
    match raw {
        "reclaim" => PassKind::Reclaim,
        "return" => PassKind::Return,
        _ => PassKind::Pass,
    }
}

/// The whole draft as `viewer` may see it.
pub async fn load_draft(
    db: &Db,
    draft_id: &str,
    viewer: &PublicUser,
) -> Result<DraftView, AppError> {
    let (my_role, notice): (String, Option<String>) = sqlx::query_as(
        "SELECT c.role, n.user_id FROM collaborators c LEFT JOIN join_notices n \
         ON n.draft_id = c.draft_id AND n.user_id = c.user_id \
         WHERE c.draft_id = $1 AND c.user_id = $2",
    )
    .bind(draft_id)
    .bind(&viewer.id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(AppError::NotFound)?;
    let my_role = Role::parse(&my_role)?;
    let draft = sqlx::query_as::<_, DraftRow>(
        "SELECT d.id, d.title, d.subtitle, d.platform, d.status, d.created_at, d.updated_at, d.event_seq, \
         o.id AS owner_id, o.handle AS owner_handle, h.id AS holder_id, h.handle AS holder_handle \
         FROM drafts d JOIN users o ON o.id = d.owner_id JOIN users h ON h.id = d.ring_holder_id \
         WHERE d.id = $1",
    )
    .bind(draft_id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(AppError::NotFound)?;
    let segments = sqlx::query_as::<_, SegmentRow>(
        "SELECT s.id, s.position, s.content, s.author_id, u.handle AS author_handle, \
         s.created_at, s.edited_at FROM segments s JOIN users u ON u.id = s.author_id \
         WHERE s.draft_id = $1 ORDER BY s.position",
    )
    .bind(draft_id)
    .fetch_all(db.pool())
    .await?;
    // Each person's part is counted from the segments just read: a count per person in SQL
    // went through the author's index, i.e. everything they ever wrote, in every draft.
    let mut written: HashMap<&str, (i64, i64)> = HashMap::new();
    for segment in &segments {
        let part = written.entry(segment.author_id.as_str()).or_default();
        part.0 += 1;
        part.1 += super::count::contributed_characters(&segment.content);
    }
    let collaborators: Vec<Collaborator> = sqlx::query_as::<_, CollaboratorRow>(
        "SELECT c.user_id, u.handle, c.role \
         FROM collaborators c JOIN users u ON u.id = c.user_id WHERE c.draft_id = $1 \
         ORDER BY CASE c.role WHEN 'owner' THEN 0 WHEN 'editor' THEN 1 ELSE 2 END, u.handle",
    )
    .bind(draft_id)
    .fetch_all(db.pool())
    .await?
    .into_iter()
    .map(|c| {
        let (segments, characters) = written.get(c.user_id.as_str()).copied().unwrap_or_default();
        Ok(Collaborator {
            role: Role::parse(&c.role)?,
            user: public_user(c.user_id, c.handle),
            segments,
            characters,
        })
    })
    .collect::<Result<_, AppError>>()?;
    let passes = sqlx::query_as::<_, PassRow>(
        "SELECT p.from_user_id AS from_id, f.handle AS from_handle, p.to_user_id AS to_id, \
         t.handle AS to_handle, p.kind, p.after_position, p.at FROM ring_passes p \
         JOIN users f ON f.id = p.from_user_id JOIN users t ON t.id = p.to_user_id \
         WHERE p.draft_id = $1 ORDER BY p.at DESC, p.id DESC LIMIT $2",
    )
    .bind(draft_id)
    .bind(RING_HISTORY_LIMIT)
    .fetch_all(db.pool())
    .await?;

    Ok(DraftView {
        id: draft.id,
        title: draft.title,
        subtitle: draft.subtitle,
        platform: Platform::parse(&draft.platform)?,
        status: DraftStatus::parse(&draft.status)?,
        owner: public_user(draft.owner_id, draft.owner_handle),
        ring_holder: public_user(draft.holder_id, draft.holder_handle),
        my_role,
        me: viewer.clone(),
        segments: segments
            .into_iter()
            .map(|s| Segment {
                id: s.id,
                position: s.position,
                content: s.content,
                author: public_user(s.author_id, s.author_handle),
                created_at_ms: s.created_at,
                edited_at_ms: s.edited_at,
            })
            .collect::<Vec<_>>()
            .into(),
        collaborators,
        ring_history: passes
            .into_iter()
            .map(|p| RingPass {
                kind: pass_kind(&p.kind),
                from: public_user(p.from_id, p.from_handle),
                to: public_user(p.to_id, p.to_handle),
                after_position: p.after_position,
                at_ms: p.at,
            })
            .collect(),
        show_joined_banner: notice.is_some(),
        event_seq: draft.event_seq,
        created_at_ms: draft.created_at,
        updated_at_ms: draft.updated_at,
    })
}

#[derive(FromRow)]
struct SummaryRow {
    id: String,
    title: String,
    platform: String,
    status: String,
    segment_count: i64,
    ring_holder_id: String,
    role: String,
    updated_at: i64,
}

/// The drafts `user_id` owns or collaborates on, most recently active first (the order of
/// the membership index: migrations/*/0015_drafts_list_order.sql).
pub async fn list_drafts(db: &Db, user_id: &str, page: u32) -> Result<DraftPage, AppError> {
    let offset = i64::from(page) * i64::from(PAGE_SIZE);
    let mut rows = sqlx::query_as::<_, SummaryRow>(
        "SELECT d.id, d.title, d.platform, d.status, d.segment_count, d.ring_holder_id, c.role, \
         d.updated_at FROM collaborators c JOIN drafts d ON d.id = c.draft_id \
         WHERE c.user_id = $1 ORDER BY c.draft_updated_at DESC, c.draft_id LIMIT $2 OFFSET $3",
    )
    .bind(user_id)
    .bind(i64::from(PAGE_SIZE) + 1)
    .bind(offset)
    .fetch_all(db.pool())
    .await?;
    let has_more = rows.len() > PAGE_SIZE as usize;
    rows.truncate(PAGE_SIZE as usize);

    // Collaborator handles for the whole page in one statement.
    let mut handles: Vec<(String, String)> = Vec::new();
    if !rows.is_empty() {
        let placeholders: Vec<String> = (1..=rows.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT c.draft_id, u.handle FROM collaborators c JOIN users u ON u.id = c.user_id \
             WHERE c.draft_id IN ({}) ORDER BY c.added_at, u.handle",
            placeholders.join(", ")
        );
        let mut query = sqlx::query_as::<_, (String, String)>(&sql);
        for row in &rows {
            query = query.bind(&row.id);
        }
        handles = query.fetch_all(db.pool()).await?;
    }

    let drafts = rows
        .into_iter()
        .map(|row| {
            Ok(DraftSummary {
                collaborator_handles: handles
                    .iter()
                    .filter(|(draft_id, _)| *draft_id == row.id)
                    .map(|(_, handle)| handle.clone())
                    .collect(),
                i_hold_ring: row.ring_holder_id == user_id,
                my_role: Role::parse(&row.role)?,
                platform: Platform::parse(&row.platform)?,
                status: DraftStatus::parse(&row.status)?,
                id: row.id,
                title: row.title,
                segment_count: row.segment_count,
                updated_at_ms: row.updated_at,
            })
        })
        .collect::<Result<_, AppError>>()?;
    Ok(DraftPage {
        drafts,
        page,
        has_more,
    })
}
