//! Small SVG charts drawn the same on the server and in the browser, so they show before
//! hydration and cost a few KB of wasm: pure scale functions, a stacked bar chart over days,
//! a line over days, and a ring timeline. Each chart has `<title>` tooltips and a table
//! with the same numbers (in a `<details>`, so it works without JavaScript and screen
//! readers get the numbers, not a picture).
//!
//! The chart crates we know of either do not render on the server or need a JavaScript
//! engine at build time; these are a few hundred lines we control.

use leptos::prelude::*;

use crate::clock::short_date;

/// Series colours: distinguishable from each other and at least 3:1 against white.
pub const PALETTE: [&str; 6] = [
    "#c2410c", "#1d4ed8", "#047857", "#7e22ce", "#be123c", "#0e7490",
];

pub fn colour(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

/// Maps a value in `domain` to a position in `range` (linearly).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinearScale {
    pub domain: (f64, f64),
    pub range: (f64, f64),
}

impl LinearScale {
    pub fn map(&self, value: f64) -> f64 {
        let (d0, d1) = self.domain;
        let (r0, r1) = self.range;
        if d1 == d0 {
            return r0;
        }
        r0 + (value - d0) / (d1 - d0) * (r1 - r0)
    }
}

/// A "nice" top for an axis whose data reach `max`, and the step between its ticks: 1, 2
/// or 5 times a power of ten, about four ticks.
pub fn nice_axis(max: f64) -> (f64, f64) {
    if max <= 0.0 {
        return (1.0, 1.0);
    }
    let raw_step = max / 4.0;
    let magnitude = 10f64.powf(raw_step.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw_step)
        .unwrap_or(10.0 * magnitude)
        .max(1.0);
    ((max / step).ceil() * step, step)
}

/// Evenly spaced bands for `count` categories across `range`, each with padding between.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BandScale {
    pub count: usize,
    pub range: (f64, f64),
    /// The share of each band left empty, 0..1.
    pub padding: f64,
}

impl BandScale {
    fn step(&self) -> f64 {
        (self.range.1 - self.range.0) / self.count.max(1) as f64
    }

    /// Where band `i` starts.
    pub fn start(&self, i: usize) -> f64 {
        self.range.0 + self.step() * i as f64 + self.step() * self.padding / 2.0
    }

    pub fn width(&self) -> f64 {
        self.step() * (1.0 - self.padding)
    }
}

/// One coordinate, printed the same everywhere.
fn at(v: f64) -> String {
    format!("{v:.1}")
}

/// The drawing's own units: the picture stretches to the card's width (text stays HTML
/// beside it, so it reads the same on a phone and a laptop).
const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 160.0;

/// A named series of one number per day.
#[derive(Debug, Clone, PartialEq)]
pub struct DaySeries {
    pub name: String,
    pub values: Vec<i64>,
}

/// The tick values of an axis from 0 to `top`, `step` apart.
fn ticks(top: f64, step: f64) -> Vec<f64> {
    let mut ticks = Vec::new();
    let mut v = 0.0;
    while v <= top + f64::EPSILON {
        ticks.push(v);
        v += step;
    }
    ticks
}

/// Horizontal grid lines at the ticks.
fn grid(y: LinearScale, ticks: &[f64]) -> impl IntoView {
    ticks
        .iter()
        .map(|t| {
            let ty = at(y.map(*t));
            view! { <line x1="0" x2=at(WIDTH) y1=ty.clone() y2=ty stroke="#e7e5e4" stroke-width="1" vector-effect="non-scaling-stroke"/> }
        })
        .collect_view()
}

/// A plot with its value axis on the left (HTML, top to bottom) and day labels below (one
/// cell a day, a label every seventh day counting back from today, every fourteenth on a phone).
#[component]
fn Plot(ticks: Vec<f64>, days: Vec<i64>, label: String, children: Children) -> impl IntoView {
    let last = days.len().saturating_sub(1);
    // One column a day: the charts cover 30 days (Tailwind needs the class written out).
    let columns = "grid grid-cols-30 text-xs text-stone-600";
    view! {
        <div class="mt-3 flex gap-2" aria-hidden="true">
            <div class="flex h-40 w-7 shrink-0 flex-col justify-between text-right text-xs leading-none text-stone-600">
                {ticks.iter().rev().map(|t| view! { <span>{format!("{t}")}</span> }).collect_view()}
            </div>
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") preserveAspectRatio="none" class="h-40 w-full" role="img" aria-label=label>
                {children()}
            </svg>
        </div>
        <div class="ml-9" aria-hidden="true">
            <div class=columns>
                {days.iter().enumerate().map(|(i, day)| {
                    let back = last - i;
                    let labelled = back.is_multiple_of(7);
                    // The last label (today's) grows leftwards, so it stays inside the card. On a
                    // phone a week is ~55 px, too narrow for two dates: every other label is kept
                    // in the grid but not shown there.
                    let class = if i == last {
                        "overflow-visible whitespace-nowrap text-right [direction:rtl]"
                    } else if back.is_multiple_of(14) {
                        "overflow-visible whitespace-nowrap text-center"
                    } else {
                        "invisible overflow-visible whitespace-nowrap text-center sm:visible"
                    };
                    view! { <span class=class>{labelled.then(|| short_date(*day))}</span> }
                }).collect_view()}
            </div>
        </div>
    }
}

/// A legend: a swatch and a name per series.
#[component]
pub fn Legend(names: Vec<String>) -> impl IntoView {
    view! {
        <ul class="mt-3 flex flex-wrap gap-x-4 gap-y-1 text-sm text-stone-700">
            {names.into_iter().enumerate().map(|(i, name)| view! {
                <li class="flex items-center gap-1.5">
                    <svg width="12" height="12" viewBox="0 0 12 12" aria-hidden="true"><rect width="12" height="12" rx="2" fill=colour(i)/></svg>
                    {name}
                </li>
            }).collect_view()}
        </ul>
    }
}

/// Stacked bars, one bar per day, one colour per series. `unit` names what is counted
/// ("segment"); `label` says what the chart shows, for screen readers.
#[component]
pub fn StackedDays(
    days: Vec<i64>,
    series: Vec<DaySeries>,
    unit: &'static str,
    label: String,
) -> impl IntoView {
    let totals: Vec<i64> = (0..days.len())
        .map(|i| {
            series
                .iter()
                .map(|s| s.values.get(i).copied().unwrap_or(0))
                .sum()
        })
        .collect();
    let (top, step) = nice_axis(totals.iter().copied().max().unwrap_or(0) as f64);
    let y = LinearScale {
        domain: (0.0, top),
        range: (HEIGHT, 0.0),
    };
    let x = BandScale {
        count: days.len(),
        range: (0.0, WIDTH),
        padding: 0.25,
    };
    let mut bars = Vec::new();
    for (i, day) in days.iter().enumerate() {
        let mut base = 0i64;
        for (s, one) in series.iter().enumerate() {
            let value = one.values.get(i).copied().unwrap_or(0);
            if value == 0 {
                continue;
            }
            let (y0, y1) = (y.map(base as f64), y.map((base + value) as f64));
            base += value;
            let title = format!(
                "{}: {} on {}",
                one.name,
                crate::ui::format::count(value, unit),
                short_date(*day)
            );
            bars.push(view! {
                <rect x=at(x.start(i)) y=at(y1) width=at(x.width()) height=at(y0 - y1) fill=colour(s)><title>{title}</title></rect>
            });
        }
    }
    let names: Vec<String> = series.iter().map(|s| s.name.clone()).collect();
    let table_rows: Vec<(String, Vec<i64>, i64)> = days
        .iter()
        .enumerate()
        .filter(|(i, _)| totals[*i] > 0)
        .map(|(i, day)| {
            (
                short_date(*day),
                series
                    .iter()
                    .map(|s| s.values.get(i).copied().unwrap_or(0))
                    .collect(),
                totals[i],
            )
        })
        .collect();
    let empty = table_rows.is_empty();
    let axis = ticks(top, step);
    view! {
        <figure class="w-full">
            <Plot ticks=axis.clone() days=days.clone() label=label.clone()>
                {grid(y, &axis)}
                {bars}
            </Plot>
            <Legend names=names.clone()/>
            <details class="mt-2 text-sm">
                <summary class="cursor-pointer py-3 font-medium text-ring-800">"Show as a table"</summary>
                {if empty {
                    view! { <p class="mt-2 text-stone-600">"Nothing on any day yet."</p> }.into_any()
                } else {
                    view! {
                        <div class="mt-2 overflow-x-auto">
                            <table class="min-w-full text-left">
                                <caption class="sr-only">{label}</caption>
                                <thead><tr>
                                    <th scope="col" class="pr-4 font-semibold">"Day"</th>
                                    {names.iter().map(|n| view! { <th scope="col" class="pr-4 font-semibold">{n.clone()}</th> }).collect_view()}
                                    <th scope="col" class="font-semibold">"Total"</th>
                                </tr></thead>
                                <tbody>
                                    {table_rows.into_iter().map(|(day, values, total)| view! {
                                        <tr>
                                            <th scope="row" class="pr-4 font-normal">{day}</th>
                                            {values.into_iter().map(|v| view! { <td class="pr-4">{v}</td> }).collect_view()}
                                            <td>{total}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any()
                }}
            </details>
        </figure>
    }
}

/// A line over days (a score that rises and falls), with its points titled.
#[component]
pub fn LineDays(days: Vec<i64>, values: Vec<f64>, label: String) -> impl IntoView {
    let max = values.iter().copied().fold(0.0, f64::max);
    let (top, step) = nice_axis(max);
    let y = LinearScale {
        domain: (0.0, top),
        range: (HEIGHT, 0.0),
    };
    let x = BandScale {
        count: days.len(),
        range: (0.0, WIDTH),
        padding: 0.0,
    };
    let points: Vec<(f64, f64)> = values
        .iter()
        .enumerate()
        .map(|(i, v)| (x.start(i) + x.width() / 2.0, y.map(*v)))
        .collect();
    let path = points
        .iter()
        .map(|(px, py)| format!("{},{}", at(*px), at(*py)))
        .collect::<Vec<_>>()
        .join(" ");
    let axis = ticks(top, step);
    view! {
        <Plot ticks=axis.clone() days=days.clone() label>
            {grid(y, &axis)}
            <polyline points=path fill="none" stroke=colour(0) stroke-width="2.5" stroke-linejoin="round" vector-effect="non-scaling-stroke"/>
            {points.iter().zip(days.iter().zip(values.iter())).map(|((px, py), (day, v))| view! {
                <rect x=at(px - 5.0) y=at(py - 5.0) width="10" height="10" fill="transparent"><title>{format!("{}: {v:.1}", short_date(*day))}</title></rect>
            }).collect_view()}
        </Plot>
    }
}

/// One stretch of a timeline: who, from when to when (Unix ms), and its tooltip.
#[derive(Debug, Clone, PartialEq)]
pub struct Stretch {
    pub who: String,
    pub from_ms: i64,
    pub until_ms: i64,
    pub title: String,
}

/// A horizontal band from `start_ms` to `end_ms` coloured by who held it, one colour per
/// person (in order of first appearance).
#[component]
pub fn TimelineBand(
    stretches: Vec<Stretch>,
    start_ms: i64,
    end_ms: i64,
    label: String,
) -> impl IntoView {
    let x = LinearScale {
        domain: (start_ms as f64, end_ms as f64),
        range: (0.0, WIDTH),
    };
    let mut people: Vec<String> = Vec::new();
    for s in &stretches {
        if !people.contains(&s.who) {
            people.push(s.who.clone());
        }
    }
    let index = |who: &str| people.iter().position(|p| p == who).unwrap_or(0);
    view! {
        <figure class="mt-3 w-full">
            <svg viewBox=format!("0 0 {WIDTH} 20") preserveAspectRatio="none" class="h-6 w-full rounded" role="img" aria-label=label>
                <rect x="0" y="0" width=at(WIDTH) height="20" fill="#f5f5f4"/>
                {stretches.iter().map(|s| {
                    let (x0, x1) = (x.map(s.from_ms as f64), x.map(s.until_ms as f64));
                    view! { <rect x=at(x0) y="0" width=at((x1 - x0).max(2.0)) height="20" fill=colour(index(&s.who))><title>{s.title.clone()}</title></rect> }
                }).collect_view()}
            </svg>
            <Legend names=people.clone()/>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_scales_map_the_domain_onto_the_range() {
        let y = LinearScale {
            domain: (0.0, 10.0),
            range: (200.0, 0.0),
        };
        assert_eq!(y.map(0.0), 200.0);
        assert_eq!(y.map(10.0), 0.0);
        assert_eq!(y.map(5.0), 100.0);
        let flat = LinearScale {
            domain: (3.0, 3.0),
            range: (0.0, 1.0),
        };
        assert_eq!(flat.map(3.0), 0.0, "an empty domain never divides by zero");
    }

    #[test]
    fn axes_end_on_round_numbers() {
        assert_eq!(nice_axis(0.0), (1.0, 1.0));
        assert_eq!(nice_axis(3.0), (3.0, 1.0));
        assert_eq!(nice_axis(7.0), (8.0, 2.0));
        assert_eq!(nice_axis(18.0), (20.0, 5.0));
        assert_eq!(nice_axis(430.0), (600.0, 200.0));
    }

    #[test]
    fn bands_split_the_range_evenly() {
        let x = BandScale {
            count: 4,
            range: (0.0, 100.0),
            padding: 0.2,
        };
        assert_eq!(x.width(), 20.0);
        assert_eq!(x.start(0), 2.5);
        assert_eq!(x.start(3), 77.5);
        assert_eq!(at(1.0 / 3.0), "0.3");
    }
}
