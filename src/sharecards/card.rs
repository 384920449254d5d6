//! Building a share card: a pure function of the draft's facts, the call to action that
//! fits the viewer, and `now`. The numbers come from the same reducers as the draft's
//! insights, so a card and the insights never disagree.

use sha2::{Digest, Sha256};

use super::types::{
    CallToAction, CardMetrics, CardPerson, CardSegment, ShareCard, Theme, CARD_VERSION,
};
use crate::clock::rfc3339;
use crate::drafts::model::Platform;
use crate::drafts::types::DraftStatus;
use crate::ui::format::count;

/// Contributors a card names; the rest are counted.
pub const SHOWN_CONTRIBUTORS: usize = 5;

/// The palette: a gradient of two deep colours white text reads on, each with a light
/// accent; every text colour reads at 4.5:1 or better on every part of the card (tested).
const PALETTE: [(&str, &str, &str, &str); 6] = [
    ("ember", "#7c2d12", "#9a3412", "#fed7aa"),
    ("ocean", "#1e3a8a", "#155e75", "#67e8f9"),
    ("forest", "#14532d", "#065f46", "#86efac"),
    ("plum", "#581c87", "#831843", "#f0abfc"),
    ("slate", "#1f2937", "#334155", "#fbbf24"),
    ("rose", "#881337", "#9f1239", "#fecdd3"),
];

/// How dark the metric boxes are over the background (a black overlay's opacity).
pub const BOX_SHADE: f64 = 0.25;

/// The theme a draft (or, on a personal card, a person) always gets: chosen from the
/// palette by its id.
pub fn theme_for(id: &str) -> Theme {
    let digest = Sha256::digest(id.as_bytes());
    let (name, background, background_to, accent) = PALETTE[digest[0] as usize % PALETTE.len()];
    Theme {
        name: name.to_owned(),
        background: background.to_owned(),
        background_to: background_to.to_owned(),
        accent: accent.to_owned(),
    }
}

/// What a card is made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardFacts {
    pub draft_id: String,
    pub title: String,
    pub platform: Platform,
    pub status: DraftStatus,
    pub owner: CardPerson,
    /// Everyone else who wrote a segment, in any order.
    pub writers: Vec<CardPerson>,
    pub segments: i64,
    pub passes_last_24h: i64,
    pub avg_minutes_between_passes: Option<i64>,
    /// The thread, when it is to be shown.
    pub thread: Option<Vec<CardSegment>>,
}

/// The card for `facts` at `now`, with `cta` for whoever looks at it.
pub fn share_card(facts: &CardFacts, cta: CallToAction, now: i64) -> ShareCard {
    let mut others: Vec<CardPerson> = facts
        .writers
        .iter()
        .filter(|p| p.handle != facts.owner.handle)
        .cloned()
        .collect();
    others.sort_by(|a, b| a.handle.cmp(&b.handle));
    others.dedup();
    let contributors_count = others.len() as i64 + 1;
    let mut contributors = vec![facts.owner.clone()];
    contributors.extend(others.into_iter().take(SHOWN_CONTRIBUTORS - 1));
    let passes = match facts.passes_last_24h {
        1 => "1 pass/24h".to_owned(),
        n => format!("{n} passes/24h"),
    };
    let subtitle = format!(
        "Ring with @{} • {} • {passes}",
        facts.owner.handle,
        count(contributors_count, "contributor")
    );
    let platform = facts.platform.label();
    // "an X thread": the letter is said "ex".
    let article = if facts.platform == Platform::X {
        "An"
    } else {
        "A"
    };
    let top_line = match facts.status {
        DraftStatus::Published => format!("Published on {platform}, written together"),
        DraftStatus::Draft | DraftStatus::Archived => {
            format!("{article} {platform} thread, written together")
        }
    };
    ShareCard {
        version: CARD_VERSION,
        title: facts.title.clone(),
        subtitle,
        platform: facts.platform,
        metrics: CardMetrics {
            contributors_count,
            ring_passes_last_24h: facts.passes_last_24h,
            avg_minutes_between_passes: facts.avg_minutes_between_passes,
            segments_count: facts.segments,
        },
        contributors,
        top_line,
        cta,
        theme: theme_for(&facts.draft_id),
        thread: facts.thread.clone(),
        generated_at: rfc3339(now),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_795_633_380_000;

    #[test]
    fn every_theme_keeps_its_text_readable_everywhere_on_the_card() {
        use crate::ui::contrast::{contrast, darkened};
        for (name, from, to, accent) in PALETTE {
            for background in [from, to] {
                let boxed = darkened(background, BOX_SHADE).unwrap_or_default();
                for (text, on) in [
                    (accent, background),
                    ("#ffffff", background),
                    (accent, &boxed),
                ] {
                    let ratio = contrast(text, on).unwrap_or_default();
                    assert!(ratio >= 4.5, "{name}: {text} on {on} is {ratio:.2}:1");
                }
            }
        }
    }

    fn person(handle: &str) -> CardPerson {
        CardPerson {
            handle: handle.into(),
            display_id: format!("@u_{handle}"),
        }
    }

    fn facts(writers: &[&str]) -> CardFacts {
        CardFacts {
            draft_id: "0b7e6c2e-1111-4a4a-9c9c-000000000001".into(),
            title: "Launch week".into(),
            platform: Platform::Bluesky,
            status: DraftStatus::Draft,
            owner: person("ada"),
            writers: writers.iter().map(|h| person(h)).collect(),
            segments: 8,
            passes_last_24h: 3,
            avg_minutes_between_passes: Some(45),
            thread: None,
        }
    }

    fn cta() -> CallToAction {
        CallToAction {
            label: "Start your own ring".into(),
            url: "/signup".into(),
        }
    }

    #[test]
    fn the_owner_comes_first_then_handles_in_order_at_most_five() {
        let card = share_card(
            &facts(&["zed", "bob", "ada", "cyd", "eve", "dan", "bob"]),
            cta(),
            NOW,
        );
        let shown: Vec<&str> = card
            .contributors
            .iter()
            .map(|p| p.handle.as_str())
            .collect();
        assert_eq!(shown, vec!["ada", "bob", "cyd", "dan", "eve"]);
        assert_eq!(
            card.metrics.contributors_count, 6,
            "the full count is in the metrics"
        );
        assert_eq!(
            card.subtitle,
            "Ring with @ada • 6 contributors • 3 passes/24h"
        );
        assert_eq!(card.top_line, "A Bluesky thread, written together");
        assert_eq!(card.generated_at, "2026-11-25T19:03:00.000Z");
    }

    #[test]
    fn the_same_state_and_now_give_the_same_bytes() {
        let a = serde_json::to_string(&share_card(&facts(&["bob", "cyd"]), cta(), NOW)).ok();
        let b = serde_json::to_string(&share_card(&facts(&["cyd", "bob"]), cta(), NOW)).ok();
        assert_eq!(a, b);
        let later =
            serde_json::to_string(&share_card(&facts(&["bob", "cyd"]), cta(), NOW + 1)).ok();
        assert_ne!(a, later, "generated_at is now");
    }

    #[test]
    fn themes_are_stable_per_draft_and_spread_over_the_palette() {
        assert_eq!(theme_for("x"), theme_for("x"));
        let names: std::collections::BTreeSet<String> = (0..60)
            .map(|i| theme_for(&format!("draft-{i}")).name)
            .collect();
        assert!(names.len() >= 4, "{names:?}");
        let single = share_card(&facts(&[]), cta(), NOW);
        assert_eq!(
            single.subtitle,
            "Ring with @ada • 1 contributor • 3 passes/24h"
        );
    }

    #[test]
    fn cards_carry_no_secrets() {
        let json =
            serde_json::to_string(&share_card(&facts(&["bob"]), cta(), NOW)).unwrap_or_default();
        for secret in ["@example.com", "0b7e6c2e", "code", "hash", "\"id\""] {
            assert!(!json.contains(secret), "{secret} in {json}");
        }
    }
}
