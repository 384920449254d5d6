//! What the daily loop reads. Every read is bounded by the person it is about: their hours
//! in a window, their active hours (one row per hour with a segment, never the event
//! table), their ten most recent drafts, their last week's segments.

use sqlx::FromRow;

use super::archetype::ArchetypeFacts;
use super::coach::DraftFacts;
use crate::analytics::momentum::HourOfWork;
use crate::db::Db;
use crate::drafts::model::Platform;
use crate::error::AppError;

/// Drafts the coach reads, most recently changed first.
pub const COACH_DRAFTS: i64 = 10;
/// Recent segments the harmful-text guard reads.
pub const RECENT_SEGMENTS: i64 = 50;

#[derive(FromRow)]
struct HourRow {
    hour: i64,
    segments: i64,
    characters: i64,
    passes_given: i64,
}

/// My hours of work in `first..=last`.
pub async fn hours_between(
    db: &Db,
    user_id: &str,
    first: i64,
    last: i64,
) -> Result<Vec<HourOfWork>, AppError> {
    let rows = sqlx::query_as::<_, HourRow>(
        "SELECT hour, segments, characters, passes_given FROM analytics_user_hours \
         WHERE user_id = $1 AND hour BETWEEN $2 AND $3",
    )
    .bind(user_id)
    .bind(first)
    .bind(last)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| HourOfWork {
            hour: r.hour,
            segments: r.segments,
            characters: r.characters,
            passes_given: r.passes_given,
        })
        .collect())
}

/// The hours in `first..=last` in which I wrote a segment, oldest first: what streaks are
/// made of.
pub async fn writing_hours(
    db: &Db,
    user_id: &str,
    first: i64,
    last: i64,
) -> Result<Vec<i64>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT hour FROM analytics_user_hours \
         WHERE user_id = $1 AND hour BETWEEN $2 AND $3 AND segments > 0 ORDER BY hour",
    )
    .bind(user_id)
    .bind(first)
    .bind(last)
    .fetch_all(db.pool())
    .await?)
}

#[derive(FromRow)]
struct DraftRow {
    id: String,
    title: String,
    platform: String,
    owner_id: String,
    ring_holder_id: String,
    holder_handle: String,
    created_at: i64,
    people: i64,
    segments: i64,
    questions: i64,
    opening: Option<String>,
    last_segment_at: Option<i64>,
    ring_moved_at: Option<i64>,
}

/// My ten most recently changed drafts that are not archived, as the coach sees them.
pub async fn coach_drafts(db: &Db, user_id: &str) -> Result<Vec<DraftFacts>, AppError> {
    let rows = sqlx::query_as::<_, DraftRow>(&format!(
        "SELECT d.id, d.title, d.platform, d.owner_id, d.ring_holder_id, u.handle AS holder_handle, \
         d.created_at, \
         (SELECT COUNT(*) FROM collaborators p WHERE p.draft_id = d.id) AS people, \
         (SELECT COUNT(*) FROM segments s WHERE s.draft_id = d.id) AS segments, \
         (SELECT COUNT(*) FROM segments s WHERE s.draft_id = d.id AND s.content LIKE '%?%') AS questions, \
         (SELECT s.content FROM segments s WHERE s.draft_id = d.id ORDER BY s.position LIMIT 1) AS opening, \
         (SELECT MAX(s.created_at) FROM segments s WHERE s.draft_id = d.id) AS last_segment_at, \
         (SELECT MAX(r.at) FROM ring_passes r WHERE r.draft_id = d.id) AS ring_moved_at \
         FROM collaborators c JOIN drafts d ON d.id = c.draft_id \
         JOIN users u ON u.id = d.ring_holder_id \
         WHERE c.user_id = $1 AND d.status <> 'archived' \
         ORDER BY c.draft_updated_at DESC, c.draft_id LIMIT {COACH_DRAFTS}"
    ))
    .bind(user_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(DraftFacts {
                platform: Platform::parse(&r.platform).ok()?,
                i_own_it: r.owner_id == user_id,
                i_hold_the_ring: r.ring_holder_id == user_id,
                holder_handle: r.holder_handle,
                people: r.people,
                segments: r.segments,
                questions: r.questions,
                opening: r.opening,
                ring_moved_at: r.ring_moved_at.unwrap_or(r.created_at),
                last_segment_at: r.last_segment_at,
                id: r.id,
                title: r.title,
            })
        })
        .collect())
}

/// What I wrote between `since` and `until` (my newest segments, and the titles of the
/// drafts I started), for the harmful-text guard only: never shown, never stored elsewhere.
pub async fn recent_writing(
    db: &Db,
    user_id: &str,
    since: i64,
    until: i64,
) -> Result<Vec<String>, AppError> {
    let newest = |sql: String| async move {
        sqlx::query_scalar::<_, String>(&sql)
            .bind(user_id)
            .bind(since)
            .bind(until)
            .fetch_all(db.pool())
            .await
    };
    let mut texts = newest(format!(
        "SELECT content FROM segments WHERE author_id = $1 AND created_at BETWEEN $2 AND $3 \
         ORDER BY created_at DESC, id LIMIT {RECENT_SEGMENTS}"
    ))
    .await?;
    let titles = newest(format!(
        "SELECT title FROM drafts WHERE owner_id = $1 AND created_at BETWEEN $2 AND $3 \
         ORDER BY created_at DESC, id LIMIT {COACH_DRAFTS}"
    ))
    .await?;
    texts.extend(titles);
    Ok(texts)
}

/// The 30 days an archetype looks at: days in the rollups, and instants in the tables.
pub struct Window {
    pub days: (i64, i64),
    pub instants: (i64, i64),
}

/// What my archetype is derived from: `hours` (my hours of work in the window) and the
/// window's rows.
pub async fn archetype_facts(
    db: &Db,
    user_id: &str,
    hours: &[HourOfWork],
    window: &Window,
) -> Result<ArchetypeFacts, AppError> {
    let (first_day, last_day) = window.days;
    let (since, until) = window.instants;
    let drafts_started: Option<i64> = sqlx::query_scalar(
        "SELECT CAST(SUM(drafts_started) AS BIGINT) FROM analytics_user_days \
         WHERE user_id = $1 AND day BETWEEN $2 AND $3",
    )
    .bind(user_id)
    .bind(first_day)
    .bind(last_day)
    .fetch_one(db.pool())
    .await?;
    let co_writers: i64 = sqlx::query_scalar(
        // Driven from my drafts (the person index), as in analytics' `my_facts`.
        "SELECT COUNT(DISTINCT o.user_id) \
         FROM (SELECT DISTINCT m.draft_id FROM analytics_draft_days m \
               WHERE m.user_id = $1 AND m.day BETWEEN $2 AND $3 AND m.segments > 0) mine \
         JOIN analytics_draft_days o ON o.draft_id = mine.draft_id AND o.day BETWEEN $2 AND $3 \
         WHERE o.user_id <> $1 AND o.user_id <> '' AND o.segments > 0",
    )
    .bind(user_id)
    .bind(first_day)
    .bind(last_day)
    .fetch_one(db.pool())
    .await?;
    let people_joined: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM collaborators c JOIN drafts d ON d.id = c.draft_id \
         WHERE d.owner_id = $1 AND c.user_id <> $1 AND c.added_at BETWEEN $2 AND $3",
    )
    .bind(user_id)
    .bind(since)
    .bind(until)
    .fetch_one(db.pool())
    .await?;
    Ok(ArchetypeFacts {
        segments: hours.iter().map(|h| h.segments).sum(),
        characters: hours.iter().map(|h| h.characters).sum(),
        passes_given: hours.iter().map(|h| h.passes_given).sum(),
        drafts_started: drafts_started.unwrap_or(0),
        co_writers,
        people_joined,
    })
}

#[derive(FromRow)]
pub struct PersonRow {
    pub id: String,
    pub handle: String,
    pub created_at: i64,
    pub profile_private: i64,
}

/// The person behind a handle (any case, with or without "@"), with their privacy.
pub async fn person_by_handle(db: &Db, handle: &str) -> Result<Option<PersonRow>, AppError> {
    let handle = handle.trim().trim_start_matches('@').to_lowercase();
    if handle.is_empty() || handle.len() > crate::auth::model::HANDLE_MAX {
        return Ok(None);
    }
    Ok(sqlx::query_as::<_, PersonRow>(
        "SELECT u.id, u.handle, u.created_at, COALESCE(s.profile_private, 0) AS profile_private \
         FROM users u LEFT JOIN user_settings s ON s.user_id = u.id WHERE u.handle = $1",
    )
    .bind(handle)
    .fetch_optional(db.pool())
    .await?)
}

/// The drafts a person owns and shares publicly: (title, platform, slug), newest first.
pub async fn public_drafts(
    db: &Db,
    user_id: &str,
) -> Result<Vec<(String, String, String)>, AppError> {
    Ok(sqlx::query_as(
        "SELECT d.title, d.platform, l.slug FROM share_links l JOIN drafts d ON d.id = l.draft_id \
         WHERE d.owner_id = $1 ORDER BY l.created_at DESC, l.slug LIMIT 50",
    )
    .bind(user_id)
    .fetch_all(db.pool())
    .await?)
}
