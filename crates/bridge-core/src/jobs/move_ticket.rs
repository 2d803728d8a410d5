//! `move_ticket`: move the ticket to a status (Digishare's automation for it sends the
//! customer the WhatsApp message) and refresh its template variables.

use digishare_client::TicketUpdate;
use serde_json::{Map, Value};

use super::services::Services;
use super::ticket_data::campaign_data;
use super::{JobError, MoveTicket};
use crate::workflow::{JobNews, SentToCustomer, TrackedOrder};

pub(super) const CALLS: &str = "Digishare PUT /tickets/{id}";

pub(super) async fn run(
    services: &Services,
    order: &TrackedOrder,
    payload: &MoveTicket,
) -> Result<JobNews, JobError> {
    let shop = services.shop(order.shop_id())?;
    let ticket_id = order
        .ticket_id()
        .ok_or_else(|| JobError::permanent("no ticket to move"))?;
    let target = payload.status_key.as_ref().and_then(|key| {
        shop.digishare_settings
            .statuses
            .id(key)
            .map(|id| (key.clone(), id.clone()))
    });
    // Re-sending the current status could send the customer the same message twice.
    let moving = target.filter(|(_, id)| order.ticket_status() != Some(id));
    let data = campaign_data(order, &shop.shaq_settings, shop.settings.zone(), payload);
    update_ticket(
        services,
        ticket_id.as_str(),
        moving.as_ref().map(|(_, id)| id.as_str()),
        data.clone(),
    )
    .await?;
    Ok(JobNews::TicketMoved {
        moved: moving,
        sent: SentToCustomer {
            language: order.order().language.code().to_owned(),
            variables: data,
        },
    })
}

/// `PUT /tickets/{id}`: a new status (if any) and the template variables.
pub(super) async fn update_ticket(
    services: &Services,
    ticket_id: &str,
    status_id: Option<&str>,
    campaign_data: Map<String, Value>,
) -> Result<(), JobError> {
    let mut information = Map::new();
    information.insert("campaign_data".to_owned(), Value::Object(campaign_data));
    let update = TicketUpdate {
        ticket_status_id: status_id.map(str::to_owned),
        note: None,
        information: Some(information),
    };
    services.digishare.update_ticket(ticket_id, &update).await?;
    Ok(())
}
