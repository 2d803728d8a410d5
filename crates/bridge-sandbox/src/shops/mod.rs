//! Shop simulators: senders that post signed order webhooks like Shopify, WooCommerce, YouCan
//! and a generic shop do; realistic generated orders; and receivers for the write-back APIs that
//! record what the bridge told the shop.

mod orders;
mod senders;
mod subscriptions;

use std::sync::{Arc, Mutex};

use axum::extract::Query;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use base64::Engine;
use serde::Serialize;
use serde_json::{Value, json};

use crate::recording::Recorder;

pub use orders::*;
pub use senders::*;
pub use subscriptions::{
    SHOPIFY_CLIENT_ID, SHOPIFY_CLIENT_SECRET, SimSubscription, YOUCAN_CLIENT_SECRET,
};

/// Something the bridge wrote back to a shop.
#[derive(Debug, Clone, Serialize)]
pub struct WriteBackRecord {
    /// `shopify`, `woocommerce`, `youcan`, `generic`.
    pub platform: String,
    /// The operation (GraphQL mutation name, or method + path).
    pub operation: String,
    /// The order concerned, when known.
    pub order_id: Option<String>,
    /// What was sent.
    pub body: Value,
}

#[derive(Debug, Default)]
struct Data {
    received: Vec<WriteBackRecord>,
    fulfillments: Vec<String>,
    /// Orders the shops hold (what their order lists return), by platform.
    orders: Vec<(String, Value)>,
    /// Where `POST /_sandbox/orders` sends the Shopify shop's webhooks when no subscription
    /// was made, and its signing key.
    order_target: Option<(String, String)>,
    /// Tokens the Shopify client credentials grant handed out, each with its end.
    granted: Vec<(String, std::time::Instant)>,
    /// How long granted tokens live (`None`: Shopify's 86,399 seconds).
    token_lifetime: Option<std::time::Duration>,
    /// The webhook subscriptions of every shop.
    subscriptions: Vec<SimSubscription>,
    next_subscription: u64,
}

/// The shops' admin APIs. Cheap to clone.
#[derive(Clone)]
pub struct ShopSim {
    /// The Shopify Admin API token it accepts.
    pub shopify_token: String,
    /// WooCommerce consumer key and secret it accepts.
    pub woo_credentials: (String, String),
    data: Arc<Mutex<Data>>,
    /// Every request received.
    pub recorder: Recorder,
}

impl Default for ShopSim {
    fn default() -> Self {
        ShopSim {
            shopify_token: "shpat_sandbox".to_owned(),
            woo_credentials: ("ck_sandbox".to_owned(), "cs_sandbox".to_owned()),
            data: Arc::default(),
            recorder: Recorder::default(),
        }
    }
}

impl ShopSim {
    fn lock(&self) -> std::sync::MutexGuard<'_, Data> {
        self.data.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// An order placed in a shop (`shopify`, `woocommerce` or `youcan`): its order list shows
    /// it from now on, whether or not its webhook reached the bridge.
    pub fn place_order(&self, platform: &str, order: Value) {
        self.lock().orders.push((platform.to_owned(), order));
    }

    fn orders_of(&self, platform: &str) -> Vec<Value> {
        self.lock()
            .orders
            .iter()
            .filter(|(p, _)| p == platform)
            .map(|(_, order)| order.clone())
            .collect()
    }

    /// Sends the Shopify shop's order webhooks (`POST /_sandbox/orders`) to `url`, signed with
    /// `secret`.
    pub fn send_orders_to(&self, url: &str, secret: &str) {
        self.lock().order_target = Some((url.to_owned(), secret.to_owned()));
    }

    /// Everything written back so far.
    pub fn received(&self) -> Vec<WriteBackRecord> {
        self.lock().received.clone()
    }

    fn record(&self, platform: &str, operation: &str, order_id: Option<String>, body: Value) {
        self.lock().received.push(WriteBackRecord {
            platform: platform.to_owned(),
            operation: operation.to_owned(),
            order_id,
            body,
        });
    }

    /// The write-back APIs.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/admin/api/{version}/graphql.json", post(shopify_graphql))
            .route("/admin/api/{version}/orders.json", get(shopify_orders))
            .route("/wp-json/wc/v3/orders", get(woo_orders))
            .route("/orders", get(youcan_orders))
            .route("/wp-json/wc/v3/orders/{id}", put(woo_update))
            .route("/wp-json/wc/v3/orders/{id}/notes", post(woo_note))
            .route("/orders/{id}/{action}", put(youcan_action))
            .route("/callback", post(callback))
            .route(
                "/admin/oauth/access_token",
                post(subscriptions::shopify_grant),
            )
            .route(
                "/wp-json/wc/v3/webhooks",
                get(subscriptions::woo_list).post(subscriptions::woo_create),
            )
            .route("/wp-json/wc/v3/webhooks/{id}", put(subscriptions::woo_edit))
            .route("/resthooks/list", get(subscriptions::youcan_list))
            .route(
                "/resthooks/subscribe",
                post(subscriptions::youcan_subscribe),
            )
            .route(
                "/resthooks/unsubscribe/{id}",
                post(subscriptions::youcan_unsubscribe),
            )
            .route("/_sandbox/received", get(control_received))
            .route("/_sandbox/orders", post(control_place_order))
            .with_state(self.clone())
            .layer(axum::middleware::from_fn_with_state(
                self.recorder.clone(),
                crate::recording::record,
            ))
    }
}

/// `GET /_sandbox/received`: every write-back the shops received, oldest first.
async fn control_received(State(sim): State<ShopSim>) -> Json<Vec<WriteBackRecord>> {
    Json(sim.received())
}

/// What `POST /_sandbox/orders` may say about the order (everything optional), so each case an
/// operator meets can be made: an unknown city or region, a fixed-line or missing phone, an
/// address without a GPS code, a prepaid order, a French or Arabic customer.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
struct PlaceOrder {
    /// `shopify` (default), `woocommerce` or `youcan`.
    platform: Option<String>,
    /// The platform's order id (default: the next one).
    id: Option<u64>,
    /// `cod` (default) or `prepaid`.
    payment: Option<String>,
    /// Cash on delivery (the older spelling of `payment`).
    cod: Option<bool>,
    /// The customer's phone as typed (default `024 412 3456`; `""`: none).
    phone: Option<String>,
    /// The region as the shop has it (default `Greater Accra`).
    region: Option<String>,
    /// The city as typed.
    city: Option<String>,
    /// The street address as typed (replaces the default one and its GPS code).
    address: Option<String>,
    /// The customer's language: `en`, `fr` or `ar` (Shopify's `customer_locale`; a YouCan or
    /// WooCommerce customer's language shows in the text they typed).
    language: Option<String>,
}

fn refuse(field: &str, message: &str) -> Response {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(json!({ "error": message, "field": field })),
    )
        .into_response()
}

/// `POST /_sandbox/orders`: a customer orders in the sandbox's shop. The order joins the shop's
/// order list and its signed webhook goes to each subscription the bridge made with
/// `shaq-bridge connect` (Shopify, WooCommerce, YouCan), or, for Shopify without one, to the
/// bridge given with `--bridge-url` ([`ShopSim::send_orders_to`]). Answers the order's id and
/// name and where it was delivered with the bridge's status codes.
async fn control_place_order(State(sim): State<ShopSim>, body: axum::body::Bytes) -> Response {
    let request: PlaceOrder = if body.is_empty() {
        PlaceOrder::default()
    } else {
        match serde_json::from_slice(&body) {
            Ok(request) => request,
            Err(error) => return refuse("body", &format!("body: {error}")),
        }
    };
    let platform = request.platform.as_deref().unwrap_or("shopify");
    if !["shopify", "woocommerce", "youcan"].contains(&platform) {
        return refuse(
            "platform",
            "platform must be shopify, woocommerce or youcan",
        );
    }
    let cod = match (request.payment.as_deref(), request.cod) {
        (Some("cod"), _) | (None, None) => true,
        (Some("prepaid"), _) => false,
        (None, Some(cod)) => cod,
        (Some(_), _) => return refuse("payment", "payment must be cod or prepaid"),
    };
    let locale = match request.language.as_deref() {
        None => None,
        Some("en") => Some("en"),
        Some("fr") => Some("fr-MA"),
        Some("ar") => Some("ar-MA"),
        Some(_) => return refuse("language", "language must be en, fr or ar"),
    };
    let id = request
        .id
        .unwrap_or_else(|| 5_127_389_001 + sim.orders_of(platform).len() as u64);
    let phone = match request.phone {
        Some(phone) if phone.trim().is_empty() => None,
        Some(phone) => Some(phone),
        None => Some("024 412 3456".to_owned()),
    };
    let spec = OrderSpec {
        id,
        cod,
        country: "GH",
        phone,
        region: Some(request.region.unwrap_or_else(|| "Greater Accra".to_owned())),
    };
    let mut order = match platform {
        "shopify" => shopify_order(&spec),
        "woocommerce" => woocommerce_order(&spec),
        _ => youcan_order(&spec),
    };
    let (city_at, address_at, gps_at): (&[&str], &[&str], Option<&str>) = match platform {
        "shopify" => (
            &["/shipping_address/city"],
            &["/shipping_address/address1"],
            Some("/shipping_address/address2"),
        ),
        "woocommerce" => (&["/billing/city"], &["/billing/address_1"], None),
        _ => (
            &["/shipping/address/city", "/customer/city"],
            &["/shipping/address/first_line"],
            None,
        ),
    };
    let mut set = |pointer: &str, value: &str| {
        if let Some(slot) = order.pointer_mut(pointer) {
            *slot = json!(value);
        }
    };
    if let Some(city) = &request.city {
        city_at.iter().for_each(|at| set(at, city));
    }
    if let Some(address) = &request.address {
        address_at.iter().for_each(|at| set(at, address));
        if let Some(gps) = gps_at {
            set(gps, "");
        }
    }
    if let Some(locale) = locale {
        set("/customer_locale", locale);
    }
    sim.place_order(platform, order.clone());
    let mut deliveries = Vec::new();
    for subscription in sim.deliveries(platform, created_topic(platform)) {
        let sent = match platform {
            "shopify" => {
                ShopifySender::new("kente.myshopify.com", SHOPIFY_CLIENT_SECRET)
                    .send(&subscription.url, "orders/create", &order)
                    .await
            }
            "woocommerce" => {
                WooSender::new(
                    "https://atlas.shop.test",
                    subscription.secret.as_deref().unwrap_or_default(),
                )
                .send(&subscription.url, "order.created", &order)
                .await
            }
            _ => {
                YouCanSender::new(YOUCAN_CLIENT_SECRET)
                    .send(&subscription.url, &order)
                    .await
            }
        };
        deliveries.push(json!({ "url": subscription.url, "status": sent.status }));
    }
    let fallback = sim.lock().order_target.clone();
    if deliveries.is_empty()
        && platform == "shopify"
        && let Some((url, secret)) = fallback
    {
        let sent = ShopifySender::new("kente.myshopify.com", &secret)
            .send(&url, "orders/create", &order)
            .await;
        deliveries.push(json!({ "url": url, "status": sent.status }));
    }
    if deliveries.is_empty() {
        return (
            StatusCode::CONFLICT,
            Json(json!({ "error": format!(
                "the {platform} shop has no webhook subscription to deliver to: run `shaq-bridge connect` (or start the sandbox with --bridge-url for Shopify)"
            ) })),
        )
            .into_response();
    }
    Json(json!({
        "order_id": match &order["id"] {
            Value::Number(n) => n.to_string(),
            other => other.as_str().unwrap_or_default().to_owned(),
        },
        "name": order.get("name").or_else(|| order.get("number")).or_else(|| order.get("ref")),
        "bridge_status": deliveries[0]["status"],
        "deliveries": deliveries,
    }))
    .into_response()
}

/// The topic a new order is sent under, as each subscription API spells it.
fn created_topic(platform: &str) -> &'static str {
    match platform {
        "shopify" => "ORDERS_CREATE",
        "woocommerce" => "order.created",
        _ => "order.create",
    }
}

fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        Json(json!({ "errors": "[API] Invalid API key or access token" })),
    )
        .into_response()
}

/// Shopify's REST order list (`status=any&updated_at_min=`): one page, no `Link` header.
async fn shopify_orders(
    State(sim): State<ShopSim>,
    headers: HeaderMap,
    Query(query): Query<std::collections::HashMap<String, String>>,
) -> Response {
    if !sim.shopify_authorized(&headers) {
        return unauthorized();
    }
    let since = query.get("updated_at_min").cloned().unwrap_or_default();
    let orders: Vec<Value> = sim
        .orders_of("shopify")
        .into_iter()
        .filter(|o| o["updated_at"].as_str().unwrap_or_default() >= since.as_str())
        .collect();
    Json(json!({ "orders": orders })).into_response()
}

/// WooCommerce's order list (`modified_after=&per_page=&page=`), with `X-WP-TotalPages`.
async fn woo_orders(
    State(sim): State<ShopSim>,
    headers: HeaderMap,
    Query(query): Query<std::collections::HashMap<String, String>>,
) -> Response {
    if !woo_authorized(&sim, &headers) {
        return unauthorized();
    }
    let since = query.get("modified_after").cloned().unwrap_or_default();
    let per_page: usize = query
        .get("per_page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(10)
        .max(1);
    let page: usize = query
        .get("page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1)
        .max(1);
    let all: Vec<Value> = sim
        .orders_of("woocommerce")
        .into_iter()
        .filter(|o| o["date_modified_gmt"].as_str().unwrap_or_default() >= since.as_str())
        .collect();
    let pages = all.len().div_ceil(per_page).max(1);
    let list: Vec<Value> = all
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .collect();
    ([("X-WP-TotalPages", pages.to_string())], Json(list)).into_response()
}

/// YouCan's order list: `{data: [...], meta: {pagination: {current_page, total_pages}}}`.
async fn youcan_orders(State(sim): State<ShopSim>) -> Response {
    let orders = sim.orders_of("youcan");
    Json(json!({ "data": orders, "meta": { "pagination": { "current_page": 1, "total_pages": 1 } } }))
        .into_response()
}

async fn shopify_graphql(
    State(sim): State<ShopSim>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if !sim.shopify_authorized(&headers) {
        return unauthorized();
    }
    let query = body["query"].as_str().unwrap_or_default();
    let variables = body["variables"].clone();
    let operation = [
        "webhookSubscriptions",
        "webhookSubscriptionCreate",
        "webhookSubscriptionUpdate",
        "fulfillmentOrders",
        "fulfillments",
        "fulfillmentCreate",
        "fulfillmentEventCreate",
        "orderMarkAsPaid",
        "orderCancel",
        "tagsAdd",
    ]
    .into_iter()
    .find(|op| query.contains(&format!("{op}(")) || query.contains(&format!("query {op}")))
    .unwrap_or("unknown");
    let gid = variables["id"]
        .as_str()
        .or_else(|| variables["orderId"].as_str())
        .or_else(|| variables.pointer("/input/id").and_then(Value::as_str))
        .map(str::to_owned);
    let order_id = gid
        .as_deref()
        .and_then(|g| g.rsplit('/').next())
        .map(str::to_owned);
    if let Some(data) = subscriptions::shopify_webhook_operation(&sim, operation, &variables) {
        return Json(json!({ "data": data })).into_response();
    }
    let data = match operation {
        "fulfillmentOrders" => json!({ "order": { "fulfillmentOrders": { "nodes": [
            { "id": format!("gid://shopify/FulfillmentOrder/{}", order_id.clone().unwrap_or_default()),
              "status": if sim.lock().fulfillments.iter().any(|f| Some(f) == order_id.as_ref()) { "CLOSED" } else { "OPEN" } }
        ] } } }),
        "fulfillments" => {
            let has = sim
                .lock()
                .fulfillments
                .iter()
                .any(|f| Some(f) == order_id.as_ref());
            let list = if has {
                json!([{ "id": format!("gid://shopify/Fulfillment/{}", order_id.clone().unwrap_or_default()) }])
            } else {
                json!([])
            };
            json!({ "order": { "fulfillments": list } })
        }
        "fulfillmentCreate" => {
            let fo = variables
                .pointer("/fulfillment/lineItemsByFulfillmentOrder/0/fulfillmentOrderId")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let id = fo.rsplit('/').next().unwrap_or_default().to_owned();
            sim.lock().fulfillments.push(id.clone());
            sim.record("shopify", operation, Some(id.clone()), variables.clone());
            json!({ "fulfillmentCreate": { "fulfillment": { "id": format!("gid://shopify/Fulfillment/{id}") }, "userErrors": [] } })
        }
        "fulfillmentEventCreate" => {
            let id = variables
                .pointer("/fulfillmentEvent/fulfillmentId")
                .and_then(Value::as_str)
                .and_then(|g| g.rsplit('/').next())
                .map(str::to_owned);
            sim.record("shopify", operation, id, variables.clone());
            json!({ "fulfillmentEventCreate": { "fulfillmentEvent": { "id": "gid://shopify/FulfillmentEvent/1" }, "userErrors": [] } })
        }
        "orderMarkAsPaid" | "orderCancel" | "tagsAdd" => {
            sim.record("shopify", operation, order_id, variables.clone());
            json!({ operation: { "userErrors": [] } })
        }
        _ => {
            return (
                StatusCode::OK,
                Json(json!({ "errors": [{ "message": "unknown operation" }] })),
            )
                .into_response();
        }
    };
    Json(json!({ "data": data })).into_response()
}

fn woo_authorized(sim: &ShopSim, headers: &HeaderMap) -> bool {
    let expected = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        sim.woo_credentials.0, sim.woo_credentials.1
    ));
    headers.get("authorization").and_then(|v| v.to_str().ok())
        == Some(format!("Basic {expected}").as_str())
}

async fn woo_update(
    State(sim): State<ShopSim>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(body): Json<Value>,
) -> Response {
    if !woo_authorized(&sim, &headers) {
        return unauthorized();
    }
    sim.record("woocommerce", "PUT order", Some(id.clone()), body.clone());
    Json(json!({ "id": id, "status": body.get("status") })).into_response()
}

async fn woo_note(
    State(sim): State<ShopSim>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(body): Json<Value>,
) -> Response {
    if !woo_authorized(&sim, &headers) {
        return unauthorized();
    }
    sim.record("woocommerce", "POST note", Some(id), body.clone());
    (
        StatusCode::CREATED,
        Json(json!({ "id": 1, "note": body["note"] })),
    )
        .into_response()
}

async fn youcan_action(
    State(sim): State<ShopSim>,
    headers: HeaderMap,
    Path((id, action)): Path<(String, String)>,
    body: Option<Json<Value>>,
) -> Response {
    if headers.get("authorization").is_none() {
        return unauthorized();
    }
    // `status`: the order's confirmation status (`PUT /orders/{id}/status {"status": slug}`).
    if !["fulfill", "pay", "close", "status"].contains(&action.as_str()) {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({ "message": "not found" })),
        )
            .into_response();
    }
    sim.record(
        "youcan",
        &action,
        Some(id),
        body.map(|b| b.0).unwrap_or(Value::Null),
    );
    Json(json!({ "status": "ok" })).into_response()
}

async fn callback(
    State(sim): State<ShopSim>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if headers.get("x-signature").is_none() {
        return unauthorized();
    }
    let id = body["order_id"].as_str().map(str::to_owned);
    sim.record("generic", "callback", id, body);
    Json(json!({ "ok": true })).into_response()
}
