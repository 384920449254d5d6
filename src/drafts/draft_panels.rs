//! The draft page's side panels and the owner's status control.

use leptos::prelude::*;

use super::api::{AddCollaborator, RemoveCollaborator, SetRole, SetStatus};
use super::draft_page::Actions;
use super::types::{DraftStatus, DraftView, PassKind, Role};
use crate::live::types::Present;
use crate::ui::browser::new_idempotency_key;
use crate::ui::form::{action_error, action_failure, FormAlert, IdempotencyKey, QuotaAlert};
use crate::ui::format::{count, counted};
use crate::ui::style::{CARD, QUIET_BUTTON};

/// The owner moves the draft between draft, published and archived.
#[component]
pub(super) fn StatusControl(view: StoredValue<DraftView>, actions: Actions) -> impl IntoView {
    let v = view.get_value();
    let draft_id = v.id.clone();
    let current = v.status;
    let failure = action_failure(actions.set_status.value());
    Effect::new(move |_| {
        if let Some(Ok(Some(notice))) = actions.set_status.value().get() {
            crate::ui::flash::flash(notice);
        }
    });
    view! {
        <div class="mt-3"><QuotaAlert error=failure/></div>
        <div class="mt-3 flex items-center gap-2 text-sm">
            <label for="draft-status" class="text-stone-600">"Status"</label>
            <select id="draft-status" class="rounded-lg border border-stone-300 px-2 py-1" on:change=move |ev| {
                actions.set_status.dispatch(SetStatus { draft_id: draft_id.clone(), status: event_target_value(&ev), idempotency_key: new_idempotency_key() });
            }>
                {[DraftStatus::Draft, DraftStatus::Published, DraftStatus::Archived].into_iter().map(|s| view! {
                    <option value=s.as_str() selected=s == current>{s.as_str()}</option>
                }).collect_view()}
            </select>
        </div>
    }
}

#[component]
pub(super) fn RingPanel(view: StoredValue<DraftView>, actions: Actions) -> impl IntoView {
    let v = view.get_value();
    let draft_id = v.id.clone();
    let candidates: Vec<_> = v
        .collaborators
        .iter()
        .filter(|c| c.role.can_hold_ring() && c.user.id != v.me.id)
        .map(|c| (c.user.id.clone(), c.user.handle.clone()))
        .collect();
    // One key per intent: a new one when the choice changes or the ring was passed.
    let pass_key = RwSignal::new(new_idempotency_key());
    Effect::new(move |_| {
        if let Some(Ok(_)) = actions.pass.value().get() {
            pass_key.set(new_idempotency_key());
        }
    });
    let pass_error = action_error(actions.pass.value());
    let reclaim_error = action_error(actions.reclaim.value());
    let can_reclaim = v.my_role == Role::Owner && !v.i_hold_ring();
    let pass_draft = draft_id.clone();
    // Both are forms that work before and without JavaScript.
    view! {
        <section class=CARD aria-labelledby="ring-heading">
            <h2 id="ring-heading" class="text-lg font-semibold">"The ring"</h2>
            <p class="mt-1 text-stone-700" id="ring-holder">
                {if v.i_hold_ring() { "👑 You hold the ring.".to_owned() } else { format!("👑 @{} holds the ring.", v.ring_holder.handle) }}
            </p>
            {(v.i_hold_ring() && !candidates.is_empty()).then(|| view! {
                <ActionForm action=actions.pass attr:class="mt-4 flex gap-2">
                    <input type="hidden" name="draft_id" value=pass_draft/>
                    <input type="hidden" name="idempotency_key" value=pass_key.get_untracked() prop:value=move || pass_key.get()/>
                    <label for="pass-to" class="sr-only">"Pass the ring to"</label>
                    <select id="pass-to" name="to_user_id" class="min-w-0 flex-1 rounded-lg border border-stone-300 px-2 py-1.5" on:change=move |_| pass_key.set(new_idempotency_key())>
                        {candidates.iter().map(|(id, handle)| view! { <option value=id.clone()>"@" {handle.clone()}</option> }).collect_view()}
                    </select>
                    <button type="submit" id="pass-ring" class=QUIET_BUTTON disabled=move || actions.pass.pending().get()>"Pass"</button>
                </ActionForm>
            })}
            {can_reclaim.then(|| view! {
                <ActionForm action=actions.reclaim attr:class="mt-4">
                    <input type="hidden" name="draft_id" value=draft_id.clone()/>
                    <IdempotencyKey completed=actions.reclaim.version()/>
                    <button type="submit" id="reclaim-ring" class=QUIET_BUTTON disabled=move || actions.reclaim.pending().get()>"Take the ring back"</button>
                </ActionForm>
            })}
            <div class="mt-3"><FormAlert message=pass_error/><FormAlert message=reclaim_error/></div>
            <h3 class="mt-5 text-sm font-semibold text-stone-700">"History"</h3>
            <ol class="mt-2 space-y-1 text-sm text-stone-600">
                {v.ring_history.iter().map(|p| {
                    let verb = match p.kind { PassKind::Pass => "passed it to", PassKind::Reclaim => "took it back from", PassKind::Return => "got it back from" };
                    let (first, second) = match p.kind { PassKind::Pass => (&p.from.handle, &p.to.handle), _ => (&p.to.handle, &p.from.handle) };
                    view! { <li>"@" {first.clone()} " " {verb} " @" {second.clone()} " after segment " {p.after_position}</li> }
                }).collect_view()}
                {v.ring_history.is_empty().then(|| view! { <li>"The ring hasn't moved yet."</li> })}
            </ol>
        </section>
    }
}

#[component]
pub(super) fn CollaboratorsPanel(view: StoredValue<DraftView>, actions: Actions) -> impl IntoView {
    let v = view.get_value();
    let is_owner = v.my_role == Role::Owner;
    let handle = RwSignal::new(String::new());
    let role = RwSignal::new("editor".to_owned());
    let add_error = action_failure(actions.add.value());
    Effect::new(move |_| {
        if let Some(Ok(added)) = actions.add.value().get() {
            if let Some(notice) = added.notice {
                crate::ui::flash::flash(notice);
            }
        }
    });
    let (removing, changing_role) = (
        action_error(actions.remove.value()),
        action_error(actions.set_role.value()),
    );
    let remove_error = Signal::derive(move || removing.get().or_else(|| changing_role.get()));
    let draft_id = StoredValue::new(v.id.clone());
    view! {
        <section class=CARD aria-labelledby="people-heading">
            <h2 id="people-heading" class="text-lg font-semibold">"Collaborators"</h2>
            <ul class="mt-3 divide-y divide-stone-100" id="collaborators">
                {v.collaborators.iter().map(|c| {
                    let user_id = c.user.id.clone();
                    let removable = is_owner && c.role != Role::Owner;
                    view! {
                        <li class="flex items-center justify-between gap-2 py-2">
                            <div>
                                <p class="font-medium">"@" {c.user.handle.clone()} {(!removable).then(|| view! { <span class="ml-1 text-xs text-stone-500">{c.role.as_str()}</span> })}</p>
                                <p class="text-xs text-stone-500">{count(c.segments, "segment")} " · " {count(c.characters, "character")}</p>
                            </div>
                            {removable.then(|| {
                                let role_user = c.user.id.clone();
                                let current = c.role;
                                view! {
                                <label class="sr-only" for=format!("role-{}", c.user.handle)>"Role"</label>
                                <select id=format!("role-{}", c.user.handle) class="rounded border border-stone-300 px-1 py-0.5 text-xs" on:change=move |ev| {
                                    actions.set_role.dispatch(SetRole { draft_id: draft_id.get_value(), user_id: role_user.clone(), role: event_target_value(&ev), idempotency_key: new_idempotency_key() });
                                }>
                                    <option value="editor" selected=current == Role::Editor>"editor"</option>
                                    <option value="viewer" selected=current == Role::Viewer>"viewer"</option>
                                </select>
                                }
                            })}
                            {removable.then(|| view! {
                                <button type="button" class="text-sm text-stone-500 hover:text-red-700" aria-label=format!("Remove @{}", c.user.handle) on:click=move |_| {
                                    actions.remove.dispatch(RemoveCollaborator { draft_id: draft_id.get_value(), user_id: user_id.clone(), idempotency_key: new_idempotency_key() });
                                }>"Remove"</button>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <FormAlert message=remove_error/>
            {is_owner.then(|| view! {
                <form class="mt-4 space-y-2" on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    actions.add.dispatch(AddCollaborator { draft_id: draft_id.get_value(), handle: handle.get_untracked(), role: role.get_untracked(), idempotency_key: new_idempotency_key() });
                }>
                    <label for="add-handle" class="block text-sm font-medium">"Add by handle"</label>
                    <div class="flex gap-2">
                        <input id="add-handle" placeholder="@handle" class="min-w-0 flex-1 rounded-lg border border-stone-300 px-2 py-1.5" bind:value=handle/>
                        <label for="add-role" class="sr-only">"Role"</label>
                        <select id="add-role" class="rounded-lg border border-stone-300 px-2 py-1.5" on:change=move |ev| role.set(event_target_value(&ev))>
                            <option value="editor">"Editor"</option>
                            <option value="viewer">"Viewer"</option>
                        </select>
                        <button type="submit" id="add-collaborator" class=QUIET_BUTTON disabled=move || actions.add.pending().get()>"Add"</button>
                    </div>
                    <QuotaAlert error=add_error/>
                </form>
            })}
        </section>
    }
}

/// Who has the draft open right now, and who of them is typing.
#[component]
pub(super) fn PresencePanel(people: RwSignal<Vec<Present>>, me: String) -> impl IntoView {
    let alone_me = me.clone();
    view! {
        <section class=CARD aria-labelledby="presence-heading">
            <h2 id="presence-heading" class="text-lg font-semibold">"Here now"</h2>
            <ul class="mt-3 flex flex-wrap gap-3" id="presence" aria-live="polite">
                {move || people.get().into_iter().map(|p| {
                    let initial = p.user.handle.chars().next().unwrap_or('?').to_uppercase().to_string();
                    let you = p.user.id == me;
                    view! {
                        <li class="flex items-center gap-2" data-handle=p.user.handle.clone() data-typing=p.typing.to_string()>
                            <span class="flex size-8 items-center justify-center rounded-full bg-ring-100 font-semibold text-ring-800" aria-hidden="true">{initial}</span>
                            <span class="text-sm">
                                "@" {p.user.handle.clone()} {you.then_some(" (you)")}
                                {(p.typing && !you).then(|| view! { <span class="ml-1 text-ring-700 typing">"typing…"</span> })}
                            </span>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <Show when=move || people.with(|people| people.iter().all(|p| p.user.id == alone_me))>
                <p class="mt-2 text-sm text-stone-500">"Just you for now."</p>
            </Show>
        </section>
    }
}

/// The way to the draft's insights, with the counts the page already has.
#[component]
pub(super) fn InsightsLink(view: StoredValue<DraftView>) -> impl IntoView {
    let v = view.get_value();
    let passes = v
        .ring_history
        .iter()
        .filter(|p| p.kind == PassKind::Pass)
        .count() as i64;
    view! {
        <section class=CARD aria-labelledby="insights-heading">
            <h2 id="insights-heading" class="text-lg font-semibold">"Insights"</h2>
            <p class="mt-1 text-sm text-stone-700">
                {count(v.segments.len() as i64, "segment")} " · " {count(v.collaborators.len() as i64, "collaborator")} " · " {counted(passes, "ring pass", "ring passes")}
            </p>
            <a href=format!("{}/insights", crate::ui::nav::draft_path(&v.id)) class="tap mt-3 inline-block text-sm font-semibold text-ring-800 hover:underline" id="open-insights">
                "See who wrote what, and how the ring moves →"
            </a>
        </section>
    }
}
