//! Digishare's ticket webhooks: `{event, data: {id, data: {ticket}, wasRecentlyCreated?, changes?}}`.

use serde::Deserialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::types::Ticket;

/// A parsed webhook.
#[derive(Debug, Clone, PartialEq)]
pub enum WebhookEvent {
    /// `ticket.created`.
    TicketCreated(TicketEvent),
    /// `ticket.updated`.
    TicketUpdated(TicketEvent),
    /// `ticket.deleted` (only the id).
    TicketDeleted {
        /// The ticket id.
        id: String,
    },
    /// Another event (not an error).
    Unknown {
        /// Its name.
        event: String,
    },
}

/// A ticket event's data.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TicketEvent {
    /// The ticket id.
    pub id: String,
    /// The ticket as it is now (the canonical state).
    #[serde(rename = "data")]
    pub ticket: Ticket,
    /// Created by this change.
    #[serde(default, rename = "wasRecentlyCreated")]
    pub was_recently_created: Option<bool>,
    /// Only the new values of what changed.
    #[serde(default)]
    pub changes: Option<Map<String, Value>>,
}

impl TicketEvent {
    /// When the ticket's status last changed, by Digishare's clock (`date_status`, in the ticket
    /// or in `changes`; `YYYY-MM-DD HH:MM:SS` or ISO 8601), to order deliveries.
    pub fn status_changed_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        let raw = self.ticket.date_status.clone().or_else(|| {
            self.changes
                .as_ref()?
                .get("date_status")?
                .as_str()
                .map(str::to_owned)
        })?;
        parse_time(&raw)
    }

    /// The new status, when this delivery changed it.
    pub fn status_changed(&self) -> Option<&str> {
        self.changes.as_ref()?.get("ticket_status_id")?.as_str()
    }
}

impl WebhookEvent {
    /// The ticket event, for created/updated deliveries.
    pub fn ticket_event(&self) -> Option<&TicketEvent> {
        match self {
            WebhookEvent::TicketCreated(e) | WebhookEvent::TicketUpdated(e) => Some(e),
            _ => None,
        }
    }

    /// `(ticket id, current status id)` for created/updated events.
    pub fn ticket_status(&self) -> Option<(&str, &str)> {
        match self {
            WebhookEvent::TicketCreated(e) | WebhookEvent::TicketUpdated(e) => {
                Some((e.id.as_str(), e.ticket.ticket_status_id.as_deref()?))
            }
            _ => None,
        }
    }
}

/// Reads Digishare's two timestamp forms (zoneless ones as UTC: only compared with each other).
pub fn parse_time(raw: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(raw.trim()) {
        return Some(t.with_timezone(&chrono::Utc));
    }
    chrono::NaiveDateTime::parse_from_str(raw.trim(), "%Y-%m-%d %H:%M:%S")
        .ok()
        .map(|t| t.and_utc())
}

/// Why a body could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct WebhookError(pub String);

#[derive(Deserialize)]
struct Envelope {
    event: String,
    #[serde(default)]
    data: Value,
}

/// Parses a webhook body.
pub fn parse(body: &[u8]) -> Result<WebhookEvent, WebhookError> {
    let envelope: Envelope = serde_json::from_slice(body)
        .map_err(|e| WebhookError(format!("not a Digishare webhook: {e}")))?;
    let ticket = |data: Value| {
        serde_json::from_value::<TicketEvent>(data)
            .map_err(|e| WebhookError(format!("{}: {e}", envelope.event)))
    };
    Ok(match envelope.event.as_str() {
        "ticket.created" => WebhookEvent::TicketCreated(ticket(envelope.data)?),
        "ticket.updated" => WebhookEvent::TicketUpdated(ticket(envelope.data)?),
        "ticket.deleted" => WebhookEvent::TicketDeleted {
            id: envelope
                .data
                .get("id")
                .and_then(Value::as_str)
                .ok_or_else(|| WebhookError("ticket.deleted: data.id is required".to_owned()))?
                .to_owned(),
        },
        _ => WebhookEvent::Unknown {
            event: envelope.event,
        },
    })
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

/// Compares the static secret Digishare presents (Bearer token or custom header value) with the
/// configured one, in constant time. Digishare signs nothing: this is the only check it allows.
pub fn verify_secret(presented: &str, expected: &str) -> bool {
    presented.len() == expected.len() && bool::from(presented.as_bytes().ct_eq(expected.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ecommerce_example_parses() {
        let body = r#"{"event":"ticket.updated","data":{"id":"hashed_ticket_id","data":{"id":"hashed_ticket_id",
            "external_id":"ORDER-12345","subject":"Order Confirmation","ticket_number":"342106",
            "type_ticket_id":"npvrxamq9l94y8dz","third_id":"hashed_third_id","ticket_status_id":"yqdwrbka7kz69v8e",
            "information":{"third":{"name":"Ahmed Alami"},"campaign_data":{"order_id":"12345"}}},
            "wasRecentlyCreated":false,
            "changes":{"date_status":"2026-01-13 16:29:51","ticket_status_id":"yqdwrbka7kz69v8e","updated_at":"2026-01-13 16:29:51"}}}"#;
        let WebhookEvent::TicketUpdated(event) = parse(body.as_bytes()).expect("parses") else {
            panic!("ticket.updated");
        };
        assert_eq!(event.status_changed(), Some("yqdwrbka7kz69v8e"));
        assert_eq!(
            event.status_changed_at().map(|t| t.to_rfc3339()).as_deref(),
            Some("2026-01-13T16:29:51+00:00")
        );
        assert_eq!(event.ticket.external_id.as_deref(), Some("ORDER-12345"));
    }

    #[test]
    fn dedupe_key_ignores_key_order_but_not_content() {
        let a: Value = serde_json::from_str(
            r#"{"event":"ticket.updated","data":{"id":"t1","data":{"updated_at":"x"},
            "changes":{"ticket_status_id":"s1","updated_at":"2026-01-13 16:29:51"}}}"#,
        )
        .expect("json");
        let b: Value = serde_json::from_str(
            r#"{"data":{"changes":{"updated_at":"2026-01-13 16:29:51","ticket_status_id":"s1"},
            "data":{"updated_at":"x"},"id":"t1"},"event":"ticket.updated"}"#,
        )
        .expect("json");
        let c: Value = serde_json::from_str(
            r#"{"event":"ticket.updated","data":{"id":"t1","data":{"updated_at":"x"},
            "changes":{"ticket_status_id":"s2","updated_at":"2026-01-13 16:29:51"}}}"#,
        )
        .expect("json");
        assert_eq!(dedupe_key(&a), dedupe_key(&b));
        assert_ne!(dedupe_key(&a), dedupe_key(&c));
        assert!(verify_secret("secret", "secret"));
        assert!(!verify_secret("secreT", "secret"));
    }

    #[test]
    fn information_as_an_empty_array_and_other_events() {
        let body = r#"{"event":"ticket.created","data":{"id":"t","data":{"id":"t","information":[]},"wasRecentlyCreated":true}}"#;
        assert!(matches!(
            parse(body.as_bytes()),
            Ok(WebhookEvent::TicketCreated(_))
        ));
        let other = r#"{"event":"live_chat.new_message","data":{}}"#;
        assert!(matches!(
            parse(other.as_bytes()),
            Ok(WebhookEvent::Unknown { .. })
        ));
        for bad in [
            "",
            "[]",
            r#"{"event":"ticket.updated","data":{}}"#,
            r#"{"event":"ticket.deleted","data":{}}"#,
        ] {
            assert!(parse(bad.as_bytes()).is_err(), "{bad}");
        }
    }
}
