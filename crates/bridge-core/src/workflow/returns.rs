//! After delivery: a return (ShaQ collects the item back from the customer), a replacement
//! (ShaQ delivers a new one) or an exchange (both, on one visit). Each is a ShaQ "replacement"
//! whose packages are linked to the order; their courier news reach the order's timeline and
//! the customer's ticket, and never move the delivered order itself.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shaq_client::{PackageStatus, ReplacementAction, ReplacementRule};

use super::refusal::Refusal;
use super::{
    CourierNews, Decision, NewJob, Rules, ShopMilestone, TicketKey, TrackedOrder, timeline,
};
use super::{MoveTicket, OrderJob};
use super::{Said, TimelineKind, Word};

/// What the merchant wants after delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AfterSale {
    /// Collect the item back from the customer.
    Return,
    /// Deliver a replacement item.
    Replace,
    /// Collect the item and deliver a new one on the same visit.
    Exchange,
}

impl AfterSale {
    /// Every kind.
    pub const ALL: [AfterSale; 3] = [AfterSale::Return, AfterSale::Replace, AfterSale::Exchange];

    /// The stored and requested name.
    pub fn as_str(self) -> &'static str {
        match self {
            AfterSale::Return => "return",
            AfterSale::Replace => "replace",
            AfterSale::Exchange => "exchange",
        }
    }

    /// ShaQ's replacement rule.
    pub fn rule(self) -> ReplacementRule {
        match self {
            AfterSale::Return => ReplacementRule::Return,
            AfterSale::Replace => ReplacementRule::Deliver,
            AfterSale::Exchange => ReplacementRule::ReturnDeliver,
        }
    }

    /// The packages it takes, in ShaQ's order.
    pub fn actions(self) -> &'static [ReplacementAction] {
        match self {
            AfterSale::Return => &[ReplacementAction::Return],
            AfterSale::Replace => &[ReplacementAction::Deliver],
            AfterSale::Exchange => &[ReplacementAction::Return, ReplacementAction::Deliver],
        }
    }

    /// Its name, in each language.
    pub fn said(self) -> Said {
        Said::new(&format!("line-after-sale-{}", self.as_str()))
    }

    /// What it does, in each language.
    pub fn said_described(self) -> Said {
        Said::new(&format!("line-after-sale-{}-described", self.as_str()))
    }

    /// The ticket status the customer's message hangs on, once ShaQ has the packages.
    fn requested_key(self) -> TicketKey {
        match self {
            AfterSale::Return | AfterSale::Exchange => TicketKey::new("return_requested"),
            AfterSale::Replace => TicketKey::new("replacement_sent"),
        }
    }
}

impl std::str::FromStr for AfterSale {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        AfterSale::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text)
            .ok_or_else(|| format!("`{text}` is not one of return, replace, exchange"))
    }
}

/// A ShaQ package made after delivery, linked to its order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LinkedPackage {
    /// Why it exists.
    pub kind: AfterSale,
    /// Collect or deliver (`return`, `deliver`).
    #[schema(value_type = String)]
    pub action: ReplacementAction,
    /// Which request of the order (1, 2…): part of its reference.
    pub number: u32,
    /// Our reference at ShaQ (`kente-1047-R1`).
    pub partner_ref: String,
    /// ShaQ's tracking number.
    pub tracking_number: Option<String>,
    /// Its last courier status.
    #[schema(value_type = Option<String>)]
    pub status: Option<PackageStatus>,
    /// When that status happened.
    pub status_at: Option<DateTime<Utc>>,
}

impl LinkedPackage {
    /// The reference of package `action` of request `number` of an order.
    pub fn reference(order_ref: &str, action: ReplacementAction, number: u32) -> String {
        let letter = match action {
            ReplacementAction::Return => 'R',
            ReplacementAction::Deliver => 'D',
        };
        format!("{order_ref}-{letter}{number}")
    }

    /// Whether its trip is over: delivered, or back at the sender. (ShaQ's `confirmed` is
    /// not an end: its document defines it as "the customer was called and the delivery
    /// confirmed", and its history goes on `confirmed → dispatched → not_delivered`.)
    pub fn is_finished(&self) -> bool {
        matches!(
            self.status,
            Some(PackageStatus::Delivered | PackageStatus::ReturnedToSender)
        )
    }

    /// Whether `reference` (a partner reference or tracking number) names it.
    pub fn is(&self, reference: &str) -> bool {
        self.partner_ref == reference || self.tracking_number.as_deref() == Some(reference)
    }

    fn noun(&self) -> Said {
        Said::new(match self.action {
            ReplacementAction::Return => "line-return-package",
            ReplacementAction::Deliver => "line-replacement-package",
        })
    }

    /// `said`, naming the package: what it is and its tracking number (its reference until
    /// ShaQ gives it one).
    fn named_in(&self, said: Said) -> Said {
        said.with("noun", self.noun()).text(
            "tracking",
            self.tracking_number.as_deref().unwrap_or(&self.partner_ref),
        )
    }
}

/// Tells the shop of an after-sale milestone, once per request (`tag`).
fn tell_shop(order: &TrackedOrder, milestone: ShopMilestone, tag: &str) -> NewJob {
    NewJob::new(
        OrderJob::WriteBackToShop { milestone },
        &order.key(),
        Some(&format!("{}-{tag}", milestone.as_str())),
    )
}

/// The job that asks ShaQ for request `number` of `kind`; `tag` makes each request its own job
/// (a request after a refused one reuses its number, and must still run).
pub(super) fn replacement_job(
    order: &TrackedOrder,
    kind: AfterSale,
    number: u32,
    tag: &str,
) -> NewJob {
    NewJob::new(
        OrderJob::CreateReplacement {
            after_sale: kind,
            number,
        },
        &order.key(),
        Some(&format!("{number}-{tag}")),
    )
}

/// The next request's number.
pub(super) fn next_number(order: &TrackedOrder) -> u32 {
    order.linked().iter().map(|p| p.number).max().unwrap_or(0) + 1
}

/// A move of the ticket to `key`, only if the shop maps that status (these are optional).
fn move_if_mapped(
    rules: &Rules,
    order: &TrackedOrder,
    key: TicketKey,
    tag: &str,
) -> Option<NewJob> {
    let policy = rules.shop(order.shop_id()).ok()?;
    order.ticket_id()?;
    policy.statuses.id(&key)?;
    Some(NewJob::new(
        OrderJob::MoveTicket(MoveTicket::to(key)),
        &order.key(),
        Some(tag),
    ))
}

/// ShaQ made the packages: they are linked to the order, and the customer hears of it.
pub(super) fn on_created(
    rules: &Rules,
    order: &TrackedOrder,
    kind: AfterSale,
    packages: Vec<LinkedPackage>,
    now: DateTime<Utc>,
) -> Decision {
    let key = order.key();
    let original = order.tracking_number().map_or_else(
        || Word::from(Said::new("line-the-original-package")),
        |tracking| Word::Text(tracking.to_string()),
    );
    let mut next = order.clone();
    let lines = packages
        .iter()
        .map(|package| {
            timeline(
                &key,
                now,
                TimelineKind::Call,
                package
                    .named_in(Said::new("line-after-sale-created"))
                    .with("kind", kind.said())
                    .with("description", kind.said_described())
                    .with("original", original.clone()),
            )
        })
        .collect();
    let number = packages.first().map_or(0, |p| p.number);
    for package in packages {
        next.link_package(package);
    }
    next.touch(now);
    let mut jobs: Vec<NewJob> = move_if_mapped(
        rules,
        order,
        kind.requested_key(),
        &format!("{}-{number}", kind.as_str()),
    )
    .into_iter()
    .collect();
    jobs.push(tell_shop(
        order,
        ShopMilestone::AfterSaleBooked,
        &number.to_string(),
    ));
    Decision::decided(next, jobs, lines, "applied")
}

/// ShaQ refused the replacement: a clear line for a person, no dead job.
pub(super) fn on_refused(
    order: &TrackedOrder,
    kind: AfterSale,
    reason: &str,
    now: DateTime<Utc>,
) -> Decision {
    Decision::noted(
        &order.key(),
        now,
        TimelineKind::Attention,
        Said::new("line-after-sale-refused")
            .with("kind", kind.said())
            .text("reason", reason),
    )
}

/// The ticket status a linked package's courier status tells the customer of, if any.
fn customer_key(package: &LinkedPackage, status: &PackageStatus) -> Option<TicketKey> {
    match (package.action, status) {
        (ReplacementAction::Return, PackageStatus::ReturnPicked) => {
            Some(TicketKey::new("return_collected"))
        }
        (ReplacementAction::Return, PackageStatus::ReturnedToSender) => {
            Some(TicketKey::new("return_received"))
        }
        (ReplacementAction::Deliver, PackageStatus::Dispatched) => {
            Some(TicketKey::new("replacement_out_for_delivery"))
        }
        (ReplacementAction::Deliver, PackageStatus::Delivered) => {
            Some(TicketKey::new("replacement_delivered"))
        }
        _ => None,
    }
}

/// Courier news of a linked package: recorded on it and the timeline, and the customer hears
/// of the steps that matter; the delivered order itself does not move.
pub(super) fn on_linked_status(
    rules: &Rules,
    order: &TrackedOrder,
    news: &CourierNews,
    reference: &str,
    now: DateTime<Utc>,
) -> Decision {
    let key = order.key();
    let Some(package) = order.linked().iter().find(|p| p.is(reference)).cloned() else {
        return Decision::ignored(&key, Said::new("line-no-linked-package"), now);
    };
    if package.status_at.is_some_and(|at| at >= news.occurred_at) {
        return Decision::ignored(
            &key,
            Said::new("line-linked-older")
                .with("noun", package.noun())
                .text("reference", reference),
            now,
        );
    }
    let mut updated = package.clone();
    updated.status = Some(news.status.clone());
    updated.status_at = Some(news.occurred_at);
    let mut next = order.clone();
    next.link_package(updated);
    next.touch(now);
    let line = timeline(
        &key,
        now,
        TimelineKind::Courier,
        package
            .named_in(match news.description.as_deref() {
                Some(description) => {
                    Said::new("line-linked-status-described").text("description", description)
                }
                None => Said::new("line-linked-status"),
            })
            .with("status", Word::CourierStatus(news.status.to_string())),
    );
    let mut jobs: Vec<NewJob> = customer_key(&package, &news.status)
        .and_then(|ticket| {
            move_if_mapped(
                rules,
                order,
                ticket,
                &format!("{}-{}", package.partner_ref, news.status),
            )
        })
        .into_iter()
        .collect();
    if package.action == ReplacementAction::Return && news.status == PackageStatus::ReturnedToSender
    {
        jobs.push(tell_shop(
            order,
            ShopMilestone::ReturnReceived,
            &package.partner_ref,
        ));
    }
    Decision::decided(next, jobs, vec![line], "applied")
}

/// Why an after-sale request cannot be booked on `order` now (the one rule for people and
/// shops).
pub(super) fn refusal(order: &TrackedOrder) -> Option<Refusal> {
    if order.state() != crate::lifecycle::OrderState::Delivered || order.tracking_number().is_none()
    {
        return Some(Refusal::NotDelivered(order.state()));
    }
    order
        .linked()
        .iter()
        .find(|p| !p.is_finished())
        .map(|underway| Refusal::AfterSaleUnderway(underway.partner_ref.clone()))
}

/// The shop approved a return or an exchange (`reference` is its name for it): booked with
/// ShaQ like a person's request, or a line for a person saying why it was not.
pub(super) fn on_shop_after_sale(
    order: &TrackedOrder,
    kind: AfterSale,
    reference: &str,
    now: DateTime<Utc>,
) -> Decision {
    let key = order.key();
    if let Some(refusal) = refusal(order) {
        return Decision::noted(
            &key,
            now,
            TimelineKind::Attention,
            Said::new("line-shop-after-sale-refused")
                .text("reference", reference)
                .with("kind", kind.said())
                .with("refusal", refusal),
        );
    }
    let number = next_number(order);
    Decision {
        order: None,
        jobs: vec![replacement_job(
            order,
            kind,
            number,
            &format!("{}-{}", kind.as_str(), now.timestamp_micros()),
        )],
        timeline: vec![timeline(
            &key,
            now,
            TimelineKind::Shop,
            Said::new("line-shop-after-sale")
                .text("reference", reference)
                .with("kind", kind.said())
                .with("description", kind.said_described()),
        )],
        outcome: "applied".to_owned(),
    }
}
