//! `/`: the landing page for visitors, a home for signed-in creators.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::landing::Landing;
use super::LoadError;
use crate::auth::model::Me;
use crate::auth::use_auth;

#[component]
pub fn HomePage() -> impl IntoView {
    let auth = use_auth();
    view! {
        <Transition fallback=|| view! { <div class="mx-auto h-64 max-w-6xl animate-pulse px-4 py-16"><div class="h-10 w-2/3 rounded bg-stone-200"></div></div> }>
            {move || Suspend::new(async move {
                match auth.me.await {
                    Ok(Some(me)) => view! { <Title text="Home · OneRing"/><Home me/> }.into_any(),
                    Ok(None) => view! { <Title text="OneRing — write threads together"/><Landing/> }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

const NEXT_STEPS: [(&str, &str); 3] = [
    (
        "Start a draft",
        "Pick a platform and write the opening post. You hold the ring first.",
    ),
    (
        "Invite your co-writers",
        "Send a one-time invite link. They join as editors or viewers.",
    ),
    (
        "Pass the ring",
        "When your part is done, hand the ring on and watch the thread grow.",
    ),
];

#[component]
fn Home(me: Me) -> impl IntoView {
    view! {
        <section class="mx-auto max-w-6xl px-4 py-10 sm:py-14">
            <h1 class="text-3xl font-bold tracking-tight" id="home-greeting">"Welcome, @" {me.user.handle.clone()}</h1>
            <p class="mt-2 text-stone-600">"Good to have you here. This is how a thread comes together on OneRing:"</p>
            <A href="/drafts" attr:class="tap mt-5 inline-block rounded-lg bg-ring-600 px-4 py-2.5 font-semibold text-white shadow-sm hover:bg-ring-700">"Go to your drafts"</A>
            <ol class="mt-8 grid gap-4 sm:grid-cols-3">
                {NEXT_STEPS.iter().enumerate().map(|(i, (title, body))| view! {
                    <li class="rounded-2xl border border-stone-200 bg-white p-6 shadow-sm">
                        <span class="text-sm font-semibold text-ring-600">"Step " {i + 1}</span>
                        <h2 class="mt-2 text-lg font-semibold">{*title}</h2>
                        <p class="mt-2 text-stone-600">{*body}</p>
                    </li>
                }).collect_view()}
            </ol>
            <div class="mt-8 rounded-2xl border border-stone-200 bg-white p-6 shadow-sm sm:flex sm:items-center sm:justify-between">
                <div>
                    <h2 class="text-lg font-semibold">"Your account"</h2>
                    <p class="mt-1 text-stone-600">"See where you're signed in and end sessions you don't recognise."</p>
                </div>
                <A href="/account" attr:class="tap mt-4 inline-block rounded-lg border border-stone-300 px-4 py-2 font-medium hover:bg-stone-50 sm:mt-0">"Manage account"</A>
            </div>
        </section>
    }
}
