//! The web console at `/console`: the orders that need a person, search, an order's journey,
//! fix and resume, replay, cancel, retry, and the bridge's health.
//!
//! Server-rendered HTML (askama templates, checked at compile time, in `templates/console/`),
//! plain forms that work without JavaScript, one stylesheet compiled into the binary. Every
//! action goes through [`crate::operations`], like the admin API and the CLI, and lands on the
//! order's timeline with the operator's name.

mod pages;
pub mod session;
mod views;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::clock::DefaultClock;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

use crate::configuration::Settings;
use crate::startup::AppState;
use session::Gate;

/// Sign-in attempts one address may make per minute.
const SIGN_INS_PER_MINUTE: u32 = 10;

/// Who may sign in, and how often one address may try.
pub struct ConsoleState {
    /// Checks credentials and sessions.
    pub gate: Gate,
    throttle: RateLimiter<IpAddr, DefaultKeyedStateStore<IpAddr>, DefaultClock>,
    proxy_header: Option<String>,
}

impl ConsoleState {
    /// The console of these settings, or `None` when nobody can sign in (it is off).
    pub fn from_settings(settings: &Settings) -> Option<ConsoleState> {
        let per_minute = NonZeroU32::new(SIGN_INS_PER_MINUTE).unwrap_or(NonZeroU32::MIN);
        Some(ConsoleState {
            gate: Gate::from_settings(settings)?,
            throttle: RateLimiter::keyed(Quota::per_minute(per_minute)),
            proxy_header: settings
                .server
                .webhook_rate_limit
                .trusted_proxy_header
                .clone(),
        })
    }
}

/// The console's stylesheet, compiled in: merchants may run the bridge offline.
const STYLESHEET: &str = include_str!("../../assets/console.css");

/// The console's routes (all under `/console`).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/console", get(pages::inbox))
        .route("/console/", get(pages::inbox))
        .route("/console/login", get(pages::login_form).post(pages::login))
        .route("/console/logout", post(pages::logout))
        .route("/console/orders", get(pages::orders))
        .route("/console/orders.csv", get(pages::orders_csv))
        .route("/console/orders/{shop_id}/{order_id}", get(pages::order))
        .route(
            "/console/orders/{shop_id}/{order_id}/{action}",
            post(pages::order_action),
        )
        .route("/console/jobs/{id}/retry", post(pages::retry_job))
        .route("/console/health", get(pages::health))
        .route("/console/handover", get(pages::handover))
        .route("/console/handover/{shop_id}", post(pages::hand_over))
        .route("/console/shipments/{id}/pdf", get(pages::shipment_pdf))
        .route("/console/reports", get(pages::reports))
        .route("/console/reports.csv", get(pages::reports_csv))
        .route("/console/assets/console.css", get(stylesheet))
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
