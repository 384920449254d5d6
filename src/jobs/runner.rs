//! The worker loop: every server runs one. Each pass enqueues the periodic jobs' current
//! slots, claims what is due and runs it, each job with a time limit inside its lease.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::store::{self, Job, NewJob, Outcome, LEASE_MS};
use crate::error::AppError;
use crate::server::state::AppState;

type HandlerFuture = Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;
type Handler = Arc<dyn Fn(AppState, Job) -> HandlerFuture + Send + Sync>;

/// Jobs claimed per pass.
const BATCH: i64 = 16;

/// The job kinds this server runs and how.
#[derive(Clone)]
pub struct Runner {
    state: AppState,
    handlers: HashMap<String, Handler>,
    periodic: Vec<(String, i64)>,
    /// The last slot each periodic kind was enqueued for by this server (one write per slot).
    enqueued_slots: Arc<Mutex<HashMap<String, i64>>>,
}

impl std::fmt::Debug for Runner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runner")
            .field("kinds", &self.kinds())
            .field("periodic", &self.periodic)
            .finish_non_exhaustive()
    }
}

impl Runner {
    pub fn new(state: AppState) -> Self {
        Self {
            state,
            handlers: HashMap::new(),
            periodic: Vec::new(),
            enqueued_slots: Arc::default(),
        }
    }

    /// Runs jobs of `kind` with `handler`. An `Err` (a message without secrets) is retried
    /// with backoff until the job is out of attempts.
    pub fn handle<F, Fut>(mut self, kind: &str, handler: F) -> Self
    where
        F: Fn(AppState, Job) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), String>> + Send + 'static,
    {
        let handler: Handler = Arc::new(move |state, job| Box::pin(handler(state, job)));
        self.handlers.insert(kind.to_owned(), handler);
        self
    }

    /// Runs a job of `kind` (which needs a handler) once per `period`, on one server: each
    /// slot (`now / period`) is one job, keyed by the slot.
    pub fn every(mut self, kind: &str, period: Duration) -> Self {
        let period_ms = i64::try_from(period.as_millis()).unwrap_or(i64::MAX).max(1);
        self.periodic.push((kind.to_owned(), period_ms));
        self
    }

    fn kinds(&self) -> Vec<String> {
        let mut kinds: Vec<String> = self.handlers.keys().cloned().collect();
        kinds.sort();
        kinds
    }

    /// One pass at `now`: enqueues the periodic slots, then claims and runs what is due.
    /// Returns how many jobs ran.
    pub async fn run_due(&self, now: i64) -> Result<usize, AppError> {
        self.enqueue_periodic(now).await?;
        let jobs = store::claim(&self.state.db, self.kinds(), BATCH, now).await?;
        let ran = jobs.len();
        let runs = jobs.into_iter().map(|job| self.run(job));
        futures_util::future::join_all(runs).await;
        Ok(ran)
    }

    async fn enqueue_periodic(&self, now: i64) -> Result<(), AppError> {
        for (kind, period_ms) in &self.periodic {
            let slot = now / period_ms;
            let already = self
                .enqueued_slots
                .lock()
                .map(|slots| slots.get(kind) == Some(&slot))
                .unwrap_or(false);
            if already {
                continue;
            }
            let key = format!("slot-{slot}");
            let job = NewJob::new(kind, &key, "{}".to_owned(), slot * period_ms);
            store::enqueue_now(&self.state.db, job).await?;
            if let Ok(mut slots) = self.enqueued_slots.lock() {
                slots.insert(kind.clone(), slot);
            }
        }
        Ok(())
    }

    /// Runs one job in a task of its own (a panic fails the job, not the worker), within
    /// half its lease, and records how it ended.
    async fn run(&self, job: Job) {
        let Some(handler) = self.handlers.get(&job.kind).cloned() else {
            return;
        };
        let limit = Duration::from_millis(u64::try_from(LEASE_MS / 2).unwrap_or(60_000));
        let task = tokio::spawn(tokio::time::timeout(
            limit,
            handler(self.state.clone(), job.clone()),
        ));
        let outcome = match task.await {
            Ok(Ok(Ok(()))) => Outcome::Done,
            Ok(Ok(Err(error))) => Outcome::Failed(error),
            Ok(Err(_elapsed)) => Outcome::Failed("timed out".to_owned()),
            Err(_join) => Outcome::Failed("the job's task failed".to_owned()),
        };
        if let Outcome::Failed(error) = &outcome {
            tracing::warn!(kind = %job.kind, key = %job.dedupe_key, attempt = job.attempts, error = %error, "job failed");
        }
        if store::finish(&self.state.db, &job, outcome, crate::db::now_ms())
            .await
            .is_err()
        {
            tracing::warn!(kind = %job.kind, "could not record a job's end; its lease will lapse and it runs again");
        }
    }

    /// Runs a pass every `poll` until the process ends.
    pub fn start(self, poll: Duration) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(poll);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                if self.run_due(crate::db::now_ms()).await.is_err() {
                    tracing::warn!("the job runner's pass failed; trying again");
                }
            }
        })
    }
}
