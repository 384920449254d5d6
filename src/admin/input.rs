//! Reading what an admin typed: reasons, entitlement values, expiry times and date filters.
//! Every refusal is a 422 naming its field.

use crate::error::AppError;
use crate::plans::types::{Entitlement, Value};

/// The most an override may set a limit to: far above any plan, far below any overflow.
pub const MAX_LIMIT: i64 = 1_000_000;

/// Why the admin did it: one line, required (the audit trail needs it).
pub fn reason(raw: &str) -> Result<String, AppError> {
    let reason = crate::text::single_line("reason", raw, 200)?;
    if reason.is_empty() {
        return Err(AppError::validation(
            "reason",
            "Say why, in a few words: the audit log keeps it.",
        ));
    }
    Ok(reason)
}

pub fn entitlement(raw: &str) -> Result<Entitlement, AppError> {
    Entitlement::parse(raw)
        .ok_or_else(|| AppError::validation("entitlement", "There is no entitlement by that name."))
}

/// An override's value: for a feature `included`/`not_included` (or 1/0), for a limit a
/// whole number from 0 to [`MAX_LIMIT`] or `unlimited`.
pub fn value(entitlement: Entitlement, raw: &str) -> Result<Value, AppError> {
    let raw = raw.trim().to_lowercase();
    if entitlement.is_feature() {
        return match raw.as_str() {
            "included" | "1" | "yes" => Ok(Some(1)),
            "not_included" | "0" | "no" => Ok(Some(0)),
            _ => Err(AppError::validation(
                "value",
                "For a feature, choose included or not included.",
            )),
        };
    }
    if raw == "unlimited" {
        return Ok(None);
    }
    match raw.parse::<i64>() {
        Ok(n) if (0..=MAX_LIMIT).contains(&n) => Ok(Some(n)),
        _ => Err(AppError::validation(
            "value",
            format!("Give a whole number from 0 to {MAX_LIMIT}, or unlimited."),
        )),
    }
}

/// A time typed into a form, read as UTC: `2027-01-31`, `2027-01-31T18:30` (what a
/// `datetime-local` field sends), or RFC 3339. Empty is `None`.
pub fn instant(field: &str, raw: &str) -> Result<Option<i64>, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let invalid = || {
        AppError::validation(
            field,
            "Give a date (2027-01-31) or a date and time (2027-01-31T18:30), in UTC, between 2000 and 2099.",
        )
    };
    let ms = if let Ok(date) = chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        date.and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc().timestamp_millis())
    } else if let Ok(local) = chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M") {
        Some(local.and_utc().timestamp_millis())
    } else {
        chrono::DateTime::parse_from_rfc3339(raw)
            .ok()
            .map(|t| t.timestamp_millis())
    }
    .ok_or_else(invalid)?;
    if !(946_684_800_000..4_102_444_800_000).contains(&ms) {
        return Err(invalid());
    }
    Ok(Some(ms))
}

/// An override's expiry: empty for none, else a time after `now`.
pub fn expiry(raw: &str, now: i64) -> Result<Option<i64>, AppError> {
    let expires = instant("expires_at", raw)?;
    if expires.is_some_and(|at| at <= now) {
        return Err(AppError::validation(
            "expires_at",
            "That time has passed: choose one in the future, or leave it empty for no end.",
        ));
    }
    Ok(expires)
}

/// A date range filter: from the start of `from` up to the end of `until` (both optional).
pub fn date_range(from: &str, until: &str) -> Result<(Option<i64>, Option<i64>), AppError> {
    let from_ms = instant("from", from)?;
    let until_ms = instant("until", until)?.map(|start| {
        // A bare date means the whole of that day.
        if until.trim().len() == 10 {
            start + crate::clock::DAY_MS
        } else {
            start
        }
    });
    Ok((from_ms, until_ms))
}

/// An optional filter: trimmed, empty means no filter, at most 200 characters.
pub fn filter(field: &str, raw: &str) -> Result<Option<String>, AppError> {
    let value = crate::text::single_line(field, raw, 200)?;
    Ok((!value.is_empty()).then_some(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_required_and_one_line() {
        assert_eq!(
            reason("  pilot customer ").ok().as_deref(),
            Some("pilot customer")
        );
        assert!(reason("   ").is_err());
        assert!(reason("two\nlines").is_err());
        assert!(reason(&"x".repeat(201)).is_err());
    }

    #[test]
    fn values_follow_the_entitlement_kind() {
        assert_eq!(value(Entitlement::DraftsMax, "12").ok(), Some(Some(12)));
        assert_eq!(value(Entitlement::DraftsMax, "Unlimited").ok(), Some(None));
        assert!(value(Entitlement::DraftsMax, "-1").is_err());
        assert!(value(Entitlement::DraftsMax, "1000001").is_err());
        assert!(value(Entitlement::DraftsMax, "9223372036854775808").is_err());
        assert!(value(Entitlement::DraftsMax, "included").is_err());
        assert_eq!(
            value(Entitlement::AnalyticsEnabled, "included").ok(),
            Some(Some(1))
        );
        assert_eq!(
            value(Entitlement::AnalyticsEnabled, "0").ok(),
            Some(Some(0))
        );
        assert!(value(Entitlement::AnalyticsEnabled, "7").is_err());
    }

    #[test]
    fn times_read_as_utc_and_must_be_ahead_for_expiry() {
        assert_eq!(instant("x", "").ok(), Some(None));
        assert_eq!(
            instant("x", "2027-01-01").ok(),
            Some(Some(1_798_761_600_000))
        );
        assert_eq!(
            instant("x", "2027-01-01T00:01").ok(),
            Some(Some(1_798_761_660_000))
        );
        assert_eq!(
            instant("x", "2027-01-01T01:00:00+01:00").ok(),
            Some(Some(1_798_761_600_000))
        );
        assert!(instant("x", "2027-02-30").is_err());
        assert!(instant("x", "1999-12-31").is_err());
        assert!(instant("x", "soon").is_err());
        assert!(expiry("2027-01-01", 1_798_761_600_000).is_err());
        assert_eq!(
            expiry("2027-01-01", 1_798_761_599_999).ok(),
            Some(Some(1_798_761_600_000))
        );
    }

    #[test]
    fn a_date_range_covers_the_last_day_whole() {
        assert_eq!(
            date_range("2027-01-01", "2027-01-01").ok(),
            Some((Some(1_798_761_600_000), Some(1_798_848_000_000)))
        );
        assert_eq!(date_range("", "").ok(), Some((None, None)));
        assert!(date_range("tomorrow", "").is_err());
    }
}
