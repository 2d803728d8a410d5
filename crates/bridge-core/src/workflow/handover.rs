//! Handover: the daily batch of packages a shop gives ShaQ's rider. The store gathers the
//! batch (see `Store::gather_handover`); this module names its job and says what handing it
//! over means for each order.

use chrono::{DateTime, Utc};

use super::SystemJob;
use super::{Decision, NewJob, OrderJob, TrackedOrder, timeline};
use super::{Said, TimelineKind, Word};
use crate::domain::{OrderKey, ShopId};
use crate::lifecycle::OrderState;
use shaq_client::PackageStatus;

/// The queue key of a shop's handovers: they run one at a time per shop, beside the orders.
pub fn queue_key(shop: &ShopId) -> OrderKey {
    OrderKey::new(format!("handover/{shop}"))
}

/// The job that hands batch `shipment_id` to ShaQ.
pub fn handover_job(shop: &ShopId, shipment_id: i64) -> NewJob {
    NewJob::new(
        SystemJob::Handover { shipment_id },
        &queue_key(shop),
        Some(&shipment_id.to_string()),
    )
}

/// The states an order waits in while its package can be handed over.
pub const READY_STATES: [OrderState; 1] = [OrderState::Shipping];

/// The courier statuses of a package ShaQ has not picked up yet (no status yet counts too).
pub const READY_COURIER_STATUSES: [PackageStatus; 1] = [PackageStatus::Pending];

/// The one rule of handover: an order's package is ready to hand over when the order waits to
/// ship, its package exists and ShaQ has not picked it up. The store gathers by the same rule
/// (`store/shipments.rs` renders these constants as SQL), and the handover job leaves out an
/// order that no longer meets it when its turn comes (cancelled, flagged, or picked up since).
pub fn is_ready(order: &TrackedOrder) -> bool {
    READY_STATES.contains(&order.state())
        && order.tracking_number().is_some()
        && order
            .courier_status()
            .is_none_or(|status| READY_COURIER_STATUSES.contains(status))
}

/// ShaQ has the shipment: each order's timeline says so, with the reference the rider's
/// paperwork carries; an order left out says why.
pub fn on_handed_over(
    going: &[TrackedOrder],
    left_out: &[TrackedOrder],
    reference: &str,
    now: DateTime<Utc>,
) -> Decision {
    let count = going.len();
    let mut lines: Vec<_> = going
        .iter()
        .map(|order| {
            timeline(
                &order.key(),
                now,
                TimelineKind::Call,
                Said::new("line-handed-over")
                    .text("reference", reference)
                    .with("count", count as u64),
            )
        })
        .collect();
    lines.extend(left_out.iter().map(|order| {
        timeline(
            &order.key(),
            now,
            TimelineKind::Ignored,
            Said::new("line-left-out")
                .text("reference", reference)
                .with("state", order.state())
                .with(
                    "status",
                    order.courier_status().map_or_else(
                        || Word::from(Said::new("line-without-a-status")),
                        |status| Word::CourierStatus(status.to_string()),
                    ),
                ),
        )
    }));
    // ShaQ gives a package its public tracking page with the shipment: each order reads its
    // package record, in its own turn, to keep it for the customer and the shop.
    let jobs = going
        .iter()
        .map(|order| {
            NewJob::new(
                OrderJob::ReadPackage,
                &order.key(),
                Some(&format!("handover:{reference}")),
            )
        })
        .collect();
    Decision {
        timeline: lines,
        jobs,
        outcome: "handed over".to_owned(),
        ..Decision::default()
    }
}

/// ShaQ refused the shipment: each order's timeline says why; its package is ready to be
/// handed over again.
pub fn on_refused(orders: &[TrackedOrder], reason: &str, now: DateTime<Utc>) -> Decision {
    Decision {
        timeline: orders
            .iter()
            .map(|order| {
                timeline(
                    &order.key(),
                    now,
                    TimelineKind::Attention,
                    Said::new("line-handover-refused").text("reason", reason),
                )
            })
            .collect(),
        outcome: "refused".to_owned(),
        ..Decision::default()
    }
}
