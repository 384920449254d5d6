//! Plans in the database: reading them (and checking them at start-up), the terms that
//! decide a person's entitlement, enforcing a decision inside an action's write, changing a
//! plan, and what `/account/plan` shows.
//!
//! **Race-proof.** [`enforce`] runs inside the action's own write transaction: on
//! PostgreSQL its first statement locks the person's `users` row (`FOR UPDATE`), so two
//! actions of one person check and write one after the other; on SQLite the group-commit
//! writer runs them one at a time. Usage is counted after the lock, from the data itself
//! (never a counter that could drift), and grace is consumed in the same write. A refused
//! action returns an error, and its write rolls back whole. Lock order: an action on a draft
//! has locked the draft's row already; the owner's `users` row comes after it. (A plan
//! change takes the same `users` row first.)
//!
//! **Usage, by entitlement:** `drafts.max`: `SELECT COUNT(*) FROM drafts WHERE owner_id = $1
//! AND status <> 'archived'`; `collaborators.max`: `SELECT COUNT(*) FROM collaborators WHERE
//! draft_id = $1 AND role <> 'owner'`; `invites.max_uses`: the uses asked for.

use sqlx::FromRow;

use super::decide::{decide, Decision, Terms};
use super::types::{Entitlement, MyPlan, Plan, PlanChange, Standing, Value};
use crate::db::{is_postgres, Db, Tx};
use crate::error::AppError;

#[derive(FromRow)]
struct PlanRow {
    id: String,
    name: String,
    price_label: String,
    is_default: i64,
    enforcement_enabled: i64,
    grace_count: i64,
}

/// Every plan with its entitlements, in pricing order.
pub async fn plans<'e, E>(executor: E) -> Result<Vec<Plan>, AppError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any> + Copy,
{
    let rows = sqlx::query_as::<_, PlanRow>(
        "SELECT id, name, price_label, is_default, enforcement_enabled, grace_count FROM plans \
         ORDER BY position",
    )
    .fetch_all(executor)
    .await?;
    let values: Vec<(String, String, Option<i64>)> =
        sqlx::query_as("SELECT plan_id, entitlement, value FROM plan_entitlements")
            .fetch_all(executor)
            .await?;
    Ok(rows
        .into_iter()
        .map(|row| Plan {
            entitlements: Entitlement::ALL
                .iter()
                .map(|e| {
                    let value = values
                        .iter()
                        .find(|(plan, key, _)| *plan == row.id && key == e.key())
                        .and_then(|(_, _, v)| *v);
                    (*e, value)
                })
                .collect(),
            id: row.id,
            name: row.name,
            price_label: row.price_label,
            is_default: row.is_default != 0,
            enforcement_enabled: row.enforcement_enabled != 0,
            grace_count: row.grace_count,
        })
        .collect())
}

/// Why the plans in the database cannot be used, checked at start-up.
#[derive(Debug, thiserror::Error)]
pub enum PlansInvalid {
    #[error("there must be exactly one default plan, found {0}")]
    Defaults(usize),
    #[error("plan {plan} has no value for {entitlement}")]
    Missing {
        plan: String,
        entitlement: &'static str,
    },
    #[error("plan {plan}: {entitlement} must be 0 or 1")]
    Feature {
        plan: String,
        entitlement: &'static str,
    },
    #[error("plan {plan}: {entitlement} must be at least 0")]
    Negative {
        plan: String,
        entitlement: &'static str,
    },
    #[error("plan {plan} has an unknown entitlement {entitlement}")]
    Unknown { plan: String, entitlement: String },
    #[error("could not read the plans: {0}")]
    Unreadable(String),
}

/// Checks the plans: one default, every entitlement set on every plan, sane values.
pub async fn validate(db: &Db) -> Result<(), PlansInvalid> {
    let unreadable = |e: AppError| PlansInvalid::Unreadable(e.to_string());
    let plans = plans(db.pool()).await.map_err(unreadable)?;
    let defaults = plans.iter().filter(|p| p.is_default).count();
    if defaults != 1 {
        return Err(PlansInvalid::Defaults(defaults));
    }
    let set: Vec<(String, String, Option<i64>)> =
        sqlx::query_as("SELECT plan_id, entitlement, value FROM plan_entitlements")
            .fetch_all(db.pool())
            .await
            .map_err(|e| PlansInvalid::Unreadable(e.to_string()))?;
    for (plan, key, _) in &set {
        if Entitlement::parse(key).is_none() {
            return Err(PlansInvalid::Unknown {
                plan: plan.clone(),
                entitlement: key.clone(),
            });
        }
    }
    for plan in &plans {
        for entitlement in Entitlement::ALL {
            let row = set
                .iter()
                .find(|(p, k, _)| *p == plan.id && k == entitlement.key());
            let plan_id = || plan.id.clone();
            match row.map(|(_, _, v)| *v) {
                None => {
                    return Err(PlansInvalid::Missing {
                        plan: plan_id(),
                        entitlement: entitlement.key(),
                    })
                }
                Some(v) if entitlement.is_feature() && !matches!(v, Some(0 | 1)) => {
                    return Err(PlansInvalid::Feature {
                        plan: plan_id(),
                        entitlement: entitlement.key(),
                    })
                }
                Some(Some(v)) if v < 0 => {
                    return Err(PlansInvalid::Negative {
                        plan: plan_id(),
                        entitlement: entitlement.key(),
                    })
                }
                Some(_) => {}
            }
        }
    }
    Ok(())
}

#[derive(FromRow)]
struct TermsRow {
    plan_name: String,
    enforcement_enabled: i64,
    grace_count: i64,
    plan_value: Option<i64>,
    has_override: i64,
    override_value: Option<i64>,
    override_until: Option<i64>,
    override_reason: Option<String>,
    grace_used: i64,
}

/// The person's plan (their row, else the default) joined with one entitlement's value, its
/// override and the grace used: one statement.
const TERMS_SQL: &str = "SELECT p.name AS plan_name, p.enforcement_enabled, p.grace_count, \
     e.value AS plan_value, CASE WHEN o.user_id IS NULL THEN 0 ELSE 1 END AS has_override, \
     o.value AS override_value, o.expires_at AS override_until, o.reason AS override_reason, \
     COALESCE(g.used, 0) AS grace_used \
     FROM users u \
     LEFT JOIN user_plans up ON up.user_id = u.id \
     JOIN plans p ON p.id = COALESCE(up.plan_id, (SELECT id FROM plans WHERE is_default = 1)) \
     JOIN plan_entitlements e ON e.plan_id = p.id AND e.entitlement = $2 \
     LEFT JOIN entitlement_overrides o ON o.user_id = u.id AND o.entitlement = $2 \
     LEFT JOIN entitlement_grace g ON g.user_id = u.id AND g.entitlement = $2 \
     WHERE u.id = $1";

impl TermsRow {
    fn terms(&self) -> Terms {
        Terms {
            plan_value: self.plan_value,
            enforcement_enabled: self.enforcement_enabled != 0,
            grace_count: self.grace_count,
            override_value: (self.has_override != 0)
                .then_some((self.override_value, self.override_until)),
            grace_used: self.grace_used,
        }
    }
}

async fn terms_row<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    executor: E,
    user_id: &str,
    entitlement: Entitlement,
) -> Result<TermsRow, AppError> {
    sqlx::query_as::<_, TermsRow>(TERMS_SQL)
        .bind(user_id)
        .bind(entitlement.key())
        .fetch_optional(executor)
        .await?
        .ok_or_else(|| {
            tracing::error!(user_id, "no plan terms for a user");
            AppError::Internal
        })
}

/// Whether `user_id` has a feature at `now` (for reads: insights, card images).
pub async fn has_feature(
    db: &Db,
    user_id: &str,
    feature: Entitlement,
    now: i64,
) -> Result<bool, AppError> {
    let row = terms_row(db.pool(), user_id, feature).await?;
    Ok(decide(feature, row.terms(), 1, now) == Decision::Allow)
}

/// What an allowed action may tell the person (grace used).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Granted {
    pub notice: Option<String>,
}

/// What an action would bring an entitlement's usage to, counted inside its write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum After<'a> {
    /// One more active draft than the person owns now.
    OneMoreDraft,
    /// The people now on this draft (a joiner already inserted), or one more.
    PeopleOn { draft_id: &'a str, plus: i64 },
    /// A requested amount (the uses an invite asks for).
    Amount(i64),
}

/// Decides `entitlement` for `user_id` inside the action's write, with the usage the action
/// would bring (`after`): grace is consumed here; a refusal is an error, so the write rolls
/// back. `for_owner` says whether the person acting is the one whose plan decides (an
/// invitee joining someone's draft is not).
///
/// On PostgreSQL the person's row is locked by a statement of its own first, so the usage
/// and the terms are read afterwards, each by a statement with a snapshot taken after the
/// lock: a concurrent action of the same person has committed or not begun. (Read in the
/// locking statement itself, joined rows would come from the snapshot taken before the wait.)
pub async fn enforce(
    tx: &mut Tx,
    user_id: &str,
    entitlement: Entitlement,
    after: After<'_>,
    for_owner: bool,
    now: i64,
) -> Result<Granted, AppError> {
    if is_postgres(tx) {
        sqlx::query("SELECT id FROM users WHERE id = $1 FOR UPDATE")
            .bind(user_id)
            .execute(&mut **tx)
            .await?;
    }
    let amount = match after {
        After::OneMoreDraft => active_drafts(tx, user_id).await? + 1,
        After::PeopleOn { draft_id, plus } => people_on(tx, draft_id).await? + plus,
        After::Amount(n) => n,
    };
    let row = terms_row(&mut **tx, user_id, entitlement).await?;
    match decide(entitlement, row.terms(), amount, now) {
        Decision::Allow => Ok(Granted { notice: None }),
        Decision::WarnOnly { limit } => {
            tracing::warn!(
                user_id,
                entitlement = entitlement.key(),
                limit,
                amount,
                "over a limit on a plan that does not enforce it; allowed"
            );
            Ok(Granted { notice: None })
        }
        Decision::AllowWithGrace { used, total } => {
            sqlx::query(
                "INSERT INTO entitlement_grace (user_id, entitlement, used) VALUES ($1, $2, 1) \
                 ON CONFLICT (user_id, entitlement) DO UPDATE SET used = entitlement_grace.used + 1",
            )
            .bind(user_id)
            .bind(entitlement.key())
            .execute(&mut **tx)
            .await?;
            let (_, plural) = entitlement.noun();
            Ok(Granted {
                notice: Some(format!(
                    "You're using {used} of {total} grace {plural} on {}: past the plan's limit, on the house.",
                    row.plan_name
                )),
            })
        }
        Decision::Block { limit } => Err(exceeded(
            entitlement,
            limit,
            amount,
            &row.plan_name,
            for_owner,
        )),
        Decision::Disallowed => Err(exceeded(entitlement, 0, 0, &row.plan_name, for_owner)),
    }
}

/// The `quota_exceeded` answer: what, the limit, the usage, and what to do.
pub fn exceeded(
    entitlement: Entitlement,
    limit: i64,
    amount: i64,
    plan: &str,
    for_owner: bool,
) -> AppError {
    let usage = match entitlement {
        Entitlement::InvitesMaxUses => amount,
        _ => (amount - 1).max(0),
    };
    let message = match (entitlement, for_owner) {
        (Entitlement::DraftsMax, _) => format!(
            "You have {usage} active drafts, the most on {plan}. Archive one, or upgrade."
        ),
        (Entitlement::CollaboratorsMax, true) => format!(
            "This draft has {usage} collaborators, the most on {plan}. Remove someone, or upgrade."
        ),
        (Entitlement::CollaboratorsMax, false) => {
            "This draft is full on its owner's plan. Ask its owner to make room, then try again."
                .to_owned()
        }
        (Entitlement::InvitesMaxUses, _) => format!(
            "An invite link can be used at most {limit} times on {plan}. Choose {limit} or fewer, or upgrade."
        ),
        (Entitlement::AnalyticsEnabled, _) => {
            format!("Charts, the ring timeline and who wrote what come with Creator and Team; {plan} shows the basic counts.")
        }
        (Entitlement::SharecardsImages, _) => {
            format!("Images on public share cards are not part of {plan}.")
        }
    };
    AppError::QuotaExceeded {
        entitlement: entitlement.key().to_owned(),
        limit,
        usage,
        message,
    }
}

/// Active drafts `owner_id` owns.
async fn active_drafts(tx: &mut Tx, owner_id: &str) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM drafts WHERE owner_id = $1 AND status <> 'archived'",
    )
    .bind(owner_id)
    .fetch_one(&mut **tx)
    .await?)
}

/// People on a draft, its owner excluded.
async fn people_on(tx: &mut Tx, draft_id: &str) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM collaborators WHERE draft_id = $1 AND role <> 'owner'",
    )
    .bind(draft_id)
    .fetch_one(&mut **tx)
    .await?)
}

/// Why a plan changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeReason {
    Billing,
    Admin,
}

impl ChangeReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Billing => "billing",
            Self::Admin => "admin",
        }
    }
}

/// Moves `user_id` to `to_plan` (recorded with its reason; grace starts afresh). `false`
/// when they were on it already (nothing recorded). Unknown plans are a 422 on `plan`.
pub async fn change_plan(
    tx: &mut Tx,
    user_id: &str,
    to_plan: &str,
    reason: ChangeReason,
    note: Option<&str>,
    now: i64,
) -> Result<bool, AppError> {
    let known: Option<String> = sqlx::query_scalar("SELECT id FROM plans WHERE id = $1")
        .bind(to_plan)
        .fetch_optional(&mut **tx)
        .await?;
    if known.is_none() {
        return Err(AppError::validation(
            "plan",
            "There is no plan by that name.",
        ));
    }
    let lock = if is_postgres(tx) {
        " FOR UPDATE OF u"
    } else {
        ""
    };
    let from: String = sqlx::query_scalar(&format!(
        "SELECT COALESCE(up.plan_id, (SELECT id FROM plans WHERE is_default = 1)) FROM users u \
         LEFT JOIN user_plans up ON up.user_id = u.id WHERE u.id = $1{lock}"
    ))
    .bind(user_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::NotFound)?;
    if from == to_plan {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO user_plans (user_id, plan_id, since) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id) DO UPDATE SET plan_id = excluded.plan_id, since = excluded.since",
    )
    .bind(user_id)
    .bind(to_plan)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO plan_changes (id, user_id, from_plan, to_plan, reason, note, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(user_id)
    .bind(&from)
    .bind(to_plan)
    .bind(reason.as_str())
    .bind(note)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM entitlement_grace WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(true)
}

/// Sets (or, with `None`, clears) `user_id`'s override of `entitlement`.
pub async fn set_override(
    tx: &mut Tx,
    user_id: &str,
    entitlement: Entitlement,
    value: Option<(Value, Option<i64>, &str)>,
    now: i64,
) -> Result<(), AppError> {
    match value {
        None => {
            sqlx::query(
                "DELETE FROM entitlement_overrides WHERE user_id = $1 AND entitlement = $2",
            )
            .bind(user_id)
            .bind(entitlement.key())
            .execute(&mut **tx)
            .await?;
        }
        Some((value, expires_at, reason)) => {
            sqlx::query(
                "INSERT INTO entitlement_overrides (user_id, entitlement, value, expires_at, reason, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id, entitlement) DO UPDATE SET \
                 value = excluded.value, expires_at = excluded.expires_at, reason = excluded.reason, \
                 created_at = excluded.created_at",
            )
            .bind(user_id)
            .bind(entitlement.key())
            .bind(value)
            .bind(expires_at)
            .bind(reason)
            .bind(now)
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}

/// Everything `/account/plan` shows for `user_id` at `now`.
pub async fn my_plan(db: &Db, user_id: &str, now: i64) -> Result<MyPlan, AppError> {
    let all = plans(db.pool()).await?;
    let (plan_id, since): (String, i64) = sqlx::query_as(
        "SELECT COALESCE(up.plan_id, (SELECT id FROM plans WHERE is_default = 1)), \
         COALESCE(up.since, u.created_at) FROM users u LEFT JOIN user_plans up ON up.user_id = u.id \
         WHERE u.id = $1",
    )
    .bind(user_id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(AppError::NotFound)?;
    let plan = all
        .into_iter()
        .find(|p| p.id == plan_id)
        .ok_or(AppError::Internal)?;
    let active: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM drafts WHERE owner_id = $1 AND status <> 'archived'",
    )
    .bind(user_id)
    .fetch_one(db.pool())
    .await?;
    let busiest: Option<i64> = sqlx::query_scalar(
        "SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM collaborators c JOIN drafts d ON d.id = c.draft_id \
         WHERE d.owner_id = $1 AND c.role <> 'owner' GROUP BY c.draft_id) people",
    )
    .bind(user_id)
    .fetch_one(db.pool())
    .await?;
    let mut standings = Vec::new();
    for entitlement in Entitlement::ALL {
        let row = terms_row(db.pool(), user_id, entitlement).await?;
        let terms = row.terms();
        let in_force = row.has_override != 0 && row.override_until.is_none_or(|t| now < t);
        standings.push(Standing {
            entitlement,
            value: terms.value_at(now),
            usage: match entitlement {
                Entitlement::DraftsMax => Some(active),
                Entitlement::CollaboratorsMax => Some(busiest.unwrap_or(0)),
                _ => None,
            },
            grace_used: row.grace_used,
            override_until_ms: in_force.then_some(row.override_until),
            override_reason: row.override_reason.clone().filter(|_| in_force),
        });
    }
    let mut history: Vec<PlanChange> = sqlx::query_as::<_, (Option<String>, String, String, i64)>(
        "SELECT from_plan, to_plan, reason, at FROM plan_changes WHERE user_id = $1 ORDER BY at DESC, id",
    )
    .bind(user_id)
    .fetch_all(db.pool())
    .await?
    .into_iter()
    .map(|(from, to, reason, at_ms)| PlanChange {
        from,
        to,
        reason,
        at_ms,
    })
    .collect();
    let (default_plan, created_at): (String, i64) = sqlx::query_as(
        "SELECT (SELECT id FROM plans WHERE is_default = 1), created_at FROM users WHERE id = $1",
    )
    .bind(user_id)
    .fetch_one(db.pool())
    .await?;
    history.push(PlanChange {
        from: None,
        to: default_plan,
        reason: "signup".to_owned(),
        at_ms: created_at,
    });
    Ok(MyPlan {
        plan,
        since_ms: since,
        standings,
        history,
    })
}
