//! Publishing's job on the server's job runner: one run of a publication
//! (`service::run`). A run that ends with an error is retried with the runner's backoff;
//! on its last attempt the publication is marked failed with the reason.

use super::service::{self, Ran, JOB};
use crate::jobs::{Job, Runner};
use crate::server::state::AppState;

fn publication_id(job: &Job) -> Result<String, String> {
    serde_json::from_str::<serde_json::Value>(&job.payload)
        .ok()
        .and_then(|v| {
            v.get("publication_id")
                .and_then(|f| f.as_str())
                .map(str::to_owned)
        })
        .ok_or_else(|| "job payload without publication_id".to_owned())
}

/// Adds publishing's job to `runner`.
pub fn register(runner: Runner) -> Runner {
    runner.handle(JOB, |state: AppState, job: Job| async move {
        let id = publication_id(&job)?;
        let last = job.attempts >= job.max_attempts;
        match service::run(&state, &id, last).await? {
            Ran::Done | Ran::Stopped | Ran::Waiting => Ok(()),
        }
    })
}
