//! `GET /healthz` (the process is up), `GET /readyz` (it can do its job), `GET /metrics`.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use bridge_core::jobs::JobState;
use serde_json::json;

use crate::startup::AppState;

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

async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.store.readiness().await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ready" }))),
        Err(error) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(
                json!({ "status": "not_ready", "error": { "code": "not_ready", "message": error.to_string() } }),
            ),
        ),
    }
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    // Queue depth is read at scrape time so every replica reports the shared queue.
    if let Ok(counts) = state.store.job_counts().await {
        for job_state in JobState::ALL {
            metrics::gauge!("bridge_jobs", "state" => job_state.as_str())
                .set(counts.get(job_state) as f64);
        }
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}
