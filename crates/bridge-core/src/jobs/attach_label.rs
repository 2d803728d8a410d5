//! `attach_label`: fetch the package's label from ShaQ and put it on the ticket
//! (`campaign_data.label`), so the merchant's template can send or show it.

use std::time::Duration;

use digishare_client::MediaUpload;
use reqwest::Method;
use shaq_client::LabelOutcome;

use super::move_ticket::update_ticket;
use super::services::Services;
use super::ticket_data::campaign_data;
use super::{JobError, MoveTicket};
use crate::domain::MediaId;
use crate::workflow::{JobNews, TrackedOrder};

pub(super) const CALLS: &str =
    "ShaQ GET label, Digishare POST /messagesTemplates, PUT /tickets/{id}";

pub(super) async fn run(services: &Services, order: &TrackedOrder) -> Result<JobNews, JobError> {
    let shop = services.shop(order.shop_id())?;
    let ticket_id = order
        .ticket_id()
        .ok_or_else(|| JobError::permanent("no ticket to attach the label to"))?;
    let partner_ref = order.partner_ref().to_string();
    let url = match shop.shaq.label(&partner_ref).await? {
        LabelOutcome::NotReady => {
            return Err(JobError::Retryable {
                message: "the ShaQ label is not ready yet".to_owned(),
                retry_after: Some(Duration::from_secs(60)),
            });
        }
        LabelOutcome::Ready(url) => url,
    };
    let downloads = &services.downloads;
    let pdf = downloads
        .send(downloads.request(Method::GET, &url), "the label")
        .await?;
    let media = services
        .digishare
        .upload_media(&MediaUpload {
            bytes: pdf.body,
            file_name: format!("label-{partner_ref}"),
            extension: shop
                .digishare_settings
                .media_extension
                .then(|| "pdf".to_owned()),
            mime_type: "application/pdf".to_owned(),
        })
        .await?;
    let mut data = campaign_data(
        order,
        &shop.shaq_settings,
        shop.settings.zone(),
        &MoveTicket::default(),
    );
    let media = MediaId::new(media.id);
    data.insert("label".to_owned(), super::ticket_data::media_value(&media));
    update_ticket(services, ticket_id.as_str(), None, data).await?;
    Ok(JobNews::LabelAttached(media))
}
