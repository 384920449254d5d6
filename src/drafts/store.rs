//! Reading drafts. A draft page costs a fixed number of statements, whatever the number of
//! segments or collaborators: one while its draft is unchanged since the last load on this
//! server ([`DraftCache`]), five when it changed.

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

/// What every member sees of a draft, as of its event number `view.event_seq`.
#[derive(Debug)]
struct Shared {
    /// The view with the first reader's own fields; each request sets its reader's.
    view: DraftView,
    last_used: u64,
}

/// Drafts' shared parts, each as of an event number (`drafts.event_seq`, moved by every
/// change a member can see, in the change's transaction — the live channel relies on it
/// too). A page load whose draft is at the cached number takes the cached part: one
/// statement (who am I on it, and its number) instead of five, and no rows to convert.
/// Several servers stay right: another server's change moves the number. Bounded; the
/// least recently used draft goes first.
#[derive(Debug, Default)]
pub struct DraftCache {
    entries: std::sync::Mutex<(u64, HashMap<String, Shared>)>,
}

/// Drafts kept (a 1,000-segment draft is ~0.3 MB).
const CACHED_DRAFTS: usize = 128;

impl DraftCache {
    fn get(&self, draft_id: &str, event_seq: i64) -> Option<DraftView> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let (clock, drafts) = &mut *entries;
        *clock += 1;
        let shared = drafts.get_mut(draft_id)?;
        if shared.view.event_seq != event_seq {
            return None;
        }
        shared.last_used = *clock;
        Some(shared.view.clone())
    }

    fn put(&self, view: &DraftView) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let (clock, drafts) = &mut *entries;
        *clock += 1;
        if drafts.len() >= CACHED_DRAFTS && !drafts.contains_key(&view.id) {
            let oldest = drafts
                .iter()
                .min_by_key(|(_, shared)| shared.last_used)
                .map(|(id, _)| id.clone());
            if let Some(oldest) = oldest {
                drafts.remove(&oldest);
            }
        }
        let shared = Shared {
            view: view.clone(),
            last_used: *clock,
        };
        drafts.insert(view.id.clone(), shared);
    }
}

/// The whole draft as `viewer` may see it.
pub async fn load_draft(
    db: &Db,
    cache: &DraftCache,
    draft_id: &str,
    viewer: &PublicUser,
) -> Result<DraftView, AppError> {
    let (my_role, notice, event_seq): (String, Option<String>, i64) = sqlx::query_as(
        "SELECT c.role, n.user_id, d.event_seq FROM collaborators c \
         JOIN drafts d ON d.id = c.draft_id LEFT JOIN join_notices n \
         ON n.draft_id = c.draft_id AND n.user_id = c.user_id \
         WHERE c.draft_id = $1 AND c.user_id = $2",
    )
    .bind(draft_id)
    .bind(&viewer.id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(AppError::NotFound)?;
    let mut view = match cache.get(draft_id, event_seq) {
        Some(view) => view,
        None => {
            let (view, consistent) = read_shared(db, draft_id, event_seq).await?;
            if consistent {
                cache.put(&view);
            }
            view
        }
    };
    view.my_role = Role::parse(&my_role)?;
    view.me = viewer.clone();
    view.show_joined_banner = notice.is_some();
    Ok(view)
}

/// What every member sees of the draft, said to be as of `event_seq` (read before it), and
/// whether it is exactly that: the draft's number is read last, and no change came in
/// between if it is still `event_seq`. When one did, the view may hold more than its number
/// says — a live page then gets an event it already shows, as before this cache — and is
/// not kept.
async fn read_shared(
    db: &Db,
    draft_id: &str,
    event_seq: i64,
) -> Result<(DraftView, bool), AppError> {
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
    let consistent = draft.event_seq == event_seq;
    let owner = public_user(draft.owner_id, draft.owner_handle);
    let view = DraftView {
        id: draft.id,
        title: draft.title,
        subtitle: draft.subtitle,
        platform: Platform::parse(&draft.platform)?,
        status: DraftStatus::parse(&draft.status)?,
        ring_holder: public_user(draft.holder_id, draft.holder_handle),
        // The reader's own fields are set by the caller.
        my_role: Role::Viewer,
        me: owner.clone(),
        owner,
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
            .collect::<Vec<_>>()
            .into(),
        show_joined_banner: false,
        event_seq,
        created_at_ms: draft.created_at,
        updated_at_ms: draft.updated_at,
    };
    Ok((view, consistent))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(id: &str, event_seq: i64) -> DraftView {
        let person = public_user("u1".to_owned(), "ada".to_owned());
        DraftView {
            id: id.to_owned(),
            title: "A thread".to_owned(),
            subtitle: None,
            platform: Platform::X,
            status: DraftStatus::Draft,
            owner: person.clone(),
            ring_holder: person.clone(),
            my_role: Role::Owner,
            me: person,
            segments: Default::default(),
            collaborators: Vec::new(),
            ring_history: Default::default(),
            show_joined_banner: false,
            event_seq,
            created_at_ms: 0,
            updated_at_ms: 0,
        }
    }

    #[test]
    fn a_draft_is_taken_from_the_cache_only_at_the_same_event_number() {
        let cache = DraftCache::default();
        cache.put(&draft("d1", 7));
        assert_eq!(cache.get("d1", 7).map(|v| v.event_seq), Some(7));
        assert!(cache.get("d1", 8).is_none(), "changed since");
        assert!(cache.get("d2", 7).is_none());
    }

    #[test]
    fn the_least_recently_used_draft_goes_first() {
        let cache = DraftCache::default();
        for n in 0..CACHED_DRAFTS {
            cache.put(&draft(&format!("d{n}"), 1));
        }
        assert!(
            cache.get("d0", 1).is_some(),
            "d0 used again: d1 is now the oldest"
        );
        cache.put(&draft("new", 1));
        assert!(cache.get("d1", 1).is_none());
        assert!(cache.get("d0", 1).is_some());
        assert!(cache.get("new", 1).is_some());
    }
}
