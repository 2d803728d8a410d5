//! `apply_inbound_event`: read a stored webhook back as typed news for the workflow.

use http::{HeaderMap, HeaderName, HeaderValue};

use super::services::Services;
use super::{JobError, JobInputs};
use crate::domain::{OrderKey, PlatformOrderId, ShopId, TicketId, TicketStatusId, Unshippable};
use crate::intake::{DIGISHARE_SOURCE, SHAQ_SOURCE};
use crate::shop::{self, ShopWebhook};
use crate::store::InboundEventRecord;
use crate::workflow::{
    AmountNews, CourierNews, DeliveryWindow, InboundNews, Said, ShopNews, TicketNews, TrackedOrder,
};

pub(super) const CALLS: &str = "workflow";

/// The event's news and its order, from what the claim read (`inputs`) or from the database.
pub(super) async fn run(
    services: &Services,
    event_id: i64,
    key: &OrderKey,
    inputs: Option<&JobInputs>,
) -> Result<(Option<TrackedOrder>, InboundNews), JobError> {
    if let Some(inputs) = inputs {
        let event = inputs
            .event
            .as_ref()
            .filter(|event| event.id == event_id)
            .ok_or_else(|| JobError::permanent(format!("inbound event {event_id} is gone")))?;
        return Ok((inputs.order.clone(), read(services, event)?));
    }
    let event = services
        .store
        .inbound_event(event_id)
        .await
        .map_err(|e| JobError::retryable(format!("reading event {event_id}: {e}")))?
        .ok_or_else(|| JobError::permanent(format!("inbound event {event_id} is gone")))?;
    let order = services
        .store
        .order(key)
        .await
        .map_err(|e| JobError::retryable(format!("reading the order: {e}")))?;
    Ok((order, read(services, &event)?))
}

/// The news a stored webhook carries, parsed as intake parsed it.
fn read(services: &Services, event: &InboundEventRecord) -> Result<InboundNews, JobError> {
    match event.source.as_str() {
        SHAQ_SOURCE => courier_news(&event.body),
        DIGISHARE_SOURCE => ticket_news(&event.body),
        source => match source.strip_prefix("shop:") {
            Some(shop_id) => shop_news(services, &ShopId::new(shop_id), event),
            None => Ok(InboundNews::NotUsed(
                Said::new("line-unused-unknown-source").text("source", source),
            )),
        },
    }
}

fn shop_news(
    services: &Services,
    shop_id: &ShopId,
    event: &InboundEventRecord,
) -> Result<InboundNews, JobError> {
    let settings = &services.shop(shop_id)?.settings;
    let parsed = shop::parse(settings, &header_map(&event.headers), &event.body)
        .map_err(|e| JobError::permanent(format!("the stored webhook no longer parses: {e}")))?;
    Ok(match parsed {
        ShopWebhook::Order(event) => InboundNews::Shop(ShopNews::Order(Box::new(event.order))),
        ShopWebhook::Deleted {
            platform_order_id, ..
        } => InboundNews::Shop(ShopNews::Deleted {
            shop: shop_id.clone(),
            platform_order_id: PlatformOrderId::new(platform_order_id),
        }),
        ShopWebhook::AfterSale {
            platform_order_id,
            kind,
            reference,
            ..
        } => InboundNews::Shop(ShopNews::AfterSale {
            shop: shop_id.clone(),
            platform_order_id: PlatformOrderId::new(platform_order_id),
            kind,
            reference,
        }),
        ShopWebhook::Unusable {
            platform_order_id,
            order_ref,
            field,
            message,
            ..
        } => InboundNews::Shop(ShopNews::Unusable {
            shop: shop_id.clone(),
            platform_order_id: PlatformOrderId::new(platform_order_id),
            order_ref,
            problem: Unshippable::ShopSentUnusable { field, message },
        }),
        ShopWebhook::Ping | ShopWebhook::Ignored(_) => {
            InboundNews::NotUsed(Said::new("line-unused-not-an-order"))
        }
    })
}

fn courier_news(body: &[u8]) -> Result<InboundNews, JobError> {
    use shaq_client::webhook::{WebhookEvent, parse};
    let parsed = parse(body)
        .map_err(|e| JobError::permanent(format!("the stored ShaQ event no longer parses: {e}")))?;
    Ok(match parsed {
        WebhookEvent::StatusUpdated(update) => InboundNews::CourierStatus(CourierNews {
            event_id: update.event_id,
            occurred_at: update.occurred_at,
            status: update.data.status,
            description: update.data.description,
            comment: update.data.comment,
            proof_url: update.data.meta.and_then(|m| m.proof_url),
            package: Some(update.data.partner_ref).filter(|r| !r.is_empty()),
            tracking_url: update.data.tracking_url,
            eta: update.data.eta.as_ref().map(DeliveryWindow::from),
            rescheduled_to: update.data.rescheduled_date,
        }),
        WebhookEvent::AmountToCollectUpdated(update) => InboundNews::AmountChanged(AmountNews {
            event_id: update.event_id,
            occurred_at: update.occurred_at,
            new_amount: update.data.meta.new_amount_to_collect,
            currency: update.data.meta.currency,
            reason: update.data.meta.reason,
            package: Some(update.data.partner_ref).filter(|r| !r.is_empty()),
        }),
        WebhookEvent::Unknown { event, .. } => {
            InboundNews::NotUsed(Said::new("line-unused-event").text("event", event))
        }
    })
}

fn ticket_news(body: &[u8]) -> Result<InboundNews, JobError> {
    let parsed = digishare_client::webhook::parse(body).map_err(|e| {
        JobError::permanent(format!("the stored Digishare event no longer parses: {e}"))
    })?;
    Ok(match parsed.ticket_status() {
        Some((ticket_id, status_id)) => InboundNews::TicketStatus(TicketNews {
            ticket_id: TicketId::new(ticket_id),
            status_id: TicketStatusId::new(status_id),
            changed_at: parsed.ticket_event().and_then(|e| e.status_changed_at()),
        }),
        None => InboundNews::NotUsed(Said::new("line-unused-no-ticket-status")),
    })
}

/// The kept headers of a stored webhook, back as a header map.
fn header_map(headers: &serde_json::Value) -> HeaderMap {
    let mut map = HeaderMap::new();
    if let Some(object) = headers.as_object() {
        for (name, value) in object {
            if let (Ok(name), Some(Ok(value))) = (
                HeaderName::from_bytes(name.as_bytes()),
                value.as_str().map(HeaderValue::from_str),
            ) {
                map.insert(name, value);
            }
        }
    }
    map
}
