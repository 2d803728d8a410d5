//! Jobs that talk to Digishare: create the ticket, move it.

use chrono::Utc;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::Pipeline;
use super::convert::{self, ticket_request};
use crate::jobs::JobRecord;
use crate::store::{JobEffects, OrderRecord};
use crate::worker::JobError;
use crate::workflow::{Decision, MoveTicket, timeline};

#[derive(Debug, Deserialize)]
struct CreateTicket {
    status_key: String,
}

impl Pipeline {
    pub(super) async fn create_ticket(&self, job: &JobRecord) -> Result<JobEffects, JobError> {
        let CreateTicket { status_key } = serde_json::from_value(job.payload.clone())
            .map_err(|e| JobError::permanent(format!("bad create_ticket payload: {e}")))?;
        let order = self.order(job).await?;
        let now = Utc::now();
        if order.ticket_id.is_some() {
            return Ok(JobEffects::default());
        }
        let status_id = self.digishare.statuses.id(&status_key).ok_or_else(|| {
            JobError::permanent(format!("digishare.statuses.{status_key} is not configured"))
        })?;
        // A create whose answer was lost may have made the ticket: look it up first.
        let (ticket, verb) = match self.ticketing.find_ticket(&order.partner_ref).await? {
            Some(existing) => (existing, "adopted (it already existed)"),
            None => {
                let request = ticket_request(
                    &order,
                    &self.digishare,
                    status_id,
                    self.campaign_data(&order, &MoveTicket::default()),
                )
                .map_err(JobError::permanent)?;
                (self.ticketing.create_ticket(&request).await?, "created")
            }
        };
        let mut next = order.clone();
        next.ticket_id = Some(ticket.id.clone());
        next.ticket_status = Some(
            ticket
                .status_id
                .clone()
                .unwrap_or_else(|| status_id.to_owned()),
        );
        next.updated_at = now;
        Ok(JobEffects {
            order: Some(next),
            inbound_outcome: None,
            jobs: Vec::new(),
            timeline: vec![timeline(
                &order.order_key,
                now,
                "ticket",
                format!(
                    "Digishare ticket {} {verb} with status {status_key}",
                    ticket.id
                ),
            )],
        })
    }

    pub(super) async fn move_ticket(&self, job: &JobRecord) -> Result<JobEffects, JobError> {
        let payload: MoveTicket = serde_json::from_value(job.payload.clone())
            .map_err(|e| JobError::permanent(format!("bad move_ticket payload: {e}")))?;
        let order = self.order(job).await?;
        let now = Utc::now();
        // Jobs of an order run in order, so a missing ticket means its creation failed for
        // good: retrying this move would only storm.
        let Some(ticket_id) = order.ticket_id.clone() else {
            return Err(JobError::permanent(
                "no ticket to move (the ticket could not be created: retry the create_ticket job first)",
            ));
        };
        let status_id = match &payload.status_key {
            Some(key) => match self.digishare.statuses.id(key) {
                Some(id) => Some(id.to_owned()),
                None => {
                    return Ok(Decision::ignored(
                        &order.order_key,
                        format!("ticket status `{key}` is not mapped in digishare.statuses: nothing sent"),
                        now,
                    )
                    .into_effects());
                }
            },
            None => None,
        };
        // Re-sending the current status could send the customer the same message twice.
        let moving = status_id
            .as_deref()
            .filter(|id| order.ticket_status.as_deref() != Some(*id));
        let data = self.campaign_data(&order, &payload);
        self.ticketing
            .update_ticket(&ticket_id, moving, &data)
            .await?;
        let mut next = order.clone();
        let summary = match (moving, &payload.status_key) {
            (Some(id), Some(key)) => {
                next.ticket_status = Some(id.to_owned());
                format!("Digishare ticket moved to {key}")
            }
            _ => "Digishare ticket data refreshed".to_owned(),
        };
        next.updated_at = now;
        Ok(JobEffects {
            order: Some(next),
            inbound_outcome: None,
            jobs: Vec::new(),
            timeline: vec![timeline(&order.order_key, now, "ticket", summary)],
        })
    }

    /// The ticket's template variables: what the customer's WhatsApp messages can show. All
    /// values are strings, as Digishare's templates expect.
    pub(super) fn campaign_data(
        &self,
        order: &OrderRecord,
        news: &MoveTicket,
    ) -> Map<String, Value> {
        let mut data = convert::order_campaign_data(order);
        let mut put = |key: &str, value: Option<String>| {
            if let Some(value) = value {
                data.insert(key.to_owned(), Value::String(value));
            }
        };
        put("tracking_number", order.tracking_number.clone());
        put(
            "tracking_url",
            order
                .tracking_number
                .as_deref()
                .and_then(|t| self.shaq.tracking_url(t)),
        );
        put("amount_to_collect", order.amount_to_collect.clone());
        put("currency", order.currency.clone());
        put(
            "status",
            news.courier_status
                .clone()
                .or_else(|| order.courier_status.clone()),
        );
        put("status_description", news.description.clone());
        put("status_comment", news.comment.clone());
        put("proof_url", news.proof_url.clone());
        data
    }
}
