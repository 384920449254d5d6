//! Reading what the reducers need. Every read is bounded by the draft or the person it is
//! about, or by the window's days in the rollups: none scans the event table.

use std::collections::BTreeMap;

use sqlx::FromRow;

use super::reduce::{
    Candidate, DraftDay, DraftFacts, SharedDay, StoredEvent, ThreadSegment, UserDay,
};
use super::types::{Board, Person};
use crate::auth::model::display_id;
use crate::db::Db;
use crate::error::AppError;

fn person(id: &str, handle: String) -> Person {
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
        "SELECT o.draft_id, o.day, o.user_id FROM analytics_draft_days o \
         WHERE o.day >= $2 AND o.user_id <> $1 AND o.user_id <> '' \
         AND (o.segments > 0 OR o.passes > 0) AND o.draft_id IN \
         (SELECT m.draft_id FROM analytics_draft_days m WHERE m.user_id = $1 AND m.day >= $2 \
          AND (m.segments > 0 OR m.passes > 0))",
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

/// The scores' parts per person over days `$1..=$2` (hours for momentum; only person `$3`
/// when `one_person`): (user id, first part, second part). Collaboration: ring passes
/// given, and drafts written on with someone else writing too; consistency: days with a
/// segment or a pass; momentum: `analytics::momentum`'s formula, in SQL.
fn board_parts_sql(board: Board, one_person: bool) -> String {
    let (only, only_a) = if one_person {
        (" AND user_id = $3", " AND a.user_id = $3")
    } else {
        ("", "")
    };
    match board {
        Board::Momentum => format!(
            "SELECT user_id, CAST((CAST(SUM({points} * (hour - $1 + 1)) AS BIGINT) + {half}) / {window} AS BIGINT) \
             AS first_part, CAST(0 AS BIGINT) AS second_part FROM analytics_user_hours \
             WHERE hour BETWEEN $1 AND $2{only} GROUP BY user_id",
            points = super::momentum::POINTS_SQL,
            half = super::momentum::WINDOW_HOURS / 2,
            window = super::momentum::WINDOW_HOURS,
        ),
        Board::Consistency => format!(
            "SELECT user_id, COUNT(*) AS first_part, CAST(0 AS BIGINT) AS second_part FROM analytics_user_days \
             WHERE day BETWEEN $1 AND $2 AND (segments > 0 OR passes_given > 0){only} GROUP BY user_id"
        ),
        Board::Collaboration => format!(
            "SELECT user_id, CAST(SUM(first_part) AS BIGINT) AS first_part, \
             CAST(SUM(second_part) AS BIGINT) AS second_part FROM (\
             SELECT user_id, passes_given AS first_part, CAST(0 AS BIGINT) AS second_part FROM analytics_user_days \
             WHERE day BETWEEN $1 AND $2 AND passes_given > 0{only} \
             UNION ALL \
             SELECT a.user_id, CAST(0 AS BIGINT), COUNT(DISTINCT a.draft_id) FROM analytics_draft_days a \
             WHERE a.day BETWEEN $1 AND $2 AND a.segments > 0 AND a.user_id <> ''{only_a} \
             AND EXISTS (SELECT 1 FROM analytics_draft_days b WHERE b.draft_id = a.draft_id \
             AND b.day BETWEEN $1 AND $2 AND b.segments > 0 AND b.user_id <> a.user_id \
             AND b.user_id <> '') GROUP BY a.user_id) parts GROUP BY user_id"
        ),
    }
}

#[derive(FromRow)]
struct CandidateRow {
    user_id: String,
    handle: String,
    shown: i64,
    first_part: i64,
    second_part: i64,
}

impl From<CandidateRow> for Candidate {
    fn from(row: CandidateRow) -> Self {
        Self {
            person: person(&row.user_id, row.handle),
            user_id: row.user_id,
            shown: row.shown != 0,
            parts: (row.first_part, row.second_part),
        }
    }
}

/// The board's top people over days `first..=last` (only those shown, ranked by score,
/// then handle), and the viewer's own standing whether shown or not.
pub async fn board_candidates(
    db: &Db,
    board: Board,
    first: i64,
    last: i64,
    me: &str,
) -> Result<Vec<Candidate>, AppError> {
    let parts = board_parts_sql(board, false);
    let columns = "p.user_id, u.handle, COALESCE(s.show_on_leaderboards, 1) AS shown, \
                   p.first_part, p.second_part";
    let joins =
        "JOIN users u ON u.id = p.user_id LEFT JOIN user_settings s ON s.user_id = p.user_id";
    let top = format!(
        "SELECT {columns} FROM ({parts}) p {joins} WHERE COALESCE(s.show_on_leaderboards, 1) = 1 \
         ORDER BY p.first_part + p.second_part DESC, u.handle LIMIT {}",
        super::reduce::BOARD_SIZE
    );
    let mut candidates: Vec<Candidate> = sqlx::query_as::<_, CandidateRow>(&top)
        .bind(first)
        .bind(last)
        .fetch_all(db.pool())
        .await?
        .into_iter()
        .map(Candidate::from)
        .collect();
    if !candidates.iter().any(|c| c.user_id == me) {
        let mine_parts = board_parts_sql(board, true);
        let mine = format!("SELECT {columns} FROM ({mine_parts}) p {joins}");
        let row = sqlx::query_as::<_, CandidateRow>(&mine)
            .bind(first)
            .bind(last)
            .bind(me)
            .fetch_optional(db.pool())
            .await?;
        candidates.extend(row.map(Candidate::from));
    }
    Ok(candidates)
}

/// Whether `user_id` appears on the leaderboards.
pub async fn shown_on_leaderboards(db: &Db, user_id: &str) -> Result<bool, AppError> {
    let shown: Option<i64> =
        sqlx::query_scalar("SELECT show_on_leaderboards FROM user_settings WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(db.pool())
            .await?;
    Ok(shown.is_none_or(|s| s != 0))
}
