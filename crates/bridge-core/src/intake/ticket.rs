//! Digishare webhooks at intake: the static secret (Digishare has no HMAC), the envelope, the
//! ticket they concern, and a dedupe key (Digishare sends no event id).

use http::HeaderMap;
use secrecy::ExposeSecret;
use serde_json::Value;

use super::{DIGISHARE_SOURCE, IntakeError, IntakeOutcome, WebhookIntake, presented_secret};

impl WebhookIntake {
    /// Verifies, keys and stores a Digishare webhook. Only `ticket.updated` deliveries that may
    /// carry a status change are stored; the rest are answered 2xx and dropped.
    pub async fn accept_digishare_webhook(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<IntakeOutcome, IntakeError> {
        let header = &self.digishare.webhook_secret_header;
        let presented = presented_secret(headers, header)
            .ok_or_else(|| IntakeError::Unauthorized(format!("missing {header}")))?;
        if !digishare_client::webhook::verify_secret(
            presented,
            self.digishare.webhook_secret.expose_secret(),
        ) {
            return Err(IntakeError::Unauthorized(format!("wrong {header}")));
        }
        let envelope: Value = super::parse_json(body)?;
        let event = super::required_str(&envelope, &["event"])?;
        if event != "ticket.updated" {
            return Ok(IntakeOutcome::Ignored(format!(
                "event `{event}` is not used"
            )));
        }
        let ticket_id = super::required_str(&envelope, &["data", "id"])?;
        if ticket_id.chars().count() > 200 {
            return Err(super::invalid("data.id", "must be at most 200 characters"));
        }
        // Read now as its job will read it: what is acknowledged can be applied.
        digishare_client::webhook::parse(body)
            .map_err(|e| super::invalid("data", &e.to_string()))?;
        let ticket = envelope
            .pointer("/data/data")
            .filter(|t| t.is_object())
            .ok_or_else(|| super::invalid("data.data", "must be the ticket object"))?;
        if let Some(changes) = envelope.pointer("/data/changes").filter(|c| c.is_object())
            && changes.get("ticket_status_id").is_none()
        {
            return Ok(IntakeOutcome::Ignored("no status change".to_owned()));
        }
        let external_id = ticket.get("external_id").and_then(Value::as_str);
        let Some(order_key) = self.order_key_of_ticket(ticket_id, external_id).await? else {
            return Ok(IntakeOutcome::Ignored(
                "the ticket is not one of the bridge's orders".to_owned(),
            ));
        };
        let dedupe_key = digishare_client::webhook::dedupe_key(&envelope);
        self.store(
            DIGISHARE_SOURCE.to_owned(),
            dedupe_key,
            order_key,
            headers,
            body,
        )
        .await
    }
}
