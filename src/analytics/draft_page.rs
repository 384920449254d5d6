//! `/drafts/:id/insights`: what a draft's collaboration is doing, for its members, drawn on
//! the server (the charts are SVG, so they show before hydration and without JavaScript).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Redirect, A};
use leptos_router::hooks::{use_params_map, use_query_map};

use super::api::get_draft_insights;
use super::types::{DraftInsights, Holding};
use crate::error::AppError;
use crate::ui::chart::{DaySeries, StackedDays, Stretch, TimelineBand};
use crate::ui::format::{count, utc_datetime};
use crate::ui::nav::{draft_path, sign_in_then};
use crate::ui::style::CARD;
use crate::ui::LoadError;

#[component]
pub fn DraftInsightsPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let draft_id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    let now = Memo::new(move |_| query.with(|q| q.get("now")));
    let insights = Resource::new(
        move || (draft_id.get(), now.get()),
        |(id, now)| get_draft_insights(id, now),
    );
    view! {
        <Transition fallback=|| view! { <p class="mx-auto max-w-5xl px-4 py-10 text-stone-600">"Gathering the numbers…"</p> }>
            {move || Suspend::new(async move {
                match insights.await {
                    Ok(insights) => view! { <Insights insights/> }.into_any(),
                    Err(AppError::Unauthorized { .. }) => {
                        let back = format!("{}/insights", draft_path(&draft_id.get_untracked()));
                        view! { <Redirect path=sign_in_then(&back)/> }.into_any()
                    }
                    Err(AppError::NotFound) => view! { <crate::ui::NotFound/> }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// A headline number with its label.
#[component]
pub(super) fn Stat(
    label: &'static str,
    value: String,
    #[prop(optional)] note: Option<String>,
) -> impl IntoView {
    view! {
        <div class="rounded-xl border border-stone-200 bg-white p-4">
            <dt class="text-sm text-stone-600">{label}</dt>
            <dd class="mt-1 text-2xl font-bold tracking-tight text-stone-900">{value}</dd>
            {note.map(|n| view! { <dd class="mt-1 text-sm text-stone-600">{n}</dd> })}
        </div>
    }
}

fn duration(minutes: i64) -> String {
    match minutes {
        m if m < 60 => count(m, "minute"),
        m if m < 48 * 60 => count((m + 30) / 60, "hour"),
        m => count((m + 720) / 1440, "day"),
    }
}

#[component]
fn Insights(insights: DraftInsights) -> impl IntoView {
    let back = draft_path(&insights.draft_id);
    let passes = insights.passes;
    let days = insights.activity.days.clone();
    let series: Vec<DaySeries> = insights
        .activity
        .series
        .iter()
        .map(|s| DaySeries {
            name: format!("@{}", s.person.handle),
            values: s.counts.clone(),
        })
        .collect();
    let window_start = crate::clock::day_start(days.first().copied().unwrap_or_default());
    let window_end = insights.as_of_ms;
    view! {
        <Title text=format!("Insights · {} · OneRing", insights.title)/>
        <div class="mx-auto max-w-5xl px-4 py-8">
            <A href=back.clone() attr:class="tap text-sm font-medium text-ring-800 hover:underline">"← Back to the draft"</A>
            <h1 class="mt-2 text-2xl font-bold tracking-tight">"Insights: " {insights.title.clone()}</h1>
            <p class="mt-1 text-stone-600">"How this " {insights.platform.label()} " thread is coming together. Effort and teamwork, as of " {utc_datetime(crate::clock::day_start(insights.today) + (window_end - crate::clock::day_start(insights.today)).max(0))} "."</p>
            <dl class="mt-6 grid grid-cols-2 gap-3 sm:grid-cols-4" id="insight-numbers">
                <Stat label="Segments" value=insights.segments.to_string()/>
                <Stat label="Contributors" value=insights.contributors.to_string()/>
                <Stat label="Ring passes" value=passes.all_time.to_string() note=format!("{} in 24 h · {} in 7 days", passes.last_24h, passes.last_7d)/>
                <Stat label="Ring moves every" value=insights.avg_minutes_between_passes.map_or_else(|| "—".to_owned(), duration) note="on average, between passes".to_owned()/>
                <Stat label="Written over" value=insights.first_to_last_segment_minutes.map_or_else(|| "—".to_owned(), duration) note="first segment to last".to_owned()/>
                <Stat label="Readers" value=insights.unique_viewers.to_string() note=format!("{} visits", insights.views)/>
                <Stat label="Share card" value=insights.card_views.to_string() note=format!("views · {} copies", insights.card_copies)/>
            </dl>
            <p class="mt-2 text-sm text-stone-600">"Visits are here for context, never as a goal: a thread's worth is in the writing."</p>
            {match insights.note.clone() {
                Some(note) => view! {
                    <p class=format!("{CARD} mt-6 text-stone-700") id="insights-note">{note} " " <A href="/pricing" attr:class="font-semibold text-ring-800 underline">"Compare plans"</A></p>
                }.into_any(),
                None => view! { <FullInsights insights=insights.clone() days series window_start window_end/> }.into_any(),
            }}
        </div>
    }
}

#[component]
fn FullInsights(
    insights: DraftInsights,
    days: Vec<i64>,
    series: Vec<DaySeries>,
    window_start: i64,
    window_end: i64,
) -> impl IntoView {
    view! {

            <section class=format!("{CARD} mt-6") aria-labelledby="activity-heading">
                <h2 id="activity-heading" class="text-lg font-semibold">"Segments per day, last 30 days"</h2>
                <StackedDays days series unit="segment" label="Segments added per day over the last 30 days, by contributor".to_owned()/>
            </section>

            <section class=format!("{CARD} mt-6") aria-labelledby="ring-timeline-heading">
                <h2 id="ring-timeline-heading" class="text-lg font-semibold">"Who held the ring"</h2>
                <TimelineBand
                    stretches=insights.ring_timeline.iter().map(stretch).collect()
                    start_ms=window_start
                    end_ms=window_end
                    label="Who held the ring over the last 30 days".to_owned()
                />
                <ol class="mt-3 space-y-1 text-sm text-stone-700" id="ring-timeline">
                    {insights.ring_timeline.iter().rev().take(10).map(|h| view! {
                        <li>"@" {h.person.handle.clone()} " · " {utc_datetime(h.from_ms)} " → " {utc_datetime(h.until_ms)}</li>
                    }).collect_view()}
                </ol>
            </section>

            <section class=format!("{CARD} mt-6") aria-labelledby="people-heading">
                <h2 id="people-heading" class="text-lg font-semibold">"Who wrote what"</h2>
                <div class="mt-3 overflow-x-auto">
                    <table class="min-w-full text-left text-sm" id="contributions">
                        <thead><tr class="text-stone-600">
                            <th scope="col" class="py-1 pr-4 font-semibold">"Person"</th>
                            <th scope="col" class="py-1 pr-4 font-semibold">"Segments"</th>
                            <th scope="col" class="py-1 font-semibold">"Characters"</th>
                        </tr></thead>
                        <tbody>
                            {insights.contributions.iter().map(|c| view! {
                                <tr class="border-t border-stone-100">
                                    <th scope="row" class="py-1.5 pr-4 font-medium">"@" {c.person.handle.clone()}</th>
                                    <td class="py-1.5 pr-4">{c.segments}</td>
                                    <td class="py-1.5">{c.characters}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </section>
    }
}

fn stretch(h: &Holding) -> Stretch {
    Stretch {
        who: format!("@{}", h.person.handle),
        from_ms: h.from_ms,
        until_ms: h.until_ms,
        title: format!(
            "@{} held the ring from {} to {}",
            h.person.handle,
            utc_datetime(h.from_ms),
            utc_datetime(h.until_ms)
        ),
    }
}
