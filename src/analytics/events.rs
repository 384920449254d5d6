//! The durable analytics event store, and its rollups.
//!
//! **Source of truth:** `analytics_events`. Each event is inserted once (its id is unique; a
//! repeat of the same id is ignored, so recording is idempotent), with `schema_version`
//! [`SCHEMA_VERSION`], its kind, actor, draft, time and payload, and kept for good.
//!
//! **Rollups** (`analytics_draft_days`, `analytics_user_days`, `analytics_user_hours`) are
//! derived: [`effects`] says what one event adds to them, and [`record`] applies it, only
//! when the event was new: on SQLite in the event's transaction; on PostgreSQL just after
//! that transaction commits and before its writer answers (the event's note in
//! `analytics_unfolded` commits with it, and a crash in between leaves the note for
//! [`fold_leftovers`]). So an event exists exactly when the action that caused it committed
//! (the action's own transaction records it), and the rollups equal what the events add up
//! to once each is folded, which its writer waits for. `onering analytics rebuild`
//! ([`super::rebuild`]) empties the rollups and replays every event through the same
//! [`effects`].
//!
//! Drafts, invites and (later) share cards write their events here from inside their own
//! writes; this module knows nothing about them beyond the ids it is given.

use sha2::{Digest, Sha256};

use super::types::{Activity, SCHEMA_VERSION};
use crate::clock::{day_of, HOUR_MS};
use crate::db::{after_this_commit, is_postgres, Db, FollowUp, Tx};
use crate::error::AppError;

/// One event about to be recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: String,
    pub actor: Option<String>,
    pub draft: Option<String>,
    pub at: i64,
    pub activity: Activity,
}

impl Event {
    /// An event caused by an action (its own id: the action itself runs once).
    pub fn of(actor: &str, draft: Option<&str>, at: i64, activity: Activity) -> Self {
        Self {
            id: uuid::Uuid::new_v4().to_string(),
            actor: Some(actor.to_owned()),
            draft: draft.map(str::to_owned),
            at,
            activity,
        }
    }

    /// An event recorded at most once per `who`, draft and hour (views): its id is made from
    /// them, so a second one in the same hour is a repeat and is ignored.
    pub fn hourly(
        who: &str,
        actor: Option<&str>,
        draft: &str,
        at: i64,
        activity: Activity,
    ) -> Self {
        let hour = at.div_euclid(HOUR_MS);
        let digest = Sha256::digest(format!("{}|{who}|{draft}|{hour}", activity.kind()));
        Self {
            id: format!("h_{}", &hex::encode(digest)[..32]),
            actor: actor.map(str::to_owned),
            draft: Some(draft.to_owned()),
            at,
            activity,
        }
    }
}

/// What one event adds to one rollup row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    DraftDay {
        draft: String,
        day: i64,
        user: String,
        counts: DraftDayCounts,
    },
    UserDay {
        user: String,
        day: i64,
        counts: UserDayCounts,
    },
    UserHour {
        user: String,
        hour: i64,
        counts: UserHourCounts,
    },
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DraftDayCounts {
    pub segments: i64,
    pub characters: i64,
    pub passes: i64,
    pub views: i64,
    pub card_views: i64,
    pub card_copies: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UserDayCounts {
    pub drafts_started: i64,
    pub segments: i64,
    pub characters: i64,
    pub passes_given: i64,
    pub passes_received: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UserHourCounts {
    pub segments: i64,
    pub characters: i64,
    pub passes_given: i64,
}

/// What `event` adds to the rollups. Pure: the same event always adds the same.
///
/// Effort is what counts: a segment written counts on its day even if it is later edited
/// or deleted; a ring pass counts for the giver (given) and the receiver (received); taking
/// the ring back or getting it returned is no pass. Views and share-card visits count on
/// the draft only (they are never anyone's score).
pub fn effects(event: &Event) -> Vec<Effect> {
    let day = day_of(event.at);
    let hour = event.at.div_euclid(HOUR_MS);
    let actor = event.actor.clone().unwrap_or_default();
    let on_draft = |counts: DraftDayCounts| {
        event.draft.as_ref().map(|draft| Effect::DraftDay {
            draft: draft.clone(),
            day,
            user: actor.clone(),
            counts,
        })
    };
    let for_user = |user: &str, counts: UserDayCounts| Effect::UserDay {
        user: user.to_owned(),
        day,
        counts,
    };
    let mut out = Vec::new();
    match &event.activity {
        Activity::DraftCreated { .. } => out.push(for_user(
            &actor,
            UserDayCounts {
                drafts_started: 1,
                ..Default::default()
            },
        )),
        Activity::SegmentAdded { characters, .. } => {
            out.extend(on_draft(DraftDayCounts {
                segments: 1,
                characters: *characters,
                ..Default::default()
            }));
            out.push(for_user(
                &actor,
                UserDayCounts {
                    segments: 1,
                    characters: *characters,
                    ..Default::default()
                },
            ));
            out.push(Effect::UserHour {
                user: actor.clone(),
                hour,
                counts: UserHourCounts {
                    segments: 1,
                    characters: *characters,
                    passes_given: 0,
                },
            });
        }
        Activity::RingPassed { to } => {
            out.extend(on_draft(DraftDayCounts {
                passes: 1,
                ..Default::default()
            }));
            out.push(for_user(
                &actor,
                UserDayCounts {
                    passes_given: 1,
                    ..Default::default()
                },
            ));
            out.push(for_user(
                to,
                UserDayCounts {
                    passes_received: 1,
                    ..Default::default()
                },
            ));
            out.push(Effect::UserHour {
                user: actor.clone(),
                hour,
                counts: UserHourCounts {
                    passes_given: 1,
                    ..Default::default()
                },
            });
        }
        Activity::DraftViewed => out.extend(on_draft(DraftDayCounts {
            views: 1,
            ..Default::default()
        })),
        Activity::CardViewed => out.extend(on_draft(DraftDayCounts {
            card_views: 1,
            ..Default::default()
        })),
        Activity::CardCopied => out.extend(on_draft(DraftDayCounts {
            card_copies: 1,
            ..Default::default()
        })),
        Activity::SegmentEdited { .. }
        | Activity::SegmentDeleted { .. }
        | Activity::RingReclaimed { .. }
        | Activity::RingReturned { .. }
        | Activity::CollaboratorJoined { .. }
        | Activity::RoleChanged { .. }
        | Activity::StatusChanged { .. }
        | Activity::ThreadPublished { .. } => {}
    }
    out
}

/// A statement's text and its values, numbered from `$1`.
struct Statement {
    sql: String,
    texts_and_numbers: Vec<Value>,
}

enum Value {
    Text(Option<String>),
    Number(i64),
}

/// Numbers placeholders as a statement grows.
struct Params {
    values: Vec<Value>,
}

impl Params {
    fn text(&mut self, value: Option<&str>) -> String {
        self.values.push(Value::Text(value.map(str::to_owned)));
        format!("${}", self.values.len())
    }

    fn number(&mut self, value: i64) -> String {
        self.values.push(Value::Number(value));
        format!("${}", self.values.len())
    }
}

fn insert_event_sql(event: &Event, params: &mut Params) -> Result<String, AppError> {
    let payload = serde_json::to_string(&event.activity).map_err(|err| {
        tracing::error!(error = %err, "an analytics event did not serialise");
        AppError::Internal
    })?;
    Ok(format!(
        "INSERT INTO analytics_events (id, schema_version, kind, actor_id, draft_id, \
         occurred_at, payload) VALUES ({}, {}, {}, {}, {}, {}, {}) ON CONFLICT (id) DO NOTHING",
        params.text(Some(&event.id)),
        params.number(SCHEMA_VERSION),
        params.text(Some(event.activity.kind())),
        params.text(event.actor.as_deref()),
        params.text(event.draft.as_deref()),
        params.number(event.at),
        params.text(Some(&payload)),
    ))
}

/// The upsert for one effect. With `from` (PostgreSQL: the CTE of the new event) its values
/// are selected from it, so nothing is added for a repeated event; without, plain `VALUES`.
fn upsert_sql(effect: &Effect, params: &mut Params, from: Option<&str>) -> String {
    let (table, key, columns) = match effect {
        Effect::DraftDay {
            draft,
            day,
            user,
            counts: c,
        } => (
            "analytics_draft_days",
            vec![
                ("draft_id", params.text(Some(draft))),
                ("day", params.number(*day)),
                ("user_id", params.text(Some(user))),
            ],
            vec![
                ("segments", c.segments),
                ("characters", c.characters),
                ("passes", c.passes),
                ("views", c.views),
                ("card_views", c.card_views),
                ("card_copies", c.card_copies),
            ],
        ),
        Effect::UserDay {
            user,
            day,
            counts: c,
        } => (
            "analytics_user_days",
            vec![
                ("user_id", params.text(Some(user))),
                ("day", params.number(*day)),
            ],
            vec![
                ("drafts_started", c.drafts_started),
                ("segments", c.segments),
                ("characters", c.characters),
                ("passes_given", c.passes_given),
                ("passes_received", c.passes_received),
            ],
        ),
        Effect::UserHour {
            user,
            hour,
            counts: c,
        } => (
            "analytics_user_hours",
            vec![
                ("user_id", params.text(Some(user))),
                ("hour", params.number(*hour)),
            ],
            vec![
                ("segments", c.segments),
                ("characters", c.characters),
                ("passes_given", c.passes_given),
            ],
        ),
    };
    let counted: Vec<(&str, i64)> = columns.into_iter().filter(|(_, n)| *n != 0).collect();
    let names: Vec<&str> = key
        .iter()
        .map(|(n, _)| *n)
        .chain(counted.iter().map(|(n, _)| *n))
        .collect();
    let mut values: Vec<String> = key.iter().map(|(_, p)| p.clone()).collect();
    values.extend(counted.iter().map(|(_, n)| params.number(*n)));
    let sets: Vec<String> = counted
        .iter()
        .map(|(n, _)| format!("{n} = {table}.{n} + excluded.{n}"))
        .collect();
    let conflict: Vec<&str> = key.iter().map(|(n, _)| *n).collect();
    let rows = match from {
        Some(source) => format!("SELECT {} FROM {source}", values.join(", ")),
        None => format!("VALUES ({})", values.join(", ")),
    };
    format!(
        "INSERT INTO {table} ({}) {rows} ON CONFLICT ({}) DO UPDATE SET {}",
        names.join(", "),
        conflict.join(", "),
        sets.join(", ")
    )
}

async fn execute(tx: &mut Tx, statement: Statement) -> Result<u64, AppError> {
    let mut query = sqlx::query(&statement.sql);
    for value in statement.texts_and_numbers {
        query = match value {
            Value::Text(text) => query.bind(text),
            Value::Number(n) => query.bind(n),
        };
    }
    Ok(query.execute(&mut **tx).await?.rows_affected())
}

/// Records `event` inside the caller's transaction; `false` when an event with its id was
/// already recorded (nothing changes then).
///
/// Its rollups: on SQLite in the same transaction, one statement per table (the group commit
/// shares one flush among all waiting writes anyway). On PostgreSQL, inside [`Db::write`],
/// the event is noted in `analytics_unfolded` by the same statement that inserts it and its
/// rollups are added just after the commit ([`fold_after_commit`]), so the person's rollup
/// rows, shared by all their drafts, are not held locked through this write's disk flush.
/// Elsewhere on PostgreSQL, the rollups come in the event's own statement (data-modifying
/// CTEs selected from its insert, so a repeat adds nothing).
pub async fn record(tx: &mut Tx, event: &Event) -> Result<bool, AppError> {
    let mut params = Params { values: Vec::new() };
    let insert = insert_event_sql(event, &mut params)?;
    if is_postgres(tx) {
        let inserted = format!("{insert} RETURNING id");
        let sql = match after_this_commit(fold_after_commit(event.clone())) {
            Ok(()) => format!(
                "WITH new_event AS ({inserted}), waiting AS (INSERT INTO analytics_unfolded \
                 (event_id, recorded_at) SELECT id, {} FROM new_event) \
                 SELECT COUNT(*) FROM new_event",
                params.number(crate::db::now_ms())
            ),
            Err(_) => with_rollups(
                &format!("new_event AS ({inserted})"),
                "new_event",
                event,
                &mut params,
            ),
        };
        return Ok(count(&mut **tx, &sql, params).await? == 1);
    }
    let insert = Statement {
        sql: insert,
        texts_and_numbers: params.values,
    };
    with_rollups_if_changed(tx, insert, event).await
}

/// SQLite: runs `statement` and, when it changed a row, adds `event`'s rollups one table at
/// a time; whether it did.
async fn with_rollups_if_changed(
    tx: &mut Tx,
    statement: Statement,
    event: &Event,
) -> Result<bool, AppError> {
    if execute(tx, statement).await? == 0 {
        return Ok(false);
    }
    for effect in &effects(event) {
        apply(tx, effect).await?;
    }
    Ok(true)
}

/// PostgreSQL: one statement whose CTEs `ctes` end in `source`, adding `event`'s rollups
/// once per row `source` yields (none: nothing added); it answers that row count.
fn with_rollups(ctes: &str, source: &str, event: &Event, params: &mut Params) -> String {
    let mut sql = format!("WITH {ctes}");
    for (i, effect) in effects(event).iter().enumerate() {
        let upsert = upsert_sql(effect, params, Some(source));
        sql.push_str(&format!(", rollup_{i} AS ({upsert})"));
    }
    sql.push_str(&format!(" SELECT COUNT(*) FROM {source}"));
    sql
}

async fn count<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    sql: &str,
    params: Params,
) -> Result<i64, AppError> {
    let mut query = sqlx::query_scalar::<_, i64>(sql);
    for value in params.values {
        query = match value {
            Value::Text(text) => query.bind(text),
            Value::Number(n) => query.bind(n),
        };
    }
    Ok(query.fetch_one(executor).await?)
}

/// Takes `event` out of `analytics_unfolded`: the statement and its values.
fn claim_sql(event: &Event, params: &mut Params) -> String {
    format!(
        "DELETE FROM analytics_unfolded WHERE event_id = {}",
        params.text(Some(&event.id))
    )
}

/// Adds `event`'s rollups if it waits in `analytics_unfolded`, taking it out in the same
/// transaction: whoever folds it first does, once. `false` when it was not waiting.
async fn fold(tx: &mut Tx, event: &Event) -> Result<bool, AppError> {
    let mut params = Params { values: Vec::new() };
    let claim = claim_sql(event, &mut params);
    if is_postgres(tx) {
        let ctes = format!("claimed AS ({claim} RETURNING 1)");
        let sql = with_rollups(&ctes, "claimed", event, &mut params);
        return Ok(count(&mut **tx, &sql, params).await? == 1);
    }
    let claim = Statement {
        sql: claim,
        texts_and_numbers: params.values,
    };
    with_rollups_if_changed(tx, claim, event).await
}

/// The fold [`record`] leaves for just after the event's commit (PostgreSQL): [`fold`] as
/// one statement, a transaction of its own that does not wait for the disk
/// (`synchronous_commit` off for it alone), so the person's rollup rows stay locked for that
/// statement only, never across a round trip to this server or a flush. Lost in a crash, it
/// is lost whole: the event still waits in `analytics_unfolded`, and [`fold_leftovers`]
/// folds it.
fn fold_after_commit(event: Event) -> FollowUp {
    Box::new(move |db| {
        Box::pin(async move {
            let mut params = Params { values: Vec::new() };
            let claim = claim_sql(&event, &mut params);
            let ctes = format!(
                "unhurried AS (SELECT set_config('synchronous_commit', 'off', true) AS setting), \
                 claimed AS ({claim} AND (SELECT setting FROM unhurried) = 'off' RETURNING 1)"
            );
            let sql = with_rollups(&ctes, "claimed", &event, &mut params);
            if count(db.pool(), &sql, params).await.is_err() {
                tracing::warn!("an event's rollups were left for the sweep");
            }
        })
    })
}

/// Events recorded this long ago and still unfolded were left by a crash (younger ones are
/// their writer's to fold, in the moment after its commit).
pub const LEFT_AFTER_MS: i64 = 10_000;
const SWEEP_BATCH: i64 = 500;

/// Folds events a crash left unfolded (see [`LEFT_AFTER_MS`]), up to 500 a call, each in a
/// durable write of its own; returns how many it folded. The servers run it every minute.
pub async fn fold_leftovers(db: &Db, now: i64) -> Result<u64, AppError> {
    let rows: Vec<StoredRow> = sqlx::query_as(
        "SELECT e.id, e.schema_version, e.actor_id, e.draft_id, e.occurred_at, e.payload \
         FROM analytics_unfolded u JOIN analytics_events e ON e.id = u.event_id \
         WHERE u.recorded_at < $1 ORDER BY u.recorded_at, u.event_id LIMIT $2",
    )
    .bind(now - LEFT_AFTER_MS)
    .bind(SWEEP_BATCH)
    .fetch_all(db.pool())
    .await?;
    let mut folded = 0;
    for row in rows {
        let Ok(event) = row.into_event() else {
            // Unreadable by this code (a newer schema): a rebuild by a newer server folds it.
            tracing::error!("an unfolded event could not be read; left as it is");
            continue;
        };
        let done = db
            .write_with(move |tx| Box::pin(async move { fold(tx, &event).await }))
            .await?;
        folded += u64::from(done);
    }
    Ok(folded)
}

/// An event as stored in `analytics_events`.
#[derive(sqlx::FromRow)]
pub(super) struct StoredRow {
    id: String,
    schema_version: i64,
    actor_id: Option<String>,
    draft_id: Option<String>,
    occurred_at: i64,
    payload: String,
}

impl StoredRow {
    /// Where it stands in the event order: time, then id.
    pub(super) fn order_key(&self) -> (i64, String) {
        (self.occurred_at, self.id.clone())
    }

    /// The event, if its schema version is the one this code reads.
    pub(super) fn into_event(self) -> Result<Event, super::reduce::ReduceError> {
        let stored = super::reduce::StoredEvent {
            id: self.id,
            schema_version: self.schema_version,
            actor: self.actor_id,
            at: self.occurred_at,
            payload: self.payload,
        };
        let activity = stored.activity()?;
        Ok(Event {
            id: stored.id,
            actor: stored.actor,
            draft: self.draft_id,
            at: stored.at,
            activity,
        })
    }
}

/// Records that `viewer_id` opened the draft: at most one event per viewer, draft and hour
/// (the event's id is made from them). This server also remembers, in bounded memory, whom
/// it recorded in the last hour, so a reload costs no write. A failure is logged, never
/// shown: a view is not worth failing a page for.
pub async fn record_view(state: &crate::server::state::AppState, draft_id: &str, viewer_id: &str) {
    if state
        .view_gate
        .check(&(viewer_id.to_owned(), draft_id.to_owned()))
        .is_err()
    {
        return;
    }
    let event = Event::hourly(
        viewer_id,
        Some(viewer_id),
        draft_id,
        crate::db::now_ms(),
        Activity::DraftViewed,
    );
    let recorded = state
        .db
        .write_with(move |tx| Box::pin(async move { record(tx, &event).await }))
        .await;
    if recorded.is_err() {
        tracing::warn!("could not record a draft view");
    }
}

/// Adds one effect to its rollup row.
pub(super) async fn apply(tx: &mut Tx, effect: &Effect) -> Result<(), AppError> {
    let mut params = Params { values: Vec::new() };
    let sql = upsert_sql(effect, &mut params, None);
    execute(
        tx,
        Statement {
            sql,
            texts_and_numbers: params.values,
        },
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drafts::model::Platform;

    const AT: i64 = 1_795_633_380_000; // 2026-11-25 19:03 UTC

    fn event(activity: Activity) -> Event {
        Event {
            id: "e1".into(),
            actor: Some("ada".into()),
            draft: Some("d1".into()),
            at: AT,
            activity,
        }
    }

    #[test]
    fn a_segment_counts_for_the_draft_the_day_and_the_hour() {
        let added = effects(&event(Activity::SegmentAdded {
            segment_id: "s".into(),
            characters: 12,
        }));
        assert_eq!(added.len(), 3);
        assert!(added.contains(&Effect::UserDay {
            user: "ada".into(),
            day: day_of(AT),
            counts: UserDayCounts {
                segments: 1,
                characters: 12,
                ..Default::default()
            }
        }));
    }

    #[test]
    fn a_pass_counts_as_given_and_received() {
        let passed = effects(&event(Activity::RingPassed { to: "bob".into() }));
        let received = passed.iter().any(|e| {
            matches!(e, Effect::UserDay { user, counts, .. } if user == "bob" && counts.passes_received == 1)
        });
        assert!(received);
        assert!(effects(&event(Activity::RingReclaimed { from: "bob".into() })).is_empty());
    }

    #[test]
    fn views_count_on_the_draft_only() {
        let viewed = effects(&event(Activity::DraftViewed));
        assert_eq!(viewed.len(), 1);
        assert!(matches!(&viewed[0], Effect::DraftDay { counts, .. } if counts.views == 1));
        assert_eq!(
            effects(&event(Activity::DraftCreated {
                platform: Platform::X
            }))
            .len(),
            1
        );
    }

    #[test]
    fn hourly_events_share_an_id_within_the_hour() {
        let a = Event::hourly("v", Some("v"), "d", AT, Activity::DraftViewed);
        let b = Event::hourly(
            "v",
            Some("v"),
            "d",
            AT + 10 * 60 * 1000,
            Activity::DraftViewed,
        );
        let c = Event::hourly("v", Some("v"), "d", AT + HOUR_MS, Activity::DraftViewed);
        assert_eq!(a.id, b.id);
        assert_ne!(a.id, c.id);
    }

    #[test]
    fn upserts_only_name_the_counts_that_change() {
        let mut params = Params { values: Vec::new() };
        let sql = upsert_sql(
            &Effect::UserDay {
                user: "ada".into(),
                day: 3,
                counts: UserDayCounts {
                    segments: 1,
                    ..Default::default()
                },
            },
            &mut params,
            Some("new_event"),
        );
        assert_eq!(
            sql,
            "INSERT INTO analytics_user_days (user_id, day, segments) SELECT $1, $2, $3 FROM new_event \
             ON CONFLICT (user_id, day) DO UPDATE SET segments = analytics_user_days.segments + excluded.segments"
        );
    }
}
