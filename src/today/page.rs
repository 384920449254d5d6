//! `/today`: the daily loop. Today's challenge, my streak, my momentum (a 30-day graph
//! drawn on the server, with its summary in words), my badge, and the coach: suggestions
//! from my drafts, each with its reason, and a box to ask it something.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::api::{get_today, AskCoach};
use super::card_dialog::ShareMyCardButton;
use super::types::{Archetype, Challenge, Coach, CoachReply, Momentum, Streak, Support, TodayView};
use crate::analytics::momentum;
use crate::auth::SignedIn;
use crate::drafts::CreateDraftDialog;
use crate::settings::api::SetTimeZone;
use crate::ui::browser::device_time_zone;
use crate::ui::chart::LineDays;
use crate::ui::form::{field_error, IdempotencyKey};
use crate::ui::style::{CARD, QUIET_BUTTON};
use crate::ui::LoadError;

const PRIMARY: &str =
    "rounded-lg bg-ring-700 px-4 py-2 font-semibold text-white shadow-sm hover:bg-ring-800";

#[component]
pub fn TodayPage() -> impl IntoView {
    view! {
        <Title text="Today · OneRing"/>
        <SignedIn loading="Getting today ready…">
            <Today/>
        </SignedIn>
    }
}

#[component]
fn Today() -> impl IntoView {
    let query = use_query_map();
    let now = Memo::new(move |_| query.with(|q| q.get("now")));
    let zone = ServerAction::<SetTimeZone>::new();
    let today = Resource::new(
        move || (now.get(), zone.version().get()),
        |(now, _)| get_today(now),
    );
    view! {
        <div class="mx-auto max-w-5xl px-4 py-8">
            <Transition fallback=|| view! { <p class="text-stone-600">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match today.await {
                        Ok(view) => view! { <Day view zone/> }.into_any(),
                        Err(error) => view! { <LoadError error/> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn Day(view: TodayView, zone: ServerAction<SetTimeZone>) -> impl IntoView {
    let TodayView {
        handle,
        date_label,
        time_zone,
        challenge,
        streak,
        momentum,
        archetype,
        coach,
        profile_private,
        ..
    } = view;
    view! {
        <header class="flex flex-wrap items-end justify-between gap-3">
            <div>
                <h1 class="text-2xl font-bold tracking-tight">"Today"</h1>
                <p class="text-stone-700" id="today-date">{date_label}</p>
            </div>
            <p class="text-sm text-stone-600">
                "Your days follow " <span id="today-zone">{time_zone.clone()}</span> " · "
                <A href="/account#time-zone" attr:class="font-medium text-ring-800 underline">"change"</A>
            </p>
        </header>
        <DeviceZone current=time_zone action=zone/>
        <div class="mt-6 grid grid-cols-1 gap-6 md:grid-cols-2">
            <ChallengeCard challenge/>
            <StreakCard streak/>
        </div>
        <MomentumCard momentum/>
        <div class="mt-6 grid grid-cols-1 gap-6 md:grid-cols-5">
            <div class="md:col-span-3"><CoachCard coach/></div>
            <div class="md:col-span-2"><BadgeCard archetype handle profile_private/></div>
        </div>
    }
}

/// Offers this device's zone when it differs from the saved one (a browser knows its zone;
/// the server never guesses).
#[component]
fn DeviceZone(current: String, action: ServerAction<SetTimeZone>) -> impl IntoView {
    let device = RwSignal::new(None::<String>);
    Effect::new(move |_| device.set(device_time_zone()));
    move || {
        device.get().filter(|d| *d != current).map(|d| view! {
            <ActionForm action attr:class="mt-4 flex flex-wrap items-center gap-3 rounded-xl border border-ring-200 bg-ring-50 p-3 text-sm" attr:id="device-zone">
                <IdempotencyKey completed=action.version()/>
                <input type="hidden" name="time_zone" value=d.clone()/>
                <span>"This device is set to " <strong>{d.clone()}</strong> ". Use it for your days?"</span>
                <button type="submit" class=QUIET_BUTTON id="use-device-zone">"Use " {d.clone()}</button>
            </ActionForm>
        })
    }
}

#[component]
fn ChallengeCard(challenge: Challenge) -> impl IntoView {
    // Part of the address (`?start=1`), so the link opens it without a script too.
    let query = leptos_router::hooks::use_query_map();
    let creating = Memo::new(move |_| query.with(|q| q.get("start").is_some()));
    let prompt = challenge.prompt.clone();
    view! {
        <section class=CARD aria-labelledby="challenge-heading" id="challenge">
            <h2 id="challenge-heading" class="text-sm font-semibold uppercase tracking-wide text-ring-800">
                "Today's challenge"
            </h2>
            <p class="mt-2 text-lg font-semibold text-stone-900" id="challenge-prompt">{challenge.prompt.clone()}</p>
            <p class="mt-1 text-sm text-stone-600">"Challenge " {challenge.number} " of " {challenge.of} ": everyone whose calendar says today gets this one."</p>
            <leptos_router::components::A href="/today?start=1" attr:class=format!("tap {PRIMARY} mt-4 inline-block") attr:id="start-from-challenge">
                "Start a draft from this"
            </leptos_router::components::A>
            <Show when=move || creating.get()>
                <CreateDraftDialog close_href="/today" opener="start-from-challenge" hint=prompt.clone()/>
            </Show>
        </section>
    }
}

#[component]
fn StreakCard(streak: Streak) -> impl IntoView {
    view! {
        <section class=CARD aria-labelledby="streak-heading" id="streak">
            <h2 id="streak-heading" class="text-sm font-semibold uppercase tracking-wide text-ring-800">"Streak"</h2>
            <p class="mt-2 text-3xl font-bold text-stone-900" id="streak-headline">{streak.headline}</p>
            <p class="mt-1 text-stone-700" id="streak-detail">{streak.detail}</p>
            <dl class="mt-4 flex flex-wrap gap-x-6 gap-y-1 text-sm text-stone-700">
                <div><dt class="inline">"Longest: "</dt><dd class="inline font-semibold" id="streak-longest">{crate::ui::format::count(streak.longest, "day")}</dd></div>
                <div><dt class="inline">"Rest days used: "</dt><dd class="inline font-semibold">{streak.rest_days_used}</dd></div>
            </dl>
            <p class="mt-3 text-sm text-stone-600">"Rest days: one missed day in any 7 doesn't break a streak. A day counts when you write a segment in any draft."</p>
        </section>
    }
}

#[component]
fn MomentumCard(momentum: Momentum) -> impl IntoView {
    let values: Vec<f64> = momentum.values.iter().map(|v| *v as f64).collect();
    view! {
        <section class=format!("{CARD} mt-6") aria-labelledby="momentum-heading" id="momentum">
            <div class="flex flex-wrap items-baseline justify-between gap-2">
                <h2 id="momentum-heading" class="text-sm font-semibold uppercase tracking-wide text-ring-800">"Momentum"</h2>
                <p class="text-3xl font-bold text-stone-900" id="momentum-score">{momentum.score}</p>
            </div>
            <p class="mt-1 text-stone-700" id="momentum-summary">{momentum.summary.clone()}</p>
            <LineDays days=momentum.days.clone() values label=momentum.summary/>
            <details class="mt-4 text-sm text-stone-700">
                <summary class="cursor-pointer font-medium text-stone-900">"How momentum is counted"</summary>
                <p class="mt-2">
                    "Each hour you write earns points: " {momentum::SEGMENT_POINTS} " for each segment and " {momentum::PASS_POINTS}
                    " for each time you pass the ring (up to " {momentum::PER_HOUR_CAP} " of each an hour), and 1 for every "
                    {momentum::CHARACTERS_PER_POINT} " characters (up to " {momentum::CHARACTERS_CAP} " an hour)."
                </p>
                <p class="mt-2">
                    "Points count in full when they are new and fade in a straight line to nothing over 30 days: "
                    <code class="rounded bg-stone-100 px-1">"momentum = Σ points × (720 − hours ago) ÷ 720"</code> "."
                </p>
                <p class="mt-2">"Why: the caps keep a burst of tiny posts from outweighing steady work, and the fade rewards coming back without ever dropping you off a cliff. Views and likes never count."</p>
            </details>
        </section>
    }
}

#[component]
fn SupportNote(support: Support) -> impl IntoView {
    view! {
        <div class="mt-3 rounded-xl border border-sky-200 bg-sky-50 p-4 text-stone-800" role="note" id="coach-support">
            <p>{support.message}</p>
            {support.help.map(|help| view! {
                <p class="mt-2"><a href=help.url class="font-semibold text-sky-900 underline" rel="noopener" target="_blank">{help.label}</a></p>
            })}
        </div>
    }
}

#[component]
fn CoachCard(coach: Coach) -> impl IntoView {
    let ask = ServerAction::<AskCoach>::new();
    let invalid = field_error(ask.value(), "question");
    view! {
        <section class=CARD aria-labelledby="coach-heading" id="coach">
            <h2 id="coach-heading" class="text-sm font-semibold uppercase tracking-wide text-ring-800">"Coach"</h2>
            {coach.support.map(|support| view! { <SupportNote support/> })}
            <ol class="mt-3 space-y-4" id="coach-suggestions">
                {coach.suggestions.into_iter().map(|s| view! {
                    <li data-rule=s.rule.clone()>
                        <p class="font-medium text-stone-900">{s.text}</p>
                        <p class="mt-0.5 text-sm text-stone-600">"Why: " {s.reason}</p>
                        {s.link.map(|link| view! { <A href=link.url attr:class="tap mt-1 inline-block text-sm font-medium text-ring-800 underline">{link.label}</A> })}
                    </li>
                }).collect_view()}
            </ol>
            <ActionForm action=ask attr:class="mt-6" attr:id="ask-coach">
                <label for="coach-question" class="block text-sm font-medium text-stone-900">"Ask the coach"</label>
                <textarea
                    id="coach-question"
                    name="question"
                    rows="2"
                    maxlength="1000"
                    placeholder="How do I…?"
                    class="mt-1 block w-full rounded-lg border border-stone-300 bg-white px-3 py-2 text-base aria-[invalid=true]:border-red-500"
                    aria-invalid=move || invalid.get().is_some().to_string()
                    aria-describedby="coach-question-error"
                ></textarea>
                <p id="coach-question-error" class="mt-1 text-sm text-red-700" role="alert">{move || invalid.get()}</p>
                <button type="submit" class=format!("{QUIET_BUTTON} mt-2") disabled=move || ask.pending().get()>"Ask"</button>
            </ActionForm>
            <div aria-live="polite" id="coach-reply">
                {move || ask.value().get().and_then(Result::ok).map(|reply| view! { <Reply reply/> })}
            </div>
        </section>
    }
}

#[component]
fn Reply(reply: CoachReply) -> impl IntoView {
    view! {
        {reply.support.map(|support| view! { <SupportNote support/> })}
        {(!reply.tips.is_empty()).then(|| view! {
            <div class="mt-3 rounded-xl bg-stone-50 p-4">
                <p class="text-sm font-semibold text-stone-900">
                    {reply.topic.map_or_else(|| "Some ideas".to_owned(), |t| format!("On {t}"))}
                </p>
                <ul class="mt-2 list-disc space-y-1 pl-5 text-stone-800">
                    {reply.tips.into_iter().map(|t| view! { <li>{t}</li> }).collect_view()}
                </ul>
            </div>
        })}
    }
}

#[component]
fn BadgeCard(archetype: Archetype, handle: String, profile_private: bool) -> impl IntoView {
    let profile = format!("/u/{}", crate::ui::nav::encode_segment(&handle));
    view! {
        <section class=CARD aria-labelledby="badge-heading" id="badge">
            <h2 id="badge-heading" class="text-sm font-semibold uppercase tracking-wide text-ring-800">"Your badge"</h2>
            <p class="mt-2 text-2xl font-bold text-stone-900" id="badge-label">
                <span aria-hidden="true">{archetype.kind.symbol()} " "</span>{archetype.label}
            </p>
            <p class="mt-1 text-stone-700" id="badge-why">{archetype.why}</p>
            <div class="mt-4 flex flex-wrap gap-2">
                <ShareMyCardButton handle=handle.clone()/>
                <A href=profile attr:class=QUIET_BUTTON attr:id="open-profile">"Your profile"</A>
            </div>
            {profile_private.then(|| view! {
                <p class="mt-2 text-sm text-stone-600">"Your profile is private; only you can see it."</p>
            })}
        </section>
    }
}
