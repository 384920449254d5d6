//! The draft page's "Publish" panel (its owner only): pick a connected account and a time,
//! see which segments do not fit that network (and let OneRing split them), look at the
//! posts one last time, publish or schedule; then each post's state and link, with a retry
//! for a thread that stopped and a cancel for one that waits.

use leptos::prelude::*;
use leptos_router::components::A;

use super::api::{draft_publications, my_connections, Cancel, Publish, Retry};
use super::split::{reflow, too_long};
use super::types::{Connection, Network, Publication};
use crate::ui::browser::loaded;
use crate::ui::form::{action_error, FormAlert, IdempotencyKey};
use crate::ui::style::{CARD, QUIET_BUTTON};

const PRIMARY: &str = "rounded-lg bg-ring-700 px-4 py-2 font-semibold text-white hover:bg-ring-800 disabled:opacity-60";

#[component]
pub fn PublishPanel(
    draft_id: String,
    /// The draft's segments as they are now (the panel's checks and preview follow them).
    #[prop(into)]
    segments: Signal<Vec<String>>,
) -> impl IntoView {
    let publish = ServerAction::<Publish>::new();
    let retry = ServerAction::<Retry>::new();
    let cancel = ServerAction::<Cancel>::new();
    // Loaded in the browser, after the page: the draft page's first byte does not wait for
    // the owner's side panels.
    let connections = LocalResource::new(my_connections);
    let target = draft_id.clone();
    let publications = LocalResource::new(move || {
        let _ = (
            publish.version().get(),
            retry.version().get(),
            cancel.version().get(),
        );
        draft_publications(target.clone())
    });
    // While a thread is going out, look again every two seconds; while one waits for its
    // time, look again when it is due. One timer at a time: a new list replaces the old one's.
    #[cfg(feature = "hydrate")]
    Effect::new(move |previous: Option<Option<TimeoutHandle>>| {
        if let Some(Some(handle)) = previous {
            handle.clear();
        }
        let now = crate::ui::browser::device_now_ms()?;
        let list = publications.get().and_then(Result::ok)?;
        let delay_ms = next_look_in_ms(&list, now)?;
        set_timeout_with_handle(
            move || publications.refetch(),
            std::time::Duration::from_millis(delay_ms),
        )
        .ok()
    });
    let draft_id = StoredValue::new(draft_id);
    view! {
        <section class=CARD aria-labelledby="publish-heading" id="publish-panel">
            <h2 id="publish-heading" class="text-lg font-semibold">"Publish"</h2>
            // Plain reactive blocks, not <Transition>s, reading nothing on the server: the
            // server renders "Loading…" and the browser hydrates that same markup.
            {move || match loaded(connections) {
                None => view! { <p class="mt-2 text-sm text-stone-700">"Loading…"</p> }.into_any(),
                Some(Ok(found)) if !found.enabled => view! {
                    <p class="mt-2 text-sm text-stone-700">"Publishing is not available on this server."</p>
                }.into_any(),
                Some(Ok(found)) if found.connections.iter().all(|c| c.status != "active") => view! {
                    <p class="mt-2 text-sm text-stone-700">"Connect a Bluesky, Mastodon or X account to publish this thread there."</p>
                    <A href="/account/connections" attr:class=format!("tap mt-2 inline-block {QUIET_BUTTON}") attr:id="connect-an-account">"Connect an account"</A>
                }.into_any(),
                Some(Ok(found)) => {
                    let active: Vec<Connection> = found.connections.into_iter().filter(|c| c.status == "active").collect();
                    view! { <PublishForm draft_id=draft_id.get_value() connections=active segments action=publish/> }.into_any()
                }
                Some(Err(_)) => view! { <p class="mt-2 text-sm text-stone-700">"Your accounts could not be loaded."</p> }.into_any(),
            }}
            {move || loaded(publications).and_then(Result::ok).map(|list| view! { <History list retry cancel/> })}
        </section>
    }
}

#[component]
fn PublishForm(
    draft_id: String,
    connections: Vec<Connection>,
    segments: Signal<Vec<String>>,
    action: ServerAction<Publish>,
) -> impl IntoView {
    let networks: Vec<(String, Network)> = connections
        .iter()
        .map(|c| (c.id.clone(), c.network))
        .collect();
    let chosen = RwSignal::new(
        connections
            .first()
            .map(|c| c.id.clone())
            .unwrap_or_default(),
    );
    let network = Signal::derive(move || {
        let id = chosen.get();
        networks
            .iter()
            .find(|(c, _)| *c == id)
            .map_or(Network::Bluesky, |(_, n)| *n)
    });
    let split = RwSignal::new(false);
    let long = Memo::new(move |_| {
        segments.with(|s| {
            too_long(
                &s.iter().map(String::as_str).collect::<Vec<_>>(),
                network.get().platform(),
            )
        })
    });
    let posts = Memo::new(move |_| {
        segments.with(|s| {
            reflow(
                &s.iter().map(String::as_str).collect::<Vec<_>>(),
                network.get().platform(),
            )
        })
    });
    let error = action_error(action.value());
    view! {
        <ActionForm action attr:class="mt-3 space-y-3" attr:id="publish-form">
            <IdempotencyKey completed=action.version()/>
            <input type="hidden" name="draft_id" value=draft_id/>
            <div>
                <label for="publish-account" class="block text-sm font-medium text-stone-800">"Account"</label>
                <select id="publish-account" name="connection_id" class="mt-1 block w-full rounded-lg border border-stone-300 bg-white px-3 py-2"
                    on:change=move |ev| chosen.set(event_target_value(&ev))>
                    {connections.into_iter().map(|c| view! {
                        <option value=c.id.clone()>{c.network.label()} " · " {c.account}</option>
                    }).collect_view()}
                </select>
            </div>
            <div>
                <label for="publish-at" class="block text-sm font-medium text-stone-800">"Schedule for (your time; empty: now)"</label>
                <input id="publish-at" name="at" type="datetime-local" class="mt-1 block w-full rounded-lg border border-stone-300 bg-white px-3 py-2"/>
            </div>
            {move || {
                let long = long.get();
                (!long.is_empty()).then(|| {
                    let list = long.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
                    view! {
                        <div class="rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900" id="too-long">
                            <p>"Segment " {list} " " {if long.len() == 1 { "is" } else { "are" }} " too long for " {network.get().label()} "."</p>
                            <label class="mt-2 flex min-h-11 items-center gap-2">
                                <input type="checkbox" name="reflow" value="true" id="reflow" prop:checked=move || split.get()
                                    on:change=move |ev| split.set(event_target_checked(&ev))/>
                                "Split them into posts that fit (each on its own; nobody's words are joined)"
                            </label>
                        </div>
                    }
                })
            }}
            <details>
                <summary class="cursor-pointer text-sm font-medium text-ring-800">
                    {move || format!("Preview the {} posts", posts.with(Vec::len))}
                </summary>
                <ol class="mt-2 space-y-2 text-sm" id="publish-preview">
                    {move || posts.get().into_iter().enumerate().map(|(i, post)| view! {
                        <li class="whitespace-pre-wrap wrap-anywhere rounded-lg bg-stone-50 p-2">
                            <span class="font-semibold">{i + 1} ". "</span>{post}
                        </li>
                    }).collect_view()}
                </ol>
            </details>
            <button type="submit" id="publish" class=PRIMARY disabled=move || action.pending().get()>
                {move || if action.pending().get() { "Sending…" } else { "Publish" }}
            </button>
            <FormAlert message=error/>
        </ActionForm>
    }
}

#[component]
fn History(
    list: Vec<Publication>,
    retry: ServerAction<Retry>,
    cancel: ServerAction<Cancel>,
) -> impl IntoView {
    let error = Signal::derive(move || {
        action_error(retry.value())
            .get()
            .or_else(|| action_error(cancel.value()).get())
    });
    (!list.is_empty()).then(|| view! {
        <h3 class="mt-5 text-sm font-semibold text-stone-800">"Published and scheduled"</h3>
        <ul class="mt-2 space-y-3" id="publications">
            {list.into_iter().map(|p| {
                let (cancel_id, retry_id) = (p.id.clone(), p.id.clone());
                let waiting = p.is_waiting();
                let failed = p.status == "failed";
                view! {
                    <li class="rounded-lg border border-stone-200 p-3 text-sm" data-status=p.status.clone()>
                        <p class="font-medium">
                            {p.network.label()} " · " {p.account.clone()} " · " {status_text(&p)}
                        </p>
                        {p.thread_url.clone().map(|url| view! {
                            <a href=url.clone() class="tap font-semibold text-ring-800 underline" rel="noopener" target="_blank" id="thread-link">"Open the thread"</a>
                        })}
                        {p.error.clone().map(|e| view! { <p class="mt-1 text-red-800 wrap-anywhere">{e}</p> })}
                        <ol class="mt-2 space-y-1">
                            {p.posts.iter().map(|post| view! {
                                <li class="flex flex-wrap items-baseline gap-x-2" data-post=post.position data-state=post.status.clone()>
                                    <span class="text-stone-700">{post.position} "."</span>
                                    {match &post.url {
                                        Some(url) => view! { <a href=url.clone() class="text-ring-800 underline" rel="noopener" target="_blank">{post_label(&post.status)}</a> }.into_any(),
                                        None => view! { <span>{post_label(&post.status)}</span> }.into_any(),
                                    }}
                                </li>
                            }).collect_view()}
                        </ol>
                        {waiting.then(|| view! {
                            <ActionForm action=cancel attr:class="mt-2">
                                <IdempotencyKey completed=cancel.version()/>
                                <input type="hidden" name="publication_id" value=cancel_id/>
                                <button type="submit" class=QUIET_BUTTON>"Cancel"</button>
                            </ActionForm>
                        })}
                        {failed.then(|| view! {
                            <ActionForm action=retry attr:class="mt-2">
                                <IdempotencyKey completed=retry.version()/>
                                <input type="hidden" name="publication_id" value=retry_id/>
                                <button type="submit" class=QUIET_BUTTON>"Try again"</button>
                            </ActionForm>
                        })}
                    </li>
                }
            }).collect_view()}
        </ul>
        <FormAlert message=error/>
    })
}

/// When to look at the list again (at `now`): soon while anything is going out, at its time
/// for the next one waiting, never when nothing will change by itself.
#[cfg(any(feature = "hydrate", test))]
fn next_look_in_ms(list: &[Publication], now: i64) -> Option<u64> {
    const SOON_MS: i64 = 2_000;
    const AT_MOST_MS: i64 = 3_600_000;
    list.iter()
        .filter_map(|p| match p.status.as_str() {
            "publishing" => Some(SOON_MS),
            "scheduled" if p.is_waiting() => {
                Some((p.run_at_ms - now + 500).clamp(SOON_MS, AT_MOST_MS))
            }
            "scheduled" => Some(SOON_MS),
            _ => None,
        })
        .min()
        .and_then(|ms| u64::try_from(ms).ok())
}

/// Whether `p` waits for a time still ahead (the device's clock; on the server, `true`).
fn waits_for_its_time(p: &Publication) -> bool {
    p.is_waiting() && crate::ui::browser::device_now_ms().is_none_or(|now| p.run_at_ms > now)
}

fn status_text(p: &Publication) -> String {
    match p.status.as_str() {
        "scheduled" if waits_for_its_time(p) => format!("scheduled for {}", p.run_at_local),
        "scheduled" | "publishing" => "going out…".to_owned(),
        "published" => "published".to_owned(),
        "cancelled" => "cancelled".to_owned(),
        _ => "stopped".to_owned(),
    }
}

fn post_label(status: &str) -> &'static str {
    match status {
        "posted" => "posted",
        "posting" => "sending…",
        "failed" => "refused",
        _ => "waiting",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn publication(status: &str, run_at_ms: i64, post_status: &str) -> Publication {
        Publication {
            id: "p".into(),
            draft_id: "d".into(),
            draft_title: "t".into(),
            network: Network::Bluesky,
            account: "@ada.test".into(),
            status: status.into(),
            run_at_ms,
            run_at_local: String::new(),
            run_at_input: String::new(),
            thread_url: None,
            error: None,
            posts: vec![super::super::types::Post {
                position: 1,
                content: "x".into(),
                status: post_status.into(),
                url: None,
                attempts: 0,
                error: None,
            }],
        }
    }

    #[test]
    fn looks_again_soon_while_a_thread_is_due_or_going_out() {
        let now = 1_000_000;
        // Due now but not yet picked up: it is about to go out.
        assert_eq!(
            next_look_in_ms(&[publication("scheduled", now, "pending")], now),
            Some(2_000)
        );
        assert_eq!(
            next_look_in_ms(&[publication("publishing", now, "posting")], now),
            Some(2_000)
        );
        assert_eq!(
            next_look_in_ms(&[publication("scheduled", now, "posted")], now),
            Some(2_000)
        );
    }

    #[test]
    fn looks_again_when_the_next_waiting_thread_is_due() {
        let now = 1_000_000;
        let later = publication("scheduled", now + 60_000, "pending");
        let much_later = publication("scheduled", now + 86_400_000, "pending");
        assert_eq!(
            next_look_in_ms(&[much_later.clone(), later], now),
            Some(60_500)
        );
        assert_eq!(next_look_in_ms(&[much_later], now), Some(3_600_000));
    }

    #[test]
    fn never_looks_again_when_nothing_changes_by_itself() {
        let now = 1_000_000;
        let done = [
            publication("published", now, "posted"),
            publication("failed", now, "failed"),
            publication("cancelled", now, "pending"),
        ];
        assert_eq!(next_look_in_ms(&done, now), None);
        assert_eq!(next_look_in_ms(&[], now), None);
    }
}
