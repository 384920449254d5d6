//! Settings rows: one per person who changed anything; everyone else has the defaults.

use super::types::Settings;
use crate::db::{Db, Tx};
use crate::error::AppError;

pub async fn settings(db: &Db, user_id: &str) -> Result<Settings, AppError> {
    let row: Option<i64> =
        sqlx::query_scalar("SELECT show_on_leaderboards FROM user_settings WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(db.pool())
            .await?;
    Ok(row.map_or_else(Settings::default, |shown| Settings {
        show_on_leaderboards: shown != 0,
    }))
}

/// Shows or hides the person on every leaderboard at once (boards read this on each request).
pub async fn set_leaderboards(
    tx: &mut Tx,
    user_id: &str,
    shown: bool,
    now: i64,
) -> Result<Settings, AppError> {
    sqlx::query(
        "INSERT INTO user_settings (user_id, show_on_leaderboards, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id) DO UPDATE SET show_on_leaderboards = excluded.show_on_leaderboards, \
         updated_at = excluded.updated_at",
    )
    .bind(user_id)
    .bind(i64::from(shown))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(Settings {
        show_on_leaderboards: shown,
    })
}
