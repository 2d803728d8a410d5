//! Writing milestones back to each platform's admin API: Shopify (GraphQL), WooCommerce (REST
//! v3), YouCan (REST), generic (a signed callback).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use reqwest::{Client, RequestBuilder, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

use super::{Platform, ShopSettings, SignatureEncoding, sign};
use crate::pipeline::ports::{ShopUpdate, ShopWriter, UpstreamError, UpstreamResult};
use crate::workflow::ShopMilestone;

/// The carrier name shown in the shop.
const COMPANY: &str = "ShaQ Express";
/// The Shopify Admin API version used when none is configured.
const SHOPIFY_API_VERSION: &str = "2025-10";

/// The writer for a shop, if its write-back is enabled and complete.
pub fn writer_for(shop: &ShopSettings, http: Client) -> Option<Arc<dyn ShopWriter>> {
    let wb = &shop.write_back;
    if !wb.enabled {
        return None;
    }
    let token = wb.token.clone()?;
    let writer: Arc<dyn ShopWriter> = match shop.platform {
        Platform::Shopify => Arc::new(ShopifyWriter {
            http,
            admin_url: wb.admin_url.clone()?.trim_end_matches('/').to_owned(),
            api_version: wb
                .api_version
                .clone()
                .unwrap_or_else(|| SHOPIFY_API_VERSION.to_owned()),
            token,
        }),
        Platform::Woocommerce => Arc::new(WooWriter {
            http,
            base_url: wb.admin_url.clone()?.trim_end_matches('/').to_owned(),
            consumer_key: wb.consumer_key.clone()?,
            consumer_secret: token,
        }),
        Platform::Youcan => Arc::new(YouCanWriter {
            http,
            base_url: wb
                .admin_url
                .clone()
                .unwrap_or_else(|| "https://api.youcan.shop".to_owned())
                .trim_end_matches('/')
                .to_owned(),
            token,
        }),
        Platform::Generic => Arc::new(CallbackWriter {
            http,
            url: wb.callback_url.clone()?,
            secret: token,
        }),
    };
    Some(writer)
}

/// Sends a request and sorts the answer into success, retryable and permanent failures.
async fn send(request: RequestBuilder, what: &str) -> UpstreamResult<Value> {
    let response = request
        .timeout(Duration::from_secs(30))
        .send()
        .await
        .map_err(|e| UpstreamError::transient(format!("{what}: {}", without_url(&e))))?;
    let status = response.status();
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let text = response.text().await.unwrap_or_default();
    let snippet: String = text.chars().take(300).collect();
    if status.is_success() {
        return Ok(serde_json::from_str(&text).unwrap_or(Value::Null));
    }
    let message = format!("{what}: HTTP {status}: {snippet}");
    Err(match status {
        StatusCode::NOT_FOUND => UpstreamError::NotFound { message },
        StatusCode::TOO_MANY_REQUESTS | StatusCode::REQUEST_TIMEOUT => UpstreamError::Transient {
            message,
            retry_after,
        },
        s if s.is_server_error() => UpstreamError::Transient {
            message,
            retry_after,
        },
        _ => UpstreamError::Rejected { message },
    })
}

/// A reqwest error without the URL (URLs can carry credentials).
fn without_url(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    kind.to_owned()
}

struct ShopifyWriter {
    http: Client,
    admin_url: String,
    api_version: String,
    token: SecretString,
}

impl ShopifyWriter {
    async fn graphql(&self, query: &str, variables: Value, what: &str) -> UpstreamResult<Value> {
        let url = format!(
            "{}/admin/api/{}/graphql.json",
            self.admin_url, self.api_version
        );
        let request = self
            .http
            .post(url)
            .header("X-Shopify-Access-Token", self.token.expose_secret())
            .json(&json!({ "query": query, "variables": variables }));
        let body = send(request, what).await?;
        if let Some(errors) = body.get("errors").filter(|e| !e.is_null()) {
            let throttled = errors.to_string().contains("THROTTLED");
            let message = format!("{what}: {errors}");
            return Err(if throttled {
                UpstreamError::Transient {
                    message,
                    retry_after: Some(Duration::from_secs(2)),
                }
            } else {
                UpstreamError::Rejected { message }
            });
        }
        let data = body.get("data").cloned().unwrap_or(Value::Null);
        let user_errors = data
            .as_object()
            .and_then(|m| m.values().next())
            .and_then(|payload| payload.get("userErrors"))
            .and_then(Value::as_array)
            .filter(|e| !e.is_empty());
        if let Some(user_errors) = user_errors {
            return Err(UpstreamError::Rejected {
                message: format!("{what}: {}", Value::Array(user_errors.clone())),
            });
        }
        Ok(data)
    }

    fn order_gid(update: &ShopUpdate<'_>) -> String {
        format!("gid://shopify/Order/{}", update.order.platform_order_id)
    }

    async fn tags_add(&self, update: &ShopUpdate<'_>, tags: &[&str]) -> UpstreamResult<String> {
        self.graphql(
            "mutation tagsAdd($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) { userErrors { field message } } }",
            json!({ "id": Self::order_gid(update), "tags": tags }),
            "tagsAdd",
        )
        .await?;
        Ok(format!("tags {}", tags.join(", ")))
    }

    async fn fulfill(&self, update: &ShopUpdate<'_>) -> UpstreamResult<String> {
        let tracking = update.order.tracking_number.clone().unwrap_or_default();
        let data = self
            .graphql(
                "query fulfillmentOrders($id: ID!) { order(id: $id) { fulfillmentOrders(first: 10) { nodes { id status } } } }",
                json!({ "id": Self::order_gid(update) }),
                "fulfillmentOrders",
            )
            .await?;
        let open: Vec<Value> = data
            .pointer("/order/fulfillmentOrders/nodes")
            .and_then(Value::as_array)
            .map(|nodes| {
                nodes
                    .iter()
                    .filter(|n| {
                        matches!(
                            n.get("status").and_then(Value::as_str),
                            Some("OPEN" | "IN_PROGRESS" | "SCHEDULED")
                        )
                    })
                    .filter_map(|n| n.get("id").cloned())
                    .map(|id| json!({ "fulfillmentOrderId": id }))
                    .collect()
            })
            .unwrap_or_default();
        if open.is_empty() {
            return Ok("already fulfilled".to_owned());
        }
        self.graphql(
            "mutation fulfillmentCreate($fulfillment: FulfillmentInput!) { fulfillmentCreate(fulfillment: $fulfillment) { fulfillment { id } userErrors { field message } } }",
            json!({ "fulfillment": {
                "lineItemsByFulfillmentOrder": open,
                "notifyCustomer": false,
                "trackingInfo": { "number": tracking, "url": update.tracking_url, "company": COMPANY },
            }}),
            "fulfillmentCreate",
        )
        .await?;
        Ok(format!("fulfilled with tracking {tracking}"))
    }

    async fn event(&self, update: &ShopUpdate<'_>, status: &str) -> UpstreamResult<String> {
        let data = self
            .graphql(
                "query fulfillments($id: ID!) { order(id: $id) { fulfillments(first: 5) { id } } }",
                json!({ "id": Self::order_gid(update) }),
                "fulfillments",
            )
            .await?;
        let Some(fulfillment) = data
            .pointer("/order/fulfillments/0/id")
            .and_then(Value::as_str)
        else {
            return Err(UpstreamError::transient(
                "the Shopify fulfillment does not exist yet",
            ));
        };
        self.graphql(
            "mutation fulfillmentEventCreate($fulfillmentEvent: FulfillmentEventInput!) { fulfillmentEventCreate(fulfillmentEvent: $fulfillmentEvent) { fulfillmentEvent { id } userErrors { field message } } }",
            json!({ "fulfillmentEvent": { "fulfillmentId": fulfillment, "status": status } }),
            "fulfillmentEventCreate",
        )
        .await?;
        Ok(format!("fulfillment event {status}"))
    }
}

#[async_trait]
impl ShopWriter for ShopifyWriter {
    async fn write(&self, update: &ShopUpdate<'_>) -> UpstreamResult<Option<String>> {
        let summary = match update.milestone {
            ShopMilestone::Confirmed => self.tags_add(update, &["COD-Confirmed"]).await?,
            ShopMilestone::PackageCreated => self.fulfill(update).await?,
            ShopMilestone::InTransit => self.event(update, "IN_TRANSIT").await?,
            ShopMilestone::OutForDelivery => self.event(update, "OUT_FOR_DELIVERY").await?,
            ShopMilestone::ReadyForPickup => self.event(update, "READY_FOR_PICKUP").await?,
            ShopMilestone::AttemptedDelivery => self.event(update, "ATTEMPTED_DELIVERY").await?,
            ShopMilestone::Delivered => {
                let mut summary = self.event(update, "DELIVERED").await?;
                if update.cash_on_delivery {
                    self.graphql(
                        "mutation orderMarkAsPaid($input: OrderMarkAsPaidInput!) { orderMarkAsPaid(input: $input) { order { id } userErrors { field message } } }",
                        json!({ "input": { "id": Self::order_gid(update) } }),
                        "orderMarkAsPaid",
                    )
                    .await?;
                    summary.push_str(", marked paid");
                }
                summary
            }
            ShopMilestone::SuspectedScam => self.tags_add(update, &["ShaQ-Suspected-Scam"]).await?,
            ShopMilestone::Returning => {
                self.event(update, "FAILURE").await?;
                self.tags_add(update, &["ShaQ-Returning"]).await?
            }
            ShopMilestone::Returned => self.tags_add(update, &["ShaQ-Returned"]).await?,
            ShopMilestone::Cancelled => {
                self.graphql(
                    "mutation orderCancel($orderId: ID!, $reason: OrderCancelReason!, $refund: Boolean!, $restock: Boolean!) { orderCancel(orderId: $orderId, reason: $reason, refund: $refund, restock: $restock, notifyCustomer: false) { job { id } orderCancelUserErrors { field message } userErrors { field message } } }",
                    json!({ "orderId": Self::order_gid(update), "reason": "CUSTOMER", "refund": false, "restock": true }),
                    "orderCancel",
                )
                .await?;
                "cancelled".to_owned()
            }
        };
        Ok(Some(summary))
    }
}

struct WooWriter {
    http: Client,
    base_url: String,
    consumer_key: String,
    consumer_secret: SecretString,
}

impl WooWriter {
    fn order_url(&self, update: &ShopUpdate<'_>, suffix: &str) -> String {
        format!(
            "{}/wp-json/wc/v3/orders/{}{suffix}",
            self.base_url, update.order.platform_order_id
        )
    }

    async fn put(&self, update: &ShopUpdate<'_>, body: Value, what: &str) -> UpstreamResult<()> {
        let request = self
            .http
            .put(self.order_url(update, ""))
            .basic_auth(
                &self.consumer_key,
                Some(self.consumer_secret.expose_secret()),
            )
            .json(&body);
        send(request, what).await.map(drop)
    }

    async fn note(
        &self,
        update: &ShopUpdate<'_>,
        note: &str,
        customer: bool,
    ) -> UpstreamResult<()> {
        let request = self
            .http
            .post(self.order_url(update, "/notes"))
            .basic_auth(
                &self.consumer_key,
                Some(self.consumer_secret.expose_secret()),
            )
            .json(&json!({ "note": note, "customer_note": customer }));
        send(request, "order note").await.map(drop)
    }
}

#[async_trait]
impl ShopWriter for WooWriter {
    async fn write(&self, update: &ShopUpdate<'_>) -> UpstreamResult<Option<String>> {
        let tracking = update.order.tracking_number.clone().unwrap_or_default();
        let summary = match update.milestone {
            ShopMilestone::Confirmed => {
                self.note(update, "Confirmed by the customer on WhatsApp.", false)
                    .await?;
                "note: confirmed"
            }
            ShopMilestone::PackageCreated => {
                let mut meta = vec![json!({ "key": "shaq_tracking_number", "value": tracking })];
                if let Some(url) = &update.tracking_url {
                    meta.push(json!({ "key": "shaq_tracking_url", "value": url }));
                }
                self.put(update, json!({ "meta_data": meta }), "tracking meta")
                    .await?;
                let link = update.tracking_url.clone().unwrap_or_default();
                self.note(
                    update,
                    &format!("Shipped with {COMPANY}, tracking number {tracking}. {link}"),
                    true,
                )
                .await?;
                "tracking meta and customer note"
            }
            ShopMilestone::Delivered => {
                self.put(update, json!({ "status": "completed" }), "status completed")
                    .await?;
                "status completed"
            }
            ShopMilestone::Cancelled => {
                self.put(update, json!({ "status": "cancelled" }), "status cancelled")
                    .await?;
                "status cancelled"
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
        Ok(Some(summary.to_owned()))
    }
}

struct YouCanWriter {
    http: Client,
    base_url: String,
    token: SecretString,
}

#[async_trait]
impl ShopWriter for YouCanWriter {
    async fn write(&self, update: &ShopUpdate<'_>) -> UpstreamResult<Option<String>> {
        let id = &update.order.platform_order_id;
        let (path, body, summary) = match update.milestone {
            ShopMilestone::PackageCreated => (
                format!("/orders/{id}/fulfill"),
                json!({ "tracking_number": update.order.tracking_number, "seller_note": format!("{COMPANY}") }),
                "fulfilled",
            ),
            ShopMilestone::Delivered if update.cash_on_delivery => {
                (format!("/orders/{id}/pay"), json!({}), "marked paid")
            }
            ShopMilestone::Cancelled => (
                format!("/orders/{id}/close"),
                json!({ "cancel_order": true }),
                "closed and cancelled",
            ),
            _ => return Ok(None),
        };
        let request = self
            .http
            .put(format!("{}{path}", self.base_url))
            .bearer_auth(self.token.expose_secret())
            .json(&body);
        match send(request, summary).await {
            Ok(_) => Ok(Some(summary.to_owned())),
            // YouCan answers 422 ORDER-ALREADY-FULFILLED / already paid on a repeat: done.
            Err(UpstreamError::Rejected { message }) if message.contains("ALREADY") => {
                Ok(Some(format!("{summary} (already)")))
            }
            Err(error) => Err(error),
        }
    }
}

struct CallbackWriter {
    http: Client,
    url: String,
    secret: SecretString,
}

#[async_trait]
impl ShopWriter for CallbackWriter {
    async fn write(&self, update: &ShopUpdate<'_>) -> UpstreamResult<Option<String>> {
        let body = json!({
            "milestone": update.milestone,
            "order_id": update.order.platform_order_id,
            "order_ref": update.order.order_ref,
            "tracking_number": update.order.tracking_number,
            "tracking_url": update.tracking_url,
            "amount_to_collect": update.order.amount_to_collect,
            "currency": update.order.currency,
        })
        .to_string();
        let signature = sign(
            self.secret.expose_secret(),
            body.as_bytes(),
            SignatureEncoding::Hex,
        );
        let request = self
            .http
            .post(&self.url)
            .header("content-type", "application/json")
            .header("X-Signature", signature)
            .body(body);
        send(request, "callback").await?;
        Ok(Some("callback sent".to_owned()))
    }
}
