//! Group commit for SQLite: concurrent writes share one transaction and one durable commit.
//!
//! With `synchronous=FULL` every commit waits for the disk, and one commit per write caps
//! throughput at the disk's flush rate (about 1,000/s here). SQLite has one writer at a time
//! anyway, so one writer task per process takes whatever writes are waiting (up to
//! [`MAX_BATCH`]), runs each in its own savepoint inside one transaction, commits once, and
//! only then answers each caller: an acknowledged write is on disk, a failed one left no
//! trace, and the batch's writes are applied in order, one after another.
//!
//! One write never harms another: a write that panics fails alone (its savepoint is rolled
//! back and its caller gets an internal error; the writer carries on), and if the database
//! abandons the whole transaction by itself (an I/O error, a full disk), the batch stops
//! right there: every write in it is refused, none of the rest runs, and nothing is ever
//! committed outside the batch's transaction.
//!
//! PostgreSQL needs none of this: its concurrent transactions already share WAL flushes,
//! and batching them into one would serialise writes that row locks let run side by side
//! (and could deadlock two batches). There, each write runs in its own transaction
//! ([`Db::write`]).

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;

use tokio::sync::{mpsc, oneshot};
use tracing::Instrument;

use super::{Db, Tx};
use crate::error::AppError;

/// The work one write does inside the shared transaction.
pub type TxFuture<'tx, T> = Pin<Box<dyn Future<Output = Result<T, AppError>> + Send + 'tx>>;
/// A write: runs against the transaction and yields its response, serialised.
pub type Job = Box<dyn for<'tx> FnOnce(&'tx mut Tx) -> TxFuture<'tx, String> + Send>;

/// Writes waiting beyond this many go in the next batch.
pub const MAX_BATCH: usize = 128;
const QUEUE: usize = 4096;

/// A write, who waits for it, and the span of the request that asked for it (its statements
/// are logged under that request, though the writer task runs them).
type Request = (
    Job,
    oneshot::Sender<Result<String, AppError>>,
    tracing::Span,
);

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
        let span = tracing::Span::current();
        if self.sender.send((job, reply, span)).await.is_err() {
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
                .map(|(_, reply, _)| (reply, Err(error.clone())))
                .collect();
        }
    };
    let mut waiting = requests.into_iter();
    let mut lost = false;
    for (job, reply, span) in waiting.by_ref() {
        match run_in_savepoint(&mut tx, job, span).await {
            Ok(outcome) => outcomes.push((reply, outcome)),
            Err(TransactionLost) => {
                outcomes.push((reply, Err(AppError::Internal)));
                lost = true;
                break;
            }
        }
    }
    if lost {
        tracing::error!(
            refused = outcomes.len() + waiting.len(),
            "the batch's transaction was rolled back by the database; every write in it is refused"
        );
        for (_, outcome) in &mut outcomes {
            *outcome = Err(AppError::Internal);
        }
        outcomes.extend(waiting.map(|(_, reply, _)| (reply, Err(AppError::Internal))));
        // Dropped unfinished: its connection is closed, never reused.
        drop(tx);
        return outcomes;
    }
    if let Err(err) = tx.commit().await {
        tracing::error!(error = %err, "group commit failed; the whole batch is refused");
        for (_, outcome) in &mut outcomes {
            *outcome = Err(AppError::Internal);
        }
    }
    outcomes
}

/// The batch's transaction is gone: a savepoint could not be made or ended.
struct TransactionLost;

/// Runs `job` in a savepoint of the batch's transaction. The job's own outcome is its
/// caller's; `Err(TransactionLost)` means the transaction itself no longer exists.
async fn run_in_savepoint(
    tx: &mut Tx,
    job: Job,
    span: tracing::Span,
) -> Result<Result<String, AppError>, TransactionLost> {
    let savepoint = |sql: &'static str| sqlx::query(sql);
    if let Err(err) = savepoint("SAVEPOINT write").execute(&mut **tx).await {
        tracing::error!(error = %err, "could not open a savepoint");
        return Err(TransactionLost);
    }
    let outcome = run_catching_panics(tx, job).instrument(span).await;
    let ended = if outcome.is_ok() {
        savepoint("RELEASE SAVEPOINT write")
            .execute(&mut **tx)
            .await
    } else {
        match savepoint("ROLLBACK TO SAVEPOINT write")
            .execute(&mut **tx)
            .await
        {
            Ok(_) => {
                savepoint("RELEASE SAVEPOINT write")
                    .execute(&mut **tx)
                    .await
            }
            Err(err) => Err(err),
        }
    };
    match ended {
        Ok(_) => Ok(outcome),
        Err(err) => {
            tracing::error!(error = %err, "could not end a savepoint");
            Err(TransactionLost)
        }
    }
}

/// Runs `job`; a panic in it becomes an internal error for its caller alone.
pub(super) async fn run_catching_panics(tx: &mut Tx, job: Job) -> Result<String, AppError> {
    use futures_util::FutureExt as _;
    use std::panic::AssertUnwindSafe;
    let future = match std::panic::catch_unwind(AssertUnwindSafe(|| job(&mut *tx))) {
        Ok(future) => future,
        Err(_) => return Err(panicked()),
    };
    AssertUnwindSafe(future)
        .catch_unwind()
        .await
        .unwrap_or_else(|_| Err(panicked()))
}

fn panicked() -> AppError {
    tracing::error!("a write panicked; it alone is refused");
    AppError::Internal
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    async fn scratch_db() -> (Db, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("onering-gc-{}", uuid::Uuid::new_v4()));
        let url = format!("sqlite://{}/t.db", dir.display());
        let db = match Db::connect(&url, 4).await {
            Ok(db) => db,
            Err(err) => panic!("scratch database: {err}"),
        };
        let created = sqlx::query("CREATE TABLE t (x INTEGER NOT NULL)")
            .execute(db.pool())
            .await;
        assert!(created.is_ok(), "{created:?}");
        (db, dir)
    }

    fn insert(x: i64) -> Job {
        Box::new(move |tx| {
            Box::pin(async move {
                sqlx::query("INSERT INTO t (x) VALUES ($1)")
                    .bind(x)
                    .execute(&mut **tx)
                    .await?;
                Ok(x.to_string())
            })
        })
    }

    async fn rows(db: &Db) -> Vec<i64> {
        sqlx::query_scalar("SELECT x FROM t ORDER BY x")
            .fetch_all(db.pool())
            .await
            .unwrap_or_default()
    }

    /// Writes waiting for the writer (sent, not yet taken).
    fn queued(db: &Db) -> usize {
        db.group_commit
            .as_ref()
            .map_or(0, |g| g.sender.max_capacity() - g.sender.capacity())
    }

    /// Holds the writer until `release` fires, so what is submitted meanwhile forms the
    /// next batch together.
    fn hold(started: oneshot::Sender<()>, release: oneshot::Receiver<()>) -> Job {
        Box::new(move |_| {
            Box::pin(async move {
                let _ = started.send(());
                let _ = release.await;
                Ok("held".to_owned())
            })
        })
    }

    async fn next_batch_of(db: &Db, jobs: Vec<Job>) -> Vec<Result<String, AppError>> {
        let (started_tx, started) = oneshot::channel();
        let (release, release_rx) = oneshot::channel();
        let holder = {
            let db = db.clone();
            tokio::spawn(async move { db.write(hold(started_tx, release_rx)).await })
        };
        let _ = started.await;
        let count = jobs.len();
        let writes: Vec<_> = jobs
            .into_iter()
            .map(|job| {
                let db = db.clone();
                tokio::spawn(async move { db.write(job).await })
            })
            .collect();
        while queued(db) < count {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let _ = release.send(());
        assert_eq!(holder.await.ok(), Some(Ok("held".to_owned())));
        let mut outcomes = Vec::new();
        for write in writes {
            outcomes.push(write.await.unwrap_or(Err(AppError::Internal)));
        }
        outcomes
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_write_that_panics_fails_alone_and_the_writer_carries_on() {
        let (db, dir) = scratch_db().await;
        let panics: Job = Box::new(|_| Box::pin(async { panic!("a bug in one write") }));
        let panics_at_once: Job = Box::new(|_| panic!("a bug before the write's future"));
        let outcomes = next_batch_of(&db, vec![insert(1), panics, insert(3), panics_at_once]).await;
        assert_eq!(outcomes[0], Ok("1".into()));
        assert_eq!(outcomes[1], Err(AppError::Internal));
        assert_eq!(outcomes[2], Ok("3".into()));
        assert_eq!(outcomes[3], Err(AppError::Internal));
        assert_eq!(
            db.write(insert(4)).await,
            Ok("4".into()),
            "later writes still run"
        );
        assert_eq!(rows(&db).await, vec![1, 3, 4]);
        db.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_transaction_the_database_rolled_back_fails_the_whole_batch() {
        let (db, dir) = scratch_db().await;
        // What SQLite does by itself on an I/O error or a full disk: the whole transaction
        // is gone, and the next statement would run in autocommit mode.
        let rolls_back: Job = Box::new(|tx| {
            Box::pin(async move {
                sqlx::query("ROLLBACK").execute(&mut **tx).await?;
                Ok("rolled back".to_owned())
            })
        });
        let outcomes = next_batch_of(&db, vec![insert(1), rolls_back, insert(3)]).await;
        assert!(
            outcomes.iter().all(|o| *o == Err(AppError::Internal)),
            "{outcomes:?}"
        );
        assert_eq!(
            rows(&db).await,
            Vec::<i64>::new(),
            "nothing committed on its own"
        );
        assert_eq!(
            db.write(insert(4)).await,
            Ok("4".into()),
            "the writer carries on"
        );
        assert_eq!(rows(&db).await, vec![4]);
        db.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }
}
