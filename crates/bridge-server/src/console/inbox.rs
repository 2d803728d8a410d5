//! The inbox: the orders waiting for a person and the jobs that gave up.

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
use super::views::{DeadJob, OrderRow};

#[derive(Template)]
#[template(path = "console/inbox.html")]
struct InboxPage {
    chrome: Chrome,
    attention: Vec<OrderRow>,
    attention_total: u64,
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
    let dead = state
        .store
        .list_jobs(&JobFilter {
            state: Some(JobState::Dead),
            limit: Some(200),
            ..JobFilter::default()
        })
        .await;
    let (attention, dead) = match (attention, dead) {
        (Ok(attention), Ok(dead)) => (attention, dead),
        (Err(error), _) | (_, Err(error)) => return storage_down(&error),
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
            dead: dead.iter().map(|j| DeadJob::of(j, now)).collect(),
        },
    )
}
