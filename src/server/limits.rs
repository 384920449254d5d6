//! Per-user budgets for changes, so that one account cannot monopolise the writer (on SQLite
//! every write of every user goes through one writer task). Counted per server in memory:
//! the writer they protect is per server too. A change over budget is refused before it is
//! queued, with 429 and `Retry-After`.

use std::time::Duration;

use super::config::MutationLimits;
use super::rate_limit::RateLimiter;
use crate::error::AppError;

#[derive(Debug)]
pub struct MutationLimiter {
    appends: RateLimiter<String>,
    drafts_created: RateLimiter<String>,
    invites_created: RateLimiter<String>,
    ring_passes: RateLimiter<String>,
    other: RateLimiter<String>,
}

impl MutationLimiter {
    pub fn new(limits: MutationLimits) -> Self {
        let per_minute = |n| RateLimiter::new(n, Duration::from_secs(60));
        Self {
            appends: per_minute(limits.appends),
            drafts_created: per_minute(limits.drafts_created),
            invites_created: per_minute(limits.invites_created),
            ring_passes: per_minute(limits.ring_passes),
            other: per_minute(limits.other),
        }
    }

    /// Counts one `operation` (the idempotency operation name) by `user_id`.
    pub fn check(&self, operation: &str, user_id: &str) -> Result<(), AppError> {
        let limiter = match operation {
            "drafts.append" => &self.appends,
            "drafts.create" => &self.drafts_created,
            "invites.create" => &self.invites_created,
            "drafts.pass_ring" => &self.ring_passes,
            _ => &self.other,
        };
        limiter
            .check(&user_id.to_owned())
            .map_err(|retry_after_s| AppError::RateLimited { retry_after_s })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_change_has_its_own_budget_per_user() {
        let limiter = MutationLimiter::new(MutationLimits {
            appends: 2,
            drafts_created: 1,
            invites_created: 1,
            ring_passes: 1,
            other: 1,
        });
        assert!(limiter.check("drafts.append", "ada").is_ok());
        assert!(limiter.check("drafts.append", "ada").is_ok());
        assert!(matches!(
            limiter.check("drafts.append", "ada"),
            Err(AppError::RateLimited { retry_after_s }) if retry_after_s > 0
        ));
        assert!(limiter.check("drafts.append", "bob").is_ok(), "per user");
        assert!(limiter.check("drafts.create", "ada").is_ok(), "per kind");
        assert!(limiter.check("drafts.set_role", "ada").is_ok());
        assert!(
            limiter.check("drafts.edit_segment", "ada").is_err(),
            "others share one"
        );
    }
}
