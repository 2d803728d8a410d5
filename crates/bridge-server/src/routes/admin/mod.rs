//! `/api/*`: find orders, read their journey, correct, resume, replay or cancel them, book
//! returns, retry dead jobs, hand over, read shipments and reports. Admin token required; the
//! document describing every request and answer is `/api/openapi.json`. Each handler parses its
//! input, calls `crate::operations` (or reads the store), and answers a typed body
//! ([`answers`]).

pub mod answers;
mod jobs;
mod orders;
mod reports;
mod shipments;

use std::time::Duration;

use axum::Json;
use axum::routing::{get, post};
use utoipa::OpenApi;

use crate::operations::CorrectionInput;
use crate::state::AppState;
use answers::{
    ActionAnswer, ErrorAnswer, ErrorBody, HandoverAnswer, JobsAnswer, OrderAnswer, PackageLine,
    ReportsAnswer, RetriedAnswer, RevivedAnswer, ShipmentAnswer, ShipmentsAnswer,
};

/// How long an action waits for the workflow to decide it before answering 202.
const SETTLE: Duration = Duration::from_secs(3);

/// The admin routes.
pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/api/openapi.json", get(openapi))
        .route("/api/orders", get(orders::list_orders))
        .route(
            "/api/orders/{shop_id}/{order_id}",
            get(orders::show_order).patch(orders::correct_order),
        )
        .route(
            "/api/orders/{shop_id}/{order_id}/invoice.pdf",
            get(orders::order_invoice),
        )
        .route(
            "/api/orders/{shop_id}/{order_id}/resume",
            post(orders::resume_order),
        )
        .route(
            "/api/orders/{shop_id}/{order_id}/replay",
            post(orders::replay_order),
        )
        .route(
            "/api/orders/{shop_id}/{order_id}/cancel",
            post(orders::cancel_order),
        )
        .route(
            "/api/orders/{shop_id}/{order_id}/after-sale",
            post(orders::after_sale_order),
        )
        .route("/api/jobs", get(jobs::list_jobs))
        .route("/api/jobs/{id}/retry", post(jobs::retry_job))
        .route("/api/jobs/retry-dead", post(jobs::retry_dead_jobs))
        .route("/api/shops/{shop_id}/handover", post(shipments::hand_over))
        .route("/api/shipments", get(shipments::list_shipments))
        .route("/api/shipments/{id}", get(shipments::show_shipment))
        .route("/api/shipments/{id}/pdf", get(shipments::shipment_pdf))
        .route("/api/reports", get(reports::reports))
        .route("/api/reports.csv", get(reports::reports_csv))
}

/// The admin API's OpenAPI document, generated from the handlers and their answer types.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "shaq-bridge admin API",
        description = "Find, fix and follow the bridge's orders. Every call needs \
                       `Authorization: Bearer <token>`: `server.admin_token` (acting as \
                       `admin`, role admin) or one of `[[server.api_tokens]]` (acting under its \
                       name, with its role: viewer reads, operator acts on orders and jobs, \
                       admin also retries every dead job at once). Wrong tokens are throttled \
                       per address (429)."
    ),
    paths(
        orders::list_orders,
        orders::show_order,
        orders::order_invoice,
        orders::correct_order,
        orders::resume_order,
        orders::replay_order,
        orders::cancel_order,
        orders::after_sale_order,
        jobs::list_jobs,
        jobs::retry_job,
        jobs::retry_dead_jobs,
        reports::reports,
        reports::reports_csv,
        shipments::hand_over,
        shipments::list_shipments,
        shipments::show_shipment,
        shipments::shipment_pdf
    ),
    components(schemas(
        CorrectionInput,
        orders::ReplayInput,
        orders::AfterSaleInput,
        ActionAnswer,
        OrderAnswer,
        JobsAnswer,
        RetriedAnswer,
        RevivedAnswer,
        ReportsAnswer,
        HandoverAnswer,
        ShipmentsAnswer,
        ShipmentAnswer,
        PackageLine,
        bridge_core::store::OrderPage,
        ErrorAnswer,
        ErrorBody
    )),
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
