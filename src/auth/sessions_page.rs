//! The account's own parts of `/account`: who you are and where you're signed in, with a way
//! to end any session.

use leptos::prelude::*;

use super::api::{list_sessions, EndSession};
use super::model::{Me, SessionSummary};
use super::state::use_auth;
use crate::ui::form::FormAlert;
use crate::ui::format::utc_datetime;

/// Who the signed-in person is.
#[component]
pub fn AccountDetails(me: Me) -> impl IntoView {
    view! {
        <h1 class="text-2xl font-bold tracking-tight">"Your account"</h1>
        <section class="mt-6 rounded-2xl border border-stone-200 bg-white p-6 shadow-sm" aria-labelledby="profile-heading">
            <h2 id="profile-heading" class="text-lg font-semibold">"Profile"</h2>
            <dl class="mt-4 grid grid-cols-1 gap-4 sm:grid-cols-3">
                <div>
                    <dt class="text-sm text-stone-500">"Handle"</dt>
                    <dd class="font-medium">"@" {me.user.handle.clone()}</dd>
                </div>
                <div>
                    <dt class="text-sm text-stone-500">"Email (only you see this)"</dt>
                    <dd class="font-medium break-all">{me.email.clone()}</dd>
                </div>
                <div>
                    <dt class="text-sm text-stone-500">"Member since"</dt>
                    <dd class="font-medium">{utc_datetime(me.created_at_ms)}</dd>
                </div>
            </dl>
        </section>
    }
}

/// Where the person is signed in, with a way to end any session.
#[component]
pub fn SessionList() -> impl IntoView {
    let end_session = ServerAction::<EndSession>::new();
    let auth = use_auth();
    let sessions = Resource::new(move || end_session.version().get(), |_| list_sessions());
    // Ending this device's own session signs it out: refresh who is signed in.
    Effect::new(move |_| {
        if end_session.version().get() > 0 {
            auth.me.refetch();
        }
    });
    let failure = Signal::derive(move || {
        end_session.value().with(|r| {
            r.as_ref()
                .and_then(|r| r.as_ref().err())
                .map(ToString::to_string)
        })
    });
    view! {
        <section class="mt-6 rounded-2xl border border-stone-200 bg-white p-6 shadow-sm" aria-labelledby="sessions-heading">
            <h2 id="sessions-heading" class="text-lg font-semibold">"Where you're signed in"</h2>
            <p class="mt-1 text-sm text-stone-600">"Don't recognise a device? End its session and it is signed out at once."</p>
            <div class="mt-4"><FormAlert message=failure/></div>
            <Transition fallback=|| view! { <p class="mt-4 text-stone-500">"Loading sessions…"</p> }>
                {move || Suspend::new(async move {
                    match sessions.await {
                        Ok(list) => view! {
                            <ul class="mt-4 divide-y divide-stone-200" id="session-list">
                                {list.into_iter().map(|s| view! { <SessionRow session=s end_session/> }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(err) => view! { <FormAlert message=Signal::derive(move || Some(err.to_string()))/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn SessionRow(session: SessionSummary, end_session: ServerAction<EndSession>) -> impl IntoView {
    let label = if session.current {
        "Sign out here"
    } else {
        "End session"
    };
    view! {
        <li class="flex flex-col gap-2 py-4 sm:flex-row sm:items-center sm:justify-between">
            <div>
                <p class="font-medium">
                    {session.device.clone()}
                    {session.current.then(|| view! {
                        <span class="ml-2 rounded-full bg-ring-100 px-2 py-0.5 text-xs font-semibold text-ring-700">"This device"</span>
                    })}
                </p>
                <p class="text-sm text-stone-500">
                    "Last active " {utc_datetime(session.last_seen_at_ms)} " · signed in " {utc_datetime(session.created_at_ms)}
                </p>
            </div>
            <ActionForm action=end_session>
                <input type="hidden" name="session_id" value=session.id.clone()/>
                <button
                    type="submit"
                    class="rounded-lg border border-stone-300 px-3 py-1.5 text-sm font-medium hover:bg-stone-50 disabled:opacity-60"
                    disabled=move || end_session.pending().get()
                >
                    {label}
                </button>
            </ActionForm>
        </li>
    }
}
