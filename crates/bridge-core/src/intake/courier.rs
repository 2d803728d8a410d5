//! ShaQ webhooks at intake: the shared secret (ShaQ documents no signature), the envelope, and
//! the package they concern. The full event is parsed by the job, with `shaq-client`.

use http::HeaderMap;
use secrecy::ExposeSecret;
use serde_json::Value;
use shaq_client::webhook::{verify_hmac, verify_secret};

use super::{Admit, IntakeError, IntakeOutcome, SHAQ_SOURCE, WebhookIntake, presented_secret};
use crate::domain::OrderKey;
use crate::settings::WebhookSecretLocation;

/// The events the bridge acts on.
pub const COURIER_EVENTS: [&str; 2] = [
    "package.status_updated",
    "package.amount_to_collect_updated",
];

impl WebhookIntake {
    /// Verifies, keys and stores a ShaQ webhook.
    pub async fn accept_shaq_webhook(
        &self,
        headers: &HeaderMap,
        path_secret: Option<&str>,
        body: &[u8],
        admit: Admit<'_>,
    ) -> Result<IntakeOutcome, IntakeError> {
        self.verify_shaq(headers, path_secret, body)?;
        admit()?;
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
