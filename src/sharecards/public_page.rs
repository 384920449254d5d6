//! `/c/<slug>`: a shared card for anyone, with link-preview tags, the contributors, the
//! numbers, the thread when its owner shows it, and a way in that fits the visitor. An
//! unknown slug, or one whose sharing was turned off, is the same 404.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::api::{get_public_card, CardCopied};
use super::types::{PublicCard, ShareCard};
use crate::error::AppError;
use crate::ui::browser::copy_to_clipboard;
use crate::ui::preview::{LinkPreview, PreviewImage};
use crate::ui::style::{CARD, QUIET_BUTTON};
use crate::ui::LoadError;

#[component]
pub fn PublicCardPage() -> impl IntoView {
    let params = use_params_map();
    let slug = Memo::new(move |_| params.with(|p| p.get("slug").unwrap_or_default()));
    let card = Resource::new(move || slug.get(), |slug| get_public_card(slug, None));
    view! {
        <Transition fallback=|| view! { <p class="mx-auto max-w-3xl px-4 py-10 text-stone-600">"Opening the card…"</p> }>
            {move || Suspend::new(async move {
                match card.await {
                    Ok(public) => view! { <Card public/> }.into_any(),
                    Err(AppError::NotFound) => view! { <crate::ui::NotFound/> }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The numbers, as the card and the modal show them.
#[component]
pub(super) fn Metrics(card: ShareCard) -> impl IntoView {
    let m = card.metrics;
    let items = [
        ("Contributors", m.contributors_count.to_string()),
        ("Ring passes, 24 h", m.ring_passes_last_24h.to_string()),
        (
            "Minutes between passes",
            m.avg_minutes_between_passes
                .map_or_else(|| "—".to_owned(), |v| v.to_string()),
        ),
        ("Segments", m.segments_count.to_string()),
    ];
    view! {
        <dl class="grid grid-cols-2 gap-3 sm:grid-cols-4" id="card-metrics">
            {items.into_iter().map(|(label, value)| view! {
                <div class="rounded-xl border border-stone-200 bg-white p-3">
                    <dt class="text-xs text-stone-600">{label}</dt>
                    <dd class="text-xl font-bold">{value}</dd>
                </div>
            }).collect_view()}
        </dl>
    }
}

/// The contributors as chips: handles, the owner first.
#[component]
pub(super) fn Chips(card: ShareCard) -> impl IntoView {
    let more = card.metrics.contributors_count - card.contributors.len() as i64;
    view! {
        <ul class="flex flex-wrap gap-2" id="card-contributors">
            {card.contributors.iter().map(|p| view! {
                <li class="rounded-full bg-ring-50 px-3 py-1.5 text-sm font-medium text-ring-900">"@" {p.handle.clone()}</li>
            }).collect_view()}
            {(more > 0).then(|| view! { <li class="rounded-full bg-stone-100 px-3 py-1.5 text-sm text-stone-700">"+" {more} " more"</li> })}
        </ul>
    }
}

#[component]
fn Card(public: PublicCard) -> impl IntoView {
    let card = public.card.clone();
    let copy = ServerAction::<CardCopied>::new();
    let copied = RwSignal::new(false);
    let link = public.page_url.clone();
    let slug = link.rsplit('/').next().unwrap_or_default().to_owned();
    let copy_link = move |_| {
        copy_to_clipboard(&link);
        copied.set(true);
        copy.dispatch(CardCopied {
            slug: Some(slug.clone()),
            draft_id: None,
        });
    };
    let image_alt = format!("{} — {}", card.title, card.subtitle);
    view! {
        <Title text=format!("{} · OneRing", card.title)/>
        <LinkPreview
            title=card.title.clone()
            description=card.subtitle.clone()
            kind="article"
            url=public.page_url.clone()
            image=public.image_url.clone().map(|url| PreviewImage { url, alt: image_alt.clone() })
        />
        <article class="mx-auto max-w-3xl px-4 py-8">
            {public.image_url.clone().map(|url| view! {
                <img src=url alt=image_alt.clone() width="1200" height="630" class="h-auto w-full rounded-2xl shadow-sm" id="card-image"/>
            })}
            <p class="mt-6 text-sm font-medium text-ring-800">{card.top_line.clone()}</p>
            <h1 class="mt-1 text-3xl font-bold tracking-tight" id="card-title">{card.title.clone()}</h1>
            <p class="mt-2 text-stone-700">{card.subtitle.clone()}</p>
            <div class="mt-5"><Chips card=card.clone()/></div>
            <div class="mt-5"><Metrics card=card.clone()/></div>
            {card.thread.clone().map(|thread| view! {
                <section class=format!("{CARD} mt-6") aria-labelledby="thread-heading">
                    <h2 id="thread-heading" class="text-lg font-semibold">"The thread"</h2>
                    <ol class="mt-3 space-y-3" id="card-thread">
                        {thread.into_iter().map(|s| view! {
                            <li class="whitespace-pre-wrap wrap-anywhere">
                                <span class="block text-xs font-semibold text-stone-600">"@" {s.author}</span>
                                {s.text}
                            </li>
                        }).collect_view()}
                    </ol>
                </section>
            })}
            <div class="mt-8 flex flex-wrap items-center gap-3">
                <A href=card.cta.url.clone() attr:class="tap rounded-lg bg-ring-700 px-5 py-3 font-semibold text-white hover:bg-ring-800" attr:id="card-cta">{card.cta.label.clone()}</A>
                <button type="button" class=QUIET_BUTTON id="copy-card-link" on:click=copy_link>
                    {move || if copied.get() { "Link copied" } else { "Copy link" }}
                </button>
            </div>
        </article>
    }
}
