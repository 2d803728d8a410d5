//! Digishare's news about a ticket: the customer confirmed, declined, or an agent moved it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::mapping::ShopMilestone;
use super::{Decision, TicketStatuses, order_job, timeline, with_state, write_back};
use crate::jobs::JobKind;
use crate::lifecycle::OrderState;
use crate::store::OrderRecord;

/// Why an order waits for a person after its confirmation timed out.
pub const CONFIRMATION_TIMED_OUT: &str = "the customer did not confirm in time";

/// The ticket key whose status means "the customer confirmed".
pub const CONFIRMED: &str = "confirmed";
/// The ticket key whose status means "the customer declined / cancel the order".
pub const CANCELLED: &str = "cancelled";

/// A ticket's current status, from a `ticket.updated` webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketNews {
    /// Digishare's ticket id.
    pub ticket_id: String,
    /// The ticket's status id now.
    pub status_id: String,
    /// When it changed, by Digishare's clock.
    pub changed_at: Option<DateTime<Utc>>,
}

/// Acts on a real status change (compared with the last status the bridge knows, so the echo
/// of the bridge's own move is ignored): confirmed → ship, cancelled → cancel; anything else is
/// recorded.
pub fn on_ticket_status(
    order: &OrderRecord,
    news: &TicketNews,
    statuses: &TicketStatuses,
    now: DateTime<Utc>,
) -> Decision {
    let key = &order.order_key;
    if let (Some(last), Some(at)) = (order.ticket_status_at, news.changed_at)
        && at < last
    {
        // Digishare does not promise order: an older status must not undo a newer one (a
        // late "cancelled" after "confirmed" would cancel a shipped order).
        return Decision::ignored(
            key,
            format!("ticket status from {at} is older than the one applied at {last}"),
            now,
        );
    }
    if order.ticket_status.as_deref() == Some(news.status_id.as_str()) {
        return Decision::ignored(
            key,
            "ticket status unchanged (the echo of the bridge's own move, or a non-status change)",
            now,
        );
    }
    let status_key = statuses.key_of(&news.status_id);
    let mut lines = vec![timeline(
        key,
        now,
        "ticket",
        format!(
            "Digishare: ticket moved to {}",
            status_key.unwrap_or(news.status_id.as_str())
        ),
    )];
    let mut jobs = Vec::new();
    let mut next = match status_key {
        Some(CONFIRMED) if order.state == OrderState::AwaitingConfirmation => {
            jobs.push(order_job(JobKind::CreatePackage, key));
            jobs.push(write_back(key, ShopMilestone::Confirmed));
            with_state(order, OrderState::Shipping, now, &mut lines)
        }
        // Confirmed after the timeout gave the order to a person: the customer's answer wins.
        Some(CONFIRMED)
            if order.state == OrderState::NeedsAttention
                && order.tracking_number.is_none()
                && order.attention_reason.as_deref() == Some(CONFIRMATION_TIMED_OUT) =>
        {
            jobs.push(order_job(JobKind::CreatePackage, key));
            jobs.push(write_back(key, ShopMilestone::Confirmed));
            let mut next = with_state(order, OrderState::Shipping, now, &mut lines);
            next.attention_reason = None;
            next
        }
        Some(CANCELLED) if order.state.is_before_pickup() => {
            jobs.push(order_job(JobKind::CancelPackage, key));
            jobs.push(write_back(key, ShopMilestone::Cancelled));
            with_state(order, OrderState::Cancelled, now, &mut lines)
        }
        Some(CANCELLED) if !order.state.is_final() => {
            lines.push(timeline(
                key,
                now,
                "attention",
                "the customer cancelled after pickup: ask ShaQ to return the package",
            ));
            jobs.push(order_job(JobKind::CancelPackage, key));
            order.clone()
        }
        _ => order.clone(),
    };
    next.ticket_status = Some(news.status_id.clone());
    if news.changed_at.is_some() {
        next.ticket_status_at = news.changed_at;
    }
    next.updated_at = now;
    Decision {
        order: Some(next),
        jobs,
        timeline: lines,
        outcome: "applied".to_owned(),
    }
}
