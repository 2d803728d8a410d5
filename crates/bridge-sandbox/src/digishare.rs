//! The Digishare simulator: PAT and OAuth auth, tickets, media upload, thirds, `ticket.updated`
//! webhooks on every status change, and the WhatsApp messages a customer would receive.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::faults::{FaultPlan, Faults};
use crate::recording::Recorder;
use crate::webhooks::{WebhookSender, WebhookTarget};

/// Settings of the Digishare simulator.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DigishareSimConfig {
    /// An accepted Personal Access Token.
    pub access_token: String,
    /// OAuth client id.
    pub client_id: String,
    /// OAuth client secret.
    pub client_secret: String,
    /// Ticket types (hashed ids) the account has.
    pub ticket_types: Vec<String>,
    /// Status key → hashed id.
    pub statuses: BTreeMap<String, String>,
    /// Whether a status change made through the API fires `ticket.updated` too (undocumented;
    /// the stricter reading is yes: the bridge must recognise its own echo).
    pub webhook_on_api_change: bool,
    /// Faults to inject.
    pub faults: FaultPlan,
}

impl Default for DigishareSimConfig {
    fn default() -> Self {
        let statuses = [
            ("awaiting_confirmation", "x9q3wrlv0m7vzea8"),
            ("received", "r3c31v3dq0m7vze1"),
            ("confirmed", "yqdwrbka7kz69v8e"),
            ("cancelled", "c4nc3ll3dkz69v8e"),
            ("package_created", "p4ck4g3dkz69v8e1"),
            ("picked_up", "p1ck3dupkz69v8e1"),
            ("in_transit", "1ntr4ns1tz69v8e1"),
            ("out_for_delivery", "0utf0rd3l1v3ry01"),
            ("ready_for_pickup", "r34dyp1ckupz69v8"),
            ("delivery_confirmed", "d3lc0nf1rm3d9v8e"),
            ("delivered", "d3l1v3r3dkz69v8e"),
            ("delivery_problem", "pr0bl3mkz69v8e01"),
            ("on_hold", "0nh0ldkz69v8e001"),
            ("returning", "r3turn1ngz69v8e1"),
            ("returned", "r3turn3dkz69v8e1"),
            ("reminder_1", "r3m1nd3r1z69v8e1"),
            ("reminder_2", "r3m1nd3r2z69v8e1"),
            ("return_requested", "r3tr3qu3st3d9v8e"),
            ("return_collected", "r3tc0ll3ct3d9v8e"),
            ("return_received", "r3tr3c31v3d09v8e"),
            ("replacement_sent", "r3pl4c3s3nt09v8e"),
            ("replacement_out_for_delivery", "r3pl0utf0rd9v8e1"),
            ("replacement_delivered", "r3pld3l1v3r3dv8e"),
            ("amount_updated", "4m0untupd4t3d8e1"),
        ];
        DigishareSimConfig {
            access_token: "sandbox-digishare-token".to_owned(),
            client_id: "sandbox-client".to_owned(),
            client_secret: "sandbox-client-secret".to_owned(),
            ticket_types: vec!["npvrxamq9l94y8dz".to_owned()],
            statuses: statuses
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            webhook_on_api_change: true,
            faults: FaultPlan::default(),
        }
    }
}

/// A WhatsApp message the customer would have received.
#[derive(Debug, Clone, Serialize)]
pub struct WhatsAppMessage {
    /// When.
    pub at: chrono::DateTime<Utc>,
    /// The ticket.
    pub ticket_id: String,
    /// Its external id (the order).
    pub external_id: String,
    /// The status key.
    pub status: String,
    /// The language.
    pub lang: String,
    /// The customer's WhatsApp id.
    pub wa_id: String,
    /// The template variables at that moment.
    pub campaign_data: Value,
}

#[derive(Debug, Default)]
struct Data {
    oauth_tokens: Vec<String>,
    tickets: BTreeMap<String, Value>,
    order: Vec<String>,
    messages: Vec<WhatsAppMessage>,
    media: Vec<Value>,
    /// The bytes of each uploaded file, by id.
    media_files: HashMap<String, Vec<u8>>,
    thirds: BTreeMap<String, Value>,
}

/// The Digishare simulator. Cheap to clone.
#[derive(Clone)]
pub struct DigishareSim {
    config: Arc<DigishareSimConfig>,
    data: Arc<Mutex<Data>>,
    /// Every request received.
    pub recorder: Recorder,
    /// Fault injection.
    pub faults: Faults,
    /// Outbound webhooks.
    pub webhooks: WebhookSender,
}

fn hashed_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..16].to_owned()
}

fn stamp() -> String {
    Utc::now().format("%Y-%m-%d %H:%M:%S").to_string()
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "message": message }))).into_response()
}

fn validation(errors: BTreeMap<String, Vec<String>>) -> Response {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(json!({ "message": "The given data was invalid.", "errors": errors })),
    )
        .into_response()
}

impl DigishareSim {
    /// A simulator with `config`.
    pub fn new(config: DigishareSimConfig) -> Self {
        let faults = Faults::new(config.faults.clone());
        DigishareSim {
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

    /// The status ids, by key.
    pub fn statuses(&self) -> &BTreeMap<String, String> {
        &self.config.statuses
    }

    fn status_key(&self, id: &str) -> String {
        self.config
            .statuses
            .iter()
            .find(|(_, v)| v.as_str() == id)
            .map_or_else(|| id.to_owned(), |(k, _)| k.clone())
    }

    /// Webhooks go to `url` as `Authorization: Bearer <secret>`.
    pub fn set_webhook_target(&self, url: &str, secret: &str) {
        self.webhooks.set_target(WebhookTarget {
            url: url.to_owned(),
            headers: vec![("Authorization".to_owned(), format!("Bearer {secret}"))],
        });
    }

    /// How many tickets exist, and how many of them are in `status_id`, without copying them.
    pub fn ticket_counts(&self, status_id: &str) -> (usize, usize) {
        let data = self.lock();
        let in_status = data
            .tickets
            .values()
            .filter(|t| t["ticket_status_id"] == status_id)
            .count();
        (data.tickets.len(), in_status)
    }

    /// An uploaded file's bytes, by its id.
    pub fn media_file(&self, id: &str) -> Option<Vec<u8>> {
        self.lock().media_files.get(id).cloned()
    }

    /// Every upload: `{id, file_name, mime_type, category, extension}`.
    pub fn media(&self) -> Vec<Value> {
        self.lock().media.clone()
    }

    /// Every ticket, in creation order.
    pub fn tickets(&self) -> Vec<Value> {
        let data = self.lock();
        data.order
            .iter()
            .filter_map(|id| data.tickets.get(id).cloned())
            .collect()
    }

    /// The ticket with this external id.
    pub fn ticket_by_external_id(&self, external_id: &str) -> Option<Value> {
        self.tickets()
            .into_iter()
            .find(|t| t["external_id"] == external_id)
    }

    /// The WhatsApp messages sent so far.
    pub fn messages(&self) -> Vec<WhatsAppMessage> {
        self.lock().messages.clone()
    }

    /// The customer taps "confirm" on WhatsApp.
    pub fn customer_confirms(&self, ticket_id: &str) -> Result<(), String> {
        let id = self
            .config
            .statuses
            .get("confirmed")
            .cloned()
            .ok_or("no confirmed status")?;
        self.set_status(ticket_id, &id, true)
    }

    /// The customer cancels on WhatsApp.
    pub fn customer_cancels(&self, ticket_id: &str) -> Result<(), String> {
        let id = self
            .config
            .statuses
            .get("cancelled")
            .cloned()
            .ok_or("no cancelled status")?;
        self.set_status(ticket_id, &id, true)
    }

    /// Moves a ticket (as an agent or the customer would) and sends `ticket.updated`.
    pub fn set_status(&self, ticket_id: &str, status_id: &str, notify: bool) -> Result<(), String> {
        let payload = {
            let mut data = self.lock();
            let ticket = data
                .tickets
                .get_mut(ticket_id)
                .ok_or_else(|| format!("no ticket {ticket_id}"))?;
            let changed = ticket["ticket_status_id"] != status_id;
            let now = stamp();
            ticket["ticket_status_id"] = json!(status_id);
            ticket["updated_at"] =
                json!(Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true));
            ticket["date_status"] = json!(now);
            let snapshot = ticket.clone();
            if changed {
                let message = self.message_for(&snapshot);
                data.messages.push(message);
            }
            (notify && changed).then(|| {
                json!({
                    "event": "ticket.updated",
                    "data": {
                        "id": ticket_id, "data": snapshot, "wasRecentlyCreated": false,
                        "changes": { "ticket_status_id": status_id, "date_status": now, "updated_at": now },
                    }
                })
            })
        };
        if let Some(payload) = payload {
            self.webhooks.send(payload);
        }
        Ok(())
    }

    fn message_for(&self, ticket: &Value) -> WhatsAppMessage {
        WhatsAppMessage {
            at: Utc::now(),
            ticket_id: ticket["id"].as_str().unwrap_or_default().to_owned(),
            external_id: ticket["external_id"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            status: self.status_key(ticket["ticket_status_id"].as_str().unwrap_or_default()),
            lang: ticket["lang"].as_str().unwrap_or("fr").to_owned(),
            wa_id: ticket
                .pointer("/information/third/wa_id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            campaign_data: ticket
                .pointer("/information/campaign_data")
                .cloned()
                .unwrap_or(Value::Null),
        }
    }

    /// The HTTP API.
    pub fn router(&self) -> Router {
        let api = Router::new()
            .route("/oauth/token", post(oauth_token))
            .route("/user/profile", get(profile))
            .route("/tickets", get(list_tickets).post(create_ticket))
            .route(
                "/tickets/{id}",
                get(get_ticket).put(update_ticket).patch(update_ticket),
            )
            .route("/messagesTemplates", post(upload_media))
            .route("/thirds", get(list_thirds).post(create_third))
            .route("/thirds/{id}", get(get_third).patch(update_third));
        let control = Router::new()
            .route("/_sandbox/tickets", get(control_tickets))
            .route("/_sandbox/tickets/{id}/answer", post(control_answer))
            .route("/_sandbox/messages", get(control_messages))
            .route("/_sandbox/requests", get(control_requests));
        Router::new()
            .nest("/v1", api)
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

    fn authorize(&self, headers: &HeaderMap) -> Result<(), Response> {
        let token = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| error(StatusCode::UNAUTHORIZED, "Unauthenticated."))?;
        if token == self.config.access_token || self.lock().oauth_tokens.iter().any(|t| t == token)
        {
            Ok(())
        } else {
            Err(error(StatusCode::UNAUTHORIZED, "Unauthenticated."))
        }
    }
}

async fn oauth_token(State(sim): State<DigishareSim>, Json(body): Json<Value>) -> Response {
    let field = |k: &str| body.get(k).and_then(Value::as_str).unwrap_or_default();
    if field("grant_type") != "client_credentials"
        || field("client_id") != sim.config.client_id
        || field("client_secret") != sim.config.client_secret
    {
        return error(StatusCode::UNAUTHORIZED, "Client authentication failed");
    }
    let token = format!("eyJ{}", uuid::Uuid::new_v4().simple());
    sim.lock().oauth_tokens.push(token.clone());
    Json(json!({ "token_type": "Bearer", "expires_in": 31_536_000, "access_token": token }))
        .into_response()
}

async fn profile(State(sim): State<DigishareSim>, headers: HeaderMap) -> Response {
    if let Err(response) = sim.authorize(&headers) {
        return response;
    }
    Json(json!({ "data": { "id": "usr_sandbox", "name": "Sandbox merchant", "email": "merchant@sandbox.invalid" } }))
        .into_response()
}

async fn create_ticket(
    State(sim): State<DigishareSim>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Err(response) = sim.authorize(&headers) {
        return response;
    }
    let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut fail = |f: &str, m: &str| errors.entry(f.to_owned()).or_default().push(m.to_owned());
    let text = |k: &str| {
        body.get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    match text("subject") {
        Some(s) if (5..=255).contains(&s.chars().count()) => {}
        _ => fail(
            "subject",
            "The subject must be between 5 and 255 characters.",
        ),
    }
    if !text("type_ticket_id").is_some_and(|t| sim.config.ticket_types.iter().any(|k| k == t)) {
        fail("type_ticket_id", "The selected type ticket id is invalid.");
    }
    if !text("ticket_status_id").is_some_and(|s| sim.config.statuses.values().any(|v| v == s)) {
        fail(
            "ticket_status_id",
            "The selected ticket status id is invalid.",
        );
    }
    if let Some(wa_id) = body.pointer("/information/third/wa_id")
        && !wa_id
            .as_str()
            .is_some_and(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_digit()))
    {
        fail(
            "information.third.wa_id",
            "The wa id must contain digits only.",
        );
    }
    if let Some(lang) = text("lang")
        && !["fr", "en", "ar"].contains(&lang)
    {
        fail("lang", "The selected lang is invalid.");
    }
    if !errors.is_empty() {
        return validation(errors);
    }
    let id = hashed_id();
    let now = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let mut ticket: Map<String, Value> = body.as_object().cloned().unwrap_or_default();
    ticket.insert("id".to_owned(), json!(id));
    ticket.insert(
        "ticket_number".to_owned(),
        json!(format!("{}", 342_100 + sim.lock().order.len())),
    );
    ticket.insert("created_at".to_owned(), json!(now));
    ticket.insert("updated_at".to_owned(), json!(now));
    ticket.insert("date_status".to_owned(), json!(stamp()));
    ticket.insert("creation_mode".to_owned(), json!("api"));
    let ticket = Value::Object(ticket);
    {
        let mut data = sim.lock();
        let message = sim.message_for(&ticket);
        data.messages.push(message);
        data.tickets.insert(id.clone(), ticket.clone());
        data.order.push(id);
    }
    (StatusCode::CREATED, Json(ticket)).into_response()
}

async fn get_ticket(
    State(sim): State<DigishareSim>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(response) = sim.authorize(&headers) {
        return response;
    }
    match sim.lock().tickets.get(&id) {
        Some(ticket) => Json(json!({ "data": ticket })).into_response(),
        None => error(StatusCode::NOT_FOUND, "Ticket not found"),
    }
}

async fn update_ticket(
    State(sim): State<DigishareSim>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(body): Json<Value>,
) -> Response {
    if let Err(response) = sim.authorize(&headers) {
        return response;
    }
    if let Some(status) = body.get("ticket_status_id").and_then(Value::as_str)
        && !sim.config.statuses.values().any(|v| v == status)
    {
        return validation(BTreeMap::from([(
            "ticket_status_id".to_owned(),
            vec!["The selected ticket status id is invalid.".to_owned()],
        )]));
    }
    {
        let mut data = sim.lock();
        let Some(ticket) = data.tickets.get_mut(&id) else {
            return error(StatusCode::NOT_FOUND, "Ticket not found");
        };
        if let Some(information) = body.get("information").and_then(Value::as_object) {
            for (key, value) in information {
                ticket["information"][key] = value.clone();
            }
        }
        if let Some(note) = body.get("note") {
            ticket["note"] = note.clone();
        }
    }
    if let Some(status) = body.get("ticket_status_id").and_then(Value::as_str)
        && let Err(message) = sim.set_status(&id, status, sim.config.webhook_on_api_change)
    {
        return error(StatusCode::NOT_FOUND, &message);
    }
    match sim.lock().tickets.get(&id) {
        Some(ticket) => Json(json!({ "data": ticket })).into_response(),
        None => error(StatusCode::NOT_FOUND, "Ticket not found"),
    }
}

#[derive(Deserialize)]
struct ListQuery {
    page: Option<usize>,
    limit: Option<usize>,
    search: Option<String>,
    ticket_status_id: Option<String>,
}

async fn list_tickets(
    State(sim): State<DigishareSim>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Response {
    if let Err(response) = sim.authorize(&headers) {
        return response;
    }
    // Filtered under the lock, copying only what matches: the bridge searches before every
    // ticket it creates, and the benchmark makes thousands.
    let data = sim.lock();
    let matching: Vec<Value> = data
        .order
        .iter()
        .filter_map(|id| data.tickets.get(id))
        .filter(|t| {
            q.search.as_deref().is_none_or(|s| {
                ["subject", "ticket_number", "external_id"]
                    .iter()
                    .any(|k| t[*k].as_str().is_some_and(|v| v.contains(s)))
            })
        })
        .filter(|t| {
            q.ticket_status_id
                .as_deref()
                .is_none_or(|s| t["ticket_status_id"] == s)
        })
        .cloned()
        .collect();
    drop(data);
    let per_page = q.limit.unwrap_or(25).clamp(1, 100);
    let page = q.page.unwrap_or(1).max(1);
    let total_pages = matching.len().div_ceil(per_page).max(1);
    let items: Vec<Value> = matching
        .iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .cloned()
        .collect();
    Json(json!({
        "data": items,
        "meta": { "total": matching.len(), "count": items.len(), "per_page": per_page,
                  "current_page": page, "total_pages": total_pages, "links": null }
    }))
    .into_response()
}

async fn upload_media(
    State(sim): State<DigishareSim>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Err(response) = sim.authorize(&headers) {
        return response;
    }
    let file = body.get("file").cloned().unwrap_or(Value::Null);
    let text = |k: &str| {
        file.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let data_uri = text("base64");
    let mime = text("mime_type");
    let decoded = data_uri
        .strip_prefix(&format!("data:{mime};base64,"))
        .and_then(|b64| base64::engine::general_purpose::STANDARD.decode(b64).ok());
    if mime.is_empty() || decoded.is_none() {
        errors.insert(
            "file.base64".to_owned(),
            vec!["The file must be a base64 data URI of its mime type.".to_owned()],
        );
    }
    let name = text("file_name");
    if name.is_empty() || name.contains('.') {
        errors.insert(
            "file.file_name".to_owned(),
            vec!["The file name is required, without its extension.".to_owned()],
        );
    }
    // The guide's body has no `extension`; one that is sent must name something.
    if file.get("extension").is_some() && text("extension").is_empty() {
        errors.insert(
            "file.extension".to_owned(),
            vec!["The extension must not be empty.".to_owned()],
        );
    }
    if body.get("type").and_then(Value::as_str) != Some("file") {
        errors.insert(
            "type".to_owned(),
            vec!["The selected type is invalid.".to_owned()],
        );
    }
    if !errors.is_empty() {
        return validation(errors);
    }
    let id = hashed_id();
    let mut data = sim.lock();
    data.media.push(json!({
        "id": id, "file_name": name, "mime_type": mime,
        "category": body.get("category"), "extension": file.get("extension"),
    }));
    data.media_files
        .insert(id.clone(), decoded.unwrap_or_default());
    Json(json!({ "data": { "id": id } })).into_response()
}

async fn list_thirds(
    State(sim): State<DigishareSim>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Response {
    if let Err(response) = sim.authorize(&headers) {
        return response;
    }
    let thirds: Vec<Value> = sim
        .lock()
        .thirds
        .values()
        .filter(|t| {
            q.search
                .as_deref()
                .is_none_or(|s| t.to_string().contains(s))
        })
        .cloned()
        .collect();
    Json(json!({ "data": thirds, "meta": { "pagination": { "current_page": 1, "total_pages": 1 } } })).into_response()
}

async fn create_third(
    State(sim): State<DigishareSim>,
    headers: HeaderMap,
    Json(mut body): Json<Value>,
) -> Response {
    if let Err(response) = sim.authorize(&headers) {
        return response;
    }
    let id = hashed_id();
    body["id"] = json!(id);
    sim.lock().thirds.insert(id, body.clone());
    (StatusCode::CREATED, Json(json!({ "data": body }))).into_response()
}

async fn get_third(
    State(sim): State<DigishareSim>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(response) = sim.authorize(&headers) {
        return response;
    }
    match sim.lock().thirds.get(&id) {
        Some(third) => Json(json!({ "data": third })).into_response(),
        None => error(StatusCode::NOT_FOUND, "Third not found"),
    }
}

async fn update_third(
    State(sim): State<DigishareSim>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(body): Json<Value>,
) -> Response {
    if let Err(response) = sim.authorize(&headers) {
        return response;
    }
    let mut data = sim.lock();
    let Some(third) = data.thirds.get_mut(&id) else {
        return error(StatusCode::NOT_FOUND, "Third not found");
    };
    if let (Some(target), Some(changes)) = (third.as_object_mut(), body.as_object()) {
        for (k, v) in changes {
            target.insert(k.clone(), v.clone());
        }
    }
    Json(json!({ "data": third })).into_response()
}

async fn control_tickets(State(sim): State<DigishareSim>) -> Json<Value> {
    Json(Value::Array(sim.tickets()))
}

#[derive(Deserialize)]
struct Answer {
    answer: String,
}

async fn control_answer(
    State(sim): State<DigishareSim>,
    Path(id): Path<String>,
    Json(body): Json<Answer>,
) -> Response {
    let result = match body.answer.as_str() {
        "confirm" => sim.customer_confirms(&id),
        "cancel" => sim.customer_cancels(&id),
        _ => Err("answer must be confirm or cancel".to_owned()),
    };
    match result {
        Ok(()) => Json(json!({ "answer": body.answer })).into_response(),
        Err(message) => error(StatusCode::UNPROCESSABLE_ENTITY, &message),
    }
}

async fn control_messages(State(sim): State<DigishareSim>) -> Json<Value> {
    Json(json!(sim.messages()))
}

async fn control_requests(State(sim): State<DigishareSim>) -> Json<Value> {
    Json(json!(sim.recorder.all()))
}
