//! Shopify: the Admin GraphQL API (tags, fulfilments with tracking, fulfilment events, paid,
//! cancel).

use outbound_http::Upstream;
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

use crate::{COMPANY, Milestone, ShopError, ShopUpdate, Tags};

/// The Admin API version used when none is configured.
const API_VERSION: &str = "2025-10";

/// A Shopify shop.
#[derive(Debug, Clone)]
pub struct Shopify {
    upstream: Upstream,
    path: String,
    token: SecretString,
    tags: Tags,
}

impl Shopify {
    pub(crate) fn new(
        upstream: Upstream,
        token: SecretString,
        api_version: Option<&str>,
        tags: Tags,
    ) -> Self {
        Shopify {
            tags,
            upstream,
            path: format!(
                "/admin/api/{}/graphql.json",
                api_version.unwrap_or(API_VERSION)
            ),
            token,
        }
    }

    pub(crate) async fn write(&self, update: &ShopUpdate<'_>) -> Result<String, ShopError> {
        Ok(match update.milestone {
            Milestone::Confirmed => self.tags_add(update, &[&self.tags.confirmed]).await?,
            Milestone::PackageCreated => self.fulfill(update).await?,
            Milestone::InTransit => self.event(update, "IN_TRANSIT").await?,
            Milestone::OutForDelivery => self.event(update, "OUT_FOR_DELIVERY").await?,
            Milestone::ReadyForPickup => self.event(update, "READY_FOR_PICKUP").await?,
            Milestone::AttemptedDelivery => self.event(update, "ATTEMPTED_DELIVERY").await?,
            Milestone::Delivered => {
                let mut summary = self.event(update, "DELIVERED").await?;
                if update.cash_on_delivery {
                    self.graphql(
                        "mutation orderMarkAsPaid($input: OrderMarkAsPaidInput!) { orderMarkAsPaid(input: $input) { order { id } userErrors { field message } } }",
                        json!({ "input": { "id": order_gid(update) } }),
                        "orderMarkAsPaid",
                    )
                    .await?;
                    summary.push_str(", marked paid");
                }
                summary
            }
            Milestone::SuspectedScam => self.tags_add(update, &[&self.tags.suspected_scam]).await?,
            Milestone::Returning => {
                self.event(update, "FAILURE").await?;
                self.tags_add(update, &[&self.tags.returning]).await?
            }
            Milestone::Returned => self.tags_add(update, &[&self.tags.returned]).await?,
            Milestone::AfterSaleBooked => {
                self.tags_add(update, &[&self.tags.after_sale_booked])
                    .await?
            }
            Milestone::ReturnReceived => {
                self.tags_add(update, &[&self.tags.return_received]).await?
            }
            // Shopify has no order comment the API can write: a tag says it, the amounts are
            // on the bridge's timeline.
            Milestone::AmountChanged => self.tags_add(update, &[&self.tags.amount_changed]).await?,
            Milestone::TrackingLink => self.tracking_link(update).await?,
            Milestone::Cancelled => {
                self.graphql(
                    "mutation orderCancel($orderId: ID!, $reason: OrderCancelReason!, $refund: Boolean!, $restock: Boolean!) { orderCancel(orderId: $orderId, reason: $reason, refund: $refund, restock: $restock, notifyCustomer: false) { job { id } orderCancelUserErrors { field message } userErrors { field message } } }",
                    json!({ "orderId": order_gid(update), "reason": "CUSTOMER", "refund": false, "restock": true }),
                    "orderCancel",
                )
                .await?;
                "cancelled".to_owned()
            }
        })
    }

    /// `GET /admin/api/{version}/orders.json?status=any&updated_at_min=…`, following the `Link`
    /// header's `rel="next"` pages.
    pub(crate) async fn recent_orders(
        &self,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<Value>, ShopError> {
        let mut url = format!(
            "{}?status=any&limit=250&updated_at_min={}",
            self.path.replace("graphql.json", "orders.json"),
            since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        );
        let mut orders = Vec::new();
        for _ in 0..crate::MAX_PAGES {
            let request = self
                .upstream
                .request(Method::GET, &url)
                .header("X-Shopify-Access-Token", self.token.expose_secret());
            let answer = self.upstream.send(request, "orders.json").await?;
            let page = answer.json()?;
            orders.extend(page["orders"].as_array().cloned().unwrap_or_default());
            match next_link(&answer.headers) {
                Some(next) => url = next,
                None => break,
            }
        }
        Ok(orders)
    }

    /// A query or mutation; Shopify's `errors` and `userErrors` (sent with a 200) are errors.
    async fn graphql(
        &self,
        query: &str,
        variables: Value,
        operation: &'static str,
    ) -> Result<Value, ShopError> {
        let request = self
            .upstream
            .request(Method::POST, &self.path)
            .header("X-Shopify-Access-Token", self.token.expose_secret())
            .json(&json!({ "query": query, "variables": variables }));
        let body = self.upstream.send(request, operation).await?.json()?;
        if let Some(errors) = body.get("errors").filter(|e| !e.is_null()) {
            return Err(ShopError::GraphQl {
                operation,
                errors: errors.to_string(),
                throttled: errors.to_string().contains("THROTTLED"),
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
            return Err(ShopError::GraphQl {
                operation,
                errors: Value::Array(user_errors.clone()).to_string(),
                throttled: false,
            });
        }
        Ok(data)
    }

    async fn tags_add(&self, update: &ShopUpdate<'_>, tags: &[&str]) -> Result<String, ShopError> {
        self.graphql(
            "mutation tagsAdd($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) { userErrors { field message } } }",
            json!({ "id": order_gid(update), "tags": tags }),
            "tagsAdd",
        )
        .await?;
        Ok(format!("tags {}", tags.join(", ")))
    }

    async fn fulfill(&self, update: &ShopUpdate<'_>) -> Result<String, ShopError> {
        let tracking = update.tracking_number.unwrap_or_default();
        let data = self
            .graphql(
                "query fulfillmentOrders($id: ID!) { order(id: $id) { fulfillmentOrders(first: 10) { nodes { id status } } } }",
                json!({ "id": order_gid(update) }),
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

    /// The fulfilment's tracking link set to ShaQ's own page (`fulfillmentTrackingInfoUpdate`;
    /// the customer is not e-mailed again).
    async fn tracking_link(&self, update: &ShopUpdate<'_>) -> Result<String, ShopError> {
        let fulfillment = self.first_fulfillment(update).await?;
        self.graphql(
            "mutation fulfillmentTrackingInfoUpdate($fulfillmentId: ID!, $trackingInfoInput: FulfillmentTrackingInput!) { fulfillmentTrackingInfoUpdate(fulfillmentId: $fulfillmentId, trackingInfoInput: $trackingInfoInput, notifyCustomer: false) { fulfillment { id } userErrors { field message } } }",
            json!({
                "fulfillmentId": fulfillment,
                "trackingInfoInput": {
                    "company": COMPANY,
                    "number": update.tracking_number,
                    "url": update.tracking_url,
                },
            }),
            "fulfillmentTrackingInfoUpdate",
        )
        .await?;
        Ok("tracking link updated".to_owned())
    }

    /// The order's first fulfilment (the bridge makes one per order).
    async fn first_fulfillment(&self, update: &ShopUpdate<'_>) -> Result<String, ShopError> {
        let data = self
            .graphql(
                "query fulfillments($id: ID!) { order(id: $id) { fulfillments(first: 5) { id } } }",
                json!({ "id": order_gid(update) }),
                "fulfillments",
            )
            .await?;
        data.pointer("/order/fulfillments/0/id")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| {
                ShopError::NotYet("the Shopify fulfillment does not exist yet".to_owned())
            })
    }

    async fn event(&self, update: &ShopUpdate<'_>, status: &str) -> Result<String, ShopError> {
        let fulfillment = self.first_fulfillment(update).await?;
        self.graphql(
            "mutation fulfillmentEventCreate($fulfillmentEvent: FulfillmentEventInput!) { fulfillmentEventCreate(fulfillmentEvent: $fulfillmentEvent) { fulfillmentEvent { id } userErrors { field message } } }",
            json!({ "fulfillmentEvent": event_input(&fulfillment, status, update) }),
            "fulfillmentEventCreate",
        )
        .await?;
        Ok(format!("fulfillment event {status}"))
    }
}

/// A fulfilment event: its status, and ShaQ's latest delivery day as Shopify's estimate (end of
/// that day, UTC) while the parcel is on its way.
fn event_input(fulfillment: &str, status: &str, update: &ShopUpdate<'_>) -> Value {
    let mut input = json!({ "fulfillmentId": fulfillment, "status": status });
    if let Some((_, latest)) = update.delivery_window
        && matches!(
            status,
            "IN_TRANSIT" | "OUT_FOR_DELIVERY" | "ATTEMPTED_DELIVERY"
        )
        && let Some(end_of_day) = latest.and_hms_opt(23, 59, 59)
    {
        input["estimatedDeliveryAt"] = json!(end_of_day.and_utc().to_rfc3339());
    }
    input
}

/// The `rel="next"` URL of a `Link` header (Shopify's cursor pagination).
fn next_link(headers: &reqwest::header::HeaderMap) -> Option<String> {
    let link = headers.get(reqwest::header::LINK)?.to_str().ok()?;
    link.split(',').find_map(|part| {
        let (url, rel) = part.split_once(';')?;
        rel.contains("rel=\"next\"").then(|| {
            url.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_owned()
        })
    })
}

fn order_gid(update: &ShopUpdate<'_>) -> String {
    format!("gid://shopify/Order/{}", update.platform_order_id)
}
