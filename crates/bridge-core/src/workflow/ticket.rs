//! Digishare's news about a ticket: the customer confirmed, declined, or an agent moved it; and
//! the confirmation that never came.

use chrono::{DateTime, Utc};

use super::{
    Decision, NewJob, ShopMilestone, TicketKey, TicketNews, TicketStatuses, TrackedOrder, move_to,
    needs_attention, timeline, write_back,
};
use crate::domain::Attention;
use crate::jobs::Job;
use crate::lifecycle::OrderState;
use crate::store::TimelineKind;

/// Acts on a real status change (compared with the last status the bridge knows, so the echo
/// of the bridge's own move is ignored): confirmed → ship, cancelled → cancel; anything else is
/// recorded.
pub fn on_ticket_status(
    order: &TrackedOrder,
    news: &TicketNews,
    statuses: &TicketStatuses,
    now: DateTime<Utc>,
) -> Decision {
    let key = order.key();
    if let (Some(last), Some(at)) = (order.ticket_status_at(), news.changed_at)
        && at < last
    {
        // Digishare does not promise order: an older status must not undo a newer one (a
        // late "cancelled" after "confirmed" would cancel a shipped order).
        return Decision::ignored(
            &key,
            format!("ticket status from {at} is older than the one applied at {last}"),
            now,
        );
    }
    if order.ticket_status() == Some(&news.status_id) {
        return Decision::ignored(
            &key,
            "ticket status unchanged (the echo of the bridge's own move, or a non-status change)",
            now,
        );
    }
    let status_key = statuses.key_of(&news.status_id);
    let mut lines = vec![timeline(
        &key,
        now,
        TimelineKind::Ticket,
        format!(
            "Digishare: ticket moved to {}",
            status_key.map_or(news.status_id.as_str(), TicketKey::as_str)
        ),
    )];
    let mut jobs = Vec::new();
    let mut next = order.clone();
    let confirmed = status_key == Some(&TicketKey::CONFIRMED);
    let cancelled = status_key == Some(&TicketKey::CANCELLED);
    // Confirmed after the timeout gave the order to a person: the customer's answer wins.
    let confirmed_late = order.state() == OrderState::NeedsAttention
        && order.tracking_number().is_none()
        && order.attention() == Some(&Attention::ConfirmationTimedOut);
    if confirmed && (order.state() == OrderState::AwaitingConfirmation || confirmed_late) {
        jobs.push(NewJob::new(Job::CreatePackage, &key, None));
        jobs.push(write_back(&key, ShopMilestone::Confirmed));
        next.set_attention(None);
        move_to(&mut next, OrderState::Shipping, now, &mut lines);
    } else if cancelled && order.state().is_before_pickup() {
        jobs.push(NewJob::new(Job::CancelPackage, &key, None));
        jobs.push(write_back(&key, ShopMilestone::Cancelled));
        move_to(&mut next, OrderState::Cancelled, now, &mut lines);
    } else if cancelled && !order.state().is_final() {
        lines.push(timeline(
            &key,
            now,
            TimelineKind::Attention,
            "the customer cancelled after pickup: ask ShaQ to return the package",
        ));
        jobs.push(NewJob::new(Job::CancelPackage, &key, None));
    }
    next.set_ticket_status(news.status_id.clone());
    if let Some(at) = news.changed_at {
        next.set_ticket_status_at(at);
    }
    next.touch(now);
    Decision::decided(next, jobs, lines, "applied")
}

/// The confirmation timer fired while the order still waited for the customer: a person takes
/// it (a late "confirmed" still ships it, see [`on_ticket_status`]).
pub fn on_confirmation_deadline(order: &TrackedOrder, now: DateTime<Utc>) -> Decision {
    let mut next = order.clone();
    let mut lines = Vec::new();
    needs_attention(&mut next, Attention::ConfirmationTimedOut, now, &mut lines);
    Decision::decided(next, Vec::new(), lines, "applied")
}
