//! What every console page shares: the frame around it (who is signed in, the CSRF token,
//! the section, a message), rendering, the sign-in and CSRF checks, and the answers for a
//! refusal or a database that does not answer.

// A refusal here is an HTTP answer, sent at once: boxing it would buy nothing.
#![allow(clippy::result_large_err)]

use std::time::Duration;

use askama::Template;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::Utc;

use crate::configuration::Role;
use crate::sign_in::{Session, csrf_matches, same_origin};
use crate::state::AppState;

use super::views::encode_query;

/// A form that carries nothing but its CSRF token (and where to go back to).
#[derive(Debug, serde::Deserialize)]
pub struct CsrfForm {
    /// The session's CSRF token.
    #[serde(default)]
    pub csrf: String,
    /// The console page to return to.
    #[serde(default)]
    pub back: Option<String>,
}

/// How long an action waits for the workflow's decision before showing the page.
pub(super) const SETTLE: Duration = Duration::from_secs(3);

/// What every signed-in page shows around its content.
pub struct Chrome {
    pub operator: String,
    pub csrf: String,
    pub section: &'static str,
    pub flash: Option<String>,
    pub error: Option<String>,
}

pub(super) fn html(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(body) => (
            status,
            [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
            Html(body),
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "a console page failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html("<h1>internal error</h1>"),
            )
                .into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "console/message.html")]
struct MessagePage {
    title: String,
    message: String,
}

pub(super) fn message(status: StatusCode, title: &str, text: String) -> Response {
    html(
        status,
        &MessagePage {
            title: title.to_owned(),
            message: text,
        },
    )
}

pub(super) fn console_off() -> Response {
    message(
        StatusCode::SERVICE_UNAVAILABLE,
        "The console is off",
        "Nobody can sign in: set server.admin_token, or add [[console.operators]] (see \
         docs/console.md)."
            .to_owned(),
    )
}

/// The signed-in person, or the answer that sends them to sign in.
pub(super) async fn signed_in(
    state: &AppState,
    headers: &HeaderMap,
    here: &str,
) -> Result<Session, Response> {
    let Some(console) = &state.console else {
        return Err(console_off());
    };
    match console.session_of(&state.store, headers, Utc::now()).await {
        Ok(Some(session)) => Ok(session),
        Ok(None) => Err(
            Redirect::to(&format!("/console/login?next={}", encode_query(here))).into_response(),
        ),
        Err(error) => Err(storage_down(&error)),
    }
}

/// The signed-in person of a form, whose CSRF token (`csrf`, every form's hidden field) and
/// origin are checked, and whose role allows what the form does (`needs`).
pub(super) async fn signed_form(
    state: &AppState,
    headers: &HeaderMap,
    token: &str,
    needs: Role,
) -> Result<Session, Response> {
    let session = signed_in(state, headers, "/console").await?;
    if session.role < needs {
        return Err(message(
            StatusCode::FORBIDDEN,
            "Refused",
            format!(
                "Your role ({}) may look, not do this: ask someone with the role {}.",
                session.role.as_str(),
                needs.as_str()
            ),
        ));
    }
    if !same_origin(headers) || !csrf_matches(&session, token) {
        return Err(message(
            StatusCode::FORBIDDEN,
            "Refused",
            "This form did not come from a console page of this session (CSRF check). \
             Reload the page and try again."
                .to_owned(),
        ));
    }
    Ok(session)
}

pub(super) fn chrome(session: &Session, section: &'static str) -> Chrome {
    Chrome {
        operator: session.operator.clone(),
        csrf: session.csrf.clone(),
        section,
        flash: None,
        error: None,
    }
}

pub(super) fn storage_down(error: &dyn std::fmt::Display) -> Response {
    tracing::error!(%error, "console: storage failed");
    message(
        StatusCode::SERVICE_UNAVAILABLE,
        "Storage is unavailable",
        "The database did not answer. The bridge keeps retrying; reload in a moment.".to_owned(),
    )
}
