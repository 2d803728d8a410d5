//! Digishare's news about a ticket: the customer confirmed, declined, or an agent moved it; and
//! the confirmation that never came.

use chrono::{DateTime, Utc};

use super::confirmation::{ConfirmationPolicy, NoAnswer, QuietHours};
use super::{
    Decision, Milestone, NewJob, ShopMilestone, TicketKey, TicketNews, TicketStatuses,
    TrackedOrder, move_to, needs_attention, timeline, write_back,
};
use super::{MoveTicket, OrderJob};
use super::{Said, TimelineKind, Word};
use crate::domain::Attention;
use crate::lifecycle::OrderState;

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
            Said::new("line-ticket-older")
                .text("at", at)
                .text("last", last),
            now,
        );
    }
    if order.ticket_status() == Some(&news.status_id) {
        return Decision::ignored(&key, Said::new("line-ticket-unchanged"), now);
    }
    let status_key = statuses.key_of(&news.status_id);
    let mut lines = vec![timeline(
        &key,
        now,
        TimelineKind::Ticket,
        Said::new("line-ticket-status").with(
            "status",
            Word::TicketStatus(
                status_key
                    .map_or(news.status_id.as_str(), TicketKey::as_str)
                    .to_owned(),
            ),
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
        jobs.push(NewJob::new(OrderJob::CreatePackage, &key, None));
        jobs.push(write_back(&key, ShopMilestone::Confirmed));
        next.set_attention(None);
        next.mark(Milestone::Confirmed, now);
        move_to(&mut next, OrderState::Shipping, now, &mut lines);
    } else if confirmed
        && order.state() == OrderState::Cancelled
        && order.tracking_number().is_none()
        && order.attention() == Some(&Attention::ConfirmationTimedOut)
    {
        // Cancelled for want of an answer, then confirmed: the shop was already told it is
        // cancelled, so nothing ships by itself; a person decides.
        lines.push(timeline(
            &key,
            now,
            TimelineKind::Attention,
            Said::new("line-confirmed-after-cancel"),
        ));
    } else if cancelled && order.state().is_before_pickup() {
        jobs.push(NewJob::new(OrderJob::CancelPackage, &key, None));
        jobs.push(write_back(&key, ShopMilestone::Cancelled));
        if order.milestones().confirmed_at.is_none() {
            next.mark(Milestone::Declined, now);
        }
        move_to(&mut next, OrderState::Cancelled, now, &mut lines);
    } else if cancelled && !order.state().is_final() {
        lines.push(timeline(
            &key,
            now,
            TimelineKind::Attention,
            Said::new("line-customer-cancelled-after-pickup"),
        ));
        jobs.push(NewJob::new(OrderJob::CancelPackage, &key, None));
    }
    next.set_ticket_status(news.status_id.clone());
    if let Some(at) = news.changed_at {
        next.set_ticket_status_at(at);
    }
    next.touch(now);
    Decision::decided(next, jobs, lines, "applied")
}

/// The confirmation timer fired while the order still waited for the customer: a person takes
/// it (a late "confirmed" still ships it, see [`on_ticket_status`]), or it is cancelled — the
/// ticket and the shop are told, no package exists — as the shop's `on_no_answer` says.
pub fn on_confirmation_deadline(
    order: &TrackedOrder,
    on_no_answer: NoAnswer,
    now: DateTime<Utc>,
) -> Decision {
    let key = order.key();
    let mut next = order.clone();
    next.mark(Milestone::Expired, now);
    let mut lines = Vec::new();
    match on_no_answer {
        NoAnswer::NeedsAttention => {
            needs_attention(&mut next, Attention::ConfirmationTimedOut, now, &mut lines);
            Decision::decided(next, Vec::new(), lines, "applied")
        }
        NoAnswer::Cancel => {
            lines.push(timeline(
                &key,
                now,
                TimelineKind::State,
                Said::new("line-no-answer-cancelled"),
            ));
            // Remembered so that a late "confirmed" is flagged instead of ignored.
            next.set_attention(Some(Attention::ConfirmationTimedOut));
            move_to(&mut next, OrderState::Cancelled, now, &mut lines);
            let jobs = vec![
                NewJob::new(
                    OrderJob::MoveTicket(MoveTicket::to(TicketKey::CANCELLED)),
                    &key,
                    Some("no-answer"),
                ),
                write_back(&key, ShopMilestone::Cancelled),
            ];
            next.touch(now);
            Decision::decided(next, jobs, lines, "applied")
        }
    }
}

/// A reminder timer fired while the order still waits: the ticket moves to `reminder_N`, and
/// the Digishare automation of that status messages the customer.
pub fn on_reminder(
    order: &TrackedOrder,
    number: u8,
    of: u8,
    held: bool,
    quiet_hours: Option<QuietHours>,
    now: DateTime<Utc>,
) -> Decision {
    let key = order.key();
    let status = TicketKey::new(ConfirmationPolicy::reminder_key(usize::from(number)));
    let summary = match (held, quiet_hours) {
        (true, Some(quiet)) => Said::new("line-reminder-held").text("quiet", quiet),
        _ => Said::new("line-reminder"),
    }
    .text("number", number)
    .text("of", of)
    .with("status", Word::TicketStatus(status.to_string()));
    let jobs = vec![NewJob::new(
        OrderJob::MoveTicket(MoveTicket::to(status)),
        &key,
        Some(&format!("reminder-{number}-{}", now.timestamp_millis())),
    )];
    let lines = vec![timeline(&key, now, TimelineKind::Ticket, summary)];
    let mut next = order.clone();
    next.touch(now);
    Decision::decided(next, jobs, lines, "applied")
}
