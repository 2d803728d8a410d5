//! Jobs: the durable, outbound steps of the workflow, one file per job.
//!
//! A job is stored in the same transaction as the event that caused it, claimed by a worker with
//! a lease, and finished as `done`, retried later, or parked as `dead` for an operator. Each
//! job's file makes its call and reports what it found as [`JobNews`]; the [`runner`] asks the
//! workflow what that means and commits the answer with the job's completion.
//!
//! [`JobNews`]: crate::workflow::JobNews

mod apply_inbound_event;
mod attach_label;
mod bulk;
mod cancel_package;
mod create_package;
mod create_replacement;
mod create_ticket;
mod expire_confirmation;
mod handover;
mod move_ticket;
mod package_request;
mod reconcile;
pub mod runner;
mod ticket_data;
mod update_package;
mod write_back_to_shop;

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shaq_client::{Classify, Disposition, PackageStatus};

use crate::domain::OrderKey;
use crate::store::InboundEventRecord;
use crate::workflow::operator::OperatorRequest;
use crate::workflow::{ShopMilestone, TicketKey, TrackedOrder};

pub use bulk::BulkCreator;
pub use runner::{JobRunner, Services, ShopRuntime};

/// A job: what to do, with what it needs beyond its order (which it reads fresh when it runs).
/// Imperative names: each is one step the bridge takes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Job {
    /// Run a stored webhook through the workflow.
    ApplyInboundEvent {
        /// The inbound event's id.
        event_id: i64,
    },
    /// Create the ShaQ package (idempotent by `partner_ref`).
    CreatePackage,
    /// Create the Digishare ticket (idempotent by `external_id`).
    CreateTicket {
        /// The status it starts in.
        status_key: TicketKey,
    },
    /// Move the ticket so the customer gets a WhatsApp message, or refresh its data.
    MoveTicket(MoveTicket),
    /// Change a still-pending package (address, phone, items, amount).
    UpdatePackage,
    /// Delete a pending package, or ask ShaQ to cancel one it has.
    CancelPackage,
    /// Fetch the ShaQ label and attach it to the ticket.
    AttachLabel,
    /// Tell the shop of a milestone (fulfilment, paid, cancelled, tags…).
    WriteBackToShop {
        /// What happened.
        milestone: ShopMilestone,
    },
    /// Look the package up at ShaQ and apply statuses whose webhooks were missed.
    Reconcile,
    /// A timer: an order still unconfirmed when it fires needs a person, or is cancelled
    /// (the shop's `on_no_answer`).
    ExpireConfirmation,
    /// A timer: reminds a customer who has not answered yet (reminder `number` of `of`).
    RemindConfirmation {
        /// Which reminder (1-based).
        number: u8,
        /// Of how many.
        of: u8,
        /// It was due during quiet hours and waited for their end.
        #[serde(default)]
        held: bool,
    },
    /// A person's request (correct, resume, replay, cancel), decided in the order's turn.
    Operator(OperatorRequest),
    /// Ask ShaQ for the packages of a return, replacement or exchange after delivery.
    CreateReplacement {
        /// What for.
        after_sale: crate::workflow::returns::AfterSale,
        /// Which request of the order (part of the packages' references).
        number: u32,
    },
    /// Hand a gathered batch of packages to ShaQ: create the shipment, fetch the labels, print
    /// the manifest (queued under the shop's `handover/{shop}` key, not an order's).
    Handover {
        /// The batch (`shipments.id`).
        shipment_id: i64,
    },
}

/// `MoveTicket`: the status to show the customer, and the courier's words for it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoveTicket {
    /// The `[digishare.statuses]` key; `None` refreshes the order data only.
    pub status_key: Option<TicketKey>,
    /// ShaQ's status, when a courier event caused this.
    #[serde(default)]
    pub courier_status: Option<PackageStatus>,
    /// ShaQ's description of it.
    #[serde(default)]
    pub description: Option<String>,
    /// ShaQ's comment.
    #[serde(default)]
    pub comment: Option<String>,
    /// Proof of delivery.
    #[serde(default)]
    pub proof_url: Option<String>,
}

impl MoveTicket {
    /// A move to `status_key`, with no courier details.
    pub fn to(status_key: TicketKey) -> MoveTicket {
        MoveTicket {
            status_key: Some(status_key),
            ..MoveTicket::default()
        }
    }
}

impl Job {
    /// What kind of job it is.
    pub fn kind(&self) -> JobKind {
        match self {
            Job::ApplyInboundEvent { .. } => JobKind::ApplyInboundEvent,
            Job::CreatePackage => JobKind::CreatePackage,
            Job::CreateTicket { .. } => JobKind::CreateTicket,
            Job::MoveTicket(_) => JobKind::MoveTicket,
            Job::UpdatePackage => JobKind::UpdatePackage,
            Job::CancelPackage => JobKind::CancelPackage,
            Job::AttachLabel => JobKind::AttachLabel,
            Job::WriteBackToShop { .. } => JobKind::WriteBackToShop,
            Job::Reconcile => JobKind::Reconcile,
            Job::ExpireConfirmation => JobKind::ExpireConfirmation,
            Job::RemindConfirmation { .. } => JobKind::RemindConfirmation,
            Job::Operator(_) => JobKind::Operator,
            Job::Handover { .. } => JobKind::Handover,
            Job::CreateReplacement { .. } => JobKind::CreateReplacement,
        }
    }

    /// The stored payload: the job's fields as a JSON object (its kind is stored beside it).
    pub fn payload(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(self).unwrap_or_default();
        if let Some(object) = value.as_object_mut() {
            object.remove("kind");
        }
        value
    }

    /// A job read back from its stored kind and payload.
    pub fn from_stored(kind: &str, payload: &str) -> Result<Job, String> {
        kind.parse::<JobKind>().map_err(|e| e.to_string())?;
        let mut value: serde_json::Value =
            serde_json::from_str(payload).map_err(|e| format!("payload: {e}"))?;
        let object = value
            .as_object_mut()
            .ok_or_else(|| "payload: not a JSON object".to_owned())?;
        object.insert(
            "kind".to_owned(),
            serde_json::Value::String(kind.to_owned()),
        );
        serde_json::from_value(value).map_err(|e| format!("payload: {e}"))
    }
}

/// The kind of a job, as stored and counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    /// [`Job::ApplyInboundEvent`].
    ApplyInboundEvent,
    /// [`Job::CreatePackage`].
    CreatePackage,
    /// [`Job::CreateTicket`].
    CreateTicket,
    /// [`Job::MoveTicket`].
    MoveTicket,
    /// [`Job::UpdatePackage`].
    UpdatePackage,
    /// [`Job::CancelPackage`].
    CancelPackage,
    /// [`Job::AttachLabel`].
    AttachLabel,
    /// [`Job::WriteBackToShop`].
    WriteBackToShop,
    /// [`Job::Reconcile`].
    Reconcile,
    /// [`Job::ExpireConfirmation`].
    ExpireConfirmation,
    /// [`Job::RemindConfirmation`].
    RemindConfirmation,
    /// [`Job::Operator`].
    Operator,
    /// [`Job::Handover`].
    Handover,
    /// [`Job::CreateReplacement`].
    CreateReplacement,
}

impl JobKind {
    /// Every kind, for metrics and listings.
    pub const ALL: [JobKind; 14] = [
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
        JobKind::RemindConfirmation,
        JobKind::Operator,
        JobKind::Handover,
        JobKind::CreateReplacement,
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
            JobKind::RemindConfirmation => "remind_confirmation",
            JobKind::Operator => "operator",
            JobKind::Handover => "handover",
            JobKind::CreateReplacement => "create_replacement",
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

/// Why a job failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum JobError {
    /// Worth another try later (network, 5xx, 429, a dependency not ready yet).
    #[error("{message}")]
    Retryable {
        /// What happened.
        message: String,
        /// The server asked to wait this long.
        retry_after: Option<Duration>,
    },
    /// Will fail the same way every time (validation, missing configuration): dead at once.
    #[error("{message}")]
    Permanent {
        /// What happened.
        message: String,
    },
}

impl JobError {
    /// A retryable failure.
    pub fn retryable(message: impl Into<String>) -> Self {
        JobError::Retryable {
            message: message.into(),
            retry_after: None,
        }
    }

    /// A permanent failure.
    pub fn permanent(message: impl Into<String>) -> Self {
        JobError::Permanent {
            message: message.into(),
        }
    }
}

/// Every upstream client's error becomes a job error the same way: what it says to retry is
/// retried (after its `Retry-After`), the rest is permanent.
impl<E: Classify> From<E> for JobError {
    fn from(error: E) -> Self {
        match error.disposition() {
            Disposition::Retry { after } => JobError::Retryable {
                message: error.to_string(),
                retry_after: after,
            },
            Disposition::NotFound | Disposition::Reject => JobError::permanent(error.to_string()),
        }
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

/// A job as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRecord {
    /// Database id.
    pub id: i64,
    /// What it does.
    pub job: Job,
    /// The order it belongs to.
    pub order_key: OrderKey,
    /// Its idempotency key.
    pub dedupe_key: String,
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

impl JobRecord {
    /// What kind of job it is.
    pub fn kind(&self) -> JobKind {
        self.job.kind()
    }

    /// Whether an earlier run of this job may have made its call: it was claimed before (and
    /// failed, died, or was interrupted at shutdown, which keeps the attempt), or revived after
    /// failing. Only a job that certainly never ran may create without looking first.
    pub fn may_have_run_before(&self) -> bool {
        self.attempts > 1 || self.last_error.is_some()
    }
}

/// A job as the admin API shows it: its kind and payload side by side, as stored.
#[derive(Serialize)]
struct JobView<'a> {
    id: i64,
    kind: JobKind,
    order_key: &'a OrderKey,
    dedupe_key: &'a str,
    payload: serde_json::Value,
    state: JobState,
    attempts: i64,
    run_at: DateTime<Utc>,
    lease_until: Option<DateTime<Utc>>,
    last_error: Option<&'a str>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl Serialize for JobRecord {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        JobView {
            id: self.id,
            kind: self.kind(),
            order_key: &self.order_key,
            dedupe_key: &self.dedupe_key,
            payload: self.job.payload(),
            state: self.state,
            attempts: self.attempts,
            run_at: self.run_at,
            lease_until: self.lease_until,
            last_error: self.last_error.as_deref(),
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
        .serialize(serializer)
    }
}

/// A job a worker holds. The lease id proves ownership: a worker whose lease expired and was
/// taken over cannot finish the job a second time.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimedJob {
    /// The job as claimed (state `running`, attempts already counted).
    pub job: JobRecord,
    /// This claim's identity.
    pub lease_id: String,
    /// What the job starts from, read in the claim's transaction; `None` when the claim did
    /// not read it (the executor reads it itself).
    pub inputs: Option<Arc<JobInputs>>,
}

/// A job's order (and, for `apply_inbound_event`, its webhook) as the claim's transaction read
/// them: what the job would read when it starts, without a round trip to the database per job.
/// Jobs of an order run one at a time and only their completions store it; the one other
/// writer, retention forgetting the customer of an order finished long ago, races a running job
/// as it did when jobs read their orders themselves.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JobInputs {
    /// The order; `None` when it is not stored (yet).
    pub order: Option<TrackedOrder>,
    /// The webhook an `apply_inbound_event` job applies; `None` for other jobs, or when it is
    /// gone.
    pub event: Option<InboundEventRecord>,
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
    fn jobs_round_trip_through_kind_and_payload() {
        let jobs = [
            Job::ApplyInboundEvent { event_id: 7 },
            Job::CreatePackage,
            Job::CreateTicket {
                status_key: TicketKey::AWAITING_CONFIRMATION,
            },
            Job::MoveTicket(MoveTicket {
                courier_status: Some(PackageStatus::Dispatched),
                description: Some("Out for delivery".to_owned()),
                ..MoveTicket::to(TicketKey::new("out_for_delivery"))
            }),
            Job::WriteBackToShop {
                milestone: ShopMilestone::Delivered,
            },
            Job::ExpireConfirmation,
        ];
        for job in jobs {
            let stored = job.payload().to_string();
            assert_eq!(
                Job::from_stored(job.kind().as_str(), &stored),
                Ok(job.clone()),
                "{stored}"
            );
        }
    }

    #[test]
    fn payloads_written_by_earlier_versions_still_read() {
        assert_eq!(
            Job::from_stored("create_package", "{}"),
            Ok(Job::CreatePackage)
        );
        assert_eq!(
            Job::from_stored("create_ticket", r#"{"status_key":"received"}"#),
            Ok(Job::CreateTicket {
                status_key: TicketKey::RECEIVED
            })
        );
        assert_eq!(
            Job::from_stored(
                "move_ticket",
                r#"{"status_key":"delivered","courier_status":"delivered","description":null,"comment":null,"proof_url":"https://p"}"#
            ),
            Ok(Job::MoveTicket(MoveTicket {
                courier_status: Some(PackageStatus::Delivered),
                proof_url: Some("https://p".to_owned()),
                ..MoveTicket::to(TicketKey::new("delivered"))
            }))
        );
        assert!(Job::from_stored("teleport", "{}").is_err());
        assert!(Job::from_stored("write_back_to_shop", "{}").is_err());
    }
}
