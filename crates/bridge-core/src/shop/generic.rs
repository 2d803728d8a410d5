//! The generic JSON shape, for any shop that can post a webhook:
//!
//! ```json
//! { "topic": "created",                      // created | updated | cancelled
//!   "order": {
//!     "id": "5127", "ref": "#5127", "updated_at": "2026-11-23T10:00:00Z",
//!     "payment": "cod",                      // cod | prepaid
//!     "total": "450.00", "amount_to_collect": "450.00", "currency": "GHS",
//!     "customer": { "name": "Ama Mensah", "phone": "024 412 3456", "email": null, "locale": "en" },
//!     "address": { "line1": "12 Oxford St", "line2": "GA-123-4567", "city": "Accra",
//!                  "region": "Greater Accra", "postal_code": null, "country": "GH" },
//!     "items": [ { "name": "Kente scarf", "sku": "KS-1", "quantity": 2, "unit_price": "225.00" } ],
//!     "note": "Call before delivery" } }
//! ```
//! Signed with HMAC-SHA256 of the raw body in the configured header (hex by default).
//!
//! After delivery, a return, replacement or exchange the shop approved:
//!
//! ```json
//! { "topic": "return", "order_id": "5127", "kind": "return", "reference": "RMA-12" }
//! ```
//! (`kind`: `return` | `replace` | `exchange`; `reference`, the shop's name for it, is
//! optional and makes the request unique: the same reference twice books once.)

use http::HeaderMap;
use rust_decimal::Decimal;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::fields::{
    ShopError, amount, array, at, id, object, quantity, required_amount, text, time,
};
use super::{ShopEvent, ShopSettings, ShopWebhook, unusable, with_language};
use crate::domain::{
    Address, CountryCode, Item, Language, Order, Payment, PhoneE164, PlatformOrderId, Recipient,
};

pub(super) fn parse(
    shop: &ShopSettings,
    _headers: &HeaderMap,
    body: &[u8],
) -> Result<ShopWebhook, ShopError> {
    let json = object(body)?;
    let topic = text(&json, "topic").ok_or_else(|| ShopError::field("topic", "is required"))?;
    if topic == "return" {
        return after_sale(&json, body);
    }
    if !matches!(topic.as_str(), "created" | "updated" | "cancelled") {
        return Err(ShopError::field(
            "topic",
            "must be created, updated, cancelled or return",
        ));
    }
    let order_json = at(&json, "order")
        .filter(|o| o.is_object())
        .ok_or_else(|| ShopError::field("order", "must be an object"))?;
    let mut order = match order(shop, order_json) {
        Ok(order) => order,
        Err(error) => {
            return unusable(error, order_json, ("id", "ref"), |id| {
                format!("{topic}:{id}:{}", hex::encode(Sha256::digest(body)))
            });
        }
    };
    if topic == "cancelled" {
        order.cancelled = true;
    }
    let dedupe_key = format!(
        "{topic}:{}:{}",
        order.platform_order_id,
        hex::encode(Sha256::digest(body))
    );
    Ok(ShopWebhook::Order(Box::new(ShopEvent {
        topic,
        order,
        dedupe_key,
    })))
}

/// `{"topic": "return", "order_id", "kind", "reference"?}`.
fn after_sale(json: &Value, body: &[u8]) -> Result<ShopWebhook, ShopError> {
    let platform_order_id = id(json, "order_id")?;
    let kind = text(json, "kind")
        .ok_or_else(|| ShopError::field("kind", "is required (return, replace or exchange)"))?
        .parse::<crate::workflow::returns::AfterSale>()
        .map_err(|message| ShopError::field("kind", &message))?;
    let reference = text(json, "reference");
    let dedupe_key = match &reference {
        Some(reference) => format!("return:{platform_order_id}:{reference}"),
        None => format!(
            "return:{platform_order_id}:{}",
            hex::encode(Sha256::digest(body))
        ),
    };
    Ok(ShopWebhook::AfterSale {
        platform_order_id,
        kind,
        reference: reference.unwrap_or_else(|| format!("a {}", kind.as_str())),
        dedupe_key,
    })
}

fn order(shop: &ShopSettings, json: &Value) -> Result<Order, ShopError> {
    let field = |path: &str| format!("order.{path}");
    let platform_order_id = id(json, "id").map_err(|error| match error {
        ShopError::Field { message, .. } => ShopError::field(&field("id"), &message),
        other => other,
    })?;
    let country = text(json, "address.country")
        .map(|c| c.to_ascii_uppercase())
        .or_else(|| shop.default_country.clone());
    let phone = match text(json, "customer.phone") {
        Some(raw) => Some(
            PhoneE164::parse(&raw, country.as_deref())
                .map_err(|e| ShopError::field(&field("customer.phone"), &e.to_string()))?,
        ),
        None => None,
    };
    let total = required_amount(json, "total").map_err(|e| relabel(e, &field("total")))?;
    let payment = match text(json, "payment").as_deref() {
        Some("cod") => Payment::CashOnDelivery {
            amount_to_collect: amount(json, "amount_to_collect")
                .map_err(|e| relabel(e, &field("amount_to_collect")))?
                .unwrap_or(total),
        },
        Some("prepaid") => Payment::Prepaid,
        _ => {
            return Err(ShopError::field(
                &field("payment"),
                "must be cod or prepaid",
            ));
        }
    };
    let mut items = Vec::new();
    for (i, line) in array(json, "items")
        .map_err(|e| relabel(e, &field("items")))?
        .iter()
        .enumerate()
    {
        items.push(Item {
            name: text(line, "name").ok_or_else(|| {
                ShopError::field(&field(&format!("items[{i}].name")), "is required")
            })?,
            sku: text(line, "sku"),
            quantity: quantity(line, "quantity")
                .map_err(|e| relabel(e, &field(&format!("items[{i}].quantity"))))?,
            unit_price: amount(line, "unit_price")
                .map_err(|e| relabel(e, &field(&format!("items[{i}].unit_price"))))?
                .unwrap_or(Decimal::ZERO),
        });
    }
    let locale = text(json, "customer.locale");
    let order = Order {
        shop_id: shop.id.clone(),
        order_ref: text(json, "ref").unwrap_or_else(|| platform_order_id.clone()),
        platform_order_id: PlatformOrderId::new(platform_order_id),
        version: time(json, "updated_at"),
        cancelled: at(json, "cancelled") == Some(&Value::Bool(true)),
        payment,
        total,
        currency: text(json, "currency")
            .ok_or_else(|| ShopError::field(&field("currency"), "is required"))?,
        recipient: Recipient {
            name: text(json, "customer.name").unwrap_or_default(),
            phone,
            phone_problem: None,
            email: text(json, "customer.email"),
            phone_2: None,
        },
        address: Address {
            coordinates: None,
            line1: text(json, "address.line1").unwrap_or_default(),
            line2: text(json, "address.line2"),
            city: text(json, "address.city").unwrap_or_default(),
            region: text(json, "address.region"),
            postal_code: text(json, "address.postal_code"),
            country_iso2: country.as_deref().and_then(CountryCode::parse),
        },
        items,
        note: text(json, "note"),
        // Chosen from the whole order below.
        language: Language::En,
    };
    Ok(with_language(order, shop, locale))
}

fn relabel(error: ShopError, field: &str) -> ShopError {
    match error {
        ShopError::Field { message, .. } => ShopError::Field {
            field: field.to_owned(),
            message,
        },
        other => other,
    }
}
