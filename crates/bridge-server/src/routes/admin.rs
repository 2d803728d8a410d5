//! `/api/*`: find orders, read their journey, correct, resume, replay or cancel them, and retry
//! dead jobs. Admin token required; the document describing it is `/api/openapi.json`.

use std::time::Duration;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bridge_core::domain::{OrderKey, ShopId};
use bridge_core::jobs::{JobKind, JobState};
use bridge_core::lifecycle::OrderState;
use bridge_core::store::{JobFilter, OrderQuery};
use bridge_core::workflow::operator::{Operator, OperatorAction};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::auth::Admin;
use crate::error::ApiError;
use crate::operations::{CorrectionInput, Operations, find_order};
use crate::reports::ReportsQuery;
use crate::startup::AppState;

/// How long an action waits for the workflow to decide it before answering 202.
const SETTLE: Duration = Duration::from_secs(3);

/// The admin routes.
pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/api/openapi.json", get(openapi))
        .route("/api/orders", get(list_orders))
        .route(
            "/api/orders/{shop_id}/{order_id}",
            get(show_order).patch(correct_order),
        )
        .route(
            "/api/orders/{shop_id}/{order_id}/resume",
            post(resume_order),
        )
        .route(
            "/api/orders/{shop_id}/{order_id}/replay",
            post(replay_order),
        )
        .route(
            "/api/orders/{shop_id}/{order_id}/cancel",
            post(cancel_order),
        )
        .route(
            "/api/orders/{shop_id}/{order_id}/after-sale",
            post(after_sale_order),
        )
        .route("/api/jobs", get(list_jobs))
        .route("/api/jobs/{id}/retry", post(retry_job))
        .route("/api/jobs/retry-dead", post(retry_dead_jobs))
        .route("/api/shops/{shop_id}/handover", post(hand_over))
        .route("/api/shipments", get(list_shipments))
        .route("/api/shipments/{id}", get(show_shipment))
        .route("/api/shipments/{id}/pdf", get(shipment_pdf))
        .route("/api/reports", get(reports))
        .route("/api/reports.csv", get(reports_csv))
}

/// The admin API's OpenAPI document, generated from the handlers below.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "shaq-bridge admin API",
        description = "Find, fix and follow the bridge's orders. Every call needs \
                       `Authorization: Bearer <server.admin_token>`; `X-Operator: <name>` \
                       names the person on the order's timeline (default `admin`)."
    ),
    paths(
        list_orders,
        show_order,
        correct_order,
        resume_order,
        replay_order,
        cancel_order,
        after_sale_order,
        list_jobs,
        retry_job,
        retry_dead_jobs,
        reports,
        reports_csv,
        hand_over,
        list_shipments,
        show_shipment,
        shipment_pdf
    ),
    components(schemas(CorrectionInput, ReplayInput, ActionAnswer, ErrorBody)),
    modifiers(&BearerAuth),
    security(("admin_token" = []))
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "admin_token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// The shape of every error: `{"error": {"code", "message", "field"?}}`.
#[derive(Serialize, ToSchema)]
struct ErrorBody {
    /// `invalid_field`, `not_found`, `conflict`, `unauthorized`…
    code: String,
    /// What is wrong, in words.
    message: String,
    /// The field at fault (422 only).
    field: Option<String>,
}

/// Which orders to list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrdersQuery {
    /// Order name (`#1047`), platform id, phone in any format, tracking number, or part of the
    /// customer's name.
    pub q: Option<String>,
    /// Only this shop (its configured id).
    pub shop: Option<String>,
    /// Only this state (`needs_attention`, `shipping`, …).
    pub state: Option<String>,
    /// Received on or after this day (`2026-11-01`) or time (RFC 3339).
    pub from: Option<String>,
    /// Received before this day (exclusive) or time.
    pub to: Option<String>,
    /// Page size (default 50, at most 500).
    pub limit: Option<u32>,
    /// Orders to skip.
    pub offset: Option<u32>,
}

impl OrdersQuery {
    /// The store's query, each parameter checked.
    pub fn parse(&self) -> Result<OrderQuery, ApiError> {
        let state = self
            .state
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<OrderState>().map_err(|_| {
                    ApiError::invalid_field("state", format!("unknown order state `{s}`"))
                })
            })
            .transpose()?;
        Ok(OrderQuery {
            text: self.q.clone().filter(|q| !q.trim().is_empty()),
            shop_id: self
                .shop
                .as_deref()
                .filter(|s| !s.is_empty())
                .map(ShopId::new),
            state,
            received_from: parse_time("from", self.from.as_deref())?,
            received_before: parse_time("to", self.to.as_deref())?,
            limit: self.limit.unwrap_or(50),
            offset: self.offset.unwrap_or(0),
        })
    }
}

fn parse_time(field: &str, value: Option<&str>) -> Result<Option<DateTime<Utc>>, ApiError> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if let Ok(day) = value.parse::<NaiveDate>() {
        return Ok(day.and_hms_opt(0, 0, 0).map(|t| t.and_utc()));
    }
    DateTime::parse_from_rfc3339(value)
        .map(|t| Some(t.with_timezone(&Utc)))
        .map_err(|_| {
            ApiError::invalid_field(
                field,
                format!("`{value}` is neither a day (2026-11-01) nor an RFC 3339 time"),
            )
        })
}

/// Search orders, newest first, one page at a time.
#[utoipa::path(
    get,
    path = "/api/orders",
    params(OrdersQuery),
    responses(
        (status = 200, description = "`{orders, total, limit, offset}`", body = Object),
        (status = 422, description = "A parameter is wrong", body = ErrorBody),
    )
)]
async fn list_orders(
    _: Admin,
    State(state): State<AppState>,
    Query(query): Query<OrdersQuery>,
) -> Result<Json<Value>, ApiError> {
    let page = state.store.search_orders(&query.parse()?).await?;
    Ok(Json(json!(page)))
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
        (status = 200, description = "`{order, timeline, jobs, inbound_events}`", body = Object),
        (status = 404, description = "No such order", body = ErrorBody),
    )
)]
async fn show_order(
    _: Admin,
    State(state): State<AppState>,
    Path((shop_id, order_id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
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
    Ok(Json(json!({
        "order": order,
        "timeline": timeline,
        "jobs": jobs,
        "inbound_events": inbound_events,
    })))
}

/// What became of an action.
#[derive(Serialize, ToSchema)]
struct ActionAnswer {
    /// The order.
    order_key: String,
    /// The job that carries the request.
    job_id: i64,
    /// `done` once decided; `queued` if the order's earlier jobs still run (202).
    job_state: String,
    /// The order's last timeline line (what the workflow decided).
    decided: Option<String>,
    /// The order as it is now.
    #[schema(value_type = Object)]
    order: Value,
}

/// The person named by `X-Operator` (letters, digits, spaces, `.-_@`), else `admin`.
fn operator_of(headers: &HeaderMap) -> Operator {
    headers
        .get("x-operator")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|name| {
            !name.is_empty()
                && name.len() <= 64
                && name
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '.' | '-' | '_' | '@'))
        })
        .map_or_else(|| Operator::new("admin"), Operator::new)
}

async fn act(
    state: &AppState,
    shop_id: String,
    order_id: &str,
    by: Operator,
    action: impl FnOnce(&bridge_core::workflow::TrackedOrder) -> Result<OperatorAction, ApiError>,
) -> Result<Response, ApiError> {
    let operations = Operations::of(state);
    let order = operations.find(&ShopId::new(shop_id), order_id).await?;
    let action = action(&order)?;
    let queued = operations.submit(&order, by, action).await?;
    let job = operations.settle(queued.job_id, SETTLE).await?;
    let job_state = job.as_ref().map_or(JobState::Done, |j| j.state);
    let key: OrderKey = queued.order_key;
    let order = state.store.order(&key).await?;
    let decided = state
        .store
        .timeline(&key)
        .await?
        .pop()
        .map(|line| line.entry.summary);
    let status = if job_state == JobState::Queued || job_state == JobState::Running {
        StatusCode::ACCEPTED
    } else {
        StatusCode::OK
    };
    let answer = ActionAnswer {
        order_key: key.to_string(),
        job_id: queued.job_id,
        job_state: job_state.as_str().to_owned(),
        decided,
        order: json!(order),
    };
    Ok((status, Json(answer)).into_response())
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
        (status = 409, description = "The order no longer allows it (picked up, finished)", body = ErrorBody),
        (status = 422, description = "A field is wrong", body = ErrorBody),
    )
)]
async fn correct_order(
    _: Admin,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((shop_id, order_id)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let input: CorrectionInput = serde_json::from_slice(&body).map_err(|e| {
        let message = e.to_string();
        match message.split('`').nth(1) {
            Some(field) if message.starts_with("unknown field") => {
                ApiError::invalid_field(field, message.clone())
            }
            _ => ApiError::bad_request(format!("the body is not a correction: {message}")),
        }
    })?;
    act(&state, shop_id, &order_id, operator_of(&headers), |order| {
        let country = order
            .order()
            .address
            .country_iso2
            .as_ref()
            .map_or("GH", |c| c.as_str());
        let correction = input
            .parse(country)
            .map_err(|p| ApiError::invalid_field(p.field, p.message))?;
        Ok(OperatorAction::Correct(correction))
    })
    .await
}

/// Resume an order waiting for a person: its first steps run again with fresh job keys.
#[utoipa::path(
    post,
    path = "/api/orders/{shop_id}/{order_id}/resume",
    params(("shop_id" = String, Path), ("order_id" = String, Path)),
    responses(
        (status = 200, description = "Decided", body = ActionAnswer),
        (status = 409, description = "Not waiting, or still cannot ship (the reason says why)", body = ErrorBody),
    )
)]
async fn resume_order(
    _: Admin,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((shop_id, order_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    act(&state, shop_id, &order_id, operator_of(&headers), |_| {
        Ok(OperatorAction::Resume)
    })
    .await
}

/// Which webhook to replay.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ReplayInput {
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
        (status = 409, description = "No webhook of this order to replay", body = ErrorBody),
    )
)]
async fn replay_order(
    _: Admin,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((shop_id, order_id)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let input: ReplayInput = if body.iter().all(u8::is_ascii_whitespace) {
        ReplayInput::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| ApiError::invalid_field("event_id", e.to_string()))?
    };
    act(&state, shop_id, &order_id, operator_of(&headers), |_| {
        Ok(OperatorAction::Replay {
            event_id: input.event_id.unwrap_or(0),
        })
    })
    .await
}

/// Cancel an order: the ShaQ package, the ticket, and the shop's order if the shop is told of
/// cancellations.
#[utoipa::path(
    post,
    path = "/api/orders/{shop_id}/{order_id}/cancel",
    params(("shop_id" = String, Path), ("order_id" = String, Path)),
    responses(
        (status = 200, description = "Decided", body = ActionAnswer),
        (status = 409, description = "Already finished", body = ErrorBody),
    )
)]
async fn cancel_order(
    _: Admin,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((shop_id, order_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    act(&state, shop_id, &order_id, operator_of(&headers), |_| {
        Ok(OperatorAction::Cancel)
    })
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct JobsQuery {
    /// `queued`, `running`, `done` or `dead`.
    state: Option<String>,
    /// The job kind (`create_package`, …).
    kind: Option<String>,
    /// An order key (`kente/5123456789`).
    order: Option<String>,
    /// At most this many (default 100).
    limit: Option<u32>,
}

/// List jobs, most recent first.
#[utoipa::path(
    get,
    path = "/api/jobs",
    params(JobsQuery),
    responses((status = 200, description = "`{jobs}`", body = Object))
)]
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

/// Put a dead job back in the queue.
#[utoipa::path(
    post,
    path = "/api/jobs/{id}/retry",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "`{job, state: queued}`", body = Object),
        (status = 404, description = "No such dead job", body = ErrorBody),
    )
)]
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

/// Put every dead job back in the queue.
#[utoipa::path(
    post,
    path = "/api/jobs/retry-dead",
    responses((status = 200, description = "`{revived}`", body = Object))
)]
async fn retry_dead_jobs(_: Admin, State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let revived = state.store.revive_dead_jobs(Utc::now()).await?;
    state.waker.wake();
    Ok(Json(json!({ "revived": revived })))
}

/// Confirmation, delivery and cash figures per shop and period: the orders received in each
/// period (shop time zone) and what became of them.
#[utoipa::path(
    get,
    path = "/api/reports",
    params(ReportsQuery),
    responses(
        (status = 200, description = "`{reports: [{shop, time_zone, from, to, by, periods, total, regions}]}`", body = Object),
        (status = 422, description = "A parameter is wrong", body = ErrorBody),
    )
)]
async fn reports(
    _: Admin,
    State(state): State<AppState>,
    Query(query): Query<ReportsQuery>,
) -> Result<Json<Value>, ApiError> {
    let requests = query.requests(&state.settings, &state.rules, Utc::now())?;
    let reports = crate::reports::make(&state.store, &requests).await?;
    Ok(Json(json!({ "reports": reports })))
}

/// The same figures as CSV: one line per shop and period (`table=periods`) or per shop and
/// ShaQ region (`table=regions`).
#[utoipa::path(
    get,
    path = "/api/reports.csv",
    params(ReportsQuery),
    responses(
        (status = 200, description = "CSV with a header line", content_type = "text/csv"),
        (status = 422, description = "A parameter is wrong", body = ErrorBody),
    )
)]
async fn reports_csv(
    _: Admin,
    State(state): State<AppState>,
    Query(query): Query<ReportsQuery>,
) -> Result<Response, ApiError> {
    let table = query.table()?;
    let requests = query.requests(&state.settings, &state.rules, Utc::now())?;
    let reports = crate::reports::make(&state.store, &requests).await?;
    let body = crate::reports::to_csv(&reports, table)
        .map_err(|e| ApiError::Internal(format!("report CSV: {e}")))?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"shaq-bridge-report.csv\"",
            ),
        ],
        body,
    )
        .into_response())
}

/// Hand over the shop's ready packages now: every package created at ShaQ and still pending
/// there, its order not cancelled, in no shipment yet, goes into one ShaQ shipment. The
/// shipment is made in the background (ShaQ's reference, the labels, the PDF); follow it at
/// `/api/shipments/{id}`.
#[utoipa::path(
    post,
    path = "/api/shops/{shop_id}/handover",
    params(("shop_id" = String, Path, description = "The shop's configured id")),
    responses(
        (status = 202, description = "`{shipment}`: gathered, being handed over", body = Object),
        (status = 200, description = "`{shipment: null, message}`: nothing ready", body = Object),
        (status = 404, description = "No such shop", body = ErrorBody),
    )
)]
async fn hand_over(
    _: Admin,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(shop_id): Path<String>,
) -> Result<Response, ApiError> {
    let operations = Operations::of(&state);
    let shop = ShopId::new(shop_id);
    Ok(
        match operations.hand_over(&shop, &operator_of(&headers)).await? {
            Some(shipment) => {
                (StatusCode::ACCEPTED, Json(json!({ "shipment": shipment }))).into_response()
            }
            None => Json(json!({
                "shipment": null,
                "message": format!("no package of `{shop}` is waiting to be handed over"),
            }))
            .into_response(),
        },
    )
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ShipmentsQuery {
    /// Only this shop.
    shop: Option<String>,
    /// At most this many (default 50).
    limit: Option<u32>,
}

/// Handover shipments, newest first.
#[utoipa::path(
    get,
    path = "/api/shipments",
    params(ShipmentsQuery),
    responses((status = 200, description = "`{shipments}`", body = Object))
)]
async fn list_shipments(
    _: Admin,
    State(state): State<AppState>,
    Query(query): Query<ShipmentsQuery>,
) -> Result<Json<Value>, ApiError> {
    let shop = query
        .shop
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(ShopId::new);
    let shipments = state
        .store
        .shipments(shop.as_ref(), query.limit.unwrap_or(50).min(500))
        .await?;
    Ok(Json(json!({ "shipments": shipments })))
}

/// One shipment and its packages.
#[utoipa::path(
    get,
    path = "/api/shipments/{id}",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "`{shipment, packages}`", body = Object),
        (status = 404, description = "No such shipment", body = ErrorBody),
    )
)]
async fn show_shipment(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let shipment = state
        .store
        .shipment(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no shipment {id}")))?;
    let packages: Vec<Value> = state
        .store
        .shipment_orders(id)
        .await?
        .iter()
        .map(|order| {
            json!({
                "order_key": order.key(),
                "order_ref": order.order().order_ref,
                "tracking_number": order.tracking_number(),
                "state": order.state(),
                "amount_to_collect": order.amount_for_courier().to_string(),
                "currency": order.collect().currency,
            })
        })
        .collect();
    Ok(Json(json!({ "shipment": shipment, "packages": packages })))
}

/// The printable handover: the manifest, then every package's label (PDF).
#[utoipa::path(
    get,
    path = "/api/shipments/{id}/pdf",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The PDF", content_type = "application/pdf"),
        (status = 404, description = "No such shipment", body = ErrorBody),
        (status = 409, description = "Not ready yet (the labels are being fetched)", body = ErrorBody),
    )
)]
async fn shipment_pdf(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    pdf_response(&state, id).await
}

/// A shipment's PDF as a download, or why there is none yet.
pub async fn pdf_response(state: &AppState, id: i64) -> Result<Response, ApiError> {
    let shipment = state
        .store
        .shipment(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no shipment {id}")))?;
    let Some(pdf) = state.store.shipment_pdf(id).await? else {
        return Err(ApiError::Conflict(format!(
            "shipment {id} is {}: its PDF is not ready yet{}",
            shipment.state,
            shipment
                .last_error
                .as_deref()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default()
        )));
    };
    let name = format!(
        "attachment; filename=\"handover-{}-{}.pdf\"",
        shipment.shop,
        shipment
            .reference
            .as_deref()
            .unwrap_or("shipment")
            .replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "_")
    );
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                axum::http::HeaderValue::from_static("application/pdf"),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                axum::http::HeaderValue::from_str(&name)
                    .unwrap_or_else(|_| axum::http::HeaderValue::from_static("attachment")),
            ),
        ],
        pdf,
    )
        .into_response())
}

/// What to do after delivery.
#[derive(Debug, Deserialize, ToSchema)]
struct AfterSaleInput {
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
        (status = 409, description = "Not delivered, or one is already on its way", body = ErrorBody),
        (status = 422, description = "`kind` is not one of return, replace, exchange", body = ErrorBody),
    )
)]
async fn after_sale_order(
    _: Admin,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((shop_id, order_id)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let input: AfterSaleInput = serde_json::from_slice(&body).map_err(|e| {
        ApiError::invalid_field("kind", format!("a JSON body {{\"kind\": …}}: {e}"))
    })?;
    let kind = input
        .kind
        .parse::<bridge_core::workflow::returns::AfterSale>()
        .map_err(|message| ApiError::invalid_field("kind", message))?;
    act(
        &state,
        shop_id,
        &order_id,
        operator_of(&headers),
        move |_| Ok(OperatorAction::AfterSale { after_sale: kind }),
    )
    .await
}
