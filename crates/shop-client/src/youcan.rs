//! YouCan: the confirmation as an order status, fulfil, mark paid, close. YouCan's API has no
//! call to add a note or a tag to an existing order, so the other milestones show nothing there
//! (developer.youcan.shop, store-admin/orders, read 2026-12-07).

use outbound_http::{HttpError, Upstream};
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use crate::{COMPANY, Milestone, ShopError, ShopUpdate, Subscription, WantedSubscription};

/// A YouCan shop.
#[derive(Debug, Clone)]
pub struct YouCan {
    upstream: Upstream,
    token: SecretString,
    confirmed_status: Option<String>,
}

impl YouCan {
    pub(crate) fn new(
        upstream: Upstream,
        token: SecretString,
        confirmed_status: Option<String>,
    ) -> Self {
        YouCan {
            upstream,
            token,
            confirmed_status,
        }
    }

    /// `GET /resthooks/list`: the store's REST hooks (every app's).
    pub(crate) async fn subscriptions(&self) -> Result<Vec<Subscription>, ShopError> {
        let request = self
            .upstream
            .request(Method::GET, "/resthooks/list")
            .bearer_auth(self.token.expose_secret());
        let list = self.upstream.send(request, "resthooks").await?.json()?;
        Ok(list
            .as_array()
            .map(|hooks| {
                hooks
                    .iter()
                    .filter_map(|hook| {
                        Some(Subscription {
                            id: hook.get("id")?.as_str()?.to_owned(),
                            topic: hook.get("event")?.as_str()?.to_owned(),
                            url: hook.get("target_url")?.as_str()?.to_owned(),
                            active: true,
                            name: None,
                        })
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    /// `POST /resthooks/subscribe {event, target_url}`; YouCan answers the new id.
    pub(crate) async fn subscribe(
        &self,
        wanted: &WantedSubscription,
    ) -> Result<Subscription, ShopError> {
        let request = self
            .upstream
            .request(Method::POST, "/resthooks/subscribe")
            .bearer_auth(self.token.expose_secret())
            .json(&json!({ "event": wanted.topic, "target_url": wanted.url }));
        let answer = self.upstream.send(request, "resthooks subscribe").await?;
        let id = answer
            .json()?
            .get("id")
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| ShopError::Http(answer.decode_error("no subscription id")))?;
        Ok(Subscription {
            id,
            topic: wanted.topic.clone(),
            url: wanted.url.clone(),
            active: true,
            name: None,
        })
    }

    /// `POST /resthooks/unsubscribe/{id}`.
    pub(crate) async fn unsubscribe(&self, existing: &Subscription) -> Result<(), ShopError> {
        let request = self
            .upstream
            .request(
                Method::POST,
                &format!("/resthooks/unsubscribe/{}", existing.id),
            )
            .bearer_auth(self.token.expose_secret());
        self.upstream.send(request, "resthooks unsubscribe").await?;
        Ok(())
    }

    /// `GET /orders?…`, page by page (`meta.pagination.total_pages`), filtered to those
    /// changed since `since` (YouCan documents no date filter: its newest pages are read).
    pub(crate) async fn recent_orders(
        &self,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<serde_json::Value>, ShopError> {
        let mut orders = Vec::new();
        for page in 1..=crate::MAX_PAGES {
            let request = self
                .upstream
                .request(
                    Method::GET,
                    &format!("/orders?page={page}&limit=50&sort_field=updated_at&sort_order=desc"),
                )
                .bearer_auth(self.token.expose_secret());
            let body = self.upstream.send(request, "orders").await?.json()?;
            let list = body["data"].as_array().cloned().unwrap_or_default();
            let before = orders.len();
            orders.extend(list.into_iter().filter(|order| changed_since(order, since)));
            let pages = body
                .pointer("/meta/pagination/total_pages")
                .and_then(serde_json::Value::as_u64)
                .unwrap_or(1);
            // Newest first: a page with nothing recent ends the catch-up.
            if page as u64 >= pages || orders.len() == before {
                break;
            }
        }
        Ok(orders)
    }

    pub(crate) async fn write(&self, update: &ShopUpdate<'_>) -> Result<Option<String>, ShopError> {
        let id = update.platform_order_id;
        let (path, body, summary) = match update.milestone {
            // `PUT /orders/{id}/status` sets the order's confirmation status; an unknown slug
            // becomes a label of its own, so a merchant may name theirs.
            Milestone::Confirmed => match &self.confirmed_status {
                Some(status) => (
                    format!("/orders/{id}/status"),
                    json!({ "status": status }),
                    "status set for the confirmation",
                ),
                None => return Ok(None),
            },
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

/// Whether a YouCan order (`updated_at` or `created_at`, `YYYY-MM-DD HH:MM:SS` UTC) changed at
/// or after `since`; an order without a readable time is kept (intake dedupes it).
fn changed_since(order: &serde_json::Value, since: chrono::DateTime<chrono::Utc>) -> bool {
    let time = order["updated_at"]
        .as_str()
        .or_else(|| order["created_at"].as_str())
        .and_then(|t| chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S").ok());
    time.is_none_or(|t| t.and_utc() >= since)
}
