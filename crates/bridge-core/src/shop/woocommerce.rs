//! WooCommerce order webhooks (`order.created`, `order.updated`) and the activation ping.

use http::HeaderMap;
use serde_json::Value;

use super::fields::{
    ShopError, array, at, first_text, full_name, id, line_numbers, meta, object, phone,
    required_amount, second_phone, text, time,
};
use super::{ShopEvent, ShopSettings, ShopWebhook, unusable, with_language};
use crate::domain::{
    Address, CountryCode, Item, Language, Order, Payment, PlatformOrderId, Recipient,
};

/// Statuses that mean the order will not ship.
const CANCELLED: [&str; 4] = ["cancelled", "refunded", "failed", "trash"];

/// The ping WooCommerce sends when a webhook is activated: `webhook_id=N`, unsigned, no topic.
pub(super) fn is_ping(headers: &HeaderMap, body: &[u8]) -> bool {
    headers.get("x-wc-webhook-topic").is_none()
        && std::str::from_utf8(body).is_ok_and(|b| {
            b.strip_prefix("webhook_id=")
                .is_some_and(|id| !id.is_empty() && id.trim().chars().all(|c| c.is_ascii_digit()))
        })
}

pub(super) fn parse(
    shop: &ShopSettings,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<ShopWebhook, ShopError> {
    if is_ping(headers, body) {
        return Ok(ShopWebhook::Ping);
    }
    let topic = headers
        .get("x-wc-webhook-topic")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ShopError::field("X-WC-Webhook-Topic", "header is required"))?
        .to_owned();
    if topic == "order.deleted" {
        // The topic header is not covered by the signature: a signed body replayed under this
        // topic must not cancel a live order. Only a deletion-shaped body (WooCommerce sends
        // the id alone) or an order in the trash is a deletion.
        let json = object(body)?;
        let platform_order_id = id(&json, "id")?;
        let id_only = json.as_object().is_some_and(|fields| fields.len() == 1);
        let trashed = text(&json, "status").as_deref() == Some("trash");
        if !(id_only || trashed) {
            return Ok(ShopWebhook::Ignored(
                "order.deleted with the body of a live order: not a deletion".to_owned(),
            ));
        }
        return Ok(ShopWebhook::Deleted {
            dedupe_key: format!("{topic}:{platform_order_id}"),
            platform_order_id,
        });
    }
    if !matches!(
        topic.as_str(),
        "order.created" | "order.updated" | "order.restored"
    ) {
        return Ok(ShopWebhook::Ignored(format!("topic {topic} is not used")));
    }
    let json = object(body)?;
    if let Some(wanted) = shop.returns.woocommerce_status()
        && text(&json, "status").as_deref() == Some(wanted)
    {
        let platform_order_id = id(&json, "id")?;
        return Ok(ShopWebhook::AfterSale {
            // Once per order and status: later updates in the same status book nothing more.
            dedupe_key: format!("return-status:{platform_order_id}:{wanted}"),
            platform_order_id,
            kind: crate::workflow::returns::AfterSale::Return,
            reference: format!("a return (status {wanted})"),
        });
    }
    // The delivery id changes on every delivery, and payloads are built at delivery time:
    // the order's own modification time is the stable key.
    let modified = text(&json, "date_modified_gmt").unwrap_or_default();
    let order = match order(shop, &json) {
        Ok(order) => order,
        Err(error) => {
            return unusable(error, &json, ("id", "number"), |id| {
                format!("{topic}:{id}:{modified}")
            });
        }
    };
    let dedupe_key = format!("{topic}:{}:{modified}", order.platform_order_id);
    Ok(ShopWebhook::Order(Box::new(ShopEvent {
        topic,
        order,
        dedupe_key,
    })))
}

fn order(shop: &ShopSettings, json: &Value) -> Result<Order, ShopError> {
    let platform_order_id = id(json, "id")?;
    let order_ref = text(json, "number").unwrap_or_else(|| platform_order_id.clone());
    let country = first_text(json, &["shipping.country", "billing.country"])
        .map(|c| c.to_ascii_uppercase())
        .or_else(|| shop.default_country.clone());
    let phone_paths: &[&str] = &["shipping.phone", "billing.phone"];
    let (phone, phone_problem) = phone(json, phone_paths, country.as_deref());
    let phone_2 = second_phone(json, phone_paths, country.as_deref(), phone.as_ref());
    let name = full_name(
        text(json, "shipping.first_name"),
        text(json, "shipping.last_name"),
    )
    .or_else(|| {
        full_name(
            text(json, "billing.first_name"),
            text(json, "billing.last_name"),
        )
    })
    .unwrap_or_default();
    let total = required_amount(json, "total")?;
    let status = text(json, "status").unwrap_or_default();
    let cod =
        text(json, "payment_method").as_deref() == Some("cod") && at(json, "date_paid").is_none();
    let mut items = Vec::new();
    for (i, line) in array(json, "line_items")?.iter().enumerate() {
        let (quantity, unit_price) = line_numbers(line, "line_items", i, "price")?;
        items.push(Item {
            name: text(line, "name").unwrap_or_else(|| "item".to_owned()),
            sku: text(line, "sku"),
            quantity,
            unit_price,
        });
    }
    let locale = meta(
        json,
        &[
            "wpml_language",
            "_wpml_language",
            "trp_language",
            "pll_language",
            "language",
            "locale",
        ],
    );
    let order = Order {
        shop_id: shop.id.clone(),
        platform_order_id: PlatformOrderId::new(platform_order_id),
        order_ref,
        version: time(json, "date_modified_gmt"),
        cancelled: CANCELLED.contains(&status.as_str()),
        payment: if cod {
            Payment::CashOnDelivery {
                amount_to_collect: total,
            }
        } else {
            Payment::Prepaid
        },
        total,
        currency: text(json, "currency").unwrap_or_else(|| "MAD".to_owned()),
        recipient: Recipient {
            name,
            phone,
            phone_problem,
            phone_2,
            email: text(json, "billing.email"),
        },
        address: Address {
            coordinates: None,
            line1: first_text(json, &["shipping.address_1", "billing.address_1"])
                .unwrap_or_default(),
            line2: first_text(json, &["shipping.address_2", "billing.address_2"]),
            city: first_text(json, &["shipping.city", "billing.city"]).unwrap_or_default(),
            region: first_text(json, &["shipping.state", "billing.state"]),
            postal_code: first_text(json, &["shipping.postcode", "billing.postcode"]),
            country_iso2: country.as_deref().and_then(CountryCode::parse),
        },
        items,
        note: text(json, "customer_note"),
        // Chosen from the whole order below.
        language: Language::En,
    };
    Ok(with_language(order, shop, locale))
}
