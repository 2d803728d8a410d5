//! `/api/reports` and `/api/reports.csv`: confirmation, delivery and cash figures per shop and
//! period (docs/reports.md).

use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use chrono::Utc;

use super::answers::{ErrorAnswer, ReportsAnswer};
use crate::auth::ApiUser;
use crate::configuration::Role;
use crate::error::ApiError;
use crate::reports::ReportsQuery;
use crate::state::AppState;

/// Confirmation, delivery and cash figures per shop and period: the orders received in each
/// period (shop time zone) and what became of them.
#[utoipa::path(
    get,
    path = "/api/reports",
    params(ReportsQuery),
    responses(
        (status = 200, description = "One report per shop", body = ReportsAnswer),
        (status = 422, description = "A parameter is wrong", body = ErrorAnswer),
    )
)]
pub(super) async fn reports(
    user: ApiUser,
    State(state): State<AppState>,
    Query(query): Query<ReportsQuery>,
) -> Result<Json<ReportsAnswer>, ApiError> {
    user.may(Role::Viewer)?;
    let requests = query.requests(&state.settings, &state.rules, Utc::now())?;
    let reports = crate::reports::make(&state.store, &requests).await?;
    Ok(Json(ReportsAnswer { reports }))
}

/// The same figures as CSV: one line per shop and period (`table=periods`) or per shop and
/// ShaQ region (`table=regions`).
#[utoipa::path(
    get,
    path = "/api/reports.csv",
    params(ReportsQuery),
    responses(
        (status = 200, description = "CSV with a header line", content_type = "text/csv"),
        (status = 422, description = "A parameter is wrong", body = ErrorAnswer),
    )
)]
pub(super) async fn reports_csv(
    user: ApiUser,
    State(state): State<AppState>,
    Query(query): Query<ReportsQuery>,
) -> Result<Response, ApiError> {
    user.may(Role::Viewer)?;
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
