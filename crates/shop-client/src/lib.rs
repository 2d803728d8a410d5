//! Writes an order's milestones back to the shop it came from: Shopify (Admin GraphQL),
//! WooCommerce (REST v3), YouCan (REST) or any shop through a signed JSON callback.
//!
//! ```no_run
//! # async fn demo() -> Result<(), shop_client::ShopError> {
//! use shop_client::{Milestone, ShopClient, ShopUpdate};
//!
//! let shop = ShopClient::shopify(
//!     "https://kente.myshopify.com",
//!     shop_client::ShopifyAccess::Token("shpat_…".to_owned().into()),
//!     None,
//!     shop_client::Tags::default(),
//!     &shop_client::Timeouts::default(),
//! )?;
//! let update = ShopUpdate {
//!     milestone: Milestone::PackageCreated,
//!     platform_order_id: "5127389001",
//!     order_ref: "#1047",
//!     tracking_number: Some("20250410X51DIQ"),
//!     tracking_url: None,
//!     cash_on_delivery: true,
//!     amount_to_collect: None,
//!     currency: Some("GHS"),
//!     previous_amount: None,
//!     delivery_window: None,
//! };
//! shop.write(&update).await?;
//! # Ok(()) }
//! ```
//!
//! Every client is built on the shared outbound HTTP foundation (`outbound-http`): the same
//! timeouts, user agent, answer size cap and failure sorting as the ShaQ and Digishare clients.
//! The crate knows nothing of ShaQ, Digishare or the bridge.

#![warn(missing_docs)]

mod callback;
mod error;
mod milestone;
mod shopify;
pub mod signature;
mod subscriptions;
mod woocommerce;
mod youcan;

use std::time::Duration;

use outbound_http::{Upstream, UpstreamConfig};
use rust_decimal::Decimal;
use secrecy::SecretString;

pub use error::ShopError;
pub use milestone::Milestone;
pub use outbound_http::{Classify, Disposition, HttpError};
pub use shopify::{API_VERSION as SHOPIFY_API_VERSION, ShopifyAccess};
pub use subscriptions::{Subscription, WantedSubscription};

/// The most pages of orders read in one catch-up (a bound on a misbehaving API).
const MAX_PAGES: usize = 50;

/// The carrier name shown in the shop.
const COMPANY: &str = "ShaQ Express";

/// What the shop is told.
#[derive(Debug, Clone, PartialEq)]
pub struct ShopUpdate<'a> {
    /// What happened.
    pub milestone: Milestone,
    /// The platform's id of the order.
    pub platform_order_id: &'a str,
    /// What merchant and customer call it (`#1047`).
    pub order_ref: &'a str,
    /// ShaQ's tracking number, once the package exists.
    pub tracking_number: Option<&'a str>,
    /// The tracking link, when known.
    pub tracking_url: Option<&'a str>,
    /// Cash on delivery (a delivered COD order is marked paid).
    pub cash_on_delivery: bool,
    /// What the courier collects.
    pub amount_to_collect: Option<Decimal>,
    /// Currency of the amount.
    pub currency: Option<&'a str>,
    /// What the courier was to collect before ShaQ changed it ([`Milestone::AmountChanged`]).
    pub previous_amount: Option<Decimal>,
    /// ShaQ's delivery window (earliest and latest day), when it gave one.
    pub delivery_window: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
}

/// The tags written on Shopify orders for the milestones Shopify has no event for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Tags {
    /// The customer confirmed on WhatsApp.
    pub confirmed: String,
    /// ShaQ suspects fraud.
    pub suspected_scam: String,
    /// On its way back.
    pub returning: String,
    /// Back at the merchant.
    pub returned: String,
    /// After delivery, a return, replacement or exchange was booked with ShaQ.
    pub after_sale_booked: String,
    /// A returned item is back at the merchant.
    pub return_received: String,
    /// ShaQ changed the amount to collect (the customer agreed to it).
    pub amount_changed: String,
}

impl Default for Tags {
    fn default() -> Self {
        Tags {
            confirmed: "COD-Confirmed".to_owned(),
            suspected_scam: "ShaQ-Suspected-Scam".to_owned(),
            returning: "ShaQ-Returning".to_owned(),
            returned: "ShaQ-Returned".to_owned(),
            after_sale_booked: "ShaQ-Return-Booked".to_owned(),
            return_received: "ShaQ-Return-Received".to_owned(),
            amount_changed: "ShaQ-Amount-Changed".to_owned(),
        }
    }
}

/// Timeouts of every call to a shop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeouts {
    /// The whole exchange.
    pub request: Duration,
    /// Connecting.
    pub connect: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            request: Duration::from_secs(30),
            connect: Duration::from_secs(5),
        }
    }
}

/// One shop's admin API.
#[derive(Debug, Clone)]
pub enum ShopClient {
    /// Shopify.
    Shopify(shopify::Shopify),
    /// WooCommerce.
    WooCommerce(woocommerce::WooCommerce),
    /// YouCan.
    YouCan(youcan::YouCan),
    /// A signed JSON callback.
    Callback(callback::Callback),
}

/// Calls in flight at once towards one shop: what the bridge's 16 workers could send before
/// the workers and the upstreams were limited apart. A shop platform answers more with a 429
/// (and the job waits as it says), but a merchant's own server may not say anything.
const SHOP_CALLS_AT_ONCE: usize = 16;

fn upstream(service: &'static str, base: &str, timeouts: &Timeouts) -> Result<Upstream, ShopError> {
    Upstream::new(
        UpstreamConfig::new(service, base.trim_end_matches('/'))
            .timeouts(timeouts.request, timeouts.connect)
            .in_flight_limit(std::num::NonZeroUsize::new(SHOP_CALLS_AT_ONCE)),
    )
    .map_err(|e| ShopError::Invalid(format!("HTTP client: {e}")))
}

impl ShopClient {
    /// Shopify: `admin_url` is `https://your-shop.myshopify.com`; `access` a lasting Admin API
    /// token (`shpat_…`) or a Dev Dashboard app's client credentials.
    pub fn shopify(
        admin_url: &str,
        access: ShopifyAccess,
        api_version: Option<&str>,
        tags: Tags,
        timeouts: &Timeouts,
    ) -> Result<ShopClient, ShopError> {
        Ok(ShopClient::Shopify(shopify::Shopify::new(
            upstream("Shopify", admin_url, timeouts)?,
            access,
            api_version,
            tags,
        )))
    }

    /// WooCommerce: `base_url` is the site (`https://shop.example.com`), with a REST key pair.
    pub fn woocommerce(
        base_url: &str,
        consumer_key: String,
        consumer_secret: SecretString,
        timeouts: &Timeouts,
    ) -> Result<ShopClient, ShopError> {
        Ok(ShopClient::WooCommerce(woocommerce::WooCommerce::new(
            upstream("WooCommerce", base_url, timeouts)?,
            consumer_key,
            consumer_secret,
        )))
    }

    /// YouCan: `base_url` defaults to `https://api.youcan.shop`; a confirmed order gets the
    /// status `confirmed_status` (`PUT /orders/{id}/status`; `None`: nothing is written).
    pub fn youcan(
        base_url: Option<&str>,
        token: SecretString,
        confirmed_status: Option<String>,
        timeouts: &Timeouts,
    ) -> Result<ShopClient, ShopError> {
        let base = base_url.unwrap_or("https://api.youcan.shop");
        Ok(ShopClient::YouCan(youcan::YouCan::new(
            upstream("YouCan", base, timeouts)?,
            token,
            confirmed_status,
        )))
    }

    /// A JSON callback to `url`, signed with `secret` (HMAC-SHA256, hex, `X-Signature`).
    pub fn callback(
        url: &str,
        secret: SecretString,
        timeouts: &Timeouts,
    ) -> Result<ShopClient, ShopError> {
        Ok(ShopClient::Callback(callback::Callback::new(
            upstream("the shop's callback", url, timeouts)?,
            secret,
        )))
    }

    /// The orders changed since `since`, as the shop's API lists them (the same JSON its
    /// webhooks carry), to catch up on webhooks the bridge missed. The generic platform has no
    /// order list.
    pub async fn recent_orders(
        &self,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<serde_json::Value>, ShopError> {
        match self {
            ShopClient::Shopify(shop) => shop.recent_orders(since).await,
            ShopClient::WooCommerce(shop) => shop.recent_orders(since).await,
            ShopClient::YouCan(shop) => shop.recent_orders(since).await,
            ShopClient::Callback(_) => Err(ShopError::Invalid(
                "a shop reached by callback has no order list to read".to_owned(),
            )),
        }
    }

    /// Shows a milestone in the shop. Returns a one-line summary of what was written, or `None`
    /// when this platform shows nothing for this milestone.
    pub async fn write(&self, update: &ShopUpdate<'_>) -> Result<Option<String>, ShopError> {
        match self {
            ShopClient::Shopify(shop) => shop.write(update).await.map(Some),
            ShopClient::WooCommerce(shop) => shop.write(update).await.map(Some),
            ShopClient::YouCan(shop) => shop.write(update).await,
            ShopClient::Callback(shop) => shop.write(update).await.map(Some),
        }
    }

    /// The webhooks the shop sends now (Shopify: those of the bridge's app).
    pub async fn subscriptions(&self) -> Result<Vec<Subscription>, ShopError> {
        match self {
            ShopClient::Shopify(shop) => shop.subscriptions().await,
            ShopClient::WooCommerce(shop) => shop.subscriptions().await,
            ShopClient::YouCan(shop) => shop.subscriptions().await,
            ShopClient::Callback(_) => Err(no_subscriptions()),
        }
    }

    /// Asks the shop to send `wanted`.
    pub async fn subscribe(&self, wanted: &WantedSubscription) -> Result<Subscription, ShopError> {
        match self {
            ShopClient::Shopify(shop) => shop.subscribe(wanted).await,
            ShopClient::WooCommerce(shop) => shop.subscribe(wanted, None).await,
            ShopClient::YouCan(shop) => shop.subscribe(wanted).await,
            ShopClient::Callback(_) => Err(no_subscriptions()),
        }
    }

    /// Points `existing` at `wanted`'s address (and secret), active again. YouCan cannot change
    /// a REST hook: the old one is removed and a new one made.
    pub async fn repoint(
        &self,
        existing: &Subscription,
        wanted: &WantedSubscription,
    ) -> Result<Subscription, ShopError> {
        match self {
            ShopClient::Shopify(shop) => shop.repoint(existing, wanted).await,
            ShopClient::WooCommerce(shop) => shop.subscribe(wanted, Some(existing)).await,
            ShopClient::YouCan(shop) => {
                shop.unsubscribe(existing).await?;
                shop.subscribe(wanted).await
            }
            ShopClient::Callback(_) => Err(no_subscriptions()),
        }
    }
}

fn no_subscriptions() -> ShopError {
    ShopError::Invalid(
        "a generic shop is set up to post to the bridge on its side: there is no subscription API to ask"
            .to_owned(),
    )
}
