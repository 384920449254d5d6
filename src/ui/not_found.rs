use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

/// The friendly 404 page (answered with status 404 on the server).
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found · OneRing"/>
        <div class="mx-auto max-w-xl px-4 py-20 text-center">
            <p class="text-sm font-semibold uppercase tracking-wide text-ring-600">"404"</p>
            <h1 class="mt-2 text-3xl font-bold tracking-tight">"This page slipped off the ring"</h1>
            <p class="mt-3 text-stone-600">"The link may be old or mistyped. Nothing you wrote is lost."</p>
            <A href="/" attr:class="mt-8 inline-block rounded-lg bg-ring-600 px-4 py-2.5 font-semibold text-white hover:bg-ring-700">"Back to OneRing"</A>
        </div>
    }
}
