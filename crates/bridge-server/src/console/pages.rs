//! The console's pages and form actions.

// A refusal here is an HTTP answer, sent at once: boxing it would buy nothing.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use askama::Template;
use axum::extract::{ConnectInfo, Form, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use bridge_core::domain::{GHANA_REGIONS, ShopId};
use bridge_core::jobs::JobState;
use bridge_core::lifecycle::OrderState;
use bridge_core::store::{JobFilter, OrderQuery};
use bridge_core::workflow::TrackedOrder;
use bridge_core::workflow::operator::{Operator, OperatorAction, check};
use chrono::Utc;

use super::session::{Session, clear_cookie, csrf_matches, same_origin};
use super::views::{
    DeadJob, EventLine, JobLine, OrderRow, Step, ago, encode_query, order_href, state_class, when,
};
use crate::operations::{CorrectionInput, OperationError, Operations};
use crate::reports::ReportsQuery;
use crate::routes::admin::OrdersQuery;
use crate::startup::AppState;
use bridge_core::reports::Granularity;

/// How long an action waits for the workflow's decision before showing the page.
const SETTLE: Duration = Duration::from_secs(3);

/// What every signed-in page shows around its content.
pub struct Chrome {
    pub operator: String,
    pub csrf: String,
    pub section: &'static str,
    pub flash: Option<String>,
    pub error: Option<String>,
}

fn html(status: StatusCode, page: &impl Template) -> Response {
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

fn message(status: StatusCode, title: &str, text: String) -> Response {
    html(
        status,
        &MessagePage {
            title: title.to_owned(),
            message: text,
        },
    )
}

fn console_off() -> Response {
    message(
        StatusCode::SERVICE_UNAVAILABLE,
        "The console is off",
        "Nobody can sign in: set server.admin_token, or add [[console.operators]] (see \
         docs/console.md)."
            .to_owned(),
    )
}

/// The signed-in person, or the answer that sends them to sign in.
fn signed_in(state: &AppState, headers: &HeaderMap, here: &str) -> Result<Session, Response> {
    let Some(console) = &state.console else {
        return Err(console_off());
    };
    console.gate.session_of(headers, Utc::now()).ok_or_else(|| {
        Redirect::to(&format!("/console/login?next={}", encode_query(here))).into_response()
    })
}

/// The signed-in person of a form, whose CSRF token and origin are checked.
fn signed_form(
    state: &AppState,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Result<Session, Response> {
    let session = signed_in(state, headers, "/console")?;
    let token = form.get("csrf").map_or("", String::as_str);
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

fn chrome(session: &Session, section: &'static str) -> Chrome {
    Chrome {
        operator: session.operator.clone(),
        csrf: session.csrf.clone(),
        section,
        flash: None,
        error: None,
    }
}

#[derive(Template)]
#[template(path = "console/login.html")]
struct LoginPage {
    next: String,
    error: Option<String>,
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
    if console.gate.session_of(&headers, Utc::now()).is_some() {
        return Redirect::to(&next).into_response();
    }
    html(StatusCode::OK, &LoginPage { next, error: None })
}

pub async fn login(State(state): State<AppState>, request: Request) -> Response {
    let Some(console) = state.console.clone() else {
        return console_off();
    };
    let address = client_address(&request, console.proxy_header.as_deref());
    let headers = request.headers().clone();
    let Ok(Form(form)) = Form::<HashMap<String, String>>::from_request(request, &state).await
    else {
        return message(
            StatusCode::BAD_REQUEST,
            "Refused",
            "Not a sign-in form.".to_owned(),
        );
    };
    let next = safe_next(form.get("next").map(String::as_str));
    if !same_origin(&headers) {
        return message(
            StatusCode::FORBIDDEN,
            "Refused",
            "This sign-in did not come from this console.".to_owned(),
        );
    }
    if let Some(address) = address
        && console.throttle.check_key(&address).is_err()
    {
        let mut page = html(
            StatusCode::TOO_MANY_REQUESTS,
            &LoginPage {
                next,
                error: Some("Too many sign-in attempts from here: wait a minute.".to_owned()),
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
            tracing::info!(operator = %session.operator, "console sign-in");
            let cookie = console.gate.set_cookie(&session, &headers);
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
                    error: Some("Wrong name or password.".to_owned()),
                },
            )
        }
    }
}

use axum::extract::FromRequest as _;

fn client_address(request: &Request, proxy_header: Option<&str>) -> Option<IpAddr> {
    if let Some(header) = proxy_header {
        return request
            .headers()
            .get(header)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse().ok());
    }
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip())
}

pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Err(refused) = signed_form(&state, &headers, &form) {
        return refused;
    }
    let mut response = Redirect::to("/console/login").into_response();
    if let Ok(value) = HeaderValue::from_str(&clear_cookie(&headers)) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

#[derive(Template)]
#[template(path = "console/inbox.html")]
struct InboxPage {
    chrome: Chrome,
    attention: Vec<OrderRow>,
    attention_total: u64,
    dead: Vec<DeadJob>,
}

pub async fn inbox(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let session = match signed_in(&state, &headers, "/console") {
        Ok(session) => session,
        Err(response) => return response,
    };
    let now = Utc::now();
    let attention = state
        .store
        .search_orders(&OrderQuery {
            state: Some(OrderState::NeedsAttention),
            limit: 200,
            ..OrderQuery::default()
        })
        .await;
    let dead = state
        .store
        .list_jobs(&JobFilter {
            state: Some(JobState::Dead),
            limit: Some(200),
            ..JobFilter::default()
        })
        .await;
    let (attention, dead) = match (attention, dead) {
        (Ok(attention), Ok(dead)) => (attention, dead),
        (Err(error), _) | (_, Err(error)) => return storage_down(&error),
    };
    html(
        StatusCode::OK,
        &InboxPage {
            chrome: chrome(&session, "inbox"),
            attention_total: attention.total,
            attention: attention
                .orders
                .iter()
                .map(|o| OrderRow::of(o, now))
                .collect(),
            dead: dead.iter().map(|j| DeadJob::of(j, now)).collect(),
        },
    )
}

fn storage_down(error: &dyn std::fmt::Display) -> Response {
    tracing::error!(%error, "console: storage failed");
    message(
        StatusCode::SERVICE_UNAVAILABLE,
        "Storage is unavailable",
        "The database did not answer. The bridge keeps retrying; reload in a moment.".to_owned(),
    )
}

#[derive(Template)]
#[template(path = "console/orders.html")]
struct OrdersPage {
    chrome: Chrome,
    q: String,
    shop: String,
    state: String,
    from: String,
    to: String,
    shops: Vec<String>,
    states: Vec<&'static str>,
    rows: Vec<OrderRow>,
    total: u64,
    first: u64,
    last: u64,
    prev: Option<String>,
    next: Option<String>,
    csv: String,
}

fn query_string(query: &OrdersQuery, offset: Option<u32>) -> String {
    let mut parts = Vec::new();
    for (key, value) in [
        ("q", &query.q),
        ("shop", &query.shop),
        ("state", &query.state),
        ("from", &query.from),
        ("to", &query.to),
    ] {
        if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
            parts.push(format!("{key}={}", encode_query(value)));
        }
    }
    if let Some(offset) = offset.filter(|o| *o > 0) {
        parts.push(format!("offset={offset}"));
    }
    parts.join("&")
}

pub async fn orders(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<OrdersQuery>,
) -> Response {
    let here = format!("/console/orders?{}", query_string(&query, query.offset));
    let session = match signed_in(&state, &headers, &here) {
        Ok(session) => session,
        Err(response) => return response,
    };
    let mut page_chrome = chrome(&session, "orders");
    let parsed = query.parse();
    let (rows, total, offset, limit) = match &parsed {
        Ok(parsed) => match state.store.search_orders(parsed).await {
            Ok(page) => {
                let now = Utc::now();
                (
                    page.orders.iter().map(|o| OrderRow::of(o, now)).collect(),
                    page.total,
                    page.offset,
                    page.limit,
                )
            }
            Err(error) => return storage_down(&error),
        },
        Err(error) => {
            page_chrome.error = Some(error.to_string());
            (Vec::new(), 0, 0, 50)
        }
    };
    let shown = u64::try_from(rows.len()).unwrap_or(0);
    let prev = (offset > 0).then(|| {
        format!(
            "/console/orders?{}",
            query_string(&query, Some(offset.saturating_sub(limit)))
        )
    });
    let next = (u64::from(offset) + shown < total).then(|| {
        format!(
            "/console/orders?{}",
            query_string(&query, Some(offset + limit))
        )
    });
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    html(
        if parsed.is_ok() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        },
        &OrdersPage {
            chrome: page_chrome,
            q: text(&query.q),
            shop: text(&query.shop),
            state: text(&query.state),
            from: text(&query.from),
            to: text(&query.to),
            shops: state
                .settings
                .shops
                .iter()
                .map(|s| s.id.to_string())
                .collect(),
            states: OrderState::ALL.iter().map(|s| s.as_str()).collect(),
            first: if shown == 0 { 0 } else { u64::from(offset) + 1 },
            last: u64::from(offset) + shown,
            rows,
            total,
            prev,
            next,
            csv: format!("/console/orders.csv?{}", query_string(&query, None)),
        },
    )
}

/// The most rows one CSV export holds.
const CSV_MAX: u32 = 20_000;

pub async fn orders_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<OrdersQuery>,
) -> Response {
    if let Err(response) = signed_in(&state, &headers, "/console/orders") {
        return response;
    }
    let mut parsed = match query.parse() {
        Ok(parsed) => parsed,
        Err(error) => {
            return message(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Refused",
                error.to_string(),
            );
        }
    };
    parsed.limit = bridge_core::store::MAX_PAGE;
    parsed.offset = 0;
    let mut orders: Vec<TrackedOrder> = Vec::new();
    loop {
        match state.store.search_orders(&parsed).await {
            Ok(page) => {
                let done = page.orders.len() < page.limit as usize;
                orders.extend(page.orders);
                parsed.offset += page.limit;
                if done || parsed.offset >= CSV_MAX {
                    break;
                }
            }
            Err(error) => return storage_down(&error),
        }
    }
    match crate::export::to_csv(&orders) {
        Ok(body) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/csv; charset=utf-8"),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    HeaderValue::from_static("attachment; filename=\"orders.csv\""),
                ),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
            body,
        )
            .into_response(),
        Err(error) => storage_down(&error),
    }
}

/// A link, or the bare text when no address is configured.
pub struct Link {
    pub text: String,
    pub href: Option<String>,
}

/// The fix form's values: the order's, or what the person typed.
pub struct FixForm {
    pub region: String,
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub phone: String,
    pub amount: String,
}

impl FixForm {
    fn of(order: &TrackedOrder) -> FixForm {
        let shop_order = order.order();
        FixForm {
            region: order.region().map(|r| r.region.clone()).unwrap_or_default(),
            line1: shop_order.address.line1.clone(),
            line2: shop_order.address.line2.clone().unwrap_or_default(),
            city: shop_order.address.city.clone(),
            phone: shop_order
                .recipient
                .phone
                .as_ref()
                .map(|p| p.expose().to_owned())
                .unwrap_or_default(),
            amount: order.collect().amount.to_string(),
        }
    }

    fn from_form(form: &HashMap<String, String>) -> FixForm {
        let field = |name: &str| form.get(name).cloned().unwrap_or_default();
        FixForm {
            region: field("region"),
            line1: field("line1"),
            line2: field("line2"),
            city: field("city"),
            phone: field("phone"),
            amount: field("amount"),
        }
    }

    /// The fields the person changed, as a correction to check.
    fn changes(&self, current: &FixForm) -> CorrectionInput {
        let changed =
            |typed: &str, was: &str| (typed.trim() != was.trim()).then(|| typed.trim().to_owned());
        CorrectionInput {
            region: changed(&self.region, &current.region).filter(|r| !r.is_empty()),
            line1: changed(&self.line1, &current.line1),
            line2: changed(&self.line2, &current.line2),
            city: changed(&self.city, &current.city),
            phone: changed(&self.phone, &current.phone).filter(|p| !p.is_empty()),
            amount_to_collect: changed(&self.amount, &current.amount)
                .map(serde_json::Value::String),
        }
    }
}

#[derive(Template)]
#[template(path = "console/order.html")]
struct OrderPage {
    chrome: Chrome,
    href: String,
    name: String,
    shop: String,
    platform_id: String,
    state: &'static str,
    state_class: &'static str,
    reason: String,
    customer: String,
    phone: String,
    address: String,
    region: String,
    items: Vec<String>,
    package: Option<Link>,
    courier_status: String,
    ticket: Option<Link>,
    collect: String,
    received: String,
    corrected: bool,
    form: FixForm,
    regions: Vec<&'static str>,
    can_correct: bool,
    can_resume: bool,
    resume_blocked: String,
    can_cancel: bool,
    can_after_sale: bool,
    steps: Vec<Step>,
    messages: Vec<Step>,
    jobs: Vec<JobLine>,
    events: Vec<EventLine>,
}

async fn order_page(
    state: &AppState,
    session: &Session,
    order: &TrackedOrder,
    form: Option<FixForm>,
    flash: Option<String>,
    error: Option<String>,
) -> Result<OrderPage, Response> {
    let key = order.key();
    let store = &state.store;
    let (timeline, jobs, events) = match (
        store.timeline(&key).await,
        store
            .list_jobs(&JobFilter {
                order_key: Some(key.clone()),
                limit: Some(200),
                ..JobFilter::default()
            })
            .await,
        store.inbound_events_of(&key, 20).await,
    ) {
        (Ok(t), Ok(j), Ok(e)) => (t, j, e),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return Err(storage_down(&e)),
    };
    let policy = state.rules.shop(order.shop_id()).ok();
    let allowed = |action: &OperatorAction| {
        policy.map_or(Err("the shop is no longer configured".to_owned()), |p| {
            check(order, action, p).map_err(|r| r.to_string())
        })
    };
    let probe = OperatorAction::Correct(bridge_core::workflow::operator::Correction {
        city: Some("probe".to_owned()),
        ..Default::default()
    });
    let resume = allowed(&OperatorAction::Resume);
    let console = &state.settings.console;
    let link = |template: &Option<String>, placeholder: &str, value: &str| Link {
        text: value.to_owned(),
        href: template
            .as_ref()
            .map(|t| t.replace(placeholder, &super::views::encode_segment(value))),
    };
    let shop_order = order.order();
    let steps: Vec<Step> = timeline.iter().map(Step::of).collect();
    let messages = timeline
        .iter()
        .filter(|line| line.entry.kind == bridge_core::store::TimelineKind::Ticket)
        .map(Step::of)
        .collect();
    let mut chrome = chrome(session, "orders");
    chrome.flash = flash;
    chrome.error = error;
    Ok(OrderPage {
        chrome,
        href: order_href(order),
        name: shop_order.order_ref.clone(),
        shop: order.shop_id().to_string(),
        platform_id: shop_order.platform_order_id.to_string(),
        state: order.state().as_str(),
        state_class: state_class(order.state()),
        reason: order
            .attention()
            .map(ToString::to_string)
            .unwrap_or_default(),
        customer: shop_order.recipient.name.clone(),
        phone: shop_order.recipient.phone.as_ref().map_or_else(
            || {
                shop_order
                    .recipient
                    .phone_problem
                    .map_or_else(|| "none".to_owned(), |p| format!("none: {p}"))
            },
            |p| p.masked(),
        ),
        address: shop_order.address.one_line(),
        region: order
            .region()
            .map(ToString::to_string)
            .unwrap_or_else(|| "not found yet".to_owned()),
        items: shop_order
            .items
            .iter()
            .map(|item| format!("{} × {} @ {}", item.quantity, item.name, item.unit_price))
            .collect(),
        package: order
            .tracking_number()
            .map(|t| link(&console.shaq_package_url, "{tracking_number}", t.as_str())),
        courier_status: order
            .courier_status()
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        ticket: order
            .ticket_id()
            .map(|t| link(&console.digishare_ticket_url, "{ticket_id}", t.as_str())),
        collect: format!("{} {}", order.collect().amount, order.collect().currency),
        received: when(order.created_at()),
        corrected: order.corrections().is_some(),
        form: form.unwrap_or_else(|| FixForm::of(order)),
        regions: GHANA_REGIONS.to_vec(),
        can_correct: allowed(&probe).is_ok(),
        can_resume: resume.is_ok(),
        resume_blocked: if order.state() == OrderState::NeedsAttention {
            resume.err().unwrap_or_default()
        } else {
            String::new()
        },
        can_cancel: allowed(&OperatorAction::Cancel).is_ok(),
        can_after_sale: allowed(&OperatorAction::AfterSale {
            after_sale: bridge_core::workflow::returns::AfterSale::Return,
        })
        .is_ok(),
        steps,
        messages,
        jobs: jobs.iter().map(JobLine::of).collect(),
        events: events.iter().map(EventLine::of).collect(),
    })
}

#[derive(serde::Deserialize)]
pub struct FlashQuery {
    done: Option<String>,
}

/// The fixed sentences a redirect may show (never text from the address bar).
fn flash_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "correct" => "Saved. The order keeps these details even if the shop sends it again.",
        "correct-resume" => "Saved and resumed: the order is on its way again.",
        "resume" => "Resumed: the order is on its way again.",
        "replay" => "The webhook was run through the workflow again.",
        "cancel" => "Cancelled: ShaQ, Digishare and the shop are being told.",
        "return" => {
            "Return asked: ShaQ will collect the item from the customer; its package appears on the journey."
        }
        "replace" => {
            "Replacement asked: ShaQ will deliver a new item; its package appears on the journey."
        }
        "exchange" => {
            "Exchange asked: ShaQ will collect the item and deliver a new one; their packages appear on the journey."
        }
        "retry" => "The job is queued again.",
        "queued" => "Queued: the order's earlier jobs are still running; reload in a moment.",
        _ => return None,
    })
}

pub async fn order(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((shop_id, order_id)): Path<(String, String)>,
    Query(flash): Query<FlashQuery>,
) -> Response {
    let here = format!(
        "/console/orders/{}/{}",
        super::views::encode_segment(&shop_id),
        super::views::encode_segment(&order_id)
    );
    let session = match signed_in(&state, &headers, &here) {
        Ok(session) => session,
        Err(response) => return response,
    };
    let operations = Operations::of(&state);
    let order = match operations.find(&ShopId::new(shop_id), &order_id).await {
        Ok(order) => order,
        Err(error) => return operation_refused(&error),
    };
    let flash = flash
        .done
        .as_deref()
        .and_then(flash_text)
        .map(str::to_owned);
    match order_page(&state, &session, &order, None, flash, None).await {
        Ok(page) => html(StatusCode::OK, &page),
        Err(response) => response,
    }
}

fn operation_refused(error: &OperationError) -> Response {
    match error {
        OperationError::NoOrder { .. } | OperationError::UnknownShop(_) => {
            message(StatusCode::NOT_FOUND, "Not found", error.to_string())
        }
        OperationError::Store(error) => storage_down(error),
        other => message(StatusCode::CONFLICT, "Refused", other.to_string()),
    }
}

pub async fn order_action(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((shop_id, order_id, action)): Path<(String, String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let session = match signed_form(&state, &headers, &form) {
        Ok(session) => session,
        Err(response) => return response,
    };
    let operations = Operations::of(&state);
    let order = match operations.find(&ShopId::new(shop_id), &order_id).await {
        Ok(order) => order,
        Err(error) => return operation_refused(&error),
    };
    let by = Operator::new(&session.operator);
    let typed = FixForm::from_form(&form);
    let (actions, done): (Vec<OperatorAction>, &str) = match action.as_str() {
        "correct" => {
            let resume = form.get("then").is_some_and(|t| t == "resume");
            let country = order
                .order()
                .address
                .country_iso2
                .as_ref()
                .map_or("GH", |c| c.as_str());
            let changes = typed.changes(&FixForm::of(&order));
            let nothing_changed = changes.region.is_none()
                && changes.line1.is_none()
                && changes.line2.is_none()
                && changes.city.is_none()
                && changes.phone.is_none()
                && changes.amount_to_collect.is_none();
            let mut actions = Vec::new();
            if !nothing_changed {
                match changes.parse(country) {
                    Ok(correction) => actions.push(OperatorAction::Correct(correction)),
                    Err(problem) => {
                        let error = format!("{}: {}", field_label(problem.field), problem.message);
                        return rerender(
                            &state,
                            &session,
                            &order,
                            typed,
                            error,
                            StatusCode::UNPROCESSABLE_ENTITY,
                        )
                        .await;
                    }
                }
            }
            if resume {
                actions.push(OperatorAction::Resume);
            }
            if actions.is_empty() {
                let error = "Nothing changed: edit a field, or use Resume.".to_owned();
                return rerender(
                    &state,
                    &session,
                    &order,
                    typed,
                    error,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            }
            let done = match (nothing_changed, resume) {
                (false, true) => "correct-resume",
                (true, _) => "resume",
                (false, false) => "correct",
            };
            (actions, done)
        }
        "resume" => (vec![OperatorAction::Resume], "resume"),
        "return" | "replace" | "exchange" => {
            let kind = match action.as_str() {
                "return" => bridge_core::workflow::returns::AfterSale::Return,
                "replace" => bridge_core::workflow::returns::AfterSale::Replace,
                _ => bridge_core::workflow::returns::AfterSale::Exchange,
            };
            (
                vec![OperatorAction::AfterSale { after_sale: kind }],
                kind.as_str(),
            )
        }
        "replay" => (vec![OperatorAction::Replay { event_id: 0 }], "replay"),
        "cancel" if form.get("confirm").is_some_and(|c| c == "yes") => {
            (vec![OperatorAction::Cancel], "cancel")
        }
        "cancel" => {
            let error = "Tick \"yes, cancel this order\" to cancel it.".to_owned();
            return rerender(
                &state,
                &session,
                &order,
                typed,
                error,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
        _ => {
            return message(
                StatusCode::NOT_FOUND,
                "Not found",
                "No such action.".to_owned(),
            );
        }
    };
    // A correction then a resume: the resume is checked against the order as the correction
    // leaves it.
    let last_job = match operations.submit_all(&order, by, actions).await {
        Ok(queued) => queued.last().map(|q| q.job_id),
        Err(error) => {
            let status = match error {
                OperationError::Refused(_) | OperationError::NothingToReplay => {
                    StatusCode::CONFLICT
                }
                _ => return operation_refused(&error),
            };
            return rerender(&state, &session, &order, typed, error.to_string(), status).await;
        }
    };
    let mut done = done;
    if let Some(job_id) = last_job {
        match operations.settle(job_id, SETTLE).await {
            Ok(Some(job)) if matches!(job.state, JobState::Queued | JobState::Running) => {
                done = "queued";
            }
            Ok(_) => {}
            Err(error) => return operation_refused(&error),
        }
    }
    Redirect::to(&format!("{}?done={done}", order_href(&order))).into_response()
}

fn field_label(field: &str) -> &'static str {
    match field {
        "region" => "Region",
        "line1" => "Address line 1",
        "line2" => "Address line 2",
        "city" => "City",
        "phone" => "Phone",
        "amount_to_collect" => "Amount to collect",
        _ => "Field",
    }
}

async fn rerender(
    state: &AppState,
    session: &Session,
    order: &TrackedOrder,
    typed: FixForm,
    error: String,
    status: StatusCode,
) -> Response {
    match order_page(state, session, order, Some(typed), None, Some(error)).await {
        Ok(page) => html(status, &page),
        Err(response) => response,
    }
}

pub async fn retry_job(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let session = match signed_form(&state, &headers, &form) {
        Ok(session) => session,
        Err(response) => return response,
    };
    let job = match state.store.job(id).await {
        Ok(Some(job)) => job,
        Ok(None) => return message(StatusCode::NOT_FOUND, "Not found", format!("No job {id}.")),
        Err(error) => return storage_down(&error),
    };
    match state.store.revive_job(id, Utc::now()).await {
        Ok(true) => {
            state.waker.wake();
            tracing::info!(job_id = id, operator = %session.operator, "dead job retried from the console");
            let line = bridge_core::workflow::timeline(
                &job.order_key,
                Utc::now(),
                bridge_core::store::TimelineKind::Operator,
                format!("{} job {id} retried by {}", job.kind(), session.operator),
            );
            let mut line = line;
            line.details = serde_json::json!({ "operator": session.operator });
            if let Err(error) = state.store.append_timeline(&[line]).await {
                return storage_down(&error);
            }
            let back = form
                .get("back")
                .filter(|b| b.starts_with("/console") && !b.starts_with("//"))
                .cloned()
                .unwrap_or_else(|| "/console".to_owned());
            let separator = if back.contains('?') { '&' } else { '?' };
            Redirect::to(&format!("{back}{separator}done=retry")).into_response()
        }
        Ok(false) => message(
            StatusCode::CONFLICT,
            "Refused",
            format!("Job {id} is not dead (it may have been retried already)."),
        ),
        Err(error) => storage_down(&error),
    }
}

#[derive(Template)]
#[template(path = "console/health.html")]
struct HealthPage {
    chrome: Chrome,
    jobs: Vec<(&'static str, i64)>,
    outcomes: Vec<(&'static str, i64, i64, i64)>,
    orders: Vec<(&'static str, u64)>,
    sources: Vec<SourceLine>,
    silent_after: String,
    version: &'static str,
    backend: String,
    writable: bool,
}

pub struct SourceLine {
    pub source: String,
    pub last: String,
    pub ago: String,
    pub silent: bool,
}

pub async fn health(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let session = match signed_in(&state, &headers, "/console/health") {
        Ok(session) => session,
        Err(response) => return response,
    };
    let now = Utc::now();
    let (counts, orders, last) = match (
        state.store.job_counts().await,
        state.store.order_counts().await,
        state.store.last_webhook_per_source().await,
    ) {
        (Ok(c), Ok(o), Ok(l)) => (c, o, l),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return storage_down(&e),
    };
    let outcomes = match state.store.job_counts_by_kind().await {
        Ok(by_kind) => by_kind
            .into_iter()
            .map(|(kind, c)| {
                (
                    kind.as_str(),
                    c.get(JobState::Queued) + c.get(JobState::Running),
                    c.get(JobState::Done),
                    c.get(JobState::Dead),
                )
            })
            .collect(),
        Err(e) => return storage_down(&e),
    };
    let silent_after = state.settings.alerts.silent_shop_after;
    let silent_limit = chrono::Duration::from_std(silent_after).unwrap_or(chrono::Duration::MAX);
    let mut sources: Vec<SourceLine> = last
        .iter()
        .map(|(source, at)| SourceLine {
            source: source.clone(),
            last: when(*at),
            ago: ago(*at, now),
            silent: source.starts_with("shop:") && now - *at > silent_limit,
        })
        .collect();
    for shop in &state.settings.shops {
        let source = format!("shop:{}", shop.id);
        if !sources.iter().any(|s| s.source == source) {
            sources.push(SourceLine {
                source,
                last: "never".to_owned(),
                ago: String::new(),
                silent: true,
            });
        }
    }
    html(
        StatusCode::OK,
        &HealthPage {
            chrome: chrome(&session, "health"),
            outcomes,
            jobs: JobState::ALL
                .iter()
                .map(|s| (s.as_str(), counts.get(*s)))
                .collect(),
            orders: OrderState::ALL
                .iter()
                .map(|s| {
                    (
                        s.as_str(),
                        orders
                            .iter()
                            .find(|(state, _)| state == s)
                            .map_or(0, |(_, n)| *n),
                    )
                })
                .collect(),
            sources,
            silent_after: humantime_serde::re::humantime::format_duration(silent_after).to_string(),
            version: env!("CARGO_PKG_VERSION"),
            backend: format!("{:?}", state.store.backend()).to_lowercase(),
            writable: state.store.writable().await.is_ok(),
        },
    )
}

/// A report as the Reports page shows it: figures formatted, the chart drawn.
pub struct ReportView {
    pub shop: String,
    pub from: String,
    pub to: String,
    pub time_zone: String,
    pub received: u64,
    pub asked: u64,
    pub confirmed: u64,
    pub declined: u64,
    pub expired: u64,
    pub shipped: u64,
    pub delivered: u64,
    pub returned: u64,
    pub confirmation_rate: String,
    pub median_to_confirm: String,
    pub return_rate: String,
    pub cash: Vec<CashLine>,
    pub chart: String,
    pub periods: Vec<PeriodRow>,
    pub regions: Vec<RegionRow>,
}

/// Cash on delivery in one currency, as people read money (two decimals at least).
pub struct CashLine {
    pub currency: String,
    pub expected: String,
    pub collected: String,
    pub outstanding: String,
}

fn money(amount: rust_decimal::Decimal) -> String {
    if amount.scale() <= 2 {
        format!("{amount:.2}")
    } else {
        amount.to_string()
    }
}

pub struct PeriodRow {
    pub label: String,
    pub received: u64,
    pub confirmed: u64,
    pub confirmation_rate: String,
    pub median_to_confirm: String,
    pub declined: u64,
    pub expired: u64,
    pub shipped: u64,
    pub delivered: u64,
    pub returned: u64,
    pub return_rate: String,
    pub collected: String,
    pub outstanding: String,
}

pub struct RegionRow {
    pub region: String,
    pub shipped: u64,
    pub delivered: u64,
    pub returned: u64,
    pub success: String,
    pub median_days: String,
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "–".to_owned(), |r| format!("{:.1} %", r * 100.0))
}

fn minutes(value: Option<f64>) -> String {
    match value {
        None => "–".to_owned(),
        Some(m) if m < 120.0 => format!("{m:.0} min"),
        Some(m) => format!("{:.1} h", m / 60.0),
    }
}

fn amounts(
    cash: &[bridge_core::reports::CashFigures],
    pick: fn(&bridge_core::reports::CashFigures) -> String,
) -> String {
    if cash.is_empty() {
        return "–".to_owned();
    }
    cash.iter()
        .map(|c| format!("{} {}", pick(c), c.currency))
        .collect::<Vec<_>>()
        .join(", ")
}

impl ReportView {
    fn of(report: &bridge_core::reports::Report) -> ReportView {
        let t = &report.total;
        ReportView {
            shop: report.shop.to_string(),
            from: report.from.to_string(),
            to: report.to.to_string(),
            time_zone: report.time_zone.clone(),
            received: t.received,
            asked: t.asked,
            confirmed: t.confirmed,
            declined: t.declined,
            expired: t.expired,
            shipped: t.shipped,
            delivered: t.delivered,
            returned: t.returned,
            confirmation_rate: percent(t.confirmation_rate),
            median_to_confirm: minutes(t.median_minutes_to_confirm),
            return_rate: percent(t.return_rate),
            cash: t
                .cash
                .iter()
                .map(|c| CashLine {
                    currency: c.currency.clone(),
                    expected: money(c.expected),
                    collected: money(c.collected),
                    outstanding: money(c.outstanding),
                })
                .collect(),
            chart: crate::reports::chart_svg(report),
            periods: report
                .periods
                .iter()
                .map(|p| PeriodRow {
                    label: if p.first_day == p.last_day {
                        p.first_day.to_string()
                    } else {
                        format!("{} – {}", p.first_day, p.last_day)
                    },
                    received: p.received,
                    confirmed: p.confirmed,
                    confirmation_rate: percent(p.confirmation_rate),
                    median_to_confirm: minutes(p.median_minutes_to_confirm),
                    declined: p.declined,
                    expired: p.expired,
                    shipped: p.shipped,
                    delivered: p.delivered,
                    returned: p.returned,
                    return_rate: percent(p.return_rate),
                    collected: amounts(&p.cash, |c| money(c.collected)),
                    outstanding: amounts(&p.cash, |c| money(c.outstanding)),
                })
                .collect(),
            regions: report
                .regions
                .iter()
                .map(|r| RegionRow {
                    region: r
                        .region
                        .clone()
                        .unwrap_or_else(|| "(not located)".to_owned()),
                    shipped: r.shipped,
                    delivered: r.delivered,
                    returned: r.returned,
                    success: percent(r.delivery_success_rate),
                    median_days: r
                        .median_days_to_deliver
                        .map_or_else(|| "–".to_owned(), |d| format!("{d:.1}")),
                })
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "console/reports.html")]
struct ReportsPage {
    chrome: Chrome,
    shops: Vec<String>,
    selected_shop: String,
    from: String,
    to: String,
    by: String,
    granularities: Vec<&'static str>,
    query: String,
    reports: Vec<ReportView>,
}

fn reports_query_string(query: &ReportsQuery) -> String {
    [
        ("shop", &query.shop),
        ("from", &query.from),
        ("to", &query.to),
        ("by", &query.by),
    ]
    .into_iter()
    .filter_map(|(key, value)| {
        value
            .as_deref()
            .filter(|v| !v.is_empty())
            .map(|v| format!("{key}={}", encode_query(v)))
    })
    .collect::<Vec<_>>()
    .join("&")
}

/// `/console/reports`: confirmation, delivery and cash per shop and period, with charts.
pub async fn reports(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<ReportsQuery>,
) -> Response {
    let here = format!("/console/reports?{}", reports_query_string(&query));
    let session = match signed_in(&state, &headers, &here) {
        Ok(session) => session,
        Err(response) => return response,
    };
    let mut page_chrome = chrome(&session, "reports");
    let mut views = Vec::new();
    let (mut from, mut to) = (String::new(), String::new());
    match query.requests(&state.settings, &state.rules, Utc::now()) {
        Ok(requests) => {
            if let Some(first) = requests.first() {
                from = first.from.to_string();
                to = first.to.to_string();
            }
            match crate::reports::make(&state.store, &requests).await {
                Ok(reports) => views = reports.iter().map(ReportView::of).collect(),
                Err(error) => page_chrome.error = Some(error.to_string()),
            }
        }
        Err(error) => page_chrome.error = Some(error.to_string()),
    }
    html(
        StatusCode::OK,
        &ReportsPage {
            chrome: page_chrome,
            shops: state
                .settings
                .shops
                .iter()
                .map(|s| s.id.to_string())
                .collect(),
            selected_shop: query.shop.clone().unwrap_or_default(),
            from,
            to,
            by: query
                .by
                .clone()
                .filter(|b| !b.is_empty())
                .unwrap_or_else(|| "day".to_owned()),
            granularities: Granularity::ALL.iter().map(|g| g.as_str()).collect(),
            query: reports_query_string(&query),
            reports: views,
        },
    )
}

/// `/console/reports.csv`: the Reports page's figures as CSV.
pub async fn reports_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<ReportsQuery>,
) -> Response {
    if let Err(response) = signed_in(&state, &headers, "/console/reports") {
        return response;
    }
    let made = async {
        let table = query.table()?;
        let requests = query.requests(&state.settings, &state.rules, Utc::now())?;
        let reports = crate::reports::make(&state.store, &requests).await?;
        crate::reports::to_csv(&reports, table)
            .map_err(|e| crate::error::ApiError::Internal(format!("report CSV: {e}")))
    };
    match made.await {
        Ok(body) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/csv; charset=utf-8"),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    HeaderValue::from_static("attachment; filename=\"shaq-bridge-report.csv\""),
                ),
            ],
            body,
        )
            .into_response(),
        Err(error @ crate::error::ApiError::Unavailable(_)) => storage_down(&error),
        Err(error) => message(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Refused",
            error.to_string(),
        ),
    }
}

pub struct HandoverShop {
    pub id: String,
    pub ready: u64,
    pub daily: String,
}

pub struct ShipmentRow {
    pub id: i64,
    pub when: String,
    pub shop: String,
    pub reference: String,
    pub packages: u64,
    pub requested_by: String,
    pub state: String,
    pub error: Option<String>,
    pub ready: bool,
}

#[derive(Template)]
#[template(path = "console/handover.html")]
struct HandoverPage {
    chrome: Chrome,
    shops: Vec<HandoverShop>,
    shipments: Vec<ShipmentRow>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct HandoverFlash {
    gathered: Option<u64>,
    none: Option<String>,
}

/// `/console/handover`: what is ready per shop, *Hand over now*, and the shipments with their
/// printable PDF.
pub async fn handover(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(flash): Query<HandoverFlash>,
) -> Response {
    let session = match signed_in(&state, &headers, "/console/handover") {
        Ok(session) => session,
        Err(response) => return response,
    };
    let (ready, shipments) = match (
        state.store.ready_for_handover().await,
        state.store.shipments(None, 50).await,
    ) {
        (Ok(ready), Ok(shipments)) => (ready, shipments),
        (Err(e), _) | (_, Err(e)) => return storage_down(&e),
    };
    let mut page_chrome = chrome(&session, "handover");
    page_chrome.flash = match (flash.gathered, flash.none) {
        (Some(packages), _) => Some(format!(
            "{packages} package(s) gathered: the shipment is being made at ShaQ; its PDF appears below in a moment."
        )),
        (None, Some(shop)) => Some(format!("Nothing of {shop} is waiting to be handed over.")),
        (None, None) => None,
    };
    let shops = state
        .settings
        .shops
        .iter()
        .map(|shop| HandoverShop {
            id: shop.id.to_string(),
            ready: ready
                .iter()
                .find(|(id, _)| *id == shop.id)
                .map_or(0, |(_, n)| *n),
            daily: shop.handover.time().map_or_else(
                || "on demand".to_owned(),
                |t| format!("every day at {}", t.format("%H:%M")),
            ),
        })
        .collect();
    let shipments = shipments
        .into_iter()
        .map(|s| ShipmentRow {
            id: s.id,
            when: when(s.created_at),
            shop: s.shop.to_string(),
            reference: s.reference.clone().unwrap_or_else(|| "–".to_owned()),
            packages: s.packages,
            requested_by: s.requested_by.clone(),
            state: s.state.to_string(),
            error: s.last_error.clone(),
            ready: s.state == bridge_core::store::ShipmentState::Ready,
        })
        .collect();
    html(
        StatusCode::OK,
        &HandoverPage {
            chrome: page_chrome,
            shops,
            shipments,
        },
    )
}

/// *Hand over now* for one shop.
pub async fn hand_over(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(shop_id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let session = match signed_form(&state, &headers, &form) {
        Ok(session) => session,
        Err(response) => return response,
    };
    let operations = Operations::of(&state);
    let shop = ShopId::new(shop_id);
    match operations
        .hand_over(&shop, &Operator::new(&session.operator))
        .await
    {
        Ok(Some(shipment)) => {
            tracing::info!(shop = %shop, shipment = shipment.id, operator = %session.operator, "handover from the console");
            Redirect::to(&format!("/console/handover?gathered={}", shipment.packages))
                .into_response()
        }
        Ok(None) => Redirect::to(&format!(
            "/console/handover?none={}",
            encode_query(shop.as_str())
        ))
        .into_response(),
        Err(OperationError::UnknownShop(shop)) => message(
            StatusCode::NOT_FOUND,
            "Not found",
            format!("No shop `{shop}` is configured."),
        ),
        Err(error) => storage_down(&error),
    }
}

/// A shipment's PDF.
pub async fn shipment_pdf(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    if let Err(response) = signed_in(&state, &headers, "/console/handover") {
        return response;
    }
    match crate::routes::admin::pdf_response(&state, id).await {
        Ok(response) => response,
        Err(crate::error::ApiError::NotFound(text)) => {
            message(StatusCode::NOT_FOUND, "Not found", text)
        }
        Err(crate::error::ApiError::Conflict(text)) => {
            message(StatusCode::CONFLICT, "Not ready yet", text)
        }
        Err(error) => storage_down(&error),
    }
}
