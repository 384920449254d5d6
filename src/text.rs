//! Rules every piece of user-written text follows before it is stored, in the browser (for
//! instant feedback) and on the server (as the authority):
//!
//! - control characters are refused (a NUL, a bell, an escape), except line breaks and tabs
//!   in multi-line text; line breaks are stored as `\n` whatever the browser sent;
//! - bidirectional embedding, override and isolate characters (U+202A–U+202E,
//!   U+2066–U+2069) are refused: they let a title or a post display as something other than
//!   what it is. Right-to-left text needs none of them (the marks U+200E/U+200F are kept);
//! - a hard cap in bytes is checked before anything is counted, so no text is ever parsed
//!   past that size, whatever a platform's own count would say (X counts any URL as 23).

use crate::error::AppError;

/// The bidirectional formatting characters that can reorder what a reader sees.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn refuse(field: &str, what: &str) -> AppError {
    AppError::validation(field, format!("Remove the {what} from this text."))
}

/// One line of text (a title, a note): trimmed, at most `max_chars` characters and
/// `4 × max_chars` bytes, without control or bidirectional-override characters. Empty is
/// returned as empty: the caller decides whether that is allowed.
pub fn single_line(field: &str, raw: &str, max_chars: usize) -> Result<String, AppError> {
    let too_long = || {
        AppError::validation(
            field,
            format!("Keep this to one line of at most {max_chars} characters."),
        )
    };
    if raw.len() > 4 * max_chars + 64 {
        return Err(too_long());
    }
    let text = raw.trim();
    if text.chars().any(char::is_control) {
        return Err(refuse(field, "line breaks or control characters"));
    }
    if text.chars().any(is_bidi_control) {
        return Err(refuse(field, "text-direction override characters"));
    }
    if text.chars().count() > max_chars {
        return Err(too_long());
    }
    Ok(text.to_owned())
}

/// Multi-line text (a post): at most `max_bytes` bytes, `\r\n` and `\r` stored as `\n`,
/// trimmed, without control characters other than `\n` and `\t` or bidirectional overrides.
pub fn multi_line(field: &str, raw: &str, max_bytes: usize) -> Result<String, AppError> {
    if raw.len() > max_bytes {
        return Err(AppError::validation(
            field,
            format!("That is more text than one post can hold (at most {max_bytes} bytes)."),
        ));
    }
    let text = raw.replace("\r\n", "\n").replace('\r', "\n");
    let text = text.trim();
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(refuse(field, "control characters"));
    }
    if text.chars().any(is_bidi_control) {
        return Err(refuse(field, "text-direction override characters"));
    }
    Ok(text.to_owned())
}

/// At most `max_bytes` of `text`, cut at a character boundary (for logs and stored error
/// notes, never for what a person wrote).
pub fn truncate(text: &str, max_bytes: usize) -> String {
    let mut end = text.len().min(max_bytes);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

/// A yes-or-no field, sent as `true` or `false`; anything else is a 422 on `field`.
pub fn flag(field: &str, raw: &str) -> Result<bool, AppError> {
    match raw.trim() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(AppError::validation(
            field,
            "Choose yes or no (true or false).",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_lines_refuse_controls_and_overrides() {
        assert_eq!(single_line("title", "  Launch  ", 10), Ok("Launch".into()));
        for bad in [
            "a\u{0}b",
            "a\nb",
            "a\u{1b}[31m",
            "evil\u{202E}txt.exe",
            "a\u{2066}b",
        ] {
            let err = single_line("title", bad, 50).err();
            assert!(
                err.is_some_and(|e| e.for_field("title").is_some()),
                "{bad:?}"
            );
        }
        assert!(single_line("title", &"x".repeat(11), 10).is_err());
        assert!(single_line("title", &"x".repeat(10_000), 10).is_err());
        // Right-to-left text and emoji joiners are ordinary text.
        assert_eq!(
            single_line("title", "שלום עולם", 50),
            Ok("שלום עולם".into())
        );
        assert!(single_line("title", "👨‍👩‍👧 \u{200F}", 50).is_ok());
    }

    #[test]
    fn truncation_keeps_whole_characters() {
        assert_eq!(truncate("héllo", 2), "h");
        assert_eq!(truncate("héllo", 3), "hé");
        assert_eq!(truncate("abc", 10), "abc");
    }

    #[test]
    fn multi_line_text_keeps_breaks_and_tabs_only() {
        assert_eq!(
            multi_line("content", " a\r\nb\rc\td ", 100),
            Ok("a\nb\nc\td".into())
        );
        assert!(multi_line("content", "a\u{0}", 100).is_err());
        assert!(multi_line("content", "a\u{7}", 100).is_err());
        assert!(multi_line("content", "a\u{202D}b", 100).is_err());
        assert!(multi_line("content", &"x".repeat(101), 100).is_err());
    }
}
