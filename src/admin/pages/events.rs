//! `/admin/billing`: the Stripe events OneRing stored, filtered by type, status and day;
//! `/admin/billing/:id`: one of them, its payload (secrets redacted) and replay.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::shell::{
    query, AdminError, AdminShell, Outcome, Pager, ReasonField, INPUT, LABEL, PRIMARY,
};
use crate::admin::api::{admin_billing_event, admin_billing_events, AdminReplayEvent};
use crate::admin::types::{EventDetail, EventRow};
use crate::ui::form::IdempotencyKey;
use crate::ui::format::utc_datetime;
use crate::ui::style::CARD;

const STATUSES: [&str; 4] = ["pending", "processed", "failed", "ignored"];

#[derive(Clone, Debug, PartialEq, Eq, Default)]
struct Filters {
    event_type: String,
    status: String,
    from: String,
    until: String,
    page: u32,
}

impl Filters {
    fn href(&self, page: u32) -> String {
        format!(
            "/admin/billing{}",
            query(
                &[
                    ("type", self.event_type.clone()),
                    ("status", self.status.clone()),
                    ("from", self.from.clone()),
                    ("until", self.until.clone()),
                ],
                page
            )
        )
    }
}

#[component]
pub fn AdminEventsPage() -> impl IntoView {
    let params = use_query_map();
    let filters = Memo::new(move |_| {
        params.with(|p| Filters {
            event_type: p.get("type").unwrap_or_default(),
            status: p.get("status").unwrap_or_default(),
            from: p.get("from").unwrap_or_default(),
            until: p.get("until").unwrap_or_default(),
            page: p.get("page").and_then(|n| n.parse().ok()).unwrap_or(0),
        })
    });
    let events = Resource::new(
        move || filters.get(),
        |f| {
            admin_billing_events(
                Some(f.event_type),
                Some(f.status),
                Some(f.from),
                Some(f.until),
                Some(f.page),
            )
        },
    );
    view! {
        <AdminShell title="Billing events">
            <Transition fallback=|| view! { <p class="mt-6 text-stone-600">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let f = filters.get_untracked();
                    match events.await {
                        Ok(list) => {
                            let href_filters = f.clone();
                            let href = Callback::new(move |page| href_filters.href(page));
                            view! {
                                <FilterForm filters=f.clone() types=list.types.clone()/>
                                <ul class="mt-6 divide-y divide-stone-200 rounded-2xl border border-stone-200 bg-white" id="event-list">
                                    {list.rows.iter().cloned().map(|e| view! { <EventItem event=e/> }).collect_view()}
                                </ul>
                                {list.rows.is_empty().then(|| view! { <p class="mt-4 text-stone-700">"No events match."</p> })}
                                <Pager page=f.page has_more=list.has_more href/>
                            }.into_any()
                        }
                        Err(error) => view! { <AdminError error/> }.into_any(),
                    }
                })}
            </Transition>
        </AdminShell>
    }
}

#[component]
fn FilterForm(filters: Filters, types: Vec<String>) -> impl IntoView {
    view! {
        <form method="get" action="/admin/billing" class="mt-4 grid grid-cols-1 gap-3 sm:grid-cols-5 sm:items-end">
            <div>
                <label for="event-type" class=LABEL>"Type"</label>
                <select id="event-type" name="type" class=INPUT>
                    <option value="">"Any"</option>
                    {types.into_iter().map(|t| {
                        let selected = t == filters.event_type;
                        let label = t.clone();
                        view! { <option value=t selected=selected>{label}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div>
                <label for="event-status" class=LABEL>"Status"</label>
                <select id="event-status" name="status" class=INPUT>
                    <option value="">"Any"</option>
                    {STATUSES.into_iter().map(|s| view! { <option value=s selected=s == filters.status>{s}</option> }).collect_view()}
                </select>
            </div>
            <div>
                <label for="event-from" class=LABEL>"Received from"</label>
                <input id="event-from" name="from" type="date" class=INPUT value=filters.from.clone()/>
            </div>
            <div>
                <label for="event-until" class=LABEL>"Until"</label>
                <input id="event-until" name="until" type="date" class=INPUT value=filters.until.clone()/>
            </div>
            <button type="submit" class="min-h-11 rounded-lg border border-stone-300 bg-white px-4 py-2 font-medium hover:bg-stone-50">"Filter"</button>
        </form>
    }
}

#[component]
fn EventItem(event: EventRow) -> impl IntoView {
    view! {
        <li class="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1 p-4" data-status=event.status.clone()>
            <div class="min-w-0">
                <a href=format!("/admin/billing/{}", crate::ui::nav::encode_segment(&event.event_id)) class="break-all font-semibold text-ring-800 underline">{event.event_id.clone()}</a>
                <p class="text-sm text-stone-700">{event.event_type.clone()}</p>
            </div>
            <p class="text-sm text-stone-700">
                <span class="font-semibold">{event.status.clone()}</span> " · " {crate::ui::format::count(event.attempts, "attempt")}
                " · received " {utc_datetime(event.received_at_ms)}
            </p>
            {event.last_error.clone().map(|e| view! { <p class="w-full wrap-anywhere text-sm text-red-800">{e}</p> })}
        </li>
    }
}

#[component]
pub fn AdminEventPage() -> impl IntoView {
    let params = use_params_map();
    let event_id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    let replay = ServerAction::<AdminReplayEvent>::new();
    let event = Resource::new(
        move || (event_id.get(), replay.version().get()),
        |(id, _)| admin_billing_event(id),
    );
    view! {
        <AdminShell title="Billing event">
            <Transition fallback=|| view! { <p class="mt-6 text-stone-600">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match event.await {
                        Ok(detail) => view! { <Event detail replay/> }.into_any(),
                        Err(error) => view! { <AdminError error/> }.into_any(),
                    }
                })}
            </Transition>
        </AdminShell>
    }
}

#[component]
fn Event(detail: EventDetail, replay: ServerAction<AdminReplayEvent>) -> impl IntoView {
    let row = detail.row.clone();
    let replayable = row.replayable();
    let result = Signal::derive(move || {
        replay
            .value()
            .get()
            .map(|r| r.map(|o| format!("Replayed: {} (the event is now {}).", o.outcome, o.status)))
    });
    view! {
        <ul class="mt-4 list-none"><EventItem event=row.clone()/></ul>
        {replayable.then(|| view! {
            <section class=format!("{CARD} mt-4") aria-labelledby="replay-heading">
                <h2 id="replay-heading" class="text-lg font-semibold">"Replay"</h2>
                <p class="mt-1 text-sm text-stone-700">"Processes the event again through the same path as a delivery. An event is applied at most once."</p>
                <ActionForm action=replay attr:class="mt-3 space-y-3" attr:id="replay-form">
                    <IdempotencyKey completed=replay.version()/>
                    <input type="hidden" name="event_id" value=row.event_id.clone()/>
                    <ReasonField id="replay-reason"/>
                    <button type="submit" class=PRIMARY disabled=move || replay.pending().get()>"Replay this event"</button>
                </ActionForm>
            </section>
        })}
        <div class="mt-3"><Outcome result/></div>
        <section class="mt-4" aria-labelledby="payload-heading">
            <h2 id="payload-heading" class="text-lg font-semibold">"Payload (secrets redacted)"</h2>
            <pre class="mt-2 max-h-[32rem] overflow-auto rounded-xl bg-stone-900 p-4 text-xs text-stone-100" id="event-payload" tabindex="0">{detail.payload}</pre>
        </section>
    }
}
