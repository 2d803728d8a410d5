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
use super::views::{encode_query, when};
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
    if let Err(response) = signed_in(&state, &headers, "/console/handover").await {
        return response;
    }
    match crate::downloads::shipment_pdf(&state.store, id).await {
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
