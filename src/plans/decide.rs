//! "Is this person allowed to do this, under their plan, right now?" — one pure function of
//! (plan terms, override, amount, grace used, `now`), unit-tested as a table.
//!
//! - a limit with room, or unlimited, or a feature the plan has: **allow**;
//! - over a limit on a plan whose enforcement is off: **warn only** (allowed, logged);
//! - over a limit with grace left: **allow with grace** (one grace unit is consumed, in the
//!   same write as the action);
//! - over a limit with no grace left: **block** (`quota_exceeded`, nothing written);
//! - a feature the plan lacks: **disallowed**.
//!
//! An override (a value for one person and entitlement, optionally until a time) wins over
//! the plan while it is in force; an expired one no longer counts.

use super::types::{Entitlement, Value};

/// The terms that decide, as read inside the action's write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terms {
    pub plan_value: Value,
    pub enforcement_enabled: bool,
    pub grace_count: i64,
    /// An override: its value and when it ends (none: no end).
    pub override_value: Option<(Value, Option<i64>)>,
    pub grace_used: i64,
}

impl Terms {
    /// The value in force at `now`.
    pub fn value_at(&self, now: i64) -> Value {
        match self.override_value {
            Some((value, until)) if until.is_none_or(|t| now < t) => value,
            _ => self.plan_value,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// Allowed past the limit; this uses grace unit `used` of `total`.
    AllowWithGrace {
        used: i64,
        total: i64,
    },
    /// Past the limit, allowed because the plan does not enforce it.
    WarnOnly {
        limit: i64,
    },
    Block {
        limit: i64,
    },
    Disallowed,
}

/// Whether `amount` (what there would be after the action: drafts, people, uses) is allowed.
pub fn decide(entitlement: Entitlement, terms: Terms, amount: i64, now: i64) -> Decision {
    let value = terms.value_at(now);
    if entitlement.is_feature() {
        return if value == Some(0) {
            Decision::Disallowed
        } else {
            Decision::Allow
        };
    }
    let Some(limit) = value else {
        return Decision::Allow;
    };
    if amount <= limit {
        Decision::Allow
    } else if !terms.enforcement_enabled {
        Decision::WarnOnly { limit }
    } else if terms.grace_used < terms.grace_count {
        Decision::AllowWithGrace {
            used: terms.grace_used + 1,
            total: terms.grace_count,
        }
    } else {
        Decision::Block { limit }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Entitlement::*;

    const NOW: i64 = 1_795_633_380_000;

    fn terms(plan_value: Value, enforced: bool, grace: i64, used: i64) -> Terms {
        Terms {
            plan_value,
            enforcement_enabled: enforced,
            grace_count: grace,
            override_value: None,
            grace_used: used,
        }
    }

    #[test]
    fn the_decision_table() {
        let table: Vec<(Entitlement, Terms, i64, Decision)> = vec![
            // Room under the limit, exactly at it, unlimited.
            (DraftsMax, terms(Some(3), true, 0, 0), 2, Decision::Allow),
            (DraftsMax, terms(Some(3), true, 0, 0), 3, Decision::Allow),
            (DraftsMax, terms(None, true, 0, 0), 10_000, Decision::Allow),
            // Over: grace first, then blocked; enforcement off only warns.
            (
                DraftsMax,
                terms(Some(3), true, 2, 0),
                4,
                Decision::AllowWithGrace { used: 1, total: 2 },
            ),
            (
                DraftsMax,
                terms(Some(3), true, 2, 1),
                5,
                Decision::AllowWithGrace { used: 2, total: 2 },
            ),
            (
                DraftsMax,
                terms(Some(3), true, 2, 2),
                6,
                Decision::Block { limit: 3 },
            ),
            (
                DraftsMax,
                terms(Some(3), true, 0, 0),
                4,
                Decision::Block { limit: 3 },
            ),
            (
                CollaboratorsMax,
                terms(Some(2), false, 0, 0),
                3,
                Decision::WarnOnly { limit: 2 },
            ),
            (
                InvitesMaxUses,
                terms(Some(5), true, 0, 0),
                6,
                Decision::Block { limit: 5 },
            ),
            // Features.
            (
                AnalyticsEnabled,
                terms(Some(0), true, 2, 0),
                1,
                Decision::Disallowed,
            ),
            (
                AnalyticsEnabled,
                terms(Some(0), false, 0, 0),
                1,
                Decision::Disallowed,
            ),
            (
                SharecardsImages,
                terms(Some(1), true, 0, 0),
                1,
                Decision::Allow,
            ),
        ];
        for (entitlement, terms, amount, expected) in table {
            assert_eq!(
                decide(entitlement, terms, amount, NOW),
                expected,
                "{entitlement:?} {terms:?} {amount}"
            );
        }
    }

    #[test]
    fn overrides_win_while_in_force() {
        let mut t = terms(Some(3), true, 0, 0);
        t.override_value = Some((Some(10), Some(NOW + 1)));
        assert_eq!(decide(DraftsMax, t, 8, NOW), Decision::Allow);
        assert_eq!(
            decide(DraftsMax, t, 8, NOW + 1),
            Decision::Block { limit: 3 },
            "expired at its end"
        );
        t.override_value = Some((None, None));
        assert_eq!(
            decide(DraftsMax, t, 1_000, NOW),
            Decision::Allow,
            "unlimited, no end"
        );
        t.override_value = Some((Some(1), None));
        assert_eq!(
            decide(DraftsMax, t, 2, NOW),
            Decision::Block { limit: 1 },
            "an override can lower too"
        );
        let mut feature = terms(Some(0), true, 0, 0);
        feature.override_value = Some((Some(1), None));
        assert_eq!(decide(AnalyticsEnabled, feature, 1, NOW), Decision::Allow);
    }
}
