//! Header with navigation that follows the signed-in state, and the footer.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use crate::auth::use_auth;

#[component]
pub fn Logo() -> impl IntoView {
    view! {
        <A href="/" attr:class="flex items-center gap-2 text-lg font-bold tracking-tight text-ink-900" attr:aria-label="OneRing home">
            <span class="inline-block size-6 rounded-full border-[5px] border-ring-500" aria-hidden="true"></span>
            "OneRing"
        </A>
    }
}

#[component]
pub fn Header() -> impl IntoView {
    let auth = use_auth();
    let navigate = use_navigate();
    // After signing out, leave whatever signed-in page this was.
    Effect::new(move |_| {
        if auth.sign_out.version().get() > 0 {
            navigate("/", Default::default());
        }
    });
    view! {
        <header class="border-b border-stone-200 bg-white/80 backdrop-blur">
            <nav class="mx-auto flex max-w-6xl items-center justify-between gap-4 px-4 py-3" aria-label="Main">
                <Logo/>
                <Transition fallback=|| view! { <span class="h-9 w-32 animate-pulse rounded-lg bg-stone-100" aria-hidden="true"></span> }>
                    {move || Suspend::new(async move {
                        match auth.me.await {
                            Ok(Some(me)) => view! {
                                <div class="flex items-center gap-2 sm:gap-4">
                                    <A href="/drafts" attr:class="rounded-lg px-2 py-1.5 text-sm font-medium text-stone-700 hover:bg-stone-100" attr:id="nav-drafts">"Drafts"</A>
                                    <A href="/insights" attr:class="rounded-lg px-2 py-1.5 text-sm font-medium text-stone-700 hover:bg-stone-100" attr:id="nav-insights">"Insights"</A>
                                    <A href="/account" attr:class="rounded-lg px-2 py-1.5 text-sm font-medium text-stone-700 hover:bg-stone-100" attr:id="nav-account">
                                        "@" {me.user.handle}
                                    </A>
                                    <ActionForm action=auth.sign_out>
                                        <button type="submit" id="sign-out" class="rounded-lg border border-stone-300 px-3 py-1.5 text-sm font-medium hover:bg-stone-50">
                                            "Sign out"
                                        </button>
                                    </ActionForm>
                                </div>
                            }.into_any(),
                            _ => view! {
                                <div class="flex items-center gap-2 sm:gap-3">
                                    <A href="/signin" attr:class="rounded-lg px-3 py-1.5 text-sm font-medium text-stone-700 hover:bg-stone-100">"Sign in"</A>
                                    <A href="/signup" attr:class="rounded-lg bg-ring-600 px-3 py-1.5 text-sm font-semibold text-white shadow-sm hover:bg-ring-700">"Get started"</A>
                                </div>
                            }.into_any(),
                        }
                    })}
                </Transition>
            </nav>
        </header>
    }
}

#[component]
pub fn Footer() -> impl IntoView {
    view! {
        <footer class="mt-auto border-t border-stone-200">
            <div class="mx-auto flex max-w-6xl flex-col gap-1 px-4 py-6 text-sm text-stone-500 sm:flex-row sm:justify-between">
                <p>"OneRing — write threads together, one ring at a time."</p>
                <p>"Your email stays private. Your drafts stay yours."</p>
            </div>
        </footer>
    }
}
