//! One query layer over SQLite (the embedded default) and PostgreSQL.
//!
//! Queries are runtime sqlx queries with `$N` placeholders through the `Any` driver, which
//! both backends understand; times are integer Unix milliseconds and ids are text. The few
//! places where the dialects truly differ go through [`Backend`].

mod follow_up;
pub mod group_commit;
mod migrate;

use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Connection, Executor};

pub use follow_up::{after_this_commit, FollowUp};
pub use migrate::{run_migrations, MigrationError};

use crate::error::AppError;

/// Which database engine the pool talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Self, DbSetupError> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else {
            Err(DbSetupError::UnsupportedUrl)
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }

    /// The statement that opens a transaction which reads and then writes.
    ///
    /// SQLite's default deferred transaction takes the write lock only at its first write;
    /// if another writer committed in between, that upgrade fails at once with SQLITE_BUSY
    /// (the busy timeout does not apply), so writers take the lock up front.
    fn begin_write_statement(self) -> &'static str {
        match self {
            Self::Sqlite => "BEGIN IMMEDIATE",
            Self::Postgres => "BEGIN",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbSetupError {
    #[error("DATABASE_URL must start with sqlite:// or postgres://")]
    UnsupportedUrl,
    #[error("could not create the database folder {path}: {source}")]
    Folder {
        path: String,
        source: std::io::Error,
    },
    #[error("could not connect to the {backend} database: {source}")]
    Connect {
        backend: &'static str,
        source: sqlx::Error,
    },
}

/// The shared connection pool, the backend it talks to, and the group-commit writer.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    group_commit: Option<group_commit::GroupCommit>,
    /// Told, after each group commit, which topics its writes noted as changed.
    after_commit: Arc<OnceLock<group_commit::CommitHook>>,
    /// Writes this server has committed (see [`Db::commits`]).
    commits: Arc<AtomicU64>,
}

/// A write transaction on a pooled connection of its own, begun and ended by hand so that
/// a connection whose transaction is in doubt never goes back to the pool: one dropped
/// before `commit`/`rollback` (a cancelled request, a panic) or whose transaction the
/// database abandoned is closed instead (and the database rolls it back).
///
/// It derefs to the connection, so statements run on it as `execute(&mut **tx)`.
pub struct Tx {
    conn: sqlx::pool::PoolConnection<sqlx::Any>,
    finished: bool,
}

impl Tx {
    async fn begin(pool: &AnyPool, statement: &str) -> Result<Self, sqlx::Error> {
        let mut conn = pool.acquire().await?;
        conn.execute(statement).await?;
        Ok(Self {
            conn,
            finished: false,
        })
    }

    pub async fn commit(mut self) -> Result<(), sqlx::Error> {
        self.conn.execute("COMMIT").await?;
        self.finished = true;
        Ok(())
    }

    pub async fn rollback(mut self) -> Result<(), sqlx::Error> {
        self.conn.execute("ROLLBACK").await?;
        self.finished = true;
        Ok(())
    }
}

impl std::ops::Deref for Tx {
    type Target = sqlx::AnyConnection;

    fn deref(&self) -> &Self::Target {
        &self.conn
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.conn
    }
}

impl Drop for Tx {
    fn drop(&mut self) {
        if !self.finished {
            self.conn.close_on_drop();
        }
    }
}

impl Db {
    /// Connects to `url`, creating a SQLite file (and its folder) on first start.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, DbSetupError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let url = match backend {
            Backend::Sqlite => prepare_sqlite_url(url)?,
            Backend::Postgres => url.to_owned(),
        };
        let options =
            AnyConnectOptions::from_str(&url).map_err(|source| DbSetupError::Connect {
                backend: backend.name(),
                source,
            })?;
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // Durable (synchronous=FULL: an acknowledged write survives power
                        // loss), concurrent readers (WAL), waits instead of failing on a
                        // held lock (busy_timeout), and referential integrity.
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
                        )
                        .await?;
                    } else {
                        // A write stuck behind another request's lock gives up after this
                        // long (idempotent writes answer 409 "already in progress").
                        conn.execute("SET lock_timeout = '5s'").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(|source| DbSetupError::Connect {
                backend: backend.name(),
                source,
            })?;
        let mut db = Self {
            pool,
            backend,
            group_commit: None,
            after_commit: Arc::new(OnceLock::new()),
            commits: Arc::default(),
        };
        if backend == Backend::Sqlite {
            db.group_commit = Some(group_commit::GroupCommit::start(db.clone()));
        }
        Ok(db)
    }

    /// Runs one write durably: on SQLite in the next group commit, on PostgreSQL in a
    /// transaction of its own, followed by the work it left for after its commit
    /// ([`after_this_commit`]). Returns once it is committed (and that work done).
    pub async fn write(&self, job: group_commit::Job) -> Result<String, AppError> {
        let written = self.write_uncounted(job).await;
        if written.is_ok() {
            self.commits.fetch_add(1, Ordering::Release);
        }
        written
    }

    /// How many writes this server has committed so far. A cache of something read from the
    /// database, stamped with this number taken *before* reading, is known to include every
    /// write this server acknowledged while the number stays the same (the count moves after
    /// the commit and before the writer hears of it).
    pub fn commits(&self) -> u64 {
        self.commits.load(Ordering::Acquire)
    }

    async fn write_uncounted(&self, job: group_commit::Job) -> Result<String, AppError> {
        match (&self.group_commit, self.backend) {
            (Some(writer), _) => writer.submit(job).await,
            (None, Backend::Postgres) => {
                // Every connection gives up on a lock after 5 s (set when it connects, see
                // `connect`), so a write stuck behind another's lock answers 409.
                let mut tx = self.begin_write().await?;
                let (written, follow_ups) =
                    follow_up::collecting(group_commit::run_catching_panics(&mut tx, job)).await;
                match written {
                    Ok(response) => {
                        tx.commit().await?;
                        follow_up::run(self, follow_ups).await;
                        Ok(response)
                    }
                    Err(error) => {
                        // A failed rollback leaves the connection to be closed on drop.
                        let _ = tx.rollback().await;
                        Err(error)
                    }
                }
            }
            (None, Backend::Sqlite) => {
                tracing::error!("a SQLite write was made from the group-commit writer itself");
                Err(AppError::Internal)
            }
        }
    }

    /// Runs `change` as one durable write (see [`Db::write`]) and returns its value.
    pub async fn write_with<T, F>(&self, change: F) -> Result<T, AppError>
    where
        T: serde::Serialize + serde::de::DeserializeOwned + Send + 'static,
        F: for<'tx> FnOnce(&'tx mut Tx) -> group_commit::TxFuture<'tx, T> + Send + 'static,
    {
        self.write_value(change, true).await
    }

    /// [`Db::write_with`] for the server's own bookkeeping (the job queue's leases and
    /// states), which nothing stamped with [`Db::commits`] reads: not counted there. Counted,
    /// the job runner's polls made every such cache stale twice a second.
    pub async fn write_bookkeeping<T, F>(&self, change: F) -> Result<T, AppError>
    where
        T: serde::Serialize + serde::de::DeserializeOwned + Send + 'static,
        F: for<'tx> FnOnce(&'tx mut Tx) -> group_commit::TxFuture<'tx, T> + Send + 'static,
    {
        self.write_value(change, false).await
    }

    async fn write_value<T, F>(&self, change: F, counted: bool) -> Result<T, AppError>
    where
        T: serde::Serialize + serde::de::DeserializeOwned + Send + 'static,
        F: for<'tx> FnOnce(&'tx mut Tx) -> group_commit::TxFuture<'tx, T> + Send + 'static,
    {
        let job: group_commit::Job = Box::new(move |tx| {
            Box::pin(async move {
                let value = change(tx).await?;
                serde_json::to_string(&value).map_err(|err| {
                    tracing::error!(error = %err, "a write's value did not serialise");
                    AppError::Internal
                })
            })
        });
        let written = if counted {
            self.write(job).await?
        } else {
            self.write_uncounted(job).await?
        };
        serde_json::from_str(&written).map_err(|err| {
            tracing::error!(error = %err, "a write's value did not decode");
            AppError::Internal
        })
    }

    /// Deletes old rows in chunks, each its own write, so a large purge never holds the
    /// writer for long. `delete_sql` binds `cutoffs` as `$1…$n` and the chunk size as the
    /// next parameter (a `LIMIT` in a subquery that picks the rows). Returns how many went.
    pub async fn purge(
        &self,
        delete_sql: &'static str,
        cutoffs: Vec<i64>,
    ) -> Result<u64, AppError> {
        const CHUNK: i64 = 1_000;
        let mut total = 0;
        loop {
            let cutoffs = cutoffs.clone();
            let deleted: u64 = self
                .write_with(move |tx| {
                    Box::pin(async move {
                        let mut query = sqlx::query(delete_sql);
                        for cutoff in cutoffs {
                            query = query.bind(cutoff);
                        }
                        Ok(query.bind(CHUNK).execute(&mut **tx).await?.rows_affected())
                    })
                })
                .await?;
            total += deleted;
            if deleted < CHUNK as u64 {
                return Ok(total);
            }
        }
    }

    /// Registers what to do after a group commit with the topics its writes noted (see
    /// [`group_commit::note_changed`]); only the first registration counts.
    pub fn on_commit(&self, hook: impl Fn(Vec<String>) + Send + Sync + 'static) {
        let _ = self
            .after_commit
            .set(group_commit::CommitHook(Box::new(hook)));
    }

    pub(crate) fn after_commit(&self) -> Option<&group_commit::CommitHook> {
        self.after_commit.get()
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Opens a transaction that may read and then write (see [`Backend::begin_write_statement`]).
    pub async fn begin_write(&self) -> Result<Tx, sqlx::Error> {
        Tx::begin(&self.pool, self.backend.begin_write_statement()).await
    }

    /// Checks the connection and returns its round-trip time.
    pub async fn ping(&self) -> Result<Duration, sqlx::Error> {
        let started = std::time::Instant::now();
        let mut conn = self.pool.acquire().await?;
        conn.ping().await?;
        Ok(started.elapsed())
    }

    /// Names of the application's tables, sorted.
    pub async fn table_names(&self) -> Result<Vec<String>, sqlx::Error> {
        let sql = match self.backend {
            Backend::Sqlite => {
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' ORDER BY name"
            }
            Backend::Postgres => {
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = current_schema() ORDER BY table_name"
            }
        };
        sqlx::query_scalar(sql).fetch_all(&self.pool).await
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Makes sure the SQLite file's folder exists and the file is created on first use.
fn prepare_sqlite_url(url: &str) -> Result<String, DbSetupError> {
    let rest = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let path = rest.split('?').next().unwrap_or_default();
    if path != ":memory:" {
        if let Some(folder) = std::path::Path::new(path).parent() {
            if !folder.as_os_str().is_empty() {
                std::fs::create_dir_all(folder).map_err(|source| DbSetupError::Folder {
                    path: folder.display().to_string(),
                    source,
                })?;
            }
        }
    }
    Ok(if rest.contains("mode=") {
        url.to_owned()
    } else if rest.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    })
}

/// Whether a transaction runs on PostgreSQL (for the few statements that differ, such as
/// row locks, which SQLite's single writer does not need).
pub fn is_postgres(tx: &Tx) -> bool {
    tx.backend_name() == "PostgreSQL"
}

/// Milliseconds since the Unix epoch: the one time representation in storage.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// True when `err` is a unique-constraint violation on the constraint (or index) `name`.
///
/// Constraint names are the same on both backends (see `migrations/`). PostgreSQL reports
/// the name directly; SQLite reports the columns, which [`sqlite_unique_columns`] maps.
pub fn is_unique_violation(err: &sqlx::Error, name: &str) -> bool {
    let Some(db_err) = err.as_database_error() else {
        return false;
    };
    if !matches!(db_err.kind(), sqlx::error::ErrorKind::UniqueViolation) {
        return false;
    }
    match db_err.constraint() {
        Some(constraint) => constraint == name,
        None => sqlite_unique_columns(name).is_some_and(|cols| db_err.message().ends_with(cols)),
    }
}

/// SQLite names the violated columns rather than the index: this maps our index names to them.
fn sqlite_unique_columns(index: &str) -> Option<&'static str> {
    match index {
        "users_handle_key" => Some("users.handle"),
        "users_email_key" => Some("users.email_normalized"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_follows_the_url_scheme() {
        assert_eq!(
            Backend::from_url("sqlite://data/x.db").ok(),
            Some(Backend::Sqlite)
        );
        assert_eq!(
            Backend::from_url("postgres://u@h/db").ok(),
            Some(Backend::Postgres)
        );
        assert_eq!(
            Backend::from_url("postgresql://u@h/db").ok(),
            Some(Backend::Postgres)
        );
        assert!(Backend::from_url("mysql://u@h/db").is_err());
    }

    #[test]
    fn sqlite_url_gets_create_mode() {
        let dir = std::env::temp_dir().join(format!("onering-url-{}", uuid::Uuid::new_v4()));
        let url = format!("sqlite://{}/app.db", dir.display());
        assert_eq!(
            prepare_sqlite_url(&url).ok(),
            Some(format!("{url}?mode=rwc"))
        );
        assert!(dir.is_dir());
        let _ = std::fs::remove_dir_all(dir);
    }
}
