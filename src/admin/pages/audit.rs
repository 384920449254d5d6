//! `/admin/audit`: every admin action, newest first, filtered by actor, action, target and
//! day. Read-only: there is nothing here (or anywhere) that changes a row.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::shell::{query, AdminError, AdminShell, Pager, INPUT, LABEL};
use crate::admin::api::admin_audit;
use crate::admin::types::AuditRow;
use crate::ui::format::utc_datetime;

const FIELDS: [(&str, &str, &str); 5] = [
    ("actor", "Actor (id, email or type)", "text"),
    ("action", "Action (or its start)", "text"),
    ("target", "Target (user:… or @handle)", "text"),
    ("from", "From", "date"),
    ("until", "Until", "date"),
];

#[component]
pub fn AdminAuditPage() -> impl IntoView {
    let params = use_query_map();
    let filters = Memo::new(move |_| {
        params.with(|p| {
            let values: Vec<String> = FIELDS
                .iter()
                .map(|(name, _, _)| p.get(name).unwrap_or_default())
                .collect();
            let page = p
                .get("page")
                .and_then(|n| n.parse::<u32>().ok())
                .unwrap_or(0);
            (values, page)
        })
    });
    let rows = Resource::new(
        move || filters.get(),
        |(v, page)| {
            let field = |i: usize| v.get(i).cloned();
            admin_audit(field(0), field(1), field(2), field(3), field(4), Some(page))
        },
    );
    view! {
        <AdminShell title="Audit log">
            <form method="get" action="/admin/audit" class="mt-4 grid grid-cols-1 gap-3 sm:grid-cols-3 lg:grid-cols-6 lg:items-end">
                {move || {
                    let (values, _) = filters.get();
                    FIELDS.iter().zip(values).map(|((name, label, kind), value)| {
                        let id = format!("audit-{name}");
                        view! {
                            <div>
                                <label for=id.clone() class=LABEL>{*label}</label>
                                <input id=id name=*name type=*kind class=INPUT value=value/>
                            </div>
                        }
                    }).collect_view()
                }}
                <button type="submit" class="min-h-11 rounded-lg border border-stone-300 bg-white px-4 py-2 font-medium hover:bg-stone-50">"Filter"</button>
            </form>
            <Transition fallback=|| view! { <p class="mt-6 text-stone-600">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match rows.await {
                        Ok(found) => {
                            let (values, page) = filters.get_untracked();
                            let href = Callback::new(move |page| {
                                let pairs: Vec<(&str, String)> = FIELDS.iter().map(|(n, _, _)| *n).zip(values.clone()).collect();
                                format!("/admin/audit{}", query(&pairs, page))
                            });
                            let empty = found.rows.is_empty();
                            view! {
                                <ol class="mt-6 space-y-3" id="audit-rows">
                                    {found.rows.into_iter().map(|row| view! { <Entry row/> }).collect_view()}
                                </ol>
                                {empty.then(|| view! { <p class="mt-4 text-stone-700">"Nothing matches."</p> })}
                                <Pager page has_more=found.has_more href/>
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
fn Entry(row: AuditRow) -> impl IntoView {
    view! {
        <li class="rounded-2xl border border-stone-200 bg-white p-4 text-sm" data-action=row.action.clone()>
            <p class="flex flex-wrap gap-x-3 gap-y-1">
                <span class="font-semibold">{row.action.clone()}</span>
                <span>{row.target_label.clone()}</span>
                <span class="text-stone-700">{utc_datetime(row.at_ms)}</span>
            </p>
            <p class="mt-1 wrap-anywhere text-stone-700">
                "By " <span class="font-medium">{row.actor_email.clone().unwrap_or_else(|| row.actor_id.clone())}</span>
                " (" {row.actor_type.clone()} " · " {row.mechanism.clone()} ")"
                {row.client_address.clone().map(|a| format!(" from {a}"))}
                {row.request_id.clone().map(|r| format!(" · request {r}"))}
            </p>
            <p class="mt-1 wrap-anywhere">"Why: " {row.reason.clone()}</p>
            <details class="mt-1">
                <summary class="cursor-pointer py-3 text-ring-800">"Before and after"</summary>
                <p class="break-all font-mono text-xs">"Before: " {row.before.clone()}</p>
                <p class="break-all font-mono text-xs">"After: " {row.after.clone()}</p>
            </details>
        </li>
    }
}
