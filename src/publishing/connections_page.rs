//! `/account/connections`: the accounts I publish with — connect Bluesky (an app password),
//! Mastodon (its sign-in, or a pasted token) and X (its sign-in, where configured), and
//! disconnect. Every form works before and without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::api::{
    my_connections, oauth_page, ConnectBluesky, ConnectMastodonToken, Disconnect, StartOauth,
};
use super::types::{Connection, Connections, Network};
use crate::auth::SignedIn;
use crate::ui::form::{action_error, FormAlert, IdempotencyKey};
use crate::ui::style::{CARD, QUIET_BUTTON};
use crate::ui::LoadError;

const INPUT: &str =
    "mt-1 block w-full rounded-lg border border-stone-300 bg-white px-3 py-2 text-base";
const LABEL: &str = "block text-sm font-medium text-stone-800";
const PRIMARY: &str = "rounded-lg bg-ring-700 px-4 py-2 font-semibold text-white hover:bg-ring-800 disabled:opacity-60";

#[component]
pub fn ConnectionsPage() -> impl IntoView {
    view! {
        <Title text="Connected accounts · OneRing"/>
        <div class="mx-auto w-full max-w-3xl px-4 py-10">
            <h1 class="text-2xl font-bold tracking-tight">"Connected accounts"</h1>
            <p class="mt-1 text-stone-700">"Where your finished threads are published. OneRing keeps the credentials sealed on the server and never shows them again."</p>
            <SignedIn loading="Loading your accounts…"><Accounts/></SignedIn>
        </div>
    }
}

#[component]
fn Accounts() -> impl IntoView {
    let bluesky = ServerAction::<ConnectBluesky>::new();
    let token = ServerAction::<ConnectMastodonToken>::new();
    let oauth = ServerAction::<StartOauth>::new();
    let disconnect = ServerAction::<Disconnect>::new();
    let query = use_query_map();
    let list = Resource::new(
        move || {
            (
                bluesky.version().get(),
                token.version().get(),
                disconnect.version().get(),
            )
        },
        |_| my_connections(),
    );
    // The network's sign-in: a redirect there (after hydration the answer is its address).
    Effect::new(move |_| {
        if let Some(Ok(url)) = oauth.value().get() {
            #[cfg(feature = "hydrate")]
            if let Some(window) = web_sys::window() {
                let _ = window.location().set_href(&url);
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = url;
        }
    });
    let outcome = move || {
        query.with(|q| {
            if let Some(n) = q.get("connected").and_then(|n| Network::parse(&n)) {
                Some((true, format!("Your {} account is connected.", n.label())))
            } else {
                q.get("failed").and_then(|n| Network::parse(&n)).map(|n| {
                    (
                        false,
                        format!(
                            "{} did not finish connecting. Nothing was stored; try again.",
                            n.label()
                        ),
                    )
                })
            }
        })
    };
    // A sign-in begun by a form posted without a script: the way on is a link.
    let pending = Resource::new(
        move || query.with(|q| q.get("continue")),
        |state| async move {
            match state {
                Some(state) => oauth_page(state).await.ok(),
                None => None,
            }
        },
    );
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                pending.await.map(|url| view! {
                    <p class=format!("{CARD} mt-4") id="oauth-continue">
                        <a href=url class="tap font-semibold text-ring-800 underline">"Continue to the network's sign-in"</a>
                    </p>
                })
            })}
        </Transition>
        {move || outcome().map(|(ok, text)| view! {
            <p class=if ok { "mt-4 rounded-lg border border-emerald-300 bg-emerald-50 px-4 py-3 text-sm text-emerald-900" } else { "mt-4 rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900" } role="status" id="connection-outcome">{text}</p>
        })}
        <Transition fallback=|| view! { <p class="mt-6 text-stone-600">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(found) if !found.enabled => view! {
                        <p class=format!("{CARD} mt-6 text-stone-700") id="publishing-off">"Publishing is not available on this server."</p>
                    }.into_any(),
                    Ok(found) => view! {
                        <List found=found.clone() disconnect/>
                        <BlueskyForm action=bluesky server=found.bluesky_server.clone()/>
                        <MastodonForms oauth token/>
                        {found.x_available.then(|| view! { <XForm oauth/> })}
                    }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn List(found: Connections, disconnect: ServerAction<Disconnect>) -> impl IntoView {
    let error = action_error(disconnect.value());
    view! {
        <section class=format!("{CARD} mt-6") aria-labelledby="connected-heading">
            <h2 id="connected-heading" class="text-lg font-semibold">"Your accounts"</h2>
            <ul class="mt-3 divide-y divide-stone-100" id="connections">
                {found.connections.iter().cloned().map(|c| view! { <Row connection=c disconnect/> }).collect_view()}
            </ul>
            {found.connections.is_empty().then(|| view! { <p class="mt-2 text-stone-700">"None yet: connect one below."</p> })}
            <FormAlert message=error/>
        </section>
    }
}

#[component]
fn Row(connection: Connection, disconnect: ServerAction<Disconnect>) -> impl IntoView {
    let revoked = connection.status != "active";
    view! {
        <li class="flex flex-wrap items-center justify-between gap-3 py-3" data-network=connection.network.as_str()>
            <div class="min-w-0">
                <p class="font-medium wrap-anywhere">{connection.network.label()} " · " {connection.account.clone()}</p>
                <p class="text-sm text-stone-700 wrap-anywhere">{connection.server.clone()}
                    {revoked.then(|| view! { <span class="ml-2 font-semibold text-amber-900">"needs reconnecting"</span> })}
                </p>
            </div>
            <ActionForm action=disconnect>
                <IdempotencyKey completed=disconnect.version()/>
                <input type="hidden" name="connection_id" value=connection.id.clone()/>
                <button type="submit" class=QUIET_BUTTON aria-label=format!("Disconnect {}", connection.account)>"Disconnect"</button>
            </ActionForm>
        </li>
    }
}

#[component]
fn BlueskyForm(action: ServerAction<ConnectBluesky>, server: String) -> impl IntoView {
    let error = action_error(action.value());
    view! {
        <section class=format!("{CARD} mt-6") aria-labelledby="bluesky-heading">
            <h2 id="bluesky-heading" class="text-lg font-semibold">"Bluesky"</h2>
            <p class="mt-1 text-sm text-stone-700">
                "Make an app password for OneRing in Bluesky (Settings → Privacy and security → App passwords) and paste it here. Never your account's own password."
            </p>
            <ActionForm action attr:class="mt-3 space-y-3" attr:id="bluesky-form">
                <IdempotencyKey completed=action.version()/>
                <div>
                    <label for="bluesky-handle" class=LABEL>"Handle"</label>
                    <input id="bluesky-handle" name="handle" required=true autocomplete="username" placeholder="ada.bsky.social" class=INPUT/>
                </div>
                <div>
                    <label for="bluesky-password" class=LABEL>"App password"</label>
                    <input id="bluesky-password" name="app_password" type="password" required=true autocomplete="off" class=INPUT/>
                </div>
                <details>
                    <summary class="cursor-pointer text-sm text-stone-700">"My account is on another server"</summary>
                    <label for="bluesky-server" class=LABEL>"Server (PDS)"</label>
                    <input id="bluesky-server" name="server" placeholder=server class=INPUT/>
                </details>
                <button type="submit" id="connect-bluesky" class=PRIMARY disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Connecting…" } else { "Connect Bluesky" }}
                </button>
                <FormAlert message=error/>
            </ActionForm>
        </section>
    }
}

#[component]
fn MastodonForms(
    oauth: ServerAction<StartOauth>,
    token: ServerAction<ConnectMastodonToken>,
) -> impl IntoView {
    let oauth_error = action_error(oauth.value());
    let token_error = action_error(token.value());
    view! {
        <section class=format!("{CARD} mt-6") aria-labelledby="mastodon-heading">
            <h2 id="mastodon-heading" class="text-lg font-semibold">"Mastodon"</h2>
            <ActionForm action=oauth attr:class="mt-3 flex flex-col gap-2 sm:flex-row sm:items-end" attr:id="mastodon-form">
                <IdempotencyKey completed=oauth.version()/>
                <input type="hidden" name="network" value="mastodon"/>
                <div class="flex-1">
                    <label for="mastodon-instance" class=LABEL>"Your server"</label>
                    <input id="mastodon-instance" name="instance" required=true placeholder="mastodon.social" class=INPUT/>
                </div>
                <button type="submit" class=PRIMARY disabled=move || oauth.pending().get()>"Sign in with Mastodon"</button>
            </ActionForm>
            <FormAlert message=oauth_error/>
            <details class="mt-4">
                <summary class="cursor-pointer text-sm text-stone-700">"Or paste an access token"</summary>
                <p class="text-sm text-stone-700">"Make one under Preferences → Development with the scopes write:statuses and read:accounts."</p>
                <ActionForm action=token attr:class="mt-2 space-y-3" attr:id="mastodon-token-form">
                    <IdempotencyKey completed=token.version()/>
                    <div>
                        <label for="token-instance" class=LABEL>"Your server"</label>
                        <input id="token-instance" name="instance" required=true placeholder="mastodon.social" class=INPUT/>
                    </div>
                    <div>
                        <label for="token-value" class=LABEL>"Access token"</label>
                        <input id="token-value" name="token" type="password" required=true autocomplete="off" class=INPUT/>
                    </div>
                    <button type="submit" class=PRIMARY disabled=move || token.pending().get()>"Connect"</button>
                    <FormAlert message=token_error/>
                </ActionForm>
            </details>
        </section>
    }
}

#[component]
fn XForm(oauth: ServerAction<StartOauth>) -> impl IntoView {
    view! {
        <section class=format!("{CARD} mt-6") aria-labelledby="x-heading">
            <h2 id="x-heading" class="text-lg font-semibold">"X"</h2>
            <ActionForm action=oauth attr:class="mt-3" attr:id="x-form">
                <IdempotencyKey completed=oauth.version()/>
                <input type="hidden" name="network" value="x"/>
                <button type="submit" class=PRIMARY disabled=move || oauth.pending().get()>"Sign in with X"</button>
            </ActionForm>
        </section>
    }
}
