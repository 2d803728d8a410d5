//! Forgetting a customer: what a finished order keeps once its retention period is over.

use chrono::{DateTime, Utc};

use super::TrackedOrder;

/// What an order is once its customer is forgotten: no name, phone, email, street, postal code
/// or note; it keeps what the numbers need (shop, amounts, items, city, region, country, state,
/// package, ticket and timeline).
pub fn forget_customer(order: &TrackedOrder, now: DateTime<Utc>) -> TrackedOrder {
    let mut forgotten = order.order().clone();
    forgotten.recipient.name = "[removed]".to_owned();
    forgotten.recipient.phone = None;
    forgotten.recipient.phone_problem = None;
    forgotten.recipient.email = None;
    forgotten.address.line1 = String::new();
    forgotten.address.line2 = None;
    forgotten.address.postal_code = None;
    forgotten.note = None;
    let mut next = order.clone();
    next.replace_order(forgotten);
    next.touch(now);
    next
}
