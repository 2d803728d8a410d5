//! YouCan order webhooks (`order.create` REST hooks and `order.created` app webhooks). YouCan
//! sends no topic header and documents no delivery id: the body hash keys a delivery.

use http::HeaderMap;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::fields::{
    ShopError, array, first_text, full_name, id, line_numbers, object, phone, required_amount,
    second_phone, text, time,
};
use super::{ShopEvent, ShopSettings, ShopWebhook, unusable, with_language};
use crate::domain::{
    Address, CountryCode, Item, Language, Order, Payment, PlatformOrderId, Recipient,
};

pub(super) fn parse(
    shop: &ShopSettings,
    _headers: &HeaderMap,
    body: &[u8],
) -> Result<ShopWebhook, ShopError> {
    let json = object(body)?;
    let order = match order(shop, &json) {
        Ok(order) => order,
        Err(error) => {
            return unusable(error, &json, ("id", "ref"), |id| {
                format!("order:{id}:{}", hex::encode(Sha256::digest(body)))
            });
        }
    };
    let dedupe_key = format!(
        "order:{}:{}",
        order.platform_order_id,
        hex::encode(Sha256::digest(body))
    );
    Ok(ShopWebhook::Order(Box::new(ShopEvent {
        topic: "order.create".to_owned(),
        order,
        dedupe_key,
    })))
}

fn order(shop: &ShopSettings, json: &Value) -> Result<Order, ShopError> {
    let platform_order_id = id(json, "id")?;
    let order_ref = text(json, "ref").unwrap_or_else(|| platform_order_id.clone());
    let country = first_text(
        json,
        &["shipping.address.country_code", "customer.country_code"],
    )
    .map(|c| c.to_ascii_uppercase())
    .or_else(|| shop.default_country.clone());
    let phone_paths: &[&str] = &["shipping.address.phone", "customer.phone"];
    let (phone, phone_problem) = phone(json, phone_paths, country.as_deref());
    let phone_2 = second_phone(json, phone_paths, country.as_deref(), phone.as_ref());
    let name = full_name(
        text(json, "shipping.address.first_name"),
        text(json, "shipping.address.last_name"),
    )
    .or_else(|| {
        full_name(
            text(json, "customer.first_name"),
            text(json, "customer.last_name"),
        )
    })
    .unwrap_or_default();
    let total = required_amount(json, "total")?;
    let gateway = text(json, "payment.payload.gateway");
    let unpaid = text(json, "payment.status_text").as_deref() == Some("unpaid");
    let cod = gateway.as_deref() == Some("cod") || (gateway.is_none() && unpaid);
    let mut items = Vec::new();
    for (i, line) in array(json, "variants")?.iter().enumerate() {
        let (quantity, unit_price) = line_numbers(line, "variants", i, "price")?;
        items.push(Item {
            name: text(line, "variant.product.name").unwrap_or_else(|| "item".to_owned()),
            sku: text(line, "variant.sku"),
            quantity,
            unit_price,
        });
    }
    let locale = first_text(
        json,
        &["customer.locale", "locale", "lang", "customer.lang"],
    );
    let order = Order {
        shop_id: shop.id.clone(),
        platform_order_id: PlatformOrderId::new(platform_order_id),
        order_ref,
        version: time(json, "updated_at").or_else(|| time(json, "created_at")),
        cancelled: false,
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
            email: text(json, "customer.email"),
        },
        address: Address {
            coordinates: None,
            line1: text(json, "shipping.address.first_line").unwrap_or_default(),
            line2: text(json, "shipping.address.second_line"),
            city: first_text(json, &["shipping.address.city", "customer.city"]).unwrap_or_default(),
            region: text(json, "shipping.address.region"),
            postal_code: text(json, "shipping.address.zip_code"),
            country_iso2: country.as_deref().and_then(CountryCode::parse),
        },
        items,
        note: text(json, "notes"),
        // Chosen from the whole order below.
        language: Language::En,
    };
    Ok(with_language(order, shop, locale))
}
