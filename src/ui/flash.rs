//! A notice that outlives a navigation: an action sets it, the next page shows it once under
//! the header (announced politely), until it is dismissed or another page is opened.

use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct Flash(RwSignal<Option<String>>);

pub fn provide_flash() {
    provide_context(Flash(RwSignal::new(None)));
}

/// Shows `message` on the next page (and this one).
pub fn flash(message: String) {
    if let Some(Flash(signal)) = use_context::<Flash>() {
        signal.set(Some(message));
    }
}

#[component]
pub fn FlashNotice() -> impl IntoView {
    let Some(Flash(signal)) = use_context::<Flash>() else {
        return ().into_any();
    };
    view! {
        <div role="status" aria-live="polite">
            <Show when=move || signal.with(Option::is_some)>
                <div class="mx-auto mt-4 flex max-w-6xl items-start justify-between gap-3 px-4" id="flash">
                    <p class="flex-1 rounded-lg border border-ring-200 bg-ring-50 px-4 py-3 text-sm text-ring-900">{move || signal.get()}</p>
                    <button type="button" class="rounded-lg px-3 py-2 text-sm font-medium text-stone-700 hover:bg-stone-100" on:click=move |_| signal.set(None)>"Dismiss"</button>
                </div>
            </Show>
        </div>
    }
    .into_any()
}
