//! The deterministic splitter: a long text into posts that each fit a platform, counted the
//! platform's way (`drafts::count`, the same code as the editor's counter and the server's
//! check). Same text and platform, same posts; it runs in the browser (the preview) and on
//! the server (what is published) alike.
//!
//! Where it cuts, best first: at a paragraph break, after a sentence (`. ! ? …`, closing
//! quotes and brackets included), after a clause (`, ; : — –`), then between words. It never
//! cuts inside a word, and so never inside a URL, a @mention or a #hashtag (each is one
//! whitespace-free word), nor inside a grapheme cluster. A piece is made as long as the
//! limit allows at the best kind of place, unless that would leave it under a third of the
//! limit, in which case the next kind is tried (so one early full stop does not make a tiny
//! post). Only a single word longer than a whole post (a 400-character hashtag) is cut inside
//! itself, at grapheme boundaries.
//!
//! Numbering (`1/7`) is appended with a space and counted in the limit.
//!
//! Re-flowing a draft for another platform splits each segment on its own and never joins
//! two segments, so one post never holds two authors' words.

use unicode_segmentation::UnicodeSegmentation;

use crate::drafts::model::Platform;

/// How good a place to cut is (higher is better).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Break {
    Word = 1,
    Clause = 2,
    Sentence = 3,
    Paragraph = 4,
}

/// A word with the whitespace before it and the kind of break after it.
#[derive(Debug)]
struct Word<'a> {
    /// Byte range of the word in the text.
    start: usize,
    end: usize,
    text: &'a str,
    after: Break,
}

fn words(text: &str) -> Vec<Word<'_>> {
    let mut found: Vec<Word<'_>> = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            if let Some(s) = start.take() {
                found.push(Word {
                    start: s,
                    end: i,
                    text: &text[s..i],
                    after: Break::Word,
                });
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        found.push(Word {
            start: s,
            end: text.len(),
            text: &text[s..],
            after: Break::Word,
        });
    }
    for i in 0..found.len() {
        let gap = match found.get(i + 1) {
            Some(next) => &text[found[i].end..next.start],
            None => "",
        };
        let word = found[i].text;
        found[i].after = if gap.matches('\n').count() >= 2 {
            Break::Paragraph
        } else if ends_sentence(word) || gap.contains('\n') {
            Break::Sentence
        } else if ends_clause(word) {
            Break::Clause
        } else {
            Break::Word
        };
    }
    found
}

fn ends_sentence(word: &str) -> bool {
    let trimmed = word.trim_end_matches(['"', '\'', ')', ']', '»', '”', '’']);
    trimmed.ends_with(['.', '!', '?', '…', '。', '！', '？'])
}

fn ends_clause(word: &str) -> bool {
    word.ends_with([',', ';', ':', '—', '–', '、', '，']) || word == "—" || word == "–"
}

/// `text` as posts that each fit `platform`, numbered (`1/3`) when `numbered`. Empty text
/// gives no posts.
pub fn split(text: &str, platform: Platform, numbered: bool) -> Vec<String> {
    let text = text.trim();
    if text.is_empty() {
        return Vec::new();
    }
    if !numbered {
        return pieces(text, platform, platform.post_limit());
    }
    // The suffix's room depends on how many posts there are, which depends on the room:
    // room is kept for a suffix as wide as " n/n" with `guess`'s digits, and the guess grows
    // until the count needs no more digits than that (each step adds digits: few steps).
    let mut guess = 1_usize;
    loop {
        let suffix = platform.count(&format!(" {guess}/{guess}"));
        let room = platform.post_limit().saturating_sub(suffix).max(1);
        let found = pieces(text, platform, room);
        if digits(found.len()) <= digits(guess) {
            let n = found.len();
            return found
                .into_iter()
                .enumerate()
                .map(|(i, piece)| format!("{piece} {}/{n}", i + 1))
                .collect();
        }
        guess = found.len();
    }
}

fn digits(n: usize) -> usize {
    n.to_string().len()
}

/// The pieces of `text` (trimmed, non-empty) of at most `room` each.
///
/// A piece's count only grows as words are added, so the farthest word that fits and the
/// first that makes the piece long enough are each found by bisection: a few counts per
/// piece, not one per word.
fn pieces(text: &str, platform: Platform, room: usize) -> Vec<String> {
    if platform.count(text) <= room {
        return vec![text.to_owned()];
    }
    let words = words(text);
    let count =
        |first: usize, last: usize| platform.count(&text[words[first].start..words[last].end]);
    let mut out = Vec::new();
    let mut first = 0;
    while first < words.len() {
        if count(first, first) > room {
            // One word longer than a post: cut it at grapheme boundaries.
            out.extend(cut_word(words[first].text, platform, room));
            first += 1;
            continue;
        }
        // The last word that still fits.
        let fits = last_where(first, words.len() - 1, |i| count(first, i) <= room);
        // The first word from which the piece is long enough (a third of the room).
        let long_enough = first_where(first, fits, |i| count(first, i) * 3 >= room);
        let kind = |i: usize| {
            if i + 1 == words.len() {
                Break::Paragraph
            } else {
                words[i].after
            }
        };
        // The best place to cut among the long-enough ones (the latest of the best kind),
        // else as far as it fits.
        let end = long_enough
            .map(|from| {
                (from..=fits)
                    .rev()
                    .max_by_key(|&i| (kind(i), std::cmp::Reverse(fits - i)))
                    .unwrap_or(fits)
            })
            .unwrap_or(fits);
        out.push(text[words[first].start..words[end].end].to_owned());
        first = end + 1;
    }
    out
}

/// The largest `i` in `lo..=hi` with `holds(i)`, where `holds` is true up to some point and
/// false after it (`holds(lo)` is known to be true).
fn last_where(lo: usize, hi: usize, holds: impl Fn(usize) -> bool) -> usize {
    let (mut good, mut bad) = (lo, hi + 1);
    while bad - good > 1 {
        let mid = good + (bad - good) / 2;
        if holds(mid) {
            good = mid;
        } else {
            bad = mid;
        }
    }
    good
}

/// The smallest `i` in `lo..=hi` with `holds(i)`, where `holds` is false up to some point and
/// true after it; `None` when it never holds.
fn first_where(lo: usize, hi: usize, holds: impl Fn(usize) -> bool) -> Option<usize> {
    if !holds(hi) {
        return None;
    }
    let (mut bad, mut good) = (lo as i64 - 1, hi as i64);
    while good - bad > 1 {
        let mid = bad + (good - bad) / 2;
        if holds(mid as usize) {
            good = mid;
        } else {
            bad = mid;
        }
    }
    Some(good as usize)
}

/// A word too long for one post, in grapheme-boundary pieces of at most `room`.
fn cut_word(word: &str, platform: Platform, room: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for grapheme in word.graphemes(true) {
        let mut longer = current.clone();
        longer.push_str(grapheme);
        if !current.is_empty() && platform.count(&longer) > room {
            out.push(std::mem::take(&mut current));
            current.push_str(grapheme);
        } else {
            current = longer;
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// A draft's segments as posts for `platform`: each segment that fits stays one post; one
/// that does not is split on its own (never joined with another).
pub fn reflow(segments: &[&str], platform: Platform) -> Vec<String> {
    segments
        .iter()
        .flat_map(|segment| {
            if platform.count(segment.trim()) <= platform.post_limit() {
                vec![segment.trim().to_owned()]
            } else {
                split(segment, platform, false)
            }
        })
        .filter(|post| !post.is_empty())
        .collect()
}

/// Positions (1-based) of the segments that do not fit `platform` as they are.
pub fn too_long(segments: &[&str], platform: Platform) -> Vec<usize> {
    segments
        .iter()
        .enumerate()
        .filter(|(_, s)| platform.count(s.trim()) > platform.post_limit())
        .map(|(i, _)| i + 1)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collapse(text: &str) -> String {
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn a_short_text_is_one_post_and_empty_is_none() {
        assert_eq!(split("Hello there.", Platform::X, false), ["Hello there."]);
        assert!(split("   ", Platform::X, false).is_empty());
        assert_eq!(split("Hello.", Platform::X, true), ["Hello. 1/1"]);
    }

    #[test]
    fn it_cuts_after_sentences_before_clauses_before_words() {
        let sentence = "This first sentence is here to take up a good share of the room. ";
        let text = format!(
            "{}{}",
            sentence.repeat(4),
            "And then a clause, and more words after it"
        );
        let posts = split(&text, Platform::X, false);
        assert!(posts.len() >= 2);
        assert!(posts[0].ends_with('.'), "{posts:?}");
        for post in &posts {
            assert!(Platform::X.count(post) <= 280);
        }
        let clauses = "one two three four five six seven, ".repeat(12);
        let posts = split(&clauses, Platform::X, false);
        assert!(posts[0].ends_with(','), "{posts:?}");
    }

    #[test]
    fn urls_mentions_and_hashtags_stay_whole() {
        let url = "https://example.com/a/very/long/path/that/goes/on/and/on/and/on/and/on/for/quite/a/while";
        let text = format!(
            "{} {url} @someone.bsky.social #LongHashtagHere {}",
            "word ".repeat(50),
            "tail ".repeat(40)
        );
        for platform in [Platform::Bluesky, Platform::X, Platform::Mastodon] {
            let posts = split(&text, platform, true);
            let whole = posts.iter().any(|p| p.contains(url));
            assert!(whole, "{platform:?}: {posts:?}");
            assert!(posts.iter().any(|p| p.contains("@someone.bsky.social")));
            assert!(posts.iter().any(|p| p.contains("#LongHashtagHere")));
        }
    }

    #[test]
    fn numbering_is_counted_in_the_limit() {
        let text = "word ".repeat(700);
        let posts = split(&text, Platform::X, true);
        let n = posts.len();
        assert!(n >= 10, "two-digit numbering is exercised: {n}");
        for (i, post) in posts.iter().enumerate() {
            assert!(post.ends_with(&format!(" {}/{n}", i + 1)));
            assert!(Platform::X.count(post) <= 280, "{post}");
        }
    }

    #[test]
    fn a_word_longer_than_a_post_is_cut_at_graphemes() {
        let family = "👨‍👩‍👧‍👦";
        let word = family.repeat(400);
        let posts = split(&word, Platform::Bluesky, false);
        assert!(posts.len() >= 2);
        for post in &posts {
            assert!(Platform::Bluesky.count(post) <= 300);
            assert!(
                post.graphemes(true).all(|g| g == family),
                "no cluster is broken"
            );
        }
    }

    #[test]
    fn reflow_splits_each_segment_and_never_joins_two() {
        let long = "A sentence of reasonable length for a post. ".repeat(12);
        let posts = reflow(&["Short one.", &long, "Another short."], Platform::X);
        assert_eq!(posts.first().map(String::as_str), Some("Short one."));
        assert_eq!(posts.last().map(String::as_str), Some("Another short."));
        assert!(posts.len() >= 4);
        assert!(!posts
            .iter()
            .any(|p| p.contains("Short one.") && p.len() > "Short one.".len()));
        assert_eq!(too_long(&["Short one.", &long], Platform::X), [2]);
    }

    /// A small deterministic generator (xorshift) for the property tests.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[(self.next() % items.len() as u64) as usize]
        }
    }

    fn random_text(rng: &mut Rng) -> String {
        const WORDS: [&str; 24] = [
            "the",
            "ring",
            "passes",
            "on,",
            "and",
            "we",
            "write.",
            "Together!",
            "Why?",
            "naïve",
            "café",
            "日本語の文章",
            "emoji🎉",
            "👨‍👩‍👧",
            "https://example.com/x?y=1",
            "www.onering.example/path",
            "@ada.bsky.social",
            "@bea@mastodon.social",
            "#threads",
            "—",
            "(quoted)",
            "“curly”",
            "done…",
            "Привет",
        ];
        let len = 1 + rng.next() % 400;
        let mut text = String::new();
        for _ in 0..len {
            text.push_str(rng.pick(&WORDS));
            text.push_str(rng.pick(&[" ", " ", " ", "  ", "\n", "\n\n", "\t"]));
        }
        text
    }

    #[test]
    fn property_every_piece_fits_none_is_empty_and_nothing_is_lost() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for round in 0..200 {
            let text = random_text(&mut rng);
            for platform in Platform::ALL {
                for numbered in [false, true] {
                    let posts = split(&text, platform, numbered);
                    assert_eq!(posts, split(&text, platform, numbered), "deterministic");
                    for post in &posts {
                        assert!(!post.trim().is_empty(), "round {round}: an empty post");
                        assert!(
                            platform.count(post) <= platform.post_limit(),
                            "round {round} {platform:?}: {} > {}: {post:?}",
                            platform.count(post),
                            platform.post_limit()
                        );
                    }
                    let n = posts.len();
                    let joined = posts
                        .iter()
                        .enumerate()
                        .map(|(i, p)| {
                            if numbered {
                                p.strip_suffix(&format!(" {}/{n}", i + 1)).unwrap_or(p)
                            } else {
                                p
                            }
                        })
                        .collect::<Vec<_>>()
                        .join(" ");
                    assert_eq!(
                        collapse(&joined),
                        collapse(&text),
                        "round {round} {platform:?}"
                    );
                }
            }
        }
    }
}
