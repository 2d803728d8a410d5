//! What the customer's WhatsApp messages can show: the ticket's template variables
//! (`campaign_data`). All values are strings, as Digishare's templates expect.

use serde_json::{Map, Value};

use chrono_tz::Tz;

use super::MoveTicket;
use crate::domain::wording;
use crate::settings::ShaqSettings;
use crate::workflow::TrackedOrder;

/// The template variables of an order's ticket; `news` adds the courier's words for the status
/// being shown. Machine values (`amount_to_collect`, `status`) sit beside values ready for the
/// customer's language (`amount_to_collect_text`, `status_text`, dates in the shop's time zone).
pub(super) fn campaign_data(
    order: &TrackedOrder,
    shaq: &ShaqSettings,
    zone: Tz,
    news: &MoveTicket,
) -> Map<String, Value> {
    let shop_order = order.order();
    let mut data = Map::new();
    let mut put = |key: &str, value: Option<String>| {
        if let Some(value) = value {
            data.insert(key.to_owned(), Value::String(value));
        }
    };
    put("order_id", Some(shop_order.order_ref.clone()));
    put("customer_name", Some(shop_order.recipient.name.clone()));
    put("items_count", Some(shop_order.units().to_string()));
    put("order_total", Some(shop_order.total.to_string()));
    put("delivery_address", Some(shop_order.address.one_line()));
    put(
        "payment",
        Some(
            if shop_order.payment.is_cash_on_delivery() {
                "cash_on_delivery"
            } else {
                "prepaid"
            }
            .to_owned(),
        ),
    );
    put(
        "tracking_number",
        order.tracking_number().map(ToString::to_string),
    );
    // ShaQ's own tracking page when it gave one; the configured template otherwise.
    let details = order.courier_details();
    put(
        "tracking_url",
        details.tracking_url.clone().or_else(|| {
            order
                .tracking_number()
                .and_then(|t| shaq.tracking_url(t.as_str()))
        }),
    );
    put("amount_to_collect", Some(cents(order.collect().amount)));
    put("currency", Some(order.collect().currency.clone()));
    put(
        "status",
        news.courier_status
            .as_ref()
            .or(order.courier_status())
            .map(ToString::to_string),
    );
    let language = shop_order.language;
    put(
        "order_total_text",
        Some(wording::amount(
            shop_order.total,
            &shop_order.currency,
            language,
        )),
    );
    put(
        "amount_to_collect_text",
        Some(wording::amount(
            order.collect().amount,
            &order.collect().currency,
            language,
        )),
    );
    put(
        "status_text",
        news.courier_status
            .as_ref()
            .or(order.courier_status())
            .map(|status| wording::courier_status(status, language)),
    );
    put(
        "order_date",
        Some(wording::date(order.created_at(), zone, language)),
    );
    put(
        "status_date",
        order.courier().map(|c| wording::date(c.at, zone, language)),
    );
    put("status_description", news.description.clone());
    put(
        "status_comment",
        news.comment
            .clone()
            .or_else(|| details.last_comment.clone()),
    );
    put("proof_url", news.proof_url.clone());
    let locale = catalogue::Locale::from(language);
    if let Some(eta) = details.eta {
        put("eta_from", Some(eta.from.to_string()));
        put("eta_to", Some(eta.to.to_string()));
        let text = if eta.from == eta.to {
            catalogue::text_with(
                locale,
                "delivery-day",
                &[("day", wording::day(eta.from, language).into())],
            )
        } else {
            catalogue::text_with(
                locale,
                "delivery-window",
                &[
                    ("from", wording::day(eta.from, language).into()),
                    ("to", wording::day(eta.to, language).into()),
                ],
            )
        };
        put("eta_text", Some(text));
    }
    if let Some(day) = details.rescheduled_to {
        put("rescheduled_date", Some(day.to_string()));
        put(
            "rescheduled_text",
            Some(catalogue::text_with(
                locale,
                "rescheduled-to",
                &[("date", wording::day(day, language).into())],
            )),
        );
    }
    if let Some(change) = &details.amount_change {
        let amount = |value| wording::amount(value, &change.currency, language);
        put("amount_previous", Some(cents(change.from)));
        put("amount_previous_text", Some(amount(change.from)));
        put(
            "amount_change_text",
            Some(catalogue::text_with(
                locale,
                "amount-changed",
                &[
                    ("old", amount(change.from).into()),
                    ("new", amount(change.to).into()),
                ],
            )),
        );
    }
    // The files on the ticket, carried by every update (an update replaces the data whole).
    let media = order.ticket_media();
    if let Some(invoice) = &media.invoice {
        data.insert("invoice_document".to_owned(), media_value(invoice));
    }
    if let Some(label) = &media.label {
        data.insert("label".to_owned(), media_value(label));
    }
    data
}

/// An amount with at least two decimals (`95.50`: ShaQ sends amounts as JSON numbers, which
/// lose the trailing zero).
fn cents(amount: rust_decimal::Decimal) -> String {
    let mut amount = amount;
    amount.rescale(amount.scale().max(2));
    amount.to_string()
}

/// A file on the ticket as the guide writes it: `{"provider": "digishare", "id": …}`.
pub(super) fn media_value(media: &crate::domain::MediaId) -> Value {
    serde_json::json!({ "provider": "digishare", "id": media.as_str() })
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use rust_decimal::Decimal;

    use super::*;
    use crate::domain::{Address, Language, Order, Payment, PlatformOrderId, Recipient, ShopId};
    use crate::lifecycle::OrderState;

    fn moroccan_order(language: Language) -> TrackedOrder {
        let order = Order {
            shop_id: ShopId::new("souk"),
            platform_order_id: PlatformOrderId::new("77"),
            order_ref: "#77".to_owned(),
            version: None,
            cancelled: false,
            payment: Payment::CashOnDelivery {
                amount_to_collect: Decimal::new(62500, 2),
            },
            total: Decimal::new(62500, 2),
            currency: "MAD".to_owned(),
            recipient: Recipient {
                name: "Salma Bennani".to_owned(),
                phone: None,
                phone_problem: None,
                email: None,
                phone_2: None,
            },
            address: Address::default(),
            items: Vec::new(),
            note: None,
            language,
        };
        let at = Utc
            .with_ymd_and_hms(2026, 11, 23, 23, 30, 0)
            .single()
            .expect("valid");
        TrackedOrder::for_tests(order, OrderState::OutForDelivery, at)
    }

    fn shaq() -> ShaqSettings {
        serde_json::from_value(serde_json::json!({
            "base_url": "http://127.0.0.1:9/api/v1", "identifier": "p", "secret": "s",
            "webhook_secret": "0123456789abcdef", "source_country_iso2": "GH",
            "source_address_line_1": "Osu", "service_countries": ["GH"]
        }))
        .expect("valid settings")
    }

    #[test]
    fn the_customer_reads_amounts_dates_and_statuses_in_their_language() {
        let news = MoveTicket {
            courier_status: Some(shaq_client::PackageStatus::Dispatched),
            description: Some("Out for delivery".to_owned()),
            ..MoveTicket::default()
        };
        let zone = chrono_tz::Africa::Casablanca;
        let french = campaign_data(&moroccan_order(Language::Fr), &shaq(), zone, &news);
        assert_eq!(french["amount_to_collect_text"], "625,00 DH");
        assert_eq!(
            french["status_text"],
            "Votre colis est en cours de livraison aujourd'hui"
        );
        assert_eq!(french["order_date"], "24/11/2026 00:30");
        assert_eq!(french["status"], "dispatched", "the machine value stays");
        assert_eq!(french["status_description"], "Out for delivery");
        let arabic = campaign_data(&moroccan_order(Language::Ar), &shaq(), zone, &news);
        assert_eq!(arabic["amount_to_collect_text"], "625,00 د.م.");
        assert_eq!(arabic["status_text"], "طردك في طريقه إليك اليوم");
    }
}
