//! The parts of `/account/plan` (the page itself is billing's, which adds the ways to pay):
//! my plan, what I use of it, grace left, overrides in force, and its history. Calm: the
//! numbers and the ways out, no countdowns, no nagging.

use leptos::prelude::*;
use leptos_router::components::A;

use super::types::{describe, MyPlan, Standing};
use crate::ui::format::utc_datetime;
use crate::ui::style::CARD;

/// My plan and what I use of it; `children` are the ways to change it.
#[component]
pub fn PlanSummary(plan: MyPlan, children: Children) -> impl IntoView {
    let grace_total = plan.plan.grace_count;
    view! {
        <section class=format!("{CARD} mt-6") aria-labelledby="plan-heading">
            <div class="flex flex-wrap items-baseline justify-between gap-2">
                <h2 id="plan-heading" class="text-xl font-semibold">{plan.plan.name.clone()} <span class="ml-2 text-base font-normal text-stone-600">{plan.plan.price_label.clone()}</span></h2>
                <p class="text-sm text-stone-600">"Since " {utc_datetime(plan.since_ms)}</p>
            </div>
            <ul class="mt-4 space-y-4" id="usage">
                {plan.standings.iter().map(|s| view! { <StandingRow standing=s.clone() grace_total/> }).collect_view()}
            </ul>
            <div class="mt-6 flex flex-wrap items-center gap-3">
                <A href="/pricing" attr:class="tap rounded-lg border border-stone-300 px-4 py-2 font-medium text-stone-800 hover:bg-stone-50">"Compare plans"</A>
                {children()}
            </div>
        </section>
    }
}

/// How my plan changed over time.
#[component]
pub fn PlanHistory(plan: MyPlan) -> impl IntoView {
    view! {
        <section class=format!("{CARD} mt-6") aria-labelledby="history-heading">
            <h2 id="history-heading" class="text-lg font-semibold">"History"</h2>
            <ol class="mt-3 space-y-1 text-sm text-stone-700" id="plan-history">
                {plan.history.iter().map(|change| view! {
                    <li>
                        {utc_datetime(change.at_ms)} " · "
                        {match (&change.from, change.reason.as_str()) {
                            (None, _) => format!("started on {}", change.to),
                            (Some(from), reason) => format!("{from} → {} ({reason})", change.to),
                        }}
                    </li>
                }).collect_view()}
            </ol>
        </section>
    }
}

#[component]
fn StandingRow(standing: Standing, grace_total: i64) -> impl IntoView {
    let e = standing.entitlement;
    let limit = standing.value;
    let line = match (standing.usage, limit, e.is_feature()) {
        (_, _, true) => describe(e, limit),
        (Some(usage), Some(limit), false) => format!("{usage} of {limit}"),
        (Some(usage), None, false) => format!("{usage} · no limit"),
        (None, value, false) => format!("up to {}", describe(e, value)),
    };
    let meter = match (standing.usage, limit) {
        (Some(usage), Some(limit)) if limit > 0 => Some((usage.min(limit), limit)),
        _ => None,
    };
    let (_, plural) = e.noun();
    view! {
        <li>
            <div class="flex flex-wrap justify-between gap-2 text-sm">
                <span class="font-medium text-stone-800">{e.label()}</span>
                <span class="text-stone-700" data-entitlement=e.key()>{line}</span>
            </div>
            {meter.map(|(value, max)| view! {
                <progress class="mt-1 h-2 w-full accent-ring-700" value=value max=max aria-label=format!("{} used", e.label())></progress>
            })}
            {(standing.grace_used > 0).then(|| view! {
                <p class="mt-1 text-sm text-stone-600">"Grace used: " {standing.grace_used} " of " {grace_total} " " {plural} " past the limit."</p>
            })}
            {standing.override_until_ms.map(|until| view! {
                <p class="mt-1 text-sm text-stone-600">
                    "Set for you: " {describe(e, limit)}
                    {until.map(|t| format!(" until {}", utc_datetime(t)))}
                    {standing.override_reason.clone().map(|r| format!(" ({r})"))}
                </p>
            })}
        </li>
    }
}
