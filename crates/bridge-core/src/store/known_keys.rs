//! References that never change owner → the key of their order, remembered so that a webhook
//! naming one costs no database read: a package's partner reference and tracking number (and
//! those of the packages linked after delivery) for ShaQ's webhooks; a ticket's id and its
//! `external_id` (the order's partner reference) for Digishare's.
//!
//! Filled from what the database answers and from every order the job path stores (so the
//! first courier status of a package, and the first echo of a ticket, find their order in
//! memory too). Only a hint: a reference not remembered is looked up in the database, and
//! another replica's orders are found there. Never wrong: each of these references is fixed
//! for good once its order, package or ticket exists (a partner reference is the order's from
//! the moment it is first stored). An order retention has forgotten may still be remembered
//! here: its late webhook is then stored, and its job finds no order and does nothing — as
//! for a package the bridge never knew. Bounded: past [`KEYS_KEPT`] a map starts over.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use crate::domain::OrderKey;
use crate::workflow::TrackedOrder;

/// How many references each map holds before it starts over (memory stays bounded: about
/// 10 MB each when full).
const KEYS_KEPT: usize = 100_000;

/// One map of references → order keys.
#[derive(Debug, Default)]
struct KeysOf(Mutex<HashMap<String, OrderKey>>);

impl KeysOf {
    fn get(&self, reference: &str) -> Option<OrderKey> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(reference)
            .cloned()
    }

    fn remember<'r>(&self, references: impl IntoIterator<Item = &'r str>, key: &OrderKey) {
        let mut keys = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        for reference in references {
            if keys.len() >= KEYS_KEPT {
                keys.clear();
            }
            if !keys.contains_key(reference) {
                keys.insert(reference.to_owned(), key.clone());
            }
        }
    }
}

/// The two maps: package references, and ticket references.
#[derive(Debug, Default)]
pub(super) struct KnownKeys {
    packages: KeysOf,
    tickets: KeysOf,
}

impl KnownKeys {
    pub(super) fn package(&self, reference: &str) -> Option<OrderKey> {
        self.packages.get(reference)
    }

    pub(super) fn ticket(&self, reference: &str) -> Option<OrderKey> {
        self.tickets.get(reference)
    }

    pub(super) fn remember_package(&self, reference: &str, key: &OrderKey) {
        self.packages.remember([reference], key);
    }

    pub(super) fn remember_ticket(&self, reference: &str, key: &OrderKey) {
        self.tickets.remember([reference], key);
    }

    /// Every reference an order stored by the job path answers to.
    pub(super) fn remember_order(&self, order: &TrackedOrder) {
        let key = order.key();
        let partner_ref = order.partner_ref();
        let mut packages = vec![partner_ref.as_str()];
        packages.extend(order.tracking_number().map(|t| t.as_str()));
        for linked in order.linked() {
            packages.push(linked.partner_ref.as_str());
            packages.extend(linked.tracking_number.as_deref());
        }
        self.packages.remember(packages, &key);
        let mut tickets = vec![partner_ref.as_str()];
        tickets.extend(order.ticket_id().map(|t| t.as_str()));
        self.tickets.remember(tickets, &key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_map_starts_over_and_a_reference_keeps_its_first_order() {
        let keys = KeysOf::default();
        let first = OrderKey::new("kente/1");
        keys.remember(["SHQ1"], &first);
        keys.remember(["SHQ1"], &OrderKey::new("kente/2"));
        assert_eq!(keys.get("SHQ1"), Some(first));
        let many: Vec<String> = (0..KEYS_KEPT).map(|i| format!("ref-{i}")).collect();
        keys.remember(many.iter().map(String::as_str), &OrderKey::new("kente/3"));
        assert!(keys.0.lock().unwrap().len() <= KEYS_KEPT);
        assert_eq!(keys.get("SHQ1"), None, "started over");
    }
}
