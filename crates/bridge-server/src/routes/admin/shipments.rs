//! `/api/shops/{shop}/handover` and `/api/shipments…`: hand a shop's ready packages over now
//! (through `crate::operations`), and follow the shipments and their PDF.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bridge_core::domain::ShopId;
use serde::Deserialize;
use utoipa::IntoParams;

use super::answers::{ErrorAnswer, HandoverAnswer, PackageLine, ShipmentAnswer, ShipmentsAnswer};
use crate::auth::ApiUser;
use crate::configuration::Role;
use crate::error::ApiError;
use crate::state::AppState;

/// Hand over the shop's ready packages now: every package created at ShaQ and still pending
/// there, its order not cancelled, in no shipment yet, goes into one ShaQ shipment. The
/// shipment is made in the background (ShaQ's reference, the labels, the PDF); follow it at
/// `/api/shipments/{id}`.
#[utoipa::path(
    post,
    path = "/api/shops/{shop_id}/handover",
    params(("shop_id" = String, Path, description = "The shop's configured id")),
    responses(
        (status = 202, description = "Gathered, being handed over", body = HandoverAnswer),
        (status = 200, description = "Nothing ready (`shipment` is null)", body = HandoverAnswer),
        (status = 404, description = "No such shop", body = ErrorAnswer),
    )
)]
pub(super) async fn hand_over(
    user: ApiUser,
    State(state): State<AppState>,
    Path(shop_id): Path<String>,
) -> Result<Response, ApiError> {
    user.may(Role::Operator)?;
    let shop = ShopId::new(shop_id);
    Ok(
        match state.operations().hand_over(&shop, &user.actor).await? {
            Some(shipment) => (
                StatusCode::ACCEPTED,
                Json(HandoverAnswer {
                    shipment: Some(shipment),
                    message: None,
                }),
            )
                .into_response(),
            None => Json(HandoverAnswer {
                shipment: None,
                message: Some(format!(
                    "no package of `{shop}` is waiting to be handed over"
                )),
            })
            .into_response(),
        },
    )
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct ShipmentsQuery {
    /// Only this shop.
    shop: Option<String>,
    /// At most this many (default 50).
    limit: Option<u32>,
}

/// Handover shipments, newest first.
#[utoipa::path(
    get,
    path = "/api/shipments",
    params(ShipmentsQuery),
    responses((status = 200, description = "The shipments", body = ShipmentsAnswer))
)]
pub(super) async fn list_shipments(
    user: ApiUser,
    State(state): State<AppState>,
    Query(query): Query<ShipmentsQuery>,
) -> Result<Json<ShipmentsAnswer>, ApiError> {
    user.may(Role::Viewer)?;
    let shop = query
        .shop
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(ShopId::new);
    let shipments = state
        .store
        .shipments(shop.as_ref(), query.limit.unwrap_or(50).min(500))
        .await?;
    Ok(Json(ShipmentsAnswer { shipments }))
}

/// One shipment and its packages.
#[utoipa::path(
    get,
    path = "/api/shipments/{id}",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The shipment and its packages", body = ShipmentAnswer),
        (status = 404, description = "No such shipment", body = ErrorAnswer),
    )
)]
pub(super) async fn show_shipment(
    user: ApiUser,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<ShipmentAnswer>, ApiError> {
    user.may(Role::Viewer)?;
    let shipment = state
        .store
        .shipment(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no shipment {id}")))?;
    let packages = state
        .store
        .shipment_orders(id)
        .await?
        .iter()
        .map(PackageLine::from)
        .collect();
    Ok(Json(ShipmentAnswer { shipment, packages }))
}

/// The printable handover: the manifest, then every package's label (PDF).
#[utoipa::path(
    get,
    path = "/api/shipments/{id}/pdf",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The PDF", content_type = "application/pdf"),
        (status = 404, description = "No such shipment", body = ErrorAnswer),
        (status = 409, description = "Not ready yet (the labels are being fetched)", body = ErrorAnswer),
    )
)]
pub(super) async fn shipment_pdf(
    user: ApiUser,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    user.may(Role::Viewer)?;
    crate::downloads::shipment_pdf(&state.store, id).await
}
