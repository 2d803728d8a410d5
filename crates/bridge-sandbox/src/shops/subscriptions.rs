//! The shops' webhook subscription APIs and a Dev Dashboard app's token grant, as the
//! platforms document them: Shopify's client credentials grant (tokens that expire) and GraphQL
//! `webhookSubscriptions`, WooCommerce's `/wp-json/wc/v3/webhooks`, YouCan's `/resthooks`. An
//! order placed at the simulator is delivered to the subscriptions made here.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use serde::Serialize;
use serde_json::{Value, json};

use super::{ShopSim, unauthorized, woo_authorized};

/// A webhook subscription a shop holds.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SimSubscription {
    /// `shopify`, `woocommerce` or `youcan`.
    pub platform: String,
    /// Its id (Shopify's is a `gid://`).
    pub id: String,
    /// The topic as the platform spells it.
    pub topic: String,
    /// Where deliveries go.
    pub url: String,
    /// WooCommerce: `active`, `paused` or `disabled`; the others are always active.
    pub status: String,
    /// WooCommerce: its name.
    pub name: String,
    /// WooCommerce: the secret it signs with.
    #[serde(skip)]
    pub secret: Option<String>,
}

/// The client id and secret of the sandbox's Shopify Dev Dashboard app.
pub const SHOPIFY_CLIENT_ID: &str = "sandbox-dev-dashboard-app";
/// Its client secret (which also signs the app's webhooks).
pub const SHOPIFY_CLIENT_SECRET: &str = "shpss_sandbox-client-secret";
/// The OAuth client secret that signs the YouCan store's REST hooks.
pub const YOUCAN_CLIENT_SECRET: &str = "sandbox-youcan-client-secret";

impl ShopSim {
    /// How long the tokens the Shopify grant hands out live (Shopify: 86,399 seconds).
    pub fn set_token_lifetime(&self, lifetime: Duration) {
        self.lock().token_lifetime = Some(lifetime);
    }

    /// How many tokens the Shopify grant handed out.
    pub fn grants(&self) -> usize {
        self.lock().granted.len()
    }

    /// Every webhook subscription the shops hold.
    pub fn subscriptions(&self) -> Vec<SimSubscription> {
        self.lock().subscriptions.clone()
    }

    /// Adds a subscription as if someone had made it in the shop's admin (a stale or foreign
    /// one, for tests).
    pub fn add_subscription(&self, subscription: SimSubscription) {
        self.lock().subscriptions.push(subscription);
    }

    /// Whether the Shopify headers carry the legacy token or a granted one still alive.
    pub(super) fn shopify_authorized(&self, headers: &HeaderMap) -> bool {
        let Some(token) = headers
            .get("x-shopify-access-token")
            .and_then(|v| v.to_str().ok())
        else {
            return false;
        };
        if token == self.shopify_token {
            return true;
        }
        let now = Instant::now();
        self.lock()
            .granted
            .iter()
            .any(|(granted, until)| granted == token && now < *until)
    }

    fn next_id(&self) -> u64 {
        let mut data = self.lock();
        data.next_subscription += 1;
        data.next_subscription
    }

    /// Active subscriptions of `platform` to `topic`.
    pub(super) fn deliveries(&self, platform: &str, topic: &str) -> Vec<SimSubscription> {
        self.lock()
            .subscriptions
            .iter()
            .filter(|s| s.platform == platform && s.topic == topic && s.status == "active")
            .cloned()
            .collect()
    }
}

/// `POST /admin/oauth/access_token` (form): the client credentials grant.
pub(super) async fn shopify_grant(
    State(sim): State<ShopSim>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    if field("grant_type") != "client_credentials" {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": "unsupported_grant_type" })),
        )
            .into_response();
    }
    if field("client_id") != SHOPIFY_CLIENT_ID || field("client_secret") != SHOPIFY_CLIENT_SECRET {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": "invalid_client", "error_description": "Client credentials are invalid" })),
        )
            .into_response();
    }
    let mut data = sim.lock();
    let lifetime = data.token_lifetime.unwrap_or(Duration::from_secs(86_399));
    let token = format!("shpca_granted_{}", data.granted.len() + 1);
    data.granted
        .push((token.clone(), Instant::now() + lifetime));
    Json(json!({
        "access_token": token,
        "scope": "read_orders,write_orders,write_merchant_managed_fulfillment_orders",
        "expires_in": lifetime.as_secs(),
    }))
    .into_response()
}

fn shopify_node(s: &SimSubscription) -> Value {
    json!({ "id": s.id, "topic": s.topic, "uri": s.url })
}

/// The GraphQL webhook operations; `None` when `operation` is not one of them.
pub(super) fn shopify_webhook_operation(
    sim: &ShopSim,
    operation: &str,
    variables: &Value,
) -> Option<Value> {
    let uri = variables
        .pointer("/webhookSubscription/uri")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    Some(match operation {
        "webhookSubscriptions" => {
            let nodes: Vec<Value> = sim
                .subscriptions()
                .iter()
                .filter(|s| s.platform == "shopify")
                .map(shopify_node)
                .collect();
            json!({ "webhookSubscriptions": { "nodes": nodes } })
        }
        "webhookSubscriptionCreate" => {
            let topic = variables["topic"].as_str().unwrap_or_default().to_owned();
            let duplicate = sim
                .subscriptions()
                .iter()
                .any(|s| s.platform == "shopify" && s.topic == topic && s.url == uri);
            if duplicate || !uri.starts_with("http") {
                let message = if duplicate {
                    "Address for this topic has already been taken"
                } else {
                    "Address is invalid"
                };
                return Some(json!({ operation: { "webhookSubscription": null,
                    "userErrors": [{ "field": ["webhookSubscription", "callbackUrl"], "message": message }] } }));
            }
            let subscription = SimSubscription {
                platform: "shopify".to_owned(),
                id: format!("gid://shopify/WebhookSubscription/{}", sim.next_id()),
                topic,
                url: uri,
                status: "active".to_owned(),
                name: String::new(),
                secret: None,
            };
            sim.add_subscription(subscription.clone());
            json!({ operation: { "webhookSubscription": shopify_node(&subscription), "userErrors": [] } })
        }
        "webhookSubscriptionUpdate" => {
            let id = variables["id"].as_str().unwrap_or_default();
            let mut data = sim.lock();
            let Some(found) = data.subscriptions.iter_mut().find(|s| s.id == id) else {
                return Some(json!({ operation: { "webhookSubscription": null,
                    "userErrors": [{ "field": ["id"], "message": "Webhook subscription does not exist" }] } }));
            };
            found.url = uri;
            json!({ operation: { "webhookSubscription": shopify_node(found), "userErrors": [] } })
        }
        _ => return None,
    })
}

fn woo_hook(s: &SimSubscription) -> Value {
    json!({
        "id": s.id.parse::<u64>().unwrap_or_default(), "name": s.name, "status": s.status,
        "topic": s.topic, "resource": "order", "event": s.topic.split('.').nth(1),
        "delivery_url": s.url, "api_version": "wp_api_v3",
    })
}

/// `GET /wp-json/wc/v3/webhooks` (the secret is never listed).
pub(super) async fn woo_list(State(sim): State<ShopSim>, headers: HeaderMap) -> Response {
    if !woo_authorized(&sim, &headers) {
        return unauthorized();
    }
    let hooks: Vec<Value> = sim
        .subscriptions()
        .iter()
        .filter(|s| s.platform == "woocommerce")
        .map(woo_hook)
        .collect();
    Json(hooks).into_response()
}

#[derive(Debug, serde::Deserialize)]
pub(super) struct WooHookInput {
    name: Option<String>,
    topic: Option<String>,
    delivery_url: Option<String>,
    secret: Option<String>,
    status: Option<String>,
}

fn woo_invalid(param: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({ "code": "rest_invalid_param", "message": format!("Invalid parameter(s): {param}"),
            "data": { "status": 400, "params": { param: "invalid" } } })),
    )
        .into_response()
}

/// `POST /wp-json/wc/v3/webhooks`.
pub(super) async fn woo_create(
    State(sim): State<ShopSim>,
    headers: HeaderMap,
    Json(input): Json<WooHookInput>,
) -> Response {
    if !woo_authorized(&sim, &headers) {
        return unauthorized();
    }
    let (Some(topic), Some(url)) = (input.topic, input.delivery_url) else {
        return woo_invalid("topic, delivery_url");
    };
    if ![
        "order.created",
        "order.updated",
        "order.deleted",
        "order.restored",
    ]
    .contains(&topic.as_str())
    {
        return woo_invalid("topic");
    }
    let subscription = SimSubscription {
        platform: "woocommerce".to_owned(),
        id: sim.next_id().to_string(),
        topic,
        url,
        status: input.status.unwrap_or_else(|| "active".to_owned()),
        name: input.name.unwrap_or_default(),
        secret: input.secret,
    };
    sim.add_subscription(subscription.clone());
    (StatusCode::CREATED, Json(woo_hook(&subscription))).into_response()
}

/// `PUT /wp-json/wc/v3/webhooks/{id}`.
pub(super) async fn woo_edit(
    State(sim): State<ShopSim>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(input): Json<WooHookInput>,
) -> Response {
    if !woo_authorized(&sim, &headers) {
        return unauthorized();
    }
    let mut data = sim.lock();
    let Some(found) = data
        .subscriptions
        .iter_mut()
        .find(|s| s.platform == "woocommerce" && s.id == id)
    else {
        return (
            StatusCode::NOT_FOUND,
            Json(
                json!({ "code": "woocommerce_rest_webhook_invalid_id", "message": "Invalid ID." }),
            ),
        )
            .into_response();
    };
    if let Some(url) = input.delivery_url {
        found.url = url;
    }
    if let Some(status) = input.status {
        found.status = status;
    }
    if let Some(name) = input.name {
        found.name = name;
    }
    if input.secret.is_some() {
        found.secret = input.secret;
    }
    Json(woo_hook(found)).into_response()
}

fn youcan_authorized(headers: &HeaderMap) -> bool {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bearer ") && v.len() > "Bearer ".len())
}

fn youcan_unauthenticated() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        Json(json!({ "status": 401, "detail": "Unauthenticated", "meta": [] })),
    )
        .into_response()
}

/// `GET /resthooks/list`.
pub(super) async fn youcan_list(State(sim): State<ShopSim>, headers: HeaderMap) -> Response {
    if !youcan_authorized(&headers) {
        return youcan_unauthenticated();
    }
    let hooks: Vec<Value> = sim
        .subscriptions()
        .iter()
        .filter(|s| s.platform == "youcan")
        .map(|s| json!({ "id": s.id, "event": s.topic, "target_url": s.url }))
        .collect();
    Json(hooks).into_response()
}

/// `POST /resthooks/subscribe {event, target_url}`.
pub(super) async fn youcan_subscribe(
    State(sim): State<ShopSim>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if !youcan_authorized(&headers) {
        return youcan_unauthenticated();
    }
    let (Some(event), Some(url)) = (body["event"].as_str(), body["target_url"].as_str()) else {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(
                json!({ "status": 422, "detail": "event and target_url are required", "meta": [] }),
            ),
        )
            .into_response();
    };
    let id = uuid::Uuid::new_v4().to_string();
    sim.add_subscription(SimSubscription {
        platform: "youcan".to_owned(),
        id: id.clone(),
        topic: event.to_owned(),
        url: url.to_owned(),
        status: "active".to_owned(),
        name: String::new(),
        secret: None,
    });
    Json(json!({ "id": id })).into_response()
}

/// `POST /resthooks/unsubscribe/{id}`.
pub(super) async fn youcan_unsubscribe(
    State(sim): State<ShopSim>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if !youcan_authorized(&headers) {
        return youcan_unauthenticated();
    }
    let mut data = sim.lock();
    let before = data.subscriptions.len();
    data.subscriptions
        .retain(|s| !(s.platform == "youcan" && s.id == id));
    if data.subscriptions.len() == before {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({ "status": 404, "detail": "Subscription not found", "meta": [] })),
        )
            .into_response();
    }
    Json(json!({ "message": "unsubscribed from event succeed", "type": "success" })).into_response()
}
