//! The customer's invoice: the order as the shop sold it, in the customer's language, printed by
//! `documents` with every word from the catalogue. Uploaded to Digishare and put on the ticket
//! when it is created (`campaign_data.invoice_document`), as Digishare's e-commerce guide shows;
//! also downloadable from the console.

use chrono_tz::Tz;
use documents::{Direction, Invoice, InvoiceItem};
use rust_decimal::Decimal;

use crate::domain::wording;
use crate::settings::ShopSettings;
use crate::workflow::TrackedOrder;

/// The invoice of `order`, as a PDF.
pub fn invoice_pdf(
    order: &TrackedOrder,
    shop: &ShopSettings,
) -> Result<Vec<u8>, documents::DocumentError> {
    documents::invoice::render(&invoice_of(order, shop, shop.zone()))
}

/// The file name Digishare shows (`invoice-1047`; the guide's names carry no extension).
pub fn file_name(order: &TrackedOrder) -> String {
    let reference: String = order
        .order()
        .order_ref
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(40)
        .collect();
    format!("invoice-{reference}")
}

/// What the invoice says.
fn invoice_of(order: &TrackedOrder, shop: &ShopSettings, zone: Tz) -> Invoice {
    let sold = order.order();
    let language = sold.language;
    let locale = catalogue::Locale::from(language);
    let word = |id: &str| catalogue::text(locale, id);
    let money = |value: Decimal| wording::amount(value, &sold.currency, language);
    let address = &sold.address;
    let mut customer = vec![sold.recipient.name.clone(), address.line1.clone()];
    customer.extend(address.line2.clone());
    customer.push(
        [Some(address.city.as_str()), address.region.as_deref()]
            .into_iter()
            .flatten()
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(", "),
    );
    let items: Vec<InvoiceItem> = sold
        .items
        .iter()
        .map(|item| InvoiceItem {
            name: item.name.clone(),
            quantity: item.quantity.to_string(),
            unit_price: money(item.unit_price),
            amount: money(item.unit_price * Decimal::from(item.quantity)),
        })
        .collect();
    let subtotal: Decimal = sold
        .items
        .iter()
        .map(|item| item.unit_price * Decimal::from(item.quantity))
        .sum();
    let mut totals = Vec::new();
    if !sold.items.is_empty() && subtotal != sold.total {
        // What the items do not explain (shipping, discounts, taxes) in one honest line.
        totals.push((word("invoice-subtotal"), money(subtotal)));
        totals.push((word("invoice-adjustments"), money(sold.total - subtotal)));
    }
    totals.push((word("invoice-total"), money(sold.total)));
    let cash_on_delivery = sold.payment.is_cash_on_delivery();
    let to_collect = if cash_on_delivery {
        (
            word("invoice-to-collect"),
            wording::amount(order.collect().amount, &order.collect().currency, language),
        )
    } else {
        (word("invoice-paid"), String::new())
    };
    Invoice {
        direction: if locale.is_rtl() {
            Direction::Rtl
        } else {
            Direction::Ltr
        },
        language: locale.tag().to_owned(),
        title: word("invoice-title"),
        seller: std::iter::once(
            shop.invoice
                .seller_name
                .clone()
                .unwrap_or_else(|| shop.id.to_string()),
        )
        .chain(shop.invoice.seller_address.iter().cloned())
        .collect(),
        facts: vec![
            (word("invoice-order"), sold.order_ref.clone()),
            (
                word("invoice-date"),
                wording::date(order.created_at(), zone, language),
            ),
            (
                word("invoice-payment"),
                word(if cash_on_delivery {
                    "invoice-payment-cod"
                } else {
                    "invoice-payment-prepaid"
                }),
            ),
        ],
        customer_heading: word("invoice-deliver-to"),
        customer,
        columns: [
            word("invoice-item"),
            word("invoice-quantity"),
            word("invoice-unit-price"),
            word("invoice-amount"),
        ],
        items,
        totals,
        to_collect: Some(to_collect),
        footer: Some(word("invoice-thanks")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        Address, Item, Language, Order, Payment, PlatformOrderId, Recipient, ShopId,
    };
    use crate::lifecycle::OrderState;
    use chrono::TimeZone;

    fn order(language: Language, payment: Payment) -> TrackedOrder {
        let order = Order {
            shop_id: ShopId::new("kente"),
            platform_order_id: PlatformOrderId::new("1047"),
            version: None,
            cancelled: false,
            note: None,
            language,
            payment,
            items: vec![Item {
                name: "Caftan brodé".to_owned(),
                sku: None,
                quantity: 2,
                unit_price: Decimal::new(34900, 2),
            }],
            total: Decimal::new(71800, 2),
            currency: "MAD".to_owned(),
            recipient: Recipient {
                name: "Éloïse Benali".to_owned(),
                phone: None,
                phone_problem: None,
                email: None,
                phone_2: None,
            },
            address: Address {
                line1: "Bd Zerktouni 10".to_owned(),
                city: "Casablanca".to_owned(),
                ..Address::default()
            },
            order_ref: "#1047".to_owned(),
        };
        TrackedOrder::for_tests(
            order,
            OrderState::Shipping,
            chrono::Utc.with_ymd_and_hms(2026, 12, 7, 10, 0, 0).unwrap(),
        )
    }

    #[test]
    fn a_french_cash_on_delivery_invoice_reads_in_french_with_its_adjustments() {
        let shop: ShopSettings = serde_json::from_value(serde_json::json!({
            "id": "kente", "platform": "shopify", "webhook_secrets": ["secret-0123456789"],
            "time_zone": "Africa/Casablanca", "invoice": {"seller_address": ["Derb Omar"]}
        }))
        .unwrap();
        let cod = Payment::CashOnDelivery {
            amount_to_collect: Decimal::new(71800, 2),
        };
        let invoice = invoice_of(&order(Language::Fr, cod), &shop, shop.zone());
        assert_eq!(invoice.title, "Facture");
        assert_eq!(invoice.seller, ["kente", "Derb Omar"]);
        assert!(
            invoice
                .facts
                .iter()
                .any(|(_, v)| v == "Paiement à la livraison")
        );
        assert!(invoice.facts.iter().any(|(_, v)| v == "07/12/2026 11:00"));
        // Two caftans at 349,00 are 698,00; the 20,00 more (shipping) is one honest line.
        assert_eq!(
            invoice.totals,
            [
                ("Sous-total".to_owned(), "698,00 DH".to_owned()),
                (
                    "Livraison, remises et taxes".to_owned(),
                    "20,00 DH".to_owned()
                ),
                ("Total".to_owned(), "718,00 DH".to_owned()),
            ]
        );
        assert_eq!(
            invoice.to_collect,
            Some(("À payer à la livraison".to_owned(), "718,00 DH".to_owned()))
        );
        let pdf = invoice_pdf(&order(Language::Fr, Payment::Prepaid), &shop).unwrap();
        let text = documents::extracted_text(&pdf).unwrap();
        assert!(text.contains("Déjà payée"), "{text}");
        assert!(text.contains("Éloïse Benali"), "{text}");
        assert_eq!(
            file_name(&order(Language::En, Payment::Prepaid)),
            "invoice-1047"
        );
    }
}
