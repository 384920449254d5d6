//! Idempotent mutations: every mutating server function takes an `idempotency_key` (one per
//! user intent) and runs through [`run_once`].
//!
//! Semantics (Stripe's, and the IETF Idempotency-Key draft's):
//! - same key, same request: the stored response; nothing is applied twice;
//! - same key, different request: a 422-class error;
//! - same key while the first is still running: the second waits for the first and gets its
//!   response; if it cannot get the lock in time, a 409-class "already in progress" error;
//! - keys are kept 24 hours, then purged.
//!
//! The key row is claimed first, inside the same write transaction as the mutation, so the
//! key, the mutation and the stored response commit (or roll back) together.

use std::future::Future;
use std::pin::Pin;

use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db::{is_unique_violation, now_ms, Backend, Db, Tx};
use crate::error::AppError;

/// The work a mutation does inside its transaction.
pub type TxFuture<'tx, T> = Pin<Box<dyn Future<Output = Result<T, AppError>> + Send + 'tx>>;

pub const KEY_MAX: usize = 100;
pub const KEEP_MS: i64 = 24 * 60 * 60 * 1000;

/// A stable fingerprint of a request's arguments.
pub fn fingerprint(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    hex::encode(hasher.finalize())
}

fn check_key(key: &str) -> Result<&str, AppError> {
    let key = key.trim();
    if key.is_empty() || key.len() > KEY_MAX || !key.chars().all(|c| c.is_ascii_graphic()) {
        return Err(AppError::BadRequest {
            message: "Every change needs an idempotency key (1–100 visible ASCII characters)."
                .into(),
        });
    }
    Ok(key)
}

fn in_progress() -> AppError {
    AppError::conflict("That change is already being made. Give it a moment.")
}

async fn stored_response(
    db: &Db,
    user_id: &str,
    operation: &str,
    key: &str,
) -> Result<Option<(String, String)>, AppError> {
    Ok(sqlx::query_as::<_, (String, String)>(
        "SELECT fingerprint, response FROM idempotency_keys \
         WHERE user_id = $1 AND operation = $2 AND key = $3",
    )
    .bind(user_id)
    .bind(operation)
    .bind(key)
    .fetch_optional(db.pool())
    .await?)
}

fn replay<T: DeserializeOwned>(stored: (String, String), fingerprint: &str) -> Result<T, AppError> {
    let (stored_fingerprint, response) = stored;
    if stored_fingerprint != fingerprint {
        return Err(AppError::validation(
            "idempotency_key",
            "This key was already used for a different change. Reload the page and try again.",
        ));
    }
    serde_json::from_str(&response).map_err(|err| {
        tracing::error!(error = %err, "stored idempotent response no longer decodes");
        AppError::Internal
    })
}

/// Runs `mutate` once per (user, operation, key); repeats get the first response.
pub async fn run_once<T, F>(
    db: &Db,
    user_id: &str,
    operation: &str,
    key: &str,
    fingerprint: &str,
    mutate: F,
) -> Result<T, AppError>
where
    T: Serialize + DeserializeOwned,
    F: for<'tx> FnOnce(&'tx mut Tx) -> TxFuture<'tx, T>,
{
    let key = check_key(key)?;
    if let Some(stored) = stored_response(db, user_id, operation, key).await? {
        return replay(stored, fingerprint);
    }
    let mut tx = db
        .begin_write()
        .await
        .map_err(|err| lock_error(err, db.backend()))?;
    if db.backend() == Backend::Postgres {
        // A duplicate waits on the first request's uncommitted key row at most this long.
        sqlx::query("SET LOCAL lock_timeout = '5s'")
            .execute(&mut *tx)
            .await?;
    }
    let claimed = sqlx::query(
        "INSERT INTO idempotency_keys (user_id, operation, key, fingerprint, response, created_at) \
         VALUES ($1, $2, $3, $4, '', $5)",
    )
    .bind(user_id)
    .bind(operation)
    .bind(key)
    .bind(fingerprint)
    .bind(now_ms())
    .execute(&mut *tx)
    .await;
    match claimed {
        Ok(_) => {}
        Err(err) if is_unique_violation(&err, "idempotency_keys_pkey") => {
            drop(tx);
            return match stored_response(db, user_id, operation, key).await? {
                Some(stored) if !stored.1.is_empty() => replay(stored, fingerprint),
                _ => Err(in_progress()),
            };
        }
        Err(err) => return Err(lock_error(err, db.backend())),
    }
    let value = mutate(&mut tx).await?;
    let response = serde_json::to_string(&value).map_err(|err| {
        tracing::error!(error = %err, "response did not serialise");
        AppError::Internal
    })?;
    sqlx::query(
        "UPDATE idempotency_keys SET response = $1 WHERE user_id = $2 AND operation = $3 AND key = $4",
    )
    .bind(&response)
    .bind(user_id)
    .bind(operation)
    .bind(key)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(value)
}

/// A lock that could not be had in time means another request holds it: "in progress".
fn lock_error(err: sqlx::Error, backend: Backend) -> AppError {
    let code = err
        .as_database_error()
        .and_then(|e| e.code())
        .map(|c| c.into_owned());
    let lock_timeout = match backend {
        Backend::Postgres => code.as_deref() == Some("55P03"),
        Backend::Sqlite => matches!(code.as_deref(), Some("5" | "517")),
    };
    if lock_timeout {
        in_progress()
    } else {
        err.into()
    }
}

/// Deletes keys older than [`KEEP_MS`]; returns how many went.
pub async fn purge_expired(db: &Db, now_ms: i64) -> Result<u64, AppError> {
    let result = sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
        .bind(now_ms - KEEP_MS)
        .execute(db.pool())
        .await?;
    Ok(result.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_separate_their_parts() {
        assert_eq!(fingerprint(&["a", "b"]), fingerprint(&["a", "b"]));
        assert_ne!(fingerprint(&["ab", ""]), fingerprint(&["a", "b"]));
        assert_ne!(fingerprint(&["a"]), fingerprint(&["a", ""]));
    }

    #[test]
    fn keys_are_bounded_visible_ascii() {
        assert!(check_key("7f1c2a9e-0c1d-4a5b-9d3e-2f6a8b7c9d0e").is_ok());
        assert!(check_key("").is_err());
        assert!(check_key("has space").is_err());
        assert!(check_key(&"k".repeat(101)).is_err());
    }
}
