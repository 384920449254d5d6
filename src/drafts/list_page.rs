//! `/drafts`: my drafts and the ones I collaborate on, and starting a new one.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::api::{list_drafts, CreateDraft};
use super::model::Platform;
use super::types::{DraftStatus, DraftSummary};
use crate::auth::SignedIn;
use crate::error::AppError;
use crate::ui::browser::new_idempotency_key;
use crate::ui::form::{action_failure, FormAlert, QuotaAlert};
use crate::ui::format::{count, utc_datetime};
use crate::ui::nav::draft_path;

const FIELD: &str = "mt-1 block w-full rounded-lg border border-stone-300 bg-white px-3 py-2.5 \
    focus:border-ring-500 focus:outline-none focus:ring-2 focus:ring-ring-200";

#[component]
pub fn DraftsPage() -> impl IntoView {
    view! {
        <Title text="Your drafts · OneRing"/>
        <SignedIn loading="Loading…">
            <DraftsList/>
        </SignedIn>
    }
}

#[component]
fn DraftsList() -> impl IntoView {
    let query = use_query_map();
    let page = Memo::new(move |_| {
        query.with(|q| {
            q.get("page")
                .and_then(|p| p.parse::<u32>().ok())
                .unwrap_or(0)
        })
    });
    let drafts = Resource::new(move || page.get(), list_drafts);
    // The dialog is part of the address, so the link that opens it works without a script.
    let creating = Memo::new(move |_| query.with(|q| q.get("new").is_some()));
    view! {
        <div class="mx-auto max-w-5xl px-4 py-10">
            <div class="flex items-center justify-between gap-4">
                <h1 class="text-2xl font-bold tracking-tight">"Your drafts"</h1>
                <div class="flex items-center gap-2">
                <A href="/scheduled" attr:class="tap rounded-lg px-3 py-2 text-sm font-medium text-stone-700 hover:bg-stone-100" attr:id="open-scheduled">"Scheduled"</A>
                <A href="/drafts?new=1" attr:id="new-draft" attr:class="tap rounded-lg bg-ring-600 px-4 py-2 font-semibold text-white shadow-sm hover:bg-ring-700">
                    "New draft"
                </A>
                </div>
            </div>
            <Show when=move || creating.get()>
                <CreateDraftDialog close_href="/drafts" opener="new-draft"/>
            </Show>
            <Transition fallback=|| view! { <p class="mt-6 text-stone-500">"Loading your drafts…"</p> }>
                {move || Suspend::new(async move {
                    match drafts.await {
                        Ok(list) if list.drafts.is_empty() && list.page == 0 => view! { <EmptyState/> }.into_any(),
                        Ok(list) => {
                            let (page, has_more) = (list.page, list.has_more);
                            view! {
                                <ul class="mt-6 grid grid-cols-1 gap-3" id="draft-list">
                                    {list.drafts.into_iter().map(|d| view! { <DraftRow draft=d/> }).collect_view()}
                                </ul>
                                <Pager page has_more/>
                            }.into_any()
                        }
                        Err(error) => view! { <FormAlert message=Signal::derive(move || Some(error.to_string()))/> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn EmptyState() -> impl IntoView {
    view! {
        <div class="mt-8 rounded-2xl border border-dashed border-stone-300 bg-white p-10 text-center">
            <h2 class="text-lg font-semibold">"No drafts yet"</h2>
            <p class="mt-2 text-stone-600">"Start a thread, write the opening post, then pass the ring to a co-writer."</p>
            <A href="/drafts?new=1" attr:class="tap mt-6 inline-block rounded-lg bg-ring-600 px-4 py-2 font-semibold text-white hover:bg-ring-700" attr:id="start-first-draft">
                "Start your first draft"
            </A>
        </div>
    }
}

#[component]
fn DraftRow(draft: DraftSummary) -> impl IntoView {
    let href = draft_path(&draft.id);
    let status = (draft.status != DraftStatus::Draft).then(|| draft.status.as_str());
    view! {
        <li>
            <A href=href attr:class="block rounded-xl border border-stone-200 bg-white p-4 shadow-sm hover:border-ring-300">
                <div class="flex items-start justify-between gap-3">
                    <div class="min-w-0">
                        <p class="truncate font-semibold">
                            {draft.i_hold_ring.then(|| view! { <span title="You hold the ring" aria-label="You hold the ring">"👑 "</span> })}
                            {draft.title.clone()}
                        </p>
                        <p class="mt-1 text-sm text-stone-500">
                            {draft.platform.label()} " · " {count(draft.segment_count, "segment")} " · "
                            {draft.collaborator_handles.iter().map(|h| format!("@{h}")).collect::<Vec<_>>().join(", ")}
                        </p>
                    </div>
                    <div class="shrink-0 text-right text-xs text-stone-500">
                        {status.map(|s| view! { <span class="rounded-full bg-stone-100 px-2 py-0.5 font-medium text-stone-700">{s}</span> })}
                        <p class="mt-1">{utc_datetime(draft.updated_at_ms)}</p>
                    </div>
                </div>
            </A>
        </li>
    }
}

#[component]
fn Pager(page: u32, has_more: bool) -> impl IntoView {
    view! {
        <nav class="mt-6 flex justify-between text-sm" aria-label="Pages">
            {(page > 0).then(|| view! { <A href=format!("/drafts?page={}", page - 1) attr:class="tap font-medium text-ring-700">"← Newer"</A> })}
            <span></span>
            {has_more.then(|| view! { <A href=format!("/drafts?page={}", page + 1) attr:class="tap font-medium text-ring-700">"Older →"</A> })}
        </nav>
    }
}

/// The character counter for a post, counted the platform's way.
#[component]
pub fn Counter(
    #[prop(into)] platform: Signal<Platform>,
    #[prop(into)] text: Signal<String>,
) -> impl IntoView {
    let used = move || platform.get().count(text.get().trim());
    let limit = move || platform.get().post_limit();
    view! {
        <span
            class=move || {
                if used() > limit() { "text-sm font-semibold text-red-700" } else { "text-sm text-stone-500" }
            }
            aria-live="polite"
        >
            {used} " / " {limit}
        </span>
    }
}

/// The "Start a draft" dialog, open while the page's address says so (`?new=1` on
/// `/drafts`): a form that works before and without JavaScript. Cancel and Escape go to
/// `close_href`, and the focus goes back to `opener`, the link that opened it. `hint`
/// (today's challenge, say) is shown above the form.
#[component]
pub fn CreateDraftDialog(
    close_href: &'static str,
    opener: &'static str,
    #[prop(optional, into)] hint: Option<String>,
) -> impl IntoView {
    let create = ServerAction::<CreateDraft>::new();
    let navigate = use_navigate();
    let platform = RwSignal::new(Platform::X);
    let first = RwSignal::new(String::new());
    // One key per intent: a new one when the text changes or a draft was made.
    let key = RwSignal::new(new_idempotency_key());
    let to_draft = navigate.clone();
    Effect::new(move |_| {
        if let Some(Ok(created)) = create.value().get() {
            if let Some(notice) = created.notice {
                crate::ui::flash::flash(notice);
            }
            key.set(new_idempotency_key());
            to_draft(&draft_path(&created.id), Default::default());
        }
    });
    // The focus goes into the dialog (its first field) and, when it closes, back to `opener`.
    let first_field = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = first_field.get() {
            let _ = input.focus();
        }
    });
    on_cleanup(move || crate::ui::browser::focus_by_id(opener));
    let failure = action_failure(create.value());
    let error = Signal::derive(move || {
        failure
            .get()
            .filter(|e| !matches!(e, AppError::Validation { .. }))
    });
    let field_error = move |field: &'static str| {
        move || {
            create.value().with(|r| {
                r.as_ref()
                    .and_then(|r| r.as_ref().err())
                    .and_then(|e: &AppError| e.for_field(field))
            })
        }
    };
    let changed = move |_| key.set(new_idempotency_key());
    view! {
        <div
            class="fixed inset-0 z-30 flex items-start justify-center overflow-y-auto bg-black/40 p-3 sm:items-center sm:p-4"
            role="dialog"
            aria-modal="true"
            aria-labelledby="create-title"
            id="create-dialog"
            on:keydown=move |ev| if ev.key() == "Escape" { navigate(close_href, Default::default()) }
        >
            <ActionForm action=create attr:class="w-full max-w-lg space-y-4 rounded-2xl bg-white p-5 shadow-xl sm:p-6">
                <h2 id="create-title" class="text-xl font-bold">"Start a draft"</h2>
                {hint.map(|hint| view! {
                    <p class="rounded-lg bg-ring-50 p-3 text-sm text-stone-800" id="create-hint">
                        <span class="font-semibold">"Today's challenge: "</span>{hint}
                    </p>
                })}
                <QuotaAlert error/>
                <input type="hidden" name="idempotency_key" value=key.get_untracked() prop:value=move || key.get()/>
                <div>
                    <label for="draft-title" class="block text-sm font-medium">"Title"</label>
                    <input id="draft-title" name="title" class=FIELD autofocus=true required=true maxlength="120" on:input=changed node_ref=first_field/>
                    <p class="mt-1 text-sm text-red-700" role="alert">{field_error("title")}</p>
                </div>
                <div>
                    <label for="draft-platform" class="block text-sm font-medium">"Platform"</label>
                    <select
                        id="draft-platform"
                        name="platform"
                        class=FIELD
                        on:change=move |ev| {
                            if let Ok(p) = Platform::parse(&event_target_value(&ev)) {
                                platform.set(p);
                                key.set(new_idempotency_key());
                            }
                        }
                    >
                        {Platform::ALL.into_iter().map(|p| view! { <option value=p.as_str()>{p.label()}</option> }).collect_view()}
                    </select>
                </div>
                <div>
                    <div class="flex items-baseline justify-between">
                        <label for="draft-first" class="block text-sm font-medium">"Opening post"</label>
                        <Counter platform text=first/>
                    </div>
                    <textarea id="draft-first" name="first_segment" rows="5" class=FIELD required=true bind:value=first on:input=changed></textarea>
                    <p class="mt-1 text-sm text-red-700" role="alert">{field_error("first_segment")}{field_error("content")}</p>
                </div>
                <div class="flex items-center justify-end gap-3">
                    <A href=close_href attr:class="tap rounded-lg px-4 py-2 font-medium text-stone-700 hover:bg-stone-100" attr:id="cancel-create">"Cancel"</A>
                    <button type="submit" id="create-draft" class="rounded-lg bg-ring-600 px-4 py-2 font-semibold text-white hover:bg-ring-700 disabled:opacity-60" disabled=move || create.pending().get()>
                        {move || if create.pending().get() { "Creating…" } else { "Create draft" }}
                    </button>
                </div>
            </ActionForm>
        </div>
    }
}
