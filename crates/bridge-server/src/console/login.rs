//! Signing in and out: the sign-in page, the sign-in (throttled per client address, argon2 off
//! the async threads), and the sign-out.

use std::collections::HashMap;

use axum::extract::FromRequest as _;

use askama::Template;
use axum::extract::{Form, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;

use crate::configuration::Role;
use crate::sign_in::{clear_cookie, same_origin};
use crate::state::AppState;

use super::chrome::{CsrfForm, console_off, html, message, signed_form, storage_down};
use super::words::{Words, t};

#[derive(Template)]
#[template(path = "console/login.html")]
struct LoginPage {
    next: String,
    error: Option<String>,
    w: Words,
}

#[derive(serde::Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Only a console page is a place to go back to after signing in.
fn safe_next(next: Option<&str>) -> String {
    next.filter(|n| n.starts_with("/console") && !n.starts_with("//") && !n.contains('\\'))
        .unwrap_or("/console")
        .to_owned()
}

pub async fn login_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<NextQuery>,
) -> Response {
    let Some(console) = &state.console else {
        return console_off();
    };
    let next = safe_next(query.next.as_deref());
    if let Ok(Some(_)) = console.session_of(&state.store, &headers, Utc::now()).await {
        return Redirect::to(&next).into_response();
    }
    html(
        StatusCode::OK,
        &LoginPage {
            next,
            error: None,
            w: Words,
        },
    )
}

pub async fn login(State(state): State<AppState>, request: Request) -> Response {
    let Some(console) = state.console.clone() else {
        return console_off();
    };
    let address = crate::client_address::client_address(
        request.headers(),
        request.extensions(),
        console.proxy_header.as_deref(),
    );
    let headers = request.headers().clone();
    let Ok(Form(form)) = Form::<HashMap<String, String>>::from_request(request, &state).await
    else {
        return message(
            StatusCode::BAD_REQUEST,
            "message-refused",
            t("login-not-a-form"),
        );
    };
    let next = safe_next(form.get("next").map(String::as_str));
    if !same_origin(&headers) {
        return message(
            StatusCode::FORBIDDEN,
            "message-refused",
            t("login-other-origin"),
        );
    }
    if let Some(address) = address
        && console.throttle.check_key(&address).is_err()
    {
        let mut page = html(
            StatusCode::TOO_MANY_REQUESTS,
            &LoginPage {
                next,
                error: Some(t("login-throttled")),
                w: Words,
            },
        );
        page.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
        return page;
    }
    let name = form.get("name").map_or("", String::as_str).to_owned();
    let password = form.get("password").map_or("", String::as_str).to_owned();
    let gate = console.gate.clone();
    // Argon2 takes a while on purpose: off the async threads.
    let session = tokio::task::spawn_blocking(move || gate.sign_in(&name, &password, Utc::now()))
        .await
        .ok()
        .flatten();
    match session {
        Some(session) => {
            if let Err(error) = state.store.create_session(&session, Utc::now()).await {
                return storage_down(&error);
            }
            tracing::info!(operator = %session.operator, "console sign-in");
            let cookie = console.gate.set_cookie(&session.id, &headers);
            let mut response = Redirect::to(&next).into_response();
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().insert(header::SET_COOKIE, value);
            }
            response
        }
        None => {
            tracing::warn!("console sign-in refused");
            html(
                StatusCode::UNAUTHORIZED,
                &LoginPage {
                    next,
                    error: Some(t("login-wrong")),
                    w: Words,
                },
            )
        }
    }
}

pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    let session = match signed_form(&state, &headers, &form.csrf, Role::Viewer).await {
        Ok(session) => session,
        Err(refused) => return refused,
    };
    // Over on the server: the old cookie opens nothing any more, wherever it was copied.
    if let Err(error) = state.store.end_session(&session.id).await {
        return storage_down(&error);
    }
    tracing::info!(operator = %session.operator, "console sign-out");
    let mut response = Redirect::to("/console/login").into_response();
    if let Ok(value) = HeaderValue::from_str(&clear_cookie(&headers)) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}
