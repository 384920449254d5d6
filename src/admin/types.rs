//! What the admin pages show, as both builds see it. Only admins ever receive these (every
//! function that returns one passes `require_admin` first); they are the only answers in
//! OneRing that carry other people's emails.

use serde::{Deserialize, Serialize};

use crate::plans::types::MyPlan;

/// How an admin proved who they are; the audit trail's `actor_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    /// An identity-provider token.
    Jwt,
    /// A OneRing account with the admin role.
    Account,
    /// The legacy shared key.
    LegacyKey,
    /// The server's command line.
    Cli,
}

impl ActorKind {
    pub const ALL: [ActorKind; 4] = [Self::Jwt, Self::Account, Self::LegacyKey, Self::Cli];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Jwt => "jwt",
            Self::Account => "account",
            Self::LegacyKey => "legacy_key",
            Self::Cli => "cli",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Jwt => "identity provider",
            Self::Account => "admin account",
            Self::LegacyKey => "legacy key",
            Self::Cli => "command line",
        }
    }
}

/// The admin looking at the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminIdentity {
    pub kind: ActorKind,
    pub id: String,
    pub email: Option<String>,
    pub mechanism: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCount {
    pub status: String,
    pub count: i64,
}

/// The last time reconciliation ran (as a job or from the reconcile page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReconcileRun {
    pub at_ms: i64,
    /// `done`, `failed`, `queued`, `running`.
    pub status: String,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HealthSummary {
    pub database_up: bool,
    pub backend: String,
    pub latency_ms: Option<f64>,
    /// Background jobs out of attempts, waiting for someone.
    pub failed_jobs: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    pub me: AdminIdentity,
    pub users: i64,
    pub drafts: i64,
    /// Segments written since 00:00 UTC.
    pub segments_today: i64,
    pub events_by_status: Vec<StatusCount>,
    pub last_reconcile: Option<ReconcileRun>,
    pub billing_enabled: bool,
    pub health: HealthSummary,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: String,
    pub handle: String,
    pub email: String,
    pub created_at_ms: i64,
    pub plan: String,
    pub is_admin: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSearch {
    pub rows: Vec<UserRow>,
    pub has_more: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRow {
    pub id: String,
    pub user_agent: String,
    pub created_at_ms: i64,
    pub last_seen_at_ms: i64,
    pub expires_at_ms: i64,
}

/// A plan an admin can move someone to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanChoice {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserDetail {
    pub user: UserRow,
    pub plan: MyPlan,
    pub sessions: Vec<SessionRow>,
    pub drafts_owned: i64,
    pub plans: Vec<PlanChoice>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRow {
    pub event_id: String,
    pub event_type: String,
    pub status: String,
    /// Stripe's time of the event, Unix seconds.
    pub created_s: i64,
    pub received_at_ms: i64,
    pub attempts: i64,
    pub last_error: Option<String>,
}

impl EventRow {
    /// Replay is for events that did not apply: failed, or ignored (say, a customer that was
    /// linked only later).
    pub fn replayable(&self) -> bool {
        matches!(self.status.as_str(), "failed" | "ignored")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventList {
    pub rows: Vec<EventRow>,
    pub has_more: bool,
    /// Every event type stored, for the filter.
    pub types: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventDetail {
    pub row: EventRow,
    /// The stored payload, pretty-printed, secrets redacted.
    pub payload: String,
}

/// What a replay did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplayOutcome {
    pub event_id: String,
    /// How processing ended (`applied`, `superseded`, `ignored`, `already_done`), or why it
    /// failed.
    pub outcome: String,
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReconcileChange {
    pub subscription_id: String,
    pub handle: String,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReconcileReport {
    pub checked: usize,
    pub changes: Vec<ReconcileChange>,
    /// Why the run stopped early (the provider could not be reached, say).
    pub error: Option<String>,
}

/// One audit row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub id: String,
    pub at_ms: i64,
    pub actor_type: String,
    pub actor_id: String,
    pub actor_email: Option<String>,
    pub mechanism: String,
    pub action: String,
    pub target: String,
    pub target_label: String,
    pub before: String,
    pub after: String,
    pub reason: String,
    pub request_id: Option<String>,
    pub client_address: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub rows: Vec<AuditRow>,
    pub has_more: bool,
}

/// The answer to an admin change: what happened, in a sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Done {
    pub message: String,
}

/// Rows per page on every admin list.
pub const PAGE_SIZE: usize = 50;
