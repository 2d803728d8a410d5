//! ShaQ's news about a package: statuses (from webhooks, or found by reconciliation) and
//! amount changes.
//!
//! When ShaQ says `delivered`: the order moves to `delivered` (states only move forward, see
//! [`crate::lifecycle::OrderState::allows_courier_move_to`]), a `move_ticket` job moves the ticket to the mapped
//! status so the customer gets the WhatsApp message (`crate::jobs::move_ticket`), and a
//! `write_back_to_shop` job tells the shop once (`crate::jobs::write_back_to_shop`).

use chrono::{DateTime, Utc};
use shaq_client::PackageStatus;

use super::{
    AmountChange, AmountNews, Collect, CourierMapping, CourierNews, CourierProgress, Decision,
    DeliveryWindow, NewJob, ShopMilestone, TicketKey, TicketStatuses, TrackedOrder, TrackingStep,
    move_to, timeline, write_back,
};
use super::{MoveTicket, OrderJob};
use super::{Said, TimelineKind, Word};
use crate::domain::OrderKey;
use crate::lifecycle::OrderState;

/// Why courier news cannot be placed on `order`, if it cannot: it names a package of another
/// order, or the order has no package and is not having one made (an order still waiting for
/// its customer's confirmation is not moved to `in_transit`, nor is its customer messaged, by
/// a webhook naming its reference). An order being shipped may hear of its package before the
/// answer to its creation is stored: that news is placed.
pub fn unplaced(order: &TrackedOrder, reference: Option<&str>) -> Option<Said> {
    if let Some(reference) = reference
        && reference != order.partner_ref().as_str()
        && order
            .tracking_number()
            .is_none_or(|t| t.as_str() != reference)
    {
        return Some(Said::new("line-package-not-this-orders").text("reference", reference));
    }
    if order.tracking_number().is_none() && order.state() != OrderState::Shipping {
        return Some(Said::new("line-order-has-no-package").with("state", order.state()));
    }
    None
}

/// How far along its trip a courier status is, in the order of ShaQ's document: a status of a
/// lower stage than the last one applied is a step backwards (its own history shows
/// `shipped → pending → shipped`). `None`: a status the document does not name.
pub fn stage(status: &PackageStatus) -> Option<u8> {
    use PackageStatus as S;
    Some(match status {
        S::Pending => 0,
        S::Received | S::Collected => 1,
        S::WarehouseReceived => 2,
        S::Shipped | S::Assigned | S::InTransit => 3,
        S::Confirmed => 4,
        S::Dispatched
        | S::ReadyForPickup
        | S::NotDelivered
        | S::Rescheduled
        | S::CustomerHold
        | S::CustomerUnreachable
        | S::SuspectedScam => 5,
        S::Delivered => 6,
        S::ReturnPicked | S::ReturnInProgress | S::ReturnToCentral => 7,
        S::ReturnedToSender => 8,
        S::Unknown(_) => return None,
    })
}

/// Whether `next` steps back from `last`: an earlier stage, unless `last` was a failed
/// attempt (the courier may take the parcel back on the road before trying again).
fn steps_back(last: &PackageStatus, next: &PackageStatus) -> bool {
    use PackageStatus as S;
    let after_a_failed_attempt = matches!(
        last,
        S::NotDelivered | S::Rescheduled | S::CustomerHold | S::CustomerUnreachable
    );
    match (stage(last), stage(next)) {
        (Some(last_stage), Some(next_stage)) => {
            next_stage < last_stage && !(after_a_failed_attempt && next_stage >= 3)
        }
        _ => false,
    }
}

/// A package status: the ticket follows every status as mapped, never backwards; the order
/// state moves only forward; the shop hears of each milestone once. Events older than the last
/// applied one are ignored (ShaQ retries and may deliver out of order); a step backwards is
/// recorded on the timeline and changes nothing else, so the customer is never told "package
/// created" after "in transit", nor told "in transit" twice when ShaQ goes forward again.
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
                Said::new("line-courier-not-newer")
                    .with("status", courier_status(&news.status))
                    .text("at", news.occurred_at)
                    .with("last", courier_status(&last.status))
                    .text("last_at", last.at),
                now,
            );
        }
    }
    if let Some(last) = order.courier()
        && steps_back(&last.status, &news.status)
    {
        return Decision::decided(
            order.clone(),
            Vec::new(),
            vec![timeline(
                &key,
                now,
                TimelineKind::Courier,
                match news.comment.as_deref() {
                    Some(comment) => {
                        Said::new("line-courier-step-back-commented").text("comment", comment)
                    }
                    None => Said::new("line-courier-step-back"),
                }
                .with("last", courier_status(&last.status))
                .with("status", courier_status(&news.status)),
            )],
            &format!("recorded: a step back to {}", news.status),
        );
    }
    let mut lines = vec![timeline(
        &key,
        now,
        TimelineKind::Courier,
        courier_news_said(news),
    )];
    let mut next = order.clone();
    remember_details(&mut next, news);
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
            Said::new("line-courier-unmapped").text("status", &news.status),
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
            Said::new("line-courier-unchanged"),
        ));
        return Decision::decided(next, Vec::new(), lines, "recorded: status unchanged");
    }
    let state_moves = order.state().allows_courier_move_to(effect.state);
    if state_moves {
        move_to(&mut next, effect.state, now, &mut lines);
    }
    let mut jobs = Vec::new();
    // After a failed attempt ShaQ sets the new day on the package record, which its webhooks
    // do not carry: read it first, so the customer's message names the day.
    if matches!(
        news.status,
        PackageStatus::Rescheduled | PackageStatus::NotDelivered
    ) && order.tracking_number().is_some()
    {
        jobs.push(NewJob::new(
            OrderJob::ReadPackage,
            &key,
            Some(&format!("courier:{}", news.event_id)),
        ));
    }
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

/// A courier status, named so each language can say it.
fn courier_status(status: &PackageStatus) -> Word {
    Word::CourierStatus(status.to_string())
}

/// ShaQ's news as a line: the status, with its description and comment when it has them.
fn courier_news_said(news: &CourierNews) -> Said {
    let said = match (news.description.as_deref(), news.comment.as_deref()) {
        (None, None) => Said::new("line-courier-status"),
        (Some(description), None) => {
            Said::new("line-courier-status-described").text("description", description)
        }
        (None, Some(comment)) => {
            Said::new("line-courier-status-commented").text("comment", comment)
        }
        (Some(description), Some(comment)) => Said::new("line-courier-status-described-commented")
            .text("description", description)
            .text("comment", comment),
    };
    said.with("status", courier_status(&news.status))
}

/// ShaQ's tracking link, delivery window and new date, when the news carries them.
fn remember_details(order: &mut TrackedOrder, news: &CourierNews) {
    let details = order.courier_details_mut();
    details.last_comment = news.comment.clone();
    if let Some(url) = &news.tracking_url {
        details.tracking_url = Some(url.clone());
    }
    if let Some(eta) = news.eta {
        details.eta = Some(eta);
    }
    if let Some(day) = news.rescheduled_to {
        details.rescheduled_to = Some(day);
    }
}

/// ShaQ's package record, read after a failed attempt: what changed of its delivery day,
/// window and tracking page is kept; the customer's ticket is refreshed when the day changed
/// (its move for the status carries the new day when it runs after this).
pub fn on_package_read(
    order: &TrackedOrder,
    eta: Option<DeliveryWindow>,
    tracking_url: Option<String>,
    rescheduled_to: Option<chrono::NaiveDate>,
    now: DateTime<Utc>,
) -> Decision {
    let key = order.key();
    let mut next = order.clone();
    let details = next.courier_details_mut();
    let before = details.clone();
    details.eta = eta.or(details.eta);
    details.tracking_url = tracking_url.or(details.tracking_url.take());
    details.rescheduled_to = rescheduled_to.or(details.rescheduled_to);
    if *details == before {
        return Decision::nothing();
    }
    let mut said = Vec::new();
    if let Some(day) = rescheduled_to.filter(|day| before.rescheduled_to != Some(*day)) {
        said.push(Word::from(
            Said::new("line-new-delivery-day").text("day", day),
        ));
    }
    if let Some(eta) = eta.filter(|eta| before.eta != Some(*eta)) {
        said.push(Word::from(
            Said::new("line-delivery-window")
                .text("from", eta.from)
                .text("to", eta.to),
        ));
    }
    if next.courier_details().tracking_url != before.tracking_url {
        said.push(Word::from(Said::new("line-tracking-page")));
    }
    next.touch(now);
    // The customer's ticket shows the new day, window or page at once.
    let mut jobs: Vec<NewJob> = order
        .ticket_id()
        .map(|_| {
            NewJob::new(
                OrderJob::MoveTicket(MoveTicket::default()),
                &key,
                Some(&format!("package-read:{}", now.timestamp_millis())),
            )
        })
        .into_iter()
        .collect();
    // And the shop's link follows ShaQ's own page, once per page.
    if let Some(url) = &next.courier_details().tracking_url
        && before.tracking_url.as_ref() != Some(url)
    {
        jobs.push(NewJob::new(
            OrderJob::WriteBackToShop {
                milestone: ShopMilestone::TrackingLink,
            },
            &key,
            Some(&format!("tracking-link:{url}")),
        ));
    }
    Decision::decided(
        next,
        jobs,
        vec![timeline(
            &key,
            now,
            TimelineKind::Courier,
            Said::new("line-package-record").with("changes", Word::List(said)),
        )],
        "applied",
    )
}

/// The amount to collect changed (ShaQ: "always at the customer's request and with their
/// agreement"): the order keeps the change, the customer is told (the ticket moves to
/// `amount_updated` when the account has that status, else its data is refreshed with the old
/// and new amounts), and so is the shop.
pub fn on_amount_changed(
    order: &TrackedOrder,
    news: &AmountNews,
    statuses: &TicketStatuses,
    now: DateTime<Utc>,
) -> Decision {
    let key = order.key();
    let currency = news
        .currency
        .clone()
        .unwrap_or_else(|| order.collect().currency.clone());
    let previous = order.collect().amount;
    // ShaQ sends JSON numbers (`35.0`): kept with the currency's two decimals.
    let mut new_amount = news.new_amount;
    new_amount.rescale(new_amount.scale().max(2));
    if previous == new_amount {
        return Decision::ignored(
            &key,
            Said::new("line-amount-already").text("amount", format!("{new_amount} {currency}")),
            now,
        );
    }
    let summary = match news.reason.as_deref() {
        Some(reason) => Said::new("line-amount-changed-because").text("reason", reason),
        None => Said::new("line-amount-changed"),
    }
    .text("from", previous)
    .text("to", format!("{new_amount} {currency}"));
    let mut next = order.clone();
    next.set_collect(Collect {
        amount: new_amount,
        currency: currency.clone(),
    });
    next.courier_details_mut().amount_change = Some(AmountChange {
        from: previous,
        to: new_amount,
        currency,
        reason: news.reason.clone(),
        at: news.occurred_at,
    });
    next.touch(now);
    let told = format!("amount:{}", news.event_id);
    let status_key = statuses
        .id(&TicketKey::AMOUNT_UPDATED)
        .map(|_| TicketKey::AMOUNT_UPDATED);
    Decision::decided(
        next,
        vec![
            NewJob::new(
                OrderJob::MoveTicket(MoveTicket {
                    status_key,
                    ..MoveTicket::default()
                }),
                &key,
                Some(&told),
            ),
            // Each change is told (a second change is a second milestone of its own).
            NewJob::new(
                OrderJob::WriteBackToShop {
                    milestone: ShopMilestone::AmountChanged,
                },
                &key,
                Some(&told),
            ),
        ],
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
            comment: step.comment,
            proof_url: None,
            package: None,
            tracking_url: None,
            eta: None,
            rescheduled_to: None,
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
            Said::new("line-reconciled").with("count", applied),
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
