//! The settings cards on `/account`: my time zone, my profile's visibility and the
//! leaderboards. Each is a form that works before and without JavaScript.

use leptos::prelude::*;

use super::api::{my_settings, SetLeaderboards, SetProfilePrivate, SetTimeZone};
use super::types::Settings;
use crate::ui::browser::device_time_zone;
use crate::ui::form::{action_error, field_error, FormAlert, IdempotencyKey};
use crate::ui::style::{CARD, QUIET_BUTTON};

#[component]
pub fn SettingsPanel(handle: String) -> impl IntoView {
    let zone = ServerAction::<SetTimeZone>::new();
    let profile = ServerAction::<SetProfilePrivate>::new();
    let boards = ServerAction::<SetLeaderboards>::new();
    let settings = Resource::new(
        move || {
            (
                zone.version().get(),
                profile.version().get(),
                boards.version().get(),
            )
        },
        |_| my_settings(),
    );
    let handle = StoredValue::new(handle);
    view! {
        <Transition fallback=|| view! { <p class=format!("{CARD} mt-6 text-stone-600")>"Loading your settings…"</p> }>
            {move || Suspend::new(async move {
                let current = settings.await.unwrap_or_default();
                view! {
                    <TimeZoneCard action=zone current=current.clone()/>
                    <ProfileCard action=profile current=current.clone() handle=handle.get_value()/>
                    <LeaderboardsCard action=boards current/>
                }
            })}
        </Transition>
    }
}

#[component]
fn TimeZoneCard(action: ServerAction<SetTimeZone>, current: Settings) -> impl IntoView {
    let device = RwSignal::new(None::<String>);
    // Only a browser knows its zone: offered once the page runs there.
    Effect::new(move |_| device.set(device_time_zone()));
    let typed = RwSignal::new(current.time_zone.clone());
    let invalid = field_error(action.value(), "time_zone");
    let saved = current.time_zone.clone();
    view! {
        <section class=format!("{CARD} mt-6") aria-labelledby="zone-heading" id="time-zone">
            <h2 id="zone-heading" class="text-lg font-semibold">"Time zone"</h2>
            <p class="mt-1 text-stone-700">
                "Your days follow " <strong id="zone-current">{saved.clone()}</strong>
                ": your streak, today's challenge and your days on charts."
            </p>
            <ActionForm action attr:class="mt-3 flex flex-col gap-2 sm:flex-row sm:items-end">
                <IdempotencyKey completed=action.version()/>
                <label class="block flex-1 text-sm font-medium text-stone-800">
                    "Time zone (a name like Europe/Berlin)"
                    <input
                        name="time_zone"
                        id="time-zone-input"
                        autocomplete="off"
                        spellcheck="false"
                        class="mt-1 block w-full rounded-lg border border-stone-300 bg-white px-3 py-2 text-base aria-[invalid=true]:border-red-500"
                        prop:value=move || typed.get()
                        value=saved
                        on:input=move |ev| typed.set(event_target_value(&ev))
                        aria-invalid=move || invalid.get().is_some().to_string()
                        aria-describedby="time-zone-error"
                    />
                </label>
                <button type="submit" class=QUIET_BUTTON id="save-time-zone" disabled=move || action.pending().get()>"Save"</button>
            </ActionForm>
            <p id="time-zone-error" class="mt-1 text-sm text-red-700" role="alert">{move || invalid.get()}</p>
            {move || device.get().filter(|d| *d != current.time_zone).map(|d| {
                let name = d.clone();
                view! {
                    <button type="button" class=format!("{QUIET_BUTTON} mt-2") id="use-device-zone" on:click=move |_| typed.set(name.clone())>
                        "Use this device's zone (" {d} ")"
                    </button>
                }
            })}
        </section>
    }
}

#[component]
fn ProfileCard(
    action: ServerAction<SetProfilePrivate>,
    current: Settings,
    handle: String,
) -> impl IntoView {
    let private = current.profile_private;
    let error = action_error(action.value());
    view! {
        <section class=format!("{CARD} mt-6") aria-labelledby="profile-heading" id="profile-visibility">
            <h2 id="profile-heading" class="text-lg font-semibold">"Public profile"</h2>
            <p class="mt-1 text-stone-700" id="profile-state">
                {if private {
                    "Your profile is private: its page answers like a handle that doesn't exist.".to_owned()
                } else {
                    format!("Anyone can see your profile at /u/{handle}: your badge, momentum, streak and the drafts you share publicly. Never your email or private drafts.")
                }}
            </p>
            <ActionForm action attr:class="mt-3">
                <IdempotencyKey completed=action.version()/>
                <input type="hidden" name="private" value=(!private).to_string()/>
                <button type="submit" class=QUIET_BUTTON id="toggle-profile" disabled=move || action.pending().get()>
                    {if private { "Make my profile public" } else { "Make my profile private" }}
                </button>
            </ActionForm>
            <FormAlert message=error/>
        </section>
    }
}

#[component]
fn LeaderboardsCard(action: ServerAction<SetLeaderboards>, current: Settings) -> impl IntoView {
    let shown = current.show_on_leaderboards;
    let error = action_error(action.value());
    view! {
        <section class=format!("{CARD} mt-6") aria-labelledby="leaderboards-heading" id="leaderboards">
            <h2 id="leaderboards-heading" class="text-lg font-semibold">"Leaderboards"</h2>
            <p class="mt-1 text-stone-700" id="leaderboard-state">
                {if shown {
                    "You appear on the thank-you boards when you are in their top 10."
                } else {
                    "You don't appear on any leaderboard. Your own numbers stay on your insights page."
                }}
            </p>
            <ActionForm action attr:class="mt-3">
                <IdempotencyKey completed=action.version()/>
                <input type="hidden" name="shown" value=(!shown).to_string()/>
                <button type="submit" class=QUIET_BUTTON id="toggle-leaderboards" disabled=move || action.pending().get()>
                    {if shown { "Leave the leaderboards" } else { "Appear on the leaderboards" }}
                </button>
            </ActionForm>
            <FormAlert message=error/>
        </section>
    }
}
