//! Card render benchmark (prints numbers; asserts nothing), run by `scripts/bench-cards.sh`:
//! renders 200 different cards (a new title each, so nothing is cached) with the server's
//! own renderer and template, and prints the time per render (p50/p99) and its phases.

use std::time::Instant;

use onering::images::render::{encode, Renderer};
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
    let mut phases = [Vec::new(), Vec::new(), Vec::new(), Vec::new()];
    let mut sizes = Vec::new();
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
                background_to: "#155e75".into(),
                accent: "#67e8f9".into(),
            },
        };
        let started = Instant::now();
        let svg = card_svg(&renderer, &card);
        let template = started.elapsed();
        let tree = renderer.layout(&svg).expect("the card's SVG parses");
        let laid_out = started.elapsed();
        let pixmap = renderer.draw(&tree).expect("the card draws");
        let drawn = started.elapsed();
        let png = encode(&pixmap).expect("the card encodes");
        let total = started.elapsed();
        sizes.push(png.len());
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
        totals.push(ms(total));
        phases[0].push(ms(template));
        phases[1].push(ms(laid_out - template));
        phases[2].push(ms(drawn - laid_out));
        phases[3].push(ms(total - drawn));
    }
    let pct = |v: &mut Vec<f64>, p: f64| {
        v.sort_by(f64::total_cmp);
        v[((v.len() as f64 - 1.0) * p).round() as usize]
    };
    println!(
        "    one card render (template + layout + draw + PNG), 200 cards: p50 {:.1} ms   p99 {:.1} ms   (target p99 ≤ 50 ms)",
        pct(&mut totals.clone(), 0.5),
        pct(&mut totals, 0.99)
    );
    for (name, times) in [
        "template and line breaking",
        "SVG parse and text layout",
        "drawing",
        "PNG encoding",
    ]
    .iter()
    .zip(phases.iter_mut())
    {
        println!("      {name:<28} p50 {:.1} ms", pct(times, 0.5));
    }
    println!(
        "    PNG size: {} KB on average",
        sizes.iter().sum::<usize>() / sizes.len() / 1024
    );
}
