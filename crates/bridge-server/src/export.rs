//! Orders as rows: the CLI's `orders list` (table, CSV, JSON) and the console's CSV export.

use bridge_core::workflow::TrackedOrder;
use serde::Serialize;

/// One order as a row. The phone is in full: exports are for the merchant, who calls the
/// customer; the table the CLI prints masks it.
#[derive(Debug, Clone, Serialize)]
pub struct OrderLine {
    /// `shop/platform id`.
    pub order_key: String,
    /// The shop's id.
    pub shop: String,
    /// The name people use (`#1047`).
    pub order_name: String,
    /// The platform's id.
    pub platform_order_id: String,
    /// Where it is.
    pub state: String,
    /// When the bridge received it (UTC, RFC 3339).
    pub received_at: String,
    /// The customer.
    pub customer: String,
    /// Their phone (E.164).
    pub phone: String,
    /// The delivery region.
    pub region: String,
    /// ShaQ's tracking number.
    pub tracking_number: String,
    /// What the courier collects.
    pub amount_to_collect: String,
    /// Its currency.
    pub currency: String,
    /// Why a person is needed.
    pub attention: String,
}

impl OrderLine {
    /// The column names, in order.
    pub const HEADERS: [&'static str; 13] = [
        "order_key",
        "shop",
        "order_name",
        "platform_order_id",
        "state",
        "received_at",
        "customer",
        "phone",
        "region",
        "tracking_number",
        "amount_to_collect",
        "currency",
        "attention",
    ];

    /// The row of an order.
    pub fn of(order: &TrackedOrder) -> OrderLine {
        let shop_order = order.order();
        OrderLine {
            order_key: order.key().to_string(),
            shop: order.shop_id().to_string(),
            order_name: shop_order.order_ref.clone(),
            platform_order_id: shop_order.platform_order_id.to_string(),
            state: order.state().as_str().to_owned(),
            received_at: order.created_at().to_rfc3339(),
            customer: shop_order.recipient.name.clone(),
            phone: shop_order
                .recipient
                .phone
                .as_ref()
                .map(|p| p.expose().to_owned())
                .unwrap_or_default(),
            region: order.region().map(|r| r.region.clone()).unwrap_or_default(),
            tracking_number: order
                .tracking_number()
                .map(|t| t.as_str().to_owned())
                .unwrap_or_default(),
            amount_to_collect: order.collect().amount.to_string(),
            currency: order.collect().currency.clone(),
            attention: order
                .attention()
                .map(ToString::to_string)
                .unwrap_or_default(),
        }
    }
}

/// Orders as CSV, with a header row. Cells that a spreadsheet would run as a formula
/// (`=`, `+`, `-`, `@` first) are prefixed with `'`: a customer's name is not a command.
pub fn to_csv(orders: &[TrackedOrder]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(OrderLine::HEADERS)?;
    for order in orders {
        let line = OrderLine::of(order);
        let cells = [
            line.order_key,
            line.shop,
            line.order_name,
            line.platform_order_id,
            line.state,
            line.received_at,
            line.customer,
            line.phone,
            line.region,
            line.tracking_number,
            line.amount_to_collect,
            line.currency,
            line.attention,
        ];
        writer.write_record(cells.iter().map(|cell| defuse(cell)))?;
    }
    writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}

fn defuse(cell: &str) -> String {
    // A phone in E.164 starts with `+` and is data, not a formula.
    let is_phone = cell.starts_with('+') && cell[1..].chars().all(|c| c.is_ascii_digit());
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') if !is_phone => format!("'{cell}"),
        _ => cell.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::defuse;

    #[test]
    fn formulas_are_defused_and_phones_kept() {
        assert_eq!(defuse("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(defuse("+233244123456"), "+233244123456");
        assert_eq!(defuse("-5"), "'-5");
        assert_eq!(defuse("Ama"), "Ama");
    }
}
