//! ShaQ's webhooks: the envelope `{event, event_id, api_version, occurred_at, data}` and its two
//! events. ShaQ documents no signature; [`verify_secret`] and [`verify_hmac`] check what the
//! bridge asks ShaQ to send.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::types::{PackageStatus, money};

/// A parsed webhook.
#[derive(Debug, Clone, PartialEq)]
pub enum WebhookEvent {
    /// `package.status_updated`.
    StatusUpdated(Envelope<StatusData>),
    /// `package.amount_to_collect_updated`.
    AmountToCollectUpdated(Envelope<AmountData>),
    /// Any other event (kept, not acted on).
    Unknown {
        /// Its name.
        event: String,
        /// Its id.
        event_id: String,
    },
}

/// The envelope around every event.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Envelope<T> {
    /// Event name.
    pub event: String,
    /// Unique per delivery: dedupe on it.
    pub event_id: String,
    /// `v1`.
    #[serde(default)]
    pub api_version: Option<String>,
    /// When it happened (UTC).
    pub occurred_at: DateTime<Utc>,
    /// The event's data.
    pub data: T,
}

/// `package.status_updated` data.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct StatusData {
    /// ShaQ's tracking number.
    #[serde(alias = "trackingNumber")]
    pub tracking_number: String,
    /// Our reference.
    #[serde(alias = "partnerRef")]
    pub partner_ref: String,
    /// The new status.
    pub status: PackageStatus,
    /// ShaQ's words.
    #[serde(default)]
    pub description: Option<String>,
    /// A comment.
    #[serde(default)]
    pub comment: Option<String>,
    /// `proof_url` when delivered.
    #[serde(default)]
    pub meta: Option<StatusMeta>,
    /// ShaQ's tracking page, if the event carries it (the document's events do not; its
    /// packages do, as `trackingUrl`).
    #[serde(default, alias = "trackingUrl")]
    pub tracking_url: Option<String>,
    /// The delivery window, if the event carries it.
    #[serde(default, deserialize_with = "crate::types::eta_option")]
    pub eta: Option<crate::types::Eta>,
    /// The new delivery day, if the event carries it (`rescheduledDate`).
    #[serde(
        default,
        alias = "rescheduledDate",
        deserialize_with = "crate::types::day_option"
    )]
    pub rescheduled_date: Option<chrono::NaiveDate>,
}

/// Extra data of a status event.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct StatusMeta {
    /// Proof of delivery.
    #[serde(default)]
    pub proof_url: Option<String>,
}

/// `package.amount_to_collect_updated` data.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct AmountData {
    /// ShaQ's tracking number.
    #[serde(alias = "trackingNumber")]
    pub tracking_number: String,
    /// Our reference.
    #[serde(alias = "partnerRef")]
    pub partner_ref: String,
    /// The current status.
    #[serde(default)]
    pub status: Option<PackageStatus>,
    /// The change.
    pub meta: AmountMeta,
}

/// The amounts of an amount change.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct AmountMeta {
    /// Before.
    #[serde(deserialize_with = "money::deserialize")]
    pub old_amount_to_collect: Decimal,
    /// After.
    #[serde(deserialize_with = "money::deserialize")]
    pub new_amount_to_collect: Decimal,
    /// Currency (`GHS`).
    #[serde(default)]
    pub currency: Option<String>,
    /// Why.
    #[serde(default)]
    pub reason: Option<String>,
}

/// Why a webhook body could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct WebhookError(pub String);

#[derive(Deserialize)]
struct Head {
    event: String,
    event_id: String,
}

/// Parses a webhook body. Unknown events are [`WebhookEvent::Unknown`], not errors.
pub fn parse(body: &[u8]) -> Result<WebhookEvent, WebhookError> {
    let head: Head = serde_json::from_slice(body)
        .map_err(|e| WebhookError(format!("not a ShaQ webhook envelope: {e}")))?;
    let detail = |e: serde_json::Error| WebhookError(format!("{}: {e}", head.event));
    Ok(match head.event.as_str() {
        "package.status_updated" => {
            WebhookEvent::StatusUpdated(serde_json::from_slice(body).map_err(detail)?)
        }
        "package.amount_to_collect_updated" => {
            WebhookEvent::AmountToCollectUpdated(serde_json::from_slice(body).map_err(detail)?)
        }
        _ => WebhookEvent::Unknown {
            event: head.event,
            event_id: head.event_id,
        },
    })
}

/// Compares a presented shared secret with the expected one in constant time.
pub fn verify_secret(presented: &str, expected: &str) -> bool {
    presented.len() == expected.len() && bool::from(presented.as_bytes().ct_eq(expected.as_bytes()))
}

/// Checks an HMAC-SHA256 of the raw body, given as hex (optionally `sha256=…`) or base64.
pub fn verify_hmac(key: &[u8], body: &[u8], presented: &str) -> bool {
    use base64::Engine;
    let presented = presented.trim();
    let presented = presented.strip_prefix("sha256=").unwrap_or(presented);
    let Some(signature) = hex::decode(presented)
        .ok()
        .filter(|s| s.len() == 32)
        .or_else(|| {
            base64::engine::general_purpose::STANDARD
                .decode(presented)
                .ok()
        })
    else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&signature).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATUS: &str = r#"{"event":"package.status_updated","event_id":"018e2b3c-7f4a-7c2d-9e1b-4a8f3d2c6b5a","api_version":"v1",
        "occurred_at":"2025-05-29T10:30:00Z","data":{"tracking_number":"20250410X51DIQ","partner_ref":"FGVHKJ567",
        "status":"delivered","description":"Package was successfully delivered to customer","comment":null,
        "meta":{"proof_url":"https://example.com/proof.jpg"}}}"#;

    #[test]
    fn the_seed_status_example_parses() {
        let WebhookEvent::StatusUpdated(event) = parse(STATUS.as_bytes()).expect("parses") else {
            panic!("a status event");
        };
        assert_eq!(event.data.status, PackageStatus::Delivered);
        assert_eq!(
            event.data.meta.and_then(|m| m.proof_url).as_deref(),
            Some("https://example.com/proof.jpg")
        );
        assert_eq!(event.occurred_at.to_rfc3339(), "2025-05-29T10:30:00+00:00");
    }

    #[test]
    fn amount_events_accept_numbers_and_strings() {
        let body = r#"{"event":"package.amount_to_collect_updated","event_id":"e2","api_version":"v1",
            "occurred_at":"2025-05-29T10:30:00Z","data":{"tracking_number":"T","partner_ref":"P","status":"dispatched",
            "meta":{"old_amount_to_collect":300,"new_amount_to_collect":"250.50","currency":"GHS","reason":"customer request"}}}"#;
        let WebhookEvent::AmountToCollectUpdated(event) = parse(body.as_bytes()).expect("parses")
        else {
            panic!("an amount event");
        };
        assert_eq!(
            event.data.meta.new_amount_to_collect,
            Decimal::new(25050, 2)
        );
    }

    #[test]
    fn unknown_events_and_bad_bodies() {
        let unknown = r#"{"event":"package.teleported","event_id":"e3","occurred_at":"2025-05-29T10:30:00Z","data":{}}"#;
        assert!(matches!(
            parse(unknown.as_bytes()),
            Ok(WebhookEvent::Unknown { .. })
        ));
        for bad in [
            "",
            "{",
            "[]",
            r#"{"event":"package.status_updated","event_id":"x","occurred_at":"nope","data":{}}"#,
        ] {
            assert!(parse(bad.as_bytes()).is_err(), "{bad}");
        }
    }

    #[test]
    fn secrets_and_hmacs_verify() {
        assert!(verify_secret("s3cret-value", "s3cret-value"));
        assert!(!verify_secret("s3cret-valuf", "s3cret-value"));
        let mut mac = Hmac::<Sha256>::new_from_slice(b"key").expect("any key");
        mac.update(b"body");
        let hex_sig = hex::encode(mac.finalize().into_bytes());
        assert!(verify_hmac(b"key", b"body", &hex_sig));
        assert!(!verify_hmac(b"key", b"body2", &hex_sig));
    }
}
