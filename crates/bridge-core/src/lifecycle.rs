//! The order lifecycle: one state per order, moved only by the workflow.
//!
//! ```text
//! received ─┬─ ship_immediately ───────────────────────────► shipping
//!           └─ confirm_first ─► awaiting_confirmation ─┬─ confirmed ─► shipping
//!                                                       ├─ declined ──► cancelled
//!                                                       └─ timeout ───► needs_attention
//! shipping ─► in_transit ─► out_for_delivery ─► delivered
//!                 └──► delivery_problem ─► back to in_transit / out_for_delivery
//! any transit state ─► returning ─► returned
//! any state before pickup ─► cancelled
//! ```

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::domain::UnknownName;

/// Where an order is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    /// Stored, nothing decided yet.
    Received,
    /// Ticket sent; waiting for the customer to confirm on WhatsApp.
    AwaitingConfirmation,
    /// The package is (being) created at ShaQ; not picked up yet.
    Shipping,
    /// The courier has it.
    InTransit,
    /// On its way to the customer today (or ready for pickup).
    OutForDelivery,
    /// A delivery attempt failed or was rescheduled.
    DeliveryProblem,
    /// Delivered.
    Delivered,
    /// On its way back to the merchant.
    Returning,
    /// Back at the merchant.
    Returned,
    /// Cancelled by the shop or declined by the customer.
    Cancelled,
    /// Cannot proceed without a person (no phone, unknown region, dead job…).
    NeedsAttention,
}

impl OrderState {
    /// Every state.
    pub const ALL: [OrderState; 11] = [
        OrderState::Received,
        OrderState::AwaitingConfirmation,
        OrderState::Shipping,
        OrderState::InTransit,
        OrderState::OutForDelivery,
        OrderState::DeliveryProblem,
        OrderState::Delivered,
        OrderState::Returning,
        OrderState::Returned,
        OrderState::Cancelled,
        OrderState::NeedsAttention,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderState::Received => "received",
            OrderState::AwaitingConfirmation => "awaiting_confirmation",
            OrderState::Shipping => "shipping",
            OrderState::InTransit => "in_transit",
            OrderState::OutForDelivery => "out_for_delivery",
            OrderState::DeliveryProblem => "delivery_problem",
            OrderState::Delivered => "delivered",
            OrderState::Returning => "returning",
            OrderState::Returned => "returned",
            OrderState::Cancelled => "cancelled",
            OrderState::NeedsAttention => "needs_attention",
        }
    }

    /// Final: nothing moves the order any more (except an operator).
    pub fn is_final(self) -> bool {
        matches!(
            self,
            OrderState::Delivered | OrderState::Returned | OrderState::Cancelled
        )
    }

    /// The courier has not picked the package up yet, so the order can still be cancelled
    /// cheaply (delete the pending package).
    pub fn is_before_pickup(self) -> bool {
        matches!(
            self,
            OrderState::Received | OrderState::AwaitingConfirmation | OrderState::Shipping
        )
    }

    /// How far along the delivery path a state is; the order state only moves forward,
    /// except `delivery_problem`, which can go back to transit.
    fn rank(self) -> u8 {
        match self {
            OrderState::Received => 0,
            OrderState::AwaitingConfirmation => 1,
            OrderState::NeedsAttention => 2,
            OrderState::Shipping => 3,
            OrderState::InTransit => 4,
            OrderState::DeliveryProblem => 5,
            OrderState::OutForDelivery => 5,
            OrderState::Returning => 7,
            OrderState::Delivered => 8,
            OrderState::Returned => 8,
            OrderState::Cancelled => 8,
        }
    }

    /// Whether a courier status may move the order from `self` to `next`. Courier statuses can
    /// arrive out of order or move backwards; the ticket follows them, the order state does not.
    pub fn allows_courier_move_to(self, next: OrderState) -> bool {
        if self == next || self.is_final() {
            return false;
        }
        match (self, next) {
            // A failed attempt is followed by a new attempt.
            (OrderState::DeliveryProblem, OrderState::InTransit) => true,
            (OrderState::DeliveryProblem, OrderState::OutForDelivery) => true,
            (OrderState::OutForDelivery, OrderState::DeliveryProblem) => true,
            // A package flagged for a person can continue when the courier moves it.
            (OrderState::NeedsAttention, _) => true,
            (_, OrderState::NeedsAttention) => true,
            _ => next.rank() > self.rank(),
        }
    }
}

impl fmt::Display for OrderState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for OrderState {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        OrderState::ALL
            .into_iter()
            .find(|state| state.as_str() == s)
            .ok_or_else(|| UnknownName(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::OrderState::*;
    use super::*;

    #[test]
    fn states_round_trip_through_their_names() {
        for state in OrderState::ALL {
            assert_eq!(state.as_str().parse::<OrderState>(), Ok(state));
        }
    }

    #[test]
    fn courier_moves_go_forward_except_delivery_problems() {
        let cases = [
            (Shipping, InTransit, true),
            (InTransit, OutForDelivery, true),
            (OutForDelivery, InTransit, false),
            (OutForDelivery, DeliveryProblem, true),
            (DeliveryProblem, OutForDelivery, true),
            (DeliveryProblem, InTransit, true),
            (InTransit, Returning, true),
            (Returning, Returned, true),
            (Returning, InTransit, false),
            (Delivered, Returning, false),
            (Delivered, InTransit, false),
            (Cancelled, InTransit, false),
            (InTransit, InTransit, false),
            (InTransit, Delivered, true),
        ];
        for (from, to, allowed) in cases {
            assert_eq!(from.allows_courier_move_to(to), allowed, "{from} → {to}");
        }
    }
}
