//! ShaQ webhooks at intake: the shared secret (ShaQ documents no signature), the envelope, and
//! the package they concern. The full event is parsed by the job, with `shaq-client`.

use http::HeaderMap;
use secrecy::ExposeSecret;
use serde_json::Value;
use shaq_client::webhook::{verify_hmac, verify_secret};

use super::{IntakeError, IntakeOutcome, SHAQ_SOURCE, WebhookIntake, presented_secret};
use chrono::{DateTime, Utc};

use crate::domain::{MAX_AMOUNT, OrderKey};
use crate::settings::WebhookSecretLocation;

/// The events the bridge acts on.
pub const COURIER_EVENTS: [&str; 2] = [
    "package.status_updated",
    "package.amount_to_collect_updated",
];

/// The longest event id or package reference taken.
const MAX_REFERENCE_LEN: usize = 200;

/// How far ahead of the bridge's clock an event may say it happened (clocks differ a little).
const MAX_CLOCK_AHEAD: chrono::Duration = chrono::Duration::days(1);

/// The whole event, read now as its job will read it, and checked: what is acknowledged can
/// be applied (an event dated in the year 99999 was acknowledged, then its job died).
fn check_event(
    body: &[u8],
    event_id: &str,
    reference: &str,
    now: DateTime<Utc>,
) -> Result<(), IntakeError> {
    use shaq_client::webhook::{WebhookEvent, parse};
    if event_id.chars().count() > MAX_REFERENCE_LEN {
        return Err(super::invalid(
            "event_id",
            &format!("must be at most {MAX_REFERENCE_LEN} characters"),
        ));
    }
    if reference.chars().count() > MAX_REFERENCE_LEN {
        return Err(super::invalid(
            "data.partner_ref",
            &format!("must be at most {MAX_REFERENCE_LEN} characters"),
        ));
    }
    let event = parse(body).map_err(|e| super::invalid("body", &e.to_string()))?;
    let occurred_at = match &event {
        WebhookEvent::StatusUpdated(update) => update.occurred_at,
        WebhookEvent::AmountToCollectUpdated(update) => {
            let meta = &update.data.meta;
            for (field, amount) in [
                (
                    "data.meta.new_amount_to_collect",
                    meta.new_amount_to_collect,
                ),
                (
                    "data.meta.old_amount_to_collect",
                    meta.old_amount_to_collect,
                ),
            ] {
                if amount.is_sign_negative() || amount > MAX_AMOUNT {
                    return Err(super::invalid(
                        field,
                        &format!("{amount} is not an amount to collect (0 to {MAX_AMOUNT})"),
                    ));
                }
            }
            update.occurred_at
        }
        WebhookEvent::Unknown { .. } => return Ok(()),
    };
    let earliest = DateTime::<Utc>::from_timestamp(946_684_800, 0).unwrap_or(DateTime::UNIX_EPOCH);
    if occurred_at < earliest || occurred_at > now + MAX_CLOCK_AHEAD {
        return Err(super::invalid(
            "occurred_at",
            &format!("{occurred_at} is not a time an event happened"),
        ));
    }
    Ok(())
}

impl WebhookIntake {
    /// Verifies, keys and stores a ShaQ webhook.
    pub async fn accept_shaq_webhook(
        &self,
        headers: &HeaderMap,
        path_secret: Option<&str>,
        body: &[u8],
    ) -> Result<IntakeOutcome, IntakeError> {
        self.verify_shaq(headers, path_secret, body)?;
        let envelope: Value = super::parse_json(body)?;
        let event = super::required_str(&envelope, &["event"])?;
        let event_id = super::required_str(&envelope, &["event_id"])?;
        super::required_str(&envelope, &["occurred_at"])?;
        let data = envelope
            .get("data")
            .filter(|d| d.is_object())
            .ok_or_else(|| super::invalid("data", "must be an object"))?;
        if !COURIER_EVENTS.contains(&event) {
            return Ok(IntakeOutcome::Ignored(format!(
                "event `{event}` is not used"
            )));
        }
        let reference = [
            "partner_ref",
            "tracking_number",
            "partnerRef",
            "trackingNumber",
        ]
        .iter()
        .find_map(|k| {
            data.get(*k)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
        })
        .ok_or_else(|| {
            super::invalid("data.partner_ref", "is required (or data.tracking_number)")
        })?;
        check_event(body, event_id, reference, Utc::now())?;
        let order_key = match self.store.order_key_by_package(reference).await? {
            Some(key) => key,
            // A package the bridge did not create: keep the event, act on nothing.
            None => OrderKey::unmatched(reference),
        };
        self.store(
            SHAQ_SOURCE.to_owned(),
            event_id.to_owned(),
            order_key,
            headers,
            body,
        )
        .await
    }

    fn shaq_webhook_secrets(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.shaq.webhook_secret.expose_secret()).chain(
            self.shops
                .values()
                .filter_map(|shop| shop.shaq.webhook_secret.as_ref())
                .map(ExposeSecret::expose_secret),
        )
    }

    fn verify_shaq(
        &self,
        headers: &HeaderMap,
        path_secret: Option<&str>,
        body: &[u8],
    ) -> Result<(), IntakeError> {
        let presented = match self.shaq.webhook_secret_location {
            WebhookSecretLocation::Header => {
                presented_secret(headers, &self.shaq.webhook_secret_header)
            }
            WebhookSecretLocation::Path => path_secret,
        };
        let presented = presented
            .ok_or_else(|| IntakeError::Unauthorized("missing webhook secret".to_owned()))?;
        // `[shaq]`'s account, or a shop's own: each sends its own secret.
        let expected = self
            .shaq_webhook_secrets()
            .find(|expected| verify_secret(presented, expected))
            .ok_or_else(|| IntakeError::Unauthorized("wrong webhook secret".to_owned()))?;
        if let Some(header) = &self.shaq.webhook_hmac_header {
            let signature = headers
                .get(header.as_str())
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| IntakeError::Unauthorized(format!("missing {header}")))?;
            if !verify_hmac(expected.as_bytes(), body, signature) {
                return Err(IntakeError::Unauthorized(format!("wrong {header}")));
            }
        }
        Ok(())
    }
}
