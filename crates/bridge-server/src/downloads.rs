//! Files the doors hand out: a handover shipment's PDF (the admin API and the console share
//! it), with the headers that make a browser save it under a useful name.

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
