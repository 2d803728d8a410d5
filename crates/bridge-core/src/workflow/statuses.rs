//! Ticket statuses: the bridge's names for them (keys) and the Digishare account's ids.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::domain::TicketStatusId;

/// A ticket status by the bridge's name for it (`confirmed`, `delivered`…): the keys of
/// `[digishare.statuses]`. The workflow names the ones it acts on; the courier table may name
/// others.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TicketKey(Cow<'static, str>);

impl TicketKey {
    /// A new ticket, waiting for the customer to confirm.
    pub const AWAITING_CONFIRMATION: TicketKey = TicketKey::known("awaiting_confirmation");
    /// A new ticket for an order shipped at once.
    pub const RECEIVED: TicketKey = TicketKey::known("received");
    /// The customer confirmed.
    pub const CONFIRMED: TicketKey = TicketKey::known("confirmed");
    /// The customer declined, or the order was cancelled.
    pub const CANCELLED: TicketKey = TicketKey::known("cancelled");
    /// The package exists.
    pub const PACKAGE_CREATED: TicketKey = TicketKey::known("package_created");
    /// ShaQ changed the amount to collect (optional: without it the ticket's data is only
    /// refreshed, and the customer hears of it at the next status).
    pub const AMOUNT_UPDATED: TicketKey = TicketKey::known("amount_updated");

    /// Every key the bridge itself moves a ticket to, besides the courier table's and the
    /// reminders' (`reminder_1`, `reminder_2`…): a key of `[digishare.statuses]` outside these
    /// is a typo, and the status it meant is missing.
    pub const WORKFLOW: [&'static str; 12] = [
        "awaiting_confirmation",
        "received",
        "confirmed",
        "cancelled",
        "package_created",
        "amount_updated",
        "return_requested",
        "return_collected",
        "return_received",
        "replacement_sent",
        "replacement_out_for_delivery",
        "replacement_delivered",
    ];

    /// Whether it is a reminder's key (`reminder_1`…).
    pub fn is_reminder(&self) -> bool {
        self.0
            .strip_prefix("reminder_")
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
    }

    const fn known(key: &'static str) -> TicketKey {
        TicketKey(Cow::Borrowed(key))
    }

    /// A key from the settings.
    pub fn new(key: impl Into<String>) -> TicketKey {
        TicketKey(Cow::Owned(key.into()))
    }

    /// The key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TicketKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for TicketKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TicketKey({})", self.0)
    }
}

/// The account's ticket statuses: key → Digishare's hashed id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TicketStatuses(pub BTreeMap<TicketKey, TicketStatusId>);

impl TicketStatuses {
    /// The id for a key, if mapped.
    pub fn id(&self, key: &TicketKey) -> Option<&TicketStatusId> {
        self.0.get(key)
    }

    /// The key for an id, if any key maps to it.
    pub fn key_of(&self, id: &TicketStatusId) -> Option<&TicketKey> {
        self.0
            .iter()
            .find(|(_, mapped)| *mapped == id)
            .map(|(key, _)| key)
    }
}
