//! Start-up migrations: `migrations/<backend>/NNNN_name.sql`, same numbers and names on both
//! backends, append-only (sqlx records a checksum of each applied file and refuses to start
//! if an applied migration was edited).

use sqlx::migrate::{MigrateError, Migrator};

use super::{Backend, Db};

static SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");

#[derive(Debug, thiserror::Error)]
#[error("database migration failed on {backend}: {source}")]
pub struct MigrationError {
    backend: &'static str,
    source: MigrateError,
}

/// Applies every pending migration for the pool's backend.
pub async fn run_migrations(db: &Db) -> Result<(), MigrationError> {
    let migrator = match db.backend() {
        Backend::Sqlite => &SQLITE,
        Backend::Postgres => &POSTGRES,
    };
    migrator
        .run(db.pool())
        .await
        .map_err(|source| MigrationError {
            backend: db.backend().name(),
            source,
        })
}
