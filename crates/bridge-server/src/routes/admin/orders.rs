//! `/api/orders…`: find orders, show one, and a person's requests on one (correct, resume,
//! replay, cancel, after-sale), each through `crate::operations`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bridge_core::domain::ShopId;
use bridge_core::store::{JobFilter, OrderPage};
use bridge_core::workflow::returns::AfterSale;
use serde::Deserialize;
use utoipa::ToSchema;

use super::SETTLE;
use super::answers::{ActionAnswer, ErrorAnswer, OrderAnswer};
use crate::auth::ApiUser;
use crate::configuration::Role;
use crate::error::ApiError;
use crate::operations::{CorrectionInput, OrderRequest, find_order};
use crate::queries::OrdersQuery;
use crate::state::AppState;

/// Search orders, newest first, one page at a time.
#[utoipa::path(
    get,
    path = "/api/orders",
    params(OrdersQuery),
    responses(
        (status = 200, description = "One page of orders", body = OrderPage),
        (status = 422, description = "A parameter is wrong", body = ErrorAnswer),
    )
)]
pub(super) async fn list_orders(
    user: ApiUser,
    State(state): State<AppState>,
    Query(query): Query<OrdersQuery>,
) -> Result<Json<OrderPage>, ApiError> {
    user.may(Role::Viewer)?;
    Ok(Json(state.store.search_orders(&query.parse()?).await?))
}

/// The order's invoice, as its customer receives it on their ticket (`[shops.invoice]`).
#[utoipa::path(
    get,
    path = "/api/orders/{shop_id}/{order_id}/invoice.pdf",
    params(
        ("shop_id" = String, Path, description = "The shop's configured id"),
        ("order_id" = String, Path, description = "Platform id, or the order name (`%231047` for `#1047`)"),
    ),
    responses(
        (status = 200, description = "The invoice (PDF)", content_type = "application/pdf"),
        (status = 404, description = "No such order", body = ErrorAnswer),
    )
)]
pub(super) async fn order_invoice(
    user: ApiUser,
    State(state): State<AppState>,
    Path((shop_id, order_id)): Path<(String, String)>,
) -> Result<axum::response::Response, ApiError> {
    user.may(Role::Viewer)?;
    let order = find_order(&state.store, &ShopId::new(shop_id), &order_id).await?;
    crate::downloads::invoice_pdf(&state.settings, &order)
}

/// One order: its journey (timeline), jobs, and the webhooks about it.
#[utoipa::path(
    get,
    path = "/api/orders/{shop_id}/{order_id}",
    params(
        ("shop_id" = String, Path, description = "The shop's configured id"),
        ("order_id" = String, Path, description = "Platform id, or the order name (`%231047` for `#1047`)"),
    ),
    responses(
        (status = 200, description = "The order and its journey", body = OrderAnswer),
        (status = 404, description = "No such order", body = ErrorAnswer),
    )
)]
pub(super) async fn show_order(
    user: ApiUser,
    State(state): State<AppState>,
    Path((shop_id, order_id)): Path<(String, String)>,
) -> Result<Json<OrderAnswer>, ApiError> {
    user.may(Role::Viewer)?;
    let order = find_order(&state.store, &ShopId::new(shop_id), &order_id).await?;
    let key = order.key();
    let timeline = state.store.timeline(&key).await?;
    let jobs = state
        .store
        .list_jobs(&JobFilter {
            order_key: Some(key.clone()),
            ..JobFilter::default()
        })
        .await?;
    let inbound_events = state.store.inbound_events_of(&key, 50).await?;
    Ok(Json(OrderAnswer {
        order,
        timeline,
        jobs,
        inbound_events,
    }))
}

/// A person's request on an order, answered 200 once decided or 202 while the order's
/// earlier jobs still run.
async fn act(
    state: &AppState,
    user: ApiUser,
    (shop_id, order_id): (String, String),
    request: OrderRequest,
) -> Result<Response, ApiError> {
    let decided = state
        .operations()
        .request(
            &ShopId::new(shop_id),
            &order_id,
            user.actor,
            request,
            SETTLE,
        )
        .await?;
    let status = if decided.is_pending() {
        StatusCode::ACCEPTED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(ActionAnswer::from(decided))).into_response())
}

/// Correct the delivery details of an order not yet picked up. The correction stays over later
/// versions from the shop; an order waiting for a person still needs `resume`.
#[utoipa::path(
    patch,
    path = "/api/orders/{shop_id}/{order_id}",
    params(("shop_id" = String, Path), ("order_id" = String, Path)),
    request_body = CorrectionInput,
    responses(
        (status = 200, description = "Decided", body = ActionAnswer),
        (status = 202, description = "Queued behind the order's running jobs", body = ActionAnswer),
        (status = 409, description = "The order no longer allows it (picked up, finished)", body = ErrorAnswer),
        (status = 422, description = "A field is wrong", body = ErrorAnswer),
    )
)]
pub(super) async fn correct_order(
    user: ApiUser,
    State(state): State<AppState>,
    Path(order): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    user.may(Role::Operator)?;
    let changes: CorrectionInput = serde_json::from_slice(&body).map_err(|e| {
        let message = e.to_string();
        match message.split('`').nth(1) {
            Some(field) if message.starts_with("unknown field") => {
                ApiError::invalid_field(field, message.clone())
            }
            _ => ApiError::bad_request(format!("the body is not a correction: {message}")),
        }
    })?;
    let request = OrderRequest::Correct {
        changes,
        then_resume: false,
    };
    act(&state, user, order, request).await
}

/// Resume an order waiting for a person: its first steps run again with fresh job keys.
#[utoipa::path(
    post,
    path = "/api/orders/{shop_id}/{order_id}/resume",
    params(("shop_id" = String, Path), ("order_id" = String, Path)),
    responses(
        (status = 200, description = "Decided", body = ActionAnswer),
        (status = 409, description = "Not waiting, or still cannot ship (the reason says why)", body = ErrorAnswer),
    )
)]
pub(super) async fn resume_order(
    user: ApiUser,
    State(state): State<AppState>,
    Path(order): Path<(String, String)>,
) -> Result<Response, ApiError> {
    user.may(Role::Operator)?;
    act(&state, user, order, OrderRequest::Resume).await
}

/// Which webhook to replay.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ReplayInput {
    /// An inbound event of this order (default: its last one).
    event_id: Option<i64>,
}

/// Run one of the order's webhooks (by default the last) through the workflow again.
#[utoipa::path(
    post,
    path = "/api/orders/{shop_id}/{order_id}/replay",
    params(("shop_id" = String, Path), ("order_id" = String, Path)),
    request_body(content = Option<ReplayInput>, description = "Optional"),
    responses(
        (status = 200, description = "Decided", body = ActionAnswer),
        (status = 409, description = "No webhook of this order to replay", body = ErrorAnswer),
    )
)]
pub(super) async fn replay_order(
    user: ApiUser,
    State(state): State<AppState>,
    Path(order): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    user.may(Role::Operator)?;
    let input: ReplayInput = if body.iter().all(u8::is_ascii_whitespace) {
        ReplayInput::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| ApiError::invalid_field("event_id", e.to_string()))?
    };
    let request = OrderRequest::Replay {
        event_id: input.event_id,
    };
    act(&state, user, order, request).await
}

/// Cancel an order: the ShaQ package, the ticket, and the shop's order if the shop is told of
/// cancellations.
#[utoipa::path(
    post,
    path = "/api/orders/{shop_id}/{order_id}/cancel",
    params(("shop_id" = String, Path), ("order_id" = String, Path)),
    responses(
        (status = 200, description = "Decided", body = ActionAnswer),
        (status = 409, description = "Already finished", body = ErrorAnswer),
    )
)]
pub(super) async fn cancel_order(
    user: ApiUser,
    State(state): State<AppState>,
    Path(order): Path<(String, String)>,
) -> Result<Response, ApiError> {
    user.may(Role::Operator)?;
    act(&state, user, order, OrderRequest::Cancel).await
}

/// What to do after delivery.
#[derive(Debug, Deserialize, ToSchema)]
pub(super) struct AfterSaleInput {
    /// `return` (collect the item back), `replace` (deliver a replacement) or `exchange`
    /// (both, on one visit).
    kind: String,
}

/// After delivery: ask ShaQ to collect the item back, deliver a replacement, or both. Only a
/// delivered order, one request at a time; the packages ShaQ makes are linked to the order and
/// their courier news reach its timeline and ticket. Nothing is refunded automatically.
#[utoipa::path(
    post,
    path = "/api/orders/{shop_id}/{order_id}/after-sale",
    params(("shop_id" = String, Path), ("order_id" = String, Path)),
    request_body = AfterSaleInput,
    responses(
        (status = 200, description = "Decided", body = ActionAnswer),
        (status = 202, description = "Queued behind the order's earlier jobs", body = ActionAnswer),
        (status = 409, description = "Not delivered, or one is already on its way", body = ErrorAnswer),
        (status = 422, description = "`kind` is not one of return, replace, exchange", body = ErrorAnswer),
    )
)]
pub(super) async fn after_sale_order(
    user: ApiUser,
    State(state): State<AppState>,
    Path(order): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    user.may(Role::Operator)?;
    let input: AfterSaleInput = serde_json::from_slice(&body).map_err(|e| {
        ApiError::invalid_field("kind", format!("a JSON body {{\"kind\": …}}: {e}"))
    })?;
    let kind = input
        .kind
        .parse::<AfterSale>()
        .map_err(|message| ApiError::invalid_field("kind", message))?;
    act(&state, user, order, OrderRequest::AfterSale(kind)).await
}
