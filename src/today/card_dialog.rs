//! "Share my card": my personal card's image, with Copy link, Copy JSON and Download PNG.

use leptos::prelude::*;

use super::api::get_personal_card;
use super::types::PersonalCardView;
use crate::ui::browser::copy_to_clipboard;
use crate::ui::dialog::{dialog_opener, Dialog};
use crate::ui::form::FormAlert;
use crate::ui::style::QUIET_BUTTON;

#[component]
pub fn ShareMyCardButton(handle: String) -> impl IntoView {
    let (open, opener, close) = dialog_opener();
    let handle = StoredValue::new(handle);
    view! {
        <button type="button" node_ref=opener id="share-my-card" class=QUIET_BUTTON on:click=move |_| open.set(true)>
            "Share my card"
        </button>
        <Show when=move || open.get()>
            <PersonalCardDialog handle=handle.get_value() on_close=close/>
        </Show>
    }
}

#[component]
fn PersonalCardDialog(handle: String, on_close: Callback<()>) -> impl IntoView {
    let card = Resource::new(
        move || handle.clone(),
        |handle| get_personal_card(handle, None),
    );
    view! {
        <Dialog id="personal-card-dialog" title="Your card" on_close>
            <Transition fallback=|| view! { <p class="mt-4 text-stone-600">"Drawing your card…"</p> }>
                {move || Suspend::new(async move {
                    match card.await {
                        Ok(view) => view! { <CardBody view/> }.into_any(),
                        Err(error) => view! { <FormAlert message=Signal::derive(move || Some(error.to_string()))/> }.into_any(),
                    }
                })}
            </Transition>
        </Dialog>
    }
}

#[component]
fn CardBody(view: PersonalCardView) -> impl IntoView {
    let copied = RwSignal::new(None::<&'static str>);
    let json = serde_json::to_string_pretty(&view.card).unwrap_or_default();
    let link = view.page_url.clone();
    let alt = format!(
        "@{}: {}, momentum {}, {}-day streak",
        view.card.handle, view.card.archetype.label, view.card.momentum, view.card.streak
    );
    view! {
        <img src=view.image_path.clone() alt=alt width="1200" height="630" class="mt-4 h-auto w-full rounded-xl border border-stone-200" id="personal-card-image"/>
        {view.profile_private.then(|| view! {
            <p class="mt-3 rounded-lg bg-stone-100 p-3 text-sm text-stone-700">
                "Your profile is private, so the link opens only for you. You can make it public in "
                <a href="/account#profile-visibility" class="font-medium text-ring-800 underline">"your account"</a> "."
            </p>
        })}
        <div class="mt-4 flex flex-wrap gap-2">
            <button type="button" class=QUIET_BUTTON id="copy-profile-link" on:click=move |_| { copy_to_clipboard(&link); copied.set(Some("link")); }>
                {move || if copied.get() == Some("link") { "Link copied" } else { "Copy link" }}
            </button>
            <button type="button" class=QUIET_BUTTON id="copy-card-json" on:click=move |_| { copy_to_clipboard(&json); copied.set(Some("json")); }>
                {move || if copied.get() == Some("json") { "JSON copied" } else { "Copy JSON" }}
            </button>
            <a href=view.image_path.clone() download=format!("onering-{}.png", view.card.handle) class=QUIET_BUTTON id="download-personal-card">"Download PNG"</a>
        </div>
        <p class="mt-3 break-all text-sm text-stone-700">"Link: " <a href=view.page_url.clone() class="font-medium text-ring-800 underline" id="profile-link">{view.page_url.clone()}</a></p>
    }
}
