//! *Retry* on a dead job (the inbox and the order page), through `crate::operations`: the
//! retry is written on the order's timeline with the operator's name.

use bridge_core::workflow::operator::Operator;

use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

use crate::configuration::Role;
use crate::state::AppState;

use super::chrome::{CsrfForm, message, signed_form, storage_down};
use crate::operations::OperationError;

pub async fn retry_job(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let session = match signed_form(&state, &headers, &form.csrf, Role::Operator).await {
        Ok(session) => session,
        Err(response) => return response,
    };
    match state
        .operations()
        .retry_job(id, &Operator::new(&session.operator))
        .await
    {
        Ok(_) => {
            let back = form
                .back
                .filter(|b| b.starts_with("/console") && !b.starts_with("//"))
                .unwrap_or_else(|| "/console".to_owned());
            let separator = if back.contains('?') { '&' } else { '?' };
            Redirect::to(&format!("{back}{separator}done=retry")).into_response()
        }
        Err(OperationError::NoDeadJob(_)) => message(
            StatusCode::CONFLICT,
            "message-refused",
            super::words::t_with("message-job-not-dead", &[("id", id.to_string().into())]),
        ),
        Err(error) => storage_down(&error),
    }
}
