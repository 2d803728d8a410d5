//! What the admin API answers, typed: each body is one of these, so the OpenAPI document
//! describes it field by field (and `tests/api/openapi.rs` checks real answers against it).

use bridge_core::domain::{OrderKey, TrackingNumber};
use bridge_core::jobs::{JobRecord, JobState};
use bridge_core::lifecycle::OrderState;
use bridge_core::reports::Report;
use bridge_core::store::{InboundEventRecord, Shipment, TimelineRecord};
use bridge_core::workflow::TrackedOrder;
use serde::Serialize;
use utoipa::ToSchema;

use crate::operations::Decided;

/// Every refusal: `{"error": {...}}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorAnswer {
    /// What went wrong.
    pub error: ErrorBody,
}

/// What went wrong.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// `invalid_field`, `not_found`, `conflict`, `unauthorized`…
    pub code: String,
    /// What is wrong, in words.
    pub message: String,
    /// The field at fault (422 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// One order, with its journey, its jobs and the webhooks about it.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderAnswer {
    /// The order.
    pub order: TrackedOrder,
    /// Everything that happened to it, oldest first.
    pub timeline: Vec<TimelineRecord>,
    /// Its jobs, most recent first.
    pub jobs: Vec<JobRecord>,
    /// The webhooks about it, most recent first.
    pub inbound_events: Vec<InboundEventRecord>,
}

/// What became of a person's request on an order.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionAnswer {
    /// The order.
    pub order_key: OrderKey,
    /// The job that carries the request.
    pub job_id: i64,
    /// `done` once decided; `queued` if the order's earlier jobs still run (202).
    pub job_state: JobState,
    /// The order's last timeline line (what the workflow decided).
    pub decided: Option<String>,
    /// The order as it is now.
    pub order: Option<TrackedOrder>,
}

impl From<Decided> for ActionAnswer {
    fn from(decided: Decided) -> Self {
        ActionAnswer {
            order_key: decided.order_key,
            job_id: decided.job_id,
            job_state: decided.job_state,
            decided: decided.decided,
            order: decided.order,
        }
    }
}

/// Jobs, most recent first.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobsAnswer {
    /// The jobs.
    pub jobs: Vec<JobRecord>,
}

/// A dead job put back in the queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct RetriedAnswer {
    /// Its id.
    pub job: i64,
    /// `queued`.
    pub state: JobState,
}

/// Every dead job put back in the queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevivedAnswer {
    /// How many.
    pub revived: u64,
}

/// One report per shop asked for.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportsAnswer {
    /// The reports.
    pub reports: Vec<Report>,
}

/// A handover asked for: the shipment gathered, or why there is none.
#[derive(Debug, Serialize, ToSchema)]
pub struct HandoverAnswer {
    /// The shipment (202), or `null` when nothing was ready (200).
    pub shipment: Option<Shipment>,
    /// Why there is no shipment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Handover shipments, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShipmentsAnswer {
    /// The shipments.
    pub shipments: Vec<Shipment>,
}

/// One shipment and its packages.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShipmentAnswer {
    /// The shipment.
    pub shipment: Shipment,
    /// Its packages.
    pub packages: Vec<PackageLine>,
}

/// A package of a shipment, as the manifest lists it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PackageLine {
    /// The order.
    pub order_key: OrderKey,
    /// The name people use (`#1047`).
    pub order_ref: String,
    /// ShaQ's tracking number.
    pub tracking_number: Option<TrackingNumber>,
    /// Where the order is.
    pub state: OrderState,
    /// What the rider collects.
    pub amount_to_collect: String,
    /// Its currency.
    pub currency: String,
}

impl From<&TrackedOrder> for PackageLine {
    fn from(order: &TrackedOrder) -> Self {
        PackageLine {
            order_key: order.key(),
            order_ref: order.order().order_ref.clone(),
            tracking_number: order.tracking_number().cloned(),
            state: order.state(),
            amount_to_collect: order.amount_for_courier().to_string(),
            currency: order.collect().currency.clone(),
        }
    }
}
