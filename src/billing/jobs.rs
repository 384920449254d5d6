//! Billing's background jobs, registered on the server's job runner.

use std::time::Duration;

use super::service::{self, EVENT_JOB, PERIOD_END_JOB, RECONCILE_JOB};
use crate::jobs::{Job, Runner};
use crate::server::state::AppState;

/// How often every subscription is compared with Stripe's.
pub const RECONCILE_EVERY: Duration = Duration::from_secs(3600);

fn field(job: &Job, name: &str) -> Result<String, String> {
    serde_json::from_str::<serde_json::Value>(&job.payload)
        .ok()
        .and_then(|v| v.get(name).and_then(|f| f.as_str()).map(str::to_owned))
        .ok_or_else(|| format!("job payload without {name}"))
}

/// Adds billing's jobs to `runner` (when billing is on).
pub fn register(runner: Runner, billing_on: bool) -> Runner {
    if !billing_on {
        return runner;
    }
    runner
        .handle(EVENT_JOB, |state: AppState, job: Job| async move {
            service::process(&state, &field(&job, "event_id")?)
                .await
                .map(|_| ())
        })
        .handle(PERIOD_END_JOB, |state: AppState, job: Job| async move {
            service::recheck(&state, &field(&job, "user_id")?).await
        })
        .handle(RECONCILE_JOB, |state: AppState, _job: Job| async move {
            let report = service::reconcile(&state, None).await;
            if !report.fixes.is_empty() {
                tracing::info!(
                    fixed = report.fixes.len(),
                    "reconciliation fixed subscriptions that differed from Stripe's"
                );
            }
            report.error.map_or(Ok(()), Err)
        })
        .every(RECONCILE_JOB, RECONCILE_EVERY)
}
