//! Digishare webhooks at intake: the static secret (Digishare has no HMAC), the envelope, the
//! ticket they concern, and a dedupe key (Digishare sends no event id).

use http::HeaderMap;
use secrecy::ExposeSecret;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{
    DIGISHARE_SOURCE, IntakeError, IntakeOutcome, WebhookIntake, presented_secret, secret_matches,
};

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
        if !secret_matches(presented, self.digishare.webhook_secret.expose_secret()) {
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
        let mut order = self.store.order_by_ticket(ticket_id).await?;
        if order.is_none()
            && let Some(external_id) = external_id
        {
            order = self.store.order_by_ticket(external_id).await?;
        }
        let Some(order) = order else {
            return Ok(IntakeOutcome::Ignored(
                "the ticket is not one of the bridge's orders".to_owned(),
            ));
        };
        let dedupe_key = dedupe_key(&envelope);
        self.store(
            DIGISHARE_SOURCE.to_owned(),
            dedupe_key,
            order.order_key,
            headers,
            body,
        )
        .await
    }
}

/// A stable key for one delivery: event, ticket id, the ticket's timestamps and the changes
/// (canonical JSON, so key order does not matter). A redelivery gives the same key; a new change
/// gives a new one.
pub fn dedupe_key(envelope: &Value) -> String {
    let pick = |path: &str| envelope.pointer(path).map(canonical).unwrap_or_default();
    let material = [
        pick("/event"),
        pick("/data/id"),
        pick("/data/data/updated_at"),
        pick("/data/data/date_status"),
        pick("/data/data/ticket_status_id"),
        pick("/data/changes"),
    ]
    .join("|");
    hex::encode(Sha256::digest(material.as_bytes()))
}

/// JSON with object keys sorted.
fn canonical(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let inner: Vec<String> = entries
                .into_iter()
                .map(|(k, v)| format!("{}:{}", Value::String(k.clone()), canonical(v)))
                .collect();
            format!("{{{}}}", inner.join(","))
        }
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(canonical).collect::<Vec<_>>().join(",")
        ),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dedupe_key_ignores_key_order_but_not_content() {
        let a = json!({"event":"ticket.updated","data":{"id":"t1","data":{"updated_at":"x"},
            "changes":{"ticket_status_id":"s1","updated_at":"2026-01-13 16:29:51"}}});
        let b = json!({"data":{"changes":{"updated_at":"2026-01-13 16:29:51","ticket_status_id":"s1"},
            "data":{"updated_at":"x"},"id":"t1"},"event":"ticket.updated"});
        let c = json!({"event":"ticket.updated","data":{"id":"t1","data":{"updated_at":"x"},
            "changes":{"ticket_status_id":"s2","updated_at":"2026-01-13 16:29:51"}}});
        assert_eq!(dedupe_key(&a), dedupe_key(&b));
        assert_ne!(dedupe_key(&a), dedupe_key(&c));
    }
}
