//! `/admin/reconcile`: compare every subscription with Stripe's now, and see what changed.

use leptos::prelude::*;

use super::shell::{AdminError, AdminShell, ReasonField, PRIMARY};
use crate::admin::api::{admin_overview, AdminReconcile};
use crate::admin::types::ReconcileReport;
use crate::ui::form::{action_error, FormAlert, IdempotencyKey};
use crate::ui::format::utc_datetime;
use crate::ui::style::CARD;

#[component]
pub fn AdminReconcilePage() -> impl IntoView {
    let run = ServerAction::<AdminReconcile>::new();
    let overview = Resource::new(move || run.version().get(), |_| admin_overview());
    let error = action_error(run.value());
    view! {
        <AdminShell title="Reconcile with Stripe">
            <Transition fallback=|| view! { <p class="mt-6 text-stone-600">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(overview) => view! {
                            <p class="mt-2 text-stone-700" id="last-reconcile">
                                {match overview.last_reconcile {
                                    Some(last) => format!("Last run by the hourly job: {} ({}).", utc_datetime(last.at_ms), last.status),
                                    None => "The hourly job has not run yet.".to_owned(),
                                }}
                            </p>
                            {(!overview.billing_enabled).then(|| view! {
                                <p class="mt-2 text-stone-700">"Billing is off on this server, so there is nothing to reconcile."</p>
                            })}
                            <section class=format!("{CARD} mt-4") aria-labelledby="run-heading">
                                <h2 id="run-heading" class="text-lg font-semibold">"Run now"</h2>
                                <p class="mt-1 text-sm text-stone-700">"Compares every subscription OneRing knows with Stripe's and fixes what differs; each fix is in the audit log."</p>
                                <ActionForm action=run attr:class="mt-3 space-y-3" attr:id="reconcile-form">
                                    <IdempotencyKey completed=run.version()/>
                                    <ReasonField id="reconcile-reason"/>
                                    <button type="submit" class=PRIMARY disabled=move || run.pending().get() || !overview.billing_enabled>
                                        {move || if run.pending().get() { "Reconciling…" } else { "Reconcile now" }}
                                    </button>
                                </ActionForm>
                            </section>
                        }.into_any(),
                        Err(error) => view! { <AdminError error/> }.into_any(),
                    }
                })}
            </Transition>
            <div class="mt-4"><FormAlert message=error/></div>
            {move || run.value().get().and_then(Result::ok).map(|report| view! { <Report report/> })}
        </AdminShell>
    }
}

#[component]
fn Report(report: ReconcileReport) -> impl IntoView {
    let fixed = report.changes.len();
    view! {
        <section class=format!("{CARD} mt-4") aria-labelledby="report-heading" id="reconcile-report">
            <h2 id="report-heading" class="text-lg font-semibold">"What it did"</h2>
            <p class="mt-1 text-stone-700" role="status">
                "Checked " {crate::ui::format::count(report.checked as i64, "subscription")} "; "
                {if fixed == 0 { "all matched Stripe.".to_owned() } else { format!("fixed {fixed}.") }}
            </p>
            {report.error.map(|e| view! { <p class="mt-1 text-sm text-red-800">"Stopped early: " {e}</p> })}
            <ul class="mt-3 space-y-3 text-sm">
                {report.changes.into_iter().map(|c| view! {
                    <li class="wrap-anywhere">
                        <p class="font-medium">"@" {c.handle} " · " {c.subscription_id}</p>
                        <p class="text-stone-700">"Before: " <code>{c.before}</code></p>
                        <p class="text-stone-700">"After: " <code>{c.after}</code></p>
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}
