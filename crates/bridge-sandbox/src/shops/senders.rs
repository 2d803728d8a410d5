//! Shop webhooks as each platform signs and sends them.

use base64::Engine;
use chrono::Utc;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

fn hmac(secret: &str, body: &[u8]) -> Vec<u8> {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

/// Shopify's signature: base64 HMAC-SHA256 of the raw body.
pub fn shopify_signature(secret: &str, body: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(hmac(secret, body))
}

/// YouCan's signature: hex HMAC-SHA256.
pub fn youcan_signature(secret: &str, body: &[u8]) -> String {
    hex::encode(hmac(secret, body))
}

/// What a sender got back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendResult {
    /// Last status (0: no answer).
    pub status: u16,
    /// Attempts made.
    pub attempts: u32,
    /// The last answer's body (WooCommerce's sender keeps it; the others leave it empty).
    pub body: String,
}

/// Posts Shopify order webhooks, retrying non-2xx answers like Shopify (fewer, faster).
#[derive(Debug, Clone)]
pub struct ShopifySender {
    /// `xxx.myshopify.com`.
    pub shop_domain: String,
    /// The app's client secret.
    pub secret: String,
    /// Retries after the first attempt.
    pub retries: u32,
    http: reqwest::Client,
}

impl ShopifySender {
    /// A sender for a shop.
    pub fn new(shop_domain: &str, secret: &str) -> Self {
        ShopifySender {
            shop_domain: shop_domain.to_owned(),
            secret: secret.to_owned(),
            retries: 3,
            http: reqwest::Client::new(),
        }
    }

    /// Posts `order` under `topic` (`orders/create`…) to `url`, signed. The same webhook id is
    /// kept across retries, as Shopify does.
    pub async fn send(&self, url: &str, topic: &str, order: &Value) -> SendResult {
        let body = order.to_string();
        let signature = shopify_signature(&self.secret, body.as_bytes());
        let webhook_id = uuid::Uuid::new_v4().to_string();
        let mut result = SendResult {
            status: 0,
            attempts: 0,
            body: String::new(),
        };
        while result.attempts <= self.retries {
            result.attempts += 1;
            let response = self
                .http
                .post(url)
                .header("content-type", "application/json")
                .header("X-Shopify-Topic", topic)
                .header("X-Shopify-Hmac-Sha256", &signature)
                .header("X-Shopify-Shop-Domain", &self.shop_domain)
                .header("X-Shopify-API-Version", "2026-10")
                .header("X-Shopify-Webhook-Id", &webhook_id)
                .header("X-Shopify-Event-Id", &webhook_id)
                .header("X-Shopify-Triggered-At", Utc::now().to_rfc3339())
                .header("User-Agent", "Shopify-Captain-Hook")
                .body(body.clone())
                .send()
                .await;
            result.status = response.map(|r| r.status().as_u16()).unwrap_or(0);
            if (200..300).contains(&result.status) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(
                100 * u64::from(result.attempts),
            ))
            .await;
        }
        result
    }
}

/// Posts WooCommerce webhooks (never retried, as WooCommerce does) and its activation ping.
#[derive(Debug, Clone)]
pub struct WooSender {
    /// The shop's home URL (`X-WC-Webhook-Source`).
    pub source: String,
    /// The webhook secret.
    pub secret: String,
    http: reqwest::Client,
}

impl WooSender {
    /// A sender for a shop.
    pub fn new(source: &str, secret: &str) -> Self {
        WooSender {
            source: source.to_owned(),
            secret: secret.to_owned(),
            http: reqwest::Client::new(),
        }
    }

    /// Posts `order` under `topic` (`order.created`…).
    pub async fn send(&self, url: &str, topic: &str, order: &Value) -> SendResult {
        let body = order.to_string();
        let signature =
            base64::engine::general_purpose::STANDARD.encode(hmac(&self.secret, body.as_bytes()));
        let (resource, event) = topic.split_once('.').unwrap_or(("order", "updated"));
        let status = self
            .http
            .post(url)
            .header("content-type", "application/json")
            .header("User-Agent", "WooCommerce/9.4.0 Hookshot (WordPress/6.7)")
            .header("X-WC-Webhook-Source", &self.source)
            .header("X-WC-Webhook-Topic", topic)
            .header("X-WC-Webhook-Resource", resource)
            .header("X-WC-Webhook-Event", event)
            .header("X-WC-Webhook-Signature", signature)
            .header("X-WC-Webhook-ID", "17")
            .header(
                "X-WC-Webhook-Delivery-ID",
                uuid::Uuid::new_v4().simple().to_string(),
            )
            .body(body)
            .send()
            .await;
        let (status, body) = match status {
            Ok(response) => (
                response.status().as_u16(),
                response.text().await.unwrap_or_default(),
            ),
            Err(_) => (0, String::new()),
        };
        SendResult {
            status,
            attempts: 1,
            body,
        }
    }

    /// The unsigned activation ping (`webhook_id=N`, form-encoded).
    pub async fn ping(&self, url: &str, webhook_id: u32) -> SendResult {
        let status = self
            .http
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("User-Agent", "WooCommerce/9.4.0 Hookshot (WordPress/6.7)")
            .body(format!("webhook_id={webhook_id}"))
            .send()
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0);
        SendResult {
            status,
            attempts: 1,
            body: String::new(),
        }
    }
}

/// Posts YouCan order webhooks (`x-youcan-signature`, hex; YouCan documents no topic header).
#[derive(Debug, Clone)]
pub struct YouCanSender {
    /// The OAuth client secret that signs.
    pub secret: String,
    http: reqwest::Client,
}

impl YouCanSender {
    /// A sender for a store.
    pub fn new(secret: &str) -> Self {
        YouCanSender {
            secret: secret.to_owned(),
            http: reqwest::Client::new(),
        }
    }

    /// Posts `order` to `url`, signed.
    pub async fn send(&self, url: &str, order: &Value) -> SendResult {
        let body = order.to_string();
        let status = self
            .http
            .post(url)
            .header("content-type", "application/json")
            .header(
                "x-youcan-signature",
                youcan_signature(&self.secret, body.as_bytes()),
            )
            .body(body)
            .send()
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0);
        SendResult {
            status,
            attempts: 1,
            body: String::new(),
        }
    }
}

/// Posts the bridge's generic JSON shape, signed with a hex HMAC in `X-Signature` (the generic
/// platform's default).
#[derive(Debug, Clone)]
pub struct GenericSender {
    /// The shared secret.
    pub secret: String,
    http: reqwest::Client,
}

impl GenericSender {
    /// A sender for a shop.
    pub fn new(secret: &str) -> Self {
        GenericSender {
            secret: secret.to_owned(),
            http: reqwest::Client::new(),
        }
    }

    /// Posts `{topic, order}` to `url`, signed.
    pub async fn send(&self, url: &str, topic: &str, order: &Value) -> SendResult {
        let body = json!({ "topic": topic, "order": order }).to_string();
        let status = self
            .http
            .post(url)
            .header("content-type", "application/json")
            .header(
                "X-Signature",
                youcan_signature(&self.secret, body.as_bytes()),
            )
            .body(body)
            .send()
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0);
        SendResult {
            status,
            attempts: 1,
            body: String::new(),
        }
    }
}
