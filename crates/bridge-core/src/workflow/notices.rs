//! Notices for people: what to tell `[alerts].notify_url` when an order starts needing someone
//! or a job gives up. Each is a `notify` job keyed by order and reason, so a person hears of it
//! once, whatever the restarts and replicas; it is queued under `notice/{order}`, beside the
//! order, so a notice endpoint that is down never holds the order's own jobs back.

use super::{JobKind, NewJob, SystemJob, TrackedOrder};
use crate::domain::{Attention, OrderKey, mask_digit_runs};

/// The queue key of an order's notices.
fn queue_key(order_key: &OrderKey) -> OrderKey {
    OrderKey::new(format!("notice/{order_key}"))
}

fn notice(order_key: &OrderKey, reason: String, text: String) -> NewJob {
    let discriminator = reason.clone();
    NewJob::new(
        SystemJob::Notify {
            order_key: order_key.clone(),
            reason,
            text,
        },
        &queue_key(order_key),
        Some(&discriminator),
    )
}

/// The address of the order's page in the console, when the bridge's public address is known.
fn link(console: Option<&str>, order_key: &OrderKey) -> String {
    let Some(base) = console else {
        return String::new();
    };
    let (shop, id) = order_key
        .as_str()
        .split_once('/')
        .unwrap_or((order_key.as_str(), ""));
    format!(
        " {}/console/orders/{}/{}",
        base.trim_end_matches('/'),
        encode(shop),
        encode(id)
    )
}

/// The reason key of an attention: `attention:unshippable:no_region`.
fn attention_key(attention: Option<&Attention>) -> String {
    let value = attention.map(serde_json::to_value).and_then(Result::ok);
    let kind = value
        .as_ref()
        .and_then(|v| v["kind"].as_str())
        .unwrap_or("unknown");
    match value.as_ref().and_then(|v| v["reason"].as_str()) {
        Some(reason) => format!("attention:{kind}:{reason}"),
        None => format!("attention:{kind}"),
    }
}

/// An order waits for a person.
pub fn needs_a_person(order: &TrackedOrder, console: Option<&str>) -> NewJob {
    let key = order.key();
    let text = format!(
        "Order {} ({}) needs a person: {}.{}",
        order.order().order_ref,
        order.shop_id(),
        order
            .attention()
            .map_or_else(|| "no reason recorded".to_owned(), ToString::to_string),
        link(console, &key)
    );
    notice(&key, attention_key(order.attention()), text)
}

/// A job of `order_key` gave up with `last_error`. A notice that could not be posted is not
/// announced by another notice (it is in the dead-job list).
pub fn job_gave_up(
    order_key: &OrderKey,
    kind: JobKind,
    last_error: Option<&str>,
    console: Option<&str>,
) -> Option<NewJob> {
    if kind == JobKind::Notify {
        return None;
    }
    let text = format!(
        "Job {kind} of order {order_key} gave up: {}.{}",
        mask_digit_runs(last_error.unwrap_or("no error recorded")),
        link(console, order_key)
    );
    Some(notice(order_key, format!("dead:{kind}"), text))
}

fn encode(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
