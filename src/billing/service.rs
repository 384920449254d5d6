//! Billing's rules: checkout and portal, webhook intake, order-safe and exactly-once
//! application of subscription states, period ends and reconciliation.
//!
//! Order safety: every subscription row keeps `state_at`, the Stripe time of the state it
//! holds. An event's state is applied only when the event is newer; on a tie (two events in
//! the same second) the subscription is fetched from Stripe and that state applied. So a
//! late `updated` never undoes a `deleted`, whatever order deliveries come in.
//!
//! Exactly once: an event is applied in one write that first takes it (`pending`/`failed`
//! → `processed`); a second processing of the same event finds it taken and does nothing.

use std::sync::Arc;

use super::provider::{
    BillingProvider, EventBody, NewCheckout, NewCustomer, Refusal, SubscriptionState,
};
use super::store::{self, StoredSubscription};
use super::types::{BillingStatus, Redirect, Upgrade};
use crate::auth::model::PublicUser;
use crate::db::Tx;
use crate::error::AppError;
use crate::jobs::{enqueue, NewJob};
use crate::plans::store::ChangeReason;
use crate::server::config::StripeConfig;
use crate::server::state::AppState;

/// Job kinds (see `billing::jobs`).
pub const EVENT_JOB: &str = "billing.event";
pub const PERIOD_END_JOB: &str = "billing.period_end";
pub const RECONCILE_JOB: &str = "billing.reconcile";
/// A stored event not processed inline is picked up by its job after this long.
pub const SAFETY_NET_MS: i64 = 60_000;

/// Statuses in which a subscription gives its plan. `canceled` and `unpaid` give it until
/// the period they were paid for ends.
const GIVING: [&str; 3] = ["active", "trialing", "past_due"];
const ENDING: [&str; 2] = ["canceled", "unpaid"];

fn billing(state: &AppState) -> Result<(&Arc<dyn BillingProvider>, &StripeConfig), AppError> {
    match (&state.billing, &state.config.stripe) {
        (Some(provider), Some(config)) => Ok((provider, config)),
        _ => Err(AppError::BillingDisabled),
    }
}

fn provider_failed(error: super::provider::ProviderError) -> AppError {
    tracing::warn!(error = %error, "payment provider call failed");
    AppError::PaymentProvider
}

/// The billing side of `/account/plan` for `user`.
pub async fn status(state: &AppState, user: &PublicUser) -> Result<BillingStatus, AppError> {
    let current = crate::plans::store::my_plan(&state.db, &user.id, crate::db::now_ms())
        .await?
        .plan
        .id;
    let Ok((_, config)) = billing(state) else {
        return Ok(BillingStatus {
            enabled: false,
            upgrades: Vec::new(),
            can_manage: false,
            notice: None,
            plan: current,
        });
    };
    let upgrades = crate::plans::store::plans(state.db.pool())
        .await?
        .into_iter()
        .filter(|plan| plan.id != current && config.price_for_plan(&plan.id).is_some())
        .map(|plan| Upgrade {
            plan: plan.id,
            name: plan.name,
            price_label: plan.price_label,
        })
        .collect();
    let notice = store::is_past_due(&state.db, &user.id).await?.then(|| {
        "Your last payment didn't go through. Your plan stays as it is for now — update your card in Manage billing when you have a moment.".to_owned()
    });
    Ok(BillingStatus {
        enabled: true,
        upgrades,
        can_manage: store::customer_of(&state.db, &user.id).await?.is_some(),
        notice,
        plan: current,
    })
}

/// Starts a Stripe Checkout for `plan` and returns its URL. The plan changes only when
/// Stripe's webhook says so. `key` (the person's intent) makes a retry the same checkout.
pub async fn start_checkout(
    state: &AppState,
    user: &PublicUser,
    plan: &str,
    key: &str,
) -> Result<Redirect, AppError> {
    let (provider, config) = billing(state)?;
    let price_id = config
        .price_for_plan(plan)
        .ok_or_else(|| AppError::validation("plan", "That plan can't be bought here."))?
        .to_owned();
    let current = crate::plans::store::my_plan(&state.db, &user.id, crate::db::now_ms())
        .await?
        .plan
        .id;
    if current == plan {
        return Err(AppError::conflict("You're on that plan already."));
    }
    let customer_id = customer(state, provider.as_ref(), user).await?;
    let origin = &state.config.public_origin;
    let url = provider
        .create_checkout(NewCheckout {
            customer_id,
            price_id,
            user_id: user.id.clone(),
            success_url: format!("{origin}/account/plan?checkout=done"),
            cancel_url: format!("{origin}/account/plan?checkout=cancelled"),
            idempotency_key: format!("onering-checkout-{}-{plan}-{key}", user.id),
        })
        .await
        .map_err(provider_failed)?;
    Ok(Redirect { url })
}

/// `user`'s Stripe customer, made once: the Stripe idempotency key is the user's, so two
/// racing first checkouts get the same customer.
async fn customer(
    state: &AppState,
    provider: &dyn BillingProvider,
    user: &PublicUser,
) -> Result<String, AppError> {
    if let Some(existing) = store::customer_of(&state.db, &user.id).await? {
        return Ok(existing);
    }
    let email = crate::auth::store::email_of(&state.db, &user.id).await?;
    let created = provider
        .create_customer(NewCustomer {
            user_id: user.id.clone(),
            email,
            idempotency_key: format!("onering-customer-{}", user.id),
        })
        .await
        .map_err(provider_failed)?;
    store::save_customer(&state.db, &user.id, &created, crate::db::now_ms()).await
}

/// A billing portal session for `user` (change card, cancel, switch plan).
pub async fn open_portal(state: &AppState, user: &PublicUser) -> Result<Redirect, AppError> {
    let (provider, _) = billing(state)?;
    let customer_id = store::customer_of(&state.db, &user.id)
        .await?
        .ok_or_else(|| {
            AppError::conflict("There's nothing to manage yet: no plan was bought here.")
        })?;
    let url = provider
        .create_portal(
            customer_id,
            format!("{}/account/plan", state.config.public_origin),
        )
        .await
        .map_err(provider_failed)?;
    Ok(Redirect { url })
}

/// What became of a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    /// Stored now (and applied, if that was quick).
    Stored,
    /// Stored before: acknowledged, nothing changed.
    Duplicate,
}

/// Why a delivery was not taken.
#[derive(Debug)]
pub enum NotReceived {
    Disabled,
    Refused(Refusal),
    Failed(AppError),
}

/// Verifies and stores one webhook delivery, with a job that processes it if this request
/// does not get to (a crash, a slow apply): once this returns `Ok`, the event is kept.
pub async fn receive(
    state: &AppState,
    payload: &str,
    signature: &str,
    now: i64,
) -> Result<(Received, Option<String>), NotReceived> {
    let (provider, _) = billing(state).map_err(|_| NotReceived::Disabled)?;
    let event = provider
        .verify(payload, signature, now.div_euclid(1000))
        .map_err(NotReceived::Refused)?;
    let parsed = event.body.is_ok();
    let id = event.id.clone();
    let payload = payload.to_owned();
    let stored = state
        .db
        .write_with(move |tx| {
            Box::pin(async move {
                if !store::insert_event(tx, &event, &payload, now).await? {
                    return Ok(false);
                }
                let job_payload = serde_json::json!({ "event_id": event.id }).to_string();
                enqueue(
                    tx,
                    NewJob::new(EVENT_JOB, &event.id, job_payload, now + SAFETY_NET_MS),
                )
                .await?;
                Ok(true)
            })
        })
        .await
        .map_err(NotReceived::Failed)?;
    if !stored {
        return Ok((Received::Duplicate, None));
    }
    Ok((Received::Stored, parsed.then_some(id)))
}

/// How processing an event ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Processed {
    Applied,
    /// A newer state was applied already.
    Superseded,
    /// A type we do not act on, or a customer we do not know.
    Ignored,
    /// Processed before.
    AlreadyDone,
}

impl Processed {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Applied => "applied",
            Self::Superseded => "superseded",
            Self::Ignored => "ignored",
            Self::AlreadyDone => "already_done",
        }
    }
}

/// Processes stored event `event_id` (inline after receipt, or by its job). An `Err` is
/// recorded on the event and retried by the job with backoff.
pub async fn process(state: &AppState, event_id: &str) -> Result<Processed, String> {
    let result = try_process(state, event_id).await;
    if let Err(error) = &result {
        if store::fail_event(&state.db, event_id, error).await.is_err() {
            tracing::warn!(event_id, "could not record a billing event's failure");
        }
    }
    result
}

async fn try_process(state: &AppState, event_id: &str) -> Result<Processed, String> {
    let (provider, _) = billing(state).map_err(|_| "billing is off".to_owned())?;
    let db_error = |_: AppError| "database error".to_owned();
    let stored = store::event(&state.db, event_id)
        .await
        .map_err(db_error)?
        .ok_or_else(|| "no such event".to_owned())?;
    if matches!(stored.status.as_str(), "processed" | "ignored") {
        return Ok(Processed::AlreadyDone);
    }
    let body = provider.parse(&stored.payload)?;
    let version = stored.created;
    let mut force_fetch = false;
    // At most twice: a tie that appears between the read and the write is fetched.
    for _ in 0..2 {
        let change =
            change_for(state, provider.as_ref(), body.clone(), version, force_fetch).await?;
        let (event_id, plans) = (event_id.to_owned(), state.config.stripe.clone());
        let outcome = state
            .db
            .write_with(move |tx| {
                Box::pin(async move {
                    let Some(plans) = plans else {
                        return Err(AppError::BillingDisabled);
                    };
                    apply(tx, &event_id, version, change, &plans).await
                })
            })
            .await
            .map_err(|e| format!("could not apply: {e}"))?;
        match outcome {
            Applied::Done(processed) => return Ok(processed),
            Applied::NeedsFetch => force_fetch = true,
        }
    }
    Err("the subscription kept changing while this event was applied".to_owned())
}

/// The state `body` asks to apply: the event's own, or Stripe's current one (a checkout,
/// an invoice, or a tie with what is stored).
async fn change_for(
    state: &AppState,
    provider: &dyn BillingProvider,
    body: EventBody,
    version: i64,
    force_fetch: bool,
) -> Result<Option<Change>, String> {
    let db_error = |_: AppError| "database error".to_owned();
    Ok(match body {
        EventBody::Other => None,
        EventBody::CheckoutCompleted {
            subscription_id: None,
            ..
        } => None,
        EventBody::CheckoutCompleted {
            subscription_id: Some(id),
            customer_id,
            user_id,
        } => {
            let fetched = fetch(provider, &id).await?;
            Some(Change {
                state: fetched,
                link: customer_id.zip(user_id),
                fetched: true,
            })
        }
        EventBody::Invoice {
            subscription_id: None,
        } => None,
        EventBody::Invoice {
            subscription_id: Some(id),
        } => Some(Change {
            state: fetch(provider, &id).await?,
            link: None,
            fetched: true,
        }),
        EventBody::Subscription { state: sub, .. } => {
            // A tie with what is stored: Stripe's current state decides.
            let tie = force_fetch
                || store::state_at(&state.db, &sub.id)
                    .await
                    .map_err(db_error)?
                    == Some(version);
            if tie {
                Some(Change {
                    state: fetch(provider, &sub.id).await?,
                    link: None,
                    fetched: true,
                })
            } else {
                Some(Change {
                    state: sub,
                    link: None,
                    fetched: false,
                })
            }
        }
    })
}

async fn fetch(provider: &dyn BillingProvider, id: &str) -> Result<SubscriptionState, String> {
    provider
        .subscription(id.to_owned())
        .await
        .map_err(|e| e.to_string())
}

/// A subscription state to apply, and a (customer, user) link a checkout made.
#[derive(Debug)]
struct Change {
    state: SubscriptionState,
    link: Option<(String, String)>,
    /// Fetched from Stripe (its current state) rather than carried by the event.
    fetched: bool,
}

#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
enum Applied {
    Done(Processed),
    NeedsFetch,
}

/// Sets the event's final status, unless another processing did: `false` then.
async fn take(tx: &mut Tx, event_id: &str, status: &str) -> Result<bool, AppError> {
    store::claim_event(tx, event_id, status, crate::db::now_ms()).await
}

async fn apply(
    tx: &mut Tx,
    event_id: &str,
    version: i64,
    change: Option<Change>,
    config: &StripeConfig,
) -> Result<Applied, AppError> {
    let Some(change) = change else {
        return Ok(Applied::Done(if take(tx, event_id, "ignored").await? {
            Processed::Ignored
        } else {
            Processed::AlreadyDone
        }));
    };
    let state = &change.state;
    if let Some((customer_id, user_id)) = &change.link {
        link_customer(tx, customer_id, user_id).await?;
    }
    let Some(user_id) = owner(tx, state).await? else {
        tracing::warn!(
            event_id,
            "a subscription event for a customer OneRing does not know"
        );
        return Ok(Applied::Done(if take(tx, event_id, "ignored").await? {
            Processed::Ignored
        } else {
            Processed::AlreadyDone
        }));
    };
    let stored = store::subscription(tx, &state.id).await?;
    if let Some(stored) = &stored {
        if stored.state_at > version {
            return Ok(Applied::Done(if take(tx, event_id, "processed").await? {
                Processed::Superseded
            } else {
                Processed::AlreadyDone
            }));
        }
        if stored.state_at == version && !change.fetched {
            return Ok(Applied::NeedsFetch);
        }
    }
    if !take(tx, event_id, "processed").await? {
        return Ok(Applied::Done(Processed::AlreadyDone));
    }
    let now = crate::db::now_ms();
    store::put_subscription(
        tx,
        &user_id,
        state,
        version.max(stored.map_or(version, |s| s.state_at)),
        now,
    )
    .await?;
    sync_plan(tx, &user_id, config, now).await?;
    Ok(Applied::Done(Processed::Applied))
}

/// Records that a checkout's customer is `user_id`'s (when that user exists and has none).
async fn link_customer(tx: &mut Tx, customer_id: &str, user_id: &str) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO billing_customers (user_id, customer_id, created_at) \
         SELECT id, $2, $3 FROM users WHERE id = $1 ON CONFLICT DO NOTHING",
    )
    .bind(user_id)
    .bind(customer_id)
    .bind(crate::db::now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The OneRing user a subscription belongs to: its customer's, else the one its metadata
/// names (if that user exists).
async fn owner(tx: &mut Tx, state: &SubscriptionState) -> Result<Option<String>, AppError> {
    if let Some(user) = store::user_of_customer(tx, &state.customer_id).await? {
        return Ok(Some(user));
    }
    match &state.user_id {
        Some(user) => Ok(sqlx::query_scalar("SELECT id FROM users WHERE id = $1")
            .bind(user)
            .fetch_optional(&mut **tx)
            .await?),
        None => Ok(None),
    }
}

/// The plan `subscriptions` give at `now_secs`: the largest (by plan position) of those
/// giving one, else `None` (the default plan). Also the earliest future period end of an
/// ending subscription, when the answer will change.
pub fn target_plan<'a>(
    subscriptions: &[StoredSubscription],
    config: &'a StripeConfig,
    ranked_plans: &[String],
    now_secs: i64,
) -> (Option<&'a str>, Option<i64>) {
    let mut best: Option<(usize, &str)> = None;
    let mut next_change: Option<i64> = None;
    for sub in subscriptions {
        let Some(plan) = sub
            .price_id
            .as_deref()
            .and_then(|p| config.plan_for_price(p))
        else {
            continue;
        };
        let ending_later = ENDING.contains(&sub.status.as_str())
            && sub.current_period_end.is_some_and(|end| end > now_secs);
        if !(GIVING.contains(&sub.status.as_str()) || ending_later) {
            continue;
        }
        if let (true, Some(end)) = (ending_later, sub.current_period_end) {
            next_change = Some(next_change.map_or(end, |earliest| earliest.min(end)));
        }
        let rank = ranked_plans.iter().position(|p| p == plan).unwrap_or(0);
        if best.is_none_or(|(r, _)| rank > r) {
            best = Some((rank, plan));
        }
    }
    (best.map(|(_, plan)| plan), next_change)
}

/// Moves `user_id` to the plan their subscriptions give now (through the plans module, with
/// reason `billing`), and schedules a recheck for when an ending subscription's period ends.
pub async fn sync_plan(
    tx: &mut Tx,
    user_id: &str,
    config: &StripeConfig,
    now_ms: i64,
) -> Result<(), AppError> {
    let subscriptions = store::subscriptions_of(tx, user_id).await?;
    let plans: Vec<(String, i64)> =
        sqlx::query_as("SELECT id, is_default FROM plans ORDER BY position")
            .fetch_all(&mut **tx)
            .await?;
    let ranked: Vec<String> = plans.iter().map(|(id, _)| id.clone()).collect();
    let default = plans
        .iter()
        .find(|(_, is_default)| *is_default != 0)
        .map(|(id, _)| id.clone())
        .ok_or(AppError::Internal)?;
    let now_secs = now_ms.div_euclid(1000);
    let (target, next_change) = target_plan(&subscriptions, config, &ranked, now_secs);
    let target = target.map_or(default, str::to_owned);
    crate::plans::store::change_plan(
        tx,
        user_id,
        &target,
        ChangeReason::Billing,
        Some("Stripe subscription"),
        now_ms,
    )
    .await?;
    if let Some(end) = next_change {
        let key = format!("{user_id}-{end}");
        let payload = serde_json::json!({ "user_id": user_id }).to_string();
        enqueue(
            tx,
            NewJob::new(PERIOD_END_JOB, &key, payload, end.saturating_mul(1000)),
        )
        .await?;
    }
    Ok(())
}

/// One subscription reconciliation changed: its stored state before and Stripe's after.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Fix {
    pub subscription_id: String,
    pub user_id: String,
    pub before: String,
    pub after: String,
}

/// Written inside each fix's own transaction (an admin's audit row when an admin runs it):
/// its error rolls the fix back.
pub type FixHook = Arc<
    dyn for<'tx> Fn(&'tx mut Tx, Fix) -> crate::db::group_commit::TxFuture<'tx, ()> + Send + Sync,
>;

/// What a reconciliation did: how many subscriptions it compared, what it fixed, and why
/// it stopped early if it did (the fixes before that stay made).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reconciled {
    pub checked: usize,
    pub fixes: Vec<Fix>,
    pub error: Option<String>,
}

/// Compares every local subscription with Stripe's and fixes what drifted (a lost event),
/// recording before and after (and running `on_fix` in each fix's write).
pub async fn reconcile(state: &AppState, on_fix: Option<FixHook>) -> Reconciled {
    let mut report = Reconciled::default();
    if let Err(error) = reconcile_into(state, on_fix, &mut report).await {
        report.error = Some(error);
    }
    report
}

async fn reconcile_into(
    state: &AppState,
    on_fix: Option<FixHook>,
    report: &mut Reconciled,
) -> Result<(), String> {
    let (provider, _) = billing(state).map_err(|_| "billing is off".to_owned())?;
    let stored = store::all_subscriptions(&state.db)
        .await
        .map_err(|_| "database error".to_owned())?;
    for local in stored {
        report.checked += 1;
        let remote = fetch(provider.as_ref(), &local.subscription_id).await?;
        if local.matches(&remote) {
            continue;
        }
        let (plans, on_fix) = (state.config.stripe.clone(), on_fix.clone());
        let fix = state
            .db
            .write_with(move |tx| {
                Box::pin(async move {
                    let Some(plans) = plans else {
                        return Err(AppError::BillingDisabled);
                    };
                    // Read again under the write: an event may have fixed it meanwhile.
                    let Some(current) = store::subscription(tx, &remote.id).await? else {
                        return Ok(None);
                    };
                    if current.matches(&remote) {
                        return Ok(None);
                    }
                    let now = crate::db::now_ms();
                    store::record_reconciliation(tx, &current, &remote, now).await?;
                    store::put_subscription(tx, &current.user_id, &remote, current.state_at, now)
                        .await?;
                    sync_plan(tx, &current.user_id, &plans, now).await?;
                    let fix = Fix {
                        subscription_id: current.subscription_id.clone(),
                        user_id: current.user_id.clone(),
                        before: current.describe(),
                        after: store::describe(
                            &remote.status,
                            remote.price_id.as_deref(),
                            remote.current_period_end,
                            remote.cancel_at_period_end,
                        ),
                    };
                    if let Some(hook) = on_fix {
                        hook(tx, fix.clone()).await?;
                    }
                    Ok(Some(fix))
                })
            })
            .await
            .map_err(|e| format!("could not apply: {e}"))?;
        report.fixes.extend(fix);
    }
    Ok(())
}

/// Re-evaluates `user_id`'s plan (a period end came).
pub async fn recheck(state: &AppState, user_id: &str) -> Result<(), String> {
    let Some(plans) = state.config.stripe.clone() else {
        return Err("billing is off".to_owned());
    };
    let user_id = user_id.to_owned();
    state
        .db
        .write_with(move |tx| {
            Box::pin(async move { sync_plan(tx, &user_id, &plans, crate::db::now_ms()).await })
        })
        .await
        .map_err(|e| format!("could not apply: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> StripeConfig {
        StripeConfig {
            secret_key: "sk".into(),
            webhook_secrets: vec!["whsec".into()],
            prices: vec![
                ("creator".into(), "price_c".into()),
                ("team".into(), "price_t".into()),
            ],
            api_base: None,
        }
    }

    fn sub(id: &str, status: &str, price: &str, end: i64) -> StoredSubscription {
        StoredSubscription {
            subscription_id: id.into(),
            user_id: "u".into(),
            customer_id: "cus".into(),
            status: status.into(),
            price_id: Some(price.into()),
            current_period_end: Some(end),
            cancel_at_period_end: 0,
            state_at: 1,
        }
    }

    #[test]
    fn the_largest_giving_subscription_decides_and_endings_wait_for_the_period() {
        let config = config();
        let ranked: Vec<String> = ["free", "creator", "team"].map(String::from).to_vec();
        let plan = |subs: &[StoredSubscription]| {
            let (plan, change) = target_plan(subs, &config, &ranked, 1_000);
            (plan.map(str::to_owned), change)
        };
        assert_eq!(plan(&[]), (None, None));
        assert_eq!(
            plan(&[sub("a", "active", "price_c", 2_000)]),
            (Some("creator".to_owned()), None)
        );
        assert_eq!(
            plan(&[sub("a", "past_due", "price_t", 2_000)]),
            (Some("team".to_owned()), None)
        );
        assert_eq!(
            plan(&[
                sub("a", "active", "price_c", 2_000),
                sub("b", "trialing", "price_t", 2_000)
            ]),
            (Some("team".to_owned()), None)
        );
        assert_eq!(
            plan(&[sub("a", "canceled", "price_c", 2_000)]),
            (Some("creator".to_owned()), Some(2_000))
        );
        assert_eq!(
            plan(&[sub("a", "canceled", "price_c", 1_000)]),
            (None, None)
        );
        assert_eq!(
            plan(&[sub("a", "incomplete", "price_c", 2_000)]),
            (None, None)
        );
        assert_eq!(
            plan(&[sub("a", "active", "price_unknown", 2_000)]),
            (None, None)
        );
    }
}
