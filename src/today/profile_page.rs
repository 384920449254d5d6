//! `/u/<handle>`: a creator's public profile. Their handle and display id, badge (with
//! why), momentum and streak, the drafts they share publicly, and since when they write
//! here; link-preview tags show their personal card. A private profile is the same 404 as
//! an unknown handle. Never an email, never a private draft.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::api::get_profile;
use super::card_dialog::ShareMyCardButton;
use super::types::Profile;
use crate::error::AppError;
use crate::ui::format::count;
use crate::ui::preview::{LinkPreview, PreviewImage};
use crate::ui::style::CARD;
use crate::ui::LoadError;

#[component]
pub fn ProfilePage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let handle = Memo::new(move |_| params.with(|p| p.get("handle").unwrap_or_default()));
    let now = Memo::new(move |_| query.with(|q| q.get("now")));
    let profile = Resource::new(
        move || (handle.get(), now.get()),
        |(handle, now)| get_profile(handle, now),
    );
    view! {
        <Transition fallback=|| view! { <p class="mx-auto max-w-3xl px-4 py-10 text-stone-600">"Opening the profile…"</p> }>
            {move || Suspend::new(async move {
                match profile.await {
                    Ok(profile) => view! { <ProfileView profile/> }.into_any(),
                    Err(AppError::NotFound) => view! { <crate::ui::NotFound/> }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ProfileView(profile: Profile) -> impl IntoView {
    let card = profile.card.clone();
    let title = format!("@{} on OneRing", card.handle);
    let description = format!(
        "{} · momentum {} · {} streak. {}",
        card.archetype.label,
        card.momentum,
        count(card.streak, "day"),
        card.archetype.why
    );
    let image = PreviewImage {
        url: profile.image_url.clone(),
        alt: format!(
            "@{}: {}, momentum {}",
            card.handle, card.archetype.label, card.momentum
        ),
    };
    view! {
        <Title text=title.clone()/>
        <LinkPreview title description kind="profile" url=profile.page_url.clone() image=Some(image.clone())/>
        <article class="mx-auto max-w-3xl px-4 py-8" id="profile">
            <img src=image.url alt=image.alt width="1200" height="630" class="h-auto w-full rounded-2xl shadow-sm" id="profile-card-image"/>
            <header class="mt-6 flex flex-wrap items-end justify-between gap-3">
                <div>
                    <h1 class="text-3xl font-bold tracking-tight" id="profile-handle">"@" {card.handle.clone()}</h1>
                    <p class="text-sm text-stone-600">{card.display_id.clone()} " · writing on OneRing since " {profile.member_since.clone()}</p>
                </div>
                {profile.is_me.then(|| view! { <ShareMyCardButton handle=card.handle.clone()/> })}
            </header>
            <section class=format!("{CARD} mt-6") aria-labelledby="profile-badge-heading">
                <h2 id="profile-badge-heading" class="text-sm font-semibold uppercase tracking-wide text-ring-800">"Badge"</h2>
                <p class="mt-1 text-2xl font-bold" id="profile-badge">
                    <span aria-hidden="true">{card.archetype.kind.symbol()} " "</span>{card.archetype.label.clone()}
                </p>
                <p class="mt-1 text-stone-700">{card.archetype.why.clone()}</p>
            </section>
            <dl class="mt-6 grid grid-cols-3 gap-3" id="profile-numbers">
                <div class="rounded-xl border border-stone-200 bg-white p-3">
                    <dt class="text-xs text-stone-600">"Momentum"</dt>
                    <dd class="text-2xl font-bold" id="profile-momentum">{card.momentum}</dd>
                </div>
                <div class="rounded-xl border border-stone-200 bg-white p-3">
                    <dt class="text-xs text-stone-600">"Streak"</dt>
                    <dd class="text-2xl font-bold" id="profile-streak">{count(card.streak, "day")}</dd>
                </div>
                <div class="rounded-xl border border-stone-200 bg-white p-3">
                    <dt class="text-xs text-stone-600">"Longest streak"</dt>
                    <dd class="text-2xl font-bold">{count(card.longest_streak, "day")}</dd>
                </div>
            </dl>
            <section class=format!("{CARD} mt-6") aria-labelledby="profile-drafts-heading">
                <h2 id="profile-drafts-heading" class="text-lg font-semibold">"Shared threads"</h2>
                {if profile.public_drafts.is_empty() {
                    view! { <p class="mt-2 text-stone-600">"Nothing shared publicly yet."</p> }.into_any()
                } else {
                    view! {
                        <ul class="mt-3 divide-y divide-stone-100" id="profile-drafts">
                            {profile.public_drafts.into_iter().map(|d| view! {
                                <li class="py-2">
                                    <A href=d.url attr:class="font-medium text-ring-800 underline">{d.title}</A>
                                    <span class="ml-2 text-sm text-stone-600">{d.platform}</span>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </section>
            <p class="mt-8 text-sm text-stone-600">"Badges, momentum and streaks come from the last 30 days of writing together. They describe effort, never popularity."</p>
        </article>
    }
}
