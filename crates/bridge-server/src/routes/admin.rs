//! `/api/*`: orders with their timelines, jobs, and retrying dead jobs. Admin token required.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use bridge_core::domain::{OrderKey, PlatformOrderId, ShopId};
use bridge_core::jobs::{JobKind, JobState};
use bridge_core::lifecycle::OrderState;
use bridge_core::store::{JobFilter, OrderFilter};
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::Admin;
use crate::error::ApiError;
use crate::startup::AppState;

/// The admin routes.
pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/api/orders", get(list_orders))
        .route("/api/orders/{shop_id}/{order_id}", get(show_order))
        .route("/api/jobs", get(list_jobs))
        .route("/api/jobs/{id}/retry", post(retry_job))
        .route("/api/jobs/retry-dead", post(retry_dead_jobs))
}

#[derive(Debug, Deserialize)]
struct OrdersQuery {
    shop: Option<String>,
    state: Option<String>,
    limit: Option<u32>,
}

async fn list_orders(
    _: Admin,
    State(state): State<AppState>,
    Query(query): Query<OrdersQuery>,
) -> Result<Json<Value>, ApiError> {
    let order_state = query
        .state
        .as_deref()
        .map(|s| {
            s.parse::<OrderState>()
                .map_err(|_| ApiError::invalid_field("state", format!("unknown order state `{s}`")))
        })
        .transpose()?;
    let orders = state
        .store
        .list_orders(&OrderFilter {
            shop_id: query.shop.map(ShopId::new),
            state: order_state,
            limit: query.limit,
        })
        .await?;
    Ok(Json(json!({ "orders": orders })))
}

async fn show_order(
    _: Admin,
    State(state): State<AppState>,
    Path((shop_id, order_id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let key = OrderKey::of(&ShopId::new(shop_id), &PlatformOrderId::new(order_id));
    let order = state
        .store
        .order(&key)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no order {key}")))?;
    let timeline = state.store.timeline(&key).await?;
    let jobs = state
        .store
        .list_jobs(&JobFilter {
            order_key: Some(key.clone()),
            ..JobFilter::default()
        })
        .await?;
    Ok(Json(
        json!({ "order": order, "timeline": timeline, "jobs": jobs }),
    ))
}

#[derive(Debug, Deserialize)]
struct JobsQuery {
    state: Option<String>,
    kind: Option<String>,
    order: Option<String>,
    limit: Option<u32>,
}

async fn list_jobs(
    _: Admin,
    State(state): State<AppState>,
    Query(query): Query<JobsQuery>,
) -> Result<Json<Value>, ApiError> {
    let job_state = query
        .state
        .as_deref()
        .map(|s| {
            s.parse::<JobState>()
                .map_err(|_| ApiError::invalid_field("state", format!("unknown job state `{s}`")))
        })
        .transpose()?;
    let kind = query
        .kind
        .as_deref()
        .map(|s| {
            s.parse::<JobKind>()
                .map_err(|_| ApiError::invalid_field("kind", format!("unknown job kind `{s}`")))
        })
        .transpose()?;
    let jobs = state
        .store
        .list_jobs(&JobFilter {
            state: job_state,
            kind,
            order_key: query.order.map(OrderKey::new),
            limit: query.limit,
        })
        .await?;
    Ok(Json(json!({ "jobs": jobs })))
}

async fn retry_job(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    if state.store.revive_job(id, Utc::now()).await? {
        state.waker.wake();
        Ok(Json(json!({ "job": id, "state": "queued" })))
    } else {
        Err(ApiError::NotFound(format!(
            "job {id} does not exist or is not dead"
        )))
    }
}

async fn retry_dead_jobs(_: Admin, State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let revived = state.store.revive_dead_jobs(Utc::now()).await?;
    state.waker.wake();
    Ok(Json(json!({ "revived": revived })))
}
