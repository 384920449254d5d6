//! What a signed-out visitor sees at `/`.

use leptos::prelude::*;
use leptos_router::components::A;

const FEATURES: [(&str, &str); 3] = [
    (
        "Write together",
        "Start a thread for X, Bluesky, Threads, Mastodon or LinkedIn and invite collaborators with one link.",
    ),
    (
        "Pass the ring",
        "One person holds the ring and adds the next post. Then they pass it on. No edit wars, no overwritten words.",
    ),
    (
        "Share the credit",
        "Every segment keeps its author. Share cards show who wrote what, so everyone's part is seen.",
    ),
];

#[component]
pub fn Landing() -> impl IntoView {
    view! {
        <section class="mx-auto max-w-6xl px-4 pt-14 pb-10 sm:pt-24">
            <p class="text-sm font-semibold uppercase tracking-wide text-ring-600">"Threads, written together"</p>
            <h1 class="mt-3 max-w-3xl text-4xl font-extrabold tracking-tight text-ink-900 sm:text-6xl">
                "One thread. Many voices. " <span class="text-ring-600">"One ring."</span>
            </h1>
            <p class="mt-5 max-w-2xl text-lg text-stone-600">
                "OneRing is where creators write threads together, one post at a time. Whoever holds the ring writes next, then hands it on — so every thread has a rhythm and every voice gets its turn."
            </p>
            <div class="mt-8 flex flex-col gap-3 sm:flex-row">
                <A href="/signup" attr:class="rounded-lg bg-ring-600 px-5 py-3 text-center font-semibold text-white shadow-sm hover:bg-ring-700">"Create your free account"</A>
                <A href="/signin" attr:class="rounded-lg border border-stone-300 bg-white px-5 py-3 text-center font-semibold text-stone-800 hover:bg-stone-50">"I already have one"</A>
            </div>
        </section>
        <section class="mx-auto max-w-6xl px-4 pb-20" aria-label="How OneRing works">
            <ol class="grid gap-4 sm:grid-cols-3">
                {FEATURES.iter().enumerate().map(|(i, (title, body))| view! {
                    <li class="rounded-2xl border border-stone-200 bg-white p-6 shadow-sm">
                        <span class="flex size-8 items-center justify-center rounded-full bg-ring-100 text-sm font-bold text-ring-700" aria-hidden="true">{i + 1}</span>
                        <h2 class="mt-4 text-lg font-semibold">{*title}</h2>
                        <p class="mt-2 text-stone-600">{*body}</p>
                    </li>
                }).collect_view()}
            </ol>
        </section>
    }
}
