//! `POST /webhooks/shops/{shop_id}`, `POST /webhooks/shaq[/{secret}]`, `POST /webhooks/digishare`:
//! verify on the raw bytes, store with the job in one transaction, answer at once.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use bridge_core::domain::ShopId;
use bridge_core::intake::{IntakeError, IntakeOutcome};
use bridge_core::store::Intake;
use serde_json::json;

use crate::error::ApiError;
use crate::rate_limit::{self, WebhookRateLimiter};
use crate::state::AppState;

/// The webhook routes, rate limited per source.
pub fn router(limiter: WebhookRateLimiter) -> axum::Router<AppState> {
    axum::Router::new()
        .route("/webhooks/shops/{shop_id}", post(shop_webhook))
        .route("/webhooks/shaq", post(shaq_webhook))
        .route(
            "/webhooks/shaq/{secret}",
            post(shaq_webhook_with_path_secret),
        )
        .route("/webhooks/digishare", post(digishare_webhook))
        .layer(axum::middleware::from_fn_with_state(
            limiter,
            rate_limit::limit,
        ))
}

async fn shop_webhook(
    State(state): State<AppState>,
    Path(shop_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let path = format!("/webhooks/shops/{shop_id}");
    let outcome = state
        .intake
        .accept_shop_webhook(
            &ShopId::new(shop_id),
            &headers,
            &body,
            &admit(&state, &path),
        )
        .await;
    answer(&state, outcome)
}

async fn shaq_webhook(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    require_json(&headers)?;
    let outcome = state
        .intake
        .accept_shaq_webhook(&headers, None, &body, &admit(&state, "/webhooks/shaq"))
        .await;
    answer(&state, outcome)
}

async fn shaq_webhook_with_path_secret(
    State(state): State<AppState>,
    Path(secret): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    require_json(&headers)?;
    let outcome = state
        .intake
        .accept_shaq_webhook(
            &headers,
            Some(&secret),
            &body,
            &admit(&state, "/webhooks/shaq"),
        )
        .await;
    answer(&state, outcome)
}

async fn digishare_webhook(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    require_json(&headers)?;
    let outcome = state
        .intake
        .accept_digishare_webhook(&headers, &body, &admit(&state, "/webhooks/digishare"))
        .await;
    answer(&state, outcome)
}

/// Counts an authenticated webhook against its source's rate limit.
fn admit<'a>(
    state: &'a AppState,
    path: &'a str,
) -> impl Fn() -> Result<(), IntakeError> + Sync + 'a {
    move || {
        state.limiter.admit(path).map_err(|error| match error {
            ApiError::RateLimited { retry_after_secs } => {
                IntakeError::Throttled { retry_after_secs }
            }
            _ => IntakeError::Throttled {
                retry_after_secs: 1,
            },
        })
    }
}

/// ShaQ and Digishare send JSON; anything else is refused before it is read further. (Shops are
/// checked by their adapter: WooCommerce pings with a form body.)
fn require_json(headers: &HeaderMap) -> Result<(), ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type.starts_with("application/json") || content_type.is_empty() {
        Ok(())
    } else {
        Err(ApiError::UnsupportedMediaType(format!(
            "expected application/json, got {content_type}"
        )))
    }
}

fn answer(
    state: &AppState,
    outcome: Result<IntakeOutcome, IntakeError>,
) -> Result<Response, ApiError> {
    match outcome? {
        IntakeOutcome::Stored(Intake::Accepted { event_id }) => {
            state.waker.wake();
            metrics::counter!("bridge_webhooks_total", "outcome" => "accepted").increment(1);
            Ok((
                StatusCode::OK,
                Json(json!({ "status": "accepted", "event": event_id })),
            )
                .into_response())
        }
        IntakeOutcome::Stored(Intake::Duplicate) => {
            metrics::counter!("bridge_webhooks_total", "outcome" => "duplicate").increment(1);
            Ok((StatusCode::OK, Json(json!({ "status": "duplicate" }))).into_response())
        }
        IntakeOutcome::Ignored(reason) => {
            metrics::counter!("bridge_webhooks_total", "outcome" => "ignored").increment(1);
            Ok((
                StatusCode::OK,
                Json(json!({ "status": "ignored", "reason": reason })),
            )
                .into_response())
        }
    }
}

impl From<IntakeError> for ApiError {
    fn from(error: IntakeError) -> Self {
        match error {
            IntakeError::Unauthorized(message) => ApiError::Unauthorized(message),
            IntakeError::UnknownShop(_) => ApiError::NotFound(error.to_string()),
            IntakeError::Malformed(message) => ApiError::BadRequest { message },
            IntakeError::InvalidField { field, message } => {
                ApiError::InvalidField { field, message }
            }
            IntakeError::Store(store) => store.into(),
            IntakeError::Throttled { retry_after_secs } => {
                ApiError::RateLimited { retry_after_secs }
            }
        }
    }
}
