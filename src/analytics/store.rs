//! Reading what the reducers need. Every read is bounded by the draft or the person it is
//! about, or by the window's days in the rollups: none scans the event table.

use std::collections::BTreeMap;

use sqlx::FromRow;

use super::reduce::{DraftDay, DraftFacts, SharedDay, StoredEvent, ThreadSegment, UserDay};
use super::types::Person;
use crate::auth::model::display_id;
use crate::db::Db;
use crate::error::AppError;

pub(super) fn person(id: &str, handle: String) -> Person {
    Person {
        handle,
        display_id: display_id(id),
    }
}

#[derive(FromRow)]
struct DraftDayRow {
    day: i64,
    user_id: String,
    handle: Option<String>,
    segments: i64,
    passes: i64,
    views: i64,
    card_views: i64,
    card_copies: i64,
}

#[derive(FromRow)]
struct EventRow {
    id: String,
    schema_version: i64,
    actor_id: Option<String>,
    occurred_at: i64,
    payload: String,
}

impl From<EventRow> for StoredEvent {
    fn from(row: EventRow) -> Self {
        Self {
            id: row.id,
            schema_version: row.schema_version,
            actor: row.actor_id,
            at: row.occurred_at,
            payload: row.payload,
        }
    }
}

#[derive(FromRow)]
struct SegmentRow {
    author_id: String,
    handle: String,
    content: String,
    created_at: i64,
}

/// What a draft's insights are computed from (the caller has checked membership).
pub async fn draft_facts(db: &Db, draft_id: &str) -> Result<DraftFacts, AppError> {
    let (owner_id, created_at, title, platform): (String, i64, String, String) =
        sqlx::query_as("SELECT owner_id, created_at, title, platform FROM drafts WHERE id = $1")
            .bind(draft_id)
            .fetch_optional(db.pool())
            .await?
            .ok_or(AppError::NotFound)?;
    let days = sqlx::query_as::<_, DraftDayRow>(
        "SELECT a.day, a.user_id, u.handle, a.segments, a.passes, a.views, a.card_views, \
         a.card_copies FROM analytics_draft_days a LEFT JOIN users u ON u.id = a.user_id \
         WHERE a.draft_id = $1",
    )
    .bind(draft_id)
    .fetch_all(db.pool())
    .await?;
    let ring_events = sqlx::query_as::<_, EventRow>(
        "SELECT id, schema_version, actor_id, occurred_at, payload FROM analytics_events \
         WHERE draft_id = $1 AND kind IN ('ring_passed', 'ring_reclaimed', 'ring_returned')",
    )
    .bind(draft_id)
    .fetch_all(db.pool())
    .await?;
    let thread = sqlx::query_as::<_, SegmentRow>(
        "SELECT s.author_id, u.handle, s.content, s.created_at FROM segments s \
         JOIN users u ON u.id = s.author_id WHERE s.draft_id = $1",
    )
    .bind(draft_id)
    .fetch_all(db.pool())
    .await?;
    // Everyone who held or passed the ring: the draft's people, by id.
    let people_rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT u.id, u.handle FROM users u WHERE u.id IN \
         (SELECT user_id FROM collaborators WHERE draft_id = $1 \
          UNION SELECT actor_id FROM analytics_events WHERE draft_id = $1 AND actor_id IS NOT NULL \
          AND kind IN ('ring_passed', 'ring_reclaimed', 'ring_returned', 'collaborator_joined'))",
    )
    .bind(draft_id)
    .fetch_all(db.pool())
    .await?;
    let mut people: BTreeMap<String, Person> = people_rows
        .into_iter()
        .map(|(id, handle)| {
            let p = person(&id, handle);
            (id, p)
        })
        .collect();
    let ring_events: Vec<StoredEvent> = ring_events.into_iter().map(StoredEvent::from).collect();
    // Receivers may have left the draft since: name them too.
    let missing: Vec<String> = ring_events
        .iter()
        .filter_map(|e| e.activity().ok())
        .filter_map(|a| match a {
            super::types::Activity::RingPassed { to } => Some(to),
            _ => None,
        })
        .filter(|id| !people.contains_key(id))
        .collect();
    for id in missing {
        if let Ok(user) = crate::auth::store::public_user(db.pool(), &id).await {
            people.insert(id.clone(), person(&id, user.handle));
        }
    }
    Ok(DraftFacts {
        draft_id: draft_id.to_owned(),
        title,
        platform: crate::drafts::model::Platform::parse(&platform)?,
        created_at,
        owner_id,
        people,
        days: days
            .into_iter()
            .map(|d| DraftDay {
                person: d.handle.map(|h| person(&d.user_id, h)),
                day: d.day,
                user_id: d.user_id,
                segments: d.segments,
                passes: d.passes,
                views: d.views,
                card_views: d.card_views,
                card_copies: d.card_copies,
            })
            .collect(),
        ring_events,
        thread: thread
            .into_iter()
            .map(|s| ThreadSegment {
                author: person(&s.author_id, s.handle),
                author_id: s.author_id,
                characters: s.content.chars().count() as i64,
                created_at: s.created_at,
            })
            .collect(),
    })
}

#[derive(FromRow)]
struct UserDayRow {
    day: i64,
    drafts_started: i64,
    segments: i64,
    passes_given: i64,
    passes_received: i64,
}

/// My rows from `first_day` on; the drafts I worked on then; others' work on them.
pub async fn my_facts(
    db: &Db,
    user_id: &str,
    first_day: i64,
) -> Result<(Vec<UserDay>, Vec<(String, i64)>, Vec<SharedDay>), AppError> {
    let mine = sqlx::query_as::<_, UserDayRow>(
        "SELECT day, drafts_started, segments, passes_given, passes_received \
         FROM analytics_user_days WHERE user_id = $1 AND day >= $2",
    )
    .bind(user_id)
    .bind(first_day)
    .fetch_all(db.pool())
    .await?;
    let my_drafts: Vec<(String, i64)> = sqlx::query_as(
        "SELECT draft_id, day FROM analytics_draft_days WHERE user_id = $1 AND day >= $2 \
         AND (segments > 0 OR passes > 0)",
    )
    .bind(user_id)
    .bind(first_day)
    .fetch_all(db.pool())
    .await?;
    let others: Vec<(String, i64, String)> = sqlx::query_as(
        // Driven from my few drafts (the person index), each then read by its key: never
        // a scan of the whole community's days in the window.
        "SELECT o.draft_id, o.day, o.user_id \
         FROM (SELECT DISTINCT m.draft_id FROM analytics_draft_days m \
               WHERE m.user_id = $1 AND m.day >= $2 AND (m.segments > 0 OR m.passes > 0)) mine \
         JOIN analytics_draft_days o ON o.draft_id = mine.draft_id AND o.day >= $2 \
         WHERE o.user_id <> $1 AND o.user_id <> '' AND (o.segments > 0 OR o.passes > 0)",
    )
    .bind(user_id)
    .bind(first_day)
    .fetch_all(db.pool())
    .await?;
    Ok((
        mine.into_iter()
            .map(|r| UserDay {
                day: r.day,
                drafts_started: r.drafts_started,
                segments: r.segments,
                passes_given: r.passes_given,
                passes_received: r.passes_received,
            })
            .collect(),
        my_drafts,
        others
            .into_iter()
            .map(|(draft_id, day, user_id)| SharedDay {
                draft_id,
                day,
                user_id,
            })
            .collect(),
    ))
}
