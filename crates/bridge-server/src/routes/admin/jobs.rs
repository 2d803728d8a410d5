//! `/api/jobs…`: list jobs; put one or every dead job back in the queue (through
//! `crate::operations`, so each retry is on its order's timeline with the person's name).

use axum::Json;
use axum::extract::{Path, Query, State};
use bridge_core::domain::OrderKey;
use bridge_core::jobs::{JobKind, JobState};
use bridge_core::store::JobFilter;
use serde::Deserialize;
use utoipa::IntoParams;

use super::answers::{ErrorAnswer, JobsAnswer, RetriedAnswer, RevivedAnswer};
use crate::auth::ApiUser;
use crate::configuration::Role;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct JobsQuery {
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
    responses(
        (status = 200, description = "The jobs", body = JobsAnswer),
        (status = 422, description = "A parameter is wrong", body = ErrorAnswer),
    )
)]
pub(super) async fn list_jobs(
    user: ApiUser,
    State(state): State<AppState>,
    Query(query): Query<JobsQuery>,
) -> Result<Json<JobsAnswer>, ApiError> {
    user.may(Role::Viewer)?;
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
    Ok(Json(JobsAnswer { jobs }))
}

/// Put a dead job back in the queue (noted on its order's timeline with the person's name).
#[utoipa::path(
    post,
    path = "/api/jobs/{id}/retry",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "Queued again", body = RetriedAnswer),
        (status = 404, description = "No such dead job", body = ErrorAnswer),
    )
)]
pub(super) async fn retry_job(
    user: ApiUser,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<RetriedAnswer>, ApiError> {
    user.may(Role::Operator)?;
    let job = state.operations().retry_job(id, &user.actor).await?;
    Ok(Json(RetriedAnswer {
        job: job.id,
        state: job.state,
    }))
}

/// Put every dead job back in the queue (each noted on its order's timeline).
#[utoipa::path(
    post,
    path = "/api/jobs/retry-dead",
    responses((status = 200, description = "How many were queued again", body = RevivedAnswer))
)]
pub(super) async fn retry_dead_jobs(
    user: ApiUser,
    State(state): State<AppState>,
) -> Result<Json<RevivedAnswer>, ApiError> {
    user.may(Role::Admin)?;
    let revived = state.operations().retry_all_dead(&user.actor).await?;
    Ok(Json(RevivedAnswer { revived }))
}
