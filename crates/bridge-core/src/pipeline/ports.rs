//! What the pipeline needs from the outside world, as traits: ShaQ (the courier), Digishare
//! (tickets) and each shop (write-back). Production implements them with the API clients
//! (`adapters`); tests can use fakes.

use std::time::Duration;

use async_trait::async_trait;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::store::OrderRecord;
use crate::worker::JobError;
use crate::workflow::ShopMilestone;

/// How a call to another service failed, as far as retrying is concerned.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum UpstreamError {
    /// Worth retrying: network, timeout, 5xx, 408, 429.
    #[error("{message}")]
    Transient {
        /// What happened.
        message: String,
        /// The server asked to wait this long.
        retry_after: Option<Duration>,
    },
    /// The service refused the request as it is (validation, 4xx): retrying will not help.
    #[error("{message}")]
    Rejected {
        /// What happened, with the service's reasons.
        message: String,
    },
    /// The thing asked for does not exist.
    #[error("{message}")]
    NotFound {
        /// What was missing.
        message: String,
    },
}

impl UpstreamError {
    /// A transient error without `Retry-After`.
    pub fn transient(message: impl Into<String>) -> Self {
        UpstreamError::Transient {
            message: message.into(),
            retry_after: None,
        }
    }
}

impl From<UpstreamError> for JobError {
    fn from(error: UpstreamError) -> Self {
        match error {
            UpstreamError::Transient {
                message,
                retry_after,
            } => JobError::Retryable {
                message,
                retry_after,
            },
            UpstreamError::Rejected { message } | UpstreamError::NotFound { message } => {
                JobError::Permanent { message }
            }
        }
    }
}

/// Shorthand for upstream results.
pub type UpstreamResult<T> = Result<T, UpstreamError>;

/// A ShaQ region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Region {
    /// ShaQ's id.
    pub id: i64,
    /// Its name (`Greater Accra`).
    pub name: String,
}

/// A line of a package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackageItem {
    /// Product name.
    pub name: String,
    /// How many.
    pub quantity: u32,
}

/// Everything ShaQ needs to create (or update) a package.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PackageRequest {
    /// Our deterministic reference.
    pub partner_ref: String,
    /// Recipient.
    pub customer_name: String,
    /// E.164 phone.
    pub customer_phone_1: String,
    /// Second phone.
    pub customer_phone_2: Option<String>,
    /// Pickup country.
    pub source_country_iso2: String,
    /// Pickup address.
    pub source_address_line_1: String,
    /// Pickup address, second line.
    pub source_address_line_2: Option<String>,
    /// Destination country.
    pub destination_country_iso2: String,
    /// ShaQ region id, when the region name matched one.
    pub region_id: Option<i64>,
    /// The region name as the shop gave it (sent when no id matched).
    pub destination_region: Option<String>,
    /// City.
    pub destination_city: String,
    /// Street address.
    pub destination_address_line_1: String,
    /// Second line.
    pub destination_address_line_2: Option<String>,
    /// Postal code.
    pub destination_postal_code: Option<String>,
    /// What is inside.
    pub description: String,
    /// Pieces.
    pub units: u32,
    /// `parcel` or `box`.
    pub package_type: String,
    /// `normal` or `fragile`.
    pub handling: String,
    /// Declared value.
    pub value: Decimal,
    /// What the rider collects: 0 for a prepaid order (ShaQ defaults to `value` otherwise).
    pub amount_to_collect: Decimal,
    /// Lines.
    pub items: Vec<PackageItem>,
    /// Notes for the rider.
    pub special_instructions: Option<String>,
}

/// A package as ShaQ knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackageInfo {
    /// ShaQ's tracking number.
    pub tracking_number: String,
    /// Current status slug.
    pub status: String,
    /// True when a package with our `partner_ref` already existed (adopted, not created).
    pub adopted: bool,
}

/// One step of a package's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrackingStep {
    /// Status slug.
    pub status: String,
    /// ShaQ's words.
    pub description: Option<String>,
    /// When.
    pub at: chrono::DateTime<chrono::Utc>,
}

/// The label of a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Label {
    /// Ready at this URL.
    Ready(String),
    /// Not yet: ask again later.
    NotReady,
}

/// ShaQ Express.
#[async_trait]
pub trait Courier: Send + Sync {
    /// All regions (the pipeline caches them).
    async fn regions(&self) -> UpstreamResult<Vec<Region>>;
    /// Creates the package, or adopts the one that already has this `partner_ref` (so a retry
    /// after a timeout never makes a second package).
    async fn create_package(&self, package: &PackageRequest) -> UpstreamResult<PackageInfo>;
    /// Changes a pending package.
    async fn update_package(&self, package: &PackageRequest) -> UpstreamResult<()>;
    /// The package with this `partner_ref`, if it exists.
    async fn find_package(&self, partner_ref: &str) -> UpstreamResult<Option<PackageInfo>>;
    /// Deletes a pending package.
    async fn delete_package(&self, partner_ref: &str) -> UpstreamResult<()>;
    /// Asks ShaQ to cancel an order already picked up.
    async fn cancel_order(&self, partner_ref: &str, tracking_number: &str) -> UpstreamResult<()>;
    /// The package's history, newest last.
    async fn track(&self, tracking_number: &str) -> UpstreamResult<Vec<TrackingStep>>;
    /// The package's label.
    async fn label(&self, partner_ref: &str) -> UpstreamResult<Label>;
}

/// A ticket as Digishare knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TicketInfo {
    /// Digishare's id.
    pub id: String,
    /// Its status id.
    pub status_id: Option<String>,
}

/// Everything Digishare needs to create a ticket.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TicketRequest {
    /// Our order reference (`partner_ref`).
    pub external_id: String,
    /// The account's ticket type.
    pub type_ticket_id: String,
    /// Initial status id.
    pub ticket_status_id: String,
    /// Subject line.
    pub subject: String,
    /// `ar`, `fr` or `en`.
    pub lang: String,
    /// The customer.
    pub third: TicketThird,
    /// Template variables.
    pub campaign_data: serde_json::Map<String, serde_json::Value>,
}

/// The customer on a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TicketThird {
    /// Our customer reference.
    pub ext_ref: String,
    /// Name.
    pub name: String,
    /// WhatsApp id: the E.164 number without `+`.
    pub wa_id: String,
    /// Email.
    pub email: Option<String>,
}

/// Digishare.
#[async_trait]
pub trait Ticketing: Send + Sync {
    /// The ticket whose `external_id` is this, if any.
    async fn find_ticket(&self, external_id: &str) -> UpstreamResult<Option<TicketInfo>>;
    /// Creates a ticket.
    async fn create_ticket(&self, ticket: &TicketRequest) -> UpstreamResult<TicketInfo>;
    /// Uploads a document (a label PDF) and returns the reference to put in `campaign_data`.
    async fn upload_document(
        &self,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> UpstreamResult<serde_json::Value>;
    /// Moves a ticket (when `status_id` is set) and refreshes its template variables.
    async fn update_ticket(
        &self,
        ticket_id: &str,
        status_id: Option<&str>,
        campaign_data: &serde_json::Map<String, serde_json::Value>,
    ) -> UpstreamResult<()>;
}

/// What the shop is told of a milestone.
#[derive(Debug, Clone, PartialEq)]
pub struct ShopUpdate<'a> {
    /// What happened.
    pub milestone: ShopMilestone,
    /// The order (package and ticket ids, amounts, the normalized order).
    pub order: &'a OrderRecord,
    /// The tracking link, when known.
    pub tracking_url: Option<String>,
    /// Cash on delivery (a delivered COD order is marked paid).
    pub cash_on_delivery: bool,
}

/// One shop's admin API.
#[async_trait]
pub trait ShopWriter: Send + Sync {
    /// Shows a milestone in the shop. Returns a one-line summary of what was written, or
    /// `None` when this platform shows nothing for this milestone.
    async fn write(&self, update: &ShopUpdate<'_>) -> UpstreamResult<Option<String>>;
}
