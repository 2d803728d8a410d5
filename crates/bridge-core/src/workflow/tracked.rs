//! An order as the bridge tracks it: the shop's order plus where it is, its package and its
//! ticket. Only the workflow changes one: its setters are visible to `crate::workflow` alone,
//! so `order.set_state(…)` anywhere else does not compile.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use shaq_client::PackageStatus;

use crate::domain::{
    Attention, Located, MediaId, Order, OrderKey, PartnerRef, ShopId, TicketId, TicketStatusId,
    TrackingNumber,
};
use crate::lifecycle::OrderState;
use crate::workflow::operator::Correction;

/// The last courier status applied, and when it happened at ShaQ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourierProgress {
    /// ShaQ's status.
    pub status: PackageStatus,
    /// When it happened (ShaQ's `occurred_at`), to ignore older events.
    pub at: DateTime<Utc>,
}

/// What the courier collects on delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collect {
    /// The amount (0 for prepaid orders).
    pub amount: Decimal,
    /// Its currency (ISO 4217).
    pub currency: String,
}

/// What ShaQ says of the package beyond its status, kept for the customer's messages and the
/// shop: its own tracking link, the delivery window, a new date after a failed attempt, and the
/// last change of the amount to collect.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourierDetails {
    /// ShaQ's public tracking page for the package (`trackingUrl`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_url: Option<String>,
    /// The delivery window ShaQ gives (`eta`: `2026-04-20 - 2026-04-22`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eta: Option<DeliveryWindow>,
    /// The new delivery day after a failed attempt (`rescheduledDate`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rescheduled_to: Option<NaiveDate>,
    /// The last change ShaQ made to the amount to collect, at the customer's request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_change: Option<AmountChange>,
    /// ShaQ's comment on the last status applied (`Customer was unreachable upon arrival…`),
    /// shown with it until the next status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_comment: Option<String>,
}

/// A delivery window: from one day to another (the same day for a single date).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryWindow {
    /// Earliest day.
    pub from: NaiveDate,
    /// Latest day.
    pub to: NaiveDate,
}

impl From<&shaq_client::Eta> for DeliveryWindow {
    fn from(eta: &shaq_client::Eta) -> Self {
        DeliveryWindow {
            from: eta.from,
            to: eta.to,
        }
    }
}

/// A change of the amount to collect (`package.amount_to_collect_updated`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmountChange {
    /// What was to be collected.
    pub from: Decimal,
    /// What is to be collected now.
    pub to: Decimal,
    /// The currency.
    pub currency: String,
    /// ShaQ's reason, when it gives one (`Items changed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// When ShaQ made it.
    pub at: DateTime<Utc>,
}

/// Files put on the customer's Digishare ticket, by their media ids: every later update of
/// the ticket's data carries them again (an update replaces `campaign_data` whole).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketMedia {
    /// The order's invoice (`campaign_data.invoice_document`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice: Option<MediaId>,
    /// ShaQ's label (`campaign_data.label`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<MediaId>,
}

/// When an order first reached each step the reports count; set once by the workflow, never
/// moved afterwards (a redelivered webhook does not make an order "delivered" twice).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Milestones {
    /// The customer was asked to confirm (the order went to `awaiting_confirmation`).
    pub asked_at: Option<DateTime<Utc>>,
    /// The customer confirmed on WhatsApp.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// The customer declined.
    pub declined_at: Option<DateTime<Utc>>,
    /// No answer came within `confirm_within`.
    pub expired_at: Option<DateTime<Utc>>,
    /// The ShaQ package was created.
    pub shipped_at: Option<DateTime<Utc>>,
    /// Delivered.
    pub delivered_at: Option<DateTime<Utc>>,
    /// Back at the merchant (RTO).
    pub returned_at: Option<DateTime<Utc>>,
    /// Cancelled (by the shop, the customer, an operator or for want of an answer).
    pub cancelled_at: Option<DateTime<Utc>>,
}

/// A step the workflow records without a state of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::workflow) enum Milestone {
    Confirmed,
    Declined,
    Expired,
    Shipped,
}

impl Milestones {
    fn slot(&mut self, milestone: Milestone) -> &mut Option<DateTime<Utc>> {
        match milestone {
            Milestone::Confirmed => &mut self.confirmed_at,
            Milestone::Declined => &mut self.declined_at,
            Milestone::Expired => &mut self.expired_at,
            Milestone::Shipped => &mut self.shipped_at,
        }
    }

    /// The step a state marks, if it marks one.
    fn of_state(&mut self, state: OrderState) -> Option<&mut Option<DateTime<Utc>>> {
        match state {
            OrderState::AwaitingConfirmation => Some(&mut self.asked_at),
            OrderState::Delivered => Some(&mut self.delivered_at),
            OrderState::Returned => Some(&mut self.returned_at),
            OrderState::Cancelled => Some(&mut self.cancelled_at),
            _ => None,
        }
    }
}

/// Every part of a stored order, for the store to rebuild one from its row.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredOrder {
    /// The shop's order.
    pub order: Order,
    /// Our reference at ShaQ and Digishare, fixed when the order was first stored.
    pub partner_ref: PartnerRef,
    /// Where it is.
    pub state: OrderState,
    /// Why a person is needed.
    pub attention: Option<Attention>,
    /// The region found for the delivery address, and how.
    pub region: Option<Located>,
    /// ShaQ's tracking number.
    pub tracking_number: Option<TrackingNumber>,
    /// The last courier status.
    pub courier: Option<CourierProgress>,
    /// Digishare's ticket id.
    pub ticket_id: Option<TicketId>,
    /// The ticket's status as last known.
    pub ticket_status: Option<TicketStatusId>,
    /// When Digishare set it, from its webhooks.
    pub ticket_status_at: Option<DateTime<Utc>>,
    /// What the courier collects.
    pub collect: Collect,
    /// What a person corrected (laid over every later version from the shop).
    pub corrections: Option<Correction>,
    /// When it reached the steps the reports count.
    pub milestones: Milestones,
    /// ShaQ packages made after delivery (returns, replacements), linked to the order.
    pub linked: Vec<super::returns::LinkedPackage>,
    /// First stored.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// When retention forgot its customer (`[retention] customer_data`).
    pub forgotten_at: Option<DateTime<Utc>>,
    /// The handover shipment its package went into (set by the gathering, read here).
    pub shipment_id: Option<i64>,
    /// ShaQ's link, delivery window, new date and amount change.
    pub courier_details: CourierDetails,
    /// The files on the ticket.
    pub ticket_media: TicketMedia,
}

/// An order as stored and decided upon. Its parts are private: read them with the accessors;
/// only the workflow changes them.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackedOrder {
    parts: StoredOrder,
}

impl TrackedOrder {
    /// A new order, before anything is decided (state `received`).
    pub(in crate::workflow) fn received(order: Order, now: DateTime<Utc>) -> TrackedOrder {
        let collect = Collect {
            amount: order.payment.amount_to_collect(),
            currency: order.currency.clone(),
        };
        TrackedOrder {
            parts: StoredOrder {
                partner_ref: order.partner_ref(),
                order,
                state: OrderState::Received,
                attention: None,
                region: None,
                tracking_number: None,
                courier: None,
                ticket_id: None,
                ticket_status: None,
                ticket_status_at: None,
                collect,
                corrections: None,
                milestones: Milestones::default(),
                linked: Vec::new(),
                created_at: now,
                updated_at: now,
                forgotten_at: None,
                shipment_id: None,
                courier_details: CourierDetails::default(),
                ticket_media: TicketMedia::default(),
            },
        }
    }

    /// An order read back from the store (the store's row mapping only).
    pub(crate) fn from_stored(parts: StoredOrder) -> TrackedOrder {
        TrackedOrder { parts }
    }

    /// Any order in any state, for tests of other crates (the store's conformance suite).
    #[cfg(any(test, feature = "test-support"))]
    pub fn for_tests(order: Order, state: OrderState, now: DateTime<Utc>) -> TrackedOrder {
        let mut tracked = TrackedOrder::received(order, now);
        tracked.parts.state = state;
        tracked
    }

    /// The order under another partner reference, for tests that need two orders to collide
    /// (the store refuses a reference already taken).
    #[cfg(any(test, feature = "test-support"))]
    pub fn with_partner_ref_for_tests(mut self, partner_ref: PartnerRef) -> TrackedOrder {
        self.parts.partner_ref = partner_ref;
        self
    }

    /// An order with a ShaQ package in `status`, for tests of other crates.
    #[cfg(any(test, feature = "test-support"))]
    pub fn with_package_for_tests(
        mut self,
        tracking_number: TrackingNumber,
        status: PackageStatus,
    ) -> TrackedOrder {
        self.parts.tracking_number = Some(tracking_number);
        self.parts.courier = Some(CourierProgress {
            status,
            at: self.parts.created_at,
        });
        self
    }

    /// An order with these milestones, for report tests of other crates (a seeded history).
    #[cfg(any(test, feature = "test-support"))]
    pub fn with_milestones_for_tests(
        mut self,
        milestones: Milestones,
        region: Option<Located>,
    ) -> TrackedOrder {
        self.parts.milestones = milestones;
        self.parts.region = region;
        self
    }

    /// The shop's order.
    pub fn order(&self) -> &Order {
        &self.parts.order
    }

    /// `shop_id/platform_order_id`.
    pub fn key(&self) -> OrderKey {
        self.parts.order.order_key()
    }

    /// The shop.
    pub fn shop_id(&self) -> &ShopId {
        &self.parts.order.shop_id
    }

    /// Our reference at ShaQ and Digishare.
    pub fn partner_ref(&self) -> PartnerRef {
        self.parts.partner_ref.clone()
    }

    /// Where the order is.
    pub fn state(&self) -> OrderState {
        self.parts.state
    }

    /// Why a person is needed, when the state is `needs_attention`.
    pub fn attention(&self) -> Option<&Attention> {
        self.parts.attention.as_ref()
    }

    /// The region found for the delivery address, and how.
    pub fn region(&self) -> Option<&Located> {
        self.parts.region.as_ref()
    }

    /// ShaQ's tracking number, once the package exists.
    pub fn tracking_number(&self) -> Option<&TrackingNumber> {
        self.parts.tracking_number.as_ref()
    }

    /// The last courier status applied.
    pub fn courier(&self) -> Option<&CourierProgress> {
        self.parts.courier.as_ref()
    }

    /// The last courier status applied, if any.
    pub fn courier_status(&self) -> Option<&PackageStatus> {
        self.parts.courier.as_ref().map(|c| &c.status)
    }

    /// The package exists and ShaQ has not picked it up: it can still be changed or deleted.
    pub fn package_is_pending(&self) -> bool {
        self.parts.tracking_number.is_some()
            && self.courier_status() == Some(&PackageStatus::Pending)
    }

    /// Before pickup the shop's amounts are the truth; after, ShaQ's are.
    pub fn shop_owns_amounts(&self) -> bool {
        self.parts.tracking_number.is_none()
            || self.courier_status() == Some(&PackageStatus::Pending)
    }

    /// Digishare's ticket id, once the ticket exists.
    pub fn ticket_id(&self) -> Option<&TicketId> {
        self.parts.ticket_id.as_ref()
    }

    /// The ticket status the bridge last knows of.
    pub fn ticket_status(&self) -> Option<&TicketStatusId> {
        self.parts.ticket_status.as_ref()
    }

    /// When Digishare set that status (from its webhooks only).
    pub fn ticket_status_at(&self) -> Option<DateTime<Utc>> {
        self.parts.ticket_status_at
    }

    /// What the courier collects, as the bridge last knows it.
    pub fn collect(&self) -> &Collect {
        &self.parts.collect
    }

    /// What to ask the courier to collect: the amount known now for a cash-on-delivery order,
    /// nothing for a prepaid one.
    pub fn amount_for_courier(&self) -> Decimal {
        if self.parts.order.payment.is_cash_on_delivery() {
            self.parts.collect.amount
        } else {
            Decimal::ZERO
        }
    }

    /// What a person corrected, if anything.
    pub fn corrections(&self) -> Option<&Correction> {
        self.parts.corrections.as_ref()
    }

    /// When it reached the steps the reports count.
    pub fn milestones(&self) -> &Milestones {
        &self.parts.milestones
    }

    /// ShaQ packages made after delivery (returns, replacements).
    pub fn linked(&self) -> &[super::returns::LinkedPackage] {
        &self.parts.linked
    }

    /// First stored.
    pub fn created_at(&self) -> DateTime<Utc> {
        self.parts.created_at
    }

    /// Last changed.
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.parts.updated_at
    }

    /// When retention forgot its customer.
    pub fn forgotten_at(&self) -> Option<DateTime<Utc>> {
        self.parts.forgotten_at
    }

    /// What ShaQ says beyond the status: its link, the delivery window, a new date, an amount
    /// change.
    pub fn courier_details(&self) -> &CourierDetails {
        &self.parts.courier_details
    }

    /// The files on the customer's ticket.
    pub fn ticket_media(&self) -> &TicketMedia {
        &self.parts.ticket_media
    }

    /// The handover shipment its package went into, if it was handed over (or gathered to be).
    pub fn shipment_id(&self) -> Option<i64> {
        self.parts.shipment_id
    }

    /// Moves the order to `state`, recording the first time it reached a state the reports
    /// count.
    pub(in crate::workflow) fn set_state(&mut self, state: OrderState, now: DateTime<Utc>) {
        self.parts.state = state;
        if let Some(slot) = self.parts.milestones.of_state(state) {
            slot.get_or_insert(now);
        }
    }

    /// Links a package made after delivery (or updates the one with its reference).
    pub(in crate::workflow) fn link_package(&mut self, package: super::returns::LinkedPackage) {
        match self
            .parts
            .linked
            .iter_mut()
            .find(|p| p.partner_ref == package.partner_ref)
        {
            Some(existing) => *existing = package,
            None => self.parts.linked.push(package),
        }
    }

    /// Records a step that has no state of its own (first time only).
    pub(in crate::workflow) fn mark(&mut self, milestone: Milestone, now: DateTime<Utc>) {
        self.parts.milestones.slot(milestone).get_or_insert(now);
    }

    pub(in crate::workflow) fn set_attention(&mut self, attention: Option<Attention>) {
        self.parts.attention = attention;
    }

    pub(in crate::workflow) fn set_region(&mut self, region: Option<Located>) {
        self.parts.region = region;
    }

    pub(in crate::workflow) fn replace_order(&mut self, order: Order) {
        self.parts.order = order;
    }

    pub(in crate::workflow) fn set_package(&mut self, tracking_number: TrackingNumber) {
        self.parts.tracking_number = Some(tracking_number);
    }

    pub(in crate::workflow) fn set_courier(&mut self, progress: CourierProgress) {
        self.parts.courier = Some(progress);
    }

    pub(in crate::workflow) fn set_ticket(&mut self, ticket_id: TicketId) {
        self.parts.ticket_id = Some(ticket_id);
    }

    pub(in crate::workflow) fn set_ticket_status(&mut self, status: TicketStatusId) {
        self.parts.ticket_status = Some(status);
    }

    pub(in crate::workflow) fn set_ticket_status_at(&mut self, at: DateTime<Utc>) {
        self.parts.ticket_status_at = Some(at);
    }

    pub(in crate::workflow) fn set_collect(&mut self, collect: Collect) {
        self.parts.collect = collect;
    }

    pub(in crate::workflow) fn set_corrections(&mut self, corrections: Option<Correction>) {
        self.parts.corrections = corrections;
    }

    pub(in crate::workflow) fn set_forgotten(&mut self, at: DateTime<Utc>) {
        self.parts.forgotten_at = Some(at);
    }

    pub(in crate::workflow) fn courier_details_mut(&mut self) -> &mut CourierDetails {
        &mut self.parts.courier_details
    }

    pub(in crate::workflow) fn ticket_media_mut(&mut self) -> &mut TicketMedia {
        &mut self.parts.ticket_media
    }

    pub(in crate::workflow) fn touch(&mut self, now: DateTime<Utc>) {
        self.parts.updated_at = now;
    }
}

/// The order as the admin API and the CLI show it (the shape of earlier versions' rows, plus
/// the typed reason). Its schema is [`TrackedOrder`]'s in the admin API's document.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = TrackedOrder)]
struct OrderView<'a> {
    order_key: OrderKey,
    shop_id: &'a ShopId,
    platform_order_id: &'a str,
    order_ref: &'a str,
    state: OrderState,
    attention_reason: Option<String>,
    attention: Option<&'a Attention>,
    region: Option<&'a Located>,
    order: &'a Order,
    order_version: Option<String>,
    partner_ref: PartnerRef,
    tracking_number: Option<&'a TrackingNumber>,
    ticket_id: Option<&'a TicketId>,
    #[schema(value_type = Option<String>)]
    courier_status: Option<&'a PackageStatus>,
    courier_status_at: Option<DateTime<Utc>>,
    ticket_status: Option<&'a TicketStatusId>,
    ticket_status_at: Option<DateTime<Utc>>,
    amount_to_collect: String,
    currency: &'a str,
    corrections: Option<&'a Correction>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    linked_packages: &'a [super::returns::LinkedPackage],
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl utoipa::PartialSchema for TrackedOrder {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        <OrderView<'_> as utoipa::PartialSchema>::schema()
    }
}

impl utoipa::ToSchema for TrackedOrder {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("TrackedOrder")
    }

    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        <OrderView<'_> as utoipa::ToSchema>::schemas(schemas);
    }
}

impl Serialize for TrackedOrder {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        OrderView {
            order_key: self.key(),
            shop_id: &self.parts.order.shop_id,
            platform_order_id: self.parts.order.platform_order_id.as_str(),
            order_ref: &self.parts.order.order_ref,
            state: self.parts.state,
            attention_reason: self.parts.attention.as_ref().map(ToString::to_string),
            attention: self.parts.attention.as_ref(),
            region: self.parts.region.as_ref(),
            order: &self.parts.order,
            order_version: self.parts.order.version.map(|v| v.to_rfc3339()),
            partner_ref: self.partner_ref(),
            tracking_number: self.parts.tracking_number.as_ref(),
            ticket_id: self.parts.ticket_id.as_ref(),
            courier_status: self.courier_status(),
            courier_status_at: self.parts.courier.as_ref().map(|c| c.at),
            ticket_status: self.parts.ticket_status.as_ref(),
            ticket_status_at: self.parts.ticket_status_at,
            amount_to_collect: self.parts.collect.amount.to_string(),
            currency: &self.parts.collect.currency,
            corrections: self.parts.corrections.as_ref(),
            linked_packages: &self.parts.linked,
            created_at: self.parts.created_at,
            updated_at: self.parts.updated_at,
        }
        .serialize(serializer)
    }
}
