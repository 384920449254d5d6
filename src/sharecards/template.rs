//! The share card's image: what it shows, and its SVG template on the shared renderer
//! (`crate::images`).

use super::card::BOX_SHADE;
use super::types::{CardMetrics, CardPerson, Theme};
use crate::images::render::{framed, is_rtl, right_to_left, svg_text, Palette, Renderer};

/// What a card image shows (and nothing else: the image is versioned by a hash of this).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CardImage {
    pub title: String,
    pub subtitle: String,
    pub top_line: String,
    pub platform: String,
    pub metrics: CardMetrics,
    pub contributors: Vec<CardPerson>,
    pub theme: Theme,
}

const TITLE_SIZE: f32 = 60.0;
/// The first title line's baseline, and the distance between lines (three at most).
const TITLE_TOP: usize = 180;
const TITLE_LEADING: usize = 72;

fn plural(n: i64, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// The card as SVG, laid out with `renderer`'s fonts.
pub fn card_svg(renderer: &Renderer, card: &CardImage) -> String {
    let t = &card.theme;
    let rtl = is_rtl(&card.title);
    let title_lines = renderer.wrap(&card.title, TITLE_SIZE, 1040.0, 3);
    let (x, anchor, direction) = if rtl {
        (1120, "end", "rtl")
    } else {
        (80, "start", "ltr")
    };
    let title: String = title_lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            format!(
                r##"<text x="{x}" y="{}" font-size="{TITLE_SIZE}" font-weight="700" fill="#ffffff" text-anchor="{anchor}" direction="{direction}">{}</text>"##,
                TITLE_TOP + i * TITLE_LEADING,
                svg_text(&if rtl { right_to_left(line) } else { line.clone() })
            )
        })
        .collect();
    let subtitle = renderer.line(&card.subtitle, 30.0, 1040.0);
    let m = card.metrics;
    let boxes = [
        (
            m.contributors_count.to_string(),
            plural(m.contributors_count, "contributor", "contributors"),
        ),
        (
            m.ring_passes_last_24h.to_string(),
            plural(m.ring_passes_last_24h, "pass in 24 h", "passes in 24 h"),
        ),
        (
            m.avg_minutes_between_passes
                .map_or_else(|| "—".to_owned(), |v| format!("{v} min")),
            "between passes",
        ),
        (
            m.segments_count.to_string(),
            plural(m.segments_count, "segment", "segments"),
        ),
    ];
    let metrics: String = boxes
        .iter()
        .enumerate()
        .map(|(i, (value, label))| {
            let bx = 80 + i * 265;
            format!(
                r##"<rect x="{bx}" y="430" width="245" height="104" rx="18" fill="#000000" fill-opacity="{BOX_SHADE}"/><text x="{}" y="478" font-size="40" font-weight="700" fill="#ffffff">{}</text><text x="{}" y="514" font-size="22" fill="{}">{}</text>"##,
                bx + 24,
                svg_text(value),
                bx + 24,
                t.accent,
                svg_text(label)
            )
        })
        .collect();
    let people: String = card
        .contributors
        .iter()
        .map(|p| format!("@{}", p.handle))
        .collect::<Vec<_>>()
        .join("   ");
    let people = renderer.line(&people, 24.0, 1040.0);
    let body = format!(
        r##"{title}
<text x="{x}" y="{}" font-size="30" fill="#ffffff" fill-opacity="0.92" text-anchor="{anchor}" direction="{direction}">{}</text>
{metrics}
<text x="80" y="590" font-size="24" fill="#ffffff" fill-opacity="0.9">{}</text>"##,
        TITLE_TOP + (title_lines.len().max(1) - 1) * TITLE_LEADING + 58,
        svg_text(&subtitle),
        svg_text(&people),
    );
    let palette = Palette {
        background: &t.background,
        background_to: &t.background_to,
        accent: &t.accent,
    };
    framed(&palette, Some(&card.top_line), &body)
}
