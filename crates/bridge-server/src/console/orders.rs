//! The Orders page: search by order number, phone, tracking number or name, with filters,
//! one page at a time; and its CSV export.

use bridge_core::lifecycle::OrderState;
use bridge_core::workflow::TrackedOrder;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;

use crate::state::AppState;

use super::chrome::{Chrome, chrome, html, message, signed_in, storage_down};
use super::views::{OrderRow, encode_query};
use crate::queries::OrdersQuery;

#[derive(Template)]
#[template(path = "console/orders.html")]
struct OrdersPage {
    chrome: Chrome,
    q: String,
    shop: String,
    state: String,
    from: String,
    to: String,
    shops: Vec<String>,
    /// Each state's stored name and its name for people.
    states: Vec<(&'static str, String)>,
    rows: Vec<OrderRow>,
    /// `1–50 of 312, newest first`, or that nothing matches.
    summary: String,
    prev: Option<String>,
    next: Option<String>,
    csv: String,
}

fn query_string(query: &OrdersQuery, offset: Option<u32>) -> String {
    let mut parts = Vec::new();
    for (key, value) in [
        ("q", &query.q),
        ("shop", &query.shop),
        ("state", &query.state),
        ("from", &query.from),
        ("to", &query.to),
    ] {
        if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
            parts.push(format!("{key}={}", encode_query(value)));
        }
    }
    if let Some(offset) = offset.filter(|o| *o > 0) {
        parts.push(format!("offset={offset}"));
    }
    parts.join("&")
}

pub async fn orders(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<OrdersQuery>,
) -> Response {
    let here = format!("/console/orders?{}", query_string(&query, query.offset));
    let session = match signed_in(&state, &headers, &here).await {
        Ok(session) => session,
        Err(response) => return response,
    };
    let mut page_chrome = chrome(&session, "orders");
    let parsed = query.parse();
    let (rows, total, offset, limit) = match &parsed {
        Ok(parsed) => match state.store.search_orders(parsed).await {
            Ok(page) => {
                let now = Utc::now();
                (
                    page.orders.iter().map(|o| OrderRow::of(o, now)).collect(),
                    page.total,
                    page.offset,
                    page.limit,
                )
            }
            Err(error) => return storage_down(&error),
        },
        Err(error) => {
            page_chrome.error = Some(error.to_string());
            (Vec::new(), 0, 0, 50)
        }
    };
    let shown = u64::try_from(rows.len()).unwrap_or(0);
    let prev = (offset > 0).then(|| {
        format!(
            "/console/orders?{}",
            query_string(&query, Some(offset.saturating_sub(limit)))
        )
    });
    let next = (u64::from(offset) + shown < total).then(|| {
        format!(
            "/console/orders?{}",
            query_string(&query, Some(offset + limit))
        )
    });
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    html(
        if parsed.is_ok() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        },
        &OrdersPage {
            chrome: page_chrome,
            q: text(&query.q),
            shop: text(&query.shop),
            state: text(&query.state),
            from: text(&query.from),
            to: text(&query.to),
            shops: state
                .settings
                .shops
                .iter()
                .map(|s| s.id.to_string())
                .collect(),
            states: OrderState::ALL
                .iter()
                .map(|s| (s.as_str(), super::views::state_label(*s)))
                .collect(),
            summary: if total == 0 {
                super::words::t("orders-none")
            } else {
                super::words::t_with(
                    "orders-summary",
                    &[
                        ("first", (u64::from(offset) + 1).into()),
                        ("last", (u64::from(offset) + shown).into()),
                        ("total", total.into()),
                    ],
                )
            },
            rows,
            prev,
            next,
            csv: format!("/console/orders.csv?{}", query_string(&query, None)),
        },
    )
}

/// The most rows one CSV export holds.
const CSV_MAX: u32 = 20_000;

pub async fn orders_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<OrdersQuery>,
) -> Response {
    if let Err(response) = signed_in(&state, &headers, "/console/orders").await {
        return response;
    }
    let mut parsed = match query.parse() {
        Ok(parsed) => parsed,
        Err(error) => {
            return message(
                StatusCode::UNPROCESSABLE_ENTITY,
                "message-refused",
                error.to_string(),
            );
        }
    };
    parsed.limit = bridge_core::store::MAX_PAGE;
    parsed.offset = 0;
    let mut orders: Vec<TrackedOrder> = Vec::new();
    loop {
        match state.store.search_orders(&parsed).await {
            Ok(page) => {
                let done = page.orders.len() < page.limit as usize;
                orders.extend(page.orders);
                parsed.offset += page.limit;
                if done || parsed.offset >= CSV_MAX {
                    break;
                }
            }
            Err(error) => return storage_down(&error),
        }
    }
    match crate::export::to_csv(&orders) {
        Ok(body) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/csv; charset=utf-8"),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    HeaderValue::from_static("attachment; filename=\"orders.csv\""),
                ),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
            super::views::for_spreadsheets(body),
        )
            .into_response(),
        Err(error) => storage_down(&error),
    }
}
