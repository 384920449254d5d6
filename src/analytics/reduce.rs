//! Reducers: every analytics number is a pure function of rows (events, rollups, the
//! current thread) and `now`. Nothing here reads a clock or a database, so the same rows and
//! the same `now` always give the same value, and the same JSON bytes.
//!
//! Everything is "as of `now`": events after it are left out, so a `now` in the past replays
//! the past. Days are UTC days.

use std::collections::{BTreeMap, BTreeSet};

use super::types::{
    Activity, Board, BoardEntry, Contribution, DailySeries, DraftInsights, Holding, Leaderboard,
    MyInsights, MyNumbers, PassCounts, Person, Series, SCHEMA_VERSION,
};
use crate::clock::{day_of, rfc3339, DAY_MS};

/// Days a chart covers, today included.
pub const CHART_DAYS: i64 = 30;

/// An event payload of a version this code does not know: refused, never guessed at.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReduceError {
    #[error("analytics event {id} has schema version {version}; this server reads version {SCHEMA_VERSION} only")]
    UnknownSchema { id: String, version: i64 },
    #[error("analytics event {id} could not be read: {reason}")]
    Unreadable { id: String, reason: String },
}

/// A stored event as the reducers receive it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub id: String,
    pub schema_version: i64,
    pub actor: Option<String>,
    pub at: i64,
    pub payload: String,
}

impl StoredEvent {
    /// The event's activity, if its schema version is the one this code reads.
    pub fn activity(&self) -> Result<Activity, ReduceError> {
        if self.schema_version != SCHEMA_VERSION {
            return Err(ReduceError::UnknownSchema {
                id: self.id.clone(),
                version: self.schema_version,
            });
        }
        serde_json::from_str(&self.payload).map_err(|err| ReduceError::Unreadable {
            id: self.id.clone(),
            reason: err.to_string(),
        })
    }
}

/// One row of a draft's per-day rollup, with the person's public face.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftDay {
    pub day: i64,
    pub user_id: String,
    pub person: Option<Person>,
    pub segments: i64,
    pub passes: i64,
    pub views: i64,
    pub card_views: i64,
    pub card_copies: i64,
}

/// A segment of the current thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadSegment {
    pub author_id: String,
    pub author: Person,
    pub characters: i64,
    pub created_at: i64,
}

/// Everything draft insights are computed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftFacts {
    pub draft_id: String,
    pub title: String,
    pub platform: crate::drafts::model::Platform,
    pub created_at: i64,
    pub owner_id: String,
    /// Everyone who ever held the ring, by user id.
    pub people: BTreeMap<String, Person>,
    pub days: Vec<DraftDay>,
    /// The draft's ring events (passes, reclaims, returns), in any order.
    pub ring_events: Vec<StoredEvent>,
    pub thread: Vec<ThreadSegment>,
}

/// The last `CHART_DAYS` days up to `today`, oldest first.
fn chart_days(today: i64) -> Vec<i64> {
    (today - CHART_DAYS + 1..=today).collect()
}

fn minutes(ms: i64) -> i64 {
    (ms + 30_000).div_euclid(60_000)
}

/// A ring move: when, to whom, and whether it was a pass.
struct Move {
    at: i64,
    id: String,
    to: String,
    is_pass: bool,
}

fn ring_moves(facts: &DraftFacts, now: i64) -> Result<Vec<Move>, ReduceError> {
    let mut moves = Vec::new();
    for event in facts.ring_events.iter().filter(|e| e.at <= now) {
        let (to, is_pass) = match event.activity()? {
            Activity::RingPassed { to } => (to, true),
            Activity::RingReclaimed { .. } | Activity::RingReturned { .. } => {
                (facts.owner_id.clone(), false)
            }
            _ => continue,
        };
        moves.push(Move {
            at: event.at,
            id: event.id.clone(),
            to,
            is_pass,
        });
    }
    // Time order; the id breaks ties, so the order never depends on how rows arrived.
    moves.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
    Ok(moves)
}

fn person_of(people: &BTreeMap<String, Person>, id: &str) -> Person {
    people.get(id).cloned().unwrap_or_else(|| Person {
        handle: "someone".into(),
        display_id: crate::auth::model::display_id(id),
    })
}

/// The draft's insights as of `now`.
pub fn draft_insights(facts: &DraftFacts, now: i64) -> Result<DraftInsights, ReduceError> {
    let today = day_of(now);
    let days: Vec<&DraftDay> = facts.days.iter().filter(|d| d.day <= today).collect();
    let viewers: BTreeSet<&str> = days
        .iter()
        .filter(|d| d.views > 0 && !d.user_id.is_empty())
        .map(|d| d.user_id.as_str())
        .collect();
    let moves = ring_moves(facts, now)?;
    let passes: Vec<&Move> = moves.iter().filter(|m| m.is_pass).collect();
    let count_since = |since: i64| passes.iter().filter(|m| m.at > since).count() as i64;
    let avg_minutes_between_passes = match (passes.first(), passes.last()) {
        (Some(first), Some(last)) if passes.len() > 1 => {
            Some(minutes((last.at - first.at) / (passes.len() as i64 - 1)))
        }
        _ => None,
    };

    let thread: Vec<&ThreadSegment> = facts
        .thread
        .iter()
        .filter(|s| s.created_at <= now)
        .collect();
    let mut by_author: BTreeMap<&str, Contribution> = BTreeMap::new();
    for segment in &thread {
        let entry = by_author
            .entry(segment.author_id.as_str())
            .or_insert_with(|| Contribution {
                person: segment.author.clone(),
                segments: 0,
                characters: 0,
            });
        entry.segments += 1;
        entry.characters += segment.characters;
    }
    let mut contributions: Vec<Contribution> = by_author.into_values().collect();
    contributions.sort_by(|a, b| {
        (b.segments, b.characters, &a.person.handle).cmp(&(
            a.segments,
            a.characters,
            &b.person.handle,
        ))
    });
    let first_to_last_segment_minutes = match (
        thread.iter().map(|s| s.created_at).min(),
        thread.iter().map(|s| s.created_at).max(),
    ) {
        (Some(first), Some(last)) if thread.len() > 1 => Some(minutes(last - first)),
        _ => None,
    };

    Ok(DraftInsights {
        draft_id: facts.draft_id.clone(),
        title: facts.title.clone(),
        platform: facts.platform,
        unique_viewers: viewers.len() as i64,
        views: days.iter().map(|d| d.views).sum(),
        card_views: days.iter().map(|d| d.card_views).sum(),
        card_copies: days.iter().map(|d| d.card_copies).sum(),
        segments: thread.len() as i64,
        contributors: contributions.len() as i64,
        passes: PassCounts {
            last_24h: count_since(now - DAY_MS),
            last_7d: count_since(now - 7 * DAY_MS),
            all_time: passes.len() as i64,
        },
        avg_minutes_between_passes,
        first_to_last_segment_minutes,
        contributions,
        activity: segments_per_day(&days, today),
        ring_timeline: ring_timeline(facts, &moves, now),
        full: true,
        note: None,
        today,
        as_of_ms: now,
        generated_at: rfc3339(now),
    })
}

/// Segments added per day over the chart's days, one series per person (by handle).
fn segments_per_day(days: &[&DraftDay], today: i64) -> DailySeries {
    let window = chart_days(today);
    let first = window[0];
    let mut series: BTreeMap<String, Series> = BTreeMap::new();
    for day in days.iter().filter(|d| d.day >= first && d.segments > 0) {
        let Some(person) = &day.person else { continue };
        let entry = series
            .entry(person.handle.clone())
            .or_insert_with(|| Series {
                person: person.clone(),
                counts: vec![0; window.len()],
            });
        entry.counts[(day.day - first) as usize] += day.segments;
    }
    DailySeries {
        days: window,
        series: series.into_values().collect(),
    }
}

/// Who held the ring over the chart's days: the owner from the draft's start, then each
/// move in order; clipped to the window.
fn ring_timeline(facts: &DraftFacts, moves: &[Move], now: i64) -> Vec<Holding> {
    let window_start = (day_of(now) - CHART_DAYS + 1) * DAY_MS;
    let mut spans: Vec<(String, i64, i64)> = Vec::new();
    let mut holder = facts.owner_id.clone();
    let mut since = facts.created_at;
    for m in moves {
        spans.push((holder, since, m.at));
        holder = m.to.clone();
        since = m.at;
    }
    spans.push((holder, since, now));
    spans
        .into_iter()
        .filter(|(_, from, until)| *until > window_start && from <= until && *from <= now)
        .map(|(who, from, until)| Holding {
            person: person_of(&facts.people, &who),
            from_ms: from.max(window_start),
            until_ms: until,
        })
        .collect()
}

/// One row of a person's per-day rollup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserDay {
    pub day: i64,
    pub drafts_started: i64,
    pub segments: i64,
    pub passes_given: i64,
    pub passes_received: i64,
}

impl UserDay {
    /// A day counts as active when the person wrote a segment or passed the ring.
    pub fn active(&self) -> bool {
        self.segments > 0 || self.passes_given > 0
    }
}

/// Someone else's work on a draft I worked on, on a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedDay {
    pub draft_id: String,
    pub day: i64,
    pub user_id: String,
}

/// My numbers as of `now`. `mine` are my per-day rows; `my_drafts` the (draft, day) pairs
/// I worked on; `others` other people's work on those drafts.
pub fn my_insights(
    mine: &[UserDay],
    my_drafts: &[(String, i64)],
    others: &[SharedDay],
    me: &Person,
    now: i64,
) -> MyInsights {
    let today = day_of(now);
    let numbers = |days: i64| {
        let first = today - days + 1;
        let rows: Vec<&UserDay> = mine
            .iter()
            .filter(|d| (first..=today).contains(&d.day))
            .collect();
        let drafts: BTreeSet<&str> = my_drafts
            .iter()
            .filter(|(_, day)| (first..=today).contains(day))
            .map(|(draft, _)| draft.as_str())
            .collect();
        let collaborators: BTreeSet<&str> = others
            .iter()
            .filter(|o| (first..=today).contains(&o.day) && drafts.contains(o.draft_id.as_str()))
            .map(|o| o.user_id.as_str())
            .collect();
        MyNumbers {
            days,
            drafts_started: rows.iter().map(|d| d.drafts_started).sum(),
            segments: rows.iter().map(|d| d.segments).sum(),
            passes_given: rows.iter().map(|d| d.passes_given).sum(),
            passes_received: rows.iter().map(|d| d.passes_received).sum(),
            collaborators: collaborators.len() as i64,
            active_days: rows.iter().filter(|d| d.active()).count() as i64,
        }
    };
    let window = chart_days(today);
    let first = window[0];
    let mut counts = vec![0; window.len()];
    for day in mine.iter().filter(|d| (first..=today).contains(&d.day)) {
        counts[(day.day - first) as usize] += day.segments;
    }
    MyInsights {
        week: numbers(7),
        month: numbers(30),
        activity: DailySeries {
            days: window,
            series: vec![Series {
                person: me.clone(),
                counts,
            }],
        },
        today,
        as_of_ms: now,
        generated_at: rfc3339(now),
    }
}

/// One person's standing on a board, before ranking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub user_id: String,
    pub person: Person,
    /// Whether they appear on boards (their setting).
    pub shown: bool,
    /// The parts of the score: for collaboration (passes given, drafts co-written), for
    /// consistency (active days, 0), for momentum (momentum, 0).
    pub parts: (i64, i64),
}

/// How many a board shows.
pub const BOARD_SIZE: usize = 10;

/// A board: the top 10 of the people who are shown, by score, ties broken by handle
/// (handles are unique, so the order is total); people with nothing to show are left off.
/// The viewer's own rank is given only when they are on it.
pub fn leaderboard(board: Board, days: i64, candidates: &[Candidate], me: &str) -> Leaderboard {
    let score = |c: &Candidate| c.parts.0 + c.parts.1;
    let mut ranked: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| c.shown && score(c) > 0)
        .collect();
    ranked.sort_by(|a, b| (score(b), &a.person.handle).cmp(&(score(a), &b.person.handle)));
    ranked.truncate(BOARD_SIZE);
    let entries: Vec<BoardEntry> = ranked
        .iter()
        .enumerate()
        .map(|(i, c)| BoardEntry {
            rank: i as i64 + 1,
            person: c.person.clone(),
            score: score(c),
            thanks: thanks(board, c.parts, days),
        })
        .collect();
    let my_rank = ranked
        .iter()
        .position(|c| c.user_id == me)
        .map(|i| i as i64 + 1);
    let mine = candidates.iter().find(|c| c.user_id == me);
    let my_score = mine.map_or(0, score);
    Leaderboard {
        board,
        days,
        entries,
        my_rank,
        my_score,
        my_thanks: mine
            .filter(|c| score(c) > 0)
            .map(|c| thanks(board, c.parts, days)),
    }
}

/// The thank-you line: what the person gave, in their own numbers, never a comparison.
pub fn thanks(board: Board, (first, second): (i64, i64), days: i64) -> String {
    use crate::ui::format::{count, times};
    let window = if days == 7 { "this week" } else { "this month" };
    match board {
        Board::Collaboration => match (first, second) {
            (0, drafts) => format!("co-wrote {} {window}", count(drafts, "draft")),
            (passes, 0) => format!("passed the ring {} {window}", times(passes)),
            (passes, drafts) => format!(
                "passed the ring {} and co-wrote {} {window}",
                times(passes),
                count(drafts, "draft")
            ),
        },
        Board::Consistency => format!("showed up on {} {window}", count(first, "day")),
        Board::Momentum => format!("built up a momentum of {first} {window}"),
    }
}

/// What a board's query sums over, both ends included: days for collaboration and
/// consistency; hours for momentum (the window's 720 hours ending with `now`'s).
pub fn board_window(board: Board, now: i64, days: i64) -> (i64, i64) {
    match board {
        Board::Momentum => {
            let hour = super::momentum::hour_of(now);
            (hour - super::momentum::WINDOW_HOURS + 1, hour)
        }
        Board::Collaboration | Board::Consistency => (window_start(now, days), day_of(now)),
    }
}

/// The first day of a window of `days` ending at `now`'s day.
pub fn window_start(now: i64, days: i64) -> i64 {
    day_of(now) - days + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drafts::model::Platform;

    const NOW: i64 = 1_795_633_380_000; // 2026-11-25 19:03 UTC
    const MIN: i64 = 60_000;

    fn person(handle: &str) -> Person {
        Person {
            handle: handle.into(),
            display_id: format!("@u_{handle}"),
        }
    }

    fn ring_event(id: &str, at: i64, activity: &Activity) -> StoredEvent {
        StoredEvent {
            id: id.into(),
            schema_version: SCHEMA_VERSION,
            actor: None,
            at,
            payload: serde_json::to_string(activity).unwrap_or_default(),
        }
    }

    fn facts() -> DraftFacts {
        let people = [("ada", person("ada")), ("bob", person("bob"))]
            .into_iter()
            .map(|(id, p)| (id.to_owned(), p))
            .collect();
        DraftFacts {
            draft_id: "d".into(),
            title: "T".into(),
            platform: Platform::X,
            created_at: NOW - 3 * DAY_MS,
            owner_id: "ada".into(),
            people,
            days: Vec::new(),
            ring_events: Vec::new(),
            thread: Vec::new(),
        }
    }

    #[test]
    fn an_empty_draft_has_zeros_and_the_owner_holding_the_ring() {
        let insights = draft_insights(&facts(), NOW);
        let insights = insights.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(insights.segments, 0);
        assert_eq!(
            insights.passes,
            PassCounts {
                last_24h: 0,
                last_7d: 0,
                all_time: 0
            }
        );
        assert_eq!(insights.avg_minutes_between_passes, None);
        assert_eq!(insights.activity.days.len(), 30);
        assert_eq!(insights.activity.days.last(), Some(&day_of(NOW)));
        assert_eq!(insights.ring_timeline.len(), 1);
        assert_eq!(insights.ring_timeline[0].person.handle, "ada");
        assert_eq!(insights.generated_at, "2026-11-25T19:03:00.000Z");
    }

    #[test]
    fn passes_count_by_window_and_velocity_averages_the_gaps() {
        let mut f = facts();
        let to_bob = Activity::RingPassed { to: "bob".into() };
        let to_ada = Activity::RingPassed { to: "ada".into() };
        f.ring_events = vec![
            ring_event("3", NOW - 30 * MIN, &to_bob),
            ring_event("1", NOW - 2 * DAY_MS, &to_bob),
            ring_event("2", NOW - 2 * DAY_MS + 90 * MIN, &to_ada),
            ring_event("4", NOW + MIN, &to_ada), // after `now`: not yet
        ];
        let insights = draft_insights(&f, NOW).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            insights.passes,
            PassCounts {
                last_24h: 1,
                last_7d: 3,
                all_time: 3
            }
        );
        // Gaps: 90 min, then 2 days - 90 min - 30 min; average of the span over 2 gaps.
        assert_eq!(
            insights.avg_minutes_between_passes,
            Some((2 * 24 * 60 - 30) / 2)
        );
        let holders: Vec<&str> = insights
            .ring_timeline
            .iter()
            .map(|h| h.person.handle.as_str())
            .collect();
        assert_eq!(holders, vec!["ada", "bob", "ada", "bob"]);
        assert_eq!(insights.ring_timeline.last().map(|h| h.until_ms), Some(NOW));
    }

    #[test]
    fn an_unknown_schema_version_is_refused_not_guessed() {
        let mut f = facts();
        let mut event = ring_event("x", NOW - MIN, &Activity::RingPassed { to: "bob".into() });
        event.schema_version = 2;
        f.ring_events = vec![event];
        assert_eq!(
            draft_insights(&f, NOW),
            Err(ReduceError::UnknownSchema {
                id: "x".into(),
                version: 2
            })
        );
    }

    #[test]
    fn day_boundaries_are_utc_midnights() {
        let mut f = facts();
        let today = day_of(NOW);
        f.days = vec![
            DraftDay {
                day: today,
                user_id: "ada".into(),
                person: Some(person("ada")),
                segments: 2,
                passes: 0,
                views: 1,
                card_views: 0,
                card_copies: 0,
            },
            DraftDay {
                day: today - 29,
                user_id: "bob".into(),
                person: Some(person("bob")),
                segments: 1,
                passes: 0,
                views: 3,
                card_views: 2,
                card_copies: 1,
            },
            DraftDay {
                day: today - 30,
                user_id: "bob".into(),
                person: Some(person("bob")),
                segments: 5,
                passes: 0,
                views: 0,
                card_views: 0,
                card_copies: 0,
            },
            DraftDay {
                day: today + 1,
                user_id: "ada".into(),
                person: Some(person("ada")),
                segments: 9,
                passes: 0,
                views: 9,
                card_views: 0,
                card_copies: 0,
            },
        ];
        let insights = draft_insights(&f, NOW).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(insights.views, 4);
        assert_eq!(insights.unique_viewers, 2);
        assert_eq!((insights.card_views, insights.card_copies), (2, 1));
        let series: Vec<(&str, i64, i64)> = insights
            .activity
            .series
            .iter()
            .map(|s| (s.person.handle.as_str(), s.counts[0], s.counts[29]))
            .collect();
        assert_eq!(series, vec![("ada", 0, 2), ("bob", 1, 0)]);
        // One millisecond before midnight is still yesterday.
        let before_midnight = crate::clock::day_start(today) - 1;
        let earlier = draft_insights(&f, before_midnight).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(earlier.views, 3);
    }

    #[test]
    fn the_same_facts_and_now_give_the_same_bytes() {
        let mut f = facts();
        f.thread = vec![
            ThreadSegment {
                author_id: "ada".into(),
                author: person("ada"),
                characters: 10,
                created_at: NOW - DAY_MS,
            },
            ThreadSegment {
                author_id: "bob".into(),
                author: person("bob"),
                characters: 30,
                created_at: NOW - 60 * MIN,
            },
        ];
        let a = serde_json::to_string(&draft_insights(&f, NOW).ok());
        f.thread.reverse();
        let b = serde_json::to_string(&draft_insights(&f, NOW).ok());
        assert_eq!(a.ok(), b.ok());
        let insights = draft_insights(&f, NOW).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(insights.first_to_last_segment_minutes, Some(23 * 60));
        assert_eq!(insights.contributors, 2);
        let _ = Platform::X;
    }

    #[test]
    fn my_numbers_cover_a_week_and_a_month() {
        let today = day_of(NOW);
        let mine = vec![
            UserDay {
                day: today,
                drafts_started: 1,
                segments: 3,
                passes_given: 1,
                passes_received: 0,
            },
            UserDay {
                day: today - 6,
                drafts_started: 0,
                segments: 0,
                passes_given: 0,
                passes_received: 2,
            },
            UserDay {
                day: today - 20,
                drafts_started: 0,
                segments: 1,
                passes_given: 0,
                passes_received: 0,
            },
        ];
        let my_drafts = vec![("d1".to_owned(), today), ("d2".to_owned(), today - 20)];
        let others = vec![
            SharedDay {
                draft_id: "d1".into(),
                day: today,
                user_id: "bob".into(),
            },
            SharedDay {
                draft_id: "d2".into(),
                day: today - 20,
                user_id: "cyd".into(),
            },
            SharedDay {
                draft_id: "d2".into(),
                day: today - 20,
                user_id: "bob".into(),
            },
        ];
        let insights = my_insights(&mine, &my_drafts, &others, &person("ada"), NOW);
        assert_eq!(
            insights.week,
            MyNumbers {
                days: 7,
                drafts_started: 1,
                segments: 3,
                passes_given: 1,
                passes_received: 2,
                collaborators: 1,
                active_days: 1
            }
        );
        assert_eq!(insights.month.collaborators, 2);
        assert_eq!(insights.month.active_days, 2);
        assert_eq!(insights.activity.series[0].counts[29], 3);
    }

    #[test]
    fn boards_rank_by_score_then_handle_and_never_show_the_hidden() {
        let candidate = |id: &str, shown: bool, parts: (i64, i64)| Candidate {
            user_id: id.into(),
            person: person(id),
            shown,
            parts,
        };
        let mut candidates = vec![
            candidate("cyd", true, (2, 1)),
            candidate("ada", true, (1, 2)),
            candidate("bob", true, (5, 0)),
            candidate("eve", false, (9, 9)),
            candidate("dan", true, (0, 0)),
        ];
        for i in 0..12 {
            candidates.push(candidate(&format!("z{i:02}"), true, (1, 0)));
        }
        let board = leaderboard(Board::Collaboration, 7, &candidates, "ada");
        let order: Vec<&str> = board
            .entries
            .iter()
            .map(|e| e.person.handle.as_str())
            .collect();
        assert_eq!(&order[..3], &["bob", "ada", "cyd"]);
        assert_eq!(order.len(), 10);
        assert!(
            !order.contains(&"eve"),
            "people who left the boards are absent"
        );
        assert!(!order.contains(&"dan"), "nothing to show, not listed");
        assert_eq!(board.my_rank, Some(2));
        assert_eq!(board.entries[0].thanks, "passed the ring 5 times this week");
        assert_eq!(
            board.entries[1].thanks,
            "passed the ring once and co-wrote 2 drafts this week"
        );
        let far = leaderboard(Board::Collaboration, 7, &candidates, "z11");
        assert_eq!(
            far.my_rank, None,
            "no rank outside the top 10: never 'you are last'"
        );
        assert_eq!(far.my_score, 1);
        assert_eq!(
            thanks(Board::Consistency, (1, 0), 30),
            "showed up on 1 day this month"
        );
    }
}
