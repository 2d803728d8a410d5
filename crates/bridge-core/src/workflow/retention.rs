//! Forgetting a customer: what a finished order keeps once its retention period is over.
//!
//! Maintenance finds finished orders past `[retention] customer_data` and queues a
//! `forget_customer` job for each ([`forget`]); the job runs in the order's turn like any other
//! change to it, and [`on_due`] decides, against the order as it is then (an order that came
//! back to life keeps its customer).

use chrono::{DateTime, Utc};

use super::{Decision, NewJob, OrderJob, Said, TimelineKind, TrackedOrder, timeline};
use crate::domain::OrderKey;
use crate::lifecycle::OrderState;

/// The states whose orders are finished: nothing more is expected of the customer.
pub const FINISHED: [OrderState; 3] = [
    OrderState::Delivered,
    OrderState::Returned,
    OrderState::Cancelled,
];

/// The job that forgets the order's customer; once per order.
pub fn forget(order_key: &OrderKey) -> NewJob {
    NewJob::new(OrderJob::ForgetCustomer, order_key, None)
}

/// The retention period of a finished order is over: its customer is forgotten, unless the
/// order is no longer finished or was forgotten already.
pub fn on_due(order: &TrackedOrder, now: DateTime<Utc>) -> Decision {
    let key = order.key();
    if order.forgotten_at().is_some() {
        return Decision::nothing();
    }
    if !FINISHED.contains(&order.state()) {
        return Decision::ignored(
            &key,
            Said::new("line-customer-kept").with("state", order.state()),
            now,
        );
    }
    Decision {
        order: Some(forget_customer(order, now)),
        timeline: vec![timeline(
            &key,
            now,
            TimelineKind::State,
            Said::new("line-customer-forgotten"),
        )],
        ..Decision::default()
    }
}

/// What an order is once its customer is forgotten: no name, phone, email, street, postal code
/// or note; it keeps what the numbers need (shop, amounts, items, city, region, country, state,
/// package, ticket and timeline). Its `updated_at` is kept: forgetting is not activity, and
/// the order must not look recently changed to the reports or to retention itself.
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
    next.set_forgotten(now);
    next
}
