//! The Handover page: what is ready per shop, *Hand over now* (through `crate::operations`),
//! and the shipments with their printable PDF.

use bridge_core::domain::ShopId;
use bridge_core::workflow::operator::Operator;

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

use crate::configuration::Role;
use crate::state::AppState;

use super::chrome::{
    Chrome, CsrfForm, chrome, html, message, signed_form, signed_in, storage_down,
};
use super::views::{encode_query, when_in};
use super::words::{t, t_count, t_with};
use crate::operations::OperationError;

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
    /// The one just made here: shown first, marked.
    pub fresh: bool,
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
    /// The shipment just made.
    shipment: Option<i64>,
}

/// `/console/handover`: what is ready per shop, *Hand over now*, and the shipments with their
/// printable PDF.
pub async fn handover(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(flash): Query<HandoverFlash>,
) -> Response {
    let session = match signed_in(&state, &headers, "/console/handover").await {
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
    let fresh = flash.shipment;
    let fresh_ready = shipments
        .iter()
        .any(|s| Some(s.id) == fresh && s.state == bridge_core::store::ShipmentState::Ready);
    match (flash.gathered, flash.none) {
        (Some(packages), _) if fresh_ready => {
            page_chrome.flash = Some(t_count("handover-done", packages));
        }
        (Some(packages), _) => page_chrome.flash = Some(t_count("handover-gathered", packages)),
        // Nothing was wrong and nothing was done: said plainly, not as a success.
        (None, Some(shop)) => {
            page_chrome.note = Some(t_with("handover-nothing", &[("shop", shop.into())]));
        }
        (None, None) => {}
    }
    let zone_of = |shop: &bridge_core::domain::ShopId| {
        state
            .settings
            .shops
            .iter()
            .find(|s| s.id == *shop)
            .map_or(chrono_tz::Africa::Accra, |s| s.zone())
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
                || t("handover-on-demand"),
                |at| {
                    t_with(
                        "handover-every-day",
                        &[("time", at.format("%H:%M").to_string().into())],
                    )
                },
            ),
        })
        .collect();
    let mut shipments: Vec<ShipmentRow> = shipments
        .into_iter()
        .map(|s| ShipmentRow {
            id: s.id,
            when: when_in(s.created_at, zone_of(&s.shop)),
            shop: s.shop.to_string(),
            reference: s.reference.clone().unwrap_or_else(|| "–".to_owned()),
            packages: s.packages,
            requested_by: s.requested_by.clone(),
            state: t(&format!("shipment-{}", s.state)),
            error: s.last_error.clone(),
            ready: s.state == bridge_core::store::ShipmentState::Ready,
            fresh: Some(s.id) == fresh,
        })
        .collect();
    shipments.sort_by_key(|row| !row.fresh);
    html(
        StatusCode::OK,
        &HandoverPage {
            chrome: page_chrome,
            shops,
            shipments,
        },
    )
}

/// How long *Hand over now* waits for the shipment's PDF before showing the page.
const HANDOVER_WAIT: std::time::Duration = std::time::Duration::from_secs(8);

/// *Hand over now* for one shop.
pub async fn hand_over(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(shop_id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let session = match signed_form(&state, &headers, &form.csrf, Role::Operator).await {
        Ok(session) => session,
        Err(response) => return response,
    };
    let shop = ShopId::new(shop_id);
    match state
        .operations()
        .hand_over(&shop, &Operator::new(&session.operator))
        .await
    {
        Ok(Some(shipment)) => {
            // The shipment is made at ShaQ and printed by a job: wait a little for it, so the
            // page shows it with its PDF at once (it still appears later if ShaQ is slow).
            let deadline = tokio::time::Instant::now() + HANDOVER_WAIT;
            while tokio::time::Instant::now() < deadline {
                let ready = state.store.shipments(None, 50).await.is_ok_and(|all| {
                    all.iter().any(|s| {
                        s.id == shipment.id && s.state == bridge_core::store::ShipmentState::Ready
                    })
                });
                if ready {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
            Redirect::to(&format!(
                "/console/handover?gathered={}&shipment={}#new-shipment",
                shipment.packages, shipment.id
            ))
            .into_response()
        }
        Ok(None) => Redirect::to(&format!(
            "/console/handover?none={}",
            encode_query(shop.as_str())
        ))
        .into_response(),
        Err(OperationError::UnknownShop(shop)) => message(
            StatusCode::NOT_FOUND,
            "message-not-found",
            t_with("message-no-shop", &[("shop", shop.to_string().into())]),
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
    if let Err(response) = signed_in(&state, &headers, "/console/handover").await {
        return response;
    }
    match crate::downloads::shipment_pdf(&state.store, id).await {
        Ok(response) => response,
        Err(crate::error::ApiError::NotFound(text)) => {
            message(StatusCode::NOT_FOUND, "message-not-found", text)
        }
        Err(crate::error::ApiError::Conflict(text)) => {
            message(StatusCode::CONFLICT, "message-not-ready", text)
        }
        Err(error) => storage_down(&error),
    }
}
