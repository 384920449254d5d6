//! Work a PostgreSQL write leaves for just after its commit, done before its caller hears
//! that the write succeeded.
//!
//! For derived data whose rows many writes share (a person's analytics rollups): updated in
//! the write's own transaction, such a row stays locked until that transaction's commit has
//! reached the disk, so every other write touching it waits a flush behind it. Done in a
//! short transaction of its own just after, the lock lasts a statement. The write must leave
//! a durable note of the work in its own transaction, so that work lost to a crash in
//! between is found and done again (see `analytics::events` for the one user).

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;

use super::Db;

/// The work: given the database, it runs to completion (and reports its own failures).
pub type FollowUp = Box<dyn FnOnce(Db) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send>;

tokio::task_local! {
    static FOLLOW_UPS: RefCell<Vec<FollowUp>>;
}

/// From inside a PostgreSQL write ([`Db::write`]), leaves `work` for just after its commit.
/// Anywhere else (SQLite's group commit, or a transaction not run by [`Db::write`]) it hands
/// `work` back, and the caller does it inside its transaction instead.
pub fn after_this_commit(work: FollowUp) -> Result<(), FollowUp> {
    let mut work = Some(work);
    // Outside a scope `try_with` fails and `work` is still there to hand back.
    let _ = FOLLOW_UPS.try_with(|follow_ups| follow_ups.borrow_mut().extend(work.take()));
    work.map_or(Ok(()), Err)
}

/// Runs `write`, collecting the follow-ups it leaves.
pub(super) async fn collecting<T>(write: impl Future<Output = T>) -> (T, Vec<FollowUp>) {
    FOLLOW_UPS
        .scope(RefCell::new(Vec::new()), async {
            let out = write.await;
            (out, FOLLOW_UPS.with(|follow_ups| follow_ups.take()))
        })
        .await
}

/// Runs follow-ups one after another, in the order they were left.
pub(super) async fn run(db: &Db, follow_ups: Vec<FollowUp>) {
    for work in follow_ups {
        work(db.clone()).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noting(into: std::sync::Arc<std::sync::Mutex<Vec<u8>>>, n: u8) -> FollowUp {
        Box::new(move |_db| {
            Box::pin(async move {
                if let Ok(mut seen) = into.lock() {
                    seen.push(n);
                }
            })
        })
    }

    #[tokio::test]
    async fn outside_a_write_the_work_comes_back() {
        let seen = std::sync::Arc::default();
        assert!(after_this_commit(noting(seen, 1)).is_err());
    }

    #[tokio::test]
    async fn inside_a_write_the_work_is_collected_in_order() {
        let seen: std::sync::Arc<std::sync::Mutex<Vec<u8>>> = std::sync::Arc::default();
        let (value, follow_ups) = collecting(async {
            assert!(after_this_commit(noting(seen.clone(), 1)).is_ok());
            assert!(after_this_commit(noting(seen.clone(), 2)).is_ok());
            7
        })
        .await;
        assert_eq!((value, follow_ups.len()), (7, 2));
        let dir = std::env::temp_dir().join(format!("onering-fu-{}", uuid::Uuid::new_v4()));
        let url = format!("sqlite://{}/t.db", dir.display());
        let Ok(db) = Db::connect(&url, 1).await else {
            panic!("a scratch database");
        };
        run(&db, follow_ups).await;
        assert_eq!(
            seen.lock().map(|s| s.clone()).unwrap_or_default(),
            vec![1, 2]
        );
        db.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }
}
