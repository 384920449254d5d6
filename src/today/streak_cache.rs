//! Streaks over finished days, kept per server.
//!
//! A streak needs every day someone ever wrote on (the longest run is all time), but the
//! days before yesterday can no longer change: a rollup hour only grows while it is the
//! hour an event happens, by the server's clock, and deleting a segment takes nothing
//! away. So the streak folded over those days ([`StreakFold`], a few numbers) is kept per
//! person and time zone, and a request reads only yesterday's and today's writing hours.
//! Yesterday stays open so that a write stamped by another server whose clock is behind
//! still lands in a day no server has sealed. The result equals a fold over all the days
//! (tested), so the same data and `now` give the same bytes, cached or not.

use std::collections::HashMap;
use std::sync::Mutex;

use super::store;
use super::streak::StreakFold;
use crate::clock::{Zone, HOUR_MS};
use crate::db::Db;
use crate::error::AppError;

/// People kept at once (about a hundred bytes each); past it, an entry is dropped and
/// rebuilt by one read when its person comes back.
const CAPACITY: usize = 50_000;

/// A person's days of writing before `first_open_day`, folded.
#[derive(Debug, Clone)]
struct Sealed {
    first_open_day: i64,
    fold: StreakFold,
    last_hour: Option<i64>,
}

/// Someone's writing days up to now: the streak's fold, and the last hour they wrote in.
pub struct Writing {
    pub fold: StreakFold,
    pub last_hour: Option<i64>,
}

/// The first hour (as the rollups number them) that starts on local day `day` or later: a
/// zone's offset may be a part of an hour, so a day can begin inside one.
fn first_hour_in(zone: Zone, day: i64) -> i64 {
    let start = zone.day_end(day - 1);
    start.div_euclid(HOUR_MS) + i64::from(start.rem_euclid(HOUR_MS) != 0)
}

#[derive(Debug, Default)]
pub struct StreakCache {
    sealed: Mutex<HashMap<(String, &'static str), Sealed>>,
}

impl StreakCache {
    /// The writing days of `user_id`, whose days follow `zone`, up to `now_hour` (an hour
    /// of local day `today`).
    pub async fn writing(
        &self,
        db: &Db,
        user_id: &str,
        zone: Zone,
        today: i64,
        now_hour: i64,
    ) -> Result<Writing, AppError> {
        let first_open_day = today - 1;
        let first_open_hour = first_hour_in(zone, first_open_day);
        let key = (user_id.to_owned(), zone.name());
        let kept = self
            .lock()
            .get(&key)
            .filter(|s| s.first_open_day == first_open_day)
            .cloned();
        let sealed = match kept {
            Some(sealed) => sealed,
            None => {
                let hours =
                    store::writing_hours(db, user_id, i64::MIN, first_open_hour - 1).await?;
                let mut fold = StreakFold::default();
                hours
                    .iter()
                    .for_each(|h| fold.push(zone.day_of(h * HOUR_MS)));
                let sealed = Sealed {
                    first_open_day,
                    fold,
                    last_hour: hours.last().copied(),
                };
                self.keep(key, &sealed);
                sealed
            }
        };
        let open = store::writing_hours(db, user_id, first_open_hour, now_hour).await?;
        let mut fold = sealed.fold;
        open.iter()
            .for_each(|h| fold.push(zone.day_of(h * HOUR_MS)));
        Ok(Writing {
            fold,
            last_hour: open.last().copied().or(sealed.last_hour),
        })
    }

    /// Keeps `sealed` unless a later day is kept already (an explicit past `now` reads
    /// afresh and leaves today's entry alone).
    fn keep(&self, key: (String, &'static str), sealed: &Sealed) {
        let mut entries = self.lock();
        if entries
            .get(&key)
            .is_some_and(|kept| kept.first_open_day >= sealed.first_open_day)
        {
            return;
        }
        if entries.len() >= CAPACITY && !entries.contains_key(&key) {
            if let Some(any) = entries.keys().next().cloned() {
                entries.remove(&any);
            }
        }
        entries.insert(key, sealed.clone());
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(String, &'static str), Sealed>> {
        self.sealed.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_open_hour_is_the_first_to_start_on_that_day() {
        for name in [
            "UTC",
            "Europe/Berlin",
            "Asia/Kolkata",
            "Asia/Kathmandu",
            "Pacific/Auckland",
            "Pacific/Pago_Pago",
        ] {
            let zone = Zone::parse(name).expect("a real zone");
            // A year of days, across both daylight-saving changes where there are any.
            for day in 20_400..20_800 {
                let hour = first_hour_in(zone, day);
                assert_eq!(zone.day_of(hour * HOUR_MS), day, "{name} {day}");
                assert_eq!(zone.day_of((hour - 1) * HOUR_MS), day - 1, "{name} {day}");
            }
        }
    }
}
