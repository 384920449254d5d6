//! `/admin`: how OneRing is doing at a glance.

use leptos::prelude::*;

use super::shell::{AdminError, AdminShell};
use crate::admin::api::admin_overview;
use crate::admin::types::Overview;
use crate::ui::format::utc_datetime;
use crate::ui::style::CARD;

#[component]
pub fn AdminOverviewPage() -> impl IntoView {
    let overview = Resource::new(|| (), |()| admin_overview());
    view! {
        <AdminShell title="Overview">
            <Transition fallback=|| view! { <p class="mt-6 text-stone-600">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(overview) => view! { <Dashboard overview/> }.into_any(),
                        Err(error) => view! { <AdminError error/> }.into_any(),
                    }
                })}
            </Transition>
        </AdminShell>
    }
}

#[component]
fn Tile(label: &'static str, value: String, id: &'static str) -> impl IntoView {
    view! {
        <div class=CARD>
            <p class="text-sm text-stone-600">{label}</p>
            <p class="mt-1 text-2xl font-bold tabular-nums" id=id>{value}</p>
        </div>
    }
}

#[component]
fn Dashboard(overview: Overview) -> impl IntoView {
    let me = overview.me.clone();
    let health = overview.health.clone();
    view! {
        <p class="mt-2 text-sm text-stone-700" id="admin-me">
            "Signed in as " <strong>{me.email.clone().unwrap_or_else(|| me.id.clone())}</strong>
            " through the " {me.kind.label()} " (" {me.mechanism.clone()} ")."
        </p>
        <div class="mt-6 grid grid-cols-1 gap-4 sm:grid-cols-3">
            <Tile label="People" value=overview.users.to_string() id="count-users"/>
            <Tile label="Drafts" value=overview.drafts.to_string() id="count-drafts"/>
            <Tile label="Segments today (UTC)" value=overview.segments_today.to_string() id="count-segments-today"/>
        </div>
        <div class="mt-6 grid grid-cols-1 gap-4 md:grid-cols-3">
            <section class=CARD aria-labelledby="events-heading">
                <h2 id="events-heading" class="font-semibold">"Billing events"</h2>
                {if overview.billing_enabled { None } else {
                    Some(view! { <p class="mt-1 text-sm text-stone-600">"Billing is off on this server (no Stripe key)."</p> })
                }}
                <ul class="mt-2 space-y-1 text-sm" id="events-by-status">
                    {overview.events_by_status.iter().map(|s| view! {
                        <li class="flex justify-between gap-2">
                            <a class="text-ring-800 underline" href=format!("/admin/billing?status={}", s.status)>{s.status.clone()}</a>
                            <span class="tabular-nums">{s.count}</span>
                        </li>
                    }).collect_view()}
                    {overview.events_by_status.is_empty().then(|| view! { <li class="text-stone-600">"None received yet."</li> })}
                </ul>
            </section>
            <section class=CARD aria-labelledby="reconcile-heading">
                <h2 id="reconcile-heading" class="font-semibold">"Last reconciliation"</h2>
                <p class="mt-2 text-sm text-stone-700" id="last-reconcile">
                    {match overview.last_reconcile.clone() {
                        Some(run) => format!("{} · {}{}", utc_datetime(run.at_ms), run.status,
                            run.error.map_or_else(String::new, |e| format!(" · {e}"))),
                        None => "Not run yet.".to_owned(),
                    }}
                </p>
                <a href="/admin/reconcile" class="mt-2 inline-flex min-h-11 items-center text-sm font-medium text-ring-800 underline">"Reconcile now"</a>
            </section>
            <section class=CARD aria-labelledby="health-heading">
                <h2 id="health-heading" class="font-semibold">"Health"</h2>
                <ul class="mt-2 space-y-1 text-sm text-stone-700" id="health">
                    <li>"Database: " {if health.database_up { "up" } else { "down" }} " (" {health.backend.clone()}
                        {health.latency_ms.map(|ms| format!(", {ms} ms"))} ")"</li>
                    <li>"Jobs waiting for someone (failed): " <span class="tabular-nums">{health.failed_jobs}</span></li>
                </ul>
            </section>
        </div>
    }
}
