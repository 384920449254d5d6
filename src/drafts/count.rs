//! Counting a post's length the way each platform counts it. The same code runs in the
//! browser (the live counter) and on the server (validation), so they never disagree.
//!
//! - X: the weighted count of twitter-text v3: most Latin, Greek, Cyrillic and Hebrew
//!   characters and common punctuation weigh 1, everything else 2 (CJK, most emoji), an emoji
//!   sequence (skin tone, ZWJ family, flag, keycap) weighs 2 as a whole, and every URL counts
//!   as 23 whatever its length.
//! - Bluesky: grapheme clusters (what a reader sees as one character).
//! - Threads, Mastodon, LinkedIn: Unicode code points.
//!
//! Never bytes.

use unicode_segmentation::UnicodeSegmentation;

/// What X counts a URL as, whatever its length (t.co wrapping).
pub const X_URL_WEIGHT: usize = 23;

/// Code point ranges that weigh 1 on X (twitter-text v3 configuration); the rest weigh 2.
const X_LIGHT_RANGES: [(u32, u32); 4] = [(0, 4351), (8192, 8205), (8208, 8223), (8242, 8247)];

fn x_char_weight(c: char) -> usize {
    let cp = u32::from(c);
    if X_LIGHT_RANGES
        .iter()
        .any(|&(lo, hi)| (lo..=hi).contains(&cp))
    {
        1
    } else {
        2
    }
}

/// Whether a grapheme cluster is an emoji sequence that X weighs as 2 in total.
fn is_emoji_sequence(cluster: &str) -> bool {
    let mut chars = cluster.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let has_more = chars.next().is_some();
    let pictographic = |c: char| {
        let cp = u32::from(c);
        (0x1F000..=0x1FAFF).contains(&cp) || (0x2600..=0x27BF).contains(&cp)
    };
    let joined = cluster
        .chars()
        .any(|c| matches!(c, '\u{200D}' | '\u{FE0F}' | '\u{20E3}'));
    pictographic(first) || (has_more && joined)
}

/// Splits `text` into URL and non-URL runs: URLs start a word with `http://`, `https://` or
/// `www.` (followed by something) and run to the next whitespace. One pass, linear in the
/// text: a post full of links costs no more than one without.
fn split_urls(text: &str) -> Vec<(bool, &str)> {
    let mut runs = Vec::new();
    let (mut i, mut run_start) = (0, 0);
    let mut prev: Option<char> = None;
    while let Some(c) = text[i..].chars().next() {
        let starts_word = prev.is_none_or(|p| p.is_whitespace() || "([\"'".contains(p));
        if starts_word && url_starts_at(&text[i..]) {
            let len = text[i..]
                .find(char::is_whitespace)
                .unwrap_or(text.len() - i);
            if i > run_start {
                runs.push((false, &text[run_start..i]));
            }
            runs.push((true, &text[i..i + len]));
            i += len;
            run_start = i;
            prev = text[..i].chars().next_back();
            continue;
        }
        prev = Some(c);
        i += c.len_utf8();
    }
    if run_start < text.len() {
        runs.push((false, &text[run_start..]));
    }
    runs
}

/// Whether `rest` begins with a link prefix (any case) and has something after it.
fn url_starts_at(rest: &str) -> bool {
    ["https://", "http://", "www."].iter().any(|prefix| {
        rest.len() > prefix.len()
            && rest.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
    })
}

/// X's weighted length of `text`.
pub fn x_weighted_length(text: &str) -> usize {
    split_urls(text)
        .into_iter()
        .map(|(is_url, run)| {
            if is_url {
                X_URL_WEIGHT
            } else {
                run.graphemes(true)
                    .map(|g| {
                        if is_emoji_sequence(g) {
                            2
                        } else {
                            g.chars().map(x_char_weight).sum()
                        }
                    })
                    .sum()
            }
        })
        .sum()
}

/// Bluesky's length: grapheme clusters.
pub fn grapheme_length(text: &str) -> usize {
    text.graphemes(true).count()
}

/// Unicode code points.
pub fn code_point_length(text: &str) -> usize {
    text.chars().count()
}

/// A segment's characters as contributions count them (code points): the draft page, its
/// live patches and analytics must agree.
pub fn contributed_characters(text: &str) -> i64 {
    code_point_length(text) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_latin_counts_one_each() {
        assert_eq!(x_weighted_length("hello world"), 11);
        assert_eq!(grapheme_length("hello world"), 11);
        assert_eq!(code_point_length("hello world"), 11);
    }

    #[test]
    fn cjk_weighs_two_on_x() {
        assert_eq!(x_weighted_length("日本語"), 6);
        assert_eq!(grapheme_length("日本語"), 3);
        assert_eq!(code_point_length("日本語"), 3);
        assert_eq!(x_weighted_length("한국어"), 6);
    }

    #[test]
    fn emoji_with_modifiers_is_one_grapheme_and_weighs_two() {
        let thumbs = "👍🏽"; // thumbs up + skin tone: 2 code points
        assert_eq!(code_point_length(thumbs), 2);
        assert_eq!(grapheme_length(thumbs), 1);
        assert_eq!(x_weighted_length(thumbs), 2);
        let family = "👨‍👩‍👧‍👦"; // 7 code points joined by ZWJ
        assert_eq!(code_point_length(family), 7);
        assert_eq!(grapheme_length(family), 1);
        assert_eq!(x_weighted_length(family), 2);
        let flag = "🇫🇷";
        assert_eq!(grapheme_length(flag), 1);
        assert_eq!(x_weighted_length(flag), 2);
        assert_eq!(x_weighted_length("ok 👍"), 5);
    }

    #[test]
    fn combining_marks_join_their_base() {
        let decomposed = "e\u{301}te\u{301}"; // "été" with combining acute accents
        assert_eq!(code_point_length(decomposed), 5);
        assert_eq!(grapheme_length(decomposed), 3);
        // X weighs each code point: the combining acute (U+0301) is in the light range.
        assert_eq!(x_weighted_length(decomposed), 5);
    }

    #[test]
    fn urls_weigh_twenty_three_on_x() {
        assert_eq!(x_weighted_length("https://example.com"), 23);
        let long = format!("read https://example.com/{} now", "a".repeat(200));
        assert_eq!(x_weighted_length(&long), 5 + 23 + 4);
        assert_eq!(x_weighted_length("see www.example.com."), 4 + 23);
        assert_eq!(
            x_weighted_length("http://a.io and https://b.io"),
            23 + 5 + 23
        );
        // Not a link: the prefix inside another word, or nothing after it.
        assert_eq!(x_weighted_length("nohttps://x"), 11);
        assert_eq!(x_weighted_length("www."), 4);
    }

    #[test]
    fn many_links_are_counted_in_one_pass() {
        let text = "https://example.com/a ".repeat(3_000);
        assert_eq!(x_weighted_length(&text), 3_000 * 24);
        assert_eq!(x_weighted_length("HTTPS://EXAMPLE.COM"), 23);
        assert_eq!(x_weighted_length("(https://x.io)"), 1 + 23);
    }

    #[test]
    fn counts_never_bytes() {
        let text = "café";
        assert_eq!(text.len(), 5);
        assert_eq!(code_point_length(text), 4);
        assert_eq!(x_weighted_length(text), 4);
    }
}
