//! A person's decisions, from the console, the admin API or the CLI: correct an order, resume
//! it, replay its last webhook, cancel it.
//!
//! A request is checked at once ([`check`], so the person hears "no" while they are looking),
//! then queued as a job on the order ([`request`]): the order's jobs run one at a time, so a
//! correction never races a job that is creating the package. When the job runs, the workflow
//! decides again against the order as it is then ([`on_request`]); a request the order has
//! outgrown by then is noted on the timeline and changes nothing.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use super::correction::{ChosenRegion, Correction};
pub use super::refusal::Refusal;
use super::shop::{start, where_to};
use super::{Decision, NewJob, ShopPolicy, TicketKey, TrackedOrder, move_to, timeline};
use super::{Job, JobKind, MoveTicket, OrderJob};
use super::{Said, TimelineEntry, TimelineKind};
use crate::domain::{Attention, OrderKey};
use crate::lifecycle::OrderState;
use crate::workflow::ShopMilestone;

/// Who acted: the operator's name as they signed in (`ama`), `admin` for the admin token,
/// `cli` for the command line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Operator(String);

impl Operator {
    /// An operator by name (trimmed; at most 64 characters are kept).
    pub fn new(name: &str) -> Operator {
        Operator(name.trim().chars().take(64).collect())
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a person asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum OperatorAction {
    /// Change the delivery details (kept over later versions from the shop).
    Correct(Correction),
    /// An order waiting for a person goes on: its first steps run again, with fresh job keys.
    Resume,
    /// Run one of the order's stored webhooks through the workflow again.
    Replay {
        /// The inbound event.
        event_id: i64,
    },
    /// Cancel the order: the package, the ticket, and the shop if it is told of cancellations.
    Cancel,
    /// After delivery: collect the item back, send a replacement, or exchange it.
    AfterSale {
        /// Which (not `kind`: the queued job's own tag is `kind`).
        after_sale: super::returns::AfterSale,
    },
}

impl OperatorAction {
    /// One word for it.
    pub fn name(&self) -> &'static str {
        match self {
            OperatorAction::Correct(_) => "correction",
            OperatorAction::Resume => "resume",
            OperatorAction::Replay { .. } => "replay",
            OperatorAction::Cancel => "cancel",
            OperatorAction::AfterSale { after_sale: kind } => kind.as_str(),
        }
    }

    /// Its name, in each language.
    fn said(&self) -> Said {
        match self {
            OperatorAction::AfterSale { after_sale: kind } => kind.said(),
            action => Said::new(&format!("line-action-{}", action.name())),
        }
    }
}

/// A person's request, as queued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperatorRequest {
    /// Who asked.
    pub by: Operator,
    /// What for.
    #[serde(flatten)]
    pub action: OperatorAction,
    /// When they asked (each request is its own job, even if the same words are sent twice).
    pub at: DateTime<Utc>,
}

/// Whether `action` can be done to `order` now.
pub fn check(
    order: &TrackedOrder,
    action: &OperatorAction,
    policy: &ShopPolicy,
) -> Result<(), Refusal> {
    let state = order.state();
    match action {
        OperatorAction::Correct(correction) => {
            if correction.is_empty() {
                return Err(Refusal::NothingToCorrect);
            }
            if state.is_final() {
                return Err(Refusal::Finished(state));
            }
            if order.tracking_number().is_some() && !order.package_is_pending() {
                return Err(Refusal::PickedUp);
            }
            Ok(())
        }
        OperatorAction::Resume => {
            if state != OrderState::NeedsAttention {
                return Err(Refusal::NotWaiting(state));
            }
            if order.tracking_number().is_some() {
                return Err(Refusal::HasPackage);
            }
            where_to(order.order(), policy, order.corrections())
                .map(|_| ())
                .map_err(Refusal::StillUnshippable)
        }
        OperatorAction::Replay { .. } => Ok(()),
        OperatorAction::Cancel if state.is_final() => Err(Refusal::Finished(state)),
        OperatorAction::Cancel => Ok(()),
        OperatorAction::AfterSale { .. } => match super::returns::refusal(order) {
            Some(refusal) => Err(refusal),
            None => Ok(()),
        },
    }
}

/// The job that carries a person's request to the order's queue. Its key is unique per request,
/// so asking twice runs twice (the second one is refused if the first made it pointless).
pub fn request(order: &TrackedOrder, request: OperatorRequest) -> NewJob {
    let discriminator = match &request.action {
        // One booking per return number, whoever asks and however many times at once: a
        // second request for the same number is the same job, which the queue keeps once.
        OperatorAction::AfterSale { .. } => {
            format!("after-sale-{}", super::returns::next_number(order))
        }
        action => format!(
            "{}-{}-{}",
            action.name(),
            request.by,
            request.at.timestamp_micros()
        ),
    };
    NewJob::new(
        OrderJob::Operator(request),
        &order.key(),
        Some(&discriminator),
    )
}

/// Decides a person's request against the order as it is now.
pub fn on_request(
    order: &TrackedOrder,
    request: OperatorRequest,
    policy: &ShopPolicy,
    now: DateTime<Utc>,
) -> Decision {
    let key = order.key();
    let OperatorRequest { by, action, .. } = request;
    if let Err(refusal) = check(order, &action, policy) {
        return Decision::ignored(
            &key,
            Said::new("line-operator-refused")
                .with("action", action.said())
                .text("by", &by)
                .with("refusal", refusal),
            now,
        );
    }
    let tag = format!("{}-{}", action.name(), now.timestamp_micros());
    match action {
        OperatorAction::Correct(correction) => correct(order, &correction, &by, &tag, now),
        OperatorAction::Resume => resume(order, &by, policy, &tag, now),
        OperatorAction::Replay { event_id } => Decision {
            order: None,
            jobs: vec![NewJob::new(
                Job::ApplyInboundEvent { event_id },
                &key,
                Some(&tag),
            )],
            timeline: vec![operator_line(
                &key,
                now,
                &by,
                Said::new("line-replayed")
                    .text("event", event_id)
                    .text("by", &by),
            )],
            outcome: "applied".to_owned(),
        },
        OperatorAction::Cancel => cancel(order, &by, policy, &tag, now),
        OperatorAction::AfterSale { after_sale: kind } => {
            let number = super::returns::next_number(order);
            Decision {
                order: None,
                jobs: vec![super::returns::replacement_job(order, kind, number, &tag)],
                timeline: vec![operator_line(
                    &key,
                    now,
                    &by,
                    Said::new("line-after-sale-asked")
                        .with("kind", kind.said())
                        .text("by", &by)
                        .with("description", kind.said_described()),
                )],
                outcome: "applied".to_owned(),
            }
        }
    }
}

/// A person put a dead job back in the queue: the line on its order's timeline, naming them
/// (written with the revival, in one transaction).
pub fn job_retried(
    order_key: &OrderKey,
    kind: JobKind,
    job_id: i64,
    by: &Operator,
    now: DateTime<Utc>,
) -> TimelineEntry {
    operator_line(
        order_key,
        now,
        by,
        Said::new("line-job-retried")
            .with("job", kind)
            .text("id", job_id)
            .text("by", by),
    )
}

fn operator_line(key: &OrderKey, now: DateTime<Utc>, by: &Operator, said: Said) -> TimelineEntry {
    let mut line = timeline(key, now, TimelineKind::Operator, said);
    line.details = serde_json::json!({ "operator": by });
    line
}

fn correct(
    order: &TrackedOrder,
    correction: &Correction,
    by: &Operator,
    tag: &str,
    now: DateTime<Utc>,
) -> Decision {
    let key = order.key();
    let mut next = order.clone();
    let merged = order
        .corrections()
        .map_or_else(|| correction.clone(), |earlier| earlier.merged(correction));
    let corrected = correction.apply(order.order().clone());
    let shipping_changed = order.order().shipping_fingerprint() != corrected.shipping_fingerprint();
    next.replace_order(corrected);
    next.set_corrections(Some(merged));
    if let Some(amount) = correction.amount_to_collect {
        next.set_collect(super::Collect {
            amount,
            currency: order.collect().currency.clone(),
        });
    }
    if let Some(located) = correction.located() {
        next.set_region(Some(located));
    }
    next.touch(now);
    let lines = vec![operator_line(
        &key,
        now,
        by,
        Said::new("line-corrected")
            .text("by", by)
            .with("changes", correction.describe(&order.collect().currency)),
    )];
    let mut jobs = Vec::new();
    if order.package_is_pending() && (shipping_changed || correction.amount_to_collect.is_some()) {
        jobs.push(NewJob::new(OrderJob::UpdatePackage, &key, Some(tag)));
    }
    if order.ticket_id().is_some() && !matches!(order.state(), OrderState::NeedsAttention) {
        // The customer's messages quote the address and amount: refresh the ticket's data.
        jobs.push(NewJob::new(
            OrderJob::MoveTicket(MoveTicket::default()),
            &key,
            Some(tag),
        ));
    }
    Decision::decided(next, jobs, lines, "applied")
}

fn resume(
    order: &TrackedOrder,
    by: &Operator,
    policy: &ShopPolicy,
    tag: &str,
    now: DateTime<Utc>,
) -> Decision {
    let key = order.key();
    let mut next = order.clone();
    let mut lines = vec![operator_line(
        &key,
        now,
        by,
        Said::new("line-resumed").text("by", by),
    )];
    match where_to(order.order(), policy, order.corrections()) {
        Ok(located) => {
            if next.region() != Some(&located) {
                lines.push(timeline(
                    &key,
                    now,
                    TimelineKind::Address,
                    Said::new("line-address").with("located", located.clone()),
                ));
                next.set_region(Some(located));
            }
        }
        // `check` ran just before; kept for the types.
        Err(reason) => {
            return Decision::ignored(
                &key,
                Said::new("line-resume-refused")
                    .text("by", by)
                    .with("reason", Attention::from(reason)),
                now,
            );
        }
    }
    let (state, jobs) = start(&next, policy, now, Some(tag));
    next.set_attention(None);
    move_to(&mut next, state, now, &mut lines);
    Decision::decided(next, jobs, lines, "applied")
}

fn cancel(
    order: &TrackedOrder,
    by: &Operator,
    policy: &ShopPolicy,
    tag: &str,
    now: DateTime<Utc>,
) -> Decision {
    let key = order.key();
    let mut next = order.clone();
    let mut lines = vec![operator_line(
        &key,
        now,
        by,
        Said::new("line-cancelled-by").text("by", by),
    )];
    let mut jobs = vec![NewJob::new(OrderJob::CancelPackage, &key, Some(tag))];
    // The order's jobs run in order: a ticket being created exists by the time this runs.
    if order.ticket_id().is_some() {
        jobs.push(NewJob::new(
            OrderJob::MoveTicket(MoveTicket::to(TicketKey::CANCELLED)),
            &key,
            Some(tag),
        ));
    }
    if policy.writes_back(ShopMilestone::Cancelled) {
        jobs.push(NewJob::new(
            OrderJob::WriteBackToShop {
                milestone: ShopMilestone::Cancelled,
            },
            &key,
            Some(tag),
        ));
    }
    if order.state().is_before_pickup() || order.state() == OrderState::NeedsAttention {
        next.set_attention(None);
        move_to(&mut next, OrderState::Cancelled, now, &mut lines);
    } else {
        lines.push(timeline(
            &key,
            now,
            TimelineKind::Attention,
            Said::new("line-cancelled-after-pickup"),
        ));
    }
    Decision::decided(next, jobs, lines, "applied: cancelled")
}
