//! `/refer/<code>` (and `/refer`, where a signed-out visitor comes back after signing up or
//! in): what the invite is for, and the way in. The page never carries the code: the
//! browser already has it in its address bar, and the way back uses a cookie.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};

use super::api::{preview_invite, AcceptInvite};
use super::types::{InvitePreview, Visitor};
use crate::error::AppError;
use crate::ui::form::{action_error, FormAlert, IdempotencyKey};
use crate::ui::nav::draft_path;
use crate::ui::preview::{LinkPreview, PreviewImage};
use crate::ui::LoadError;

const PRIMARY: &str = "block w-full rounded-lg bg-ring-600 px-4 py-2.5 text-center font-semibold text-white shadow-sm hover:bg-ring-700 disabled:opacity-60";
const SECONDARY: &str = "block w-full rounded-lg border border-stone-300 px-4 py-2.5 text-center font-semibold text-stone-800 hover:bg-stone-50";

/// Link-preview tags: what a chat app shows when the link is pasted. Only the inviter's
/// public handle and the platform; never the draft's title, which may be private.
#[component]
fn ShareMeta(description: String, image: Option<String>) -> impl IntoView {
    view! {
        // The code is in this page's address: it may go back to us (the join form's way back
        // with its answer) and nowhere else.
        <Meta name="referrer" content="same-origin"/>
        <Meta name="robots" content="noindex"/>
        <LinkPreview
            title="You're invited to write a thread together on OneRing"
            description
            kind="website"
            image=image.map(|url| PreviewImage { url, alt: "An invitation to write a thread together on OneRing".to_owned() })
        />
    }
}

#[component]
pub fn ReferPage() -> impl IntoView {
    let params = use_params_map();
    let code = Memo::new(move |_| params.with(|p| p.get("code")));
    let preview = Resource::new(move || code.get(), preview_invite);
    let accept = ServerAction::<AcceptInvite>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(acceptance)) = accept.value().get() {
            navigate(&draft_path(&acceptance.draft_id), Default::default());
        }
    });
    view! {
        <Title text="You're invited · OneRing"/>
        <Transition fallback=|| view! { <p class="mx-auto max-w-lg px-4 py-12 text-stone-500">"Opening your invite…"</p> }>
            {move || Suspend::new(async move {
                match preview.await {
                    Ok(preview) => view! { <InviteCard preview accept/> }.into_any(),
                    Err(AppError::InviteUnavailable) => view! { <InviteUnavailable/> }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn InviteCard(preview: InvitePreview, accept: ServerAction<AcceptInvite>) -> impl IntoView {
    let platform = preview.platform.label();
    let description = format!(
        "@{} invited you to write a {platform} thread together. Join to add the next post.",
        preview.inviter_handle
    );
    let people = match preview.collaborator_count {
        1 => "1 person writing".to_owned(),
        n => format!("{n} people writing"),
    };
    let error = action_error(accept.value());
    let title = preview.draft_title.clone();
    let (button, note) = match preview.visitor {
        Visitor::Invitee => (Some(format!("Join “{title}”")), None),
        Visitor::Member => (
            Some("Open the draft".to_owned()),
            Some("You're already on this draft."),
        ),
        Visitor::Owner => (
            Some("Back to your draft".to_owned()),
            Some("This is your own invite link: there's nothing for you to join. Send it to the person you're inviting."),
        ),
        Visitor::SignedOut => (None, None),
    };
    let image = preview.image_url.clone();
    view! {
        <ShareMeta description image/>
        <div class="mx-auto max-w-lg px-4 py-12 sm:py-16">
            <div class="rounded-2xl border border-stone-200 bg-white p-6 shadow-sm sm:p-8">
                <p class="text-sm font-medium text-ring-700">"@" {preview.inviter_handle.clone()} " invited you to write together"</p>
                <h1 class="mt-2 text-2xl font-bold tracking-tight" id="invite-title">{title}</h1>
                <p class="mt-2 text-stone-600">{platform} " thread · " {people} " · you'd join as " {preview.role.as_str()}</p>
                <p class="mt-4 text-sm text-stone-600">
                    "On OneRing one person holds the ring and writes the next post, then passes it on. Everyone's part is credited."
                </p>
                {note.map(|n| view! { <p class="mt-4 rounded-lg bg-ring-50 px-3 py-2 text-sm text-ring-800" id="invite-note">{n}</p> })}
                <div class="mt-6 space-y-3">
                    {match button {
                        // A form that works before and without JavaScript: the code comes from
                        // the cookie this page's visit set, never from the page.
                        Some(label) => view! {
                            <ActionForm action=accept>
                                <IdempotencyKey completed=accept.version()/>
                                <button type="submit" id="join" class=PRIMARY disabled=move || accept.pending().get()>
                                    {move || if accept.pending().get() { "Joining…".to_owned() } else { label.clone() }}
                                </button>
                            </ActionForm>
                        }.into_any(),
                        None => view! {
                            <A href="/signup?next=/refer" attr:class=PRIMARY attr:id="join-sign-up">"Create an account to join"</A>
                            <A href="/signin?next=/refer" attr:class=SECONDARY attr:id="join-sign-in">"I already have an account"</A>
                        }.into_any(),
                    }}
                    <FormAlert message=error/>
                </div>
            </div>
        </div>
    }
}

/// One page for unknown, expired, revoked and used-up codes: a stranger learns nothing
/// about which it was (the owner's list says).
#[component]
fn InviteUnavailable() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <ShareMeta description="Write threads together, one post at a time.".to_owned() image=None/>
        <div class="mx-auto max-w-lg px-4 py-16 text-center" id="invite-unavailable">
            <h1 class="text-2xl font-bold tracking-tight">"This invite link isn't active"</h1>
            <p class="mt-3 text-stone-600">
                "Invite links work a set number of times and for a limited time, and their owner can withdraw them. "
                "Ask the person who shared it to send you a fresh one. Nothing is wrong on your side."
            </p>
            <A href="/" attr:class="tap mt-8 inline-block rounded-lg bg-ring-600 px-4 py-2.5 font-semibold text-white hover:bg-ring-700">"Go to OneRing"</A>
        </div>
    }
}
