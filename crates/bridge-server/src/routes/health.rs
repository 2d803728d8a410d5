//! `GET /healthz` (the process is up), `GET /readyz` (it can do its job), `GET /metrics`.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bridge_core::jobs::JobState;
use bridge_core::lifecycle::OrderState;
use secrecy::ExposeSecret;
use serde_json::json;
use subtle::ConstantTimeEq;

use crate::error::ApiError;
use crate::reports::ReportsQuery;
use crate::state::AppState;
use bridge_core::reports::Granularity;

/// The health routes.
pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

async fn healthz() -> impl IntoResponse {
    Json(json!({ "status": "ok" }))
}

/// Ready when the database answers, its migrations are applied and a write works: a probe write
/// commits within `server.readyz_write_timeout` (a frozen filesystem answers nothing, rather
/// than an error), and the bridge's last real write did not fail (a full disk can take the
/// small probe while every webhook's write fails). The answer names the cause, never the database's own
/// message (it can hold paths and hosts): that goes to the log.
async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let not_ready = |message: &str, error: &dyn std::fmt::Display| {
        tracing::warn!(error = %error, "not ready: {message}");
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(
                json!({ "status": "not_ready", "error": { "code": "not_ready", "message": message } }),
            ),
        )
    };
    if let Err(error) = state.store.readiness().await {
        return not_ready("database unavailable or not migrated", &error);
    }
    if let Err(error) = state
        .store
        .writable(state.settings.server.readyz_write_timeout)
        .await
    {
        return not_ready("database unavailable for writes", &error);
    }
    (StatusCode::OK, Json(json!({ "status": "ready" })))
}

async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    // With `server.metrics_token`, only a scraper presenting it reads the figures (shop names
    // and volumes are business information).
    if let Some(expected) = &state.settings.server.metrics_token {
        let presented = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if !bool::from(
            presented
                .as_bytes()
                .ct_eq(expected.expose_secret().as_bytes()),
        ) {
            return ApiError::Unauthorized("/metrics needs server.metrics_token".to_owned())
                .into_response();
        }
    }
    // Queue depth is read at scrape time so every replica reports the shared queue.
    if let Ok(counts) = state.store.job_counts().await {
        for job_state in JobState::ALL {
            metrics::gauge!("bridge_jobs", "state" => job_state.as_str())
                .set(counts.get(job_state) as f64);
        }
    }
    // Orders by state (`needs_attention` included, at 0 when none), and the last webhook of
    // each source: read at scrape time too, for the alert rules in deploy/prometheus.
    if let Ok(counts) = state.store.order_counts().await {
        for order_state in OrderState::ALL {
            let count = counts
                .iter()
                .find(|(s, _)| *s == order_state)
                .map_or(0, |(_, n)| *n);
            metrics::gauge!("bridge_orders", "state" => order_state.as_str()).set(count as f64);
        }
    }
    if let Ok(sources) = state.store.last_webhook_per_source().await {
        for (source, at) in sources {
            metrics::gauge!("bridge_last_webhook_timestamp_seconds", "source" => source)
                .set(at.timestamp_millis() as f64 / 1000.0);
        }
    }
    report_gauges(&state).await;
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response()
}

/// How often the report gauges are recomputed at most.
const REPORT_GAUGES_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// Per shop, the last seven days (today included, shop time zone): orders received,
/// confirmation and return rates, cash on the road — for alert rules such as "the confirmation
/// rate dropped".
async fn report_gauges(state: &AppState) {
    let mut last = state.report_gauges.lock().await;
    if last.is_some_and(|at| at.elapsed() < REPORT_GAUGES_EVERY) {
        return;
    }
    *last = Some(std::time::Instant::now());
    let today = chrono::Utc::now();
    for shop in &state.settings.shops {
        let query = ReportsQuery {
            shop: Some(shop.id.to_string()),
            ..ReportsQuery::default()
        };
        let Ok(mut requests) = query.requests(&state.settings, &state.rules, today) else {
            continue;
        };
        for request in &mut requests {
            request.from = request.to - chrono::Duration::days(6);
            request.by = Granularity::Month;
        }
        let Ok(reports) = crate::reports::make(&state.store, &requests).await else {
            continue;
        };
        for report in reports {
            let shop = report.shop.to_string();
            let total = &report.total;
            metrics::gauge!("bridge_report_orders_received", "shop" => shop.clone(), "window" => "7d")
                .set(total.received as f64);
            metrics::gauge!("bridge_report_orders_asked", "shop" => shop.clone(), "window" => "7d")
                .set(total.asked as f64);
            // NaN when there is nothing to measure (nobody asked, no parcel finished): a
            // comparison with NaN is false, so no alert fires on an idle shop.
            metrics::gauge!("bridge_report_confirmation_rate", "shop" => shop.clone(), "window" => "7d")
                .set(total.confirmation_rate.unwrap_or(f64::NAN));
            metrics::gauge!("bridge_report_return_rate", "shop" => shop.clone(), "window" => "7d")
                .set(total.return_rate.unwrap_or(f64::NAN));
            for cash in &total.cash {
                let outstanding = cash.outstanding.to_string().parse::<f64>().unwrap_or(0.0);
                metrics::gauge!(
                    "bridge_report_cod_outstanding",
                    "shop" => shop.clone(),
                    "currency" => cash.currency.clone(),
                    "window" => "7d"
                )
                .set(outstanding);
            }
        }
    }
}
