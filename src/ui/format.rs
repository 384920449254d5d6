//! Deterministic formatting shared by server rendering and hydration: the same input always
//! gives the same text, whatever the browser's clock or time zone.

use crate::clock::civil_from_days;

/// `2026-11-25 19:03 UTC` from Unix milliseconds.
pub fn utc_datetime(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let in_day = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        in_day / 3600,
        (in_day % 3600) / 60
    )
}

/// `text` made safe inside markup, as element content or a quoted attribute value.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    push_escaped(&mut out, text);
    out
}

/// Appends `text` to `out`, escaped as [`escape_html`] does (no intermediate string).
pub fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// "1 segment", "3 segments".
pub fn count(n: i64, noun: &str) -> String {
    counted(n, noun, &format!("{noun}s"))
}

/// "1 person", "3 people": for nouns whose plural is not just an "s".
pub fn counted(n: i64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// "once", "twice", "5 times".
pub fn times(n: i64) -> String {
    match n {
        1 => "once".to_owned(),
        2 => "twice".to_owned(),
        n => format!("{n} times"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_say_one_or_many() {
        assert_eq!(count(1, "segment"), "1 segment");
        assert_eq!(count(0, "segment"), "0 segments");
        assert_eq!(counted(3, "person", "people"), "3 people");
        assert_eq!(
            (times(1), times(2), times(7)),
            ("once".into(), "twice".into(), "7 times".into())
        );
        assert_eq!(count(12, "character"), "12 characters");
    }

    #[test]
    fn markup_characters_are_escaped() {
        assert_eq!(
            escape_html(r#"<a href="y">&'é"#),
            "&lt;a href=&quot;y&quot;&gt;&amp;&#39;é"
        );
    }

    #[test]
    fn formats_known_instants() {
        assert_eq!(utc_datetime(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc_datetime(951_782_400_000), "2000-02-29 00:00 UTC");
        assert_eq!(utc_datetime(1_795_633_380_000), "2026-11-25 19:03 UTC");
        assert_eq!(utc_datetime(-1), "1969-12-31 23:59 UTC");
    }
}
