//! The timeline: everything that happened to an order, one readable line each. The workflow
//! writes it as it decides; the store keeps it.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{OrderKey, UnknownName};

/// What a timeline line is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimelineKind {
    /// The shop sent or changed the order.
    Shop,
    /// The order moved to another state.
    State,
    /// A person should look.
    Attention,
    /// How the delivery address was read (its region, and from what).
    Address,
    /// News that changed nothing, and why.
    Ignored,
    /// ShaQ's news about the package.
    Courier,
    /// A courier status the table does not map.
    Unmapped,
    /// The ticket (Digishare's news, or the bridge's moves).
    Ticket,
    /// A call to ShaQ and what it did.
    Call,
    /// What the shop was told.
    WriteBack,
    /// What reconciliation found.
    Reconcile,
    /// A job failed (it will be retried, or is dead).
    Error,
    /// A person acted (console, admin API, CLI); `details.operator` names them.
    Operator,
}

impl TimelineKind {
    /// Every kind.
    pub const ALL: [TimelineKind; 13] = [
        TimelineKind::Shop,
        TimelineKind::State,
        TimelineKind::Attention,
        TimelineKind::Address,
        TimelineKind::Ignored,
        TimelineKind::Courier,
        TimelineKind::Unmapped,
        TimelineKind::Ticket,
        TimelineKind::Call,
        TimelineKind::WriteBack,
        TimelineKind::Reconcile,
        TimelineKind::Error,
        TimelineKind::Operator,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            TimelineKind::Shop => "shop",
            TimelineKind::State => "state",
            TimelineKind::Attention => "attention",
            TimelineKind::Address => "address",
            TimelineKind::Ignored => "ignored",
            TimelineKind::Courier => "courier",
            TimelineKind::Unmapped => "unmapped",
            TimelineKind::Ticket => "ticket",
            TimelineKind::Call => "call",
            TimelineKind::WriteBack => "write_back",
            TimelineKind::Reconcile => "reconcile",
            TimelineKind::Error => "error",
            TimelineKind::Operator => "operator",
        }
    }
}

impl fmt::Display for TimelineKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TimelineKind {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TimelineKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == s)
            .ok_or_else(|| UnknownName(s.to_owned()))
    }
}

/// One timeline line to write.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TimelineEntry {
    /// The order.
    pub order_key: OrderKey,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// What it is about.
    pub kind: TimelineKind,
    /// One readable line.
    pub summary: String,
    /// Structured details, phones masked.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

/// One timeline line.
pub fn timeline(
    order_key: &OrderKey,
    at: DateTime<Utc>,
    kind: TimelineKind,
    summary: impl Into<String>,
) -> TimelineEntry {
    TimelineEntry {
        order_key: order_key.clone(),
        at,
        kind,
        summary: summary.into(),
        details: serde_json::Value::Null,
    }
}
