//! Settings rows: one per person who changed anything; everyone else has the defaults.

use sqlx::FromRow;

use super::types::Settings;
use crate::clock::Zone;
use crate::db::{Db, Tx};
use crate::error::AppError;

#[derive(FromRow)]
struct SettingsRow {
    show_on_leaderboards: i64,
    time_zone: String,
    profile_private: i64,
}

impl From<SettingsRow> for Settings {
    fn from(row: SettingsRow) -> Self {
        Self {
            show_on_leaderboards: row.show_on_leaderboards != 0,
            time_zone: Zone::stored(&row.time_zone).name().to_owned(),
            profile_private: row.profile_private != 0,
        }
    }
}

const COLUMNS: &str = "show_on_leaderboards, time_zone, profile_private";

pub async fn settings(db: &Db, user_id: &str) -> Result<Settings, AppError> {
    let row = sqlx::query_as::<_, SettingsRow>(&format!(
        "SELECT {COLUMNS} FROM user_settings WHERE user_id = $1"
    ))
    .bind(user_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map_or_else(Settings::default, Settings::from))
}

/// A person's time zone (UTC until they choose one).
pub async fn zone_of(db: &Db, user_id: &str) -> Result<Zone, AppError> {
    let name: Option<String> =
        sqlx::query_scalar("SELECT time_zone FROM user_settings WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(db.pool())
            .await?;
    Ok(name.map_or(Zone::UTC, |n| Zone::stored(&n)))
}

/// One setting changed, the others kept (a first change creates the row with the
/// defaults); the new settings, read in the same transaction.
async fn change(
    tx: &mut Tx,
    user_id: &str,
    column: &'static str,
    value: SettingValue,
    now: i64,
) -> Result<Settings, AppError> {
    let sql = format!(
        "INSERT INTO user_settings (user_id, {column}, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id) DO UPDATE SET {column} = excluded.{column}, \
         updated_at = excluded.updated_at"
    );
    let query = sqlx::query(&sql).bind(user_id);
    let query = match value {
        SettingValue::Flag(on) => query.bind(i64::from(on)),
        SettingValue::Text(text) => query.bind(text),
    };
    query.bind(now).execute(&mut **tx).await?;
    let row = sqlx::query_as::<_, SettingsRow>(&format!(
        "SELECT {COLUMNS} FROM user_settings WHERE user_id = $1"
    ))
    .bind(user_id)
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.into())
}

enum SettingValue {
    Flag(bool),
    Text(String),
}

/// Shows or hides the person on every leaderboard at once (boards read this on each request).
pub async fn set_leaderboards(
    tx: &mut Tx,
    user_id: &str,
    shown: bool,
    now: i64,
) -> Result<Settings, AppError> {
    change(
        tx,
        user_id,
        "show_on_leaderboards",
        SettingValue::Flag(shown),
        now,
    )
    .await
}

/// The person's days follow `zone` from the next page they load.
pub async fn set_time_zone(
    tx: &mut Tx,
    user_id: &str,
    zone: Zone,
    now: i64,
) -> Result<Settings, AppError> {
    change(
        tx,
        user_id,
        "time_zone",
        SettingValue::Text(zone.name().to_owned()),
        now,
    )
    .await
}

/// Hides the profile page (the same 404 as an unknown handle) or shows it again.
pub async fn set_profile_private(
    tx: &mut Tx,
    user_id: &str,
    private: bool,
    now: i64,
) -> Result<Settings, AppError> {
    change(
        tx,
        user_id,
        "profile_private",
        SettingValue::Flag(private),
        now,
    )
    .await
}
