//! Shop simulators: senders that post signed order webhooks like Shopify, WooCommerce, YouCan
//! and a generic shop do; realistic generated orders; and receivers for the write-back APIs that
//! record what the bridge told the shop.

use std::sync::{Arc, Mutex};

use axum::extract::Query;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use base64::Engine;
use chrono::Utc;
use hmac::{Hmac, Mac};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::Sha256;

use crate::recording::Recorder;

fn hmac(secret: &str, body: &[u8]) -> Vec<u8> {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

/// Shopify's signature: base64 HMAC-SHA256 of the raw body.
pub fn shopify_signature(secret: &str, body: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(hmac(secret, body))
}

/// YouCan's signature: hex HMAC-SHA256.
pub fn youcan_signature(secret: &str, body: &[u8]) -> String {
    hex::encode(hmac(secret, body))
}

/// What a sender got back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendResult {
    /// Last status (0: no answer).
    pub status: u16,
    /// Attempts made.
    pub attempts: u32,
}

/// Posts Shopify order webhooks, retrying non-2xx answers like Shopify (fewer, faster).
#[derive(Debug, Clone)]
pub struct ShopifySender {
    /// `xxx.myshopify.com`.
    pub shop_domain: String,
    /// The app's client secret.
    pub secret: String,
    /// Retries after the first attempt.
    pub retries: u32,
    http: reqwest::Client,
}

impl ShopifySender {
    /// A sender for a shop.
    pub fn new(shop_domain: &str, secret: &str) -> Self {
        ShopifySender {
            shop_domain: shop_domain.to_owned(),
            secret: secret.to_owned(),
            retries: 3,
            http: reqwest::Client::new(),
        }
    }

    /// Posts `order` under `topic` (`orders/create`…) to `url`, signed. The same webhook id is
    /// kept across retries, as Shopify does.
    pub async fn send(&self, url: &str, topic: &str, order: &Value) -> SendResult {
        let body = order.to_string();
        let signature = shopify_signature(&self.secret, body.as_bytes());
        let webhook_id = uuid::Uuid::new_v4().to_string();
        let mut result = SendResult {
            status: 0,
            attempts: 0,
        };
        while result.attempts <= self.retries {
            result.attempts += 1;
            let response = self
                .http
                .post(url)
                .header("content-type", "application/json")
                .header("X-Shopify-Topic", topic)
                .header("X-Shopify-Hmac-Sha256", &signature)
                .header("X-Shopify-Shop-Domain", &self.shop_domain)
                .header("X-Shopify-API-Version", "2025-10")
                .header("X-Shopify-Webhook-Id", &webhook_id)
                .header("X-Shopify-Event-Id", &webhook_id)
                .header("X-Shopify-Triggered-At", Utc::now().to_rfc3339())
                .header("User-Agent", "Shopify-Captain-Hook")
                .body(body.clone())
                .send()
                .await;
            result.status = response.map(|r| r.status().as_u16()).unwrap_or(0);
            if (200..300).contains(&result.status) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(
                100 * u64::from(result.attempts),
            ))
            .await;
        }
        result
    }
}

/// Posts WooCommerce webhooks (never retried, as WooCommerce does) and its activation ping.
#[derive(Debug, Clone)]
pub struct WooSender {
    /// The shop's home URL (`X-WC-Webhook-Source`).
    pub source: String,
    /// The webhook secret.
    pub secret: String,
    http: reqwest::Client,
}

impl WooSender {
    /// A sender for a shop.
    pub fn new(source: &str, secret: &str) -> Self {
        WooSender {
            source: source.to_owned(),
            secret: secret.to_owned(),
            http: reqwest::Client::new(),
        }
    }

    /// Posts `order` under `topic` (`order.created`…).
    pub async fn send(&self, url: &str, topic: &str, order: &Value) -> SendResult {
        let body = order.to_string();
        let signature =
            base64::engine::general_purpose::STANDARD.encode(hmac(&self.secret, body.as_bytes()));
        let (resource, event) = topic.split_once('.').unwrap_or(("order", "updated"));
        let status = self
            .http
            .post(url)
            .header("content-type", "application/json")
            .header("User-Agent", "WooCommerce/9.4.0 Hookshot (WordPress/6.7)")
            .header("X-WC-Webhook-Source", &self.source)
            .header("X-WC-Webhook-Topic", topic)
            .header("X-WC-Webhook-Resource", resource)
            .header("X-WC-Webhook-Event", event)
            .header("X-WC-Webhook-Signature", signature)
            .header("X-WC-Webhook-ID", "17")
            .header(
                "X-WC-Webhook-Delivery-ID",
                uuid::Uuid::new_v4().simple().to_string(),
            )
            .body(body)
            .send()
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0);
        SendResult {
            status,
            attempts: 1,
        }
    }

    /// The unsigned activation ping (`webhook_id=N`, form-encoded).
    pub async fn ping(&self, url: &str, webhook_id: u32) -> SendResult {
        let status = self
            .http
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("User-Agent", "WooCommerce/9.4.0 Hookshot (WordPress/6.7)")
            .body(format!("webhook_id={webhook_id}"))
            .send()
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0);
        SendResult {
            status,
            attempts: 1,
        }
    }
}

/// Posts YouCan order webhooks (`x-youcan-signature`, hex; YouCan documents no topic header).
#[derive(Debug, Clone)]
pub struct YouCanSender {
    /// The OAuth client secret that signs.
    pub secret: String,
    http: reqwest::Client,
}

impl YouCanSender {
    /// A sender for a store.
    pub fn new(secret: &str) -> Self {
        YouCanSender {
            secret: secret.to_owned(),
            http: reqwest::Client::new(),
        }
    }

    /// Posts `order` to `url`, signed.
    pub async fn send(&self, url: &str, order: &Value) -> SendResult {
        let body = order.to_string();
        let status = self
            .http
            .post(url)
            .header("content-type", "application/json")
            .header(
                "x-youcan-signature",
                youcan_signature(&self.secret, body.as_bytes()),
            )
            .body(body)
            .send()
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0);
        SendResult {
            status,
            attempts: 1,
        }
    }
}

/// Posts the bridge's generic JSON shape, signed with a hex HMAC in `X-Signature` (the generic
/// platform's default).
#[derive(Debug, Clone)]
pub struct GenericSender {
    /// The shared secret.
    pub secret: String,
    http: reqwest::Client,
}

impl GenericSender {
    /// A sender for a shop.
    pub fn new(secret: &str) -> Self {
        GenericSender {
            secret: secret.to_owned(),
            http: reqwest::Client::new(),
        }
    }

    /// Posts `{topic, order}` to `url`, signed.
    pub async fn send(&self, url: &str, topic: &str, order: &Value) -> SendResult {
        let body = json!({ "topic": topic, "order": order }).to_string();
        let status = self
            .http
            .post(url)
            .header("content-type", "application/json")
            .header(
                "X-Signature",
                youcan_signature(&self.secret, body.as_bytes()),
            )
            .body(body)
            .send()
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0);
        SendResult {
            status,
            attempts: 1,
        }
    }
}

/// What kind of order to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderSpec {
    /// The platform's order id.
    pub id: u64,
    /// Cash on delivery (else prepaid).
    pub cod: bool,
    /// `GH` or `MA`.
    pub country: &'static str,
    /// The phone as the customer typed it (`None`: no phone).
    pub phone: Option<String>,
    /// The region as the shop has it.
    pub region: Option<String>,
}

const GH_NAMES: [&str; 6] = [
    "Ama Mensah",
    "Kofi Boateng",
    "Akosua Owusu",
    "Kwame Asante",
    "Efua Quartey",
    "Yaw Darko",
];
const MA_NAMES: [&str; 6] = [
    "Youssef El Amrani",
    "Salma Bennani",
    "فاطمة الزهراء",
    "محمد العلوي",
    "Hamza Tazi",
    "Imane Chraibi",
];
const GH_CITIES: [(&str, &str); 4] = [
    ("Accra", "Greater Accra"),
    ("Kumasi", "Ashanti"),
    ("Tamale", "Northern"),
    ("Cape Coast", "Central"),
];
const PRODUCTS: [(&str, &str, &str); 5] = [
    ("Kente scarf", "KS-1", "200.00"),
    ("Shea butter 250g", "SB-250", "45.00"),
    ("Black soap", "BS-1", "25.50"),
    ("Adinkra print shirt", "AP-M", "180.00"),
    ("Caftan", "CF-1", "349.00"),
];

impl OrderSpec {
    /// A random but reproducible order for `seed`: a Ghanaian or Moroccan customer, a local
    /// phone format, COD or prepaid.
    pub fn generated(id: u64, seed: u64) -> OrderSpec {
        let mut rng = StdRng::seed_from_u64(seed ^ id);
        let ghana = rng.random_bool(0.7);
        let phone = if ghana {
            let formats = [
                "024 {a} {b}",
                "+233 24 {a} {b}",
                "0244{a}{b}",
                "(024) {a}-{b}",
            ];
            let a = rng.random_range(100..999);
            let b = rng.random_range(1000..9999);
            Some(
                formats[rng.random_range(0..formats.len())]
                    .replace("{a}", &a.to_string())
                    .replace("{b}", &b.to_string()),
            )
        } else {
            Some(format!(
                "06 {} {} {} {}",
                rng.random_range(10..99),
                rng.random_range(10..99),
                rng.random_range(10..99),
                rng.random_range(10..99)
            ))
        };
        OrderSpec {
            id,
            cod: rng.random_bool(0.8),
            country: if ghana { "GH" } else { "MA" },
            phone,
            region: ghana.then(|| GH_CITIES[rng.random_range(0..GH_CITIES.len())].1.to_owned()),
        }
    }

    fn name(&self) -> &'static str {
        let names = if self.country == "GH" {
            &GH_NAMES
        } else {
            &MA_NAMES
        };
        names[(self.id % names.len() as u64) as usize]
    }

    fn city(&self) -> &'static str {
        match self.country {
            "GH" => GH_CITIES
                .iter()
                .find(|(_, region)| Some(*region) == self.region.as_deref())
                .map_or("Accra", |(city, _)| city),
            _ => "Casablanca",
        }
    }

    fn lines(&self) -> Vec<(&'static str, &'static str, &'static str, u32)> {
        let first = PRODUCTS[(self.id % 5) as usize];
        let second = PRODUCTS[((self.id + 2) % 5) as usize];
        vec![
            (first.0, first.1, first.2, 1 + (self.id % 2) as u32),
            (second.0, second.1, second.2, 1),
        ]
    }

    fn total(&self) -> rust_decimal::Decimal {
        self.lines()
            .iter()
            .map(|(_, _, price, qty)| {
                price.parse::<rust_decimal::Decimal>().unwrap_or_default()
                    * rust_decimal::Decimal::from(*qty)
            })
            .sum()
    }
}

/// A Shopify order payload (REST Order resource) for the spec.
pub fn shopify_order(spec: &OrderSpec) -> Value {
    let total = format!("{:.2}", spec.total());
    let (first, last) = spec.name().split_once(' ').unwrap_or((spec.name(), ""));
    json!({
        "id": spec.id, "admin_graphql_api_id": format!("gid://shopify/Order/{}", spec.id),
        "name": format!("#{}", 1000 + spec.id % 9000), "order_number": 1000 + spec.id % 9000,
        "email": format!("customer{}@example.com", spec.id), "phone": null,
        "created_at": Utc::now().to_rfc3339(), "updated_at": Utc::now().to_rfc3339(), "cancelled_at": null,
        "currency": if spec.country == "GH" { "GHS" } else { "MAD" },
        "presentment_currency": if spec.country == "GH" { "GHS" } else { "MAD" },
        "financial_status": if spec.cod { "pending" } else { "paid" },
        "payment_gateway_names": if spec.cod { json!(["Cash on Delivery (COD)"]) } else { json!(["shopify_payments"]) },
        "total_price": total, "total_outstanding": if spec.cod { total.clone() } else { "0.00".to_owned() },
        "customer_locale": if spec.country == "GH" { "en" } else { "fr-MA" },
        "shipping_address": {
            "first_name": first, "last_name": last, "name": spec.name(), "phone": spec.phone,
            "address1": if spec.country == "GH" { "12 Oxford Street" } else { "Bd Zerktouni 10" },
            "address2": if spec.country == "GH" { "GA-123-4567" } else { "" },
            "city": spec.city(), "province": spec.region, "zip": null, "country": spec.country, "country_code": spec.country,
        },
        "line_items": spec.lines().iter().enumerate().map(|(i, (title, sku, price, qty))| json!({
            "id": spec.id * 10 + i as u64, "title": title, "variant_title": null, "sku": sku,
            "quantity": qty, "price": price, "grams": 300, "requires_shipping": true,
        })).collect::<Vec<_>>(),
        "note": "Call before delivery", "tags": "",
    })
}

/// A WooCommerce REST v3 order payload for the spec.
pub fn woocommerce_order(spec: &OrderSpec) -> Value {
    let (first, last) = spec.name().split_once(' ').unwrap_or((spec.name(), ""));
    json!({
        "id": spec.id, "number": spec.id.to_string(), "status": "processing",
        "currency": if spec.country == "GH" { "GHS" } else { "MAD" }, "total": format!("{:.2}", spec.total()),
        "payment_method": if spec.cod { "cod" } else { "stripe" }, "payment_method_title": "Paiement à la livraison",
        "date_paid": if spec.cod { Value::Null } else { json!(Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string()) },
        "date_modified_gmt": Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string(),
        "billing": { "first_name": first, "last_name": last, "phone": spec.phone, "email": format!("c{}@example.ma", spec.id),
            "address_1": "Bd Zerktouni 10", "city": spec.city(), "state": spec.region, "postcode": "", "country": spec.country },
        "shipping": { "first_name": "", "last_name": "", "phone": "", "address_1": "", "city": "", "state": "", "country": "" },
        "line_items": spec.lines().iter().map(|(name, sku, price, qty)| json!({
            "name": name, "sku": sku, "quantity": qty, "price": price.parse::<f64>().unwrap_or(0.0), "total": price,
        })).collect::<Vec<_>>(),
        "customer_note": "",
    })
}

/// A YouCan `order.create` payload for the spec.
pub fn youcan_order(spec: &OrderSpec) -> Value {
    let (first, last) = spec.name().split_once(' ').unwrap_or((spec.name(), ""));
    json!({
        "id": format!("{:08x}-yc", spec.id), "ref": format!("{:03}", spec.id % 1000),
        "total": spec.total(), "currency": if spec.country == "GH" { "GHS" } else { "MAD" },
        "status": 1, "payment_status": if spec.cod { -1 } else { 1 },
        "created_at": Utc::now().format("%Y-%m-%d %H:%M:%S").to_string(),
        "customer": { "id": format!("c{}", spec.id), "first_name": first, "last_name": last,
                      "email": null, "phone": spec.phone, "country_code": spec.country, "city": spec.city() },
        "variants": spec.lines().iter().map(|(name, sku, price, qty)| json!({
            "id": sku, "price": price, "quantity": qty, "variant": { "sku": sku, "product": { "name": name, "slug": sku } }
        })).collect::<Vec<_>>(),
        "payment": { "status": if spec.cod { -1 } else { 1 }, "status_text": if spec.cod { "unpaid" } else { "paid" },
                     "payload": { "gateway": if spec.cod { "cod" } else { "card" } } },
        "shipping": { "address": { "first_name": first, "last_name": last, "phone": spec.phone,
            "first_line": "Bd Zerktouni 10", "city": spec.city(), "region": spec.region, "country_code": spec.country } },
    })
}

/// An order in the bridge's generic JSON shape for the spec.
pub fn generic_order(spec: &OrderSpec) -> Value {
    json!({
        "id": spec.id.to_string(), "ref": format!("G-{}", spec.id),
        "updated_at": Utc::now().to_rfc3339(), "payment": if spec.cod { "cod" } else { "prepaid" },
        "total": format!("{:.2}", spec.total()), "currency": if spec.country == "GH" { "GHS" } else { "MAD" },
        "customer": { "name": spec.name(), "phone": spec.phone, "locale": if spec.country == "GH" { "en" } else { "ar" } },
        "address": { "line1": "5 Ring Road", "city": spec.city(), "region": spec.region, "country": spec.country },
        "items": spec.lines().iter().map(|(name, sku, price, qty)| json!({
            "name": name, "sku": sku, "quantity": qty, "unit_price": price
        })).collect::<Vec<_>>(),
        "note": "Leave at the gate",
    })
}

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
    /// Where `POST /_sandbox/orders` sends the Shopify shop's webhooks, and its signing key.
    order_target: Option<(String, String)>,
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

/// What `POST /_sandbox/orders` may say about the order (everything optional).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
struct PlaceOrder {
    /// The platform's order id (default: the next one).
    id: Option<u64>,
    /// Cash on delivery (default true).
    cod: Option<bool>,
    /// The customer's phone as typed (default `024 412 3456`).
    phone: Option<String>,
    /// The region as the shop has it (default `Greater Accra`).
    region: Option<String>,
}

/// `POST /_sandbox/orders`: a customer orders in the Shopify shop. The order joins the shop's
/// order list and its signed `orders/create` webhook goes to the bridge (see
/// [`ShopSim::send_orders_to`]). Answers the order's id and name and the bridge's status code.
async fn control_place_order(State(sim): State<ShopSim>, body: axum::body::Bytes) -> Response {
    let request: PlaceOrder = if body.is_empty() {
        PlaceOrder::default()
    } else {
        match serde_json::from_slice(&body) {
            Ok(request) => request,
            Err(error) => {
                return (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Json(json!({ "error": format!("body: {error}") })),
                )
                    .into_response();
            }
        }
    };
    let Some((url, secret)) = sim.lock().order_target.clone() else {
        return (
            StatusCode::CONFLICT,
            Json(json!({ "error": "no bridge to send orders to: start the sandbox with --bridge-url" })),
        )
            .into_response();
    };
    let id = request
        .id
        .unwrap_or_else(|| 5_127_389_001 + sim.orders_of("shopify").len() as u64);
    let spec = OrderSpec {
        id,
        cod: request.cod.unwrap_or(true),
        country: "GH",
        phone: Some(request.phone.unwrap_or_else(|| "024 412 3456".to_owned())),
        region: Some(request.region.unwrap_or_else(|| "Greater Accra".to_owned())),
    };
    let order = shopify_order(&spec);
    sim.place_order("shopify", order.clone());
    let sent = ShopifySender::new("kente.myshopify.com", &secret)
        .send(&url, "orders/create", &order)
        .await;
    Json(json!({
        "order_id": id.to_string(),
        "name": order["name"],
        "bridge_status": sent.status,
    }))
    .into_response()
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
    if headers
        .get("x-shopify-access-token")
        .and_then(|v| v.to_str().ok())
        != Some(sim.shopify_token.as_str())
    {
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
    if headers
        .get("x-shopify-access-token")
        .and_then(|v| v.to_str().ok())
        != Some(sim.shopify_token.as_str())
    {
        return unauthorized();
    }
    let query = body["query"].as_str().unwrap_or_default();
    let variables = body["variables"].clone();
    let operation = [
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
    if !["fulfill", "pay", "close"].contains(&action.as_str()) {
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
