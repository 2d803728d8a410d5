//! `create_ticket`: the customer's Digishare ticket, created once (a retry after a lost answer
//! adopts the ticket the first attempt made).

use chrono::{DateTime, Utc};
use digishare_client::{NewTicket, Third};

use super::services::Services;
use super::ticket_data::{campaign_data, media_value};
use super::{JobError, MoveTicket, attach_invoice};
use crate::domain::{MediaId, TicketId, TicketStatusId};
use crate::workflow::{InvoiceOnTicket, JobNews, SentToCustomer, TicketKey, TrackedOrder};

pub(super) const CALLS: &str = "Digishare POST /messagesTemplates (the invoice), GET /tickets?search (on a retry), POST /tickets";

/// Creates the ticket. `look_first`: an earlier run may have created it (its answer lost), so
/// search for it before creating. Digishare documents no uniqueness of `external_id`, so this
/// search is the only guard against a second ticket; a first run skips it (a search is one
/// more call per order, and Digishare's is a substring match over every ticket).
/// `invoice_until`: the order's invoice is uploaded first and named in the creation
/// (`campaign_data.invoice_document`, as Digishare's guide shows); while Digishare refuses the
/// upload the job is retried, until then — past it, the ticket is created without it.
pub(super) async fn run(
    services: &Services,
    order: &TrackedOrder,
    status_key: &TicketKey,
    invoice_until: Option<DateTime<Utc>>,
    look_first: bool,
) -> Result<JobNews, JobError> {
    let shop = services.shop(order.shop_id())?;
    let settings = &shop.digishare_settings;
    let status_id = settings.statuses.id(status_key).ok_or_else(|| {
        JobError::permanent(format!("digishare.statuses.{status_key} is not configured"))
    })?;
    let partner_ref = order.partner_ref().to_string();
    // A create whose answer was lost may have made the ticket: look it up first.
    let existing = if look_first {
        services
            .digishare
            .find_ticket_by_external_id(&partner_ref)
            .await?
    } else {
        None
    };
    let (ticket, sent, invoice) = match existing {
        Some(existing) => {
            let invoice = match invoice_until {
                None => InvoiceOnTicket::NotAsked,
                Some(_) => match existing_invoice(&existing) {
                    Some(media) => InvoiceOnTicket::Attached(media),
                    None => InvoiceOnTicket::Missing(
                        "the ticket found already existed without one".to_owned(),
                    ),
                },
            };
            (existing, None, invoice)
        }
        None => {
            let invoice = match invoice_until {
                None => InvoiceOnTicket::NotAsked,
                Some(until) => match attach_invoice::upload(services, order).await {
                    Ok(media) => InvoiceOnTicket::Attached(media),
                    // Digishare may take it in a moment: the ticket waits, up to `until`.
                    Err(error) if error.is_retryable() && Utc::now() < until => {
                        return Err(error);
                    }
                    Err(error) => InvoiceOnTicket::Missing(error.to_string()),
                },
            };
            let shop_order = order.order();
            let phone = shop_order
                .recipient
                .phone
                .as_ref()
                .ok_or_else(|| JobError::permanent("no usable phone number for WhatsApp"))?;
            let third = Third {
                ext_ref: Some(format!("{}-{}", order.shop_id(), phone.wa_id())),
                name: Some(shop_order.recipient.name.clone()),
                wa_id: Some(phone.wa_id().to_owned()),
                email: shop_order.recipient.email.clone(),
                id: None,
            };
            let mut request = NewTicket::new(
                &partner_ref,
                &settings.type_ticket_id,
                status_id.as_str(),
                &settings
                    .subject_template
                    .replace("{order_ref}", &shop_order.order_ref),
            )
            .third(&third)
            .campaign_data({
                let mut data = campaign_data(
                    order,
                    &shop.shaq_settings,
                    shop.settings.zone(),
                    &MoveTicket::default(),
                );
                if let InvoiceOnTicket::Attached(media) = &invoice {
                    data.insert("invoice_document".to_owned(), media_value(media));
                }
                data
            });
            request.lang = Some(shop_order.language.code().to_owned());
            let sent = SentToCustomer {
                language: shop_order.language.code().to_owned(),
                variables: request
                    .information
                    .get("campaign_data")
                    .and_then(serde_json::Value::as_object)
                    .cloned()
                    .unwrap_or_default(),
            };
            (
                services.digishare.create_ticket(&request).await?,
                Some(sent),
                invoice,
            )
        }
    };
    Ok(JobNews::TicketCreated {
        ticket_id: TicketId::new(ticket.id),
        status_id: ticket
            .ticket_status_id
            .map_or_else(|| status_id.clone(), TicketStatusId::new),
        status_key: status_key.clone(),
        adopted: sent.is_none(),
        invoice,
        sent,
    })
}

/// The invoice a ticket already carries (`information.campaign_data.invoice_document.id`).
fn existing_invoice(ticket: &digishare_client::Ticket) -> Option<MediaId> {
    ticket
        .information
        .get("campaign_data")?
        .pointer("/invoice_document/id")?
        .as_str()
        .map(MediaId::new)
}
