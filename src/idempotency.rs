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
//! key, the mutation and the stored response commit (or roll back) together. The
//! transaction is [`Db::write`]'s: on SQLite a group commit shared with other writes.

use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::auth::model::PublicUser;
use crate::db::group_commit::Job;
pub use crate::db::group_commit::TxFuture;
use crate::db::{now_ms, Backend, Db, Tx};
use crate::error::AppError;

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

/// `key`, trimmed, if it is a usable idempotency key (also for intents made outside the
/// database, such as a payment provider's own idempotency).
pub fn check_key(key: &str) -> Result<&str, AppError> {
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

/// The earlier response, if the request is the same one.
fn replay(stored: (String, String), fingerprint: &str) -> Result<String, AppError> {
    let (stored_fingerprint, response) = stored;
    if stored_fingerprint != fingerprint {
        return Err(AppError::validation(
            "idempotency_key",
            "This key was already used for a different change. Reload the page and try again.",
        ));
    }
    Ok(response)
}

/// Runs `mutate` once per (user, operation, key); repeats get the first response. The key,
/// the change and the stored response commit together, in the next group commit.
pub async fn run_once<T, F>(
    db: &Db,
    user_id: &str,
    operation: &str,
    key: &str,
    fingerprint: &str,
    mutate: F,
) -> Result<T, AppError>
where
    T: Serialize + DeserializeOwned + Send + 'static,
    F: for<'tx> FnOnce(&'tx mut Tx) -> TxFuture<'tx, T> + Send + 'static,
{
    // No read before the write: claiming the key inside it answers repeats too.
    let key = check_key(key)?.to_owned();
    let claim = Claim {
        user_id: user_id.to_owned(),
        operation: operation.to_owned(),
        key,
        fingerprint: fingerprint.to_owned(),
    };
    let backend = db.backend();
    let job: Job = Box::new(move |tx| {
        Box::pin(async move {
            if let Some(earlier) = claim.take(tx, backend).await? {
                return Ok(earlier);
            }
            let value = mutate(tx).await?;
            let response = serde_json::to_string(&value).map_err(|err| {
                tracing::error!(error = %err, "response did not serialise");
                AppError::Internal
            })?;
            claim.store(tx, &response).await?;
            Ok(response)
        })
    });
    decode(&db.write(job).await?)
}

fn decode<T: DeserializeOwned>(response: &str) -> Result<T, AppError> {
    serde_json::from_str(response).map_err(|err| {
        tracing::error!(error = %err, "stored idempotent response no longer decodes");
        AppError::Internal
    })
}

/// One (user, operation, key) and the request's fingerprint.
struct Claim {
    user_id: String,
    operation: String,
    key: String,
    fingerprint: String,
}

impl Claim {
    /// Claims the key inside the transaction; if it was already claimed (by an earlier
    /// request, committed or earlier in this batch), returns that request's response.
    async fn take(&self, tx: &mut Tx, backend: Backend) -> Result<Option<String>, AppError> {
        let claimed = sqlx::query(
            "INSERT INTO idempotency_keys (user_id, operation, key, fingerprint, response, created_at) \
             VALUES ($1, $2, $3, $4, '', $5) ON CONFLICT (user_id, operation, key) DO NOTHING",
        )
        .bind(&self.user_id)
        .bind(&self.operation)
        .bind(&self.key)
        .bind(&self.fingerprint)
        .bind(now_ms())
        .execute(&mut **tx)
        .await
        .map_err(|err| lock_error(err, backend))?;
        if claimed.rows_affected() == 1 {
            return Ok(None);
        }
        let stored: Option<(String, String)> = sqlx::query_as(
            "SELECT fingerprint, response FROM idempotency_keys \
             WHERE user_id = $1 AND operation = $2 AND key = $3",
        )
        .bind(&self.user_id)
        .bind(&self.operation)
        .bind(&self.key)
        .fetch_optional(&mut **tx)
        .await?;
        match stored {
            Some(stored) if !stored.1.is_empty() => replay(stored, &self.fingerprint).map(Some),
            _ => Err(in_progress()),
        }
    }

    async fn store(&self, tx: &mut Tx, response: &str) -> Result<(), AppError> {
        sqlx::query(
            "UPDATE idempotency_keys SET response = $1 \
             WHERE user_id = $2 AND operation = $3 AND key = $4",
        )
        .bind(response)
        .bind(&self.user_id)
        .bind(&self.operation)
        .bind(&self.key)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }
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

/// Runs one idempotent mutation for the signed-in user (what every mutating server function
/// does): `Unauthorized` when signed out, `RateLimited` over the user's budget for this kind
/// of change (`server::limits`), else [`run_once`] under the user's id.
pub async fn mutate<T, F>(
    operation: &str,
    key: &str,
    fingerprint: String,
    change: F,
) -> Result<T, AppError>
where
    T: Serialize + DeserializeOwned + Send + 'static,
    F: for<'tx> FnOnce(&'tx mut Tx, PublicUser) -> TxFuture<'tx, T> + Send + 'static,
{
    let state = crate::server::state::app_state()?;
    let user = crate::auth::api::require_user().await?.user;
    let user_id = user.id.clone();
    state.mutation_limiter.check(operation, &user_id)?;
    run_once(
        &state.db,
        &user_id,
        operation,
        key,
        &fingerprint,
        move |tx| change(tx, user),
    )
    .await
}

/// Deletes keys older than [`KEEP_MS`]; returns how many went.
pub async fn purge_expired(db: &Db, now_ms: i64) -> Result<u64, AppError> {
    db.purge(
        "DELETE FROM idempotency_keys WHERE (user_id, operation, key) IN \
         (SELECT user_id, operation, key FROM idempotency_keys WHERE created_at < $1 LIMIT $2)",
        vec![now_ms - KEEP_MS],
    )
    .await
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
