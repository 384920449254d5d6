//! The settings card on `/account`.

use leptos::prelude::*;

use super::api::{my_settings, SetLeaderboards};
use crate::ui::browser::new_idempotency_key;
use crate::ui::form::{action_error, FormAlert};
use crate::ui::style::{CARD, QUIET_BUTTON};

#[component]
pub fn SettingsPanel() -> impl IntoView {
    let set = ServerAction::<SetLeaderboards>::new();
    let settings = Resource::new(move || set.version().get(), |_| my_settings());
    let error = action_error(set.value());
    view! {
        <section class=format!("{CARD} mt-6") aria-labelledby="leaderboards-heading" id="leaderboards">
            <h2 id="leaderboards-heading" class="text-lg font-semibold">"Leaderboards"</h2>
            <Transition fallback=|| view! { <p class="mt-2 text-stone-600">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let shown = settings.await.map(|s| s.show_on_leaderboards).unwrap_or(true);
                    view! {
                        <p class="mt-1 text-stone-700" id="leaderboard-state">
                            {if shown {
                                "You appear on the thank-you boards when you are in their top 10."
                            } else {
                                "You don't appear on any leaderboard. Your own numbers stay on your insights page."
                            }}
                        </p>
                        <button
                            type="button"
                            id="toggle-leaderboards"
                            class=format!("{QUIET_BUTTON} mt-3")
                            disabled=move || set.pending().get()
                            on:click=move |_| {
                                set.dispatch(SetLeaderboards {
                                    shown: (!shown).to_string(),
                                    idempotency_key: new_idempotency_key(),
                                });
                            }
                        >
                            {if shown { "Leave the leaderboards" } else { "Appear on the leaderboards" }}
                        </button>
                    }
                })}
            </Transition>
            <FormAlert message=error/>
        </section>
    }
}
