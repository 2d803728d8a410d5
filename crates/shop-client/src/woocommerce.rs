//! WooCommerce: REST v3 (order status, tracking meta, notes).

use outbound_http::Upstream;
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

use crate::{COMPANY, Milestone, ShopError, ShopUpdate, Subscription, WantedSubscription};

/// A WooCommerce shop.
#[derive(Debug, Clone)]
pub struct WooCommerce {
    upstream: Upstream,
    consumer_key: String,
    consumer_secret: SecretString,
}

impl WooCommerce {
    pub(crate) fn new(
        upstream: Upstream,
        consumer_key: String,
        consumer_secret: SecretString,
    ) -> Self {
        WooCommerce {
            upstream,
            consumer_key,
            consumer_secret,
        }
    }

    /// `GET /wp-json/wc/v3/webhooks`: every webhook of the shop (other plugins' too).
    pub(crate) async fn subscriptions(&self) -> Result<Vec<Subscription>, ShopError> {
        let mut all = Vec::new();
        for page in 1..=crate::MAX_PAGES {
            let request = self
                .upstream
                .request(
                    Method::GET,
                    &format!("/wp-json/wc/v3/webhooks?per_page=100&page={page}"),
                )
                .basic_auth(
                    &self.consumer_key,
                    Some(self.consumer_secret.expose_secret()),
                );
            let answer = self.upstream.send(request, "webhooks").await?;
            let list = answer.json()?.as_array().cloned().unwrap_or_default();
            let done = list.len() < 100;
            all.extend(list.iter().filter_map(woo_subscription));
            if done {
                break;
            }
        }
        Ok(all)
    }

    /// `POST /wp-json/wc/v3/webhooks` (or `PUT …/{id}` to repoint `existing`): active, with the
    /// bridge's address and signing secret.
    pub(crate) async fn subscribe(
        &self,
        wanted: &WantedSubscription,
        existing: Option<&Subscription>,
    ) -> Result<Subscription, ShopError> {
        let mut body = json!({
            "name": wanted.name,
            "topic": wanted.topic,
            "delivery_url": wanted.url,
            "status": "active",
        });
        if let Some(secret) = &wanted.secret {
            body["secret"] = json!(secret.expose_secret());
        }
        let (method, path) = match existing {
            Some(existing) => (
                Method::PUT,
                format!("/wp-json/wc/v3/webhooks/{}", existing.id),
            ),
            None => (Method::POST, "/wp-json/wc/v3/webhooks".to_owned()),
        };
        let request = self
            .upstream
            .request(method, &path)
            .basic_auth(
                &self.consumer_key,
                Some(self.consumer_secret.expose_secret()),
            )
            .json(&body);
        let answer = self.upstream.send(request, "webhook").await?;
        let json = answer.json()?;
        woo_subscription(&json)
            .ok_or_else(|| ShopError::Http(answer.decode_error("the answer is not a webhook")))
    }

    pub(crate) async fn write(&self, update: &ShopUpdate<'_>) -> Result<String, ShopError> {
        let tracking = update.tracking_number.unwrap_or_default();
        let summary = match update.milestone {
            Milestone::Confirmed => {
                self.note(update, "Confirmed by the customer on WhatsApp.", false)
                    .await?;
                "note: confirmed"
            }
            Milestone::PackageCreated => {
                let mut meta = vec![json!({ "key": "shaq_tracking_number", "value": tracking })];
                if let Some(url) = update.tracking_url {
                    meta.push(json!({ "key": "shaq_tracking_url", "value": url }));
                }
                self.put(update, json!({ "meta_data": meta }), "tracking meta")
                    .await?;
                let link = update.tracking_url.unwrap_or_default();
                self.note(
                    update,
                    &format!("Shipped with {COMPANY}, tracking number {tracking}. {link}"),
                    true,
                )
                .await?;
                "tracking meta and customer note"
            }
            Milestone::Delivered => {
                self.put(update, json!({ "status": "completed" }), "status completed")
                    .await?;
                "status completed"
            }
            Milestone::Cancelled => {
                self.put(update, json!({ "status": "cancelled" }), "status cancelled")
                    .await?;
                "status cancelled"
            }
            Milestone::AfterSaleBooked => {
                self.note(
                    update,
                    &format!(
                        "{COMPANY} booked to collect the item back and/or deliver a replacement. \
                         Refund and restock are yours to do."
                    ),
                    false,
                )
                .await?;
                "private note: after-sale booked"
            }
            Milestone::AmountChanged => {
                let amount = |value: Option<rust_decimal::Decimal>| {
                    format!(
                        "{} {}",
                        value
                            .map(|v| format!("{:.2}", v.round_dp(2)))
                            .unwrap_or_default(),
                        update.currency.unwrap_or_default()
                    )
                };
                self.note(
                    update,
                    &format!(
                        "{COMPANY} changed the amount to collect from {} to {}, at the customer's request.",
                        amount(update.previous_amount),
                        amount(update.amount_to_collect)
                    ),
                    false,
                )
                .await?;
                "private note: amount changed"
            }
            Milestone::TrackingLink => {
                let url = update.tracking_url.unwrap_or_default();
                self.put(
                    update,
                    json!({ "meta_data": [{ "key": "shaq_tracking_url", "value": url }] }),
                    "tracking meta",
                )
                .await?;
                "tracking link meta"
            }
            Milestone::ReturnReceived => {
                self.note(
                    update,
                    &format!("{COMPANY} brought the returned item back. Restock and refund as you decide."),
                    false,
                )
                .await?;
                "private note: return received"
            }
            other => {
                self.note(
                    update,
                    &format!("ShaQ: {}", other.as_str().replace('_', " ")),
                    false,
                )
                .await?;
                "private note"
            }
        };
        Ok(summary.to_owned())
    }

    /// `GET /wp-json/wc/v3/orders?modified_after=…`, page by page (`X-WP-TotalPages`).
    pub(crate) async fn recent_orders(
        &self,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<Value>, ShopError> {
        let mut orders = Vec::new();
        for page in 1..=crate::MAX_PAGES {
            let path = format!(
                "/wp-json/wc/v3/orders?modified_after={}&per_page=100&page={page}&dates_are_gmt=true",
                since.format("%Y-%m-%dT%H:%M:%S")
            );
            let request = self.upstream.request(Method::GET, &path).basic_auth(
                &self.consumer_key,
                Some(self.consumer_secret.expose_secret()),
            );
            let answer = self.upstream.send(request, "orders").await?;
            orders.extend(answer.json()?.as_array().cloned().unwrap_or_default());
            let pages: usize = answer
                .headers
                .get("x-wp-totalpages")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse().ok())
                .unwrap_or(1);
            if page >= pages {
                break;
            }
        }
        Ok(orders)
    }

    fn order_path(update: &ShopUpdate<'_>, suffix: &str) -> String {
        format!("/wp-json/wc/v3/orders/{}{suffix}", update.platform_order_id)
    }

    async fn send(
        &self,
        method: Method,
        path: String,
        body: Value,
        what: &str,
    ) -> Result<(), ShopError> {
        let request = self
            .upstream
            .request(method, &path)
            .basic_auth(
                &self.consumer_key,
                Some(self.consumer_secret.expose_secret()),
            )
            .json(&body);
        self.upstream.send(request, what).await?;
        Ok(())
    }

    async fn put(&self, update: &ShopUpdate<'_>, body: Value, what: &str) -> Result<(), ShopError> {
        self.send(Method::PUT, Self::order_path(update, ""), body, what)
            .await
    }

    async fn note(
        &self,
        update: &ShopUpdate<'_>,
        note: &str,
        customer: bool,
    ) -> Result<(), ShopError> {
        self.send(
            Method::POST,
            Self::order_path(update, "/notes"),
            json!({ "note": note, "customer_note": customer }),
            "order note",
        )
        .await
    }
}

fn woo_subscription(hook: &Value) -> Option<Subscription> {
    let id = match hook.get("id")? {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        _ => return None,
    };
    Some(Subscription {
        id,
        topic: hook.get("topic")?.as_str()?.to_owned(),
        url: hook.get("delivery_url")?.as_str()?.to_owned(),
        active: hook.get("status").and_then(Value::as_str) == Some("active"),
        name: hook.get("name").and_then(Value::as_str).map(str::to_owned),
    })
}
