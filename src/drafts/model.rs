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

/// A segment's content: trimmed, non-empty, within the platform's per-post limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentText(String);

impl SegmentText {
    pub fn parse(platform: Platform, raw: &str) -> Result<Self, AppError> {
        let text = raw.trim();
        if text.is_empty() {
            return Err(AppError::validation(
                "content",
                "Write something before adding it.",
            ));
        }
        let used = platform.count(text);
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
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A draft's title: trimmed, 1–120 characters.
pub fn parse_title(raw: &str) -> Result<String, AppError> {
    let title = raw.trim();
    if title.is_empty() {
        return Err(AppError::validation("title", "Give your draft a title."));
    }
    if title.chars().count() > TITLE_MAX {
        return Err(AppError::validation(
            "title",
            format!("Titles are at most {TITLE_MAX} characters."),
        ));
    }
    Ok(title.to_owned())
}

/// An optional subtitle: blank means none.
pub fn parse_subtitle(raw: Option<&str>) -> Result<Option<String>, AppError> {
    let Some(subtitle) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if subtitle.chars().count() > SUBTITLE_MAX {
        return Err(AppError::validation(
            "subtitle",
            format!("Subtitles are at most {SUBTITLE_MAX} characters."),
        ));
    }
    Ok(Some(subtitle.to_owned()))
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
    fn titles_and_subtitles() {
        assert_eq!(parse_title("  Launch thread "), Ok("Launch thread".into()));
        assert!(parse_title(" ").is_err());
        assert!(parse_title(&"t".repeat(121)).is_err());
        assert_eq!(parse_subtitle(Some("   ")), Ok(None));
        assert_eq!(parse_subtitle(None), Ok(None));
        assert_eq!(parse_subtitle(Some(" why ")), Ok(Some("why".into())));
    }
}
