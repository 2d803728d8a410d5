//! Shopify order webhooks (`orders/create`, `orders/updated`, `orders/cancelled`, `orders/paid`).

use http::HeaderMap;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::fields::{
    ShopError, amount, array, at, coordinates, first_text, full_name, id, line_numbers, object,
    phone, required_amount, second_phone, text, time,
};
use super::{ShopEvent, ShopSettings, ShopWebhook, unusable, with_language};
use crate::domain::{
    Address, CountryCode, Item, Language, Order, Payment, PlatformOrderId, Recipient,
};

const ORDER_TOPICS: [&str; 5] = [
    "orders/create",
    "orders/updated",
    "orders/cancelled",
    "orders/paid",
    "orders/edited",
];

/// A return the merchant approved (or created in the admin, which approves it).
const RETURN_TOPIC: &str = "returns/approve";

/// `returns/approve`: the return's order, and whether it is an exchange (new items to deliver).
fn approved_return(json: &Value, dedupe_key: String) -> Result<ShopWebhook, ShopError> {
    let platform_order_id = id(json, "order.id").or_else(|_| id(json, "order_id"))?;
    let exchange = json
        .get("exchange_line_items")
        .and_then(Value::as_array)
        .is_some_and(|items| !items.is_empty());
    let reference = first_text(json, &["name"])
        .or_else(|| id(json, "id").ok().map(|id| format!("return {id}")))
        .unwrap_or_else(|| "return".to_owned());
    Ok(ShopWebhook::AfterSale {
        platform_order_id,
        kind: if exchange {
            crate::workflow::returns::AfterSale::Exchange
        } else {
            crate::workflow::returns::AfterSale::Return
        },
        reference,
        dedupe_key,
    })
}

/// Words in a payment gateway name that mean cash on delivery.
const COD_WORDS: [&str; 5] = [
    "cash on delivery",
    "cash_on_delivery",
    "pay on delivery",
    "collect on delivery",
    "paiement à la livraison",
];

pub(super) fn parse(
    shop: &ShopSettings,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<ShopWebhook, ShopError> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let topic = header("x-shopify-topic")
        .or_else(|| header("shopify-topic"))
        .ok_or_else(|| ShopError::field("X-Shopify-Topic", "header is required"))?
        .to_owned();
    // Shopify's documented idempotency key; a body hash when a proxy dropped the header.
    let dedupe_key = match header("x-shopify-webhook-id").or_else(|| header("x-shopify-event-id")) {
        Some(id) => format!("{topic}:{id}"),
        None => format!("{topic}:{}", hex::encode(Sha256::digest(body))),
    };
    if topic == RETURN_TOPIC {
        return approved_return(&object(body)?, dedupe_key);
    }
    if !ORDER_TOPICS.contains(&topic.as_str()) {
        return Ok(ShopWebhook::Ignored(format!("topic {topic} is not used")));
    }
    let json = object(body)?;
    let order = match order(shop, &json) {
        Ok(order) => order,
        Err(error) => return unusable(error, &json, ("id", "name"), |_| dedupe_key),
    };
    Ok(ShopWebhook::Order(Box::new(ShopEvent {
        topic,
        order,
        dedupe_key,
    })))
}

fn order(shop: &ShopSettings, json: &Value) -> Result<Order, ShopError> {
    let platform_order_id = id(json, "id")?;
    let order_ref = first_text(json, &["name", "order_number"])
        .unwrap_or_else(|| format!("#{platform_order_id}"));
    let country = first_text(
        json,
        &[
            "shipping_address.country_code",
            "billing_address.country_code",
        ],
    )
    .map(|c| c.to_ascii_uppercase())
    .or_else(|| shop.default_country.clone());
    let phone_paths: &[&str] = &[
        "shipping_address.phone",
        "phone",
        "billing_address.phone",
        "customer.phone",
    ];
    let (phone, phone_problem) = phone(json, phone_paths, country.as_deref());
    let phone_2 = second_phone(json, phone_paths, country.as_deref(), phone.as_ref());
    let name = first_text(json, &["shipping_address.name"])
        .or_else(|| {
            full_name(
                text(json, "shipping_address.first_name"),
                text(json, "shipping_address.last_name"),
            )
        })
        .or_else(|| first_text(json, &["billing_address.name"]))
        .or_else(|| {
            full_name(
                text(json, "customer.first_name"),
                text(json, "customer.last_name"),
            )
        })
        .unwrap_or_default();
    let total = required_amount(json, "total_price")?;
    let payment = if is_cash_on_delivery(shop, json)? {
        let outstanding = amount(json, "total_outstanding")?.unwrap_or(total);
        Payment::CashOnDelivery {
            amount_to_collect: outstanding,
        }
    } else {
        Payment::Prepaid
    };
    let mut items = Vec::new();
    for (i, line) in array(json, "line_items")?.iter().enumerate() {
        if at(line, "requires_shipping") == Some(&Value::Bool(false)) {
            continue;
        }
        let title = text(line, "title").unwrap_or_else(|| "item".to_owned());
        let name = match text(line, "variant_title") {
            Some(variant) => format!("{title} - {variant}"),
            None => title,
        };
        let (quantity, unit_price) = line_numbers(line, "line_items", i, "price")?;
        items.push(Item {
            name,
            sku: text(line, "sku"),
            quantity,
            unit_price,
        });
    }
    let note = text(json, "note");
    let locale = text(json, "customer_locale");
    let order = Order {
        shop_id: shop.id.clone(),
        platform_order_id: PlatformOrderId::new(platform_order_id),
        order_ref,
        version: time(json, "updated_at"),
        cancelled: at(json, "cancelled_at").is_some(),
        payment,
        total,
        currency: first_text(json, &["presentment_currency", "currency"])
            .unwrap_or_else(|| "GHS".to_owned()),
        recipient: Recipient {
            name,
            phone,
            phone_problem,
            phone_2,
            email: first_text(json, &["email", "contact_email", "customer.email"]),
        },
        address: Address {
            coordinates: coordinates(json, "shipping_address"),
            line1: text(json, "shipping_address.address1").unwrap_or_default(),
            line2: text(json, "shipping_address.address2"),
            city: text(json, "shipping_address.city").unwrap_or_default(),
            region: first_text(
                json,
                &[
                    "shipping_address.province",
                    "shipping_address.province_code",
                ],
            ),
            postal_code: text(json, "shipping_address.zip"),
            country_iso2: country.as_deref().and_then(CountryCode::parse),
        },
        items,
        note,
        // Chosen from the whole order below.
        language: Language::En,
    };
    Ok(with_language(order, shop, locale))
}

/// COD when nothing was paid yet and a gateway name says cash on delivery (the spec's rule;
/// `cod` must be a word, not a substring of `barcode`).
fn is_cash_on_delivery(shop: &ShopSettings, json: &Value) -> Result<bool, ShopError> {
    let unpaid = matches!(
        text(json, "financial_status").as_deref(),
        Some("pending" | "partially_paid") | None
    );
    if !unpaid {
        return Ok(false);
    }
    let gateways = array(json, "payment_gateway_names")?;
    Ok(gateways.iter().filter_map(Value::as_str).any(|gateway| {
        let lower = gateway.to_lowercase();
        COD_WORDS.iter().any(|w| lower.contains(w))
            || lower
                .split(|c: char| !c.is_alphanumeric())
                .any(|word| word == "cod")
            || shop
                .cod_gateways
                .iter()
                .any(|alias| alias.eq_ignore_ascii_case(gateway))
    }))
}
