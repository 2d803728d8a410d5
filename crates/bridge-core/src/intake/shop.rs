//! Shop webhooks at intake: signature on the raw bytes, then just enough parsing to key them.

use http::HeaderMap;

use super::{Admit, IntakeError, IntakeOutcome, WebhookIntake, shop_source};
use crate::domain::{OrderKey, PlatformOrderId, ShopId};
use crate::shop::{self, ShopError, ShopWebhook};

impl WebhookIntake {
    /// Verifies, keys and stores a shop webhook. Unknown shop → 404; bad signature → 401;
    /// WooCommerce's ping → 200 with nothing stored.
    pub async fn accept_shop_webhook(
        &self,
        shop_id: &ShopId,
        headers: &HeaderMap,
        body: &[u8],
        admit: Admit<'_>,
    ) -> Result<IntakeOutcome, IntakeError> {
        let shop = self
            .shops
            .get(shop_id)
            .ok_or_else(|| IntakeError::UnknownShop(shop_id.to_string()))?;
        shop::verify(shop, headers, body).map_err(IntakeError::Unauthorized)?;
        admit()?;
        let event = match shop::parse(shop, headers, body) {
            Ok(ShopWebhook::Ping) => return Ok(IntakeOutcome::Ignored("ping".to_owned())),
            Ok(ShopWebhook::Ignored(reason)) => return Ok(IntakeOutcome::Ignored(reason)),
            Ok(ShopWebhook::Order(event)) => event,
            Ok(ShopWebhook::Deleted {
                platform_order_id,
                dedupe_key,
            }) => {
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
