//! Pages for when things don't go as planned: not found, and could not load.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::error::AppError;

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
            <A href="/" attr:class="tap mt-8 inline-block rounded-lg bg-ring-600 px-4 py-2.5 font-semibold text-white hover:bg-ring-700">"Back to OneRing"</A>
        </div>
    }
}

/// Shown in place of content that could not be loaded, with a way to try again.
#[component]
pub fn LoadError(error: AppError) -> impl IntoView {
    view! {
        <div class="mx-auto max-w-xl px-4 py-16 text-center" role="alert">
            <h1 class="text-2xl font-bold tracking-tight">"We couldn't load this page"</h1>
            <p class="mt-3 text-stone-600">{error.to_string()}</p>
            <a href="" class="tap mt-8 inline-block rounded-lg bg-ring-600 px-4 py-2.5 font-semibold text-white hover:bg-ring-700">"Try again"</a>
        </div>
    }
}
