//! Billing's tables (migration 0011): customers, subscriptions' last applied states,
//! webhook events and reconciliations.

use super::provider::SubscriptionState;
use crate::db::{Db, Tx};
use crate::error::AppError;

/// The Stripe customer of `user_id`, if one was made.
pub async fn customer_of(db: &Db, user_id: &str) -> Result<Option<String>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT customer_id FROM billing_customers WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(db.pool())
            .await?,
    )
}

/// Records `customer_id` as `user_id`'s (the first one stays if two raced); returns the one
/// on record.
pub async fn save_customer(
    db: &Db,
    user_id: &str,
    customer_id: &str,
    now: i64,
) -> Result<String, AppError> {
    let (user_id, customer_id) = (user_id.to_owned(), customer_id.to_owned());
    db.write_with(move |tx| {
        Box::pin(async move {
            sqlx::query(
                "INSERT INTO billing_customers (user_id, customer_id, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (user_id) DO NOTHING",
            )
            .bind(&user_id)
            .bind(&customer_id)
            .bind(now)
            .execute(&mut **tx)
            .await?;
            let kept: String =
                sqlx::query_scalar("SELECT customer_id FROM billing_customers WHERE user_id = $1")
                    .bind(&user_id)
                    .fetch_one(&mut **tx)
                    .await?;
            Ok(kept)
        })
    })
    .await
}

/// The user a Stripe customer belongs to.
pub async fn user_of_customer(tx: &mut Tx, customer_id: &str) -> Result<Option<String>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT user_id FROM billing_customers WHERE customer_id = $1")
            .bind(customer_id)
            .fetch_optional(&mut **tx)
            .await?,
    )
}

/// A subscription's last applied state and when Stripe produced it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredSubscription {
    pub subscription_id: String,
    pub user_id: String,
    pub customer_id: String,
    pub status: String,
    pub price_id: Option<String>,
    pub current_period_end: Option<i64>,
    pub cancel_at_period_end: i64,
    pub state_at: i64,
}

impl StoredSubscription {
    /// The parts reconciliation compares with Stripe's.
    pub fn matches(&self, state: &SubscriptionState) -> bool {
        self.status == state.status
            && self.price_id == state.price_id
            && self.current_period_end == state.current_period_end
            && (self.cancel_at_period_end != 0) == state.cancel_at_period_end
    }

    pub fn describe(&self) -> String {
        describe(
            &self.status,
            self.price_id.as_deref(),
            self.current_period_end,
            self.cancel_at_period_end != 0,
        )
    }
}

pub fn describe(
    status: &str,
    price: Option<&str>,
    period_end: Option<i64>,
    cancel_at_end: bool,
) -> String {
    serde_json::json!({
        "status": status,
        "price": price,
        "current_period_end": period_end,
        "cancel_at_period_end": cancel_at_end,
    })
    .to_string()
}

const SUBSCRIPTION_COLUMNS: &str =
    "subscription_id, user_id, customer_id, status, price_id, current_period_end, \
     cancel_at_period_end, state_at";

pub async fn subscription(tx: &mut Tx, id: &str) -> Result<Option<StoredSubscription>, AppError> {
    let lock = if crate::db::is_postgres(tx) {
        " FOR UPDATE"
    } else {
        ""
    };
    Ok(sqlx::query_as(&format!(
        "SELECT {SUBSCRIPTION_COLUMNS} FROM billing_subscriptions WHERE subscription_id = $1{lock}"
    ))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?)
}

/// A subscription's stored state, read outside a write (to decide on a fetch).
pub async fn state_at(db: &Db, id: &str) -> Result<Option<i64>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT state_at FROM billing_subscriptions WHERE subscription_id = $1")
            .bind(id)
            .fetch_optional(db.pool())
            .await?,
    )
}

pub async fn subscriptions_of(
    tx: &mut Tx,
    user_id: &str,
) -> Result<Vec<StoredSubscription>, AppError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {SUBSCRIPTION_COLUMNS} FROM billing_subscriptions WHERE user_id = $1 ORDER BY subscription_id"
    ))
    .bind(user_id)
    .fetch_all(&mut **tx)
    .await?)
}

/// Every subscription, for reconciliation.
pub async fn all_subscriptions(db: &Db) -> Result<Vec<StoredSubscription>, AppError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {SUBSCRIPTION_COLUMNS} FROM billing_subscriptions ORDER BY subscription_id"
    ))
    .fetch_all(db.pool())
    .await?)
}

/// Whether any of `user_id`'s subscriptions is past due (the calm notice).
pub async fn is_past_due(db: &Db, user_id: &str) -> Result<bool, AppError> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM billing_subscriptions WHERE user_id = $1 AND status IN ('past_due', 'unpaid')",
    )
    .bind(user_id)
    .fetch_one(db.pool())
    .await?;
    Ok(n > 0)
}

/// Stores `state` unless a newer one is stored already (two first events for one
/// subscription may race to insert it).
pub async fn put_subscription(
    tx: &mut Tx,
    user_id: &str,
    state: &SubscriptionState,
    state_at: i64,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO billing_subscriptions (subscription_id, user_id, customer_id, status, price_id, \
         current_period_end, cancel_at_period_end, state_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (subscription_id) DO UPDATE SET status = excluded.status, price_id = excluded.price_id, \
         current_period_end = excluded.current_period_end, cancel_at_period_end = excluded.cancel_at_period_end, \
         state_at = excluded.state_at, updated_at = excluded.updated_at \
         WHERE billing_subscriptions.state_at <= excluded.state_at",
    )
    .bind(&state.id)
    .bind(user_id)
    .bind(&state.customer_id)
    .bind(&state.status)
    .bind(&state.price_id)
    .bind(state.current_period_end)
    .bind(i64::from(state.cancel_at_period_end))
    .bind(state_at)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn record_reconciliation(
    tx: &mut Tx,
    stored: &StoredSubscription,
    after: &SubscriptionState,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO billing_reconciliations (id, subscription_id, user_id, before_state, after_state, reason, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(&stored.subscription_id)
    .bind(&stored.user_id)
    .bind(stored.describe())
    .bind(describe(&after.status, after.price_id.as_deref(), after.current_period_end, after.cancel_at_period_end))
    .bind("differed from Stripe's")
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A stored webhook event.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredEvent {
    pub event_id: String,
    pub event_type: String,
    pub created: i64,
    pub payload: String,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
}

/// Stores a verified event; `false` when its id was stored already (a redelivery).
pub async fn insert_event(
    tx: &mut Tx,
    event: &super::provider::VerifiedEvent,
    payload: &str,
    now: i64,
) -> Result<bool, AppError> {
    use sha2::{Digest, Sha256};
    let (status, error) = match &event.body {
        Ok(_) => ("pending", None),
        Err(reason) => ("failed", Some(crate::text::truncate(reason, 500))),
    };
    let inserted = sqlx::query(
        "INSERT INTO billing_events (event_id, event_type, created, payload, payload_sha256, received_at, \
         status, attempts, last_error, processed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, NULL) \
         ON CONFLICT (event_id) DO NOTHING",
    )
    .bind(&event.id)
    .bind(&event.event_type)
    .bind(event.created)
    .bind(payload)
    .bind(hex::encode(Sha256::digest(payload.as_bytes())))
    .bind(now)
    .bind(status)
    .bind(error)
    .execute(&mut **tx)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

pub async fn event(db: &Db, event_id: &str) -> Result<Option<StoredEvent>, AppError> {
    Ok(sqlx::query_as(
        "SELECT event_id, event_type, created, payload, status, attempts, last_error FROM billing_events \
         WHERE event_id = $1",
    )
    .bind(event_id)
    .fetch_optional(db.pool())
    .await?)
}

/// Takes `event_id` for this transaction's processing: moves it from pending/failed to
/// `status`. `false` when another processing got it first (so it is applied once).
pub async fn claim_event(
    tx: &mut Tx,
    event_id: &str,
    status: &str,
    now: i64,
) -> Result<bool, AppError> {
    let claimed = sqlx::query(
        "UPDATE billing_events SET status = $1, attempts = attempts + 1, last_error = NULL, processed_at = $2 \
         WHERE event_id = $3 AND status IN ('pending', 'failed')",
    )
    .bind(status)
    .bind(now)
    .bind(event_id)
    .execute(&mut **tx)
    .await?;
    Ok(claimed.rows_affected() == 1)
}

/// Puts a failed or ignored event back to `pending` for another processing (an admin's
/// replay); returns the status it had. 404 for an unknown event, 409 for one that applied
/// or is waiting already.
pub async fn reopen_event(tx: &mut Tx, event_id: &str) -> Result<String, AppError> {
    let status: String =
        sqlx::query_scalar("SELECT status FROM billing_events WHERE event_id = $1")
            .bind(event_id)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or(AppError::NotFound)?;
    let reopened = sqlx::query(
        "UPDATE billing_events SET status = 'pending', last_error = NULL \
         WHERE event_id = $1 AND status IN ('failed', 'ignored')",
    )
    .bind(event_id)
    .execute(&mut **tx)
    .await?;
    if reopened.rows_affected() != 1 {
        return Err(AppError::conflict(format!(
            "Only failed or ignored events can be replayed; this one is {status}."
        )));
    }
    Ok(status)
}

/// Records a failed processing attempt (the error has no secrets).
pub async fn fail_event(db: &Db, event_id: &str, error: &str) -> Result<(), AppError> {
    let (event_id, error) = (event_id.to_owned(), crate::text::truncate(error, 500));
    db.write_with(move |tx| {
        Box::pin(async move {
            sqlx::query(
                "UPDATE billing_events SET status = 'failed', attempts = attempts + 1, last_error = $1 \
                 WHERE event_id = $2 AND status IN ('pending', 'failed')",
            )
            .bind(error)
            .bind(event_id)
            .execute(&mut **tx)
            .await?;
            Ok(())
        })
    })
    .await
}
