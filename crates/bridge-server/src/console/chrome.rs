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
use super::words::{Words, t, t_with};

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
    /// Done, as asked.
    pub flash: Option<String>,
    /// Nothing was wrong, and nothing was done (neutral, not a success).
    pub note: Option<String>,
    pub error: Option<String>,
    /// The page's words, in the operator's language.
    pub w: Words,
    /// This page, percent-encoded, for the language switch to come back to.
    pub back: String,
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
    w: Words,
}

/// A page that only says something: `title` is a catalogue id, `text` already in words.
pub(super) fn message(status: StatusCode, title: &str, text: String) -> Response {
    html(
        status,
        &MessagePage {
            title: t(title),
            message: text,
            w: Words,
        },
    )
}

pub(super) fn console_off() -> Response {
    message(
        StatusCode::SERVICE_UNAVAILABLE,
        "message-console-off",
        t("message-console-off-text"),
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
        Ok(Some(session)) => {
            let setting = state
                .settings
                .console
                .operators
                .iter()
                .find(|operator| operator.name == session.operator)
                .and_then(|operator| operator.language.as_deref())
                .and_then(catalogue::Locale::parse);
            super::words::prefer_operator_language(headers, setting);
            Ok(session)
        }
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
            "message-refused",
            t_with(
                "message-role",
                &[
                    ("role", session.role.as_str().into()),
                    ("needed", needs.as_str().into()),
                ],
            ),
        ));
    }
    if !same_origin(headers) || !csrf_matches(&session, token) {
        return Err(message(
            StatusCode::FORBIDDEN,
            "message-refused",
            t("message-csrf"),
        ));
    }
    Ok(session)
}

pub(super) fn chrome(session: &Session, section: &'static str) -> Chrome {
    let back = match section {
        "inbox" => "/console".to_owned(),
        other => format!("/console/{other}"),
    };
    Chrome {
        operator: session.operator.clone(),
        csrf: session.csrf.clone(),
        section,
        flash: None,
        note: None,
        error: None,
        w: Words,
        back: encode_query(&back),
    }
}

impl Chrome {
    /// The language switch comes back to `path` (an order's page, say).
    pub fn back_to(mut self, path: &str) -> Chrome {
        self.back = encode_query(path);
        self
    }
}

pub(super) fn storage_down(error: &dyn std::fmt::Display) -> Response {
    tracing::error!(%error, "console: storage failed");
    message(
        StatusCode::SERVICE_UNAVAILABLE,
        "message-storage-down",
        t("message-storage-down-text"),
    )
}
