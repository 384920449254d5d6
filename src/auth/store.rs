//! Account storage: users, sessions and the sign-in throttle. Reads go to the pool; every
//! write takes the transaction of a [`Db::write`] (on SQLite, the group-commit writer's:
//! no write anywhere competes with it for SQLite's one write lock).

use sqlx::FromRow;

use super::model::{display_id, Email, Handle, Me, PublicUser, SessionSummary};
use crate::db::{is_unique_violation, Db, Tx};
use crate::error::AppError;

/// A user row as stored. Holds the password hash, so it never leaves the server.
#[derive(Debug, FromRow)]
pub struct UserRow {
    pub id: String,
    pub handle: String,
    pub email: String,
    pub password_hash: String,
    pub created_at: i64,
}

impl UserRow {
    pub fn public(&self) -> PublicUser {
        PublicUser {
            id: self.id.clone(),
            handle: self.handle.clone(),
            display_id: display_id(&self.id),
        }
    }

    pub fn me(&self) -> Me {
        Me {
            user: self.public(),
            email: self.email.clone(),
            created_at_ms: self.created_at,
        }
    }
}

const USER_COLUMNS: &str = "id, handle, email, password_hash, created_at";

pub async fn insert_user(
    tx: &mut Tx,
    handle: &Handle,
    email: &Email,
    password_hash: &str,
    now_ms: i64,
) -> Result<UserRow, AppError> {
    let id = uuid::Uuid::new_v4().to_string();
    let inserted = sqlx::query(
        "INSERT INTO users (id, handle, email, email_normalized, password_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(handle.as_str())
    .bind(email.as_str())
    .bind(email.normalized())
    .bind(password_hash)
    .bind(now_ms)
    .execute(&mut **tx)
    .await;
    match inserted {
        Ok(_) => Ok(UserRow {
            id,
            handle: handle.as_str().to_owned(),
            email: email.as_str().to_owned(),
            password_hash: password_hash.to_owned(),
            created_at: now_ms,
        }),
        Err(err) if is_unique_violation(&err, "users_handle_key") => Err(AppError::validation(
            "handle",
            "That handle is taken. Try another one.",
        )),
        Err(err) if is_unique_violation(&err, "users_email_key") => Err(AppError::validation(
            "email",
            "An account with that email already exists. Sign in instead?",
        )),
        Err(err) => Err(err.into()),
    }
}

/// The public face of user `user_id`.
pub async fn public_user<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    executor: E,
    user_id: &str,
) -> Result<PublicUser, AppError> {
    let handle: String = sqlx::query_scalar("SELECT handle FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(executor)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(PublicUser {
        display_id: super::model::display_id(user_id),
        id: user_id.to_owned(),
        handle,
    })
}

/// `user_id`'s email, for the payment provider's receipts (never sent to a browser).
pub async fn email_of(db: &Db, user_id: &str) -> Result<String, AppError> {
    sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(AppError::NotFound)
}

/// Finds a user by handle or by email (case-insensitive), whichever `login` looks like.
pub async fn find_user_by_login(db: &Db, login: &str) -> Result<Option<UserRow>, AppError> {
    let key = login.trim().trim_start_matches('@').to_lowercase();
    let column = if key.contains('@') {
        "email_normalized"
    } else {
        "handle"
    };
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE {column} = $1");
    Ok(sqlx::query_as::<_, UserRow>(&sql)
        .bind(key)
        .fetch_optional(db.pool())
        .await?)
}

/// A live session joined with its user.
#[derive(Debug, FromRow)]
pub struct SessionRow {
    pub session_id: String,
    pub session_created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
    #[sqlx(flatten)]
    pub user: UserRow,
}

pub async fn insert_session(
    tx: &mut Tx,
    user_id: &str,
    token_hash: &str,
    user_agent: &str,
    now_ms: i64,
    expires_at: i64,
) -> Result<String, AppError> {
    let id = uuid::Uuid::new_v4().to_string();
    sqlx::query(
        "INSERT INTO sessions (id, user_id, token_hash, user_agent, created_at, last_seen_at, \
         expires_at) VALUES ($1, $2, $3, $4, $5, $5, $6)",
    )
    .bind(&id)
    .bind(user_id)
    .bind(token_hash)
    .bind(user_agent)
    .bind(now_ms)
    .bind(expires_at)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// The live session with `token_hash`: not revoked, not past its sliding expiry, and
/// started after `started_after` (the absolute lifetime).
pub async fn find_live_session(
    db: &Db,
    token_hash: &str,
    now_ms: i64,
    started_after: i64,
) -> Result<Option<SessionRow>, AppError> {
    let sql = "SELECT s.id AS session_id, s.created_at AS session_created_at, s.last_seen_at, \
               s.expires_at, u.id, u.handle, u.email, u.password_hash, u.created_at \
               FROM sessions s JOIN users u ON u.id = s.user_id \
               WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 \
               AND s.created_at > $3";
    Ok(sqlx::query_as::<_, SessionRow>(sql)
        .bind(token_hash)
        .bind(now_ms)
        .bind(started_after)
        .fetch_optional(db.pool())
        .await?)
}

/// Slides a session's expiry forward and records when it was last seen.
pub async fn touch_session(
    tx: &mut Tx,
    session_id: &str,
    now_ms: i64,
    expires_at: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE sessions SET last_seen_at = $1, expires_at = $2 \
         WHERE id = $3 AND revoked_at IS NULL",
    )
    .bind(now_ms)
    .bind(expires_at)
    .bind(session_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Revokes one of `user_id`'s sessions; false when there is no such live session.
pub async fn revoke_session(
    tx: &mut Tx,
    user_id: &str,
    session_id: &str,
    now_ms: i64,
) -> Result<bool, AppError> {
    let result = sqlx::query(
        "UPDATE sessions SET revoked_at = $1 \
         WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
    )
    .bind(now_ms)
    .bind(session_id)
    .bind(user_id)
    .execute(&mut **tx)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Revokes the session whose token hashes to `token_hash`, whoever's it is (the browser
/// that sent it is signing in afresh).
pub async fn revoke_session_by_token(
    tx: &mut Tx,
    token_hash: &str,
    now_ms: i64,
) -> Result<(), AppError> {
    sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL")
        .bind(now_ms)
        .bind(token_hash)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[derive(Debug, FromRow)]
struct SessionListRow {
    id: String,
    user_agent: String,
    created_at: i64,
    last_seen_at: i64,
}

pub async fn list_live_sessions(
    db: &Db,
    user_id: &str,
    current_session_id: &str,
    now_ms: i64,
) -> Result<Vec<SessionSummary>, AppError> {
    let rows = sqlx::query_as::<_, SessionListRow>(
        "SELECT id, user_agent, created_at, last_seen_at FROM sessions \
         WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 \
         ORDER BY last_seen_at DESC, id",
    )
    .bind(user_id)
    .bind(now_ms)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| SessionSummary {
            current: row.id == current_session_id,
            device: super::model::describe_user_agent(&row.user_agent),
            id: row.id,
            created_at_ms: row.created_at,
            last_seen_at_ms: row.last_seen_at,
        })
        .collect())
}

/// Failed sign-ins for one (account key, address).
#[derive(Debug, FromRow)]
pub struct ThrottleRow {
    pub failures: i64,
    pub locked_until: i64,
    pub updated_at: i64,
}

const THROTTLE_BY_KEY: &str = "SELECT failures, locked_until, updated_at FROM login_failures \
     WHERE account_key = $1 AND address = $2";

pub async fn find_throttle(
    db: &Db,
    account_key: &str,
    address: &str,
) -> Result<Option<ThrottleRow>, AppError> {
    Ok(sqlx::query_as::<_, ThrottleRow>(THROTTLE_BY_KEY)
        .bind(account_key)
        .bind(address)
        .fetch_optional(db.pool())
        .await?)
}

/// Records a failed sign-in for `account_key` from `address`, computing the new lock with
/// `lock_for` (failures → lock in ms) inside the write, so concurrent failures all count.
pub async fn record_failure(
    tx: &mut Tx,
    account_key: &str,
    address: &str,
    now_ms: i64,
    forget_after_ms: i64,
    lock_for: fn(i64) -> i64,
) -> Result<(), AppError> {
    let previous = sqlx::query_as::<_, ThrottleRow>(THROTTLE_BY_KEY)
        .bind(account_key)
        .bind(address)
        .fetch_optional(&mut **tx)
        .await?;
    let failures = match previous {
        Some(row) if now_ms - row.updated_at < forget_after_ms => row.failures + 1,
        _ => 1,
    };
    sqlx::query(
        "INSERT INTO login_failures (account_key, address, failures, locked_until, updated_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account_key, address) DO UPDATE SET \
         failures = excluded.failures, locked_until = excluded.locked_until, \
         updated_at = excluded.updated_at",
    )
    .bind(account_key)
    .bind(address)
    .bind(failures)
    .bind(now_ms + lock_for(failures))
    .bind(now_ms)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn clear_failures(tx: &mut Tx, account_key: &str, address: &str) -> Result<(), AppError> {
    sqlx::query("DELETE FROM login_failures WHERE account_key = $1 AND address = $2")
        .bind(account_key)
        .bind(address)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Deletes sessions that have ended (expired, revoked, or past `started_before`'s absolute
/// lifetime) and sign-in failures older than `failures_before`.
pub async fn purge_ended(
    db: &Db,
    now_ms: i64,
    started_before: i64,
    failures_before: i64,
) -> Result<u64, AppError> {
    let sessions = db
        .purge(
            "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions \
             WHERE expires_at < $1 OR revoked_at < $1 OR created_at < $2 LIMIT $3)",
            vec![now_ms, started_before],
        )
        .await?;
    let failures = db
        .purge(
            "DELETE FROM login_failures WHERE (account_key, address) IN \
             (SELECT account_key, address FROM login_failures WHERE updated_at < $1 LIMIT $2)",
            vec![failures_before],
        )
        .await?;
    Ok(sessions + failures)
}
