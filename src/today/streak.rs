//! Streaks: consecutive days with at least one segment written (to any draft), on the
//! person's own calendar.
//!
//! **Rest days.** One missed day in any 7 does not break a streak: a single missed day is
//! a rest day when the run's previous rest day is at least 7 days earlier. A rest day keeps
//! the run but does not add to it; two missed days in a row, or a second rest day within 7
//! days, end it. Today never breaks anything: until midnight it is still open.
//!
//! A run that ended is never announced as a loss: the page says "A fresh start — day 1",
//! never "you lost your 12-day streak". The longest run is kept (it is recomputed from the
//! days, so it never disagrees with them).

use super::types::{Streak, StreakState};
use crate::ui::format::count;

/// Rest days are at least this many days apart.
pub const REST_EVERY: i64 = 7;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Run {
    days: i64,
    last: i64,
    last_rest: Option<i64>,
    rests: i64,
}

impl Run {
    fn start(day: i64) -> Self {
        Self {
            days: 1,
            last: day,
            last_rest: None,
            rests: 0,
        }
    }

    /// Whether `day` may be a rest day of this run.
    fn may_rest_on(&self, day: i64) -> bool {
        self.last_rest.is_none_or(|rest| day - rest >= REST_EVERY)
    }
}

/// A streak read one active day at a time, oldest first: a few numbers, so the part made of
/// days that can no longer change can be kept and continued (`today::streak_cache`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreakFold {
    run: Option<Run>,
    longest: i64,
    earlier_runs: bool,
}

impl StreakFold {
    /// Adds a local day with a segment. Days come in increasing order; a day at or before
    /// the last one added is already counted and changes nothing.
    pub fn push(&mut self, day: i64) {
        self.run = Some(match self.run.take() {
            Some(r) if day <= r.last => r,
            Some(mut r) if day - r.last == 1 => {
                r.days += 1;
                r.last = day;
                r
            }
            Some(mut r) if day - r.last == 2 && r.may_rest_on(day - 1) => {
                r.days += 1;
                r.last = day;
                r.last_rest = Some(day - 1);
                r.rests += 1;
                r
            }
            Some(_) => {
                self.earlier_runs = true;
                Run::start(day)
            }
            None => Run::start(day),
        });
        self.longest = self.longest.max(self.run.as_ref().map_or(0, |r| r.days));
    }

    /// The streak on local day `today`, from the days added (none of them after `today`).
    pub fn streak_on(&self, today: i64) -> Streak {
        let Some(run) = &self.run else {
            return described(0, self.longest, 0, StreakState::NotStarted, false);
        };
        let (state, rests) = match today - run.last {
            0 => (StreakState::WroteToday, run.rests),
            1 => (StreakState::TodayIsOpen, run.rests),
            2 if run.may_rest_on(today - 1) => (StreakState::RestedYesterday, run.rests + 1),
            _ => (StreakState::FreshStart, 0),
        };
        let current = if state == StreakState::FreshStart {
            0
        } else {
            run.days
        };
        let fresh_day_one = state == StreakState::WroteToday && current == 1 && self.earlier_runs;
        described(current, self.longest, rests, state, fresh_day_one)
    }
}

/// The streak in words: encouraging whatever happened.
fn described(
    current: i64,
    longest: i64,
    rest_days_used: i64,
    state: StreakState,
    fresh_day_one: bool,
) -> Streak {
    let days = format!("{current}-day streak");
    let (headline, detail) = match state {
        StreakState::NotStarted => (
            "Your first streak starts today".to_owned(),
            "Write a segment in any draft and today becomes day 1.".to_owned(),
        ),
        StreakState::WroteToday if fresh_day_one => (
            "A fresh start — day 1".to_owned(),
            "You wrote today. Come back tomorrow for day 2.".to_owned(),
        ),
        StreakState::WroteToday if current == 1 => (
            "Day 1 of your first streak".to_owned(),
            "You wrote today. Come back tomorrow for day 2.".to_owned(),
        ),
        StreakState::WroteToday => (days, "You wrote today. See you tomorrow.".to_owned()),
        StreakState::TodayIsOpen => (
            days,
            format!(
                "Write a segment today to make it {}.",
                count(current + 1, "day")
            ),
        ),
        StreakState::RestedYesterday => (
            days,
            "Yesterday was a rest day. Write today and your streak carries on.".to_owned(),
        ),
        StreakState::FreshStart => (
            "A fresh start — day 1 is one segment away".to_owned(),
            "Write a segment in any draft today and a new streak begins.".to_owned(),
        ),
    };
    Streak {
        current,
        longest,
        rest_days_used,
        state,
        headline,
        detail,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// The streak on `today` from a set of active days, folded oldest first.
    fn streak(active_days: &BTreeSet<i64>, today: i64) -> Streak {
        let mut fold = StreakFold::default();
        for &day in active_days.range(..=today) {
            fold.push(day);
        }
        fold.streak_on(today)
    }

    const TODAY: i64 = 20_788;

    fn days(offsets: &[i64]) -> BTreeSet<i64> {
        offsets.iter().map(|o| TODAY + o).collect()
    }

    #[test]
    fn nothing_written_yet_is_a_first_streak_to_start() {
        let s = streak(&BTreeSet::new(), TODAY);
        assert_eq!(
            (s.current, s.longest, s.state),
            (0, 0, StreakState::NotStarted)
        );
    }

    #[test]
    fn consecutive_days_count_and_today_stays_open_until_midnight() {
        let s = streak(&days(&[-2, -1, 0]), TODAY);
        assert_eq!((s.current, s.state), (3, StreakState::WroteToday));
        let s = streak(&days(&[-3, -2, -1]), TODAY);
        assert_eq!((s.current, s.state), (3, StreakState::TodayIsOpen));
        assert!(s.detail.contains("make it 4 days"), "{}", s.detail);
    }

    #[test]
    fn one_missed_day_in_seven_is_a_rest_day() {
        // Wrote 10 days ago to 6 days ago, rested 5 days ago, wrote since.
        let s = streak(&days(&[-10, -9, -8, -7, -6, -4, -3, -2, -1, 0]), TODAY);
        assert_eq!((s.current, s.rest_days_used), (10, 1));
        // Yesterday missed, the day before written: still alive, resting.
        let s = streak(&days(&[-4, -3, -2]), TODAY);
        assert_eq!(
            (s.current, s.state, s.rest_days_used),
            (3, StreakState::RestedYesterday, 1)
        );
        // A second rest day within 7 days ends the run.
        let s = streak(&days(&[-6, -4, -3, -1, 0]), TODAY);
        assert_eq!(s.current, 2);
        // Rest days 7 apart are both fine.
        let s = streak(
            &days(&[
                -16, -14, -13, -12, -11, -10, -9, -7, -6, -5, -4, -3, -2, -1, 0,
            ]),
            TODAY,
        );
        assert_eq!((s.current, s.rest_days_used), (15, 2));
    }

    #[test]
    fn two_missed_days_end_a_run_without_loss_language() {
        let s = streak(&days(&[-14, -13, -12, -11, -10, -3]), TODAY);
        assert_eq!(
            (s.current, s.longest, s.state),
            (0, 5, StreakState::FreshStart)
        );
        assert!(s.headline.starts_with("A fresh start"));
        let s = streak(&days(&[-14, -13, -12, -11, -10, 0]), TODAY);
        assert_eq!((s.current, s.longest), (1, 5));
        assert_eq!(s.headline, "A fresh start — day 1");
        for word in ["lost", "broke", "fail", "missed", "only"] {
            assert!(!format!("{} {}", s.headline, s.detail)
                .to_lowercase()
                .contains(word));
        }
    }

    #[test]
    fn long_gaps_and_the_longest_run_are_kept() {
        let mut history: Vec<i64> = (-400..-340).collect(); // 60 days, a year ago
        history.extend([-30, -29, 0]);
        let s = streak(&days(&history), TODAY);
        assert_eq!((s.current, s.longest), (1, 60));
        // Days after "today" (a past `now`) are not counted.
        let s = streak(&days(&[-2, -1, 0, 1, 2]), TODAY - 1);
        assert_eq!((s.current, s.state), (2, StreakState::WroteToday));
    }

    #[test]
    fn a_kept_fold_continued_with_later_days_is_the_whole_fold() {
        let all = days(&[-40, -39, -37, -36, -30, -29, -28, -26, -25, -3, -2, 0]);
        let whole = streak(&all, TODAY);
        for split in TODAY - 41..=TODAY {
            let mut kept = StreakFold::default();
            all.range(..split).for_each(|d| kept.push(*d));
            let mut continued = kept.clone();
            // A day already kept, repeated, changes nothing.
            all.range(..split).for_each(|d| continued.push(*d));
            all.range(split..).for_each(|d| continued.push(*d));
            assert_eq!(continued.streak_on(TODAY), whole, "split at {split}");
        }
    }
}
