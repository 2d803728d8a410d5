//! The work the workflow may ask for, typed. A job is stored as its kind and its fields; the
//! workflow creates jobs ([`super::NewJob`]), the executors in `crate::jobs` run them.
//!
//! Three families, so no code has to answer for a job it can never meet:
//! - [`Job::ApplyInboundEvent`]: a stored webhook, run through the workflow (its order may not
//!   be stored yet);
//! - [`OrderJob`]: a step of one stored order, run in that order's turn;
//! - [`SystemJob`]: the bridge's own work, queued under a key of its own (`handover/{shop}`,
//!   `notice/{order}`), never holding an order's jobs back.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shaq_client::{Classify, Disposition, PackageStatus};

use super::operator::OperatorRequest;
use super::returns::AfterSale;
use super::{ShopMilestone, TicketKey};
use crate::domain::{OrderKey, UnknownName};

/// A job: what to do, with what it needs beyond its order (which it reads fresh when it runs).
#[derive(Debug, Clone, PartialEq)]
pub enum Job {
    /// Run a stored webhook through the workflow.
    ApplyInboundEvent {
        /// The inbound event's id.
        event_id: i64,
    },
    /// A step of an order.
    Order(OrderJob),
    /// The bridge's own work.
    System(SystemJob),
}

/// A step of one stored order. Imperative names: each is one step the bridge takes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OrderJob {
    /// Create the ShaQ package (idempotent by `partner_ref`).
    CreatePackage,
    /// Create the Digishare ticket (idempotent by `external_id`), with the order's invoice
    /// when the shop sends one.
    CreateTicket {
        /// The status it starts in.
        status_key: TicketKey,
        /// With an invoice: until when the ticket waits for Digishare to take its upload (then
        /// it is created without it, and [`OrderJob::AttachInvoice`] follows). `None`: no
        /// invoice.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        invoice_until: Option<DateTime<Utc>>,
    },
    /// Move the ticket so the customer gets a WhatsApp message, or refresh its data.
    MoveTicket(MoveTicket),
    /// Change a still-pending package (address, phone, items, amount).
    UpdatePackage,
    /// Delete a pending package, or ask ShaQ to cancel one it has.
    CancelPackage,
    /// Fetch the ShaQ label and attach it to the ticket.
    AttachLabel,
    /// Print the invoice and put it on a ticket created without it.
    AttachInvoice,
    /// Tell the shop of a milestone (fulfilment, paid, cancelled, tags…).
    WriteBackToShop {
        /// What happened.
        milestone: ShopMilestone,
    },
    /// Look the package up at ShaQ and apply statuses whose webhooks were missed.
    Reconcile,
    /// Read ShaQ's package record for what its webhooks do not carry (the new delivery day
    /// after a failed attempt, the delivery window, its tracking page).
    ReadPackage,
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
        after_sale: AfterSale,
        /// Which request of the order (part of the packages' references).
        number: u32,
    },
    /// Retention: forget the customer of a finished order (`[retention] customer_data`),
    /// decided in the order's turn like any other change to it.
    ForgetCustomer,
}

/// The bridge's own work, not an order's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SystemJob {
    /// Hand a gathered batch of packages to ShaQ: create the shipment, fetch the labels, print
    /// the manifest (queued under the shop's `handover/{shop}` key).
    Handover {
        /// The batch (`shipments.id`).
        shipment_id: i64,
    },
    /// Tell a person (`[alerts].notify_url`) that an order needs them or a job gave up; once
    /// per order and reason (the job's key), retried like any job.
    Notify {
        /// The order it is about.
        order_key: OrderKey,
        /// Why (`attention:unshippable:no_region`, `dead:create_package`).
        reason: String,
        /// The message, phone numbers masked.
        text: String,
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

impl From<OrderJob> for Job {
    fn from(job: OrderJob) -> Job {
        Job::Order(job)
    }
}

impl From<SystemJob> for Job {
    fn from(job: SystemJob) -> Job {
        Job::System(job)
    }
}

impl PartialEq<OrderJob> for Job {
    fn eq(&self, other: &OrderJob) -> bool {
        matches!(self, Job::Order(job) if job == other)
    }
}

impl OrderJob {
    /// What kind of job it is.
    pub fn kind(&self) -> JobKind {
        match self {
            OrderJob::CreatePackage => JobKind::CreatePackage,
            OrderJob::CreateTicket { .. } => JobKind::CreateTicket,
            OrderJob::MoveTicket(_) => JobKind::MoveTicket,
            OrderJob::UpdatePackage => JobKind::UpdatePackage,
            OrderJob::CancelPackage => JobKind::CancelPackage,
            OrderJob::AttachLabel => JobKind::AttachLabel,
            OrderJob::AttachInvoice => JobKind::AttachInvoice,
            OrderJob::WriteBackToShop { .. } => JobKind::WriteBackToShop,
            OrderJob::Reconcile => JobKind::Reconcile,
            OrderJob::ReadPackage => JobKind::ReadPackage,
            OrderJob::ExpireConfirmation => JobKind::ExpireConfirmation,
            OrderJob::RemindConfirmation { .. } => JobKind::RemindConfirmation,
            OrderJob::Operator(_) => JobKind::Operator,
            OrderJob::CreateReplacement { .. } => JobKind::CreateReplacement,
            OrderJob::ForgetCustomer => JobKind::ForgetCustomer,
        }
    }
}

impl SystemJob {
    /// What kind of job it is.
    pub fn kind(&self) -> JobKind {
        match self {
            SystemJob::Handover { .. } => JobKind::Handover,
            SystemJob::Notify { .. } => JobKind::Notify,
        }
    }
}

impl Job {
    /// What kind of job it is.
    pub fn kind(&self) -> JobKind {
        match self {
            Job::ApplyInboundEvent { .. } => JobKind::ApplyInboundEvent,
            Job::Order(job) => job.kind(),
            Job::System(job) => job.kind(),
        }
    }

    /// The stored payload: the job's fields as a JSON object (its kind is stored beside it).
    pub fn payload(&self) -> serde_json::Value {
        let mut value = match self {
            Job::ApplyInboundEvent { event_id } => serde_json::json!({ "event_id": event_id }),
            Job::Order(job) => serde_json::to_value(job).unwrap_or_default(),
            Job::System(job) => serde_json::to_value(job).unwrap_or_default(),
        };
        if let Some(object) = value.as_object_mut() {
            object.remove("kind");
        }
        value
    }

    /// A job read back from its stored kind and payload.
    pub fn from_stored(kind: &str, payload: &str) -> Result<Job, String> {
        let job_kind = kind.parse::<JobKind>().map_err(|e| e.to_string())?;
        let mut value: serde_json::Value =
            serde_json::from_str(payload).map_err(|e| format!("payload: {e}"))?;
        let object = value
            .as_object_mut()
            .ok_or_else(|| "payload: not a JSON object".to_owned())?;
        let payload_error = |e: serde_json::Error| format!("payload: {e}");
        if job_kind == JobKind::ApplyInboundEvent {
            let event_id = object
                .get("event_id")
                .and_then(serde_json::Value::as_i64)
                .ok_or_else(|| "payload: `event_id` is missing or not a number".to_owned())?;
            return Ok(Job::ApplyInboundEvent { event_id });
        }
        object.insert(
            "kind".to_owned(),
            serde_json::Value::String(kind.to_owned()),
        );
        if job_kind.is_system() {
            serde_json::from_value(value)
                .map(Job::System)
                .map_err(payload_error)
        } else {
            serde_json::from_value(value)
                .map(Job::Order)
                .map_err(payload_error)
        }
    }
}

/// The kind of a job, as stored and counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    /// [`Job::ApplyInboundEvent`].
    ApplyInboundEvent,
    /// [`OrderJob::CreatePackage`].
    CreatePackage,
    /// [`OrderJob::CreateTicket`].
    CreateTicket,
    /// [`OrderJob::MoveTicket`].
    MoveTicket,
    /// [`OrderJob::UpdatePackage`].
    UpdatePackage,
    /// [`OrderJob::CancelPackage`].
    CancelPackage,
    /// [`OrderJob::AttachLabel`].
    AttachLabel,
    /// [`OrderJob::AttachInvoice`].
    AttachInvoice,
    /// [`OrderJob::WriteBackToShop`].
    WriteBackToShop,
    /// [`OrderJob::Reconcile`].
    Reconcile,
    /// [`OrderJob::ReadPackage`].
    ReadPackage,
    /// [`OrderJob::ExpireConfirmation`].
    ExpireConfirmation,
    /// [`OrderJob::RemindConfirmation`].
    RemindConfirmation,
    /// [`OrderJob::Operator`].
    Operator,
    /// [`SystemJob::Handover`].
    Handover,
    /// [`OrderJob::CreateReplacement`].
    CreateReplacement,
    /// [`OrderJob::ForgetCustomer`].
    ForgetCustomer,
    /// [`SystemJob::Notify`].
    Notify,
}

impl JobKind {
    /// Every kind, for metrics and listings.
    pub const ALL: [JobKind; 18] = [
        JobKind::ApplyInboundEvent,
        JobKind::CreatePackage,
        JobKind::CreateTicket,
        JobKind::MoveTicket,
        JobKind::UpdatePackage,
        JobKind::CancelPackage,
        JobKind::AttachLabel,
        JobKind::AttachInvoice,
        JobKind::WriteBackToShop,
        JobKind::Reconcile,
        JobKind::ReadPackage,
        JobKind::ExpireConfirmation,
        JobKind::RemindConfirmation,
        JobKind::Operator,
        JobKind::Handover,
        JobKind::CreateReplacement,
        JobKind::ForgetCustomer,
        JobKind::Notify,
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
            JobKind::AttachInvoice => "attach_invoice",
            JobKind::WriteBackToShop => "write_back_to_shop",
            JobKind::Reconcile => "reconcile",
            JobKind::ReadPackage => "read_package",
            JobKind::ExpireConfirmation => "expire_confirmation",
            JobKind::RemindConfirmation => "remind_confirmation",
            JobKind::Operator => "operator",
            JobKind::Handover => "handover",
            JobKind::CreateReplacement => "create_replacement",
            JobKind::ForgetCustomer => "forget_customer",
            JobKind::Notify => "notify",
        }
    }

    /// Whether jobs of this kind are the bridge's own work ([`SystemJob`]).
    pub fn is_system(self) -> bool {
        matches!(self, JobKind::Handover | JobKind::Notify)
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
    /// Whether another try later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, JobError::Retryable { .. })
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_stored_names() {
        for kind in JobKind::ALL {
            assert_eq!(kind.as_str().parse::<JobKind>(), Ok(kind));
        }
        assert!("teleport".parse::<JobKind>().is_err());
    }

    #[test]
    fn jobs_round_trip_through_kind_and_payload() {
        let jobs: [Job; 11] = [
            Job::ApplyInboundEvent { event_id: 7 },
            OrderJob::CreatePackage.into(),
            OrderJob::CreateTicket {
                status_key: TicketKey::AWAITING_CONFIRMATION,
                invoice_until: None,
            }
            .into(),
            OrderJob::CreateTicket {
                status_key: TicketKey::RECEIVED,
                invoice_until: Some(
                    DateTime::parse_from_rfc3339("2026-12-07T10:02:00Z")
                        .unwrap()
                        .with_timezone(&Utc),
                ),
            }
            .into(),
            OrderJob::AttachInvoice.into(),
            OrderJob::MoveTicket(MoveTicket {
                courier_status: Some(PackageStatus::Dispatched),
                description: Some("Out for delivery".to_owned()),
                ..MoveTicket::to(TicketKey::new("out_for_delivery"))
            })
            .into(),
            OrderJob::WriteBackToShop {
                milestone: ShopMilestone::Delivered,
            }
            .into(),
            OrderJob::ExpireConfirmation.into(),
            OrderJob::ForgetCustomer.into(),
            SystemJob::Handover { shipment_id: 3 }.into(),
            SystemJob::Notify {
                order_key: OrderKey::new("kente/1047"),
                reason: "attention:confirmation_timed_out".to_owned(),
                text: "#1047 needs a person".to_owned(),
            }
            .into(),
        ];
        for job in jobs {
            let stored = job.payload().to_string();
            assert!(!stored.contains("\"kind\""), "{stored}");
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
            Ok(OrderJob::CreatePackage.into())
        );
        assert_eq!(
            Job::from_stored("apply_inbound_event", r#"{"event_id":12}"#),
            Ok(Job::ApplyInboundEvent { event_id: 12 })
        );
        assert_eq!(
            Job::from_stored("handover", r#"{"shipment_id":4}"#),
            Ok(SystemJob::Handover { shipment_id: 4 }.into())
        );
        assert_eq!(
            Job::from_stored("create_ticket", r#"{"status_key":"received"}"#),
            Ok(OrderJob::CreateTicket {
                status_key: TicketKey::RECEIVED,
                invoice_until: None,
            }
            .into())
        );
        assert_eq!(
            Job::from_stored(
                "move_ticket",
                r#"{"status_key":"delivered","courier_status":"delivered","description":null,"comment":null,"proof_url":"https://p"}"#
            ),
            Ok(OrderJob::MoveTicket(MoveTicket {
                courier_status: Some(PackageStatus::Delivered),
                proof_url: Some("https://p".to_owned()),
                ..MoveTicket::to(TicketKey::new("delivered"))
            })
            .into())
        );
        assert!(Job::from_stored("teleport", "{}").is_err());
        assert!(Job::from_stored("write_back_to_shop", "{}").is_err());
        assert!(Job::from_stored("apply_inbound_event", "{}").is_err());
    }
}
