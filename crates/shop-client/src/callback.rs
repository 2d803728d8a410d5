//! Any shop: a JSON callback signed like the webhooks it sends.

use outbound_http::Upstream;
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use crate::signature::{SignatureEncoding, sign};
use crate::{ShopError, ShopUpdate};

/// A shop reached through a callback URL.
#[derive(Debug, Clone)]
pub struct Callback {
    upstream: Upstream,
    secret: SecretString,
}

impl Callback {
    pub(crate) fn new(upstream: Upstream, secret: SecretString) -> Self {
        Callback { upstream, secret }
    }

    pub(crate) async fn write(&self, update: &ShopUpdate<'_>) -> Result<String, ShopError> {
        let body = json!({
            "milestone": update.milestone,
            "order_id": update.platform_order_id,
            "order_ref": update.order_ref,
            "tracking_number": update.tracking_number,
            "tracking_url": update.tracking_url,
            "amount_to_collect": update.amount_to_collect.map(|a| a.to_string()),
            "previous_amount_to_collect": update.previous_amount.map(|a| a.to_string()),
            "currency": update.currency,
            "eta": update.delivery_window.map(|(from, to)| format!("{from} - {to}")),
        })
        .to_string();
        let signature = sign(
            self.secret.expose_secret(),
            body.as_bytes(),
            SignatureEncoding::Hex,
        );
        // The base URL is the callback itself.
        let request = self
            .upstream
            .request(Method::POST, "")
            .header("content-type", "application/json")
            .header("X-Signature", signature)
            .body(body);
        self.upstream.send(request, "callback").await?;
        Ok("callback sent".to_owned())
    }
}
