//! `/account`: who you are, where you're signed in, and what you chose.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

use super::panel::SettingsPanel;
use crate::auth::{use_auth, AccountDetails, SessionList};
use crate::ui::LoadError;

#[component]
pub fn AccountPage() -> impl IntoView {
    let auth = use_auth();
    view! {
        <Title text="Your account · OneRing"/>
        <div class="mx-auto w-full max-w-3xl px-4 py-10">
            <Transition fallback=|| view! { <p class="text-stone-600">"Loading your account…"</p> }>
                {move || Suspend::new(async move {
                    match auth.me.await {
                        Ok(Some(me)) => {
                            let handle = me.user.handle.clone();
                            view! {
                                <AccountDetails me/>
                                <SessionList/>
                                <SettingsPanel handle/>
                                <section class="mt-6 rounded-2xl border border-stone-200 bg-white p-6 shadow-sm" aria-labelledby="connections-heading">
                                    <h2 id="connections-heading" class="text-lg font-semibold">"Publishing"</h2>
                                    <p class="mt-1 text-stone-700">"The Bluesky, Mastodon and X accounts your threads are published with."</p>
                                    <leptos_router::components::A href="/account/connections" attr:class="tap mt-3 inline-block rounded-lg border border-stone-300 px-3 py-1.5 text-sm font-medium hover:bg-stone-50" attr:id="open-connections">"Connected accounts"</leptos_router::components::A>
                                </section>
                            }.into_any()
                        }
                        Ok(None) => view! { <Redirect path="/signin?next=/account"/> }.into_any(),
                        Err(error) => view! { <LoadError error/> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}
