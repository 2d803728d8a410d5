//! What each ShaQ status means for the order, the ticket and the shop.
//!
//! The default table follows the design; every status (and any new one ShaQ invents) can be
//! mapped from configuration (`[mapping.courier.<status>]`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use shaq_client::PackageStatus;

use super::TicketKey;
use crate::lifecycle::OrderState;

/// A shop-side milestone, written back as each platform can show it (a Shopify fulfilment
/// event, a WooCommerce note or status, a tag…).
pub use shop_client::Milestone as ShopMilestone;

/// What one courier status does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CourierStatusEffect {
    /// The order state it moves to (only forward, see [`OrderState::allows_courier_move_to`]).
    pub state: OrderState,
    /// The ticket status key (`[digishare.statuses]`) it moves the ticket to; `None`: the
    /// ticket is not moved.
    #[serde(default)]
    pub ticket: Option<TicketKey>,
    /// What the shop is told; `None`: nothing.
    #[serde(default)]
    pub shop: Option<ShopMilestone>,
}

/// The courier status table: ShaQ status slug → effect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CourierMapping(pub BTreeMap<String, CourierStatusEffect>);

impl Default for CourierMapping {
    fn default() -> Self {
        use OrderState::*;
        use PackageStatus as P;
        use ShopMilestone as M;
        let rows: [(PackageStatus, OrderState, &str, Option<ShopMilestone>); 20] = [
            (P::Pending, Shipping, "package_created", None),
            (P::Received, InTransit, "picked_up", Some(M::InTransit)),
            (P::Collected, InTransit, "picked_up", Some(M::InTransit)),
            (
                P::WarehouseReceived,
                InTransit,
                "picked_up",
                Some(M::InTransit),
            ),
            (P::Shipped, InTransit, "in_transit", Some(M::InTransit)),
            (P::Assigned, InTransit, "in_transit", Some(M::InTransit)),
            (P::InTransit, InTransit, "in_transit", Some(M::InTransit)),
            (
                P::Dispatched,
                OutForDelivery,
                "out_for_delivery",
                Some(M::OutForDelivery),
            ),
            (
                P::ReadyForPickup,
                OutForDelivery,
                "ready_for_pickup",
                Some(M::ReadyForPickup),
            ),
            // "The customer was called and the delivery confirmed": before `dispatched` in ShaQ's
            // own history, so the order is still in transit (and `dispatched` then writes the
            // shop's out-for-delivery milestone).
            (P::Confirmed, InTransit, "delivery_confirmed", None),
            (P::Delivered, Delivered, "delivered", Some(M::Delivered)),
            (
                P::NotDelivered,
                DeliveryProblem,
                "delivery_problem",
                Some(M::AttemptedDelivery),
            ),
            (
                P::Rescheduled,
                DeliveryProblem,
                "delivery_problem",
                Some(M::AttemptedDelivery),
            ),
            (
                P::CustomerHold,
                DeliveryProblem,
                "delivery_problem",
                Some(M::AttemptedDelivery),
            ),
            (
                P::CustomerUnreachable,
                DeliveryProblem,
                "delivery_problem",
                Some(M::AttemptedDelivery),
            ),
            (
                P::SuspectedScam,
                NeedsAttention,
                "on_hold",
                Some(M::SuspectedScam),
            ),
            (P::ReturnPicked, Returning, "returning", Some(M::Returning)),
            (
                P::ReturnInProgress,
                Returning,
                "returning",
                Some(M::Returning),
            ),
            (
                P::ReturnToCentral,
                Returning,
                "returning",
                Some(M::Returning),
            ),
            (P::ReturnedToSender, Returned, "returned", Some(M::Returned)),
        ];
        CourierMapping(
            rows.into_iter()
                .map(|(status, state, ticket, shop)| {
                    (
                        status.as_str().to_owned(),
                        CourierStatusEffect {
                            state,
                            ticket: Some(TicketKey::new(ticket)),
                            shop,
                        },
                    )
                })
                .collect(),
        )
    }
}

impl CourierMapping {
    /// The defaults with the configured rows laid over them.
    pub fn with_overrides(overrides: &BTreeMap<String, CourierStatusEffect>) -> Self {
        let mut mapping = CourierMapping::default();
        for (status, effect) in overrides {
            mapping.0.insert(status.clone(), effect.clone());
        }
        mapping
    }

    /// The effect of a status, if mapped.
    pub fn effect(&self, status: &str) -> Option<&CourierStatusEffect> {
        self.0.get(status)
    }

    /// Every ticket status key the table uses (to check the configuration maps them).
    pub fn ticket_keys(&self) -> impl Iterator<Item = &TicketKey> {
        self.0.values().filter_map(|effect| effect.ticket.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_status_is_mapped_by_default() {
        let mapping = CourierMapping::default();
        let documented = PackageStatus::ALL.map(|status| status.as_str().to_owned());
        for status in documented {
            assert!(mapping.effect(&status).is_some(), "{status} unmapped");
        }
        assert_eq!(mapping.0.len(), 20);
    }

    #[test]
    fn the_design_table_holds() {
        let mapping = CourierMapping::default();
        let cases = [
            ("dispatched", OrderState::OutForDelivery, "out_for_delivery"),
            ("delivered", OrderState::Delivered, "delivered"),
            (
                "customer_unreachable",
                OrderState::DeliveryProblem,
                "delivery_problem",
            ),
            ("return_to_central", OrderState::Returning, "returning"),
            ("returned_to_sender", OrderState::Returned, "returned"),
            ("suspected_scam", OrderState::NeedsAttention, "on_hold"),
        ];
        for (status, state, ticket) in cases {
            let effect = mapping.effect(status).expect("mapped");
            assert_eq!(effect.state, state, "{status}");
            assert_eq!(
                effect.ticket.as_ref().map(TicketKey::as_str),
                Some(ticket),
                "{status}"
            );
        }
    }

    #[test]
    fn overrides_replace_single_rows_and_add_new_statuses() {
        let overrides = BTreeMap::from([
            (
                "dispatched".to_owned(),
                CourierStatusEffect {
                    state: OrderState::OutForDelivery,
                    ticket: None,
                    shop: None,
                },
            ),
            (
                "processing".to_owned(),
                CourierStatusEffect {
                    state: OrderState::InTransit,
                    ticket: Some(TicketKey::new("in_transit")),
                    shop: None,
                },
            ),
        ]);
        let mapping = CourierMapping::with_overrides(&overrides);
        assert_eq!(
            mapping.effect("dispatched").and_then(|e| e.ticket.clone()),
            None
        );
        assert!(mapping.effect("processing").is_some());
        assert!(mapping.effect("delivered").is_some(), "other rows kept");
    }
}
