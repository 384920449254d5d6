//! Momentum: a person's effort over the last 30 days, recent work counting most.
//!
//! **What counts, and how much.** Each hour of work (the per-person, per-hour rollup) earns
//! points: 3 for each segment written (at most 10 an hour), 2 for each time the ring was
//! passed on (at most 10 an hour), and 1 for each 200 characters written (at most 2,000 an
//! hour). Never views, likes or followers: momentum measures what someone gave.
//!
//! **Linear decay.** An hour's points count in full when the hour is the current one and
//! fade in a straight line to nothing 30 days (720 hours) later:
//!
//! ```text
//! momentum = round( Σ points(h) × (720 − age(h)) / 720 )   over the hours h with 0 ≤ age(h) < 720
//! ```
//!
//! **Why.** The caps keep a burst of tiny posts from outweighing steady work; the decay
//! rewards coming back without ever dropping someone off a cliff: after a week away,
//! someone who wrote every day keeps more than half of their momentum. Hours, not days, make the number the same in
//! every time zone. The same formula runs in SQL for the momentum board
//! ([`POINTS_SQL`]), and a test checks both agree.

/// The window: 30 days, in hours.
pub const WINDOW_HOURS: i64 = 720;
pub const SEGMENT_POINTS: i64 = 3;
pub const PASS_POINTS: i64 = 2;
/// Segments and passes counted per hour, at most.
pub const PER_HOUR_CAP: i64 = 10;
pub const CHARACTERS_PER_POINT: i64 = 200;
/// Characters counted per hour, at most.
pub const CHARACTERS_CAP: i64 = 2_000;

/// One hour of a person's work (a row of `analytics_user_hours`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HourOfWork {
    /// Hours since 1970-01-01T00:00Z.
    pub hour: i64,
    pub segments: i64,
    pub characters: i64,
    pub passes_given: i64,
}

/// The hour instant `ms` is in.
pub fn hour_of(ms: i64) -> i64 {
    ms.div_euclid(crate::clock::HOUR_MS)
}

/// What an hour of work earns.
pub fn points(h: &HourOfWork) -> i64 {
    SEGMENT_POINTS * h.segments.clamp(0, PER_HOUR_CAP)
        + PASS_POINTS * h.passes_given.clamp(0, PER_HOUR_CAP)
        + h.characters.clamp(0, CHARACTERS_CAP) / CHARACTERS_PER_POINT
}

/// [`points`] as SQL over `analytics_user_hours`' columns (the same arithmetic).
pub const POINTS_SQL: &str = "(3 * CASE WHEN segments > 10 THEN 10 ELSE segments END \
     + 2 * CASE WHEN passes_given > 10 THEN 10 ELSE passes_given END \
     + (CASE WHEN characters > 2000 THEN 2000 ELSE characters END) / 200)";

/// Momentum at the end of hour `at_hour`, from any hours (those outside the window count
/// nothing).
pub fn momentum_at(hours: &[HourOfWork], at_hour: i64) -> i64 {
    let weighted: i64 = hours
        .iter()
        .filter(|h| h.hour <= at_hour && at_hour - h.hour < WINDOW_HOURS)
        .map(|h| points(h) * (WINDOW_HOURS - (at_hour - h.hour)))
        .sum();
    from_weighted(weighted)
}

/// Momentum from its weighted points (each hour's points times its weight), rounded.
pub fn from_weighted(weighted: i64) -> i64 {
    (weighted + WINDOW_HOURS / 2) / WINDOW_HOURS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hour(hour: i64, segments: i64, characters: i64, passes_given: i64) -> HourOfWork {
        HourOfWork {
            hour,
            segments,
            characters,
            passes_given,
        }
    }

    #[test]
    fn points_count_effort_with_caps() {
        assert_eq!(points(&hour(0, 1, 0, 0)), 3);
        assert_eq!(points(&hour(0, 0, 0, 1)), 2);
        assert_eq!(points(&hour(0, 0, 399, 0)), 1);
        // 50 tiny segments in an hour count as 10.
        assert_eq!(points(&hour(0, 50, 100, 0)), 30);
        assert_eq!(points(&hour(0, 0, 100_000, 50)), 20 + 10);
    }

    #[test]
    fn work_fades_linearly_to_nothing_over_thirty_days() {
        let work = [hour(1_000, 2, 400, 1)]; // 6 + 2 + 2 = 10 points
        assert_eq!(momentum_at(&work, 1_000), 10);
        assert_eq!(momentum_at(&work, 1_000 + 360), 5);
        assert_eq!(momentum_at(&work, 1_000 + 540), 3); // 2.5 rounds up
        assert_eq!(momentum_at(&work, 1_000 + 719), 0); // 10/720 rounds to 0
        assert_eq!(momentum_at(&work, 1_000 + 720), 0);
        // Work after the moment asked about does not count (a past `now` replays the past).
        assert_eq!(momentum_at(&work, 999), 0);
    }

    #[test]
    fn a_week_away_keeps_more_than_half() {
        let month: Vec<HourOfWork> = (0..30).map(|d| hour(d * 24, 1, 0, 0)).collect();
        let last = 29 * 24;
        let now = momentum_at(&month, last);
        let after_a_week = momentum_at(&month, last + 7 * 24);
        assert_eq!((now, after_a_week), (47, 28));
        // Long gaps: after 30 days away nothing is left, and coming back counts at once.
        assert_eq!(momentum_at(&month, last + 720), 0);
        let back = [month.clone(), vec![hour(last + 800, 1, 0, 0)]].concat();
        assert_eq!(momentum_at(&back, last + 800), 3);
    }
}
