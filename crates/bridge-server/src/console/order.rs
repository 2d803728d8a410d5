//! An order's page: what it is, its journey, what the customer was sent, its jobs and
//! webhooks; and its forms — fix and resume, replay, cancel, return or exchange — each a typed
//! [`OrderAction`] with a typed [`OrderForm`], sent through `crate::operations`.

use bridge_core::domain::{GHANA_REGIONS, ShopId};
use bridge_core::lifecycle::OrderState;
use bridge_core::store::JobFilter;
use bridge_core::workflow::TrackedOrder;
use bridge_core::workflow::operator::{Operator, OperatorAction, check};
use bridge_core::workflow::returns::AfterSale;
use serde::Deserialize;

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

use super::chrome::{Chrome, SETTLE, chrome, html, message, signed_form, signed_in, storage_down};
use super::views::{
    EventLine, JobLine, Sent, Step, order_href, reason, state_class, state_label, when_in,
};
use super::words::t;
use crate::configuration::Role;
use crate::operations::{CorrectionInput, OperationError, OrderRequest};
use crate::sign_in::Session;
use crate::state::AppState;

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
    /// The state's stored name (the page's logic compares it).
    state: &'static str,
    /// Its name for people.
    state_label: String,
    state_class: &'static str,
    reason: String,
    /// What the bridge read from the address, as recorded.
    reason_detail: String,
    /// The customer's note to the shop.
    note: String,
    customer: String,
    phone: String,
    address: String,
    region: String,
    items: Vec<String>,
    package: Option<Link>,
    courier_status: String,
    ticket: Option<Link>,
    /// Whether the customer's ticket has the invoice (`None`: the shop sends none).
    invoice: Option<bool>,
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
    messages: Vec<Sent>,
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
        policy.map_or(Err(t("refusal-shop-gone")), |p| {
            check(order, action, p).map_err(|r| super::views::refusal(&r))
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
    let zone = state
        .settings
        .shops
        .iter()
        .find(|shop| shop.id == *order.shop_id())
        .map_or(chrono_tz::Africa::Accra, |shop| shop.zone());
    let steps: Vec<Step> = timeline.iter().map(|line| Step::of(line, zone)).collect();
    let messages = timeline
        .iter()
        .filter_map(|line| Sent::of(line, zone))
        .collect();
    let mut chrome = chrome(session, "orders").back_to(&order_href(order));
    chrome.flash = flash;
    chrome.error = error;
    Ok(OrderPage {
        chrome,
        href: order_href(order),
        name: shop_order.order_ref.clone(),
        shop: order.shop_id().to_string(),
        platform_id: shop_order.platform_order_id.to_string(),
        state: order.state().as_str(),
        state_label: state_label(order.state()),
        state_class: state_class(order.state()),
        reason: order.attention().map(reason).unwrap_or_default(),
        reason_detail: order
            .attention()
            .map(super::views::reason_detail)
            .unwrap_or_default(),
        note: shop_order.note.clone().unwrap_or_default(),
        customer: shop_order.recipient.name.clone(),
        phone: shop_order.recipient.phone.as_ref().map_or_else(
            || {
                shop_order.recipient.phone_problem.map_or_else(
                    || t("order-no-phone"),
                    |p| {
                        format!(
                            "{}: {}",
                            t("order-no-phone"),
                            super::views::phone_problem(&p)
                        )
                    },
                )
            },
            |p| p.masked(),
        ),
        address: shop_order.address.one_line(),
        region: order
            .region()
            .map(super::views::located)
            .unwrap_or_else(|| t("order-region-not-found")),
        items: shop_order
            .items
            .iter()
            .map(|item| {
                super::words::t_with(
                    "order-item",
                    &[
                        ("count", u64::from(item.quantity).into()),
                        ("name", item.name.as_str().into()),
                        ("price", item.unit_price.to_string().into()),
                    ],
                )
            })
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
        invoice: state
            .settings
            .shops
            .iter()
            .find(|shop| shop.id == *order.shop_id())
            .filter(|shop| shop.invoice.is_on())
            .map(|_| order.ticket_media().invoice.is_some()),
        collect: format!("{} {}", order.collect().amount, order.collect().currency),
        received: when_in(order.created_at(), zone),
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
        events: events.iter().map(|e| EventLine::of(e, zone)).collect(),
    })
}

#[derive(serde::Deserialize)]
pub struct FlashQuery {
    done: Option<String>,
}

/// The fixed sentences a redirect may show (never text from the address bar).
fn flash_text(code: &str) -> Option<String> {
    matches!(
        code,
        "correct"
            | "correct-resume"
            | "resume"
            | "replay"
            | "cancel"
            | "return"
            | "replace"
            | "exchange"
            | "retry"
            | "queued"
    )
    .then(|| t(&format!("done-{code}")))
}

/// `GET /console/orders/{shop}/{id}/invoice.pdf`: the invoice the customer received.
pub async fn invoice(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((shop_id, order_id)): Path<(String, String)>,
) -> Response {
    let here = format!(
        "/console/orders/{}/{}/invoice.pdf",
        super::views::encode_segment(&shop_id),
        super::views::encode_segment(&order_id)
    );
    if let Err(response) = signed_in(&state, &headers, &here).await {
        return response;
    }
    let order = match state
        .operations()
        .find(&ShopId::new(shop_id), &order_id)
        .await
    {
        Ok(order) => order,
        Err(error) => return operation_refused(&error),
    };
    match crate::downloads::invoice_pdf(&state.settings, &order) {
        Ok(pdf) => pdf,
        Err(error) => error.into_response(),
    }
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
    let session = match signed_in(&state, &headers, &here).await {
        Ok(session) => session,
        Err(response) => return response,
    };
    let order = match state
        .operations()
        .find(&ShopId::new(shop_id), &order_id)
        .await
    {
        Ok(order) => order,
        Err(error) => return operation_refused(&error),
    };
    let flash = flash.done.as_deref().and_then(flash_text);
    match order_page(&state, &session, &order, None, flash, None).await {
        Ok(page) => html(StatusCode::OK, &page),
        Err(response) => response,
    }
}

fn operation_refused(error: &OperationError) -> Response {
    match error {
        OperationError::NoOrder { shop, reference } => message(
            StatusCode::NOT_FOUND,
            "message-not-found",
            super::words::t_with(
                "message-no-order",
                &[
                    ("shop", shop.to_string().into()),
                    ("order", reference.as_str().into()),
                ],
            ),
        ),
        OperationError::UnknownShop(shop) => message(
            StatusCode::NOT_FOUND,
            "message-not-found",
            super::words::t_with("message-no-shop", &[("shop", shop.to_string().into())]),
        ),
        OperationError::Store(error) => storage_down(error),
        OperationError::Refused(refusal) => message(
            StatusCode::CONFLICT,
            "message-refused",
            super::views::refusal(refusal),
        ),
        OperationError::Invalid(problem) => message(
            StatusCode::UNPROCESSABLE_ENTITY,
            "message-refused",
            format!(
                "{}: {}",
                field_label(problem.field),
                super::views::field_problem(&problem.kind)
            ),
        ),
        OperationError::NothingToCorrect => message(
            StatusCode::UNPROCESSABLE_ENTITY,
            "message-refused",
            super::words::t("order-nothing-changed"),
        ),
        OperationError::NothingToReplay => message(
            StatusCode::CONFLICT,
            "message-refused",
            super::words::t("refusal-nothing-to-replay"),
        ),
        OperationError::NoDeadJob(id) => message(
            StatusCode::CONFLICT,
            "message-refused",
            super::words::t_with("message-job-not-dead", &[("id", id.to_string().into())]),
        ),
    }
}

/// What a form of the order page asks for: the last segment of its address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderAction {
    /// Save the fix form (and resume, with `then=resume`).
    Correct,
    /// Resume as it is.
    Resume,
    /// Run the last webhook again.
    Replay,
    /// Cancel (with `confirm=yes`).
    Cancel,
    /// After delivery: collect the item back.
    Return,
    /// After delivery: deliver a replacement.
    Replace,
    /// After delivery: both, on one visit.
    Exchange,
}

impl std::str::FromStr for OrderAction {
    type Err = ();

    fn from_str(segment: &str) -> Result<Self, ()> {
        Ok(match segment {
            "correct" => OrderAction::Correct,
            "resume" => OrderAction::Resume,
            "replay" => OrderAction::Replay,
            "cancel" => OrderAction::Cancel,
            "return" => OrderAction::Return,
            "replace" => OrderAction::Replace,
            "exchange" => OrderAction::Exchange,
            _ => return Err(()),
        })
    }
}

/// What an order page's forms post: the fix form's fields, and the confirmations of the
/// other buttons; every form carries the CSRF token.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OrderForm {
    csrf: String,
    region: String,
    line1: String,
    line2: String,
    city: String,
    phone: String,
    amount: String,
    /// `resume`: *Save and resume*.
    then: Option<String>,
    /// `yes`: the cancel confirmation is ticked.
    confirm: Option<String>,
}

impl From<&OrderForm> for FixForm {
    fn from(form: &OrderForm) -> FixForm {
        FixForm {
            region: form.region.clone(),
            line1: form.line1.clone(),
            line2: form.line2.clone(),
            city: form.city.clone(),
            phone: form.phone.clone(),
            amount: form.amount.clone(),
        }
    }
}

pub async fn order_action(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((shop_id, order_id, action)): Path<(String, String, String)>,
    Form(form): Form<OrderForm>,
) -> Response {
    let Ok(action) = action.parse::<OrderAction>() else {
        return message(
            StatusCode::NOT_FOUND,
            "message-not-found",
            t("message-no-such-action"),
        );
    };
    let session = match signed_form(&state, &headers, &form.csrf, Role::Operator).await {
        Ok(session) => session,
        Err(response) => return response,
    };
    let operations = state.operations();
    let order = match operations.find(&ShopId::new(shop_id), &order_id).await {
        Ok(order) => order,
        Err(error) => return operation_refused(&error),
    };
    let typed = FixForm::from(&form);
    let (request, done) = match action {
        OrderAction::Correct => {
            let changes = typed.changes(&FixForm::of(&order));
            let then_resume = form.then.as_deref() == Some("resume");
            let done = match (changes.is_empty(), then_resume) {
                (false, true) => "correct-resume",
                (true, _) => "resume",
                (false, false) => "correct",
            };
            (
                OrderRequest::Correct {
                    changes,
                    then_resume,
                },
                done,
            )
        }
        OrderAction::Resume => (OrderRequest::Resume, "resume"),
        OrderAction::Replay => (OrderRequest::Replay { event_id: None }, "replay"),
        OrderAction::Cancel if form.confirm.as_deref() == Some("yes") => {
            (OrderRequest::Cancel, "cancel")
        }
        OrderAction::Cancel => {
            let error = t("order-cancel-tick");
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
        OrderAction::Return => (OrderRequest::AfterSale(AfterSale::Return), "return"),
        OrderAction::Replace => (OrderRequest::AfterSale(AfterSale::Replace), "replace"),
        OrderAction::Exchange => (OrderRequest::AfterSale(AfterSale::Exchange), "exchange"),
    };
    let by = Operator::new(&session.operator);
    match operations.request_on(&order, by, request, SETTLE).await {
        Ok(decided) => {
            let done = if decided.is_pending() { "queued" } else { done };
            Redirect::to(&format!("{}?done={done}", order_href(&order))).into_response()
        }
        Err(error) => {
            let (status, text) = match &error {
                OperationError::Invalid(problem) => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    format!(
                        "{}: {}",
                        field_label(problem.field),
                        super::views::field_problem(&problem.kind)
                    ),
                ),
                OperationError::NothingToCorrect => {
                    (StatusCode::UNPROCESSABLE_ENTITY, t("order-nothing-changed"))
                }
                OperationError::Refused(refusal) => {
                    (StatusCode::CONFLICT, super::views::refusal(refusal))
                }
                OperationError::NothingToReplay => {
                    (StatusCode::CONFLICT, t("refusal-nothing-to-replay"))
                }
                _ => return operation_refused(&error),
            };
            rerender(&state, &session, &order, typed, text, status).await
        }
    }
}

fn field_label(field: &str) -> String {
    match field {
        "region" => t("order-region"),
        "line1" => t("order-line1"),
        "line2" => t("order-line2"),
        "city" => t("order-city"),
        "phone" => t("order-phone"),
        "amount_to_collect" => t("order-amount"),
        _ => t("order-field"),
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
