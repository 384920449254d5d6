//! `/scheduled`: the threads coming up (change the time or cancel while they wait) and the
//! ones that failed (with why, and a retry that resumes from the first post not yet up).
//! Times are in the person's own zone.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::api::{scheduled, Cancel, Reschedule, Retry};
use super::types::{Publication, Schedule};
use crate::auth::SignedIn;
use crate::ui::form::{action_error, FormAlert, IdempotencyKey};
use crate::ui::nav::draft_path;
use crate::ui::style::{CARD, QUIET_BUTTON};
use crate::ui::LoadError;

#[component]
pub fn SchedulePage() -> impl IntoView {
    view! {
        <Title text="Scheduled · OneRing"/>
        <div class="mx-auto w-full max-w-3xl px-4 py-10">
            <h1 class="text-2xl font-bold tracking-tight">"Scheduled threads"</h1>
            <SignedIn loading="Loading…"><Lists/></SignedIn>
        </div>
    }
}

/// The page's actions; the lists reload after any of them.
#[derive(Clone, Copy)]
struct Actions {
    reschedule: ServerAction<Reschedule>,
    cancel: ServerAction<Cancel>,
    retry: ServerAction<Retry>,
}

#[component]
fn Lists() -> impl IntoView {
    let actions = Actions {
        reschedule: ServerAction::new(),
        cancel: ServerAction::new(),
        retry: ServerAction::new(),
    };
    let schedule = Resource::new(
        move || {
            (
                actions.reschedule.version().get(),
                actions.cancel.version().get(),
                actions.retry.version().get(),
            )
        },
        |_| scheduled(),
    );
    let errors = [
        action_error(actions.reschedule.value()),
        action_error(actions.cancel.value()),
        action_error(actions.retry.value()),
    ];
    let error = Signal::derive(move || errors.iter().find_map(|e| e.get()));
    view! {
        <div class="mt-4"><FormAlert message=error/></div>
        <Transition fallback=|| view! { <p class="mt-6 text-stone-600">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match schedule.await {
                    Ok(schedule) => view! { <Sections schedule actions/> }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Sections(schedule: Schedule, actions: Actions) -> impl IntoView {
    view! {
        <p class="mt-2 text-sm text-stone-700">"Times are in " {schedule.time_zone.clone()} " · "
            <A href="/account#time-zone" attr:class="font-medium text-ring-800 underline">"change"</A></p>
        <section class="mt-6" aria-labelledby="upcoming-heading">
            <h2 id="upcoming-heading" class="text-lg font-semibold">"Coming up"</h2>
            <ul class="mt-3 space-y-3" id="upcoming">
                {schedule.upcoming.iter().cloned().map(|p| view! { <Item publication=p actions/> }).collect_view()}
            </ul>
            {schedule.upcoming.is_empty().then(|| view! { <p class="mt-2 text-stone-700">"Nothing scheduled. Publish or schedule a thread from its draft."</p> })}
        </section>
        <section class="mt-8" aria-labelledby="failed-heading">
            <h2 id="failed-heading" class="text-lg font-semibold">"Needs you"</h2>
            <ul class="mt-3 space-y-3" id="failed">
                {schedule.failed.iter().cloned().map(|p| view! { <Item publication=p actions/> }).collect_view()}
            </ul>
            {schedule.failed.is_empty().then(|| view! { <p class="mt-2 text-stone-700">"Nothing failed."</p> })}
        </section>
    }
}

#[component]
fn Item(publication: Publication, actions: Actions) -> impl IntoView {
    let waiting = publication.is_waiting();
    let failed = publication.status == "failed";
    let posted = publication
        .posts
        .iter()
        .filter(|p| p.status == "posted")
        .count();
    let total = publication.posts.len();
    let id = publication.id.clone();
    view! {
        <li class=CARD data-status=publication.status.clone()>
            <p class="font-semibold">
                <A href=draft_path(&publication.draft_id) attr:class="text-ring-800 underline">{publication.draft_title.clone()}</A>
            </p>
            <p class="text-sm text-stone-700">
                {publication.network.label()} " · " {publication.account.clone()} " · "
                {if waiting { format!("at {}", publication.run_at_local) } else { format!("{posted} of {total} posts up") }}
            </p>
            {publication.error.clone().map(|e| view! { <p class="mt-1 text-sm text-red-800 wrap-anywhere" role="status">{e}</p> })}
            {waiting.then(|| {
                let (reschedule_id, cancel_id) = (id.clone(), id.clone());
                view! {
                    <div class="mt-3 flex flex-col gap-2 sm:flex-row sm:items-end">
                        <ActionForm action=actions.reschedule attr:class="flex flex-col gap-2 sm:flex-row sm:items-end">
                            <IdempotencyKey completed=actions.reschedule.version()/>
                            <input type="hidden" name="publication_id" value=reschedule_id.clone()/>
                            <label class="block text-sm font-medium text-stone-800">
                                "New time"
                                <input name="at" type="datetime-local" required=true value=publication.run_at_input.clone()
                                    class="mt-1 block w-full rounded-lg border border-stone-300 bg-white px-3 py-2 text-base"/>
                            </label>
                            <button type="submit" class=QUIET_BUTTON>"Change time"</button>
                        </ActionForm>
                        <ActionForm action=actions.cancel>
                            <IdempotencyKey completed=actions.cancel.version()/>
                            <input type="hidden" name="publication_id" value=cancel_id/>
                            <button type="submit" class=QUIET_BUTTON>"Cancel"</button>
                        </ActionForm>
                    </div>
                }
            })}
            {failed.then(|| view! {
                <ActionForm action=actions.retry attr:class="mt-3">
                    <IdempotencyKey completed=actions.retry.version()/>
                    <input type="hidden" name="publication_id" value=id.clone()/>
                    <button type="submit" class=QUIET_BUTTON>"Try again"</button>
                </ActionForm>
            })}
        </li>
    }
}
