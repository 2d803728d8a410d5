//! The ShaQ Express simulator: the partner API under `/api/v1`, its validation and errors, a
//! bearer token that expires, packages with tracking history, labels that take a while, and
//! webhooks when a package moves. Control API under `/_sandbox`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::faults::{FaultPlan, Faults};
use crate::recording::Recorder;
use crate::webhooks::{WebhookSender, WebhookTarget};

/// The statuses the partner document lists (checked against `shaq_client::PackageStatus::ALL`
/// by `tests/simulators.rs`).
pub const STATUSES: [&str; 20] = [
    "pending",
    "received",
    "warehouse_received",
    "collected",
    "ready_for_pickup",
    "shipped",
    "assigned",
    "in_transit",
    "dispatched",
    "confirmed",
    "delivered",
    "not_delivered",
    "rescheduled",
    "customer_hold",
    "customer_unreachable",
    "suspected_scam",
    "return_picked",
    "return_in_progress",
    "returned_to_sender",
    "return_to_central",
];

/// Settings of the ShaQ simulator.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ShaqSimConfig {
    /// Accepted login identifier.
    pub identifier: String,
    /// Accepted login secret.
    pub secret: String,
    /// More partner accounts (identifier, secret), as an agency with several brands has.
    #[serde(default)]
    pub more_accounts: Vec<(String, String)>,
    /// How long a token lives (ShaQ: 7 days; tests: seconds).
    pub token_lifetime_secs: u64,
    /// How long after creation the label stays "not ready" (202).
    pub label_ready_after_secs: u64,
    /// The header carrying the webhook secret.
    pub webhook_secret_header: String,
    /// Faults to inject.
    pub faults: FaultPlan,
}

impl Default for ShaqSimConfig {
    fn default() -> Self {
        ShaqSimConfig {
            identifier: "sandbox-partner".to_owned(),
            secret: "sandbox-secret".to_owned(),
            more_accounts: Vec::new(),
            token_lifetime_secs: 7 * 24 * 3600,
            label_ready_after_secs: 2,
            webhook_secret_header: "X-Shaq-Webhook-Secret".to_owned(),
            faults: FaultPlan::default(),
        }
    }
}

/// A package as the simulator holds it.
#[derive(Debug, Clone, Serialize)]
pub struct SimPackage {
    /// The request fields as received (snake_case).
    pub request: Value,
    /// Our tracking number.
    pub tracking_number: String,
    /// Current status.
    pub status: String,
    /// What the rider collects.
    pub amount_to_collect: Decimal,
    /// History, oldest first: (status, description, time).
    pub history: Vec<(String, String, chrono::DateTime<Utc>)>,
    /// Deleted (pending packages only).
    pub deleted: bool,
    /// Cancel requested.
    pub cancel_requested: bool,
    /// The partner account that created it.
    pub account: String,
    /// The handover shipment it went in, if any.
    pub shipment: Option<String>,
    #[serde(skip)]
    created: Option<Instant>,
}

impl SimPackage {
    /// Our reference.
    pub fn partner_ref(&self) -> &str {
        self.request["partner_ref"].as_str().unwrap_or_default()
    }

    fn to_api(&self) -> Value {
        let r = &self.request;
        json!({
            "partnerRef": r["partner_ref"], "trackingNumber": self.tracking_number,
            "customerName": r["customer_name"], "customerPhone1": r["customer_phone_1"],
            "customerPhone2": r.get("customer_phone_2"), "sourceCountry": r["source_country_iso2"],
            "sourceAddressLine1": r["source_address_line_1"], "destinationCountry": r.get("destination_country_iso2"),
            "destinationRegion": r.get("destination_region"), "destinationCity": r["destination_city"],
            "destinationAddressLine1": r["destination_address_line_1"], "description": r["description"],
            "units": r["units"], "type": r["type"], "handling": r["handling"],
            "value": format!("{:.2}", decimal(&r["value"]).unwrap_or_default()),
            "amountToCollect": format!("{:.2}", self.amount_to_collect),
            "paymentCollector": "shaq", "status": self.status, "shipmentReference": self.shipment,
            "statusDescription": describe(&self.status),
            "dateCreated": self.history.first().map(|h| h.2.format("%Y-%m-%d %H:%M").to_string()),
            "eta": (Utc::now() + chrono::Duration::days(2)).format("%Y-%m-%d").to_string()
                + " - " + &(Utc::now() + chrono::Duration::days(4)).format("%Y-%m-%d").to_string(),
            "items": r["items"],
            "trackingHistory": self.history.iter().rev().map(|(name, description, date)| json!({
                "name": name, "description": description, "date": date.format("%Y-%m-%d %H:%M").to_string(), "comment": null
            })).collect::<Vec<_>>(),
        })
    }
}

fn describe(status: &str) -> String {
    status.replace('_', " ")
}

fn decimal(value: &Value) -> Option<Decimal> {
    match value {
        Value::String(s) => s.trim().parse().ok(),
        Value::Number(n) => n.to_string().parse().ok(),
        _ => None,
    }
}

#[derive(Debug, Default)]
struct Data {
    tokens: BTreeMap<String, (Instant, String)>,
    packages: Vec<SimPackage>,
    /// Where each live package is in `packages`, by partner reference (lookups stay cheap
    /// with thousands of packages, as in the benchmark).
    live: std::collections::HashMap<String, usize>,
    next_tracking: u64,
    shipments: BTreeMap<String, Value>,
    /// While set, every shipment is refused with this reason (422).
    refuse_shipments: Option<String>,
    /// Packages a bulk call leaves out (each once), to exercise per-item failures.
    fail_in_bulk: std::collections::HashSet<String>,
}

impl Data {
    fn live(&self, partner_ref: &str) -> Option<&SimPackage> {
        self.live.get(partner_ref).map(|&at| &self.packages[at])
    }

    fn live_mut(&mut self, partner_ref: &str) -> Option<&mut SimPackage> {
        let at = *self.live.get(partner_ref)?;
        self.packages.get_mut(at)
    }
}

/// The ShaQ simulator. Cheap to clone.
#[derive(Clone)]
pub struct ShaqSim {
    config: Arc<ShaqSimConfig>,
    data: Arc<Mutex<Data>>,
    /// Every request received.
    pub recorder: Recorder,
    /// Fault injection.
    pub faults: Faults,
    /// Outbound webhooks.
    pub webhooks: WebhookSender,
}

/// The regions the simulator knows (Ghana).
pub fn regions() -> Vec<(i64, &'static str)> {
    vec![
        (1, "Greater Accra"),
        (2, "Ashanti"),
        (3, "Central"),
        (4, "Eastern"),
        (5, "Western"),
        (6, "Volta"),
        (7, "Northern"),
        (8, "Upper East"),
        (9, "Upper West"),
        (10, "Bono"),
        (11, "Bono East"),
        (12, "Ahafo"),
        (13, "Savannah"),
        (14, "North East"),
        (15, "Oti"),
        (16, "Western North"),
    ]
}

type ApiResult = Result<Response, Response>;

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "message": message }))).into_response()
}

fn validation(errors: BTreeMap<String, Vec<String>>) -> Response {
    let message = errors
        .values()
        .next()
        .and_then(|m| m.first())
        .cloned()
        .unwrap_or_else(|| "The given data was invalid.".to_owned());
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(json!({ "message": message, "errors": errors })),
    )
        .into_response()
}

fn ok(message: &str, data: Value) -> Response {
    Json(json!({ "message": message, "data": data })).into_response()
}

impl ShaqSim {
    /// A simulator with `config`.
    pub fn new(config: ShaqSimConfig) -> Self {
        let faults = Faults::new(config.faults.clone());
        ShaqSim {
            config: Arc::new(config),
            data: Arc::default(),
            recorder: Recorder::default(),
            faults,
            webhooks: WebhookSender::new(3),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Data> {
        self.data.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Webhooks go to `url` with the shared secret in the configured header.
    pub fn set_webhook_target(&self, url: &str, secret: &str) {
        self.webhooks.set_target(WebhookTarget {
            url: url.to_owned(),
            headers: vec![(self.config.webhook_secret_header.clone(), secret.to_owned())],
        });
    }

    /// Every package (deleted ones included).
    pub fn packages(&self) -> Vec<SimPackage> {
        self.lock().packages.clone()
    }

    /// How many packages were created (deleted ones included), without copying them.
    pub fn package_count(&self) -> usize {
        self.lock().packages.len()
    }

    /// The live package with this reference.
    pub fn package(&self, partner_ref: &str) -> Option<SimPackage> {
        self.lock().live(partner_ref).cloned()
    }

    /// Moves a package to `status`, records it and sends `package.status_updated`.
    pub fn advance(&self, partner_ref: &str, status: &str) -> Result<(), String> {
        let now = Utc::now();
        let payload = {
            let mut data = self.lock();
            let package = data
                .live_mut(partner_ref)
                .ok_or_else(|| format!("no package {partner_ref}"))?;
            package.status = status.to_owned();
            package
                .history
                .push((status.to_owned(), describe(status), now));
            let proof = (status == "delivered").then(|| {
                format!(
                    "https://sandbox.shaq.invalid/proof/{}.jpg",
                    package.tracking_number
                )
            });
            json!({
                "event": "package.status_updated",
                "event_id": uuid::Uuid::new_v4().to_string(),
                "api_version": "v1",
                "occurred_at": now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                "data": {
                    "tracking_number": package.tracking_number, "partner_ref": partner_ref,
                    "status": status, "description": describe(status), "comment": null,
                    "meta": proof.map(|p| json!({ "proof_url": p })).unwrap_or_else(|| json!({})),
                }
            })
        };
        self.webhooks.send(payload);
        Ok(())
    }

    /// Changes the amount to collect and sends `package.amount_to_collect_updated`.
    pub fn set_amount_to_collect(
        &self,
        partner_ref: &str,
        amount: Decimal,
        reason: &str,
    ) -> Result<(), String> {
        let payload = {
            let mut data = self.lock();
            let package = data
                .live_mut(partner_ref)
                .ok_or_else(|| format!("no package {partner_ref}"))?;
            let old = package.amount_to_collect;
            package.amount_to_collect = amount;
            json!({
                "event": "package.amount_to_collect_updated",
                "event_id": uuid::Uuid::new_v4().to_string(),
                "api_version": "v1",
                "occurred_at": Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                "data": {
                    "tracking_number": package.tracking_number, "partner_ref": partner_ref, "status": package.status,
                    "meta": { "old_amount_to_collect": old, "new_amount_to_collect": amount, "currency": "GHS", "reason": reason },
                }
            })
        };
        self.webhooks.send(payload);
        Ok(())
    }

    /// The HTTP API.
    pub fn router(&self) -> Router {
        let api = Router::new()
            .route("/auth/login", post(login))
            .route("/packages", get(list_packages).post(create_package))
            .route("/packages/bulk", post(bulk_create))
            .route(
                "/packages/{partner_ref}",
                get(get_package)
                    .patch(update_package)
                    .delete(delete_package),
            )
            .route("/packages/{partner_ref}/cancel", post(cancel_order))
            .route("/packages/replacement", post(replacement))
            .route("/shipments", post(create_shipment))
            .route("/shipments/{reference}", get(get_shipment))
            .route("/packages/{partner_ref}/label", get(label))
            .route("/tracking/{tracking_number}", get(track))
            .route("/setup/regions", get(list_regions));
        let control = Router::new()
            .route("/_sandbox/packages", get(control_packages))
            .route(
                "/_sandbox/packages/{partner_ref}/status",
                post(control_advance),
            )
            .route("/_sandbox/requests", get(control_requests))
            .route("/_sandbox/faults", get(control_faults))
            .route("/_sandbox/labels/{file}", get(label_pdf));
        Router::new()
            .nest("/api/v1", api)
            .merge(control)
            .with_state(self.clone())
            .layer(axum::middleware::from_fn_with_state(
                self.faults.clone(),
                crate::faults::inject,
            ))
            .layer(axum::middleware::from_fn_with_state(
                self.recorder.clone(),
                crate::recording::record,
            ))
    }

    /// The account a request's token was issued to.
    fn authorize(&self, headers: &HeaderMap) -> Result<String, Response> {
        let token = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| error(StatusCode::UNAUTHORIZED, "Unauthenticated."))?;
        let lifetime = Duration::from_secs(self.config.token_lifetime_secs);
        match self.lock().tokens.get(token) {
            Some((issued, account)) if issued.elapsed() < lifetime => Ok(account.clone()),
            _ => Err(error(StatusCode::UNAUTHORIZED, "Unauthenticated.")),
        }
    }

    fn validate_package(
        &self,
        body: &Value,
        data: &Data,
        check_ref: bool,
    ) -> BTreeMap<String, Vec<String>> {
        let mut errors = BTreeMap::new();
        let mut fail = |field: &str, message: &str| {
            errors
                .entry(field.to_owned())
                .or_insert_with(Vec::new)
                .push(message.to_owned());
        };
        let text = |field: &str| {
            body.get(field)
                .and_then(Value::as_str)
                .filter(|s| !s.trim().is_empty())
        };
        for field in [
            "partner_ref",
            "customer_name",
            "customer_phone_1",
            "source_country_iso2",
            "source_address_line_1",
            "destination_city",
            "destination_address_line_1",
            "description",
        ] {
            if text(field).is_none() {
                fail(
                    field,
                    &format!("The {} field is required.", field.replace('_', " ")),
                );
            }
        }
        if check_ref
            && let Some(partner_ref) = text("partner_ref")
            && data.live(partner_ref).is_some()
        {
            fail("partner_ref", "The partner ref has already been taken.");
        }
        match body.get("type").and_then(Value::as_str) {
            Some("parcel" | "box") => {}
            _ => fail("type", "The selected type is invalid."),
        }
        match body.get("handling").and_then(Value::as_str) {
            Some("normal" | "fragile") => {}
            _ => fail("handling", "The selected handling is invalid."),
        }
        if let Some(collector) = body.get("payment_collector")
            && !matches!(collector.as_str(), Some("shaq" | "partner"))
        {
            fail(
                "payment_collector",
                "The selected payment collector is invalid.",
            );
        }
        if body
            .get("units")
            .and_then(Value::as_u64)
            .is_none_or(|u| u == 0)
        {
            fail("units", "The units field is required.");
        }
        match body.get("value").and_then(decimal) {
            Some(v) if v >= Decimal::ZERO => {}
            _ => fail("value", "The value field is required."),
        }
        if let Some(amount) = body.get("amount_to_collect")
            && decimal(amount).is_none_or(|a| a < Decimal::ZERO)
        {
            fail(
                "amount_to_collect",
                "The amount to collect must be at least 0.",
            );
        }
        if !body.get("items").is_some_and(Value::is_array) {
            fail("items", "The items field is required.");
        }
        let region_id = body.get("region_id").and_then(Value::as_i64);
        let region_name = text("destination_region");
        match (region_id, region_name) {
            (Some(id), _) if !regions().iter().any(|(r, _)| *r == id) => {
                fail("region_id", "The selected region id is invalid.");
            }
            (None, None) => fail(
                "destination_region",
                "The destination region field is required when region id is not present.",
            ),
            _ => {}
        }
        errors
    }

    fn create(&self, body: Value, account: &str) -> Result<Value, BTreeMap<String, Vec<String>>> {
        let mut data = self.lock();
        let errors = self.validate_package(&body, &data, true);
        if !errors.is_empty() {
            return Err(errors);
        }
        data.next_tracking += 1;
        let tracking_number = format!("SB{}{:06}", Utc::now().format("%Y%m%d"), data.next_tracking);
        // COD is ShaQ's default: without amount_to_collect, the rider collects the value.
        let amount_to_collect = body
            .get("amount_to_collect")
            .and_then(decimal)
            .or_else(|| body.get("value").and_then(decimal))
            .unwrap_or_default();
        let package = SimPackage {
            request: body,
            tracking_number,
            status: "pending".to_owned(),
            amount_to_collect,
            history: vec![("pending".to_owned(), describe("pending"), Utc::now())],
            deleted: false,
            cancel_requested: false,
            account: account.to_owned(),
            shipment: None,
            created: Some(Instant::now()),
        };
        let api = package.to_api();
        let position = data.packages.len();
        data.live.insert(package.partner_ref().to_owned(), position);
        data.packages.push(package);
        Ok(api)
    }
}

#[derive(Deserialize)]
struct Login {
    identifier: Option<String>,
    secret: Option<String>,
}

async fn login(State(sim): State<ShaqSim>, Json(body): Json<Login>) -> Response {
    let mut errors = BTreeMap::new();
    if body.identifier.as_deref().unwrap_or("").is_empty() {
        errors.insert(
            "identifier".to_owned(),
            vec!["The identifier field is required.".to_owned()],
        );
    }
    if body.secret.as_deref().unwrap_or("").is_empty() {
        errors.insert(
            "secret".to_owned(),
            vec!["The secret field is required.".to_owned()],
        );
    }
    if !errors.is_empty() {
        return validation(errors);
    }
    let presented = (
        body.identifier.unwrap_or_default(),
        body.secret.unwrap_or_default(),
    );
    let known = std::iter::once((sim.config.identifier.clone(), sim.config.secret.clone()))
        .chain(sim.config.more_accounts.iter().cloned())
        .any(|account| account == presented);
    if !known {
        return error(StatusCode::UNAUTHORIZED, "Invalid credentials");
    }
    let token = uuid::Uuid::new_v4().simple().to_string();
    sim.lock()
        .tokens
        .insert(token.clone(), (Instant::now(), presented.0));
    ok("Request successful", json!({ "token": token }))
}

#[derive(Deserialize)]
struct PageQuery {
    page: Option<usize>,
    limit: Option<usize>,
}

async fn list_packages(
    State(sim): State<ShaqSim>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
) -> ApiResult {
    sim.authorize(&headers)?;
    let data = sim.lock();
    let live: Vec<&SimPackage> = data.packages.iter().rev().filter(|p| !p.deleted).collect();
    let per_page = q.limit.unwrap_or(15).clamp(1, 100);
    let page = q.page.unwrap_or(1).max(1);
    let last_page = live.len().div_ceil(per_page).max(1);
    let list: Vec<Value> = live
        .iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(|p| {
            let mut api = p.to_api();
            api.as_object_mut().map(|o| o.remove("trackingHistory"));
            api
        })
        .collect();
    Ok(ok(
        "Request successful",
        json!({ "list": list, "meta": { "total": live.len(), "perPage": per_page, "currentPage": page, "lastPage": last_page } }),
    ))
}

async fn create_package(
    State(sim): State<ShaqSim>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> ApiResult {
    let account = sim.authorize(&headers)?;
    match sim.create(body, &account) {
        Ok(package) => Ok((
            StatusCode::CREATED,
            Json(json!({ "message": "Package created successfully", "data": package })),
        )
            .into_response()),
        Err(errors) => Err(validation(errors)),
    }
}

/// Bulk create, with per-item outcomes (ShaQ has not documented its answer; this is the reading
/// the bridge is built to survive): the valid packages are created and listed in `data`, the
/// others are left out and named in `errors` (`packages.N.field`).
async fn bulk_create(
    State(sim): State<ShaqSim>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> ApiResult {
    let account = sim.authorize(&headers)?;
    let packages = body
        .get("packages")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if packages.is_empty() {
        return Err(validation(BTreeMap::from([(
            "packages".to_owned(),
            vec!["The packages field is required.".to_owned()],
        )])));
    }
    let mut created = Vec::new();
    let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (i, package) in packages.into_iter().enumerate() {
        let partner_ref = package["partner_ref"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if sim.lock().fail_in_bulk.remove(&partner_ref) {
            errors.insert(
                format!("packages.{i}.partner_ref"),
                vec!["Could not be created now.".to_owned()],
            );
            continue;
        }
        match sim.create(package, &account) {
            Ok(p) => created.push(p),
            Err(item_errors) => {
                for (field, messages) in item_errors {
                    errors.insert(format!("packages.{i}.{field}"), messages);
                }
            }
        }
    }
    Ok((
        StatusCode::OK,
        Json(json!({
            "message": "Packages created successfully",
            "data": created,
            "errors": errors,
        })),
    )
        .into_response())
}

async fn get_package(
    State(sim): State<ShaqSim>,
    headers: HeaderMap,
    Path(partner_ref): Path<String>,
) -> ApiResult {
    sim.authorize(&headers)?;
    // The test server answers 404 for refs starting with `#`, whatever it holds.
    if partner_ref.starts_with('#') {
        return Err(error(StatusCode::NOT_FOUND, "Package not found"));
    }
    sim.package(&partner_ref)
        .map(|p| ok("Request successful", p.to_api()))
        .ok_or_else(|| error(StatusCode::NOT_FOUND, "Package not found"))
}

async fn update_package(
    State(sim): State<ShaqSim>,
    headers: HeaderMap,
    Path(partner_ref): Path<String>,
    Json(body): Json<Value>,
) -> ApiResult {
    sim.authorize(&headers)?;
    let mut data = sim.lock();
    let package = data
        .live_mut(&partner_ref)
        .ok_or_else(|| error(StatusCode::NOT_FOUND, "Package not found"))?;
    if package.status != "pending" {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "Only pending packages can be updated",
        ));
    }
    if let (Some(target), Some(changes)) = (package.request.as_object_mut(), body.as_object()) {
        for (key, value) in changes {
            if key != "partner_ref" && key != "payment_collector" {
                target.insert(key.clone(), value.clone());
            }
        }
    }
    if let Some(amount) = body.get("amount_to_collect").and_then(decimal) {
        package.amount_to_collect = amount;
    }
    Ok(ok("Package updated successfully", package.to_api()))
}

async fn delete_package(
    State(sim): State<ShaqSim>,
    headers: HeaderMap,
    Path(partner_ref): Path<String>,
) -> ApiResult {
    sim.authorize(&headers)?;
    let mut data = sim.lock();
    let package = data
        .live_mut(&partner_ref)
        .ok_or_else(|| error(StatusCode::NOT_FOUND, "Package not found"))?;
    if package.status != "pending" {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "Only pending packages can be deleted",
        ));
    }
    package.deleted = true;
    data.live.remove(&partner_ref);
    Ok(ok("Package deleted successfully", Value::Null))
}

async fn cancel_order(
    State(sim): State<ShaqSim>,
    headers: HeaderMap,
    Path(partner_ref): Path<String>,
) -> ApiResult {
    sim.authorize(&headers)?;
    let mut data = sim.lock();
    let package = data
        .live_mut(&partner_ref)
        .ok_or_else(|| error(StatusCode::NOT_FOUND, "Package not found"))?;
    if matches!(package.status.as_str(), "delivered" | "returned_to_sender") {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "This order can no longer be cancelled",
        ));
    }
    package.cancel_requested = true;
    Ok(ok("Order cancellation requested", Value::Null))
}

async fn label(
    State(sim): State<ShaqSim>,
    headers: HeaderMap,
    Path(partner_ref): Path<String>,
) -> ApiResult {
    sim.authorize(&headers)?;
    let package = sim
        .package(&partner_ref)
        .ok_or_else(|| error(StatusCode::NOT_FOUND, "Package not found"))?;
    let ready_after = Duration::from_secs(sim.config.label_ready_after_secs);
    if package.created.is_some_and(|c| c.elapsed() < ready_after) {
        return Ok((
            StatusCode::ACCEPTED,
            Json(json!({ "message": "Label is being generated" })),
        )
            .into_response());
    }
    let host = headers
        .get("host")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1");
    Ok(ok(
        "Label ready",
        json!({ "url": format!("http://{host}/_sandbox/labels/{}.pdf", package.tracking_number) }),
    ))
}

/// A one-page PDF standing in for a label: `SANDBOX LABEL <tracking number>`.
async fn label_pdf(Path(file): Path<String>) -> Response {
    let tracking_number = file.trim_end_matches(".pdf");
    match shipment_pdf::simple_page(&[
        "ShaQ Express (sandbox)".to_owned(),
        format!("SANDBOX LABEL {tracking_number}"),
    ]) {
        Ok(pdf) => ([(axum::http::header::CONTENT_TYPE, "application/pdf")], pdf).into_response(),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

async fn track(
    State(sim): State<ShaqSim>,
    headers: HeaderMap,
    Path(tracking_number): Path<String>,
) -> ApiResult {
    sim.authorize(&headers)?;
    let data = sim.lock();
    let package = data
        .packages
        .iter()
        .find(|p| p.tracking_number == tracking_number)
        .ok_or_else(|| error(StatusCode::NOT_FOUND, "Package not found"))?;
    Ok(ok(
        "Request successful",
        json!({
            "partnerRef": package.partner_ref(), "trackingNumber": package.tracking_number,
            "status": package.status, "statusDescription": describe(&package.status),
            "tracking": package.history.iter().map(|(status, description, date)| json!({
                "status": status, "description": description, "date": date.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
            })).collect::<Vec<_>>(),
        }),
    ))
}

async fn list_regions(State(sim): State<ShaqSim>, headers: HeaderMap) -> ApiResult {
    sim.authorize(&headers)?;
    let list: Vec<Value> = regions()
        .into_iter()
        .map(|(id, name)| json!({ "id": id, "name": name }))
        .collect();
    Ok(ok("Request successful", Value::Array(list)))
}

async fn control_packages(State(sim): State<ShaqSim>) -> Json<Vec<SimPackage>> {
    Json(sim.packages())
}

#[derive(Deserialize)]
struct Advance {
    status: String,
}

async fn control_advance(
    State(sim): State<ShaqSim>,
    Path(partner_ref): Path<String>,
    Json(body): Json<Advance>,
) -> Response {
    match sim.advance(&partner_ref, &body.status) {
        Ok(()) => Json(json!({ "status": body.status })).into_response(),
        Err(message) => error(StatusCode::NOT_FOUND, &message),
    }
}

async fn control_requests(State(sim): State<ShaqSim>) -> Json<Value> {
    Json(json!(sim.recorder.all()))
}

async fn control_faults(State(sim): State<ShaqSim>) -> Json<Value> {
    Json(json!(sim.faults.counts()))
}

async fn create_shipment(
    State(sim): State<ShaqSim>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> ApiResult {
    let account = sim.authorize(&headers)?;
    let reference = format!("SAAM-{}", Utc::now().format("%Y%m%d%H%M%S%f"));
    let mut created = ship_all(&sim, &account, &body, &reference)?;
    for package in &mut created {
        let tracking = package["trackingNumber"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        package["trackingUrl"] = json!(format!("https://sandbox.shaq.invalid/track/{tracking}"));
    }
    let shipment = json!({ "reference": reference, "date": Utc::now().format("%Y-%m-%d %H:%M").to_string(), "packages": created });
    sim.lock().shipments.insert(reference, shipment.clone());
    Ok(ok("Shipment created successfully", shipment))
}

/// The packages of a shipment: one this account already created (same `partner_ref`) is taken
/// as it is if it is still `pending` and in no other shipment, and refused otherwise (the
/// stricter reading of ShaQ's undocumented rule); an unknown one is created, as the seed
/// describes. All or nothing: one refusal, and no package joins the shipment.
fn ship_all(
    sim: &ShaqSim,
    account: &str,
    body: &Value,
    reference: &str,
) -> Result<Vec<Value>, Response> {
    let packages = body
        .get("packages")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if packages.is_empty() {
        return Err(validation(BTreeMap::from([(
            "packages".to_owned(),
            vec!["The packages field is required.".to_owned()],
        )])));
    }
    {
        let data = sim.lock();
        if let Some(reason) = &data.refuse_shipments {
            return Err(validation(BTreeMap::from([(
                "packages".to_owned(),
                vec![reason.clone()],
            )])));
        }
        let mut errors = BTreeMap::new();
        for (i, package) in packages.iter().enumerate() {
            let partner_ref = package["partner_ref"].as_str().unwrap_or_default();
            if let Some(existing) = data.live(partner_ref).filter(|p| p.account == account) {
                if existing.status != "pending" {
                    errors.insert(
                        format!("packages.{i}.partner_ref"),
                        vec![format!(
                            "The package is {} and can no longer be shipped.",
                            existing.status
                        )],
                    );
                } else if let Some(other) = &existing.shipment {
                    errors.insert(
                        format!("packages.{i}.partner_ref"),
                        vec![format!("The package is already in shipment {other}.")],
                    );
                }
            }
        }
        if !errors.is_empty() {
            return Err(validation(errors));
        }
    }
    let mut shipped = Vec::new();
    for (i, package) in packages.into_iter().enumerate() {
        let partner_ref = package["partner_ref"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let exists = sim
            .lock()
            .live(&partner_ref)
            .is_some_and(|p| p.account == account);
        if !exists && let Err(errors) = sim.create(package, account) {
            let prefixed = errors
                .into_iter()
                .map(|(k, v)| (format!("packages.{i}.{k}"), v))
                .collect();
            return Err(validation(prefixed));
        }
        let mut data = sim.lock();
        if let Some(existing) = data.live_mut(&partner_ref) {
            existing.shipment = Some(reference.to_owned());
            shipped.push(existing.to_api());
        }
    }
    Ok(shipped)
}

impl ShaqSim {
    /// The next bulk call that carries one of these references leaves it out of its answer
    /// (with an error for it), once per reference; a single create of it then works.
    pub fn fail_in_bulk(&self, references: &[&str]) {
        self.lock()
            .fail_in_bulk
            .extend(references.iter().map(|r| (*r).to_owned()));
    }

    /// Refuses every shipment with `reason` (a 422 on `packages`) until called with `None`.
    pub fn refuse_shipments(&self, reason: Option<&str>) {
        self.lock().refuse_shipments = reason.map(str::to_owned);
    }

    /// The handover shipments made so far, by reference.
    pub fn shipments(&self) -> BTreeMap<String, Value> {
        self.lock().shipments.clone()
    }
}

async fn get_shipment(
    State(sim): State<ShaqSim>,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> ApiResult {
    sim.authorize(&headers)?;
    sim.lock()
        .shipments
        .get(&reference)
        .map(|s| ok("Request successful", s.clone()))
        .ok_or_else(|| error(StatusCode::NOT_FOUND, "Shipment not found"))
}

async fn replacement(
    State(sim): State<ShaqSim>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> ApiResult {
    let account = sim.authorize(&headers)?;
    let packages = body
        .get("packages")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut actions: Vec<&str> = packages
        .iter()
        .filter_map(|p| p.get("action").and_then(Value::as_str))
        .collect();
    actions.sort_unstable();
    let valid = match body.get("rule").and_then(Value::as_str) {
        Some("deliver") => actions == ["deliver"],
        Some("return") => actions == ["return"],
        Some("return_deliver") => actions == ["deliver", "return"],
        _ => {
            return Err(validation(BTreeMap::from([(
                "rule".to_owned(),
                vec!["The selected rule is invalid.".to_owned()],
            )])));
        }
    };
    if !valid || actions.len() != packages.len() {
        return Err(validation(BTreeMap::from([(
            "packages".to_owned(),
            vec!["The packages do not match the rule.".to_owned()],
        )])));
    }
    let mut created = Vec::new();
    for package in packages {
        let action = package["action"].clone();
        let mut api = sim.create(package, &account).map_err(validation)?;
        api["isReplacement"] = json!(true);
        api["action"] = action;
        api["paymentStatus"] = json!("unpaid");
        created.push(api);
    }
    Ok(ok(
        "Replacement created successfully",
        Value::Array(created),
    ))
}
