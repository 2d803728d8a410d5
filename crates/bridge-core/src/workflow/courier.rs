//! ShaQ's news about a package: statuses (from webhooks, or found by reconciliation) and
//! amount changes.
//!
//! When ShaQ says `delivered`: the order moves to `delivered` (states only move forward, see
//! [`crate::lifecycle::OrderState::allows_courier_move_to`]), a `move_ticket` job moves the ticket to the mapped
//! status so the customer gets the WhatsApp message (`crate::jobs::move_ticket`), and a
//! `write_back_to_shop` job tells the shop once (`crate::jobs::write_back_to_shop`).

use chrono::{DateTime, Utc};
use shaq_client::PackageStatus;

use super::TimelineKind;
use super::{
    AmountNews, Collect, CourierMapping, CourierNews, CourierProgress, Decision, NewJob,
    TrackedOrder, TrackingStep, move_to, timeline, write_back,
};
use super::{MoveTicket, OrderJob};
use crate::domain::OrderKey;
use crate::lifecycle::OrderState;

/// Why courier news cannot be placed on `order`, if it cannot: it names a package of another
/// order, or the order has no package and is not having one made (an order still waiting for
/// its customer's confirmation is not moved to `in_transit`, nor is its customer messaged, by
/// a webhook naming its reference). An order being shipped may hear of its package before the
/// answer to its creation is stored: that news is placed.
pub fn unplaced(order: &TrackedOrder, reference: Option<&str>) -> Option<String> {
    if let Some(reference) = reference
        && reference != order.partner_ref().as_str()
        && order
            .tracking_number()
            .is_none_or(|t| t.as_str() != reference)
    {
        return Some(format!(
            "the event names package {reference}, which is not this order's"
        ));
    }
    if order.tracking_number().is_none() && order.state() != OrderState::Shipping {
        return Some(format!(
            "the order has no ShaQ package (it is {})",
            order.state()
        ));
    }
    None
}

/// A package status: the ticket follows every status as mapped; the order state moves only
/// forward; the shop hears of each milestone once. Events older than the last applied one are
/// ignored (ShaQ retries and may deliver out of order).
pub fn on_courier_status(
    order: &TrackedOrder,
    news: &CourierNews,
    mapping: &CourierMapping,
    now: DateTime<Utc>,
) -> Decision {
    let key = order.key();
    if let Some(last) = order.courier() {
        let same = last.status == news.status;
        if news.occurred_at < last.at || (news.occurred_at == last.at && same) {
            return Decision::ignored(
                &key,
                format!(
                    "courier status {} at {} is not newer than {} at {}",
                    news.status, news.occurred_at, last.status, last.at
                ),
                now,
            );
        }
    }
    let mut lines = vec![timeline(
        &key,
        now,
        TimelineKind::Courier,
        format!(
            "ShaQ: {}{}",
            news.status,
            news.description
                .as_deref()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default()
        ),
    )];
    let mut next = order.clone();
    next.set_courier(CourierProgress {
        status: news.status.clone(),
        at: news.occurred_at,
    });
    next.touch(now);
    let Some(effect) = mapping.effect(news.status.as_str()) else {
        lines.push(timeline(
            &key,
            now,
            TimelineKind::Unmapped,
            format!(
                "courier status `{}` is not mapped: ticket not moved",
                news.status
            ),
        ));
        return Decision::decided(
            next,
            Vec::new(),
            lines,
            &format!("recorded: unmapped status {}", news.status),
        );
    };
    if order.courier_status() == Some(&news.status) {
        // The same status again (ShaQ repeats it, or it confirms what the bridge set when it
        // created the package): the customer already heard of it.
        lines.push(timeline(
            &key,
            now,
            TimelineKind::Courier,
            "status unchanged: ticket not moved",
        ));
        return Decision::decided(next, Vec::new(), lines, "recorded: status unchanged");
    }
    let state_moves = order.state().allows_courier_move_to(effect.state);
    if state_moves {
        move_to(&mut next, effect.state, now, &mut lines);
    }
    let mut jobs = Vec::new();
    if let Some(ticket) = &effect.ticket {
        jobs.push(NewJob::new(
            OrderJob::MoveTicket(MoveTicket {
                status_key: Some(ticket.clone()),
                courier_status: Some(news.status.clone()),
                description: news.description.clone(),
                comment: news.comment.clone(),
                proof_url: news.proof_url.clone(),
            }),
            &key,
            Some(&format!("courier:{}", news.event_id)),
        ));
    }
    if state_moves && let Some(milestone) = effect.shop {
        jobs.push(write_back(&key, milestone));
    }
    Decision::decided(next, jobs, lines, "applied")
}

/// The amount to collect changed (at the customer's request): store it and refresh the ticket.
pub fn on_amount_changed(order: &TrackedOrder, news: &AmountNews, now: DateTime<Utc>) -> Decision {
    let key = order.key();
    let currency = news
        .currency
        .clone()
        .unwrap_or_else(|| order.collect().currency.clone());
    let summary = format!(
        "amount to collect {} → {} {currency}{}",
        order.collect().amount,
        news.new_amount,
        news.reason
            .as_deref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default()
    );
    let mut next = order.clone();
    next.set_collect(Collect {
        amount: news.new_amount,
        currency,
    });
    next.touch(now);
    Decision::decided(
        next,
        vec![NewJob::new(
            OrderJob::MoveTicket(MoveTicket::default()),
            &key,
            Some(&format!("amount:{}", news.event_id)),
        )],
        vec![timeline(&key, now, TimelineKind::Courier, summary)],
        "applied",
    )
}

/// Reconciliation found the package's history: the statuses since the last one applied are
/// applied in order, as if their webhooks had arrived (a lost webhook heals itself).
pub fn on_tracking_history(
    order: &TrackedOrder,
    mut steps: Vec<TrackingStep>,
    mapping: &CourierMapping,
    now: DateTime<Utc>,
) -> Decision {
    steps.sort_by_key(|step| step.at);
    let mut current = order.clone();
    let mut decision = Decision::nothing();
    let mut applied = 0;
    // ShaQ's history has minute precision: several steps can share a time. A step at the
    // time of the last applied one is new only if it comes after that one.
    let last_applied = order.courier().cloned();
    let mut past_last = false;
    for step in steps {
        let is_new = match &last_applied {
            None => true,
            Some(last) => {
                if step.at == last.at && step.status == last.status {
                    past_last = true;
                    continue;
                }
                step.at > last.at || (step.at == last.at && past_last)
            }
        };
        if !is_new {
            continue;
        }
        let news = CourierNews {
            event_id: format!("reconcile:{}:{}", step.status, step.at.timestamp()),
            occurred_at: step.at,
            status: step.status,
            description: step.description,
            comment: None,
            proof_url: None,
            package: None,
        };
        let step_decision = on_courier_status(&current, &news, mapping, now);
        if let Some(next) = step_decision.order {
            current = next;
        }
        decision.jobs.extend(step_decision.jobs);
        decision.timeline.extend(step_decision.timeline);
        applied += 1;
    }
    if applied > 0 {
        decision.timeline.push(timeline(
            &order.key(),
            now,
            TimelineKind::Reconcile,
            format!("reconciliation applied {applied} missed courier status(es)"),
        ));
        decision.order = Some(current);
    }
    decision
}

/// A lookup of a package whose courier news is stale; keyed by sweep, so two replicas sweeping
/// at once look it up once.
pub fn reconcile(order_key: &OrderKey, sweep: i64) -> NewJob {
    NewJob::new(
        OrderJob::Reconcile,
        order_key,
        Some(&format!("sweep-{sweep}")),
    )
}

/// How a package is cancelled at ShaQ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelBy {
    /// Not picked up yet: delete it.
    Deleting,
    /// ShaQ has it: ask ShaQ to cancel the order (the parcel comes back).
    AskingShaq,
}

/// A pending package is deleted; one ShaQ already holds can only be asked back — and so can
/// one handed over in a shipment: its status may still say `pending`, but it is on the printed
/// manifest and in the rider's hands, and deleting it would leave a parcel nobody accounts for.
pub fn cancel_by(status: &PackageStatus, handed_over: bool) -> CancelBy {
    if *status == PackageStatus::Pending && !handed_over {
        CancelBy::Deleting
    } else {
        CancelBy::AskingShaq
    }
}
