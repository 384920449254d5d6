//! Plans and entitlements as both builds see them.

use serde::{Deserialize, Serialize};

/// What a plan grants. Limits count something; features are in a plan or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Entitlement {
    /// Active (not archived) drafts a person owns.
    #[serde(rename = "drafts.max")]
    DraftsMax,
    /// People on one of their drafts, the owner excluded.
    #[serde(rename = "collaborators.max")]
    CollaboratorsMax,
    /// The most uses one invite link may have.
    #[serde(rename = "invites.max_uses")]
    InvitesMaxUses,
    /// Draft insights beyond the basic counts (the leaderboards are for everyone).
    #[serde(rename = "analytics.enabled")]
    AnalyticsEnabled,
    /// PNG images on public share cards.
    #[serde(rename = "sharecards.images")]
    SharecardsImages,
}

impl Entitlement {
    pub const ALL: [Entitlement; 5] = [
        Entitlement::DraftsMax,
        Entitlement::CollaboratorsMax,
        Entitlement::InvitesMaxUses,
        Entitlement::AnalyticsEnabled,
        Entitlement::SharecardsImages,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Self::DraftsMax => "drafts.max",
            Self::CollaboratorsMax => "collaborators.max",
            Self::InvitesMaxUses => "invites.max_uses",
            Self::AnalyticsEnabled => "analytics.enabled",
            Self::SharecardsImages => "sharecards.images",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.key() == raw.trim())
    }

    /// Whether the value is a yes/no feature rather than a limit.
    pub fn is_feature(self) -> bool {
        matches!(self, Self::AnalyticsEnabled | Self::SharecardsImages)
    }

    /// What it is, for the pricing table.
    pub fn label(self) -> &'static str {
        match self {
            Self::DraftsMax => "Active drafts",
            Self::CollaboratorsMax => "Collaborators per draft",
            Self::InvitesMaxUses => "Uses per invite link",
            Self::AnalyticsEnabled => "Draft insights: charts, ring timeline, who wrote what",
            Self::SharecardsImages => "Images on public share cards",
        }
    }

    /// The thing a limit counts, singular and plural.
    pub fn noun(self) -> (&'static str, &'static str) {
        match self {
            Self::DraftsMax => ("active draft", "active drafts"),
            Self::CollaboratorsMax => ("collaborator", "collaborators"),
            Self::InvitesMaxUses => ("use", "uses"),
            Self::AnalyticsEnabled | Self::SharecardsImages => ("", ""),
        }
    }
}

/// An entitlement's value: a limit (`None`: unlimited) or a feature's yes/no (1/0).
pub type Value = Option<i64>;

/// How a value reads: "3", "Unlimited", "Included", "—".
pub fn describe(entitlement: Entitlement, value: Value) -> String {
    match (entitlement.is_feature(), value) {
        (true, Some(0)) => "Not included".to_owned(),
        (true, _) => "Included".to_owned(),
        (false, None) => "Unlimited".to_owned(),
        (false, Some(n)) => n.to_string(),
    }
}

/// A plan as the pricing page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub id: String,
    pub name: String,
    pub price_label: String,
    pub is_default: bool,
    pub enforcement_enabled: bool,
    pub grace_count: i64,
    /// Every entitlement with its value, in `Entitlement::ALL` order.
    pub entitlements: Vec<(Entitlement, Value)>,
}

impl Plan {
    pub fn value(&self, entitlement: Entitlement) -> Value {
        self.entitlements
            .iter()
            .find(|(e, _)| *e == entitlement)
            .and_then(|(_, v)| *v)
    }
}

/// The pricing page's data: every plan, and the visitor's own when signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pricing {
    pub plans: Vec<Plan>,
    pub current: Option<String>,
    /// Whether upgrades can be paid for here (billing configured).
    pub upgrades_available: bool,
}

/// One entitlement as it stands for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standing {
    pub entitlement: Entitlement,
    /// The value in force (override or plan).
    pub value: Value,
    /// What they use now (limits only): active drafts; people on their busiest draft.
    pub usage: Option<i64>,
    pub grace_used: i64,
    /// An override in force: its value, until when (none: no end), and why.
    pub override_until_ms: Option<Option<i64>>,
    pub override_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanChange {
    pub from: Option<String>,
    pub to: String,
    pub reason: String,
    pub at_ms: i64,
}

/// What `/account/plan` shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyPlan {
    pub plan: Plan,
    pub since_ms: i64,
    pub standings: Vec<Standing>,
    pub history: Vec<PlanChange>,
}
