//! From a tracked order to the package ShaQ needs (to create it, or to update it).

use shaq_client::{
    Collection, Destination, Item, NewPackage, PackageBasics, PackageUpdate, Region,
};

use crate::domain::{Order, RegionRules, Unshippable, locate, shaq_destination};
use crate::settings::ShaqSettings;
use crate::workflow::TrackedOrder;

/// The package for an order, or why it cannot be sent as it is. The region is the one found
/// when the order arrived (orders stored by earlier versions are located now), matched against
/// ShaQ's list for its id.
pub(super) fn new_package(
    order: &TrackedOrder,
    shaq: &ShaqSettings,
    rules: &RegionRules,
    regions: &[Region],
) -> Result<NewPackage, Unshippable> {
    let shop_order = order.order();
    let phone = shop_order
        .recipient
        .phone
        .as_ref()
        .ok_or(Unshippable::NoPhone)?;
    let region = match order.region() {
        Some(located) => located.region.clone(),
        None => locate(&shop_order.address, rules)?.region,
    };
    let destination: Destination = shaq_destination(&region, regions)?;
    let address = &shop_order.address;
    let amount = order.amount_for_courier();
    let collection = if amount.is_zero() {
        Collection::Prepaid
    } else {
        Collection::CashOnDelivery(amount)
    };
    let items = shop_order
        .items
        .iter()
        .map(|item| Item {
            name: item.name.clone(),
            quantity: item.quantity,
        })
        .collect();
    let mut package = NewPackage::new(
        PackageBasics {
            partner_ref: order.partner_ref().to_string(),
            customer_name: shop_order.recipient.name.clone(),
            customer_phone: phone.expose().to_owned(),
            source: (
                shaq.source_country_iso2.clone(),
                shaq.source_address_line_1.clone(),
            ),
            destination_country_iso2: address
                .country_iso2
                .as_ref()
                .map_or_else(|| shaq.source_country_iso2.clone(), |c| c.to_string()),
            destination,
            city_and_street: (
                if address.city.is_empty() {
                    address.line1.clone()
                } else {
                    address.city.clone()
                },
                address.line1.clone(),
            ),
            description: summary(shop_order),
            value: shop_order.total,
        },
        collection,
        items,
    );
    package.source_address_line_2 = shaq.source_address_line_2.clone();
    package.destination_address_line_2 = address.line2.clone();
    package.customer_phone_2 = shop_order
        .recipient
        .phone_2
        .as_ref()
        .map(|phone| phone.expose().to_owned());
    package.landmark = landmark(address.line2.as_deref());
    if let Some(point) = address.coordinates {
        package.latitude = point.latitude.to_string().parse().ok();
        package.longitude = point.longitude.to_string().parse().ok();
    }
    package.destination_postal_code = address.postal_code.clone();
    package.units = shop_order.units();
    package.package_type = shaq.defaults.package_type;
    package.handling = shaq.defaults.handling;
    package.special_instructions = shop_order.note.clone();
    Ok(package)
}

/// The rider's landmark: the address's second line ("blue gate opposite the Total station"),
/// unless it is a GhanaPost GPS code (`GA-183-8164`), which stays an address line.
fn landmark(line2: Option<&str>) -> Option<String> {
    let line2 = line2?.trim();
    let compact: String = line2.chars().filter(|c| *c != '-' && *c != ' ').collect();
    let gps = compact.len() >= 9
        && compact.len() <= 11
        && compact[..2].chars().all(|c| c.is_ascii_alphabetic())
        && compact[2..].chars().all(|c| c.is_ascii_digit());
    (!line2.is_empty() && !gps).then(|| line2.to_owned())
}

/// Every field of a pending package the shop can change. The region goes by name
/// (`destination_region`, which ShaQ's update table lists; `region_id` is a creation field).
pub(super) fn package_update(package: NewPackage, regions: &[Region]) -> PackageUpdate {
    let region_name = package.destination_region.or_else(|| {
        let id = package.region_id?;
        regions
            .iter()
            .find(|region| region.id == id)
            .map(|region| region.name.clone())
    });
    PackageUpdate {
        customer_name: Some(package.customer_name),
        customer_phone_1: Some(package.customer_phone_1),
        customer_phone_2: package.customer_phone_2,
        destination_region: region_name,
        destination_city: Some(package.destination_city),
        destination_address_line_1: Some(package.destination_address_line_1),
        destination_address_line_2: package.destination_address_line_2,
        description: Some(package.description),
        units: Some(package.units),
        value: Some(package.value),
        amount_to_collect: Some(package.amount_to_collect),
        items: Some(package.items),
        special_instructions: package.special_instructions,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_landmark_is_the_second_line_unless_it_is_a_ghanapost_code() {
        assert_eq!(
            landmark(Some("Blue gate opposite the Total station")).as_deref(),
            Some("Blue gate opposite the Total station")
        );
        for code in ["GA-183-8164", "AK-039-5028", "ga1838164"] {
            assert_eq!(landmark(Some(code)), None, "{code}");
        }
        assert_eq!(landmark(Some("  ")), None);
        assert_eq!(landmark(None), None);
    }
}
