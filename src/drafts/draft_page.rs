//! `/drafts/:id`: the timeline, the ring-aware editor, ring controls, collaborators and the
//! thread preview.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_params_map;

use super::api::{
    get_draft, AddCollaborator, AppendSegment, DeleteSegment, EditSegment, PassRing, ReclaimRing,
    RemoveCollaborator, SetRole, SetStatus,
};
use super::draft_panels::{
    CollaboratorsPanel, InsightsLink, PresencePanel, RingPanel, StatusControl,
};
use super::export::{markdown, numbered_posts, plain_text};
use super::list_page::Counter;
use super::live_copy::LiveCopy;
use super::payload::DraftPayload;
use super::timeline::Timeline;
use super::types::{DraftStatus, DraftView, Role};
use crate::error::AppError;
use crate::invites::{InvitesPanel, JoinedBanner};
#[cfg(feature = "hydrate")]
use crate::live::types::LiveMessage;
use crate::live::types::{Connection, Present};
use crate::ui::browser::{copy_to_clipboard, new_idempotency_key};
use crate::ui::form::{action_error, FormAlert};
use crate::ui::nav::{draft_path, sign_in_then};
use crate::ui::style::{CARD, QUIET_BUTTON};
use crate::ui::LoadError;

const BUTTON: &str = "rounded-lg bg-ring-600 px-4 py-2 font-semibold text-white hover:bg-ring-700 disabled:opacity-50";

#[component]
pub fn DraftPage() -> impl IntoView {
    let params = use_params_map();
    let draft_id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    // The payload the page carries for hydration names each person once (see `payload`).
    let draft =
        Resource::<_, DraftPayload>::new_with_options(move || draft_id.get(), get_draft, false);
    view! {
        <Transition fallback=|| view! { <p class="mx-auto max-w-6xl px-4 py-10 text-stone-500">"Loading the draft…"</p> }>
            {move || Suspend::new(async move {
                match draft.await {
                    Ok(view) => view! { <Title text=format!("{} · OneRing", view.title)/><LiveDraft initial=view/> }.into_any(),
                    Err(AppError::Unauthorized { .. }) => {
                        view! { <Redirect path=sign_in_then(&draft_path(&draft_id.get_untracked()))/> }.into_any()
                    }
                    Err(AppError::NotFound) => view! { <crate::ui::NotFound/> }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The page's live copy of the draft (reloaded after each of the page's own changes too,
/// in case the live channel is down).
#[component]
fn LiveDraft(initial: DraftView) -> impl IntoView {
    let actions = Actions {
        append: ServerAction::new(),
        edit: ServerAction::new(),
        delete: ServerAction::new(),
        pass: ServerAction::new(),
        reclaim: ServerAction::new(),
        add: ServerAction::new(),
        remove: ServerAction::new(),
        set_role: ServerAction::new(),
        set_status: ServerAction::new(),
    };
    let draft_id = initial.id.clone();
    let copy = LiveCopy::new(initial);
    let view = copy.view;
    let live = Live {
        connection: RwSignal::new(Connection::Connecting),
        people: RwSignal::new(Vec::new()),
    };
    Effect::new(move |previous: Option<usize>| {
        let version = actions.version();
        if previous.is_some_and(|p| p != version) {
            copy.reload();
        }
        version
    });
    connect_live(draft_id, copy, live);
    view! {
        <Show
            when=move || !copy.gone.get()
            fallback=|| view! { <crate::ui::NotFound/> }
        >
            <Draft view actions live/>
        </Show>
    }
}

/// Presence and the channel's state.
#[derive(Clone, Copy)]
pub(super) struct Live {
    pub(super) connection: RwSignal<Connection>,
    pub(super) people: RwSignal<Vec<Present>>,
}

/// Opens the live channel once the page runs in the browser; events patch the copy. While
/// the channel is down the copy is reloaded at each attempt, so a reader who lost access
/// (signed out, removed) sees that instead of "Reconnecting…" for ever.
fn connect_live(draft_id: String, copy: LiveCopy, live: Live) {
    #[cfg(feature = "hydrate")]
    {
        let seq = copy.view.with_untracked(|v| v.event_seq);
        Effect::new(move |_| {
            crate::live::client::open(draft_id.clone(), seq, live.connection, move |message| {
                match message {
                    LiveMessage::Event { seq, event } => copy.receive(seq, event),
                    LiveMessage::Reset { .. } | LiveMessage::Revoked => copy.reload(),
                    LiveMessage::Presence { people } => live.people.set(people),
                    LiveMessage::Ready { .. } => {}
                }
            });
        });
        Effect::new(move |_| {
            if live.connection.get() == Connection::Reconnecting {
                copy.reload();
            }
        });
        Effect::new(move |_| {
            if copy.gone.get() {
                crate::live::client::close();
            }
        });
        on_cleanup(crate::live::client::close);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (draft_id, copy, live);
}

/// Every change the page can make; the draft reloads after any of them.
#[derive(Clone, Copy)]
pub(super) struct Actions {
    pub(super) append: ServerAction<AppendSegment>,
    pub(super) edit: ServerAction<EditSegment>,
    pub(super) delete: ServerAction<DeleteSegment>,
    pub(super) pass: ServerAction<PassRing>,
    pub(super) reclaim: ServerAction<ReclaimRing>,
    pub(super) add: ServerAction<AddCollaborator>,
    pub(super) remove: ServerAction<RemoveCollaborator>,
    pub(super) set_role: ServerAction<SetRole>,
    pub(super) set_status: ServerAction<SetStatus>,
}

impl Actions {
    /// Changes whenever any action completes.
    fn version(&self) -> usize {
        self.append.version().get()
            + self.edit.version().get()
            + self.delete.version().get()
            + self.pass.version().get()
            + self.reclaim.version().get()
            + self.add.version().get()
            + self.remove.version().get()
            + self.set_role.version().get()
            + self.set_status.version().get()
    }
}

#[component]
fn Draft(view: RwSignal<DraftView>, actions: Actions, live: Live) -> impl IntoView {
    // Each section re-renders from a snapshot when the draft changes; the editor keeps its
    // text (it reads the draft reactively instead).
    let snapshot = move || StoredValue::new(view.get());
    let first = view.get_untracked();
    let is_owner = first.my_role == Role::Owner;
    view! {
        <div class="mx-auto max-w-6xl px-4 py-8" data-live=move || live.connection.get().as_str()>
            {first.show_joined_banner.then(|| view! { <JoinedBanner draft_id=first.id.clone() title=first.title.clone()/> })}
            <ConnectionNotice connection=live.connection/>
            {move || {
                let view = snapshot();
                let v = view.get_value();
                view! {
                    <header>
                        <p class="text-sm font-medium text-ring-700">{v.platform.label()} " thread" {(v.status != DraftStatus::Draft).then(|| format!(" · {}", v.status.as_str()))}</p>
                        <h1 class="mt-1 text-2xl font-bold tracking-tight" id="draft-title">{v.title.clone()}</h1>
                        {v.subtitle.clone().map(|s| view! { <p class="mt-1 text-stone-600">{s}</p> })}
                        {(v.my_role == Role::Owner).then(|| view! { <StatusControl view actions/> })}
                    </header>
                }
            }}
            <div class="mt-6 grid grid-cols-1 gap-6 lg:grid-cols-3">
                <div class="min-w-0 space-y-6 lg:col-span-2">
                    <Timeline view actions/>
                    <Editor view actions live/>
                    {move || view! { <Preview view=snapshot()/> }}
                </div>
                <div class="min-w-0 space-y-6">
                    <PresencePanel people=live.people me=first.me.id.clone()/>
                    {move || view! { <RingPanel view=snapshot() actions/> }}
                    {move || view! { <CollaboratorsPanel view=snapshot() actions/> }}
                    {move || view! { <InsightsLink view=snapshot()/> }}
                    <crate::sharecards::ShareCardButton draft_id=first.id.clone()/>
                    {is_owner.then(|| view! { <InvitesPanel draft_id=first.id.clone() people=Signal::derive(move || view.with(|v| v.collaborators.len()))/> })}
                    {is_owner.then(|| view! {
                        <crate::publishing::PublishPanel
                            draft_id=first.id.clone()
                            segments=Signal::derive(move || view.with(|v| v.segments.iter().map(|s| s.content.clone()).collect::<Vec<_>>()))
                        />
                    })}
                </div>
            </div>
        </div>
    }
}

/// A quiet cue while the live channel is down (changes still work; they show on reconnect).
#[component]
fn ConnectionNotice(connection: RwSignal<Connection>) -> impl IntoView {
    view! {
        <Show when=move || connection.get() == Connection::Reconnecting>
            <p class="mb-3 inline-flex items-center gap-2 rounded-full bg-amber-50 px-3 py-1 text-sm text-amber-800" role="status" id="reconnecting">
                <span class="size-2 animate-pulse rounded-full bg-amber-500" aria-hidden="true"></span>
                "Reconnecting…"
            </p>
        </Show>
    }
}

/// The next segment: a form that works before and without JavaScript (the server answers a
/// post from the page itself with the draft again), and after hydration adds in place.
#[component]
fn Editor(view: RwSignal<DraftView>, actions: Actions, live: Live) -> impl IntoView {
    let my_turn =
        Memo::new(move |_| view.with(|v| v.i_hold_ring() && v.status != DraftStatus::Archived));
    let platform = Signal::derive(move || view.with(|v| v.platform));
    let text = RwSignal::new(String::new());
    // One key per intent: a new one when the text changes or the segment was added, so a
    // retry of the same text after a lost answer is applied once.
    let key = RwSignal::new(new_idempotency_key());
    let form = NodeRef::<leptos::html::Form>::new();
    let error = action_error(actions.append.value());
    Effect::new(move |_| {
        if let Some(Ok(_)) = actions.append.value().get() {
            text.set(String::new());
            key.set(new_idempotency_key());
        }
    });
    let too_long = move || text.with(|t| platform.with(|p| p.count(t.trim()) > p.post_limit()));
    let waiting = move || {
        view.with(|v| {
            let holder = &v.ring_holder;
            let typing = live
                .people
                .with(|people| people.iter().any(|p| p.typing && p.user.id == holder.id));
            if v.status == DraftStatus::Archived {
                "This draft is archived, so it is read-only.".to_owned()
            } else if typing {
                format!("@{} is writing…", holder.handle)
            } else if v.my_role == Role::Viewer {
                format!("You're viewing. @{} holds the ring.", holder.handle)
            } else {
                format!("Waiting for @{} to pass the ring", holder.handle)
            }
        })
    };
    let draft_id = view.with_untracked(|v| v.id.clone());
    view! {
        <section
            class=move || if my_turn.get() { format!("{CARD} ring-2 ring-ring-400") } else { CARD.to_owned() }
            aria-labelledby="editor-heading"
        >
            <ActionForm action=actions.append node_ref=form>
                <div class="flex items-baseline justify-between gap-2">
                    <h2 id="editor-heading" class="text-lg font-semibold" aria-live="polite">
                        {move || if my_turn.get() { "👑 It's your turn" } else { "Next segment" }}
                    </h2>
                    <Counter platform text/>
                </div>
                <input type="hidden" name="draft_id" value=draft_id/>
                <input type="hidden" name="idempotency_key" value=key.get_untracked() prop:value=move || key.get()/>
                <label for="segment-input" class="sr-only">"Next segment"</label>
                <textarea
                    id="segment-input"
                    name="content"
                    rows="4"
                    required=true
                    class="mt-3 block w-full rounded-lg border border-stone-300 px-3 py-2.5 focus:border-ring-500 focus:outline-none focus:ring-2 focus:ring-ring-200 disabled:bg-stone-100"
                    disabled=move || !my_turn.get()
                    placeholder=move || if my_turn.get() { "Write the next post… (Ctrl+Enter to add)" } else { "" }
                    bind:value=text
                    on:input=move |_| {
                        key.set(new_idempotency_key());
                        #[cfg(feature = "hydrate")]
                        crate::live::client::typing();
                    }
                    on:keydown=move |ev| {
                        if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
                            ev.prevent_default();
                            if let Some(form) = form.get() {
                                let _ = form.request_submit();
                            }
                        }
                    }
                ></textarea>
                <Show when=move || !my_turn.get()>
                    <p class="mt-2 text-sm font-medium text-stone-700" id="waiting-message" aria-live="polite">{waiting}</p>
                </Show>
                <div class="mt-3"><FormAlert message=error/></div>
                // Kept in sight above a phone's keyboard while the box is in use.
                <div class="sticky bottom-0 -mx-1 mt-3 flex justify-end bg-white px-1 py-2">
                    <button type="submit" id="append" class=BUTTON disabled=move || {
                            !my_turn.get() || actions.append.pending().get() || too_long()
                        }>
                        {move || if actions.append.pending().get() { "Adding…" } else { "Add segment" }}
                    </button>
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn Preview(view: StoredValue<DraftView>) -> impl IntoView {
    let v = view.get_value();
    let count = v.segments.len();
    // The numbered posts are drawn when the reader opens them, in the browser: the thread
    // itself is already on the page, and a long one would double the page's size.
    let open = RwSignal::new(false);
    let posts = move || {
        open.get().then(|| {
            let v = view.get_value();
            let contents: Vec<&str> = v.segments.iter().map(|s| s.content.as_str()).collect();
            numbered_posts(&contents)
                .into_iter()
                .map(|p| view! { <li class="whitespace-pre-wrap wrap-anywhere rounded-xl bg-stone-50 p-3 text-sm">{p}</li> })
                .collect_view()
        })
    };
    let copied = RwSignal::new(None::<&'static str>);
    // The exports are built when asked for, not rendered into the page.
    let copy_text = move |_| {
        let v = view.get_value();
        copy_to_clipboard(&plain_text(
            &v.segments
                .iter()
                .map(|s| s.content.as_str())
                .collect::<Vec<_>>(),
        ));
        copied.set(Some("text"));
    };
    let copy_markdown = move |_| {
        let v = view.get_value();
        let posts: Vec<_> = v
            .segments
            .iter()
            .map(|s| (s.author.handle.as_str(), s.content.as_str()))
            .collect();
        copy_to_clipboard(&markdown(&v.title, &posts));
        copied.set(Some("markdown"));
    };
    view! {
        <section class=CARD aria-labelledby="preview-heading">
            <div class="flex flex-wrap items-center justify-between gap-2">
                <h2 id="preview-heading" class="text-lg font-semibold">"Preview on " {v.platform.label()}</h2>
                <div class="flex gap-2">
                    <button type="button" class=QUIET_BUTTON on:click=copy_text>
                        {move || if copied.get() == Some("text") { "Copied" } else { "Copy all" }}
                    </button>
                    <button type="button" class=QUIET_BUTTON on:click=copy_markdown>
                        {move || if copied.get() == Some("markdown") { "Copied" } else { "Copy as Markdown" }}
                    </button>
                </div>
            </div>
            <details class="mt-3">
                // A click (or Enter, or Space) on the summary opens and closes it.
                <summary class="cursor-pointer py-2 text-sm font-medium text-ring-800" id="show-preview" on:click=move |_| open.update(|o| *o = !*o)>
                    {format!("Show the {} as they will read", crate::ui::format::count(count as i64, "post"))}
                </summary>
                <ol class="mt-2 space-y-3" id="preview-posts">{posts}</ol>
            </details>
        </section>
    }
}
