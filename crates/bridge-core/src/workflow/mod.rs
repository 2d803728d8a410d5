//! The functional core: "this happened to an order in this state → this new state, these jobs,
//! these timeline lines". Plain functions over plain data, no I/O; the job executors in
//! [`crate::pipeline`] do the I/O and commit a [`Decision`] with the job that made it.

mod courier;
pub mod mapping;
mod payloads;
mod shop;
mod ticket;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use courier::{AmountNews, CourierNews, on_amount_changed, on_courier_status};
pub use mapping::{CourierMapping, CourierStatusEffect, ShopMilestone};
pub use payloads::{ApplyInboundEvent, MoveTicket, WriteBackToShop};
pub use shop::{Flow, ShopOrderNews, ShopPolicy, on_shop_order};
pub use ticket::{CONFIRMATION_TIMED_OUT, TicketNews, on_ticket_status};

use crate::jobs::{JobKind, NewJob};
use crate::store::{JobEffects, OrderRecord, TimelineEntry};

/// What the workflow decided.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Decision {
    /// The order as it should now be stored (`None`: unchanged).
    pub order: Option<OrderRecord>,
    /// Jobs to enqueue.
    pub jobs: Vec<NewJob>,
    /// Timeline lines.
    pub timeline: Vec<TimelineEntry>,
    /// One word or phrase for the inbound event's outcome (`applied`, `ignored: …`).
    pub outcome: String,
}

impl Decision {
    /// Nothing to do, for the given reason.
    pub fn ignored(order_key: &str, reason: impl Into<String>, now: DateTime<Utc>) -> Decision {
        let reason = reason.into();
        Decision {
            order: None,
            jobs: Vec::new(),
            timeline: vec![timeline(order_key, now, "ignored", reason.clone())],
            outcome: format!("ignored: {reason}"),
        }
    }

    /// The storage effects.
    pub fn into_effects(self) -> JobEffects {
        JobEffects {
            order: self.order,
            jobs: self.jobs,
            timeline: self.timeline,
            inbound_outcome: None,
        }
    }
}

/// The account's ticket statuses: key (`confirmed`, `delivered`…) → Digishare's hashed id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TicketStatuses(pub BTreeMap<String, String>);

impl TicketStatuses {
    /// The id for a key, if mapped.
    pub fn id(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    /// The key for an id, if any key maps to it.
    pub fn key_of(&self, id: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(_, mapped)| mapped.as_str() == id)
            .map(|(key, _)| key.as_str())
    }
}

/// One timeline line.
pub fn timeline(
    order_key: &str,
    at: DateTime<Utc>,
    kind: &str,
    summary: impl Into<String>,
) -> TimelineEntry {
    TimelineEntry {
        order_key: order_key.to_owned(),
        at,
        kind: kind.to_owned(),
        summary: summary.into(),
        details: serde_json::Value::Null,
    }
}

/// A job to move the ticket to `status_key` (and refresh its order data).
fn move_ticket(order_key: &str, discriminator: &str, payload: MoveTicket) -> NewJob {
    NewJob::new(
        JobKind::MoveTicket,
        order_key,
        Some(discriminator),
        serde_json::to_value(payload).unwrap_or_default(),
    )
}

/// A job to tell the shop about a milestone; once per milestone per order.
fn write_back(order_key: &str, milestone: ShopMilestone) -> NewJob {
    NewJob::new(
        JobKind::WriteBackToShop,
        order_key,
        Some(milestone.as_str()),
        serde_json::to_value(WriteBackToShop { milestone }).unwrap_or_default(),
    )
}

/// A job with no payload beyond the order.
fn order_job(kind: JobKind, order_key: &str) -> NewJob {
    NewJob::new(kind, order_key, None, serde_json::json!({}))
}

/// The order with a new state, noting the change on the timeline.
fn with_state(
    order: &OrderRecord,
    state: crate::lifecycle::OrderState,
    now: DateTime<Utc>,
    timeline_out: &mut Vec<TimelineEntry>,
) -> OrderRecord {
    let mut next = order.clone();
    if next.state != state {
        timeline_out.push(timeline(
            &order.order_key,
            now,
            "state",
            format!("{} → {}", order.state, state),
        ));
        next.state = state;
    }
    next.updated_at = now;
    next
}

#[cfg(test)]
mod tests;
