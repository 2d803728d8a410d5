//! Shops: webhook signatures, and the adapters that turn each platform's order
//! webhook into one normalized [`crate::domain::Order`].

mod fields;
mod generic;
mod shopify;
pub mod subscriptions;
mod woocommerce;
mod youcan;

use http::HeaderMap;
use secrecy::ExposeSecret;

use crate::domain::Order;

pub use crate::settings::{
    BackfillSettings, ConfirmationSettings, GenericSignature, HandoverSettings, Platform,
    ReturnSettings, SharedRules, ShopDigishare, ShopSettings, ShopShaq, WriteBackSettings,
};
pub use fields::{ShopError, clean_text};
pub use shop_client::signature::{SignatureEncoding, sign};

/// What a shop webhook turned out to be.
#[derive(Debug, Clone, PartialEq)]
pub enum ShopWebhook {
    /// WooCommerce's activation ping: answer exactly 200, store nothing.
    Ping,
    /// An order event.
    Order(Box<ShopEvent>),
    /// The order was deleted or trashed in the shop (WooCommerce `order.deleted` carries only
    /// the id): cancel it like a shop cancellation.
    Deleted {
        /// The platform's order id.
        platform_order_id: String,
        /// Unique per delivery.
        dedupe_key: String,
    },
    /// The shop approved a return or an exchange of a delivered order (Shopify
    /// `returns/approve`): ShaQ is asked to collect the item back (and bring the new one).
    AfterSale {
        /// The platform's order id.
        platform_order_id: String,
        /// A return, or an exchange when the shop's return carries new items.
        kind: crate::workflow::returns::AfterSale,
        /// The shop's name for the return (`#1001-R1`).
        reference: String,
        /// Unique per delivery.
        dedupe_key: String,
    },
    /// An order whose id can be read but one of whose fields cannot be used (an amount of
    /// 8e25, a list that is not a list…). Kept, never dropped: the order waits for a person
    /// with the reason until the shop sends it right (a refused delivery would be lost for
    /// good by shops that do not retry, and counts toward WooCommerce disabling the webhook).
    Unusable {
        /// The platform's order id.
        platform_order_id: String,
        /// The name people use, when it can be read.
        order_ref: String,
        /// Unique per delivery.
        dedupe_key: String,
        /// The field at fault.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// A topic the bridge does not act on.
    Ignored(String),
}

/// An order webhook whose order cannot be read in full: [`ShopWebhook::Unusable`] when its id
/// can be read (at `id_path`, its name at `ref_path`), the error otherwise.
fn unusable(
    error: ShopError,
    json: &serde_json::Value,
    (id_path, ref_path): (&str, &str),
    dedupe_key: impl FnOnce(&str) -> String,
) -> Result<ShopWebhook, ShopError> {
    let ShopError::Field { field, message } = error else {
        return Err(error);
    };
    let Ok(platform_order_id) = fields::id(json, id_path) else {
        return Err(ShopError::Field { field, message });
    };
    let order_ref = fields::text(json, ref_path)
        .filter(|r| r.chars().count() <= fields::MAX_REF_LEN)
        .unwrap_or_else(|| platform_order_id.clone());
    Ok(ShopWebhook::Unusable {
        dedupe_key: dedupe_key(&platform_order_id),
        platform_order_id,
        order_ref,
        field,
        message,
    })
}

/// A parsed order webhook.
#[derive(Debug, Clone, PartialEq)]
pub struct ShopEvent {
    /// The platform's topic (`orders/create`, `order.updated`…).
    pub topic: String,
    /// The normalized order.
    pub order: Order,
    /// Unique per delivery: a redelivery has the same key.
    pub dedupe_key: String,
}

/// The order with the language of its customer's messages, read from the whole order (the
/// platform's locale, then what the customer wrote) as the shop's settings say.
fn with_language(mut order: Order, shop: &ShopSettings, locale: Option<String>) -> Order {
    let texts = [
        order.recipient.name.as_str(),
        order.address.line1.as_str(),
        order.address.city.as_str(),
        order.note.as_deref().unwrap_or(""),
    ];
    let country = order.address.country_iso2.as_ref().map(|c| c.to_string());
    order.language = shop.language_of(locale.as_deref(), texts, country.as_deref());
    order
}

/// Checks the webhook's signature over the raw bytes, against each configured secret, in
/// constant time. WooCommerce's unsigned ping is let through (it is recognised by [`parse`]).
pub fn verify(shop: &ShopSettings, headers: &HeaderMap, body: &[u8]) -> Result<(), String> {
    let (header, encoding, prefix) = match shop.platform {
        Platform::Shopify => ("x-shopify-hmac-sha256", SignatureEncoding::Base64, None),
        Platform::Woocommerce => {
            if woocommerce::is_ping(headers, body) {
                return Ok(());
            }
            ("x-wc-webhook-signature", SignatureEncoding::Base64, None)
        }
        Platform::Youcan => ("x-youcan-signature", SignatureEncoding::Hex, None),
        Platform::Generic => (
            shop.generic.header.as_str(),
            shop.generic.encoding,
            shop.generic.prefix.as_deref(),
        ),
    };
    let presented = headers
        .get(header)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .ok_or_else(|| format!("missing {header}"))?;
    let presented = match prefix {
        Some(prefix) => presented
            .strip_prefix(prefix)
            .ok_or_else(|| format!("{header} does not start with {prefix}"))?,
        None => presented,
    };
    let valid = shop_client::signature::verify(
        shop.signing_secrets().map(ExposeSecret::expose_secret),
        body,
        presented,
        encoding,
    )
    .map_err(|e| format!("{header} is {e}"))?;
    if valid {
        Ok(())
    } else {
        Err(format!("{header} does not match the body"))
    }
}

/// Parses a verified webhook into a normalized order.
pub fn parse(
    shop: &ShopSettings,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<ShopWebhook, ShopError> {
    let parsed = match shop.platform {
        Platform::Shopify => shopify::parse(shop, headers, body),
        Platform::Woocommerce => woocommerce::parse(shop, headers, body),
        Platform::Youcan => youcan::parse(shop, headers, body),
        Platform::Generic => generic::parse(shop, headers, body),
    }?;
    // Bounds every platform's order shares, checked once.
    if let ShopWebhook::Order(event) = &parsed
        && let Err(ShopError::Field { field, message }) = fields::check_lengths(&event.order)
    {
        let order_ref = if event.order.order_ref.chars().count() <= fields::MAX_REF_LEN {
            event.order.order_ref.clone()
        } else {
            event.order.platform_order_id.to_string()
        };
        return Ok(ShopWebhook::Unusable {
            platform_order_id: event.order.platform_order_id.to_string(),
            order_ref,
            dedupe_key: event.dedupe_key.clone(),
            field,
            message,
        });
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests;
