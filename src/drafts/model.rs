//! Draft types shared by the server and the browser, and the rules for their fields.

use serde::{Deserialize, Serialize};

use super::count::{code_point_length, grapheme_length, x_weighted_length};
use crate::error::AppError;

pub const TITLE_MAX: usize = 120;
pub const SUBTITLE_MAX: usize = 200;

/// Where a thread will be published; decides the per-post limit and how it is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    X,
    Bluesky,
    Threads,
    Mastodon,
    Linkedin,
}

impl Platform {
    pub const ALL: [Platform; 5] = [
        Platform::X,
        Platform::Bluesky,
        Platform::Threads,
        Platform::Mastodon,
        Platform::Linkedin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::X => "x",
            Self::Bluesky => "bluesky",
            Self::Threads => "threads",
            Self::Mastodon => "mastodon",
            Self::Linkedin => "linkedin",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, AppError> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == raw.trim().to_ascii_lowercase())
            .ok_or_else(|| AppError::validation("platform", "Choose one of the listed platforms."))
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::X => "X",
            Self::Bluesky => "Bluesky",
            Self::Threads => "Threads",
            Self::Mastodon => "Mastodon",
            Self::Linkedin => "LinkedIn",
        }
    }

    /// The most one post may hold, in this platform's own unit.
    pub fn post_limit(self) -> usize {
        match self {
            Self::X => 280,
            Self::Bluesky => 300,
            Self::Threads | Self::Mastodon => 500,
            Self::Linkedin => 3000,
        }
    }

    /// The length of `text` as this platform counts it.
    pub fn count(self, text: &str) -> usize {
        match self {
            Self::X => x_weighted_length(text),
            Self::Bluesky => grapheme_length(text),
            Self::Threads | Self::Mastodon | Self::Linkedin => code_point_length(text),
        }
    }
}

/// The most one segment may hold in bytes, whatever the platform: checked before anything
/// is counted. A LinkedIn post's 3,000 characters take at most 12,000 bytes; an X post of
/// 280 can hold a dozen long links, each counted as 23.
pub const SEGMENT_MAX_BYTES: usize = 16 * 1024;

/// A segment's text, checked (see `crate::text`) and measured the way every platform counts,
/// before any write is queued: the write itself only compares numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasuredText {
    text: String,
    x_weighted: usize,
    graphemes: usize,
    code_points: usize,
}

impl MeasuredText {
    pub fn measure(raw: &str) -> Result<Self, AppError> {
        let text = crate::text::multi_line("content", raw, SEGMENT_MAX_BYTES)?;
        if text.is_empty() {
            return Err(AppError::validation(
                "content",
                "Write something before adding it.",
            ));
        }
        Ok(Self {
            x_weighted: x_weighted_length(&text),
            graphemes: grapheme_length(&text),
            code_points: code_point_length(&text),
            text,
        })
    }

    /// The length as `platform` counts it (the same as [`Platform::count`]).
    pub fn count(&self, platform: Platform) -> usize {
        match platform {
            Platform::X => self.x_weighted,
            Platform::Bluesky => self.graphemes,
            Platform::Threads | Platform::Mastodon | Platform::Linkedin => self.code_points,
        }
    }

    /// The text as a post for `platform`, if it fits.
    pub fn fit(self, platform: Platform) -> Result<SegmentText, AppError> {
        let used = self.count(platform);
        let limit = platform.post_limit();
        if used > limit {
            return Err(AppError::validation(
                "content",
                format!(
                    "That is {used} characters; {} posts hold {limit}. Trim {} or split it in two.",
                    platform.label(),
                    used - limit
                ),
            ));
        }
        Ok(SegmentText(self.text))
    }
}

/// A segment's content: checked, non-empty, within the platform's per-post limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentText(String);

impl SegmentText {
    pub fn parse(platform: Platform, raw: &str) -> Result<Self, AppError> {
        MeasuredText::measure(raw)?.fit(platform)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new draft as asked for, every field checked (before the write is queued).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDraft {
    pub title: String,
    pub subtitle: Option<String>,
    pub platform: Platform,
    pub first_segment: SegmentText,
}

impl NewDraft {
    pub fn parse(
        title: &str,
        subtitle: Option<&str>,
        platform: &str,
        first_segment: &str,
    ) -> Result<Self, AppError> {
        let platform = Platform::parse(platform)?;
        Ok(Self {
            title: parse_title(title)?,
            subtitle: parse_subtitle(subtitle)?,
            first_segment: SegmentText::parse(platform, first_segment)?,
            platform,
        })
    }
}

/// A draft's title: one line, 1–120 characters.
pub fn parse_title(raw: &str) -> Result<String, AppError> {
    let title = crate::text::single_line("title", raw, TITLE_MAX)?;
    if title.is_empty() {
        return Err(AppError::validation("title", "Give your draft a title."));
    }
    Ok(title)
}

/// An optional subtitle: blank means none.
pub fn parse_subtitle(raw: Option<&str>) -> Result<Option<String>, AppError> {
    let subtitle = crate::text::single_line("subtitle", raw.unwrap_or_default(), SUBTITLE_MAX)?;
    Ok(Some(subtitle).filter(|s| !s.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platforms_parse_and_have_limits() {
        assert_eq!(Platform::parse(" X ").ok(), Some(Platform::X));
        assert_eq!(Platform::parse("linkedin").ok(), Some(Platform::Linkedin));
        assert!(Platform::parse("myspace").is_err());
        let limits: Vec<_> = Platform::ALL.iter().map(|p| p.post_limit()).collect();
        assert_eq!(limits, vec![280, 300, 500, 500, 3000]);
    }

    #[test]
    fn segment_text_is_trimmed_and_non_empty() {
        assert_eq!(
            SegmentText::parse(Platform::X, "  hi  ").map(|t| t.0),
            Ok("hi".into())
        );
        let empty = SegmentText::parse(Platform::X, "   \n ").err();
        assert!(empty.is_some_and(|e| e.for_field("content").is_some()));
    }

    #[test]
    fn segment_limits_use_the_platform_count() {
        // 140 CJK characters weigh 280 on X: exactly the limit.
        assert!(SegmentText::parse(Platform::X, &"日".repeat(140)).is_ok());
        let over = SegmentText::parse(Platform::X, &"日".repeat(141))
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            over.as_deref(),
            Some("That is 282 characters; X posts hold 280. Trim 2 or split it in two.")
        );
        // Bluesky counts graphemes: 300 family emoji fit.
        assert!(SegmentText::parse(Platform::Bluesky, &"👨‍👩‍👧‍👦".repeat(300)).is_ok());
        assert!(SegmentText::parse(Platform::Bluesky, &"👨‍👩‍👧‍👦".repeat(301)).is_err());
        // Mastodon counts code points.
        assert!(SegmentText::parse(Platform::Mastodon, &"é".repeat(500)).is_ok());
        assert!(SegmentText::parse(Platform::Mastodon, &"é".repeat(501)).is_err());
    }

    #[test]
    fn segments_have_a_hard_byte_cap_before_any_count() {
        // Links weigh 23 on X, so the platform limit alone does not bound the size.
        let links = "https://example.com/".to_owned() + &"a".repeat(2_000);
        let within = [links.as_str(); 7].join(" ");
        assert!(SegmentText::parse(Platform::X, &within).is_ok());
        let over = [links.as_str(); 9].join(" ");
        assert!(SegmentText::parse(Platform::X, &over).is_err());
        let measured = MeasuredText::measure("日本").map(|m| m.count(Platform::X));
        assert_eq!(measured, Ok(4));
    }

    #[test]
    fn titles_and_subtitles() {
        assert_eq!(parse_title("  Launch thread "), Ok("Launch thread".into()));
        assert!(parse_title(" ").is_err());
        assert!(parse_title(&"t".repeat(121)).is_err());
        assert!(parse_title("evil\u{202E}gpj.exe").is_err());
        assert!(parse_title("a\u{0}b").is_err());
        assert_eq!(parse_subtitle(Some("   ")), Ok(None));
        assert_eq!(parse_subtitle(None), Ok(None));
        assert_eq!(parse_subtitle(Some(" why ")), Ok(Some("why".into())));
    }
}
