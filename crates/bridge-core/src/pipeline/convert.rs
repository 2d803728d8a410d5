//! From a stored order to what ShaQ and Digishare need.

use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::ports::{PackageItem, PackageRequest, Region, TicketRequest, TicketThird};
use crate::domain::Order;
use crate::settings::{DigishareSettings, ShaqSettings};
use crate::store::OrderRecord;

/// A package ready to send, or why it cannot be.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum PackagePlan {
    /// Send this.
    Ready(Box<PackageRequest>),
    /// A person must fix the order first.
    Unshippable(String),
}

/// The normalized order inside a stored record.
pub(super) fn domain_order(record: &OrderRecord) -> Option<Order> {
    serde_json::from_value(record.order.clone()).ok()
}

/// Whether the courier collects cash on delivery.
pub(super) fn is_cash_on_delivery(record: &OrderRecord) -> bool {
    domain_order(record).is_some_and(|o| o.payment.is_cash_on_delivery())
}

/// Compares region names loosely: case, accents of spacing and a trailing "region" ignored.
fn same_region(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.to_lowercase()
            .replace("region", "")
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect::<String>()
    };
    let (a, b) = (norm(a), norm(b));
    !a.is_empty() && a == b
}

/// The package for an order. The region must be one ShaQ knows (by name, loosely); an order
/// whose region ShaQ does not know needs a person rather than a doomed request.
pub(super) fn package_request(
    record: &OrderRecord,
    shaq: &ShaqSettings,
    regions: &[Region],
) -> PackagePlan {
    let Some(order) = domain_order(record) else {
        return PackagePlan::Unshippable("the stored order cannot be read".to_owned());
    };
    let Some(phone) = &order.recipient.phone else {
        return PackagePlan::Unshippable("no usable phone number".to_owned());
    };
    let region_name = order.address.region.clone().or_else(|| {
        // Small shops often put the region in the city field (`Accra`, `Kumasi`).
        regions
            .iter()
            .find(|r| same_region(&r.name, &order.address.city))
            .map(|r| r.name.clone())
    });
    let region_id = match (&region_name, regions.is_empty()) {
        (Some(name), false) => match regions.iter().find(|r| same_region(&r.name, name)) {
            Some(region) => Some(region.id),
            None => {
                return PackagePlan::Unshippable(format!(
                    "region `{name}` is not one of ShaQ's regions"
                ));
            }
        },
        (None, false) => {
            return PackagePlan::Unshippable("no region in the delivery address".to_owned());
        }
        (_, true) => None,
    };
    let amount_to_collect = if order.payment.is_cash_on_delivery() {
        record
            .amount_to_collect
            .as_deref()
            .and_then(|a| a.parse::<Decimal>().ok())
            .unwrap_or_else(|| order.payment.amount_to_collect())
    } else {
        Decimal::ZERO
    };
    let description = summary(&order);
    PackagePlan::Ready(Box::new(PackageRequest {
        partner_ref: record.partner_ref.clone(),
        customer_name: order.recipient.name.clone(),
        customer_phone_1: phone.expose().to_owned(),
        customer_phone_2: None,
        source_country_iso2: shaq.source_country_iso2.clone(),
        source_address_line_1: shaq.source_address_line_1.clone(),
        source_address_line_2: shaq.source_address_line_2.clone(),
        destination_country_iso2: order
            .address
            .country_iso2
            .clone()
            .unwrap_or_else(|| shaq.source_country_iso2.clone()),
        region_id,
        destination_region: region_name,
        destination_city: if order.address.city.is_empty() {
            order.address.line1.clone()
        } else {
            order.address.city.clone()
        },
        destination_address_line_1: order.address.line1.clone(),
        destination_address_line_2: order.address.line2.clone(),
        destination_postal_code: order.address.postal_code.clone(),
        description,
        units: order.units(),
        package_type: shaq.defaults.package_type.clone(),
        handling: shaq.defaults.handling.clone(),
        value: order.total,
        amount_to_collect,
        items: order
            .items
            .iter()
            .map(|item| PackageItem {
                name: item.name.clone(),
                quantity: item.quantity,
            })
            .collect(),
        special_instructions: order.note.clone(),
    }))
}

/// `Order #1047: 2 × Kente scarf, 1 × Shea butter`.
fn summary(order: &Order) -> String {
    let items: Vec<String> = order
        .items
        .iter()
        .map(|i| format!("{} × {}", i.quantity, i.name))
        .collect();
    let text = if items.is_empty() {
        format!("Order {}", order.order_ref)
    } else {
        format!("Order {}: {}", order.order_ref, items.join(", "))
    };
    text.chars().take(250).collect()
}

/// The ticket for an order.
pub(super) fn ticket_request(
    record: &OrderRecord,
    digishare: &DigishareSettings,
    status_id: &str,
    campaign_data: Map<String, Value>,
) -> Result<TicketRequest, String> {
    let order = domain_order(record).ok_or("the stored order cannot be read")?;
    let phone = order
        .recipient
        .phone
        .as_ref()
        .ok_or("no usable phone number for WhatsApp")?;
    Ok(TicketRequest {
        external_id: record.partner_ref.clone(),
        type_ticket_id: digishare.type_ticket_id.clone(),
        ticket_status_id: status_id.to_owned(),
        subject: digishare
            .subject_template
            .replace("{order_ref}", &record.order_ref),
        lang: order.language.code().to_owned(),
        third: TicketThird {
            ext_ref: format!("{}-{}", record.shop_id, phone.wa_id()),
            name: order.recipient.name.clone(),
            wa_id: phone.wa_id().to_owned(),
            email: order.recipient.email.clone(),
        },
        campaign_data,
    })
}

/// The order's part of the ticket's template variables (strings, as templates expect).
pub(super) fn order_campaign_data(record: &OrderRecord) -> Map<String, Value> {
    let mut data = Map::new();
    let mut put = |key: &str, value: String| {
        data.insert(key.to_owned(), Value::String(value));
    };
    put("order_id", record.order_ref.clone());
    if let Some(order) = domain_order(record) {
        put("customer_name", order.recipient.name.clone());
        put("items_count", order.units().to_string());
        put("order_total", order.total.to_string());
        put("delivery_address", order.address.one_line());
        put(
            "payment",
            if order.payment.is_cash_on_delivery() {
                "cash_on_delivery".to_owned()
            } else {
                "prepaid".to_owned()
            },
        );
    }
    data
}
