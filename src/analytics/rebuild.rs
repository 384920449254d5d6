//! Rebuilding the rollups from the event store, their source of truth:
//! `onering analytics rebuild`. The rollups are emptied and every event is replayed, in
//! (time, id) order, through the same [`effects`] that incremental recording applies, so a
//! rebuild gives exactly what recording gave (the tests compare the two).
//!
//! It runs as one write: on SQLite the writer takes nothing else meanwhile; on PostgreSQL the
//! event table is locked against new events (`SHARE` mode) and the unfolded ones against
//! their folds until it commits, so no event is counted twice or lost between the replay and
//! the switch.

use std::collections::BTreeMap;

use super::events::{effects, DraftDayCounts, Effect, StoredRow, UserDayCounts, UserHourCounts};
use crate::db::{is_postgres, Db, Tx};
use crate::error::AppError;

const PAGE: i64 = 5_000;
const ROWS_PER_INSERT: usize = 400;

/// What a rebuild did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Rebuilt {
    pub events: u64,
    pub draft_days: u64,
    pub user_days: u64,
    pub user_hours: u64,
}

#[derive(Default)]
struct Totals {
    draft_days: BTreeMap<(String, i64, String), DraftDayCounts>,
    user_days: BTreeMap<(String, i64), UserDayCounts>,
    user_hours: BTreeMap<(String, i64), UserHourCounts>,
}

impl Totals {
    fn add(&mut self, effect: Effect) {
        match effect {
            Effect::DraftDay {
                draft,
                day,
                user,
                counts: c,
            } => {
                let t = self.draft_days.entry((draft, day, user)).or_default();
                t.segments += c.segments;
                t.characters += c.characters;
                t.passes += c.passes;
                t.views += c.views;
                t.card_views += c.card_views;
                t.card_copies += c.card_copies;
            }
            Effect::UserDay {
                user,
                day,
                counts: c,
            } => {
                let t = self.user_days.entry((user, day)).or_default();
                t.drafts_started += c.drafts_started;
                t.segments += c.segments;
                t.characters += c.characters;
                t.passes_given += c.passes_given;
                t.passes_received += c.passes_received;
            }
            Effect::UserHour {
                user,
                hour,
                counts: c,
            } => {
                let t = self.user_hours.entry((user, hour)).or_default();
                t.segments += c.segments;
                t.characters += c.characters;
                t.passes_given += c.passes_given;
            }
        }
    }
}

/// Empties the rollups and replays every event into them.
pub async fn rebuild(db: &Db) -> Result<Rebuilt, AppError> {
    db.write_with(|tx| Box::pin(async move { rebuild_in(tx).await }))
        .await
}

async fn rebuild_in(tx: &mut Tx) -> Result<Rebuilt, AppError> {
    if is_postgres(tx) {
        sqlx::query("LOCK TABLE analytics_events IN SHARE MODE")
            .execute(&mut **tx)
            .await?;
        // Folds under way finish first; later ones find nothing left to fold.
        sqlx::query("LOCK TABLE analytics_unfolded IN EXCLUSIVE MODE")
            .execute(&mut **tx)
            .await?;
    }
    // The replay folds every event, including those still waiting to be.
    for table in [
        "analytics_unfolded",
        "analytics_draft_days",
        "analytics_user_days",
        "analytics_user_hours",
    ] {
        sqlx::query(&format!("DELETE FROM {table}"))
            .execute(&mut **tx)
            .await?;
    }
    let mut totals = Totals::default();
    let mut events = 0;
    let mut after: (i64, String) = (i64::MIN, String::new());
    loop {
        let page = sqlx::query_as::<_, StoredRow>(
            "SELECT id, schema_version, actor_id, draft_id, occurred_at, payload \
             FROM analytics_events WHERE occurred_at > $1 OR (occurred_at = $1 AND id > $2) \
             ORDER BY occurred_at, id LIMIT $3",
        )
        .bind(after.0)
        .bind(&after.1)
        .bind(PAGE)
        .fetch_all(&mut **tx)
        .await?;
        let full = page.len() as i64 == PAGE;
        for row in page {
            after = row.order_key();
            let event = row.into_event().map_err(|err| {
                tracing::error!(error = %err, "rebuild refused an event");
                AppError::conflict(err.to_string())
            })?;
            for effect in effects(&event) {
                totals.add(effect);
            }
            events += 1;
        }
        if !full {
            break;
        }
    }
    let draft_days = insert_rows(
        tx,
        "analytics_draft_days (draft_id, day, user_id, segments, characters, passes, views, card_views, card_copies)",
        totals.draft_days.into_iter().map(|((draft, day, user), c)| {
            (vec![draft, user], vec![day, c.segments, c.characters, c.passes, c.views, c.card_views, c.card_copies])
        }),
        |texts, numbers| format!("({}, {}, {}, {}, {}, {}, {}, {}, {})", texts[0], numbers[0], texts[1], numbers[1], numbers[2], numbers[3], numbers[4], numbers[5], numbers[6]),
    )
    .await?;
    let user_days = insert_rows(
        tx,
        "analytics_user_days (user_id, day, drafts_started, segments, characters, passes_given, passes_received)",
        totals.user_days.into_iter().map(|((user, day), c)| {
            (vec![user], vec![day, c.drafts_started, c.segments, c.characters, c.passes_given, c.passes_received])
        }),
        |texts, numbers| format!("({}, {})", texts[0], numbers.join(", ")),
    )
    .await?;
    let user_hours = insert_rows(
        tx,
        "analytics_user_hours (user_id, hour, segments, characters, passes_given)",
        totals.user_hours.into_iter().map(|((user, hour), c)| {
            (
                vec![user],
                vec![hour, c.segments, c.characters, c.passes_given],
            )
        }),
        |texts, numbers| format!("({}, {})", texts[0], numbers.join(", ")),
    )
    .await?;
    Ok(Rebuilt {
        events,
        draft_days,
        user_days,
        user_hours,
    })
}

/// Inserts rows (their text values, then their numbers) a few hundred per statement;
/// `row_sql` places one row's placeholders in column order.
async fn insert_rows(
    tx: &mut Tx,
    table_and_columns: &str,
    rows: impl Iterator<Item = (Vec<String>, Vec<i64>)>,
    row_sql: impl Fn(&[String], &[String]) -> String,
) -> Result<u64, AppError> {
    let rows: Vec<(Vec<String>, Vec<i64>)> = rows.collect();
    let mut written = 0;
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let mut n = 0;
        let mut placeholder = || {
            n += 1;
            format!("${n}")
        };
        let mut values = Vec::with_capacity(chunk.len());
        for (texts, numbers) in chunk {
            let t: Vec<String> = texts.iter().map(|_| placeholder()).collect();
            let m: Vec<String> = numbers.iter().map(|_| placeholder()).collect();
            values.push(row_sql(&t, &m));
        }
        let sql = format!(
            "INSERT INTO {table_and_columns} VALUES {}",
            values.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for (texts, numbers) in chunk {
            for text in texts {
                query = query.bind(text.clone());
            }
            for number in numbers {
                query = query.bind(*number);
            }
        }
        written += query.execute(&mut **tx).await?.rows_affected();
    }
    Ok(written)
}
