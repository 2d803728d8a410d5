//! Whether a job still needs to make its call, decided before it does: the order may have moved
//! on since the job was enqueued (cancelled, flagged, already done by an earlier attempt).

use chrono::{DateTime, Utc};

use super::{Decision, Rules, Said, TicketKey, TrackedOrder};
use super::{JobError, OrderJob};
use crate::lifecycle::OrderState;

/// The verdict on a job about to run.
#[derive(Debug)]
pub enum Precheck {
    /// Make the call.
    Proceed,
    /// Make no call; commit this instead.
    Skip(Box<Decision>),
    /// It cannot run as things are (an operator must act first).
    Fail(JobError),
}

/// Whether the order's shop has an id for this ticket status.
fn knows(rules: &Rules, order: &TrackedOrder, key: &TicketKey) -> bool {
    rules
        .shop(order.shop_id())
        .is_ok_and(|shop| shop.statuses.id(key).is_some())
}

fn skip(decision: Decision) -> Precheck {
    Precheck::Skip(Box::new(decision))
}

/// Checks a job against its order as it is now.
pub fn precheck(
    job: &OrderJob,
    order: &TrackedOrder,
    rules: &Rules,
    now: DateTime<Utc>,
) -> Precheck {
    let key = order.key();
    match job {
        OrderJob::CancelPackage | OrderJob::Operator(_) | OrderJob::ForgetCustomer => {
            Precheck::Proceed
        }
        OrderJob::CreatePackage if order.tracking_number().is_some() => skip(Decision::nothing()),
        OrderJob::CreatePackage
            if matches!(
                order.state(),
                OrderState::Cancelled | OrderState::NeedsAttention
            ) =>
        {
            skip(Decision::ignored(
                &key,
                Said::new("line-package-not-created").with("state", order.state()),
                now,
            ))
        }
        OrderJob::CreatePackage => Precheck::Proceed,
        OrderJob::UpdatePackage if !order.package_is_pending() => skip(Decision::ignored(
            &key,
            Said::new("line-package-not-updated"),
            now,
        )),
        OrderJob::UpdatePackage => Precheck::Proceed,
        OrderJob::Reconcile if order.tracking_number().is_none() => skip(Decision::nothing()),
        OrderJob::Reconcile => Precheck::Proceed,
        OrderJob::ReadPackage if order.tracking_number().is_none() => skip(Decision::nothing()),
        OrderJob::ReadPackage => Precheck::Proceed,
        OrderJob::AttachLabel if order.ticket_id().is_none() => {
            Precheck::Fail(JobError::permanent(
                "no ticket to attach the label to (retry the create_ticket job first)",
            ))
        }
        OrderJob::AttachLabel => Precheck::Proceed,
        OrderJob::AttachInvoice if order.ticket_media().invoice.is_some() => {
            skip(Decision::nothing())
        }
        OrderJob::AttachInvoice if order.ticket_id().is_none() => {
            Precheck::Fail(JobError::permanent(
                "no ticket to attach the invoice to (retry the create_ticket job first)",
            ))
        }
        OrderJob::AttachInvoice => Precheck::Proceed,
        OrderJob::CreateTicket { .. } if order.ticket_id().is_some() => skip(Decision::nothing()),
        OrderJob::CreateTicket { status_key, .. } if !knows(rules, order, status_key) => {
            Precheck::Fail(JobError::permanent(format!(
                "digishare.statuses.{status_key} is not configured"
            )))
        }
        OrderJob::CreateTicket { .. } => Precheck::Proceed,
        // Jobs of an order run in order, so a missing ticket means its creation failed for
        // good: retrying this move would only storm.
        OrderJob::MoveTicket(_) if order.ticket_id().is_none() => {
            Precheck::Fail(JobError::permanent(
                "no ticket to move (the ticket could not be created: retry the create_ticket job first)",
            ))
        }
        OrderJob::MoveTicket(payload) => match &payload.status_key {
            Some(status_key) if !knows(rules, order, status_key) => skip(Decision::ignored(
                &key,
                Said::new("line-ticket-status-not-mapped").text("status", status_key),
                now,
            )),
            _ => Precheck::Proceed,
        },
        OrderJob::WriteBackToShop { milestone } => match rules.shop(order.shop_id()) {
            Err(error) => Precheck::Fail(error),
            Ok(policy) if !policy.writes_back(*milestone) => skip(Decision::nothing()),
            Ok(_) => Precheck::Proceed,
        },
        // A timer of the confirmation schedule does nothing once the customer answered.
        OrderJob::ExpireConfirmation | OrderJob::RemindConfirmation { .. }
            if order.state() != OrderState::AwaitingConfirmation =>
        {
            skip(Decision::nothing())
        }
        OrderJob::ExpireConfirmation | OrderJob::RemindConfirmation { .. } => Precheck::Proceed,
        // Its packages are already linked (a retry after the answer was stored, or a second
        // request queued before the first ran): nothing more is asked of ShaQ.
        OrderJob::CreateReplacement { number, .. }
            if order.linked().iter().any(|p| p.number == *number) =>
        {
            skip(Decision::ignored(
                &key,
                Said::new("line-after-sale-already-booked").text("number", number),
                now,
            ))
        }
        OrderJob::CreateReplacement { .. } => Precheck::Proceed,
    }
}
