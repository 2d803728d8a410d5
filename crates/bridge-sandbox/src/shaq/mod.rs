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

mod routes;

use routes::*;

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
    /// History, oldest first: (status, description, time, comment).
    pub history: Vec<(String, String, chrono::DateTime<Utc>, Option<String>)>,
    /// The new delivery day a `rescheduled` step gave.
    pub rescheduled_date: Option<chrono::NaiveDate>,
    /// The package a replacement replaces (its partner reference, from the request's path).
    pub replaces: Option<String>,
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
            "rescheduledDate": self.rescheduled_date.map(|d| d.to_string()),
            // The document shows `trackingUrl` on a shipment's packages: the simulator gives a
            // package its page once it is handed over in one.
            "trackingUrl": self.shipment.as_ref().map(|_| tracking_page(&self.tracking_number)),
            "trackingHistory": self.history.iter().rev().map(|(name, description, date, comment)| json!({
                "name": name, "description": description, "date": date.format("%Y-%m-%d %H:%M").to_string(), "comment": comment
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
        self.advance_with(partner_ref, status, None, None)
    }

    /// As [`ShaqSim::advance`], with the step's comment, and for `rescheduled` the new day.
    pub fn advance_with(
        &self,
        partner_ref: &str,
        status: &str,
        comment: Option<&str>,
        rescheduled_date: Option<chrono::NaiveDate>,
    ) -> Result<(), String> {
        let now = Utc::now();
        let payload = {
            let mut data = self.lock();
            let package = data
                .live_mut(partner_ref)
                .ok_or_else(|| format!("no package {partner_ref}"))?;
            package.status = status.to_owned();
            package.history.push((
                status.to_owned(),
                describe(status),
                now,
                comment.map(str::to_owned),
            ));
            if rescheduled_date.is_some() {
                package.rescheduled_date = rescheduled_date;
            }
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
                    "status": status, "description": describe(status), "comment": comment,
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
                    // Numbers, as the document's example has them.
                    "meta": { "old_amount_to_collect": number(old), "new_amount_to_collect": number(amount), "currency": "GHS", "reason": reason },
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
            .route("/packages/{partner_ref}/replacement", post(replacement))
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
            .route(
                "/_sandbox/packages/{partner_ref}/amount",
                post(control_amount),
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
            history: vec![("pending".to_owned(), describe("pending"), Utc::now(), None)],
            rescheduled_date: None,
            replaces: None,
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

/// An amount as a JSON number (two decimals), as ShaQ's document writes them.
fn number(amount: Decimal) -> Value {
    amount
        .round_dp(2)
        .to_string()
        .parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map_or(Value::Null, Value::Number)
}

/// ShaQ's public tracking page of a package, as the document's example writes it.
pub fn tracking_page(tracking_number: &str) -> String {
    format!("https://dev.tracking-website.pages.dev/packages/{tracking_number}")
}
