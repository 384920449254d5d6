//! Header with navigation that follows the signed-in state, and the footer.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use crate::auth::use_auth;

#[component]
pub fn Logo() -> impl IntoView {
    view! {
        <A href="/" attr:class="tap flex items-center gap-2 text-lg font-bold tracking-tight text-ink-900" attr:aria-label="OneRing home">
            <span class="inline-block size-6 rounded-full border-[5px] border-ring-500" aria-hidden="true"></span>
            "OneRing"
        </A>
    }
}

/// The signed-in navigation's links.
const SIGNED_IN_LINKS: [(&str, &str, &str); 3] = [
    ("/today", "Today", "nav-today"),
    ("/drafts", "Drafts", "nav-drafts"),
    ("/insights", "Insights", "nav-insights"),
];

const NAV_LINK: &str =
    "tap rounded-lg px-2 py-2 text-sm font-medium text-stone-700 hover:bg-stone-100";

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
            <nav class="mx-auto flex max-w-6xl items-center justify-between gap-4 px-4 py-2" aria-label="Main">
                <Logo/>
                <Transition fallback=|| view! { <span class="h-9 w-32 animate-pulse rounded-lg bg-stone-100" aria-hidden="true"></span> }>
                    {move || Suspend::new(async move {
                        match auth.me.await {
                            Ok(Some(me)) => view! { <SignedInNav handle=me.user.handle/> }.into_any(),
                            _ => view! {
                                <div class="flex items-center gap-2 sm:gap-3">
                                    <A href="/signin" attr:class="tap rounded-lg px-3 py-2 text-sm font-medium text-stone-700 hover:bg-stone-100">"Sign in"</A>
                                    <A href="/signup" attr:class="tap rounded-lg bg-ring-700 px-3 py-2 text-sm font-semibold text-white shadow-sm hover:bg-ring-800">"Get started"</A>
                                </div>
                            }.into_any(),
                        }
                    })}
                </Transition>
            </nav>
        </header>
    }
}

/// Links side by side from a tablet's width up; on a phone, one "Menu" that opens them (a
/// `<details>`, so it works before and without JavaScript).
#[component]
fn SignedInNav(handle: String) -> impl IntoView {
    let auth = use_auth();
    let links = move || {
        SIGNED_IN_LINKS
            .iter()
            .map(|(href, label, id)| view! { <A href=*href attr:class=NAV_LINK attr:id=*id>{*label}</A> })
            .collect_view()
    };
    let sign_out = move |id: &'static str| {
        view! {
            <ActionForm action=auth.sign_out>
                <button type="submit" id=id class="w-full rounded-lg border border-stone-300 px-3 py-2 text-left text-sm font-medium hover:bg-stone-50 sm:w-auto">
                    "Sign out"
                </button>
            </ActionForm>
        }
    };
    let account = handle.clone();
    view! {
        <div class="hidden items-center gap-2 sm:flex">
            {links()}
            <A href="/account" attr:class=NAV_LINK attr:id="nav-account">"@" {account}</A>
            {sign_out("sign-out")}
        </div>
        <details class="relative sm:hidden" id="nav-menu">
            <summary class="flex cursor-pointer list-none items-center gap-2 rounded-lg border border-stone-300 px-3 py-2 text-sm font-medium">
                "Menu" <span aria-hidden="true">"▾"</span>
            </summary>
            <div class="absolute right-0 z-20 mt-2 flex w-56 flex-col gap-1 rounded-xl border border-stone-200 bg-white p-2 shadow-lg">
                {links()}
                <A href="/account" attr:class=NAV_LINK>"@" {handle}</A>
                {sign_out("sign-out-menu")}
            </div>
        </details>
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
