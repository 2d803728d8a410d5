//! The inbox: the orders waiting for a person, the customers to call because the courier could
//! not deliver, and the jobs that gave up.

use bridge_core::jobs::JobState;
use bridge_core::lifecycle::OrderState;
use bridge_core::store::{JobFilter, OrderQuery};

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::Utc;

use crate::state::AppState;

use super::chrome::{Chrome, chrome, html, signed_in, storage_down};
use super::views::{DeadJob, OrderRow, ago, order_href};
use super::words::t;

/// An order the courier could not deliver: someone calls the customer. It leaves the list when
/// the courier moves on (a new attempt, delivered, returned).
struct ToCall {
    href: String,
    name: String,
    shop: String,
    customer: String,
    /// ShaQ's status, in words.
    status: String,
    /// ShaQ's comment on it.
    comment: String,
    since: String,
    phone: String,
    /// The number for a `tel:` link (in full: the operator calls it).
    tel: Option<String>,
}

impl ToCall {
    fn of(order: &bridge_core::workflow::TrackedOrder, now: chrono::DateTime<Utc>) -> ToCall {
        let shop_order = order.order();
        let phone = shop_order.recipient.phone.as_ref();
        let status = order.courier_status().map(|s| s.as_str()).unwrap_or("");
        let status_id = format!("shaq-status-{status}");
        ToCall {
            href: order_href(order),
            name: shop_order.order_ref.clone(),
            shop: order.shop_id().to_string(),
            customer: shop_order.recipient.name.clone(),
            status: if catalogue::has(&status_id) {
                t(&status_id)
            } else {
                status.to_owned()
            },
            comment: order
                .courier_details()
                .last_comment
                .clone()
                .unwrap_or_default(),
            since: ago(order.updated_at(), now),
            phone: phone.map(|p| p.expose().to_owned()).unwrap_or_default(),
            tel: phone.map(|p| p.expose().to_owned()),
        }
    }
}

#[derive(Template)]
#[template(path = "console/inbox.html")]
struct InboxPage {
    chrome: Chrome,
    attention: Vec<OrderRow>,
    attention_total: u64,
    to_call: Vec<ToCall>,
    dead: Vec<DeadJob>,
}

pub async fn inbox(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let session = match signed_in(&state, &headers, "/console").await {
        Ok(session) => session,
        Err(response) => return response,
    };
    let now = Utc::now();
    let attention = state
        .store
        .search_orders(&OrderQuery {
            state: Some(OrderState::NeedsAttention),
            limit: 200,
            ..OrderQuery::default()
        })
        .await;
    let troubled = state
        .store
        .search_orders(&OrderQuery {
            state: Some(OrderState::DeliveryProblem),
            limit: 200,
            ..OrderQuery::default()
        })
        .await;
    let dead = state
        .store
        .list_jobs(&JobFilter {
            state: Some(JobState::Dead),
            limit: Some(200),
            ..JobFilter::default()
        })
        .await;
    let (attention, troubled, dead) = match (attention, troubled, dead) {
        (Ok(attention), Ok(troubled), Ok(dead)) => (attention, troubled, dead),
        (Err(error), _, _) | (_, Err(error), _) | (_, _, Err(error)) => {
            return storage_down(&error);
        }
    };
    html(
        StatusCode::OK,
        &InboxPage {
            chrome: chrome(&session, "inbox"),
            attention_total: attention.total,
            attention: attention
                .orders
                .iter()
                .map(|o| OrderRow::of(o, now))
                .collect(),
            to_call: troubled.orders.iter().map(|o| ToCall::of(o, now)).collect(),
            dead: dead.iter().map(|j| DeadJob::of(j, now)).collect(),
        },
    )
}
