//! The owner's invites on the draft page: create one (its link is shown once, to copy),
//! see every invite's status, revoke pending ones.

use leptos::prelude::*;

use super::api::{list_invites, CreateInvite, RevokeInvite};
use super::types::{InviteStatus, InviteSummary, DEFAULT_EXPIRY_DAYS, MAX_EXPIRY_DAYS, MAX_USES};
use crate::ui::browser::{copy_to_clipboard, loaded, new_idempotency_key};
use crate::ui::form::{action_error, action_failure, FormAlert, QuotaAlert};
use crate::ui::format::utc_datetime;
use crate::ui::style::{CARD, QUIET_BUTTON};

const INPUT: &str = "mt-1 block w-full rounded-lg border border-stone-300 px-2 py-1.5";

/// `people` changes when someone joins or leaves (the list then shows who accepted).
///
/// The list loads in the browser, after the page: the draft page's first byte does not wait
/// for the owner's side panels.
#[component]
pub fn InvitesPanel(draft_id: String, #[prop(into)] people: Signal<usize>) -> impl IntoView {
    let create = ServerAction::<CreateInvite>::new();
    let revoke = ServerAction::<RevokeInvite>::new();
    let list_for = draft_id.clone();
    let invites = LocalResource::new(move || {
        let _ = (create.version().get(), revoke.version().get(), people.get());
        list_invites(list_for.clone())
    });
    let draft_id = StoredValue::new(draft_id);
    view! {
        <section class=CARD aria-labelledby="invites-heading">
            <h2 id="invites-heading" class="text-lg font-semibold">"Invite people"</h2>
            <p class="mt-1 text-sm text-stone-600">"Share a one-time link. Whoever opens it joins with the role you choose."</p>
            <NewInviteForm draft_id create/>
            // Not a <Transition>: the server has no list to render, and the browser must
            // hydrate the same "Loading" it sent (a Suspense would hydrate its children).
            {move || match loaded(invites) {
                None => view! { <p class="mt-4 text-sm text-stone-500">"Loading invites…"</p> }.into_any(),
                Some(Ok(list)) => view! { <InviteList list draft_id revoke/> }.into_any(),
                Some(Err(error)) => view! { <p class="mt-4 text-sm text-red-700" role="alert">{error.to_string()}</p> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn NewInviteForm(
    draft_id: StoredValue<String>,
    create: ServerAction<CreateInvite>,
) -> impl IntoView {
    let role = RwSignal::new("editor".to_owned());
    let note = RwSignal::new(String::new());
    let days = RwSignal::new(DEFAULT_EXPIRY_DAYS.to_string());
    let uses = RwSignal::new("1".to_owned());
    let copied = RwSignal::new(false);
    let link = Signal::derive(move || {
        create.value().with(|r| {
            r.as_ref()
                .and_then(|r| r.as_ref().ok())
                .and_then(|c| c.link.clone())
        })
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        copied.set(false);
        let number =
            |s: RwSignal<String>| s.with_untracked(|v| v.trim().parse::<u32>().unwrap_or(0));
        create.dispatch(CreateInvite {
            draft_id: draft_id.get_value(),
            role: role.get_untracked(),
            note: Some(note.get_untracked()),
            expires_in_days: Some(number(days)),
            max_uses: Some(number(uses)),
            idempotency_key: new_idempotency_key(),
        });
    };
    view! {
        <form class="mt-4 space-y-3" on:submit=submit>
            <div class="grid grid-cols-2 gap-2">
                <label class="text-sm font-medium">"Role"
                    <select id="invite-role" class=INPUT on:change=move |ev| role.set(event_target_value(&ev))>
                        <option value="editor">"Editor (writes)"</option>
                        <option value="viewer">"Viewer (reads)"</option>
                    </select>
                </label>
                <label class="text-sm font-medium">"For (optional)"
                    <input id="invite-note" class=INPUT placeholder="@handle or email" maxlength="100" bind:value=note/>
                </label>
                <label class="text-sm font-medium">"Expires after (days)"
                    <input id="invite-days" type="number" min="1" max=MAX_EXPIRY_DAYS class=INPUT bind:value=days/>
                </label>
                <label class="text-sm font-medium">"Uses"
                    <input id="invite-uses" type="number" min="1" max=MAX_USES class=INPUT bind:value=uses/>
                </label>
            </div>
            <button type="submit" id="create-invite" class=QUIET_BUTTON disabled=move || create.pending().get()>
                {move || if create.pending().get() { "Creating…" } else { "Create invite link" }}
            </button>
            <QuotaAlert error=action_failure(create.value())/>
        </form>
        {move || link.get().map(|link| {
            let to_copy = link.clone();
            view! {
                <div class="mt-3 rounded-lg border border-ring-200 bg-ring-50 p-3">
                    <label for="invite-link" class="text-sm font-semibold text-ring-800">"Copy this link now: it is shown only once."</label>
                    <div class="mt-2 flex gap-2">
                        <input id="invite-link" readonly class="min-w-0 flex-1 rounded border border-stone-300 bg-white px-2 py-1 font-mono text-xs" prop:value=link/>
                        <button type="button" id="copy-invite" class=QUIET_BUTTON on:click=move |_| { copy_to_clipboard(&to_copy); copied.set(true); }>
                            {move || if copied.get() { "Copied" } else { "Copy" }}
                        </button>
                    </div>
                </div>
            }
        })}
    }
}

fn status_class(status: InviteStatus) -> &'static str {
    match status {
        InviteStatus::Pending => "bg-amber-50 text-amber-800",
        InviteStatus::Accepted => "bg-emerald-50 text-emerald-800",
        InviteStatus::Expired | InviteStatus::Revoked => "bg-stone-100 text-stone-600",
    }
}

#[component]
fn InviteList(
    list: Vec<InviteSummary>,
    draft_id: StoredValue<String>,
    revoke: ServerAction<RevokeInvite>,
) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="mt-4 text-sm text-stone-500">"No invites yet."</p> }.into_any();
    }
    view! {
        <ul class="mt-4 divide-y divide-stone-100" id="invites">
            {list.into_iter().map(|invite| {
                let id = invite.id.clone();
                let who = invite.note.clone().map(|n| format!(" for {n}")).unwrap_or_default();
                let joined = (!invite.accepted_by.is_empty()).then(|| format!(
                    "Joined: {}",
                    invite.accepted_by.iter().map(|h| format!("@{h}")).collect::<Vec<_>>().join(", ")
                ));
                view! {
                    <li class="py-2 text-sm" data-status=invite.status.label()>
                        <div class="flex items-center justify-between gap-2">
                            <p>
                                <span class="font-medium">{invite.role.as_str()}</span>{who}
                                <span class=format!("ml-2 rounded px-1.5 py-0.5 text-xs font-medium {}", status_class(invite.status))>{invite.status.label()}</span>
                            </p>
                            {(invite.status == InviteStatus::Pending).then(|| view! {
                                <button type="button" class="text-stone-500 hover:text-red-700" disabled=move || revoke.pending().get() on:click=move |_| {
                                    revoke.dispatch(RevokeInvite { draft_id: draft_id.get_value(), invite_id: id.clone(), idempotency_key: new_idempotency_key() });
                                }>"Revoke"</button>
                            })}
                        </div>
                        <p class="text-xs text-stone-500">
                            {invite.uses} " of " {invite.max_uses} " used · expires " {utc_datetime(invite.expires_at_ms)}
                        </p>
                        {joined.map(|j| view! { <p class="text-xs text-stone-600">{j}</p> })}
                    </li>
                }
            }).collect_view()}
        </ul>
        <FormAlert message=action_error(revoke.value())/>
    }
    .into_any()
}
