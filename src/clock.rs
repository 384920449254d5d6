//! Time as every deterministic number in OneRing sees it: an instant is Unix milliseconds
//! (UTC), a day is a whole UTC day counted from 1970-01-01, and every metric, suggestion
//! and card takes an optional `now` so that the same data and the same `now` give the same
//! bytes. A day in someone's own time zone is `crate::clock::local_day` (see the daily loop).

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
}
