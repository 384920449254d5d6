//! `/insights`: my own numbers for the last 7 or 30 days, my segments per day, and the
//! community's supportive boards. The window is a link (`?window=7|30`), so everything works
//! without JavaScript. The boards thank people for what they gave; nobody's rank is shown
//! to anyone but themselves, and only when they are in a board's top 10.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::api::{get_leaderboards, get_my_insights};
use super::draft_page::Stat;
use super::types::{Board, Leaderboard, Leaderboards, MyInsights};
use crate::auth::SignedIn;
use crate::ui::chart::{DaySeries, StackedDays};
use crate::ui::style::CARD;
use crate::ui::LoadError;

#[component]
pub fn InsightsPage() -> impl IntoView {
    view! {
        <Title text="Insights · OneRing"/>
        <SignedIn loading="Gathering your numbers…">
            <MyPage/>
        </SignedIn>
    }
}

#[component]
fn MyPage() -> impl IntoView {
    let query = use_query_map();
    let window = Memo::new(move |_| {
        query.with(|q| match q.get("window").as_deref() {
            Some("30") => 30,
            _ => 7,
        })
    });
    let now = Memo::new(move |_| query.with(|q| q.get("now")));
    let mine = Resource::new(move || now.get(), get_my_insights);
    let boards = Resource::new(move || now.get(), get_leaderboards);
    view! {
        <div class="mx-auto max-w-5xl px-4 py-8">
            <h1 class="text-2xl font-bold tracking-tight">"Your insights"</h1>
            <p class="mt-1 text-stone-600">"What you put in, and who you wrote with. Numbers about effort and teamwork, never followers or likes."</p>
            <nav class="mt-4 flex gap-2" aria-label="Window">
                {[(7, "Last 7 days"), (30, "Last 30 days")].into_iter().map(|(days, label)| view! {
                    <A
                        href=format!("/insights?window={days}")
                        attr:class=move || if window.get() == days {
                            "tap rounded-full bg-ring-700 px-4 py-2 text-sm font-semibold text-white"
                        } else {
                            "tap rounded-full border border-stone-300 bg-white px-4 py-2 text-sm font-medium text-stone-800 hover:bg-stone-50"
                        }
                        attr:aria-current=move || (window.get() == days).then_some("page")
                    >{label}</A>
                }).collect_view()}
            </nav>
            <Transition fallback=|| view! { <p class="mt-6 text-stone-600">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match mine.await {
                        Ok(insights) => view! { <Numbers insights window=window.get()/> }.into_any(),
                        Err(error) => view! { <LoadError error/> }.into_any(),
                    }
                })}
            </Transition>
            <Transition fallback=|| view! { <p class="mt-6 text-stone-600">"Loading the boards…"</p> }>
                {move || Suspend::new(async move {
                    match boards.await {
                        Ok(boards) => view! { <Boards boards window=window.get()/> }.into_any(),
                        Err(error) => view! { <LoadError error/> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn Numbers(insights: MyInsights, window: i64) -> impl IntoView {
    let n = if window == 30 {
        insights.month
    } else {
        insights.week
    };
    let series: Vec<DaySeries> = insights
        .activity
        .series
        .iter()
        .map(|s| DaySeries {
            name: "Your segments".to_owned(),
            values: s.counts.clone(),
        })
        .collect();
    view! {
        <dl class="mt-6 grid grid-cols-2 gap-3 sm:grid-cols-3" id="my-numbers">
            <Stat label="Segments written" value=n.segments.to_string()/>
            <Stat label="Drafts started" value=n.drafts_started.to_string()/>
            <Stat label="Active days" value=n.active_days.to_string()/>
            <Stat label="Ring passes given" value=n.passes_given.to_string()/>
            <Stat label="Ring passes received" value=n.passes_received.to_string()/>
            <Stat label="People you wrote with" value=n.collaborators.to_string()/>
        </dl>
        <section class=format!("{CARD} mt-6") aria-labelledby="my-activity-heading">
            <h2 id="my-activity-heading" class="text-lg font-semibold">"Your segments per day, last 30 days"</h2>
            <StackedDays days=insights.activity.days.clone() series unit="segment" label="Your segments per day over the last 30 days".to_owned()/>
        </section>
    }
}

#[component]
fn Boards(boards: Leaderboards, window: i64) -> impl IntoView {
    let shown = boards.i_am_shown;
    let selected: Vec<Leaderboard> = boards
        .boards
        .into_iter()
        .filter(|b| b.days == window || b.board == Board::Momentum)
        .collect();
    view! {
        <section class="mt-8" aria-labelledby="boards-heading">
            <h2 id="boards-heading" class="text-xl font-bold tracking-tight">"Thank-you boards"</h2>
            <p class="mt-1 text-stone-600">
                "The people who lifted the community " {if window == 30 { "this month" } else { "this week" }} ". "
                {if shown {
                    "You appear here when you are in a board's top 10; you can leave the boards in "
                } else {
                    "You chose not to appear on the boards; you can change that in "
                }}
                <A href="/account#leaderboards" attr:class="font-medium text-ring-800 underline">"your account settings"</A> "."
            </p>
            <div class="mt-4 grid grid-cols-1 gap-6 md:grid-cols-2">
                {selected.into_iter().map(|board| view! { <BoardCard board/> }).collect_view()}
            </div>
        </section>
    }
}

#[component]
fn BoardCard(board: Leaderboard) -> impl IntoView {
    let (explain, quiet) = match board.board {
        Board::Collaboration => (
            "Ring passes given, plus drafts co-written with someone else.",
            "Quiet so far. The first pass of the ring starts this board.",
        ),
        Board::Consistency => (
            "Days with a segment written or the ring passed.",
            "Quiet so far. The first segment starts this board.",
        ),
        Board::Momentum => (
            "Effort over the last 30 days, recent work counting most (never views or likes).",
            "Quiet so far. The first segment starts this board.",
        ),
    };
    let id = format!(
        "board-{}-{}",
        board.board.title().to_lowercase(),
        board.days
    );
    view! {
        <section class=CARD aria-labelledby=format!("{id}-heading") id=id.clone()>
            <h3 id=format!("{id}-heading") class="text-lg font-semibold">{board.board.title()}</h3>
            <p class="text-sm text-stone-600">{explain}</p>
            {if board.entries.is_empty() {
                view! { <p class="mt-4 text-stone-700">{quiet}</p> }.into_any()
            } else {
                view! {
                    <ol class="mt-3 divide-y divide-stone-100">
                        {board.entries.iter().map(|entry| {
                            let mine = board.my_rank == Some(entry.rank);
                            view! {
                                <li class=if mine { "flex items-baseline gap-3 rounded-lg bg-ring-50 px-2 py-2" } else { "flex items-baseline gap-3 px-2 py-2" }>
                                    <span class="w-6 shrink-0 text-right text-sm font-semibold text-stone-600">{entry.rank}</span>
                                    <span class="min-w-0">
                                        <span class="font-medium">"@" {entry.person.handle.clone()} {mine.then_some(" (you)")}</span>
                                        <span class="block text-sm text-stone-600">{entry.thanks.clone()}</span>
                                    </span>
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
            {board.my_thanks.map(|thanks| view! {
                <p class="mt-3 text-sm text-stone-700">"You " {thanks} ". Thank you."</p>
            })}
        </section>
    }
}
