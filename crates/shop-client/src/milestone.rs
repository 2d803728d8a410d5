//! The milestones of an order a shop can be told of.

use serde::{Deserialize, Serialize};

/// A milestone, written back as each platform can show it (a Shopify fulfilment event, a
/// WooCommerce note or status, a tag…).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Milestone {
    /// The customer confirmed on WhatsApp.
    Confirmed,
    /// The package exists at ShaQ: fulfil with the tracking number.
    PackageCreated,
    /// Picked up or moving.
    InTransit,
    /// Out for delivery.
    OutForDelivery,
    /// Waiting at a pickup point.
    ReadyForPickup,
    /// A delivery attempt failed.
    AttemptedDelivery,
    /// Delivered (and, for cash on delivery, paid).
    Delivered,
    /// ShaQ suspects fraud.
    SuspectedScam,
    /// On its way back.
    Returning,
    /// Back at the merchant.
    Returned,
    /// Declined by the customer or cancelled: cancel in the shop.
    Cancelled,
    /// After delivery, a return, replacement or exchange was booked with the courier.
    AfterSaleBooked,
    /// The returned item is back at the merchant (restock and refund are the merchant's).
    ReturnReceived,
    /// ShaQ changed the amount to collect, at the customer's request.
    AmountChanged,
    /// ShaQ gave the package its own tracking page: the shop's link follows it.
    TrackingLink,
}

impl Milestone {
    /// Every milestone.
    pub const ALL: [Milestone; 15] = [
        Milestone::Confirmed,
        Milestone::PackageCreated,
        Milestone::InTransit,
        Milestone::OutForDelivery,
        Milestone::ReadyForPickup,
        Milestone::AttemptedDelivery,
        Milestone::Delivered,
        Milestone::SuspectedScam,
        Milestone::Returning,
        Milestone::Returned,
        Milestone::Cancelled,
        Milestone::AfterSaleBooked,
        Milestone::ReturnReceived,
        Milestone::AmountChanged,
        Milestone::TrackingLink,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Milestone::Confirmed => "confirmed",
            Milestone::PackageCreated => "package_created",
            Milestone::InTransit => "in_transit",
            Milestone::OutForDelivery => "out_for_delivery",
            Milestone::ReadyForPickup => "ready_for_pickup",
            Milestone::AttemptedDelivery => "attempted_delivery",
            Milestone::Delivered => "delivered",
            Milestone::SuspectedScam => "suspected_scam",
            Milestone::Returning => "returning",
            Milestone::Returned => "returned",
            Milestone::Cancelled => "cancelled",
            Milestone::AfterSaleBooked => "after_sale_booked",
            Milestone::ReturnReceived => "return_received",
            Milestone::AmountChanged => "amount_changed",
            Milestone::TrackingLink => "tracking_link",
        }
    }
}

impl std::fmt::Display for Milestone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
