//! Shop webhooks at intake: signature on the raw bytes, then just enough parsing to key them.

use http::{HeaderMap, HeaderValue};

use super::{IntakeError, IntakeOutcome, WebhookIntake, shop_source};
use crate::domain::{OrderKey, PlatformOrderId, ShopId};
use crate::shop::{self, Platform, ShopError, ShopWebhook};

impl WebhookIntake {
    /// Verifies, keys and stores a shop webhook. Unknown shop → 404; bad signature → 401;
    /// WooCommerce's ping → 200 with nothing stored.
    pub async fn accept_shop_webhook(
        &self,
        shop_id: &ShopId,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<IntakeOutcome, IntakeError> {
        let shop = self
            .shops
            .get(shop_id)
            .ok_or_else(|| IntakeError::UnknownShop(shop_id.to_string()))?;
        shop::verify(shop, headers, body).map_err(IntakeError::Unauthorized)?;
        self.store_shop_event(shop_id, headers, body).await
    }

    /// Stores an order the bridge read from the shop's own API (a catch-up on missed webhooks),
    /// through the same parsing and dedupe as its webhooks: a webhook and a catch-up of the same
    /// order version do one thing.
    pub async fn accept_from_shop_api(
        &self,
        shop_id: &ShopId,
        order: &serde_json::Value,
    ) -> Result<IntakeOutcome, IntakeError> {
        let shop = self
            .shops
            .get(shop_id)
            .ok_or_else(|| IntakeError::UnknownShop(shop_id.to_string()))?;
        let mut headers = HeaderMap::new();
        let topic = match shop.platform {
            Platform::Shopify => Some(("x-shopify-topic", "orders/updated")),
            Platform::Woocommerce => Some(("x-wc-webhook-topic", "order.updated")),
            Platform::Youcan | Platform::Generic => None,
        };
        if let Some((name, value)) = topic {
            headers.insert(name, HeaderValue::from_static(value));
        }
        let body = match shop.platform {
            // The generic shape wraps the order with its topic.
            Platform::Generic => serde_json::json!({ "topic": "updated", "order": order }),
            _ => order.clone(),
        };
        let body = serde_json::to_vec(&body)
            .map_err(|e| IntakeError::Malformed(format!("the order is not JSON: {e}")))?;
        self.store_shop_event(shop_id, &headers, &body).await
    }

    async fn store_shop_event(
        &self,
        shop_id: &ShopId,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<IntakeOutcome, IntakeError> {
        let shop = self
            .shops
            .get(shop_id)
            .ok_or_else(|| IntakeError::UnknownShop(shop_id.to_string()))?;
        let event = match shop::parse(shop, headers, body) {
            Ok(ShopWebhook::Ping) => return Ok(IntakeOutcome::Ignored("ping".to_owned())),
            Ok(ShopWebhook::Ignored(reason)) => return Ok(IntakeOutcome::Ignored(reason)),
            Ok(ShopWebhook::Order(event)) => event,
            Ok(
                ShopWebhook::Deleted {
                    platform_order_id,
                    dedupe_key,
                }
                | ShopWebhook::AfterSale {
                    platform_order_id,
                    dedupe_key,
                    ..
                }
                | ShopWebhook::Unusable {
                    platform_order_id,
                    dedupe_key,
                    ..
                },
            ) => {
                let order_key = OrderKey::of(shop_id, &PlatformOrderId::new(platform_order_id));
                return self
                    .store(shop_source(shop_id), dedupe_key, order_key, headers, body)
                    .await;
            }
            Err(ShopError::Malformed(message)) => return Err(IntakeError::Malformed(message)),
            Err(ShopError::Field { field, message }) => {
                return Err(IntakeError::InvalidField { field, message });
            }
        };
        self.store(
            shop_source(shop_id),
            event.dedupe_key,
            event.order.order_key(),
            headers,
            body,
        )
        .await
    }
}
