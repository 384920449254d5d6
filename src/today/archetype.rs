//! Archetypes: a badge that describes how someone has been writing over the last 30 days,
//! recomputed from their numbers on every request (never a stored guess).
//!
//! | badge | earned when (last 30 days) |
//! | --- | --- |
//! | Leader | started 3+ drafts, and 2+ people joined drafts they own |
//! | Connector | passed the ring 5+ times, and wrote alongside 2+ people |
//! | Analytical | wrote 5+ segments averaging 180+ characters |
//! | Creative | wrote 10+ segments |
//! | Finding a voice | none of the above yet |
//!
//! When several apply, the one furthest past its thresholds wins (each measure divided by
//! its threshold, the smallest of a badge's measures counting; in thousandths, so integer
//! arithmetic decides and the same numbers always give the same badge); ties go in the
//! table's order. "Finding a voice" exists because a badge from one segment would be a
//! guess, not a description.

use super::types::{Archetype, ArchetypeKind};
use crate::ui::format::{count, counted, times};

/// A person's last 30 days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ArchetypeFacts {
    pub segments: i64,
    pub characters: i64,
    pub passes_given: i64,
    pub drafts_started: i64,
    /// Other people who wrote on drafts I wrote on.
    pub co_writers: i64,
    /// People who joined drafts I own.
    pub people_joined: i64,
}

impl ArchetypeFacts {
    fn average_length(&self) -> i64 {
        if self.segments == 0 {
            0
        } else {
            self.characters / self.segments
        }
    }
}

/// How far `value` is past `threshold`, in thousandths (1000 = exactly at it).
fn past(value: i64, threshold: i64) -> i64 {
    value.max(0) * 1000 / threshold
}

/// Each badge's strength: the smallest of its measures against their thresholds.
fn strengths(f: &ArchetypeFacts) -> [(ArchetypeKind, i64); 4] {
    [
        (
            ArchetypeKind::Leader,
            past(f.drafts_started, 3).min(past(f.people_joined, 2)),
        ),
        (
            ArchetypeKind::Connector,
            past(f.passes_given, 5).min(past(f.co_writers, 2)),
        ),
        (
            ArchetypeKind::Analytical,
            past(f.segments, 5).min(past(f.average_length(), 180)),
        ),
        (ArchetypeKind::Creative, past(f.segments, 10)),
    ]
}

/// The badge for these numbers, with why.
pub fn archetype(f: &ArchetypeFacts) -> Archetype {
    let kind = strengths(f)
        .into_iter()
        .filter(|(_, strength)| *strength >= 1000)
        // The first of the strongest: `max_by_key` keeps the last, so compare reversed.
        .fold(
            None::<(ArchetypeKind, i64)>,
            |best, (kind, strength)| match best {
                Some((_, top)) if top >= strength => best,
                _ => Some((kind, strength)),
            },
        )
        .map_or(ArchetypeKind::Newcomer, |(kind, _)| kind);
    let why = match kind {
        ArchetypeKind::Leader => format!(
            "You started {} and {} joined drafts you own in the last 30 days.",
            count(f.drafts_started, "draft"),
            counted(f.people_joined, "person", "people")
        ),
        ArchetypeKind::Connector => format!(
            "You passed the ring {} and wrote alongside {} in the last 30 days.",
            times(f.passes_given),
            counted(f.co_writers, "person", "people")
        ),
        ArchetypeKind::Analytical => format!(
            "Your {} in the last 30 days averaged {} characters: you take the time to explain.",
            count(f.segments, "segment"),
            f.average_length()
        ),
        ArchetypeKind::Creative => format!(
            "You wrote {} in the last 30 days: the ideas keep coming.",
            count(f.segments, "segment")
        ),
        ArchetypeKind::Newcomer => format!(
            "Badges come from the last 30 days of writing, and {} so far is a start. Keep going and yours will show.",
            count(f.segments, "segment")
        ),
    };
    Archetype {
        kind,
        label: kind.label().to_owned(),
        why,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> ArchetypeFacts {
        ArchetypeFacts::default()
    }

    #[test]
    fn little_writing_is_finding_a_voice_never_a_guess() {
        let a = archetype(&ArchetypeFacts {
            segments: 2,
            characters: 90,
            ..facts()
        });
        assert_eq!(a.kind, ArchetypeKind::Newcomer);
        assert!(a.why.contains("2 segments"), "{}", a.why);
    }

    #[test]
    fn each_badge_has_its_rule_and_its_reason_in_the_persons_numbers() {
        let leader = ArchetypeFacts {
            drafts_started: 3,
            people_joined: 2,
            ..facts()
        };
        let a = archetype(&leader);
        assert_eq!(a.kind, ArchetypeKind::Leader);
        assert!(
            a.why.contains("3 drafts") && a.why.contains("2 people"),
            "{}",
            a.why
        );
        assert_eq!(
            archetype(&ArchetypeFacts {
                people_joined: 1,
                ..leader
            })
            .kind,
            ArchetypeKind::Newcomer
        );

        let connector = ArchetypeFacts {
            passes_given: 5,
            co_writers: 2,
            ..facts()
        };
        let a = archetype(&connector);
        assert_eq!(a.kind, ArchetypeKind::Connector);
        assert!(
            a.why.contains("5 times") && a.why.contains("2 people"),
            "{}",
            a.why
        );
        assert_eq!(
            archetype(&ArchetypeFacts {
                co_writers: 1,
                ..connector
            })
            .kind,
            ArchetypeKind::Newcomer
        );

        let analytical = ArchetypeFacts {
            segments: 5,
            characters: 5 * 200,
            ..facts()
        };
        let a = archetype(&analytical);
        assert_eq!(a.kind, ArchetypeKind::Analytical);
        assert!(a.why.contains("averaged 200 characters"), "{}", a.why);
        assert_eq!(
            archetype(&ArchetypeFacts {
                characters: 5 * 170,
                ..analytical
            })
            .kind,
            ArchetypeKind::Newcomer
        );

        let creative = ArchetypeFacts {
            segments: 12,
            characters: 12 * 80,
            ..facts()
        };
        assert_eq!(archetype(&creative).kind, ArchetypeKind::Creative);
        assert!(archetype(&creative).why.contains("12 segments"));
    }

    #[test]
    fn the_badge_furthest_past_its_thresholds_wins_and_ties_keep_the_tables_order() {
        // Connector at 2× its thresholds beats creative at 1.2×.
        let both = ArchetypeFacts {
            segments: 12,
            characters: 12 * 50,
            passes_given: 10,
            co_writers: 4,
            ..facts()
        };
        assert_eq!(archetype(&both).kind, ArchetypeKind::Connector);
        // Exactly at the thresholds of leader and connector: leader comes first.
        let tie = ArchetypeFacts {
            drafts_started: 3,
            people_joined: 2,
            passes_given: 5,
            co_writers: 2,
            ..facts()
        };
        assert_eq!(archetype(&tie).kind, ArchetypeKind::Leader);
        // Long segments: analytical (2×) beats creative (1×) on the same ten segments.
        let long = ArchetypeFacts {
            segments: 10,
            characters: 10 * 400,
            ..facts()
        };
        assert_eq!(archetype(&long).kind, ArchetypeKind::Analytical);
        assert_eq!(archetype(&long), archetype(&long));
    }
}
