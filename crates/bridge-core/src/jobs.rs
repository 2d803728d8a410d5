//! Jobs: the durable, outbound steps of the workflow.
//!
//! A job is stored in the same transaction as the event that caused it, claimed by a worker with
//! a lease, and finished as `done`, retried later, or parked as `dead` for an operator.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What a job does. Imperative names: each is one step the bridge takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    /// Run an accepted webhook through the workflow (decides every other job).
    ApplyInboundEvent,
    /// Create the ShaQ package for an order (idempotent by `partner_ref`).
    CreatePackage,
    /// Create the Digishare ticket for an order (idempotent by `external_id`).
    CreateTicket,
    /// Move the ticket to a new status so the customer gets a WhatsApp message.
    MoveTicket,
    /// Change a still-pending package (address, phone, items).
    UpdatePackage,
    /// Delete a pending package or cancel the order at ShaQ.
    CancelPackage,
    /// Fetch the ShaQ label and attach it to the ticket.
    AttachLabel,
    /// Write a status back to the shop (fulfilment, paid, cancelled, tags…).
    WriteBackToShop,
    /// Look a package up at ShaQ and apply statuses whose webhooks were missed.
    Reconcile,
    /// A timer: an order still unconfirmed when it fires needs a person.
    ExpireConfirmation,
}

impl JobKind {
    /// Every kind, for metrics and listings.
    pub const ALL: [JobKind; 10] = [
        JobKind::ApplyInboundEvent,
        JobKind::CreatePackage,
        JobKind::CreateTicket,
        JobKind::MoveTicket,
        JobKind::UpdatePackage,
        JobKind::CancelPackage,
        JobKind::AttachLabel,
        JobKind::WriteBackToShop,
        JobKind::Reconcile,
        JobKind::ExpireConfirmation,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::ApplyInboundEvent => "apply_inbound_event",
            JobKind::CreatePackage => "create_package",
            JobKind::CreateTicket => "create_ticket",
            JobKind::MoveTicket => "move_ticket",
            JobKind::UpdatePackage => "update_package",
            JobKind::CancelPackage => "cancel_package",
            JobKind::AttachLabel => "attach_label",
            JobKind::WriteBackToShop => "write_back_to_shop",
            JobKind::Reconcile => "reconcile",
            JobKind::ExpireConfirmation => "expire_confirmation",
        }
    }
}

impl fmt::Display for JobKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for JobKind {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        JobKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == s)
            .ok_or_else(|| UnknownName(s.to_owned()))
    }
}

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Waiting for its `run_at`.
    Queued,
    /// Leased by a worker until `lease_until`; claimable again once that passes.
    Running,
    /// Finished successfully.
    Done,
    /// Gave up: a permanent error or the retry window ran out. An operator can retry it.
    Dead,
}

impl JobState {
    /// Every state, for metrics and listings.
    pub const ALL: [JobState; 4] = [
        JobState::Queued,
        JobState::Running,
        JobState::Done,
        JobState::Dead,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Dead => "dead",
        }
    }
}

impl fmt::Display for JobState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for JobState {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        JobState::ALL
            .into_iter()
            .find(|state| state.as_str() == s)
            .ok_or_else(|| UnknownName(s.to_owned()))
    }
}

/// A stored name that this version does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown name `{0}`")]
pub struct UnknownName(pub String);

/// A job to enqueue. Enqueueing the same `dedupe_key` twice is a no-op, whatever the state of
/// the first one: that is what makes redelivered webhooks and replayed workflow steps harmless.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    /// What to do.
    pub kind: JobKind,
    /// The order it belongs to; jobs of one order run one at a time, in enqueue order.
    pub order_key: String,
    /// Unique across all jobs ever enqueued.
    pub dedupe_key: String,
    /// Kind-specific input.
    pub payload: serde_json::Value,
    /// Not before this time (`None`: at once).
    pub run_at: Option<DateTime<Utc>>,
}

impl NewJob {
    /// A job with the conventional dedupe key `kind:order_key[:discriminator]`.
    pub fn new(
        kind: JobKind,
        order_key: impl Into<String>,
        discriminator: Option<&str>,
        payload: serde_json::Value,
    ) -> Self {
        let order_key = order_key.into();
        let dedupe_key = match discriminator {
            Some(extra) => format!("{kind}:{order_key}:{extra}"),
            None => format!("{kind}:{order_key}"),
        };
        NewJob {
            kind,
            order_key,
            dedupe_key,
            payload,
            run_at: None,
        }
    }

    /// Delay the job until `at`.
    pub fn run_at(mut self, at: DateTime<Utc>) -> Self {
        self.run_at = Some(at);
        self
    }
}

/// A job as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JobRecord {
    /// Database id.
    pub id: i64,
    /// What it does.
    pub kind: JobKind,
    /// The order it belongs to.
    pub order_key: String,
    /// Its idempotency key.
    pub dedupe_key: String,
    /// Kind-specific input.
    pub payload: serde_json::Value,
    /// Where it is.
    pub state: JobState,
    /// How many times a worker claimed it.
    pub attempts: i64,
    /// Next time it may run.
    pub run_at: DateTime<Utc>,
    /// When the current lease ends (running jobs).
    pub lease_until: Option<DateTime<Utc>>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When it was enqueued.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// A job a worker holds. The lease id proves ownership: a worker whose lease expired and was
/// taken over cannot finish the job a second time.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimedJob {
    /// The job as claimed (state `running`, attempts already counted).
    pub job: JobRecord,
    /// This claim's identity.
    pub lease_id: String,
}

impl ClaimedJob {
    /// The job's id.
    pub fn id(&self) -> i64 {
        self.job.id
    }
}

/// Counts of jobs per state, for `/metrics` and `/readyz`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct JobCounts {
    /// Waiting.
    pub queued: i64,
    /// Leased.
    pub running: i64,
    /// Finished.
    pub done: i64,
    /// Given up.
    pub dead: i64,
}

impl JobCounts {
    /// The count for one state.
    pub fn get(&self, state: JobState) -> i64 {
        match state {
            JobState::Queued => self.queued,
            JobState::Running => self.running,
            JobState::Done => self.done,
            JobState::Dead => self.dead,
        }
    }

    /// Set the count for one state.
    pub fn set(&mut self, state: JobState, count: i64) {
        match state {
            JobState::Queued => self.queued = count,
            JobState::Running => self.running = count,
            JobState::Done => self.done = count,
            JobState::Dead => self.dead = count,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_states_round_trip_through_their_stored_names() {
        for kind in JobKind::ALL {
            assert_eq!(kind.as_str().parse::<JobKind>(), Ok(kind));
        }
        for state in JobState::ALL {
            assert_eq!(state.as_str().parse::<JobState>(), Ok(state));
        }
        assert!("teleport".parse::<JobKind>().is_err());
    }

    #[test]
    fn dedupe_key_names_kind_order_and_discriminator() {
        let job = NewJob::new(
            JobKind::MoveTicket,
            "kente/1047",
            Some("evt-9"),
            serde_json::json!({}),
        );
        assert_eq!(job.dedupe_key, "move_ticket:kente/1047:evt-9");
        let job = NewJob::new(
            JobKind::CreatePackage,
            "kente/1047",
            None,
            serde_json::json!({}),
        );
        assert_eq!(job.dedupe_key, "create_package:kente/1047");
    }
}
