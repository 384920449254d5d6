//! The job runner on SQLite and PostgreSQL: each job claimed by one worker however many
//! compete, a lapsed lease taken over, failures retried with backoff and then left failed,
//! periodic slots run once across servers, the same work enqueued twice kept once, and the
//! queue's own bookkeeping not counted as a write that caches must see, nor made at all when
//! nothing is due.

mod common;

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::TestApp;
use onering::jobs::store::{self, Outcome, BACKOFF_BASE_MS, LEASE_MS};
use onering::jobs::{NewJob, Runner};

on_both_backends!(
    competing_claimers_take_each_job_once,
    a_lapsed_lease_is_taken_over_and_the_late_worker_changes_nothing,
    failures_back_off_and_end_failed_with_the_last_error,
    a_periodic_slot_runs_once_across_servers,
    the_same_work_enqueued_twice_is_one_job,
    the_queues_bookkeeping_leaves_the_write_count_alone,
    a_poll_with_nothing_due_writes_nothing,
);

const NOW: i64 = 1_800_000_000_000;

async fn enqueue(app: &TestApp, kind: &str, key: &str, run_at: i64) -> bool {
    store::enqueue_now(&app.db, NewJob::new(kind, key, "{}".to_owned(), run_at))
        .await
        .unwrap_or_else(|err| panic!("enqueue: {err}"))
}

async fn competing_claimers_take_each_job_once(app: &TestApp) {
    for n in 0..60 {
        enqueue(app, "test.work", &format!("job-{n}"), NOW - 1_000 + n).await;
    }
    enqueue(app, "test.later", "not-due", NOW + 1_000).await;
    enqueue(app, "test.work", "not-due", NOW + 1).await;
    let mut claimers = Vec::new();
    for _ in 0..6 {
        let db = app.db.clone();
        claimers.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let claimed = store::claim(&db, vec!["test.work".to_owned()], 4, NOW)
                    .await
                    .unwrap_or_default();
                if claimed.is_empty() {
                    return mine;
                }
                mine.extend(claimed.into_iter().map(|job| job.dedupe_key));
            }
        }));
    }
    let mut all = Vec::new();
    for claimer in claimers {
        all.extend(claimer.await.unwrap_or_default());
    }
    let unique: HashSet<&String> = all.iter().collect();
    assert_eq!(all.len(), 60, "every due job claimed once");
    assert_eq!(unique.len(), 60);
    assert!(!unique.contains(&"not-due".to_owned()));
}

async fn a_lapsed_lease_is_taken_over_and_the_late_worker_changes_nothing(app: &TestApp) {
    enqueue(app, "test.work", "only", NOW).await;
    let kinds = || vec!["test.work".to_owned()];
    let first = store::claim(&app.db, kinds(), 10, NOW)
        .await
        .unwrap_or_default();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].attempts, 1);
    // Within the lease nobody else gets it.
    let during = store::claim(&app.db, kinds(), 10, NOW + LEASE_MS - 1)
        .await
        .unwrap_or_default();
    assert!(during.is_empty());
    // The first server died: after the lease, another takes it over.
    let second = store::claim(&app.db, kinds(), 10, NOW + LEASE_MS)
        .await
        .unwrap_or_default();
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].attempts, 2);
    // The first worker comes back and reports failure: ignored, the job is the second's.
    store::finish(
        &app.db,
        &first[0],
        Outcome::Failed("late".into()),
        NOW + LEASE_MS + 1,
    )
    .await
    .unwrap_or_else(|err| panic!("{err}"));
    let rows = store::list(&app.db, "test.work").await.unwrap_or_default();
    assert_eq!(rows[0].status, "running");
    store::finish(&app.db, &second[0], Outcome::Done, NOW + LEASE_MS + 2)
        .await
        .unwrap_or_else(|err| panic!("{err}"));
    let rows = store::list(&app.db, "test.work").await.unwrap_or_default();
    assert_eq!(
        (rows[0].status.as_str(), rows[0].last_error.as_deref()),
        ("done", None)
    );
}

async fn failures_back_off_and_end_failed_with_the_last_error(app: &TestApp) {
    let runs = Arc::new(AtomicUsize::new(0));
    let counter = runs.clone();
    let runner = Runner::new(app.state.clone()).handle("test.flaky", move |_, job| {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            Err(format!("attempt {} failed", job.attempts))
        }
    });
    let job = NewJob {
        max_attempts: 3,
        ..NewJob::new("test.flaky", "k", "{}".to_owned(), NOW)
    };
    store::enqueue_now(&app.db, job)
        .await
        .unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(runner.run_due(NOW).await.ok(), Some(1));
    let row = &store::list(&app.db, "test.flaky").await.unwrap_or_default()[0];
    assert_eq!((row.status.as_str(), row.attempts), ("queued", 1));
    assert_eq!(row.last_error.as_deref(), Some("attempt 1 failed"));
    let delay = row.run_at - onering::db::now_ms();
    assert!(
        (BACKOFF_BASE_MS * 7 / 10..=BACKOFF_BASE_MS * 12 / 10).contains(&delay),
        "first retry after about 5 s, was {delay} ms"
    );
    // Not before it is due.
    assert_eq!(runner.run_due(row.run_at - 1).await.ok(), Some(0));
    let far = onering::db::now_ms() + 10 * 3_600_000;
    assert_eq!(runner.run_due(far).await.ok(), Some(1));
    let row = &store::list(&app.db, "test.flaky").await.unwrap_or_default()[0];
    let delay = row.run_at - onering::db::now_ms();
    assert!(
        delay >= BACKOFF_BASE_MS * 2 * 8 / 10,
        "the second waits about twice as long: {delay}"
    );
    assert_eq!(runner.run_due(far + 1).await.ok(), Some(1));
    let row = &store::list(&app.db, "test.flaky").await.unwrap_or_default()[0];
    assert_eq!(
        (row.status.as_str(), row.attempts),
        ("failed", 3),
        "left for an admin"
    );
    assert_eq!(row.last_error.as_deref(), Some("attempt 3 failed"));
    assert_eq!(
        runner.run_due(far * 2).await.ok(),
        Some(0),
        "never run again"
    );
    assert_eq!(runs.load(Ordering::SeqCst), 3);
}

async fn a_periodic_slot_runs_once_across_servers(app: &TestApp) {
    let runs = Arc::new(AtomicUsize::new(0));
    let make = |runs: Arc<AtomicUsize>| {
        Runner::new(app.state.clone())
            .handle("test.hourly", move |_, _| {
                let runs = runs.clone();
                async move {
                    runs.fetch_add(1, Ordering::SeqCst);
                    Ok(())
                }
            })
            .every("test.hourly", std::time::Duration::from_secs(3600))
    };
    let (one, two) = (make(runs.clone()), make(runs.clone()));
    let hour = 3_600_000;
    let slot_start = NOW - NOW % hour;
    let (a, b) = tokio::join!(one.run_due(slot_start + 10), two.run_due(slot_start + 10));
    assert_eq!(a.unwrap_or(0) + b.unwrap_or(0), 1);
    for at in [slot_start + 20, slot_start + hour - 1] {
        one.run_due(at).await.ok();
        two.run_due(at).await.ok();
    }
    assert_eq!(runs.load(Ordering::SeqCst), 1, "one run in the slot");
    two.run_due(slot_start + hour).await.ok();
    one.run_due(slot_start + hour + 5).await.ok();
    assert_eq!(runs.load(Ordering::SeqCst), 2, "and one in the next");
    let rows = store::list(&app.db, "test.hourly")
        .await
        .unwrap_or_default();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.status == "done"));
}

async fn the_same_work_enqueued_twice_is_one_job(app: &TestApp) {
    assert!(enqueue(app, "test.work", "same", NOW).await);
    assert!(!enqueue(app, "test.work", "same", NOW + 5).await);
    assert!(
        enqueue(app, "test.other", "same", NOW).await,
        "keys are per kind"
    );
    let rows = store::list(&app.db, "test.work").await.unwrap_or_default();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].run_at, NOW, "the first is kept as it is");
    // Finished jobs are purged after a week; failed ones stay.
    let claimed = store::claim(
        &app.db,
        vec!["test.work".to_owned(), "test.other".to_owned()],
        10,
        NOW,
    )
    .await
    .unwrap_or_default();
    assert_eq!(claimed.len(), 2);
    let finished_at = onering::db::now_ms();
    store::finish(&app.db, &claimed[0], Outcome::Done, finished_at)
        .await
        .ok();
    let failing = NewJob {
        max_attempts: 1,
        ..NewJob::new("test.failing", "f", "{}".to_owned(), NOW)
    };
    store::enqueue_now(&app.db, failing).await.ok();
    let failed = store::claim(&app.db, vec!["test.failing".to_owned()], 1, NOW)
        .await
        .unwrap_or_default();
    store::finish(
        &app.db,
        &failed[0],
        Outcome::Failed("no".into()),
        finished_at,
    )
    .await
    .ok();
    let far = finished_at + store::KEEP_FINISHED_MS + 1;
    assert_eq!(store::purge_finished(&app.db, far).await.ok(), Some(1));
    assert_eq!(
        store::list(&app.db, "test.failing")
            .await
            .unwrap_or_default()
            .len(),
        1
    );
}

/// Caches stamped with the server's write count (the leaderboards' open part) are read
/// again after any counted write: the runner's polls, made twice a second whether or not
/// anything is due, must not count.
async fn the_queues_bookkeeping_leaves_the_write_count_alone(app: &TestApp) {
    enqueue(app, "test.work", "counted", NOW - 1).await;
    let before = app.db.commits();
    let kinds = vec!["test.work".to_owned()];
    let claimed = store::claim(&app.db, kinds.clone(), 4, NOW)
        .await
        .unwrap_or_else(|err| panic!("claim: {err}"));
    assert_eq!(claimed.len(), 1);
    let nothing = store::claim(&app.db, kinds, 4, NOW)
        .await
        .unwrap_or_else(|err| panic!("claim: {err}"));
    assert!(nothing.is_empty());
    store::finish(&app.db, &claimed[0], Outcome::Done, NOW)
        .await
        .unwrap_or_else(|err| panic!("finish: {err}"));
    assert_eq!(app.db.commits(), before);
    enqueue(app, "test.work", "counted too", NOW).await;
    assert_eq!(
        app.db.commits(),
        before + 1,
        "an enqueue is a write like any other"
    );
}

/// The runner polls twice a second and nearly always finds nothing: that must not be a write
/// (on SQLite an fsync through the writer every request queues for). Shown by holding the
/// queue's write lock from another connection: a poll with nothing due answers at once.
async fn a_poll_with_nothing_due_writes_nothing(app: &TestApp) {
    use sqlx::Connection;
    enqueue(app, "test.work", "later", NOW + 60_000).await;
    let mut blocker = sqlx::AnyConnection::connect(&app.database_url)
        .await
        .unwrap_or_else(|err| panic!("connect: {err}"));
    let lock = match app.backend {
        common::Backend::Sqlite => "BEGIN IMMEDIATE",
        common::Backend::Postgres => "BEGIN; LOCK TABLE jobs IN EXCLUSIVE MODE",
    };
    sqlx::raw_sql(lock)
        .execute(&mut blocker)
        .await
        .unwrap_or_else(|err| panic!("lock: {err}"));
    let kinds = vec!["test.work".to_owned()];
    let polled = tokio::time::timeout(
        std::time::Duration::from_secs(2),
        store::claim(&app.db, kinds.clone(), 4, NOW),
    )
    .await
    .expect("a poll with nothing due waits for no lock");
    assert!(polled
        .unwrap_or_else(|err| panic!("claim: {err}"))
        .is_empty());
    sqlx::raw_sql("ROLLBACK")
        .execute(&mut blocker)
        .await
        .unwrap_or_else(|err| panic!("unlock: {err}"));
    let due = store::claim(&app.db, kinds, 4, NOW + 60_000)
        .await
        .unwrap_or_else(|err| panic!("claim: {err}"));
    assert_eq!(due.len(), 1, "once due, the job is claimed");
}
