//! The functional core, and the only place that decides: "this happened to an order in this
//! state → its new state, the jobs that follow, the timeline lines". Plain functions over plain
//! types, no I/O.
//!
//! What happened arrives as typed news: a webhook the shop, ShaQ or Digishare sent
//! ([`InboundNews`]), or what a job found out when it made its call ([`JobNews`]). One file per
//! source of news:
//!
//! | news | decided in |
//! |---|---|
//! | a shop created, changed, cancelled or deleted an order | [`shop`] |
//! | ShaQ moved a package or changed its amount; reconciliation found missed steps | [`courier`] |
//! | the customer confirmed or declined on WhatsApp; the confirmation timed out | [`ticket`] |
//! | a job's call succeeded (package created, ticket created, ticket moved…) | [`outcomes`] |
//! | whether a job still needs to make its call at all | [`guards`] |
//! | a person corrected, resumed, replayed or cancelled an order | [`operator`] |
//!
//! Only this module changes a [`TrackedOrder`] (its setters are `pub(in crate::workflow)`) and
//! only it creates jobs ([`NewJob`]'s constructor is private to it). The job executors in
//! [`crate::jobs`] make calls and report news; the job runner commits the [`Decision`] with the
//! job's completion, in one transaction.

pub mod confirmation;
mod correction;
pub mod courier;
pub mod guards;
pub mod handover;
mod job;
pub mod mapping;
mod new_job;
mod news;
pub mod notices;
pub mod operator;
pub mod outcomes;
mod refusal;
pub mod retention;
pub mod returns;
pub mod shop;
mod statuses;
pub mod ticket;
mod timeline;
mod tracked;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use job::{Job, JobError, JobKind, MoveTicket, OrderJob, SystemJob};
pub use mapping::{CourierMapping, CourierStatusEffect, ShopMilestone};
pub use new_job::NewJob;
pub use news::{
    AmountNews, Cancellation, CourierNews, InboundNews, InvoiceOnTicket, JobNews, SentToCustomer,
    ShopNews, TicketNews, TrackingStep,
};
pub use statuses::{TicketKey, TicketStatuses};
pub use timeline::{Said, TimelineEntry, TimelineKind, Word, timeline};
use tracked::Milestone;
pub use tracked::{
    AmountChange, Collect, CourierDetails, CourierProgress, DeliveryWindow, Milestones,
    StoredOrder, TicketMedia, TrackedOrder,
};

use crate::domain::{Attention, CountryCode, OrderKey, RegionRules, ShopId};
use crate::lifecycle::OrderState;

/// What the workflow decided.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Decision {
    /// The order as it should now be stored (`None`: unchanged).
    pub order: Option<TrackedOrder>,
    /// Jobs to enqueue.
    pub jobs: Vec<NewJob>,
    /// Timeline lines.
    pub timeline: Vec<TimelineEntry>,
    /// One word or phrase for an inbound event's outcome (`applied`, `ignored: …`).
    pub outcome: String,
}

impl Decision {
    /// Nothing to do, nothing to note (a job found its work already done).
    pub fn nothing() -> Decision {
        Decision::default()
    }

    /// Nothing to do, for the given reason (noted on the timeline).
    pub fn ignored(order_key: &OrderKey, reason: Said, now: DateTime<Utc>) -> Decision {
        let line = timeline(order_key, now, TimelineKind::Ignored, reason);
        Decision {
            order: None,
            jobs: Vec::new(),
            outcome: format!("ignored: {}", line.summary),
            timeline: vec![line],
        }
    }

    /// One timeline line and nothing else.
    fn noted(order_key: &OrderKey, now: DateTime<Utc>, kind: TimelineKind, said: Said) -> Decision {
        Decision {
            timeline: vec![timeline(order_key, now, kind, said)],
            ..Decision::default()
        }
    }

    fn decided(
        order: TrackedOrder,
        jobs: Vec<NewJob>,
        timeline: Vec<TimelineEntry>,
        outcome: &str,
    ) -> Decision {
        Decision {
            order: Some(order),
            jobs,
            timeline,
            outcome: outcome.to_owned(),
        }
    }
}

/// How a shop's orders flow.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flow {
    /// Ticket first; the package is created when the customer confirms on WhatsApp.
    #[default]
    ConfirmFirst,
    /// Package and ticket at once.
    ShipImmediately,
}

/// The per-shop rules the workflow needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopPolicy {
    /// The shop's flow.
    pub flow: Flow,
    /// Prepaid orders skip the confirmation step.
    pub prepaid_skips_confirmation: bool,
    /// How a cash-on-delivery customer is asked to confirm: reminders, quiet hours, and what
    /// happens without an answer.
    pub confirmation: confirmation::ConfirmationPolicy,
    /// Destination countries ShaQ serves; orders elsewhere need a person.
    pub service_countries: Vec<CountryCode>,
    /// Which milestones are written back to the shop (`None`: none).
    pub write_back: Option<Vec<ShopMilestone>>,
    /// How the shop's addresses are read (region aliases, default region).
    pub regions: RegionRules,
    /// The shop's ticket statuses (`[digishare.statuses]` with the shop's own laid over).
    pub statuses: TicketStatuses,
    /// With an invoice: how long a ticket waits for its upload (`None`: no invoice).
    pub invoice_wait: Option<std::time::Duration>,
}

impl ShopPolicy {
    /// Whether the shop is told of this milestone.
    pub fn writes_back(&self, milestone: ShopMilestone) -> bool {
        self.write_back
            .as_ref()
            .is_some_and(|list| list.contains(&milestone))
    }
}

/// Everything the workflow decides with, from the settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Rules {
    /// Each configured shop's policy.
    pub shops: HashMap<ShopId, ShopPolicy>,
    /// What each courier status does.
    pub mapping: CourierMapping,
    /// Attach the ShaQ label to the ticket once the package exists.
    pub attach_label: bool,
}

impl Rules {
    /// The policy of the order's shop, or a permanent failure if the shop was removed from the
    /// settings.
    pub fn shop(&self, shop: &ShopId) -> Result<&ShopPolicy, JobError> {
        self.shops
            .get(shop)
            .ok_or_else(|| JobError::permanent(format!("shop `{shop}` is no longer configured")))
    }
}

/// Decides what a job's call found out, for the order as stored when the job ran.
pub fn decide(rules: &Rules, order: &TrackedOrder, news: JobNews, now: DateTime<Utc>) -> Decision {
    outcomes::on_job_news(rules, order, news, now)
}

/// Decides a person's request when it reaches the head of the order's queue.
pub fn decide_request(
    rules: &Rules,
    order: &TrackedOrder,
    request: operator::OperatorRequest,
    now: DateTime<Utc>,
) -> Result<Decision, JobError> {
    let policy = rules.shop(order.shop_id())?;
    Ok(operator::on_request(order, request, policy, now))
}

/// Decides what a stored webhook means. `order` is the order as stored when its job ran
/// (`None` for a webhook about an order the bridge has not stored yet).
pub fn decide_inbound(
    rules: &Rules,
    key: &OrderKey,
    order: Option<&TrackedOrder>,
    news: InboundNews,
    now: DateTime<Utc>,
) -> Result<Decision, JobError> {
    Ok(match (news, order) {
        (InboundNews::Shop(news), existing) => {
            let shop = match &news {
                ShopNews::Order(order) => order.shop_id.clone(),
                ShopNews::Deleted { shop, .. }
                | ShopNews::AfterSale { shop, .. }
                | ShopNews::Unusable { shop, .. } => shop.clone(),
            };
            shop::on_shop_news(existing, news, rules.shop(&shop)?, now)
        }
        (InboundNews::NotUsed(reason), _) => Decision::ignored(key, reason, now),
        (InboundNews::CourierStatus(_) | InboundNews::AmountChanged(_), None) => {
            Decision::ignored(key, Said::new("line-no-order-for-package"), now)
        }
        (InboundNews::TicketStatus(_), None) => {
            Decision::ignored(key, Said::new("line-no-order-for-ticket"), now)
        }
        (InboundNews::CourierStatus(news), Some(order)) => match news.package.as_deref() {
            Some(reference) if order.linked().iter().any(|p| p.is(reference)) => {
                returns::on_linked_status(rules, order, &news, reference, now)
            }
            reference => match courier::unplaced(order, reference) {
                Some(why) => Decision::ignored(
                    key,
                    Said::new("line-courier-not-applied")
                        .with("status", Word::CourierStatus(news.status.to_string()))
                        .with("why", why),
                    now,
                ),
                None => courier::on_courier_status(order, &news, &rules.mapping, now),
            },
        },
        (InboundNews::AmountChanged(news), Some(order)) => match news.package.as_deref() {
            // A return or a replacement collects nothing: its amount is not the order's.
            Some(reference) if order.linked().iter().any(|p| p.is(reference)) => Decision::ignored(
                key,
                Said::new("line-amount-of-linked-package").text("reference", reference),
                now,
            ),
            reference => match courier::unplaced(order, reference) {
                Some(why) => Decision::ignored(
                    key,
                    Said::new("line-amount-not-applied").with("why", why),
                    now,
                ),
                None => courier::on_amount_changed(
                    order,
                    &news,
                    &rules.shop(order.shop_id())?.statuses,
                    now,
                ),
            },
        },
        (InboundNews::TicketStatus(news), Some(order)) => {
            let statuses = &rules.shop(order.shop_id())?.statuses;
            ticket::on_ticket_status(order, &news, statuses, now)
        }
    })
}

/// The job that runs a stored webhook through the workflow.
pub fn apply_webhook(order_key: &OrderKey, event_id: i64) -> NewJob {
    NewJob::new(
        Job::ApplyInboundEvent { event_id },
        order_key,
        Some(&format!("event-{event_id}")),
    )
}

/// Tells the shop of a milestone; once per milestone per order.
fn write_back(key: &OrderKey, milestone: ShopMilestone) -> NewJob {
    NewJob::new(
        OrderJob::WriteBackToShop { milestone },
        key,
        Some(milestone.as_str()),
    )
}

/// Moves the order to `state`, noting the change on the timeline.
fn move_to(
    order: &mut TrackedOrder,
    state: OrderState,
    now: DateTime<Utc>,
    lines: &mut Vec<TimelineEntry>,
) {
    if order.state() != state {
        let mut line = timeline(
            &order.key(),
            now,
            TimelineKind::State,
            Said::new("line-state-moved")
                .with("from", order.state())
                .with("to", state),
        );
        // The states by name, so the console can say them in the operator's language.
        line.details = serde_json::json!({ "from": order.state().as_str(), "to": state.as_str() });
        lines.push(line);
        order.set_state(state, now);
    }
    order.touch(now);
}

/// The order waits for a person, for `reason`: one rule wherever it comes from (an order that
/// cannot be shipped, a confirmation that never came).
fn needs_attention(
    order: &mut TrackedOrder,
    reason: Attention,
    now: DateTime<Utc>,
    lines: &mut Vec<TimelineEntry>,
) {
    lines.push(timeline(
        &order.key(),
        now,
        TimelineKind::Attention,
        Said::new("line-needs-attention").with("reason", reason.clone()),
    ));
    order.set_state(OrderState::NeedsAttention, now);
    order.set_attention(Some(reason));
    order.touch(now);
}

#[cfg(test)]
mod tests;
