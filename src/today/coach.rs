//! The coach: three to five suggestions from the person's own recent drafts and activity,
//! each with the reason it was chosen. Rule-based and explainable: no model, no network.
//! The rules, most useful first:
//!
//! 1. `ring_waiting`: a draft has waited on someone else holding the ring for 2 days or
//!    more (no segment, no pass) → nudge them, or (the owner) take the ring back;
//! 2. `your_turn`: I have held the ring on a shared draft for a day or more;
//! 3. `opening_too_long`: an opening longer than its platform shows before cutting it
//!    off (or than a reader takes in at a glance);
//! 4. `no_question`: a thread of 3 or more segments that asks its readers nothing;
//! 5. `waiting_for_a_second`: a draft with only its opening, untouched for 3 days;
//! 6. `invite_someone`: a draft of mine with 2 or more segments and nobody else on it;
//! 7. `warm_up`: no segment for 7 days or more;
//!
//! then, when fewer than three fired, evergreen suggestions (today's challenge, a first
//! draft, reading a thread aloud). At most two suggestions come from one rule.
//!
//! A draft whose title the harmful-text guard flags is never named: "one of your drafts".

use super::guard::concern_in;
use super::types::{Challenge, Coach, Link, Suggestion};
use crate::clock::DAY_MS;
use crate::drafts::model::Platform;
use crate::ui::nav::draft_path;

/// The most suggestions shown, and the fewest.
pub const MOST: usize = 5;
pub const FEWEST: usize = 3;

/// A draft as the coach sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftFacts {
    pub id: String,
    pub title: String,
    pub platform: Platform,
    pub i_own_it: bool,
    pub i_hold_the_ring: bool,
    pub holder_handle: String,
    /// Everyone on the draft, me included.
    pub people: i64,
    pub segments: i64,
    /// Segments with a question mark.
    pub questions: i64,
    pub opening: Option<String>,
    /// When the ring last moved (or the draft was created).
    pub ring_moved_at: i64,
    pub last_segment_at: Option<i64>,
}

impl DraftFacts {
    /// When anything last happened on the draft: a segment or the ring moving.
    fn last_activity(&self) -> i64 {
        self.ring_moved_at.max(self.last_segment_at.unwrap_or(0))
    }

    fn name(&self) -> String {
        if concern_in(&self.title).is_some() {
            "one of your drafts".to_owned()
        } else {
            format!("“{}”", self.title)
        }
    }

    fn link(&self) -> Option<Link> {
        Some(Link {
            label: "Open the draft".to_owned(),
            url: draft_path(&self.id),
        })
    }
}

/// What the coach reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoachFacts {
    /// My drafts that are not archived, most recently changed first.
    pub drafts: Vec<DraftFacts>,
    /// When I last wrote a segment.
    pub last_segment_at: Option<i64>,
    pub challenge: Challenge,
}

/// How long an opening may be before readers stop, per platform: what the platform shows
/// before a "see more" cut, or what reads in a glance where there is no cut.
pub fn ideal_opening(platform: Platform) -> usize {
    match platform {
        Platform::X => 200,
        Platform::Bluesky => 200,
        Platform::Threads => 250,
        Platform::Mastodon => 300,
        // LinkedIn shows about 210 characters before "…see more".
        Platform::Linkedin => 210,
    }
}

/// A rule: a suggestion for a draft at `now`, when it applies.
type Rule = fn(&DraftFacts, i64) -> Option<Suggestion>;

/// The per-draft rules, most useful first.
const RULES: [Rule; 6] = [
    ring_waiting,
    your_turn,
    opening_too_long,
    no_question,
    waiting_for_a_second,
    invite_someone,
];

fn days(ms: i64) -> i64 {
    ms / DAY_MS
}

/// The suggestions for `facts` at `now`.
pub fn suggestions(facts: &CoachFacts, now: i64) -> Vec<Suggestion> {
    let mut fired: Vec<Suggestion> = Vec::new();
    for rule in RULES {
        fired.extend(facts.drafts.iter().filter_map(|d| rule(d, now)).take(2));
    }
    if let Some(quiet) = facts
        .last_segment_at
        .filter(|last| now - last >= 7 * DAY_MS)
    {
        fired.push(Suggestion {
            rule: "warm_up".to_owned(),
            text:
                "Warm up with a single sentence today: today's challenge is a good place to start."
                    .to_owned(),
            reason: format!(
                "Your last segment was {} days ago; one sentence is enough to get going again.",
                days(now - quiet)
            ),
            link: None,
        });
    }
    fired.truncate(MOST);
    for filler in evergreen(facts) {
        if fired.len() >= FEWEST {
            break;
        }
        fired.push(filler);
    }
    fired
}

/// The coach's card.
pub fn coach(facts: &CoachFacts, recent_writing: &[String], now: i64) -> Coach {
    Coach {
        support: super::guard::concern_in_any(recent_writing.iter().map(String::as_str))
            .map(|concern| super::guard::support_for(concern, true)),
        suggestions: suggestions(facts, now),
    }
}

fn ring_waiting(d: &DraftFacts, now: i64) -> Option<Suggestion> {
    let waiting = now - d.last_activity();
    (!d.i_hold_the_ring && d.people > 1 && waiting >= 2 * DAY_MS).then(|| {
        let holder = &d.holder_handle;
        Suggestion {
            rule: "ring_waiting".to_owned(),
            text: if d.i_own_it {
                format!("{} has been waiting on @{holder} for {} days: nudge them, or take the ring back.", d.name(), days(waiting))
            } else {
                format!("{} has been waiting on @{holder} for {} days: a friendly nudge may help.", d.name(), days(waiting))
            },
            reason: format!("Nothing has been written or passed on it for {} days while @{holder} holds the ring.", days(waiting)),
            link: d.link(),
        }
    })
}

fn your_turn(d: &DraftFacts, now: i64) -> Option<Suggestion> {
    let held = now - d.last_activity();
    (d.i_hold_the_ring && d.people > 1 && held >= DAY_MS).then(|| Suggestion {
        rule: "your_turn".to_owned(),
        text: format!(
            "It's your turn on {}: add a segment, or pass the ring on.",
            d.name()
        ),
        reason: format!(
            "You have held the ring for {} and your co-writers can't add until you pass it.",
            if held >= 2 * DAY_MS {
                format!("{} days", days(held))
            } else {
                "a day".to_owned()
            }
        ),
        link: d.link(),
    })
}

fn opening_too_long(d: &DraftFacts, _now: i64) -> Option<Suggestion> {
    let opening = d.opening.as_deref()?;
    let length = d.platform.count(opening);
    let ideal = ideal_opening(d.platform);
    (length > ideal).then(|| Suggestion {
        rule: "opening_too_long".to_owned(),
        text: format!("Tighten the opening of {}: one idea, under {ideal} characters.", d.name()),
        reason: format!(
            "Its opening is {length} characters; on {} readers decide from the first {ideal} or so.",
            d.platform.label()
        ),
        link: d.link(),
    })
}

fn no_question(d: &DraftFacts, _now: i64) -> Option<Suggestion> {
    (d.segments >= 3 && d.questions == 0).then(|| Suggestion {
        rule: "no_question".to_owned(),
        text: format!("End {} with a question for your readers.", d.name()),
        reason: format!(
            "It has {} segments and none asks anything; a question invites replies.",
            d.segments
        ),
        link: d.link(),
    })
}

fn waiting_for_a_second(d: &DraftFacts, now: i64) -> Option<Suggestion> {
    let idle = now - d.last_activity();
    (d.segments == 1 && idle >= 3 * DAY_MS).then(|| Suggestion {
        rule: "waiting_for_a_second".to_owned(),
        text: format!(
            "{} has its opening: add a second segment while the idea is fresh.",
            d.name()
        ),
        reason: format!("It has had one segment for {} days.", days(idle)),
        link: d.link(),
    })
}

fn invite_someone(d: &DraftFacts, _now: i64) -> Option<Suggestion> {
    (d.i_own_it && d.people == 1 && d.segments >= 2).then(|| Suggestion {
        rule: "invite_someone".to_owned(),
        text: format!(
            "Invite a co-writer to {}: passing the ring is how threads grow here.",
            d.name()
        ),
        reason: format!(
            "You have written its {} segments on your own so far.",
            d.segments
        ),
        link: d.link(),
    })
}

/// Suggestions that always apply, used when fewer than three rules fired.
fn evergreen(facts: &CoachFacts) -> Vec<Suggestion> {
    let mut out = vec![Suggestion {
        rule: "todays_challenge".to_owned(),
        text: format!("Try today's challenge: {}", facts.challenge.prompt),
        reason: "A new prompt every day, the same for everyone whose calendar shows today's date."
            .to_owned(),
        link: None,
    }];
    if facts.drafts.is_empty() {
        out.push(Suggestion {
            rule: "first_draft".to_owned(),
            text: "Start a draft and write its opening; you can invite co-writers later."
                .to_owned(),
            reason: "You have no drafts in progress.".to_owned(),
            link: Some(Link {
                label: "Go to your drafts".to_owned(),
                url: "/drafts".to_owned(),
            }),
        });
    }
    out.push(Suggestion {
        rule: "read_aloud".to_owned(),
        text: "Read your latest thread aloud before it goes out: the stumbles show where to cut."
            .to_owned(),
        reason: "A general tip, shown when your drafts give fewer than three suggestions."
            .to_owned(),
        link: None,
    });
    out.push(Suggestion {
        rule: "pass_the_ring".to_owned(),
        text: "When your part is done, pass the ring: someone else's voice keeps a thread lively."
            .to_owned(),
        reason: "A general tip, shown when your drafts give fewer than three suggestions."
            .to_owned(),
        link: None,
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_795_633_380_000;
    const H: i64 = crate::clock::HOUR_MS;

    fn draft(id: &str) -> DraftFacts {
        DraftFacts {
            id: id.to_owned(),
            title: format!("Draft {id}"),
            platform: Platform::Bluesky,
            i_own_it: true,
            i_hold_the_ring: true,
            holder_handle: "ada".to_owned(),
            people: 2,
            segments: 2,
            questions: 1,
            opening: Some("A short opening.".to_owned()),
            ring_moved_at: NOW - H,
            last_segment_at: Some(NOW - H),
        }
    }

    fn facts(drafts: Vec<DraftFacts>) -> CoachFacts {
        CoachFacts {
            drafts,
            last_segment_at: Some(NOW - H),
            challenge: super::super::challenge::challenge_for(20_788),
        }
    }

    fn rules(facts: &CoachFacts) -> Vec<String> {
        suggestions(facts, NOW)
            .into_iter()
            .map(|s| s.rule)
            .collect()
    }

    fn fires(d: DraftFacts, rule: &str) -> bool {
        rules(&facts(vec![d])).iter().any(|r| r == rule)
    }

    #[test]
    fn a_ring_waiting_two_days_on_someone_else_is_a_nudge() {
        let mut d = draft("a");
        d.i_hold_the_ring = false;
        d.holder_handle = "bob".to_owned();
        d.ring_moved_at = NOW - 50 * H;
        d.last_segment_at = Some(NOW - 60 * H);
        let all = suggestions(&facts(vec![d.clone()]), NOW);
        assert_eq!(all[0].rule, "ring_waiting");
        assert!(all[0].text.contains("@bob") && all[0].text.contains("take the ring back"));
        assert!(all[0].reason.contains("2 days"));
        d.i_own_it = false;
        assert!(!suggestions(&facts(vec![d.clone()]), NOW)[0]
            .text
            .contains("take the ring back"));
        d.ring_moved_at = NOW - 47 * H;
        assert!(!fires(d, "ring_waiting"));
    }

    #[test]
    fn holding_the_ring_a_day_on_a_shared_draft_is_my_turn() {
        let mut d = draft("a");
        d.ring_moved_at = NOW - 25 * H;
        d.last_segment_at = None;
        assert!(fires(d.clone(), "your_turn"));
        d.people = 1;
        assert!(!fires(d, "your_turn"));
    }

    #[test]
    fn an_opening_longer_than_the_platform_shows_is_tightened() {
        let mut d = draft("a");
        d.platform = Platform::Linkedin;
        d.opening = Some("word ".repeat(50)); // 249 characters
        assert!(fires(d.clone(), "opening_too_long"));
        d.opening = Some("word ".repeat(40)); // 199
        assert!(!fires(d, "opening_too_long"));
    }

    #[test]
    fn a_thread_that_asks_nothing_gets_a_question() {
        let mut d = draft("a");
        d.segments = 3;
        d.questions = 0;
        assert!(fires(d.clone(), "no_question"));
        d.questions = 1;
        assert!(!fires(d, "no_question"));
    }

    #[test]
    fn a_lone_opening_after_three_days_asks_for_a_second_segment() {
        let mut d = draft("a");
        d.segments = 1;
        d.ring_moved_at = NOW - 80 * H;
        d.last_segment_at = Some(NOW - 80 * H);
        d.people = 1;
        assert!(fires(d.clone(), "waiting_for_a_second"));
        d.last_segment_at = Some(NOW - 10 * H);
        assert!(!fires(d, "waiting_for_a_second"));
    }

    #[test]
    fn writing_alone_on_my_draft_suggests_a_co_writer() {
        let mut d = draft("a");
        d.people = 1;
        assert!(fires(d.clone(), "invite_someone"));
        d.i_own_it = false;
        assert!(!fires(d, "invite_someone"));
    }

    #[test]
    fn a_quiet_week_is_a_warm_up_never_a_reproach() {
        let mut f = facts(vec![]);
        f.last_segment_at = Some(NOW - 8 * DAY_MS);
        let all = suggestions(&f, NOW);
        let warm = all.iter().find(|s| s.rule == "warm_up");
        assert!(warm.is_some_and(|s| s.reason.contains("8 days")));
        f.last_segment_at = Some(NOW - 6 * DAY_MS);
        assert!(!rules(&f).contains(&"warm_up".to_owned()));
    }

    #[test]
    fn always_three_to_five_with_reasons_and_never_a_flagged_title() {
        assert_eq!(
            rules(&facts(vec![])),
            ["todays_challenge", "first_draft", "read_aloud"]
        );
        let mut busy: Vec<DraftFacts> = (0..6)
            .map(|i| {
                let mut d = draft(&i.to_string());
                d.segments = 4;
                d.questions = 0;
                d.people = 1;
                d.opening = Some("word ".repeat(50));
                d
            })
            .collect();
        let all = suggestions(&facts(busy.clone()), NOW);
        assert_eq!(all.len(), MOST);
        assert!(all.iter().filter(|s| s.rule == "no_question").count() <= 2);
        assert!(all.iter().all(|s| !s.reason.is_empty()));
        busy[0].title = "Nobody will ever read this".to_owned();
        let all = suggestions(&facts(busy), NOW);
        assert!(all
            .iter()
            .all(|s| !s.text.contains("Nobody will ever read")));
        assert!(all.iter().any(|s| s.text.contains("one of your drafts")));
        // The same facts and `now` give the same suggestions.
        assert_eq!(
            suggestions(&facts(vec![draft("a")]), NOW),
            suggestions(&facts(vec![draft("a")]), NOW)
        );
    }

    #[test]
    fn heavy_recent_writing_brings_support_first() {
        let c = coach(&facts(vec![]), &["I'm worthless".to_owned()], NOW);
        assert!(c
            .support
            .is_some_and(|s| s.message.starts_with("Something you wrote recently")));
        assert!(coach(&facts(vec![]), &["A fine day".to_owned()], NOW)
            .support
            .is_none());
    }
}
