//! Intake: verify a webhook on its raw bytes, parse just enough to key it, and store it with its
//! `apply_inbound_event` job in one transaction. Once this returns `Ok`, the sender may be
//! answered 2xx: the webhook survives a crash. The real work happens in the job.

mod courier;
mod shop;
mod ticket;

use std::collections::HashMap;

use chrono::Utc;
use http::HeaderMap;
use serde_json::{Map, Value};

use crate::domain::{OrderKey, ShopId};
use crate::settings::{DigishareSettings, ShaqSettings};
use crate::shop::ShopSettings;
use crate::store::{Intake, IntakeWriter, NewInboundEvent, Store, StoreError};
use crate::workflow::apply_webhook;

/// Everything intake needs: the store (and its group-commit writer) and the secrets.
pub struct WebhookIntake {
    store: Store,
    writer: IntakeWriter,
    shops: HashMap<ShopId, ShopSettings>,
    shaq: ShaqSettings,
    digishare: DigishareSettings,
}

impl WebhookIntake {
    /// Intake over `store`, through its shared group-commit writer.
    pub fn new(
        store: Store,
        shops: &[ShopSettings],
        shaq: ShaqSettings,
        digishare: DigishareSettings,
    ) -> Self {
        let writer = store.intake_writer();
        WebhookIntake {
            store,
            writer,
            shops: shops.iter().map(|s| (s.id.clone(), s.clone())).collect(),
            shaq,
            digishare,
        }
    }

    /// The key of the order a Digishare ticket belongs to: by the ticket's id, else by its
    /// `external_id` (the order's partner reference). Usually from memory (see
    /// `store::known_keys`).
    async fn order_key_of_ticket(
        &self,
        ticket_id: &str,
        external_id: Option<&str>,
    ) -> Result<Option<OrderKey>, StoreError> {
        if let Some(key) = self.store.order_key_by_ticket(ticket_id).await? {
            return Ok(Some(key));
        }
        match external_id {
            Some(external_id) => self.store.order_key_by_ticket(external_id).await,
            None => Ok(None),
        }
    }

    /// Stores a verified webhook with its `apply_inbound_event` job (group commit).
    async fn store(
        &self,
        source: String,
        dedupe_key: String,
        order_key: OrderKey,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<IntakeOutcome, IntakeError> {
        let event = NewInboundEvent {
            source,
            dedupe_key,
            order_key: Some(order_key.clone()),
            headers: kept_headers(headers),
            body: body.to_vec(),
            received_at: Utc::now(),
        };
        let intake = self
            .writer
            .accept(
                event,
                Box::new(move |event_id| vec![apply_webhook(&order_key, event_id)]),
            )
            .await?;
        Ok(IntakeOutcome::Stored(intake))
    }
}

/// The body as JSON, or a 400 that says why not.
fn parse_json(body: &[u8]) -> Result<Value, IntakeError> {
    if std::str::from_utf8(body).is_err() {
        return Err(IntakeError::Malformed(
            "the body is not valid UTF-8".to_owned(),
        ));
    }
    serde_json::from_slice(body)
        .map_err(|e| IntakeError::Malformed(format!("the body is not valid JSON: {e}")))
}

/// A required, non-empty string at `path`, or a 422 naming it.
fn required_str<'v>(value: &'v Value, path: &[&str]) -> Result<&'v str, IntakeError> {
    let mut current = value;
    for key in path {
        current = current
            .get(*key)
            .ok_or_else(|| invalid(&path.join("."), "is required"))?;
    }
    current
        .as_str()
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| invalid(&path.join("."), "must be a non-empty string"))
}

fn invalid(field: &str, message: &str) -> IntakeError {
    IntakeError::InvalidField {
        field: field.to_owned(),
        message: message.to_owned(),
    }
}

/// Why a webhook was refused.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    /// Missing or wrong signature or secret (401).
    #[error("{0}")]
    Unauthorized(String),
    /// No shop with this id is configured (404).
    #[error("no shop `{0}` is configured")]
    UnknownShop(String),
    /// Not JSON, not UTF-8, not the expected envelope (400).
    #[error("{0}")]
    Malformed(String),
    /// A required field is missing or wrong (422).
    #[error("{field}: {message}")]
    InvalidField {
        /// The field path.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// The database could not store it (503: the sender should retry).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What intake did with a webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntakeOutcome {
    /// Stored (or recognised as a redelivery); answer 2xx.
    Stored(Intake),
    /// A ping or an event the bridge does not act on; answer 2xx, nothing stored.
    Ignored(String),
}

/// Where a webhook came from, as stored.
pub fn shop_source(shop_id: &ShopId) -> String {
    format!("shop:{shop_id}")
}

/// Source name for ShaQ webhooks.
pub const SHAQ_SOURCE: &str = "shaq";
/// Source name for Digishare webhooks.
pub const DIGISHARE_SOURCE: &str = "digishare";

/// Headers worth keeping with the body (for replay and troubleshooting). Secrets and signatures
/// are left out.
pub fn kept_headers(headers: &HeaderMap) -> Value {
    const KEEP_PREFIXES: [&str; 3] = ["x-shopify-", "x-wc-webhook-", "x-youcan-"];
    const NEVER: [&str; 4] = [
        "x-shopify-hmac-sha256",
        "x-wc-webhook-signature",
        "x-youcan-signature",
        "authorization",
    ];
    let mut kept = Map::new();
    for (name, value) in headers {
        let name = name.as_str();
        let wanted = name == "content-type"
            || name == "user-agent"
            || KEEP_PREFIXES.iter().any(|p| name.starts_with(p));
        if wanted
            && !NEVER.contains(&name)
            && let Ok(value) = value.to_str()
        {
            kept.insert(name.to_owned(), Value::String(value.to_owned()));
        }
    }
    Value::Object(kept)
}

/// The secret presented in a header: the bare value, or after `Bearer ` for `Authorization`.
pub fn presented_secret<'h>(headers: &'h HeaderMap, header: &str) -> Option<&'h str> {
    let value = headers.get(header)?.to_str().ok()?.trim();
    if header.eq_ignore_ascii_case("authorization") {
        value.strip_prefix("Bearer ").map(str::trim)
    } else {
        Some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_and_secrets_are_not_kept() {
        let mut headers = HeaderMap::new();
        headers.insert("x-shopify-topic", "orders/create".parse().expect("valid"));
        headers.insert("x-shopify-hmac-sha256", "c2lnbg==".parse().expect("valid"));
        headers.insert("authorization", "Bearer s3cret".parse().expect("valid"));
        headers.insert("x-shaq-webhook-secret", "s3cret".parse().expect("valid"));
        let kept = kept_headers(&headers);
        assert_eq!(
            kept,
            serde_json::json!({ "x-shopify-topic": "orders/create" })
        );
    }
}
