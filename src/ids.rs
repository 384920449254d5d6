//! Record ids as they arrive from a request. Every id the app makes is a UUID (text); an id
//! of any other shape cannot name a record, so it is answered as "not found" before any
//! database sees it (PostgreSQL refuses a NUL byte in text with an error, SQLite stores it).

use crate::error::AppError;

/// `raw` if it has the shape of one of our ids, else `NotFound`.
pub fn parse_id(raw: &str) -> Result<&str, AppError> {
    if is_uuid(raw) {
        Ok(raw)
    } else {
        Err(AppError::NotFound)
    }
}

/// Like [`parse_id`] for an id naming something the caller picked from a list (a person to
/// pass the ring to): a malformed one is a mistake in that field.
pub fn parse_field_id<'a>(field: &str, raw: &'a str) -> Result<&'a str, AppError> {
    parse_id(raw).map_err(|_| AppError::validation(field, "Choose someone from the list."))
}

/// The canonical hyphenated form: 8-4-4-4-12 hex digits.
pub fn is_uuid(raw: &str) -> bool {
    raw.len() == 36
        && raw.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_uuids_are_ids() {
        assert!(parse_id("0b7e6c2e-1111-4a4a-9c9c-000000000001").is_ok());
        for bad in [
            "",
            "\n",
            "1",
            "0b7e6c2e-1111-4a4a-9c9c-00000000000\u{0}",
            "0b7e6c2e_1111_4a4a_9c9c_000000000001",
            "0b7e6c2e-1111-4a4a-9c9c-0000000000012",
            "../../etc/passwd",
        ] {
            assert_eq!(parse_id(bad), Err(AppError::NotFound), "{bad:?}");
        }
        assert!(parse_field_id("to_user_id", "x")
            .err()
            .is_some_and(|e| e.for_field("to_user_id").is_some()));
    }
}
