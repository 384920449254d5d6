//! Time as every deterministic number in OneRing sees it: an instant is Unix milliseconds
//! (UTC), a day is a whole UTC day counted from 1970-01-01, and every metric, suggestion
//! and card takes an optional `now` so that the same data and the same `now` give the same
//! bytes. A day in someone's own time zone is a [`Zone`]'s day: days since 1970-01-01 on
//! their local calendar (server only).

#[cfg(feature = "ssr")]
use crate::error::AppError;

pub const HOUR_MS: i64 = 60 * 60 * 1000;
pub const DAY_MS: i64 = 24 * HOUR_MS;

/// The UTC day `ms` falls in (days since 1970-01-01; negative before it).
pub fn day_of(ms: i64) -> i64 {
    ms.div_euclid(DAY_MS)
}

/// The first millisecond of UTC day `day`.
pub fn day_start(day: i64) -> i64 {
    day * DAY_MS
}

/// The earliest and latest `now` accepted: far enough to replay any history, near enough
/// that no date arithmetic overflows.
#[cfg(feature = "ssr")]
const NOW_RANGE_MS: (i64, i64) = (946_684_800_000, 4_102_444_800_000); // 2000 to 2100

/// The `now` a request asked for: RFC 3339 / ISO 8601 (`2026-12-01T10:00:00Z`), or Unix
/// milliseconds; absent means the clock. Anything else, or outside the years 2000–2099,
/// is a 422 on the `now` field.
#[cfg(feature = "ssr")]
pub fn parse_now(raw: Option<&str>) -> Result<i64, AppError> {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(crate::db::now_ms());
    };
    let invalid = || {
        AppError::validation(
            "now",
            "Give `now` as an ISO 8601 time (2026-12-01T10:00:00Z) or Unix milliseconds, between the years 2000 and 2099.",
        )
    };
    let ms = if raw.bytes().all(|b| b.is_ascii_digit()) {
        raw.parse::<i64>().map_err(|_| invalid())?
    } else {
        chrono::DateTime::parse_from_rfc3339(raw)
            .map_err(|_| invalid())?
            .timestamp_millis()
    };
    if !(NOW_RANGE_MS.0..NOW_RANGE_MS.1).contains(&ms) {
        return Err(invalid());
    }
    Ok(ms)
}

/// `now` as RFC 3339 with milliseconds (what cards and insights say they were made at).
pub fn rfc3339(ms: i64) -> String {
    let day = day_of(ms);
    let in_day = ms - day_start(day);
    let (year, month, dom) = civil_from_days(day);
    format!(
        "{year:04}-{month:02}-{dom:02}T{:02}:{:02}:{:02}.{:03}Z",
        in_day / HOUR_MS,
        (in_day % HOUR_MS) / 60_000,
        (in_day % 60_000) / 1000,
        in_day % 1000
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day); Howard Hinnant's
/// algorithm.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// "Dec 1" for a day, the way chart axes label it.
pub fn short_date(day: i64) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (_, month, dom) = civil_from_days(day);
    format!("{} {dom}", MONTHS[(month as usize).saturating_sub(1) % 12])
}

/// A person's time zone: an IANA name (`Europe/Berlin`) from the tz database.
#[cfg(feature = "ssr")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zone(chrono_tz::Tz);

#[cfg(feature = "ssr")]
impl Zone {
    pub const UTC: Zone = Zone(chrono_tz::Tz::UTC);

    /// The zone named `name` (exactly as the tz database spells it); anything else is a
    /// 422 on the `time_zone` field.
    pub fn parse(name: &str) -> Result<Self, AppError> {
        let name = name.trim();
        (name.len() <= 64)
            .then(|| name.parse::<chrono_tz::Tz>().ok())
            .flatten()
            .map(Zone)
            .ok_or_else(|| {
                AppError::validation(
                    "time_zone",
                    "That isn't a time zone we know. Use a name like Europe/Berlin, America/New_York or UTC.",
                )
            })
    }

    /// A stored name; one that no longer parses (the tz database dropped it) reads as UTC.
    pub fn stored(name: &str) -> Self {
        Self::parse(name).unwrap_or(Self::UTC)
    }

    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    /// The instant a local date and time names here (the earlier of two when a clock change
    /// repeats it; `None` when a change skips it).
    pub fn instant(&self, local: chrono::NaiveDateTime) -> Option<i64> {
        use chrono::TimeZone;
        self.0
            .from_local_datetime(&local)
            .earliest()
            .map(|t| t.timestamp_millis())
    }

    /// `ms` on this zone's clock, as a `datetime-local` field holds it (`2027-01-31T18:30`).
    pub fn local_input(&self, ms: i64) -> String {
        chrono::DateTime::from_timestamp_millis(ms)
            .map(|t| {
                t.with_timezone(&self.0)
                    .format("%Y-%m-%dT%H:%M")
                    .to_string()
            })
            .unwrap_or_default()
    }

    /// `ms` on this zone's clock, to read (`2027-01-31 18:30 Europe/Berlin`).
    pub fn local_text(&self, ms: i64) -> String {
        chrono::DateTime::from_timestamp_millis(ms)
            .map(|t| {
                format!(
                    "{} {}",
                    t.with_timezone(&self.0).format("%Y-%m-%d %H:%M"),
                    self.name()
                )
            })
            .unwrap_or_default()
    }

    /// The local day (days since 1970-01-01 on this zone's calendar) instant `ms` is in.
    pub fn day_of(&self, ms: i64) -> i64 {
        use chrono::Datelike;
        chrono::DateTime::from_timestamp_millis(ms).map_or_else(
            || day_of(ms),
            |t| {
                i64::from(t.with_timezone(&self.0).date_naive().num_days_from_ce())
                    - CE_TO_UNIX_DAYS
            },
        )
    }

    /// The first instant of the local day after `day`: where `day` ends. A midnight that
    /// a daylight-saving change skips ends the day at the first local time that exists.
    pub fn day_end(&self, day: i64) -> i64 {
        use chrono::TimeZone;
        let next = day + 1;
        let Some(date) = i32::try_from(next + CE_TO_UNIX_DAYS)
            .ok()
            .and_then(chrono::NaiveDate::from_num_days_from_ce_opt)
        else {
            return day_start(next);
        };
        (0..=24 * 4)
            .filter_map(|quarter| {
                let local = date.and_hms_opt(0, 0, 0)? + chrono::Duration::minutes(15 * quarter);
                self.0.from_local_datetime(&local).earliest()
            })
            .map(|t| t.timestamp_millis())
            .next()
            .unwrap_or_else(|| day_start(next))
    }
}

/// Days from 0001-01-01 (chrono's day 1) to 1970-01-01.
#[cfg(feature = "ssr")]
const CE_TO_UNIX_DAYS: i64 = 719_163;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_utc_days() {
        assert_eq!(day_of(0), 0);
        assert_eq!(day_of(DAY_MS - 1), 0);
        assert_eq!(day_of(DAY_MS), 1);
        assert_eq!(day_of(-1), -1);
        assert_eq!(day_start(day_of(1_795_633_380_000)), 1_795_564_800_000);
    }

    #[test]
    fn instants_print_as_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_795_633_380_123), "2026-11-25T19:03:00.123Z");
        assert_eq!(short_date(day_of(1_795_633_380_123)), "Nov 25");
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn now_is_iso_or_unix_ms_within_range() {
        assert_eq!(
            parse_now(Some("2026-11-25T19:03:00Z")),
            Ok(1_795_633_380_000)
        );
        assert_eq!(
            parse_now(Some("2026-11-25T20:03:00+01:00")),
            Ok(1_795_633_380_000)
        );
        assert_eq!(parse_now(Some("1795633380000")), Ok(1_795_633_380_000));
        for bad in [
            "yesterday",
            "2026-13-01T00:00:00Z",
            "99999999999999999999",
            "1",
            "3000-01-01T00:00:00Z",
            "-5",
        ] {
            let err = parse_now(Some(bad)).err();
            assert!(err.is_some_and(|e| e.for_field("now").is_some()), "{bad}");
        }
        assert!(parse_now(None).is_ok());
        assert!(parse_now(Some(" ")).is_ok());
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn zones_are_iana_names_and_their_days_are_local() {
        // 2026-11-25 19:03 UTC: already the 26th in Kiritimati (UTC+14) and Auckland (UTC+13
        // in summer), still the 25th in Pago Pago (UTC-11).
        let now = 1_795_633_380_000;
        let utc_day = day_of(now);
        assert_eq!(Zone::UTC.day_of(now), utc_day);
        assert_eq!(
            Zone::parse("Pacific/Auckland").map(|z| z.day_of(now)),
            Ok(utc_day + 1)
        );
        assert_eq!(
            Zone::parse("Pacific/Pago_Pago").map(|z| z.day_of(now)),
            Ok(utc_day)
        );
        assert_eq!(
            Zone::parse(" Europe/Berlin ").map(|z| z.name()),
            Ok("Europe/Berlin")
        );
        for bad in [
            "",
            "Mars/Olympus",
            "europe/berlin",
            "UTC+2",
            &"A".repeat(200),
            "Europe/Berlin\0",
        ] {
            let err = Zone::parse(bad).err();
            assert!(
                err.is_some_and(|e| e.for_field("time_zone").is_some()),
                "{bad}"
            );
        }
        assert_eq!(Zone::stored("Nowhere/Gone"), Zone::UTC);
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn a_local_day_ends_at_the_next_local_midnight_even_across_daylight_saving() {
        let berlin = Zone::parse("Europe/Berlin").unwrap_or(Zone::UTC);
        // 2026-03-29 (the clocks go forward at 02:00): a 23-hour day.
        let spring = berlin.day_of(1_774_742_400_000); // 2026-03-29 00:00 UTC
        let length = berlin.day_end(spring) - berlin.day_end(spring - 1);
        assert_eq!(length, 23 * HOUR_MS);
        assert_eq!(berlin.day_of(berlin.day_end(spring)), spring + 1);
        assert_eq!(berlin.day_of(berlin.day_end(spring) - 1), spring);
        // Santiago skips midnight when its summer time starts (2026-09-06): that day
        // starts at 01:00 and the day before ends there.
        let santiago = Zone::parse("America/Santiago").unwrap_or(Zone::UTC);
        let day = santiago.day_of(1_788_652_800_000); // 2026-09-06 00:00 UTC, still the 5th there
        let end = santiago.day_end(day);
        assert_eq!(santiago.day_of(end), day + 1);
        assert_eq!(santiago.day_of(end - 1), day);
    }
}
