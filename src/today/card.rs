//! The personal share card: who someone is on OneRing, as JSON and a 1200×630 image drawn
//! by the shared renderer (handle, archetype, momentum, streak and a 30-day graph).

use super::types::{Archetype, PersonalCard};
use crate::clock::rfc3339;
use crate::images::render::{framed, svg_text, Palette, Renderer};
use crate::sharecards::types::Theme;
use crate::ui::format::count;

pub const PERSONAL_CARD_VERSION: u32 = 1;

/// What the card is made of.
pub struct PersonFacts<'a> {
    pub handle: &'a str,
    pub display_id: &'a str,
    pub user_id: &'a str,
    pub archetype: &'a Archetype,
    pub momentum: i64,
    pub streak: i64,
    pub longest_streak: i64,
    pub graph: &'a [i64],
}

/// The card at `now` (the same facts and `now` give the same bytes).
pub fn personal_card(facts: &PersonFacts<'_>, now: i64) -> PersonalCard {
    PersonalCard {
        version: PERSONAL_CARD_VERSION,
        handle: facts.handle.to_owned(),
        display_id: facts.display_id.to_owned(),
        archetype: facts.archetype.clone(),
        momentum: facts.momentum,
        streak: facts.streak,
        longest_streak: facts.longest_streak,
        graph: facts.graph.to_vec(),
        theme: crate::sharecards::card::theme_for(facts.user_id),
        profile_path: format!("/u/{}", crate::ui::nav::encode_segment(facts.handle)),
        generated_at: rfc3339(now),
    }
}

/// What the image shows (its version is a hash of this: the card without its time).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PersonalImage {
    pub handle: String,
    pub archetype: String,
    pub archetype_symbol: String,
    pub momentum: i64,
    pub streak: i64,
    pub longest_streak: i64,
    pub graph: Vec<i64>,
    pub theme: Theme,
}

impl From<&PersonalCard> for PersonalImage {
    fn from(card: &PersonalCard) -> Self {
        Self {
            handle: card.handle.clone(),
            archetype: card.archetype.label.clone(),
            archetype_symbol: card.archetype.kind.symbol().to_owned(),
            momentum: card.momentum,
            streak: card.streak,
            longest_streak: card.longest_streak,
            graph: card.graph.clone(),
            theme: card.theme.clone(),
        }
    }
}

/// The graph as an SVG polyline's points inside the box (x, y, width, height).
fn graph_points(values: &[i64], (x, y, width, height): (f64, f64, f64, f64)) -> String {
    let top = values.iter().copied().max().unwrap_or(0).max(1) as f64;
    let step = if values.len() > 1 {
        width / (values.len() - 1) as f64
    } else {
        0.0
    };
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            format!(
                "{:.1},{:.1}",
                x + step * i as f64,
                y + height - height * (*v as f64) / top
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The card as SVG, laid out with `renderer`'s fonts.
pub fn personal_svg(renderer: &Renderer, image: &PersonalImage) -> String {
    let t = &image.theme;
    let handle = format!("@{}", image.handle);
    let handle_size = renderer.fitting_size(&handle, &[72.0, 60.0, 48.0, 40.0], 1040.0);
    let handle = renderer.line(&handle, handle_size, 1040.0);
    let badge = format!("{} {}", image.archetype_symbol, image.archetype);
    let graph_box = (640.0, 330.0, 480.0, 170.0);
    let points = graph_points(&image.graph, graph_box);
    let longest = count(image.longest_streak, "day");
    let accent = &t.accent;
    let shade = crate::sharecards::card::BOX_SHADE;
    let body = format!(
        r##"<text x="80" y="215" font-size="{handle_size}" font-weight="700" fill="#ffffff">{handle}</text>
<text x="80" y="280" font-size="36" fill="{accent}">{badge}</text>
<rect x="80" y="330" width="250" height="170" rx="18" fill="#000000" fill-opacity="{shade}"/>
<text x="104" y="410" font-size="64" font-weight="700" fill="#ffffff">{momentum}</text>
<text x="104" y="460" font-size="26" fill="{accent}">momentum</text>
<rect x="350" y="330" width="250" height="170" rx="18" fill="#000000" fill-opacity="{shade}"/>
<text x="374" y="410" font-size="64" font-weight="700" fill="#ffffff">{streak}</text>
<text x="374" y="460" font-size="26" fill="{accent}">day streak</text>
<rect x="620" y="310" width="520" height="210" rx="18" fill="#000000" fill-opacity="{shade}"/>
<polyline points="{points}" fill="none" stroke="{accent}" stroke-width="5" stroke-linejoin="round" stroke-linecap="round"/>
<text x="640" y="560" font-size="22" fill="#ffffff" fill-opacity="0.9">Momentum, last 30 days</text>
<text x="80" y="590" font-size="24" fill="#ffffff" fill-opacity="0.9">Longest streak: {longest}</text>"##,
        handle = svg_text(&handle),
        badge = svg_text(&badge),
        momentum = image.momentum,
        streak = image.streak,
    );
    let palette = Palette {
        background: &t.background,
        background_to: &t.background_to,
        accent,
    };
    framed(
        &palette,
        Some("Writing together, one ring at a time"),
        &body,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::today::types::ArchetypeKind;

    #[test]
    fn the_graph_fills_its_box_from_the_bottom() {
        let points = graph_points(&[0, 5, 10], (0.0, 0.0, 100.0, 50.0));
        assert_eq!(points, "0.0,50.0 50.0,25.0 100.0,0.0");
        // A flat zero line sits on the floor; nothing divides by zero.
        assert_eq!(
            graph_points(&[0, 0], (0.0, 0.0, 10.0, 10.0)),
            "0.0,10.0 10.0,10.0"
        );
        assert_eq!(graph_points(&[], (0.0, 0.0, 10.0, 10.0)), "");
    }

    #[test]
    fn the_card_is_the_same_for_the_same_facts_and_now() {
        let archetype = Archetype {
            kind: ArchetypeKind::Creative,
            label: "Creative".into(),
            why: "…".into(),
        };
        let facts = PersonFacts {
            handle: "ada",
            display_id: "@u_123456",
            user_id: "u1",
            archetype: &archetype,
            momentum: 42,
            streak: 3,
            longest_streak: 9,
            graph: &[1, 2, 3],
        };
        let a =
            serde_json::to_string(&personal_card(&facts, 1_795_633_380_000)).unwrap_or_default();
        let b =
            serde_json::to_string(&personal_card(&facts, 1_795_633_380_000)).unwrap_or_default();
        assert_eq!(a, b);
        assert!(
            a.contains("\"generated_at\":\"2026-11-25T19:03:00.000Z\""),
            "{a}"
        );
        assert!(a.contains("\"profile_path\":\"/u/ada\""));
    }
}
