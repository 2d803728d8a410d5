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
    put(
        "tracking_url",
        order
            .tracking_number()
            .and_then(|t| shaq.tracking_url(t.as_str())),
    );
    put(
        "amount_to_collect",
        Some(order.collect().amount.to_string()),
    );
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
    put("status_comment", news.comment.clone());
    put("proof_url", news.proof_url.clone());
    data
}
