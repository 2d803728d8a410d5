//! News: what happened, typed. Webhooks become [`InboundNews`] when their job reads them back
//! from the store; executors report what their call found as [`JobNews`]; a person's request
//! arrives as an `OperatorRequest`.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use shaq_client::PackageStatus;

use super::{ShopMilestone, TicketKey};
use crate::domain::{
    MediaId, Order, PlatformOrderId, ShopId, TicketId, TicketStatusId, TrackingNumber, Unshippable,
};

/// A shop's news about an order.
#[derive(Debug, Clone, PartialEq)]
pub enum ShopNews {
    /// Created, updated or cancelled (`order.cancelled`): the order as the shop has it now.
    Order(Box<Order>),
    /// Deleted or trashed in the shop (only the id is sent): cancel it like a cancellation.
    Deleted {
        /// The shop.
        shop: ShopId,
        /// The platform's id of the order.
        platform_order_id: PlatformOrderId,
    },
    /// The shop sent the order with a field that cannot be used: it waits for a person.
    Unusable {
        /// The shop.
        shop: ShopId,
        /// The platform's id of the order.
        platform_order_id: PlatformOrderId,
        /// The name people use.
        order_ref: String,
        /// What cannot be used ([`Unshippable::ShopSentUnusable`]).
        problem: Unshippable,
    },
    /// The shop approved a return or an exchange of the order.
    AfterSale {
        /// The shop.
        shop: ShopId,
        /// The platform's id of the order.
        platform_order_id: PlatformOrderId,
        /// A return or an exchange.
        kind: super::returns::AfterSale,
        /// The shop's name for it.
        reference: String,
    },
}

/// A courier status, from a webhook or from reconciliation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourierNews {
    /// ShaQ's `event_id` (or a synthetic id for reconciliation).
    pub event_id: String,
    /// When it happened at ShaQ.
    pub occurred_at: DateTime<Utc>,
    /// The status (unknown ones included).
    pub status: PackageStatus,
    /// ShaQ's description.
    pub description: Option<String>,
    /// ShaQ's comment.
    pub comment: Option<String>,
    /// Proof of delivery.
    pub proof_url: Option<String>,
    /// The package it is about (partner reference), when the event names it: the order's own,
    /// or one linked after delivery (a return, a replacement).
    pub package: Option<String>,
    /// ShaQ's tracking page for the package, when the event gives it.
    pub tracking_url: Option<String>,
    /// ShaQ's delivery window, when the event gives it.
    pub eta: Option<super::DeliveryWindow>,
    /// The new delivery day after a failed attempt, when the event gives it.
    pub rescheduled_to: Option<chrono::NaiveDate>,
}

impl CourierNews {
    /// A status and nothing more (no description, comment, link or dates).
    pub fn status_only(
        event_id: String,
        status: PackageStatus,
        occurred_at: DateTime<Utc>,
    ) -> Self {
        CourierNews {
            event_id,
            occurred_at,
            status,
            description: None,
            comment: None,
            proof_url: None,
            package: None,
            tracking_url: None,
            eta: None,
            rescheduled_to: None,
        }
    }
}

/// A changed amount to collect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmountNews {
    /// ShaQ's `event_id`.
    pub event_id: String,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// The new amount.
    pub new_amount: Decimal,
    /// Its currency.
    pub currency: Option<String>,
    /// Why (the customer asked).
    pub reason: Option<String>,
    /// The package it is about (partner reference), when the event names it.
    pub package: Option<String>,
}

/// A ticket's current status, from a `ticket.updated` webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketNews {
    /// Digishare's ticket id.
    pub ticket_id: TicketId,
    /// The ticket's status now.
    pub status_id: TicketStatusId,
    /// When it changed, by Digishare's clock.
    pub changed_at: Option<DateTime<Utc>>,
}

/// What a stored webhook says.
#[derive(Debug, Clone, PartialEq)]
pub enum InboundNews {
    /// From a shop.
    Shop(ShopNews),
    /// ShaQ moved a package.
    CourierStatus(CourierNews),
    /// ShaQ changed what to collect.
    AmountChanged(AmountNews),
    /// A ticket's status changed.
    TicketStatus(TicketNews),
    /// Nothing the bridge acts on, and why.
    NotUsed(super::Said),
}

/// One step of a package's history at ShaQ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackingStep {
    /// The status.
    pub status: PackageStatus,
    /// ShaQ's words.
    pub description: Option<String>,
    /// ShaQ's comment on the step (`Customer was unreachable upon arrival…`).
    pub comment: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

/// What asking ShaQ to cancel a package came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cancellation {
    /// There was no package (not even one whose creation answer was lost).
    NoPackage,
    /// The pending package was deleted.
    Deleted(TrackingNumber),
    /// The pending package was already gone.
    AlreadyGone(TrackingNumber),
    /// ShaQ was asked to cancel a package it already had (it comes back).
    Requested {
        /// The package.
        tracking_number: TrackingNumber,
        /// Its status when asked.
        status: PackageStatus,
    },
}

/// What the customer's WhatsApp template was given with a ticket status: the ticket's
/// language and the variables as sent (Digishare's automation for the status sends the
/// message built from them).
#[derive(Debug, Clone, PartialEq)]
pub struct SentToCustomer {
    /// The ticket's language (`ar`, `fr`, `en`).
    pub language: String,
    /// `information.campaign_data`, as sent.
    pub variables: serde_json::Map<String, serde_json::Value>,
}

/// What a job's call found out. The executor reports; the workflow decides what it means.
#[derive(Debug, Clone, PartialEq)]
pub enum JobNews {
    /// ShaQ created the package, or already had it.
    PackageCreated {
        /// Its tracking number.
        tracking_number: TrackingNumber,
        /// Its status.
        status: PackageStatus,
        /// It already existed (an earlier attempt went through) and was adopted.
        adopted: bool,
        /// What ShaQ was asked to collect.
        amount_to_collect: Decimal,
        /// ShaQ's delivery window for it (`eta`), when its answer gives one.
        eta: Option<super::DeliveryWindow>,
        /// ShaQ's tracking page for it (`trackingUrl`), when its answer gives one.
        tracking_url: Option<String>,
    },
    /// The order cannot be sent to ShaQ as it is.
    Unshippable(Unshippable),
    /// The pending package now has the shop's changes.
    PackageUpdated,
    /// A cancellation at ShaQ.
    PackageCancelled(Cancellation),
    /// The label is on the ticket (its Digishare media id).
    LabelAttached(MediaId),
    /// The invoice is on the ticket (its Digishare media id).
    InvoiceAttached(MediaId),
    /// What ShaQ's package record says beyond the status.
    PackageRead {
        /// The delivery window.
        eta: Option<super::DeliveryWindow>,
        /// Its tracking page.
        tracking_url: Option<String>,
        /// The new delivery day after a failed attempt.
        rescheduled_to: Option<chrono::NaiveDate>,
    },
    /// ShaQ's history of the package, oldest first.
    TrackingHistory(Vec<TrackingStep>),
    /// Digishare created the ticket, or already had it.
    TicketCreated {
        /// Its id.
        ticket_id: TicketId,
        /// Its status.
        status_id: TicketStatusId,
        /// The status it was created with.
        status_key: TicketKey,
        /// It already existed and was adopted.
        adopted: bool,
        /// What became of the invoice.
        invoice: InvoiceOnTicket,
        /// What the customer's first message was made of (`None`: adopted, nothing sent).
        sent: Option<SentToCustomer>,
    },
    /// The ticket was moved to `moved` (`None`: only its data was refreshed, because it
    /// already had the status or none was asked for), with `sent` as its variables.
    TicketMoved {
        /// The new status.
        moved: Option<(TicketKey, TicketStatusId)>,
        /// The variables sent with it.
        sent: SentToCustomer,
    },
    /// The shop was told (`None`: this platform shows nothing for the milestone).
    WrittenBack {
        /// The milestone.
        milestone: ShopMilestone,
        /// What was written.
        summary: Option<String>,
    },
    /// The confirmation timer fired.
    ConfirmationDeadlinePassed,
    /// The order's retention period is over (`forget_customer`).
    RetentionDue,
    /// A reminder timer fired (reminder `number` of `of`; `held` by quiet hours).
    ReminderDue {
        /// Which reminder (1-based).
        number: u8,
        /// Of how many.
        of: u8,
        /// It waited for the end of quiet hours.
        held: bool,
    },
    /// ShaQ made the packages of a return, replacement or exchange (or already had them).
    ReplacementCreated {
        /// What for.
        kind: super::returns::AfterSale,
        /// The packages, linked to the order.
        packages: Vec<super::returns::LinkedPackage>,
    },
    /// ShaQ refused the return, replacement or exchange.
    ReplacementRefused {
        /// What for.
        kind: super::returns::AfterSale,
        /// ShaQ's reason.
        reason: String,
    },
}

/// The invoice of a ticket just created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvoiceOnTicket {
    /// The shop sends none.
    NotAsked,
    /// On the ticket from its creation (Digishare's media id).
    Attached(MediaId),
    /// The ticket was created without it, for this reason (the upload kept failing past the
    /// wait, or an adopted ticket had none): it is to be attached.
    Missing(String),
}
