//! A shop's news about an order: created, updated (maybe cancelled), cancelled.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Decision, MoveTicket, move_ticket, order_job, timeline, with_state};
use crate::jobs::{JobKind, NewJob};
use crate::lifecycle::OrderState;
use crate::store::{OrderRecord, TimelineEntry};

/// How a shop's orders flow.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flow {
    /// Ticket first; the package is created when the customer confirms on WhatsApp.
    #[default]
    ConfirmFirst,
    /// Package and ticket at once.
    ShipImmediately,
}

/// The per-shop rules the workflow needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopPolicy {
    /// The shop's flow.
    pub flow: Flow,
    /// Prepaid orders skip the confirmation step.
    pub prepaid_skips_confirmation: bool,
    /// An order not confirmed within this time needs a person (`None`: wait forever).
    pub confirmation_timeout: Option<Duration>,
}

/// The ticket key of a new ticket awaiting the customer's confirmation.
pub const AWAITING_CONFIRMATION: &str = "awaiting_confirmation";
/// The ticket key of a new ticket for an order shipped at once.
pub const RECEIVED: &str = "received";
/// The ticket key of a cancelled order.
pub const CANCELLED: &str = "cancelled";

/// What a shop webhook says about an order, already parsed and normalized.
#[derive(Debug, Clone, PartialEq)]
pub struct ShopOrderNews {
    /// The order as it would be stored now (state filled in by the workflow).
    pub record: OrderRecord,
    /// The platform's version (`updated_at`), to ignore older deliveries.
    pub version: Option<DateTime<Utc>>,
    /// The shop cancelled the order.
    pub cancelled: bool,
    /// Cash on delivery (else prepaid).
    pub cash_on_delivery: bool,
    /// Why the bridge cannot ship it, if it cannot.
    pub unshippable: Option<String>,
    /// The address, phone or items differ from the stored order.
    pub shipping_changed: bool,
    /// The amount to collect differs from the stored order's.
    pub collect_changed: bool,
}

/// Decides what a shop webhook does to an order.
pub fn on_shop_order(
    existing: Option<&OrderRecord>,
    news: &ShopOrderNews,
    policy: &ShopPolicy,
    now: DateTime<Utc>,
) -> Decision {
    match existing {
        None => on_new_order(news, policy, now),
        Some(order) => on_known_order(order, news, policy, now),
    }
}

fn on_new_order(news: &ShopOrderNews, policy: &ShopPolicy, now: DateTime<Utc>) -> Decision {
    let key = news.record.order_key.clone();
    let mut lines = vec![timeline(
        &key,
        now,
        "shop",
        format!("order {} received", news.record.order_ref),
    )];
    let mut order = news.record.clone();
    order.created_at = now;
    order.updated_at = now;
    if news.cancelled {
        order.state = OrderState::Cancelled;
        lines.push(timeline(
            &key,
            now,
            "state",
            "cancelled before the bridge acted",
        ));
        return decided(order, Vec::new(), lines, "recorded: already cancelled");
    }
    if let Some(reason) = &news.unshippable {
        return needs_attention(order, reason, lines, now);
    }
    let (state, jobs) = start(news, policy, &key, now, None);
    order.state = state;
    lines.push(timeline(&key, now, "state", format!("received → {state}")));
    decided(order, jobs, lines, "applied")
}

/// The first steps of a shippable order, per flow. `again` tags the jobs of a second start
/// (after the merchant fixed an order that needed attention): job keys are unique forever, so
/// the first start's jobs, already run, would otherwise swallow the new ones.
fn start(
    news: &ShopOrderNews,
    policy: &ShopPolicy,
    key: &str,
    now: DateTime<Utc>,
    again: Option<&str>,
) -> (OrderState, Vec<NewJob>) {
    let job = |kind: JobKind, payload: serde_json::Value| NewJob::new(kind, key, again, payload);
    let confirm = policy.flow == Flow::ConfirmFirst
        && (news.cash_on_delivery || !policy.prepaid_skips_confirmation);
    if confirm {
        let mut jobs = vec![job(
            JobKind::CreateTicket,
            serde_json::json!({ "status_key": AWAITING_CONFIRMATION }),
        )];
        if let Some(timeout) = policy.confirmation_timeout {
            let at = now + chrono::Duration::from_std(timeout).unwrap_or(chrono::Duration::MAX);
            jobs.push(job(JobKind::ExpireConfirmation, serde_json::json!({})).run_at(at));
        }
        (OrderState::AwaitingConfirmation, jobs)
    } else {
        (
            OrderState::Shipping,
            vec![
                job(
                    JobKind::CreateTicket,
                    serde_json::json!({ "status_key": RECEIVED }),
                ),
                job(JobKind::CreatePackage, serde_json::json!({})),
            ],
        )
    }
}

fn on_known_order(
    order: &OrderRecord,
    news: &ShopOrderNews,
    policy: &ShopPolicy,
    now: DateTime<Utc>,
) -> Decision {
    let key = order.order_key.clone();
    let stored_version = order
        .order_version
        .as_deref()
        .and_then(|v| DateTime::parse_from_rfc3339(v).ok())
        .map(|v| v.with_timezone(&Utc));
    if let (Some(stored), Some(incoming)) = (stored_version, news.version)
        && incoming <= stored
    {
        return Decision::ignored(
            &key,
            format!("shop version {incoming} is not newer than the stored {stored}"),
            now,
        );
    }
    let mut lines = vec![timeline(
        &key,
        now,
        "shop",
        format!("order {} updated", news.record.order_ref),
    )];
    let mut next = order.clone();
    next.order = news.record.order.clone();
    next.order_version = news.record.order_version.clone();
    next.order_ref = news.record.order_ref.clone();
    next.updated_at = now;
    if next.tracking_number.is_none() || order.courier_status.as_deref() == Some("pending") {
        // Before pickup the shop's amounts are the truth; after, ShaQ's are.
        next.amount_to_collect = news.record.amount_to_collect.clone();
        next.currency = news.record.currency.clone();
    }

    if news.cancelled {
        return cancel(order, next, lines, now);
    }
    let mut jobs = Vec::new();
    let retrying = order.state == OrderState::NeedsAttention && order.tracking_number.is_none();
    if !retrying && !news.shipping_changed && !news.collect_changed {
        // The bridge's own write-backs (fulfilment, tags, notes) come back as updates: keep the
        // newer version, act on nothing.
        return decided(
            next,
            Vec::new(),
            lines,
            "recorded: nothing the courier needs changed (often the echo of a write-back)",
        );
    }
    if retrying {
        // The merchant fixed the order in the shop (added a phone, an address): try again.
        if let Some(reason) = &news.unshippable {
            return needs_attention(next, reason, lines, now);
        }
        let again = format!("again-{}", now.timestamp_millis());
        let (state, start_jobs) = start(news, policy, &key, now, Some(&again));
        next.attention_reason = None;
        next = with_state(&next, state, now, &mut lines);
        jobs.extend(start_jobs);
    } else if order.tracking_number.is_some() {
        if order.courier_status.as_deref() == Some("pending") {
            let version = news
                .record
                .order_version
                .as_deref()
                .unwrap_or("unversioned");
            jobs.push(NewJob::new(
                JobKind::UpdatePackage,
                &key,
                Some(version),
                serde_json::json!({}),
            ));
        } else if news.shipping_changed {
            // A changed amount after pickup is ShaQ's to handle (it reports it back);
            // a changed address is a person's.
            lines.push(timeline(
                &key,
                now,
                "attention",
                "address, phone or items changed after pickup: ShaQ was not updated",
            ));
        }
    }
    decided(next, jobs, lines, "applied")
}

fn cancel(
    order: &OrderRecord,
    next: OrderRecord,
    mut lines: Vec<TimelineEntry>,
    now: DateTime<Utc>,
) -> Decision {
    let key = order.order_key.clone();
    if order.state == OrderState::Cancelled {
        return decided(next, Vec::new(), lines, "applied: already cancelled");
    }
    if order.state.is_final() {
        lines.push(timeline(
            &key,
            now,
            "attention",
            format!("the shop cancelled an order already {}", order.state),
        ));
        return decided(next, Vec::new(), lines, "applied: too late to cancel");
    }
    let mut jobs = vec![order_job(JobKind::CancelPackage, &key)];
    let next = if order.state.is_before_pickup() || order.state == OrderState::NeedsAttention {
        jobs.push(move_ticket(
            &key,
            "shop-cancel",
            MoveTicket {
                status_key: Some(CANCELLED.to_owned()),
                ..MoveTicket::default()
            },
        ));
        with_state(&next, OrderState::Cancelled, now, &mut lines)
    } else {
        lines.push(timeline(
            &key,
            now,
            "attention",
            "the shop cancelled after pickup: ShaQ was asked to cancel; the package will come back",
        ));
        next
    };
    decided(next, jobs, lines, "applied: cancelled")
}

fn needs_attention(
    mut order: OrderRecord,
    reason: &str,
    mut lines: Vec<TimelineEntry>,
    now: DateTime<Utc>,
) -> Decision {
    order.state = OrderState::NeedsAttention;
    order.attention_reason = Some(reason.to_owned());
    order.updated_at = now;
    lines.push(timeline(
        &order.order_key,
        now,
        "attention",
        format!("needs attention: {reason}"),
    ));
    decided(order, Vec::new(), lines, "applied: needs attention")
}

fn decided(
    order: OrderRecord,
    jobs: Vec<NewJob>,
    timeline: Vec<TimelineEntry>,
    outcome: &str,
) -> Decision {
    Decision {
        order: Some(order),
        jobs,
        timeline,
        outcome: outcome.to_owned(),
    }
}
