//! `apply_inbound_event`: re-read a stored webhook and run it through the workflow.

use chrono::Utc;
use http::{HeaderMap, HeaderName, HeaderValue};

use super::Pipeline;
use super::convert::domain_order;
use crate::domain::Order;
use crate::intake::{DIGISHARE_SOURCE, SHAQ_SOURCE};
use crate::jobs::JobRecord;
use crate::lifecycle::OrderState;
use crate::shop::{self, ShopWebhook};
use crate::store::{InboundEventRecord, JobEffects, OrderRecord};
use crate::worker::JobError;
use crate::workflow::{
    AmountNews, ApplyInboundEvent, CourierNews, Decision, ShopOrderNews, ShopPolicy, TicketNews,
    on_amount_changed, on_courier_status, on_shop_order, on_ticket_status,
};

impl Pipeline {
    pub(super) async fn apply_inbound_event(
        &self,
        job: &JobRecord,
    ) -> Result<JobEffects, JobError> {
        let ApplyInboundEvent { event_id } = serde_json::from_value(job.payload.clone())
            .map_err(|e| JobError::permanent(format!("bad payload: {e}")))?;
        let event = self
            .store
            .inbound_event(event_id)
            .await
            .map_err(|e| JobError::retryable(format!("reading event {event_id}: {e}")))?
            .ok_or_else(|| JobError::permanent(format!("inbound event {event_id} is gone")))?;
        let order = self
            .store
            .order(&job.order_key)
            .await
            .map_err(|e| JobError::retryable(format!("reading the order: {e}")))?;
        let now = Utc::now();
        let decision = match event.source.as_str() {
            SHAQ_SOURCE => self.courier_event(&event, order.as_ref(), &job.order_key)?,
            DIGISHARE_SOURCE => self.ticket_event(&event, order.as_ref(), &job.order_key)?,
            source => match source.strip_prefix("shop:") {
                Some(shop_id) => self.shop_event(shop_id, &event, order.as_ref())?,
                None => Decision::ignored(&job.order_key, format!("unknown source {source}"), now),
            },
        };
        let mut effects = JobEffects {
            inbound_outcome: Some((event_id, decision.outcome.clone())),
            ..JobEffects::default()
        };
        effects.order = decision.order;
        effects.jobs = decision.jobs;
        effects.timeline = decision.timeline;
        Ok(effects)
    }

    fn shop_event(
        &self,
        shop_id: &str,
        event: &InboundEventRecord,
        existing: Option<&OrderRecord>,
    ) -> Result<Decision, JobError> {
        let shop = self.shop(shop_id)?;
        let headers = header_map(&event.headers);
        let now = Utc::now();
        let parsed = shop::parse(&shop.settings, &headers, &event.body).map_err(|e| {
            JobError::permanent(format!("the stored webhook no longer parses: {e}"))
        })?;
        let parsed = match parsed {
            ShopWebhook::Order(parsed) => parsed,
            ShopWebhook::Deleted { .. } => {
                let key = event.order_key.as_deref().unwrap_or("-");
                let Some(existing) = existing else {
                    return Ok(Decision::ignored(
                        key,
                        "deleted before the bridge saw it",
                        now,
                    ));
                };
                // The shop sends only the id: cancel the order as stored.
                let news = ShopOrderNews {
                    record: existing.clone(),
                    version: None,
                    cancelled: true,
                    cash_on_delivery: super::convert::is_cash_on_delivery(existing),
                    unshippable: None,
                    shipping_changed: false,
                    collect_changed: false,
                };
                let policy = ShopPolicy {
                    flow: shop.settings.flow,
                    prepaid_skips_confirmation: shop.settings.prepaid_skips_confirmation,
                    confirmation_timeout: self.confirmation_timeout,
                };
                return Ok(on_shop_order(Some(existing), &news, &policy, now));
            }
            _ => {
                return Ok(Decision::ignored(
                    event.order_key.as_deref().unwrap_or("-"),
                    "not an order event",
                    now,
                ));
            }
        };
        let order = parsed.order;
        let previous = existing.and_then(domain_order);
        let shipping_changed = previous
            .as_ref()
            .is_some_and(|old| old.shipping_fingerprint() != order.shipping_fingerprint());
        let collect_changed = previous.as_ref().is_some_and(|old| {
            old.payment.amount_to_collect() != order.payment.amount_to_collect()
        });
        let news = ShopOrderNews {
            record: new_record(&order),
            version: order.version,
            cancelled: order.cancelled,
            cash_on_delivery: order.payment.is_cash_on_delivery(),
            unshippable: order.unshippable_reason(&self.shaq.service_countries),
            shipping_changed,
            collect_changed,
        };
        let policy = ShopPolicy {
            flow: shop.settings.flow,
            prepaid_skips_confirmation: shop.settings.prepaid_skips_confirmation,
            confirmation_timeout: self.confirmation_timeout,
        };
        Ok(on_shop_order(existing, &news, &policy, now))
    }

    fn courier_event(
        &self,
        event: &InboundEventRecord,
        order: Option<&OrderRecord>,
        order_key: &str,
    ) -> Result<Decision, JobError> {
        let now = Utc::now();
        let Some(order) = order else {
            return Ok(Decision::ignored(
                order_key,
                "no order has this package: event kept, nothing done",
                now,
            ));
        };
        let parsed = shaq_client::webhook::parse(&event.body).map_err(|e| {
            JobError::permanent(format!("the stored ShaQ event no longer parses: {e}"))
        })?;
        Ok(match parsed {
            shaq_client::webhook::WebhookEvent::StatusUpdated(update) => {
                let news = CourierNews {
                    event_id: update.event_id,
                    occurred_at: update.occurred_at,
                    status: update.data.status.as_str().to_owned(),
                    description: update.data.description,
                    comment: update.data.comment,
                    proof_url: update.data.meta.and_then(|m| m.proof_url),
                };
                on_courier_status(order, &news, &self.mapping, now)
            }
            shaq_client::webhook::WebhookEvent::AmountToCollectUpdated(update) => {
                let news = AmountNews {
                    event_id: update.event_id,
                    occurred_at: update.occurred_at,
                    new_amount: update.data.meta.new_amount_to_collect.to_string(),
                    currency: update.data.meta.currency,
                    reason: update.data.meta.reason,
                };
                on_amount_changed(order, &news, now)
            }
            shaq_client::webhook::WebhookEvent::Unknown { event, .. } => {
                Decision::ignored(order_key, format!("event {event} is not used"), now)
            }
        })
    }

    fn ticket_event(
        &self,
        event: &InboundEventRecord,
        order: Option<&OrderRecord>,
        order_key: &str,
    ) -> Result<Decision, JobError> {
        let now = Utc::now();
        let Some(order) = order else {
            return Ok(Decision::ignored(
                order_key,
                "no order has this ticket",
                now,
            ));
        };
        let parsed = digishare_client::webhook::parse(&event.body).map_err(|e| {
            JobError::permanent(format!("the stored Digishare event no longer parses: {e}"))
        })?;
        match parsed.ticket_status() {
            Some((ticket_id, status_id)) => {
                let news = TicketNews {
                    ticket_id: ticket_id.to_owned(),
                    status_id: status_id.to_owned(),
                    changed_at: parsed.ticket_event().and_then(|e| e.status_changed_at()),
                };
                Ok(on_ticket_status(
                    order,
                    &news,
                    &self.digishare.statuses,
                    now,
                ))
            }
            None => Ok(Decision::ignored(
                order_key,
                "no ticket status in the event",
                now,
            )),
        }
    }
}

/// A fresh record for an order as the shop describes it (the workflow fills in the state).
fn new_record(order: &Order) -> OrderRecord {
    let now = Utc::now();
    OrderRecord {
        order_key: order.order_key(),
        shop_id: order.shop_id.clone(),
        platform_order_id: order.platform_order_id.clone(),
        order_ref: order.order_ref.clone(),
        state: OrderState::Received,
        attention_reason: None,
        order: serde_json::to_value(order).unwrap_or_default(),
        order_version: order.version.map(|v| v.to_rfc3339()),
        partner_ref: order.partner_ref(),
        tracking_number: None,
        ticket_id: None,
        courier_status: None,
        courier_status_at: None,
        ticket_status: None,
        ticket_status_at: None,
        amount_to_collect: Some(order.payment.amount_to_collect().to_string()),
        currency: Some(order.currency.clone()),
        created_at: now,
        updated_at: now,
    }
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
