//! `attach_invoice`: print the order's invoice and put it on a ticket that was created without
//! it (Digishare's media upload kept failing past `[shops.invoice] wait`).

use super::move_ticket::update_ticket;
use super::services::Services;
use super::ticket_data::campaign_data;
use super::{JobError, MoveTicket};
use crate::domain::MediaId;
use crate::workflow::{JobNews, TrackedOrder};

pub(super) const CALLS: &str = "Digishare POST /messagesTemplates, PUT /tickets/{id}";

pub(super) async fn run(services: &Services, order: &TrackedOrder) -> Result<JobNews, JobError> {
    let shop = services.shop(order.shop_id())?;
    let ticket_id = order
        .ticket_id()
        .ok_or_else(|| JobError::permanent("no ticket to attach the invoice to"))?;
    let media = upload(services, order).await?;
    let mut data = campaign_data(
        order,
        &shop.shaq_settings,
        shop.settings.zone(),
        &MoveTicket::default(),
    );
    data.insert(
        "invoice_document".to_owned(),
        super::ticket_data::media_value(&media),
    );
    update_ticket(services, ticket_id.as_str(), None, data).await?;
    Ok(JobNews::InvoiceAttached(media))
}

/// Prints the invoice and uploads it as the guide shows; the media id.
pub(super) async fn upload(services: &Services, order: &TrackedOrder) -> Result<MediaId, JobError> {
    let shop = services.shop(order.shop_id())?;
    let pdf = crate::invoice::invoice_pdf(order, &shop.settings)
        .map_err(|e| JobError::permanent(format!("printing the invoice: {e}")))?;
    let media = services
        .digishare
        .upload_media(&digishare_client::MediaUpload {
            bytes: pdf,
            file_name: crate::invoice::file_name(order),
            extension: shop
                .digishare_settings
                .media_extension
                .then(|| "pdf".to_owned()),
            mime_type: "application/pdf".to_owned(),
        })
        .await?;
    Ok(MediaId::new(media.id))
}
