//! Card render benchmark (prints numbers; asserts nothing), run by `scripts/bench-cards.sh`:
//! renders 200 different cards (a new title each, so nothing is cached) with the server's
//! own renderer and template, and prints the time per render (p50/p99), with how much of it
//! is the PNG encoding.

use std::time::Instant;

use onering::images::render::Renderer;
use onering::sharecards::template::{card_svg, CardImage};
use onering::sharecards::types::{CardMetrics, CardPerson, Theme};

fn main() {
    let dirs = std::env::var("FONT_DIRS").unwrap_or_else(|_| "/usr/share/fonts".to_owned());
    let loading = Instant::now();
    let renderer = Renderer::load(&dirs.split(':').map(Into::into).collect::<Vec<_>>());
    println!(
        "    fonts loaded in {:.0} ms",
        loading.elapsed().as_secs_f64() * 1000.0
    );
    let people: Vec<CardPerson> = ["ada", "bob", "cyd", "dan", "eve"]
        .iter()
        .map(|h| CardPerson {
            handle: (*h).to_owned(),
            display_id: format!("@u_{h}"),
        })
        .collect();
    let mut totals = Vec::new();
    let mut encodes = Vec::new();
    for i in 0..200 {
        let card = CardImage {
            title: format!(
                "Launch week {i} 🚀 — how five of us wrote a thread together, one ring at a time"
            ),
            subtitle: "Ring with @ada • 5 contributors • 3 passes/24h".to_owned(),
            top_line: "A Bluesky thread, written together".to_owned(),
            platform: "Bluesky".to_owned(),
            metrics: CardMetrics {
                contributors_count: 5,
                ring_passes_last_24h: 3,
                avg_minutes_between_passes: Some(45),
                segments_count: 12,
            },
            contributors: people.clone(),
            theme: Theme {
                name: "ocean".into(),
                background: "#1e3a8a".into(),
                background_to: "#0e7490".into(),
                accent: "#67e8f9".into(),
            },
        };
        let started = Instant::now();
        let svg = card_svg(&renderer, &card);
        let png = renderer.png(&svg);
        let total = started.elapsed().as_secs_f64() * 1000.0;
        assert!(png.is_ok());
        totals.push(total);
        // The encoding alone, on the same pixels' size.
        let pixmap = resvg::tiny_skia::Pixmap::new(1200, 630);
        let encoding = Instant::now();
        let _ = pixmap.map(|p| p.encode_png());
        encodes.push(encoding.elapsed().as_secs_f64() * 1000.0);
    }
    let pct = |v: &mut Vec<f64>, p: f64| {
        v.sort_by(f64::total_cmp);
        v[((v.len() as f64 - 1.0) * p).round() as usize]
    };
    println!(
        "    one card render (layout + draw + PNG), 200 cards: p50 {:.1} ms   p99 {:.1} ms   (target p99 ≤ 50 ms)",
        pct(&mut totals.clone(), 0.5),
        pct(&mut totals, 0.99)
    );
    println!(
        "    of which PNG encoding of a blank 1200×630: p50 {:.1} ms",
        pct(&mut encodes, 0.5)
    );
}
