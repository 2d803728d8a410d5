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
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::shop::{start, where_to};
use super::{Decision, NewJob, ShopPolicy, TicketKey, TrackedOrder, move_to, timeline};
use crate::domain::{
    GHANA_REGIONS, Located, Order, OrderKey, Payment, PhoneE164, RegionSource, Unshippable,
};
use crate::jobs::{Job, MoveTicket};
use crate::lifecycle::OrderState;
use crate::store::{TimelineEntry, TimelineKind};
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

/// One of ShaQ's delivery regions (one of [`GHANA_REGIONS`]), as a person picked it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ChosenRegion(String);

impl ChosenRegion {
    /// The region named `name` (case and a trailing "Region" ignored), if it is one.
    pub fn parse(name: &str) -> Option<ChosenRegion> {
        let wanted = name.trim().trim_end_matches(" Region").trim();
        GHANA_REGIONS
            .iter()
            .find(|region| region.eq_ignore_ascii_case(wanted))
            .map(|region| ChosenRegion((*region).to_owned()))
    }

    /// The region's name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ChosenRegion {
    type Error = String;

    fn try_from(name: String) -> Result<Self, Self::Error> {
        ChosenRegion::parse(&name).ok_or_else(|| format!("`{name}` is not one of ShaQ's regions"))
    }
}

impl From<ChosenRegion> for String {
    fn from(region: ChosenRegion) -> Self {
        region.0
    }
}

/// What a person corrected. Each field left out keeps what the order has; the fields are parsed
/// at the edge (a region of ShaQ's list, a mobile number, an amount of zero or more).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Correction {
    /// The delivery region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<ChosenRegion>,
    /// Street and house.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line1: Option<String>,
    /// Second address line (an empty one clears it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    /// City or town.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// The customer's mobile number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<PhoneE164>,
    /// What the courier collects (0: nothing, the order is prepaid).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_to_collect: Option<Decimal>,
}

impl Correction {
    /// Corrects nothing.
    pub fn is_empty(&self) -> bool {
        *self == Correction::default()
    }

    /// This correction with `newer`'s fields laid over it.
    fn merged(&self, newer: &Correction) -> Correction {
        Correction {
            region: newer.region.clone().or_else(|| self.region.clone()),
            line1: newer.line1.clone().or_else(|| self.line1.clone()),
            line2: newer.line2.clone().or_else(|| self.line2.clone()),
            city: newer.city.clone().or_else(|| self.city.clone()),
            phone: newer.phone.clone().or_else(|| self.phone.clone()),
            amount_to_collect: newer.amount_to_collect.or(self.amount_to_collect),
        }
    }

    /// The shop's order with these corrections laid over it.
    pub fn apply(&self, mut order: Order) -> Order {
        if let Some(line1) = &self.line1 {
            order.address.line1.clone_from(line1);
        }
        if let Some(line2) = &self.line2 {
            order.address.line2 = (!line2.trim().is_empty()).then(|| line2.clone());
        }
        if let Some(city) = &self.city {
            order.address.city.clone_from(city);
        }
        if let Some(phone) = &self.phone {
            order.recipient.phone = Some(phone.clone());
            order.recipient.phone_problem = None;
        }
        if let Some(amount) = self.amount_to_collect {
            order.payment = if amount.is_zero() {
                Payment::Prepaid
            } else {
                Payment::CashOnDelivery {
                    amount_to_collect: amount,
                }
            };
        }
        order
    }

    /// The region a person chose, as the workflow records a region.
    pub fn located(&self) -> Option<Located> {
        self.region.as_ref().map(|region| Located {
            region: region.as_str().to_owned(),
            source: RegionSource::Chosen,
        })
    }

    /// What changed, for the timeline (phones masked).
    fn describe(&self, currency: &str) -> String {
        let mut parts = Vec::new();
        if let Some(region) = &self.region {
            parts.push(format!("region → {}", region.as_str()));
        }
        if let Some(line1) = &self.line1 {
            parts.push(format!("address line 1 → {line1}"));
        }
        if let Some(line2) = &self.line2 {
            parts.push(format!("address line 2 → {line2}"));
        }
        if let Some(city) = &self.city {
            parts.push(format!("city → {city}"));
        }
        if let Some(phone) = &self.phone {
            parts.push(format!("phone → {}", phone.masked()));
        }
        if let Some(amount) = self.amount_to_collect {
            parts.push(format!("amount to collect → {amount} {currency}"));
        }
        parts.join(", ")
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

/// Why a request cannot be done to the order as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Nothing to change.
    #[error("the correction changes nothing")]
    NothingToCorrect,
    /// Delivered, returned or cancelled.
    #[error("the order is {0}: it is finished")]
    Finished(OrderState),
    /// The courier has the parcel.
    #[error("ShaQ has picked the parcel up: change the delivery with ShaQ")]
    PickedUp,
    /// Only an order waiting for a person resumes.
    #[error("the order is {0}, not waiting for a person")]
    NotWaiting(OrderState),
    /// The package exists: the courier's next status moves the order.
    #[error("the order has a ShaQ package: its next courier status moves it on")]
    HasPackage,
    /// Resuming would stop again at once.
    #[error("the order still cannot ship: {0}")]
    StillUnshippable(Unshippable),
    /// Returns, replacements and exchanges follow a delivery.
    #[error("the order is {0}: a return, replacement or exchange needs a delivered order")]
    NotDelivered(OrderState),
    /// One at a time.
    #[error("a return, replacement or exchange of this order is still on its way ({0})")]
    AfterSaleUnderway(String),
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
pub fn request(order_key: &OrderKey, request: OperatorRequest) -> NewJob {
    let discriminator = format!(
        "{}-{}-{}",
        request.action.name(),
        request.by,
        request.at.timestamp_micros()
    );
    NewJob::new(Job::Operator(request), order_key, Some(&discriminator))
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
            format!("{} by {by} refused: {refusal}", action.name()),
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
                format!("inbound event {event_id} replayed by {by}"),
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
                    format!("{} asked by {by}: {}", kind.as_str(), kind.describe()),
                )],
                outcome: "applied".to_owned(),
            }
        }
    }
}

fn operator_line(
    key: &OrderKey,
    now: DateTime<Utc>,
    by: &Operator,
    summary: String,
) -> TimelineEntry {
    let mut line = timeline(key, now, TimelineKind::Operator, summary);
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
        format!(
            "corrected by {by}: {}",
            correction.describe(&order.collect().currency)
        ),
    )];
    let mut jobs = Vec::new();
    if order.package_is_pending() && (shipping_changed || correction.amount_to_collect.is_some()) {
        jobs.push(NewJob::new(Job::UpdatePackage, &key, Some(tag)));
    }
    if order.ticket_id().is_some() && !matches!(order.state(), OrderState::NeedsAttention) {
        // The customer's messages quote the address and amount: refresh the ticket's data.
        jobs.push(NewJob::new(
            Job::MoveTicket(MoveTicket::default()),
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
    let mut lines = vec![operator_line(&key, now, by, format!("resumed by {by}"))];
    match where_to(order.order(), policy, order.corrections()) {
        Ok(located) => {
            if next.region() != Some(&located) {
                lines.push(timeline(
                    &key,
                    now,
                    TimelineKind::Address,
                    located.to_string(),
                ));
                next.set_region(Some(located));
            }
        }
        // `check` ran just before; kept for the types.
        Err(reason) => {
            return Decision::ignored(&key, format!("resume by {by} refused: {reason}"), now);
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
    let mut lines = vec![operator_line(&key, now, by, format!("cancelled by {by}"))];
    let mut jobs = vec![NewJob::new(Job::CancelPackage, &key, Some(tag))];
    // The order's jobs run in order: a ticket being created exists by the time this runs.
    if order.ticket_id().is_some() {
        jobs.push(NewJob::new(
            Job::MoveTicket(MoveTicket::to(TicketKey::CANCELLED)),
            &key,
            Some(tag),
        ));
    }
    if policy.writes_back(ShopMilestone::Cancelled) {
        jobs.push(NewJob::new(
            Job::WriteBackToShop {
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
            "cancelled after pickup: ShaQ was asked to cancel; the package will come back",
        ));
    }
    Decision::decided(next, jobs, lines, "applied: cancelled")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_are_read_as_a_person_writes_them() {
        assert_eq!(
            ChosenRegion::parse("ashanti").map(String::from).as_deref(),
            Some("Ashanti")
        );
        assert_eq!(
            ChosenRegion::parse("Greater Accra Region")
                .map(String::from)
                .as_deref(),
            Some("Greater Accra")
        );
        assert_eq!(ChosenRegion::parse("Kumasi"), None);
        let parsed: Result<ChosenRegion, _> = serde_json::from_str("\"Volta\"");
        assert!(parsed.is_ok());
        let refused: Result<ChosenRegion, _> = serde_json::from_str("\"Atlantis\"");
        assert!(refused.is_err());
    }

    #[test]
    fn a_later_correction_keeps_the_earlier_fields_it_does_not_name() {
        let earlier = Correction {
            region: ChosenRegion::parse("Ashanti"),
            city: Some("Kumasi".to_owned()),
            ..Correction::default()
        };
        let later = Correction {
            city: Some("Ejisu".to_owned()),
            ..Correction::default()
        };
        let merged = earlier.merged(&later);
        assert_eq!(merged.region, ChosenRegion::parse("Ashanti"));
        assert_eq!(merged.city.as_deref(), Some("Ejisu"));
    }
}
