//! Files the doors hand out: a handover shipment's PDF and an order's invoice (the admin API
//! and the console share them), with the headers that make a browser save them under a useful
//! name.

use axum::response::{IntoResponse, Response};
use bridge_core::store::Store;

use crate::error::ApiError;

/// A shipment's PDF as a download, or why there is none yet.
pub async fn shipment_pdf(store: &Store, id: i64) -> Result<Response, ApiError> {
    let shipment = store
        .shipment(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no shipment {id}")))?;
    let Some(pdf) = store.shipment_pdf(id).await? else {
        return Err(ApiError::Conflict(format!(
            "shipment {id} is {}: its PDF is not ready yet{}",
            shipment.state,
            shipment
                .last_error
                .as_deref()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default()
        )));
    };
    let name = format!(
        "attachment; filename=\"handover-{}-{}.pdf\"",
        shipment.shop,
        shipment
            .reference
            .as_deref()
            .unwrap_or("shipment")
            .replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "_")
    );
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                axum::http::HeaderValue::from_static("application/pdf"),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                axum::http::HeaderValue::from_str(&name)
                    .unwrap_or_else(|_| axum::http::HeaderValue::from_static("attachment")),
            ),
        ],
        pdf,
    )
        .into_response())
}

/// The order's invoice, as its customer receives it on their ticket.
pub fn invoice_pdf(
    settings: &crate::configuration::Settings,
    order: &bridge_core::workflow::TrackedOrder,
) -> Result<Response, ApiError> {
    let shop = settings
        .shops
        .iter()
        .find(|shop| shop.id == *order.shop_id())
        .ok_or_else(|| ApiError::NotFound(format!("shop {} is not configured", order.shop_id())))?;
    let pdf = bridge_core::invoice::invoice_pdf(order, shop)
        .map_err(|e| ApiError::Internal(format!("printing the invoice: {e}")))?;
    let name = format!(
        "inline; filename=\"{}-{}.pdf\"",
        shop.id,
        bridge_core::invoice::file_name(order)
    );
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                axum::http::HeaderValue::from_static("application/pdf"),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                axum::http::HeaderValue::from_str(&name)
                    .unwrap_or_else(|_| axum::http::HeaderValue::from_static("inline")),
            ),
        ],
        pdf,
    )
        .into_response())
}
