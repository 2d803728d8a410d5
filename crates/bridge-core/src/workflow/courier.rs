//! ShaQ's news about a package: statuses and amount changes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::mapping::CourierMapping;
use super::{Decision, MoveTicket, move_ticket, timeline, with_state, write_back};
use crate::store::OrderRecord;

/// A courier status, from a webhook or from reconciliation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourierNews {
    /// ShaQ's `event_id` (or a synthetic id for reconciliation).
    pub event_id: String,
    /// When it happened at ShaQ.
    pub occurred_at: DateTime<Utc>,
    /// The status slug (unknown slugs included).
    pub status: String,
    /// ShaQ's description.
    pub description: Option<String>,
    /// ShaQ's comment.
    pub comment: Option<String>,
    /// Proof of delivery.
    pub proof_url: Option<String>,
}

/// A changed amount to collect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmountNews {
    /// ShaQ's `event_id`.
    pub event_id: String,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// The new amount, as a decimal string.
    pub new_amount: String,
    /// Its currency.
    pub currency: Option<String>,
    /// Why (the customer asked).
    pub reason: Option<String>,
}

/// A package status: the ticket follows every status as mapped; the order state moves only
/// forward; the shop hears of each milestone once. Events older than the last applied one are
/// ignored (ShaQ retries and may deliver out of order).
pub fn on_courier_status(
    order: &OrderRecord,
    news: &CourierNews,
    mapping: &CourierMapping,
    now: DateTime<Utc>,
) -> Decision {
    let key = &order.order_key;
    if let Some(last) = order.courier_status_at {
        let same = order.courier_status.as_deref() == Some(news.status.as_str());
        if news.occurred_at < last || (news.occurred_at == last && same) {
            return Decision::ignored(
                key,
                format!(
                    "courier status {} at {} is not newer than {} at {last}",
                    news.status,
                    news.occurred_at,
                    order.courier_status.as_deref().unwrap_or("?")
                ),
                now,
            );
        }
    }
    let mut lines = vec![timeline(
        key,
        now,
        "courier",
        format!(
            "ShaQ: {}{}",
            news.status,
            news.description
                .as_deref()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default()
        ),
    )];
    let Some(effect) = mapping.effect(&news.status) else {
        let mut next = order.clone();
        next.courier_status = Some(news.status.clone());
        next.courier_status_at = Some(news.occurred_at);
        next.updated_at = now;
        lines.push(timeline(
            key,
            now,
            "unmapped",
            format!(
                "courier status `{}` is not mapped: ticket not moved",
                news.status
            ),
        ));
        return Decision {
            order: Some(next),
            jobs: Vec::new(),
            timeline: lines,
            outcome: format!("recorded: unmapped status {}", news.status),
        };
    };
    if order.courier_status.as_deref() == Some(news.status.as_str()) {
        // The same status again (ShaQ repeats it, or it confirms what the bridge set when it
        // created the package): the customer already heard of it.
        let mut next = order.clone();
        next.courier_status_at = Some(news.occurred_at);
        next.updated_at = now;
        lines.push(timeline(
            key,
            now,
            "courier",
            "status unchanged: ticket not moved",
        ));
        return Decision {
            order: Some(next),
            jobs: Vec::new(),
            timeline: lines,
            outcome: "recorded: status unchanged".to_owned(),
        };
    }
    let state_moves = order.state.allows_courier_move_to(effect.state);
    let mut next = if state_moves {
        with_state(order, effect.state, now, &mut lines)
    } else {
        order.clone()
    };
    next.courier_status = Some(news.status.clone());
    next.courier_status_at = Some(news.occurred_at);
    next.updated_at = now;

    let mut jobs = Vec::new();
    if effect.ticket.is_some() {
        jobs.push(move_ticket(
            key,
            &format!("courier:{}", news.event_id),
            MoveTicket {
                status_key: effect.ticket.clone(),
                courier_status: Some(news.status.clone()),
                description: news.description.clone(),
                comment: news.comment.clone(),
                proof_url: news.proof_url.clone(),
            },
        ));
    }
    if state_moves && let Some(milestone) = effect.shop {
        jobs.push(write_back(key, milestone));
    }
    Decision {
        order: Some(next),
        jobs,
        timeline: lines,
        outcome: "applied".to_owned(),
    }
}

/// The amount to collect changed (at the customer's request): store it and refresh the ticket.
pub fn on_amount_changed(order: &OrderRecord, news: &AmountNews, now: DateTime<Utc>) -> Decision {
    let key = &order.order_key;
    let mut next = order.clone();
    next.amount_to_collect = Some(news.new_amount.clone());
    if news.currency.is_some() {
        next.currency = news.currency.clone();
    }
    next.updated_at = now;
    let summary = format!(
        "amount to collect {} → {} {}{}",
        order.amount_to_collect.as_deref().unwrap_or("?"),
        news.new_amount,
        next.currency.as_deref().unwrap_or(""),
        news.reason
            .as_deref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default()
    );
    Decision {
        order: Some(next),
        jobs: vec![move_ticket(
            key,
            &format!("amount:{}", news.event_id),
            MoveTicket::default(),
        )],
        timeline: vec![timeline(key, now, "courier", summary)],
        outcome: "applied".to_owned(),
    }
}
