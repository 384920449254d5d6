//! The share-card modal on the draft page (members): the card as it will look (its image),
//! the numbers, the contributors, and Refresh, Copy link, Copy JSON and Download PNG. The
//! owner turns the public link on or off and chooses whether the public page shows the
//! thread (off by default: a card shows who and how, not what).
//!
//! The dialog takes the focus when it opens, Escape closes it, and the focus goes back to
//! the button that opened it.

use leptos::prelude::*;

use super::api::{get_card, CardCopied, SetSharing};
use super::public_page::{Chips, Metrics};
use super::types::CardView;
use crate::ui::browser::{copy_to_clipboard, new_idempotency_key};
use crate::ui::dialog::{dialog_opener, Dialog};
use crate::ui::form::{action_error, FormAlert};
use crate::ui::style::{CARD, QUIET_BUTTON};

/// The button that opens the modal, in its own card on the draft page.
#[component]
pub fn ShareCardButton(draft_id: String) -> impl IntoView {
    let (open, opener, close) = dialog_opener();
    view! {
        <section class=CARD aria-labelledby="share-heading">
            <h2 id="share-heading" class="text-lg font-semibold">"Share card"</h2>
            <p class="mt-1 text-sm text-stone-700">"An image and a link that say who wrote this together, and how."</p>
            <button type="button" node_ref=opener id="open-share-card" class=format!("{QUIET_BUTTON} mt-3") on:click=move |_| open.set(true)>
                "Open the share card"
            </button>
            <Show when=move || open.get()>
                <ShareCardDialog draft_id=draft_id.clone() on_close=close/>
            </Show>
        </section>
    }
}

#[component]
fn ShareCardDialog(draft_id: String, on_close: Callback<()>) -> impl IntoView {
    let set = ServerAction::<SetSharing>::new();
    let version = RwSignal::new(0u32);
    let id = StoredValue::new(draft_id);
    let view = Resource::new(
        move || (version.get(), set.version().get()),
        move |_| get_card(id.get_value(), None),
    );
    view! {
        <Dialog id="share-card-dialog" title="Share card" on_close>
            <Transition fallback=|| view! { <p class="mt-4 text-stone-600">"Drawing the card…"</p> }>
                {move || Suspend::new(async move {
                    match view.await {
                        Ok(card) => view! { <Body card set refresh=Callback::new(move |()| version.update(|v| *v += 1)) draft_id=id.get_value()/> }.into_any(),
                        Err(error) => view! { <FormAlert message=Signal::derive(move || Some(error.to_string()))/> }.into_any(),
                    }
                })}
            </Transition>
        </Dialog>
    }
}

#[component]
fn Body(
    card: CardView,
    set: ServerAction<SetSharing>,
    refresh: Callback<()>,
    draft_id: String,
) -> impl IntoView {
    let copied = RwSignal::new(None::<&'static str>);
    let copy = ServerAction::<CardCopied>::new();
    let json = serde_json::to_string_pretty(&card.card).unwrap_or_default();
    let link = card.public_link.clone();
    let copy_json = {
        let draft_id = draft_id.clone();
        move |_| {
            copy_to_clipboard(&json);
            copied.set(Some("json"));
            copy.dispatch(CardCopied {
                slug: None,
                draft_id: Some(draft_id.clone()),
            });
        }
    };
    let copy_link = {
        let link = link.clone();
        let draft_id = draft_id.clone();
        move |_| {
            if let Some(link) = &link {
                copy_to_clipboard(link);
                copied.set(Some("link"));
                copy.dispatch(CardCopied {
                    slug: None,
                    draft_id: Some(draft_id.clone()),
                });
            }
        }
    };
    let sharing_on = card.public_link.is_some();
    let show_thread = card.show_thread;
    let toggle = move |enabled: bool, thread: bool| {
        set.dispatch(SetSharing {
            draft_id: draft_id.clone(),
            enabled: enabled.to_string(),
            show_thread: Some(thread.to_string()),
            idempotency_key: new_idempotency_key(),
        });
    };
    let toggle_thread = toggle.clone();
    let alt = format!("{} — {}", card.card.title, card.card.subtitle);
    view! {
        <img src=card.image_path.clone() alt=alt width="1200" height="630" class="mt-4 h-auto w-full rounded-xl border border-stone-200" id="share-card-image"/>
        <div class="mt-4"><Metrics card=card.card.clone()/></div>
        <div class="mt-3"><Chips card=card.card.clone()/></div>
        <div class="mt-4 flex flex-wrap gap-2">
            <button type="button" class=QUIET_BUTTON on:click=move |_| refresh.run(()) id="refresh-card">"Refresh"</button>
            <button type="button" class=QUIET_BUTTON disabled=!sharing_on on:click=copy_link id="copy-link"
                title=if sharing_on { "Copy the public link" } else { "Turn the public link on to copy it" }>
                {move || if copied.get() == Some("link") { "Link copied" } else { "Copy link" }}
            </button>
            <button type="button" class=QUIET_BUTTON on:click=copy_json id="copy-json">
                {move || if copied.get() == Some("json") { "JSON copied" } else { "Copy JSON" }}
            </button>
            <a href=card.image_path.clone() download="onering-card.png" class=QUIET_BUTTON id="download-card">"Download PNG"</a>
        </div>
        {card.i_own_it.then(|| view! {
            <fieldset class="mt-5 space-y-3 rounded-xl border border-stone-200 p-4">
                <legend class="px-1 text-sm font-semibold">"Public link"</legend>
                <label class="flex min-h-11 items-center gap-3 text-sm">
                    <input type="checkbox" class="size-5" id="sharing-on" prop:checked=sharing_on
                        on:change=move |ev| toggle(event_target_checked(&ev), show_thread)/>
                    "Anyone with the link can see this card"
                </label>
                {sharing_on.then(|| view! {
                    <label class="flex min-h-11 items-center gap-3 text-sm">
                        <input type="checkbox" class="size-5" id="show-thread" prop:checked=show_thread
                            on:change=move |ev| toggle_thread(true, event_target_checked(&ev))/>
                        "Show the thread's text on the public page"
                    </label>
                })}
                {link.clone().map(|link| view! {
                    <p class="break-all text-sm text-stone-700">"Link: " <a href=link.clone() class="font-medium text-ring-800 underline" id="public-link">{link.clone()}</a></p>
                })}
                {(!card.public_image).then(|| view! { <p class="text-sm text-stone-600">"Your plan shows the public card without its image."</p> })}
                <FormAlert message=action_error(set.value())/>
            </fieldset>
        })}
    }
}
