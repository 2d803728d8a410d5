//! YouCan: fulfil, mark paid, close.

use outbound_http::{HttpError, Upstream};
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use crate::{COMPANY, Milestone, ShopError, ShopUpdate};

/// A YouCan shop.
#[derive(Debug, Clone)]
pub struct YouCan {
    upstream: Upstream,
    token: SecretString,
}

impl YouCan {
    pub(crate) fn new(upstream: Upstream, token: SecretString) -> Self {
        YouCan { upstream, token }
    }

    pub(crate) async fn write(&self, update: &ShopUpdate<'_>) -> Result<Option<String>, ShopError> {
        let id = update.platform_order_id;
        let (path, body, summary) = match update.milestone {
            Milestone::PackageCreated => (
                format!("/orders/{id}/fulfill"),
                json!({ "tracking_number": update.tracking_number, "seller_note": COMPANY }),
                "fulfilled",
            ),
            Milestone::Delivered if update.cash_on_delivery => {
                (format!("/orders/{id}/pay"), json!({}), "marked paid")
            }
            Milestone::Cancelled => (
                format!("/orders/{id}/close"),
                json!({ "cancel_order": true }),
                "closed and cancelled",
            ),
            _ => return Ok(None),
        };
        let request = self
            .upstream
            .request(Method::PUT, &path)
            .bearer_auth(self.token.expose_secret())
            .json(&body);
        match self.upstream.send(request, summary).await {
            Ok(_) => Ok(Some(summary.to_owned())),
            // YouCan answers 422 ORDER-ALREADY-FULFILLED / already paid on a repeat: done.
            Err(error @ (HttpError::Validation { .. } | HttpError::Rejected { .. }))
                if error.to_string().contains("ALREADY") =>
            {
                Ok(Some(format!("{summary} (already)")))
            }
            Err(error) => Err(error.into()),
        }
    }
}
