//! Group commit for SQLite: concurrent writes share one transaction and one durable commit.
//!
//! With `synchronous=FULL` every commit waits for the disk, and one commit per write caps
//! throughput at the disk's flush rate (about 1,000/s here). SQLite has one writer at a time
//! anyway, so one writer task per process takes whatever writes are waiting (up to
//! [`MAX_BATCH`]), runs each in its own savepoint inside one transaction, commits once, and
//! only then answers each caller: an acknowledged write is on disk, a failed one left no
//! trace, and the batch's writes are applied in order, one after another.
//!
//! PostgreSQL needs none of this: its concurrent transactions already share WAL flushes,
//! and batching them into one would serialise writes that row locks let run side by side
//! (and could deadlock two batches). There, each write runs in its own transaction
//! ([`Db::write`]).

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;

use tokio::sync::{mpsc, oneshot};

use super::{Db, Tx};
use crate::error::AppError;

/// The work one write does inside the shared transaction.
pub type TxFuture<'tx, T> = Pin<Box<dyn Future<Output = Result<T, AppError>> + Send + 'tx>>;
/// A write: runs against the transaction and yields its response, serialised.
pub type Job = Box<dyn for<'tx> FnOnce(&'tx mut Tx) -> TxFuture<'tx, String> + Send>;

/// Writes waiting beyond this many go in the next batch.
pub const MAX_BATCH: usize = 128;
const QUEUE: usize = 4096;

type Request = (Job, oneshot::Sender<Result<String, AppError>>);

/// What runs after a batch commits, with the topics its writes noted.
pub struct CommitHook(pub(super) Box<dyn Fn(Vec<String>) + Send + Sync>);

impl std::fmt::Debug for CommitHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CommitHook")
    }
}

tokio::task_local! {
    /// Topics the batch being written has changed.
    static CHANGED: RefCell<Vec<String>>;
}

/// Notes, from inside a group-commit write, that `topic` changed: once the batch commits,
/// the [`CommitHook`] hears of it, even if the request that wrote it has gone away. Returns
/// `false` outside a group commit (PostgreSQL writes).
pub fn note_changed(topic: &str) -> bool {
    CHANGED
        .try_with(|changed| changed.borrow_mut().push(topic.to_owned()))
        .is_ok()
}

#[derive(Clone, Debug)]
pub struct GroupCommit {
    sender: mpsc::Sender<Request>,
}

impl GroupCommit {
    /// Starts the writer task for `db` (which must not yet have one).
    pub fn start(db: Db) -> Self {
        let (sender, receiver) = mpsc::channel(QUEUE);
        tokio::spawn(write_batches(db, receiver));
        Self { sender }
    }

    /// Runs `job` in the next batch; returns once the batch is durably committed.
    pub async fn submit(&self, job: Job) -> Result<String, AppError> {
        let (reply, answer) = oneshot::channel();
        if self.sender.send((job, reply)).await.is_err() {
            tracing::error!("the group-commit writer has stopped");
            return Err(AppError::Internal);
        }
        answer.await.unwrap_or(Err(AppError::Internal))
    }
}

async fn write_batches(db: Db, mut receiver: mpsc::Receiver<Request>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while receiver.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let requests = std::mem::take(&mut batch);
        let (outcomes, changed) = CHANGED
            .scope(RefCell::new(Vec::new()), async {
                let outcomes = run_batch(&db, requests).await;
                (outcomes, CHANGED.with(RefCell::take))
            })
            .await;
        let committed = outcomes.iter().any(|(_, outcome)| outcome.is_ok());
        if let (true, false, Some(hook)) = (committed, changed.is_empty(), db.after_commit()) {
            (hook.0)(changed);
        }
        for (reply, outcome) in outcomes {
            let _ = reply.send(outcome);
        }
    }
}

type Outcomes = Vec<(
    oneshot::Sender<Result<String, AppError>>,
    Result<String, AppError>,
)>;

async fn run_batch(db: &Db, requests: Vec<Request>) -> Outcomes {
    let mut outcomes: Outcomes = Vec::with_capacity(requests.len());
    let mut tx = match db.begin_write().await {
        Ok(tx) => tx,
        Err(err) => {
            let error = AppError::from(err);
            return requests
                .into_iter()
                .map(|(_, reply)| (reply, Err(error.clone())))
                .collect();
        }
    };
    for (job, reply) in requests {
        let outcome = run_in_savepoint(&mut tx, job).await;
        outcomes.push((reply, outcome));
    }
    if let Err(err) = tx.commit().await {
        tracing::error!(error = %err, "group commit failed; the whole batch is refused");
        for (_, outcome) in &mut outcomes {
            *outcome = Err(AppError::Internal);
        }
    }
    outcomes
}

async fn run_in_savepoint(tx: &mut Tx, job: Job) -> Result<String, AppError> {
    sqlx::query("SAVEPOINT write").execute(&mut **tx).await?;
    let outcome = job(tx).await;
    let end = if outcome.is_ok() {
        "RELEASE SAVEPOINT write"
    } else {
        "ROLLBACK TO SAVEPOINT write"
    };
    sqlx::query(end).execute(&mut **tx).await?;
    if outcome.is_err() {
        sqlx::query("RELEASE SAVEPOINT write")
            .execute(&mut **tx)
            .await?;
    }
    outcome
}
