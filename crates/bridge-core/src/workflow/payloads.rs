//! Job payloads: what a job needs beyond its order (which it reads fresh when it runs).

use serde::{Deserialize, Serialize};

use super::mapping::ShopMilestone;

/// `ApplyInboundEvent`: the stored webhook to run through the workflow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyInboundEvent {
    /// The inbound event's id.
    pub event_id: i64,
}

/// `MoveTicket`: the status to show the customer, and the courier's words for it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoveTicket {
    /// The `[digishare.statuses]` key; `None` refreshes the order data only.
    pub status_key: Option<String>,
    /// ShaQ's status slug, when a courier event caused this.
    #[serde(default)]
    pub courier_status: Option<String>,
    /// ShaQ's description of it.
    #[serde(default)]
    pub description: Option<String>,
    /// ShaQ's comment.
    #[serde(default)]
    pub comment: Option<String>,
    /// Proof of delivery.
    #[serde(default)]
    pub proof_url: Option<String>,
}

/// `WriteBackToShop`: the milestone to show in the shop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WriteBackToShop {
    /// What happened.
    pub milestone: ShopMilestone,
}
