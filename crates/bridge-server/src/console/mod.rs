//! The web console at `/console`: the orders that need a person, search, an order's journey,
//! fix and resume, replay, cancel, retry, and the bridge's health.
//!
//! Server-rendered HTML (askama templates, checked at compile time, in `templates/console/`),
//! plain forms that work without JavaScript, one stylesheet compiled into the binary. Every
//! action goes through [`crate::operations`], like the admin API and the CLI, and lands on the
//! order's timeline with the operator's name.

mod chrome;
mod handover;
mod health;
mod inbox;
mod jobs;
mod login;
mod order;
mod orders;
mod reports;
mod views;
mod words;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};

use crate::state::AppState;

/// The console's stylesheet, compiled in: merchants may run the bridge offline.
const STYLESHEET: &str = include_str!("../../assets/console.css");

/// The console's routes (all under `/console`), each answered in the operator's language.
pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/console/language/{tag}", get(words::switch))
        .route("/console", get(inbox::inbox))
        .route("/console/", get(inbox::inbox))
        .route("/console/login", get(login::login_form).post(login::login))
        .route("/console/logout", post(login::logout))
        .route("/console/orders", get(orders::orders))
        .route("/console/orders.csv", get(orders::orders_csv))
        .route("/console/orders/{shop_id}/{order_id}", get(order::order))
        .route(
            "/console/orders/{shop_id}/{order_id}/invoice.pdf",
            get(order::invoice),
        )
        .route(
            "/console/orders/{shop_id}/{order_id}/{action}",
            post(order::order_action),
        )
        .route("/console/jobs/{id}/retry", post(jobs::retry_job))
        .route("/console/health", get(health::health))
        .route("/console/handover", get(handover::handover))
        .route("/console/handover/{shop_id}", post(handover::hand_over))
        .route("/console/shipments/{id}/pdf", get(handover::shipment_pdf))
        .route("/console/reports", get(reports::reports))
        .route("/console/reports.csv", get(reports::reports_csv))
        .route("/console/assets/console.css", get(stylesheet))
        .layer(axum::middleware::from_fn_with_state(
            state,
            words::with_language,
        ))
        .layer(axum::middleware::from_fn(security_headers))
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        STYLESHEET,
    )
}

/// What a browser may do with the console's pages: load only the console's own stylesheet
/// (every asset is in the binary: no other origin is needed), run no script, be framed by no
/// site (clickjacking a *Cancel order* button), post forms only to the console, and send no
/// referrer elsewhere.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

async fn security_headers(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in [
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ),
    ] {
        headers.insert(name, value);
    }
    response
}
