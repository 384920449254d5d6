//! `/pricing`: the plans side by side with what each includes; the visitor's own marked.
//! Works signed out.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::api::get_pricing;
use super::types::{describe, Entitlement, Pricing};
use crate::ui::LoadError;

#[component]
pub fn PricingPage() -> impl IntoView {
    let pricing = Resource::new(|| (), |()| get_pricing());
    view! {
        <Title text="Plans · OneRing"/>
        <div class="mx-auto max-w-6xl px-4 py-10">
            <h1 class="text-3xl font-bold tracking-tight">"Plans"</h1>
            <p class="mt-2 max-w-2xl text-stone-700">"Every plan writes threads together, passes the ring and keeps every voice credited. Bigger plans hold more drafts and more people."</p>
            <Transition fallback=|| view! { <p class="mt-6 text-stone-600">"Loading the plans…"</p> }>
                {move || Suspend::new(async move {
                    match pricing.await {
                        Ok(pricing) => view! { <Plans pricing/> }.into_any(),
                        Err(error) => view! { <LoadError error/> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn Plans(pricing: Pricing) -> impl IntoView {
    let signed_in = pricing.current.is_some();
    view! {
        <ul class="mt-8 grid grid-cols-1 gap-4 md:grid-cols-3" id="plans">
            {pricing.plans.into_iter().map(|plan| {
                let current = pricing.current.as_deref() == Some(plan.id.as_str());
                view! {
                    <li class=if current { "rounded-2xl border-2 border-ring-600 bg-white p-6 shadow-sm" } else { "rounded-2xl border border-stone-200 bg-white p-6 shadow-sm" } data-plan=plan.id.clone()>
                        <div class="flex items-baseline justify-between gap-2">
                            <h2 class="text-xl font-bold">{plan.name.clone()}</h2>
                            {current.then(|| view! { <span class="rounded-full bg-ring-100 px-2.5 py-1 text-xs font-semibold text-ring-900">"Your plan"</span> })}
                        </div>
                        <p class="mt-1 text-2xl font-semibold text-stone-900">{plan.price_label.clone()}</p>
                        <dl class="mt-4 space-y-3 text-sm">
                            {Entitlement::ALL.into_iter().map(|e| view! {
                                <div class="flex justify-between gap-3 border-t border-stone-100 pt-3">
                                    <dt class="text-stone-700">{e.label()}</dt>
                                    <dd class="shrink-0 font-semibold text-stone-900">{describe(e, plan.value(e))}</dd>
                                </div>
                            }).collect_view()}
                        </dl>
                        {(plan.grace_count > 0).then(|| view! {
                            <p class="mt-3 text-sm text-stone-600">"Grace: " {plan.grace_count} " past a limit before anything is refused."</p>
                        })}
                    </li>
                }
            }).collect_view()}
        </ul>
        <div class="mt-6 text-stone-700">
            {if signed_in {
                view! { <A href="/account/plan" attr:class="tap font-semibold text-ring-800 underline">"See your plan and what you use"</A> }.into_any()
            } else {
                view! { <A href="/signup" attr:class="tap inline-block rounded-lg bg-ring-700 px-4 py-2.5 font-semibold text-white hover:bg-ring-800">"Start free"</A> }.into_any()
            }}
            {(!pricing.upgrades_available).then(|| view! { <p class="mt-2 text-sm text-stone-600">"Upgrades are not available on this server."</p> })}
        </div>
    }
}
