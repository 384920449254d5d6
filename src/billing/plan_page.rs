//! `/account/plan`: the plan and its usage (from plans), with the ways to pay: upgrade
//! through Stripe Checkout, manage billing in Stripe's portal, a calm note when a payment
//! failed. Returning from checkout says the payment was received and refreshes until the
//! webhook has changed the plan: the plan never changes from the return link itself.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::api::{load_billing_status, OpenPortal, StartCheckout};
use super::types::BillingStatus;
use crate::auth::SignedIn;
use crate::plans::api::get_my_plan;
use crate::plans::{PlanHistory, PlanSummary};
use crate::ui::form::{action_failure, FormAlert, IdempotencyKey};
use crate::ui::LoadError;

/// After a checkout, how often and how many times the page looks for the new plan.
const POLL_MS: u64 = 2_000;
const POLLS: usize = 30;

#[component]
pub fn PlanPage() -> impl IntoView {
    view! {
        <Title text="Your plan · OneRing"/>
        <div class="mx-auto max-w-3xl px-4 py-10"><SignedIn loading="Loading your plan…">
            <Mine/>
        </SignedIn></div>
    }
}

#[component]
fn Mine() -> impl IntoView {
    let query = use_query_map();
    let returned = move || query.with(|q| q.get("checkout"));
    let polls = RwSignal::new(0_usize);
    let mine = Resource::new(move || polls.get(), |_| get_my_plan(None));
    let billing = Resource::new(move || polls.get(), |_| load_billing_status());
    // The plan when the page opened: after a checkout, wait for it to change.
    let first_plan = StoredValue::new(None::<String>);
    Effect::new(move || {
        let Some(Ok(status)) = billing.get() else {
            return;
        };
        let first = first_plan.get_value();
        if first.is_none() {
            first_plan.set_value(Some(status.plan.clone()));
        }
        let unchanged = first.is_none_or(|first| first == status.plan);
        if returned().as_deref() == Some("done") && unchanged && polls.get_untracked() < POLLS {
            set_timeout(
                move || polls.update(|n| *n += 1),
                std::time::Duration::from_millis(POLL_MS),
            );
        }
    });
    // Read only inside the Suspend below (awaited, never `.get()` during SSR): a resource
    // read reactively beside an awaiting Suspense can deadlock leptos 0.8's SSR on a
    // multi-threaded runtime (leptos-rs/leptos#4673).
    let note = move |status: &BillingStatus| {
        let upgraded = first_plan
            .get_value()
            .is_some_and(|first| first != status.plan);
        match (returned().as_deref(), upgraded) {
            (Some("done"), true) => Some(view! { <Note id="checkout-note" text="Thank you — your new plan is active."/> }.into_any()),
            (Some("done"), false) => Some(view! { <Note id="checkout-note" text="Payment received — your plan updates in a moment."/> }.into_any()),
            (Some("cancelled"), _) => Some(view! { <Note id="checkout-note" text="Checkout was cancelled. Nothing was charged."/> }.into_any()),
            _ => None,
        }
    };
    view! {
        <h1 class="text-2xl font-bold tracking-tight">"Your plan"</h1>
        <Transition fallback=|| view! { <p class="mt-6 text-stone-600">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match (mine.await, billing.await) {
                    (Ok(plan), Ok(status)) => view! {
                        {note(&status)}
                        {status.notice.clone().map(|notice| view! {
                            <p class="mt-4 rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900" role="status" id="billing-notice">{notice}</p>
                        })}
                        <div class="mt-6">
                            <PlanSummary plan=plan.clone()><Payments status/></PlanSummary>
                        </div>
                        <PlanHistory plan/>
                    }.into_any(),
                    (Err(error), _) | (_, Err(error)) => view! { <LoadError error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Note(id: &'static str, text: &'static str) -> impl IntoView {
    view! { <p class="mt-4 rounded-lg border border-ring-200 bg-ring-50 px-4 py-3 text-sm text-ring-900" role="status" id=id>{text}</p> }
}

/// Upgrade and manage buttons: forms that work before hydration (the server answers with
/// a redirect to Stripe) and after it (the same redirect, followed by the router).
#[component]
fn Payments(status: BillingStatus) -> impl IntoView {
    if !status.enabled {
        return view! { <p class="text-sm text-stone-600" id="upgrade-note">"Upgrades are not available on this server."</p> }.into_any();
    }
    let checkout = ServerAction::<StartCheckout>::new();
    let portal = ServerAction::<OpenPortal>::new();
    let checkout_error = action_failure(checkout.value());
    let portal_error = action_failure(portal.value());
    let error = Signal::derive(move || {
        checkout_error
            .get()
            .or(portal_error.get())
            .map(|e| e.to_string())
    });
    view! {
        {status.upgrades.into_iter().map(|upgrade| view! {
            <ActionForm action=checkout>
                <IdempotencyKey completed=checkout.version()/>
                <input type="hidden" name="plan" value=upgrade.plan.clone()/>
                <button type="submit" id=format!("upgrade-{}", upgrade.plan)
                    class="rounded-lg bg-ring-700 px-4 py-2 font-semibold text-white hover:bg-ring-800 disabled:opacity-70"
                    disabled=move || checkout.pending().get()>
                    "Upgrade to " {upgrade.name.clone()} " · " {upgrade.price_label.clone()}
                </button>
            </ActionForm>
        }).collect_view()}
        {status.can_manage.then(|| view! {
            <ActionForm action=portal>
                <IdempotencyKey completed=portal.version()/>
                <button type="submit" id="manage-billing"
                    class="rounded-lg border border-stone-300 px-4 py-2 font-medium text-stone-800 hover:bg-stone-50 disabled:opacity-70"
                    disabled=move || portal.pending().get()>
                    "Manage billing"
                </button>
            </ActionForm>
        })}
        <div class="w-full"><FormAlert message=error/></div>
    }
    .into_any()
}
