//! Shopify: the Admin GraphQL API (tags, fulfilments with tracking, fulfilment events, paid,
//! cancel).

use std::sync::Arc;
use std::time::Duration;

use outbound_http::{Lease, TokenCache, Upstream};
use reqwest::{Method, RequestBuilder};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

use crate::{COMPANY, Milestone, ShopError, ShopUpdate, Subscription, Tags, WantedSubscription};

/// The Admin API version used when none is configured: the stable release of October 2026
/// (Shopify supports each for a year; <https://shopify.dev/docs/api/usage/versioning>).
pub const API_VERSION: &str = "2026-10";

/// How the bridge gets its Admin API token.
#[derive(Debug, Clone)]
pub enum ShopifyAccess {
    /// A lasting token (`shpat_…`) of a custom app created in the shop's admin before 2026.
    Token(SecretString),
    /// A Dev Dashboard app installed on the shop: its client id and secret are exchanged for a
    /// token that lives about 24 hours (the client credentials grant,
    /// `POST /admin/oauth/access_token`), fetched again before it ends and after a 401.
    ClientCredentials {
        /// The app's client id.
        client_id: String,
        /// The app's client secret.
        client_secret: SecretString,
    },
}

#[derive(Debug, Clone)]
enum Access {
    Token(SecretString),
    Granted {
        client_id: String,
        client_secret: SecretString,
        cache: Arc<TokenCache>,
    },
}

/// A Shopify shop.
#[derive(Debug, Clone)]
pub struct Shopify {
    upstream: Upstream,
    path: String,
    access: Access,
    tags: Tags,
}

impl Shopify {
    pub(crate) fn new(
        upstream: Upstream,
        access: ShopifyAccess,
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
            access: match access {
                ShopifyAccess::Token(token) => Access::Token(token),
                ShopifyAccess::ClientCredentials {
                    client_id,
                    client_secret,
                } => Access::Granted {
                    client_id,
                    client_secret,
                    // Shopify says how long each token lives; nothing else bounds it.
                    cache: Arc::new(TokenCache::new(None)),
                },
            },
        }
    }

    /// Sends `build(request)` with the access token; a granted token refused with a 401 is
    /// fetched again once.
    async fn send(
        &self,
        build: impl Fn() -> RequestBuilder,
        what: &str,
    ) -> Result<outbound_http::Answer, ShopError> {
        let call = |token: SecretString| {
            let request = build().header("X-Shopify-Access-Token", token.expose_secret());
            async move { Ok::<_, ShopError>(self.upstream.send(request, what).await?) }
        };
        match &self.access {
            Access::Token(token) => call(token.clone()).await,
            Access::Granted {
                client_id,
                client_secret,
                cache,
            } => {
                cache
                    .authorized(|| self.grant(client_id, client_secret), call)
                    .await
            }
        }
    }

    /// The client credentials grant: `POST /admin/oauth/access_token` with the app's id and
    /// secret as a form; Shopify answers `{access_token, scope, expires_in}` (no refresh token).
    async fn grant(
        &self,
        client_id: &str,
        client_secret: &SecretString,
    ) -> Result<Lease, ShopError> {
        let form = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "client_credentials")
            .append_pair("client_id", client_id)
            .append_pair("client_secret", client_secret.expose_secret())
            .finish();
        let request = self
            .upstream
            .request(Method::POST, "/admin/oauth/access_token")
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(form);
        let answer = self.upstream.send(request, "access token").await?;
        #[derive(serde::Deserialize)]
        struct Granted {
            access_token: String,
            expires_in: Option<u64>,
        }
        let granted: Granted = answer.decode()?;
        Ok(Lease {
            value: SecretString::from(granted.access_token),
            lifetime: granted.expires_in.map(Duration::from_secs),
        })
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
            let answer = self
                .send(|| self.upstream.request(Method::GET, &url), "orders.json")
                .await?;
            let page = answer.json()?;
            orders.extend(page["orders"].as_array().cloned().unwrap_or_default());
            match next_link(&answer.headers) {
                Some(next) => url = next,
                None => break,
            }
        }
        Ok(orders)
    }

    /// The app's webhook subscriptions (`webhookSubscriptions`; an app sees only its own).
    pub(crate) async fn subscriptions(&self) -> Result<Vec<Subscription>, ShopError> {
        let data = self
            .graphql(
                "query webhookSubscriptions($first: Int!) { webhookSubscriptions(first: $first) { nodes { id topic uri } } }",
                json!({ "first": 100 }),
                "webhookSubscriptions",
            )
            .await?;
        Ok(data
            .pointer("/webhookSubscriptions/nodes")
            .and_then(Value::as_array)
            .map(|nodes| nodes.iter().filter_map(subscription).collect())
            .unwrap_or_default())
    }

    /// `webhookSubscriptionCreate` with the `uri` input (API 2025-10 and later), JSON bodies.
    pub(crate) async fn subscribe(
        &self,
        wanted: &WantedSubscription,
    ) -> Result<Subscription, ShopError> {
        let data = self
            .graphql(
                "mutation webhookSubscriptionCreate($topic: WebhookSubscriptionTopic!, $webhookSubscription: WebhookSubscriptionInput!) { webhookSubscriptionCreate(topic: $topic, webhookSubscription: $webhookSubscription) { webhookSubscription { id topic uri } userErrors { field message } } }",
                json!({ "topic": wanted.topic, "webhookSubscription": { "uri": wanted.url, "format": "JSON" } }),
                "webhookSubscriptionCreate",
            )
            .await?;
        made(&data, "webhookSubscriptionCreate")
    }

    /// `webhookSubscriptionUpdate`: the subscription keeps its id and topic, with the new `uri`.
    pub(crate) async fn repoint(
        &self,
        existing: &Subscription,
        wanted: &WantedSubscription,
    ) -> Result<Subscription, ShopError> {
        let data = self
            .graphql(
                "mutation webhookSubscriptionUpdate($id: ID!, $webhookSubscription: WebhookSubscriptionInput!) { webhookSubscriptionUpdate(id: $id, webhookSubscription: $webhookSubscription) { webhookSubscription { id topic uri } userErrors { field message } } }",
                json!({ "id": existing.id, "webhookSubscription": { "uri": wanted.url, "format": "JSON" } }),
                "webhookSubscriptionUpdate",
            )
            .await?;
        made(&data, "webhookSubscriptionUpdate")
    }

    /// A query or mutation; Shopify's `errors` and `userErrors` (sent with a 200) are errors.
    pub(crate) async fn graphql(
        &self,
        query: &str,
        variables: Value,
        operation: &'static str,
    ) -> Result<Value, ShopError> {
        let payload = json!({ "query": query, "variables": variables });
        let body = self
            .send(
                || {
                    self.upstream
                        .request(Method::POST, &self.path)
                        .json(&payload)
                },
                operation,
            )
            .await?
            .json()?;
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

fn subscription(node: &Value) -> Option<Subscription> {
    Some(Subscription {
        id: node.get("id")?.as_str()?.to_owned(),
        topic: node.get("topic")?.as_str()?.to_owned(),
        url: node.get("uri")?.as_str()?.to_owned(),
        active: true,
        name: None,
    })
}

fn made(data: &Value, operation: &'static str) -> Result<Subscription, ShopError> {
    data.pointer(&format!("/{operation}/webhookSubscription"))
        .and_then(subscription)
        .ok_or_else(|| ShopError::GraphQl {
            operation,
            errors: "no webhookSubscription in the answer".to_owned(),
            throttled: false,
        })
}
