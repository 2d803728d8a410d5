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

/// The webhook routes, behind the refusal limit.
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
        .accept_shop_webhook(&ShopId::new(shop_id), &headers, &body)
        .await;
    answer(&state, &path, outcome)
}

async fn shaq_webhook(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    require_json(&headers)?;
    let outcome = state
        .intake
        .accept_shaq_webhook(&headers, None, &body)
        .await;
    answer(&state, "/webhooks/shaq", outcome)
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
        .accept_shaq_webhook(&headers, Some(&secret), &body)
        .await;
    answer(&state, "/webhooks/shaq", outcome)
}

async fn digishare_webhook(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    require_json(&headers)?;
    let outcome = state.intake.accept_digishare_webhook(&headers, &body).await;
    answer(&state, "/webhooks/digishare", outcome)
}

/// What a webhook that is not authenticated is told, whatever the reason (the log has it).
const NOT_AUTHENTICATED: &str =
    "the webhook's signature or secret is not accepted for this address";

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
    path: &str,
    outcome: Result<IntakeOutcome, IntakeError>,
) -> Result<Response, ApiError> {
    let outcome = outcome?;
    // Signed (it got this far): counted against its source's rate, never refused for it.
    state.limiter.observe(path);
    match outcome {
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
            // One answer for a wrong signature and a shop that does not exist, so probing
            // learns no shop's id; the log says which.
            IntakeError::Unauthorized(reason) => {
                tracing::warn!(%reason, "webhook refused: not authenticated");
                ApiError::Unauthorized(NOT_AUTHENTICATED.to_owned())
            }
            IntakeError::UnknownShop(shop) => {
                tracing::warn!(%shop, "webhook refused: no such shop is configured");
                ApiError::Unauthorized(NOT_AUTHENTICATED.to_owned())
            }
            IntakeError::Malformed(message) => ApiError::BadRequest { message },
            IntakeError::InvalidField { field, message } => {
                ApiError::InvalidField { field, message }
            }
            IntakeError::Store(store) => store.into(),
        }
    }
}
