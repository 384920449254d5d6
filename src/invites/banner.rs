//! "You joined <title>": shown on a draft to someone who just joined through an invite,
//! until they dismiss it (then never again, on any device).

use leptos::prelude::*;

use super::api::DismissJoinNotice;
use crate::ui::browser::new_idempotency_key;

#[component]
pub fn JoinedBanner(draft_id: String, title: String) -> impl IntoView {
    let dismiss = ServerAction::<DismissJoinNotice>::new();
    let hidden = RwSignal::new(false);
    let draft_id = StoredValue::new(draft_id);
    view! {
        <Show when=move || !hidden.get()>
            <div class="mb-4 flex items-start justify-between gap-3 rounded-xl border border-emerald-200 bg-emerald-50 px-4 py-3 text-emerald-900" role="status" id="joined-banner">
                <p>"🎉 You joined " <strong>{title.clone()}</strong> ". Welcome! When the ring comes to you, it's your turn to write."</p>
                <button type="button" id="dismiss-joined" class="text-sm font-semibold hover:underline" aria-label="Dismiss" on:click=move |_| {
                    hidden.set(true);
                    dismiss.dispatch(DismissJoinNotice { draft_id: draft_id.get_value(), idempotency_key: new_idempotency_key() });
                }>"Dismiss"</button>
            </div>
        </Show>
    }
}
