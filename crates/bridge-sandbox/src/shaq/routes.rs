//! The simulator's HTTP handlers: the partner API (login, packages, bulk, labels, tracking,
//! regions, shipments, replacements) and the `/_sandbox` control routes.

#![allow(clippy::wildcard_imports)]

use super::*;

#[derive(Deserialize)]
pub(super) struct Login {
    identifier: Option<String>,
    secret: Option<String>,
}

pub(super) async fn login(State(sim): State<ShaqSim>, Json(body): Json<Login>) -> Response {
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
pub(super) struct PageQuery {
    page: Option<usize>,
    limit: Option<usize>,
}

pub(super) async fn list_packages(
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

pub(super) async fn create_package(
    State(sim): State<ShaqSim>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> ApiResult {
    let account = sim.authorize(&headers)?;
    match sim.create(body, &account) {
        // 200, as the document answers a creation.
        Ok(package) => Ok((
            StatusCode::OK,
            Json(json!({ "message": "Package created successfully", "data": package })),
        )
            .into_response()),
        Err(errors) => Err(validation(errors)),
    }
}

/// Bulk create, with per-item outcomes (ShaQ has not documented its answer; this is the reading
/// the bridge is built to survive): the valid packages are created and listed in `data`, the
/// others are left out and named in `errors` (`packages.N.field`).
pub(super) async fn bulk_create(
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

pub(super) async fn get_package(
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

pub(super) async fn update_package(
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

pub(super) async fn delete_package(
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

pub(super) async fn cancel_order(
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

pub(super) async fn label(
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

/// A 4 × 6 inch label standing in for ShaQ's: the carrier, the tracking number large, and
/// `SANDBOX LABEL <tracking number>` (what tests look for in a handover).
pub(super) async fn label_pdf(Path(file): Path<String>) -> Response {
    let tracking_number = file.trim_end_matches(".pdf");
    let label = documents::ParcelLabel {
        carrier: "ShaQ Express (sandbox)".to_owned(),
        tracking_number: tracking_number.to_owned(),
        lines: vec![
            format!("SANDBOX LABEL {tracking_number}"),
            "Made by the ShaQ simulator: not for a real parcel.".to_owned(),
        ],
    };
    match documents::parcel_label::render(&label) {
        Ok(pdf) => ([(axum::http::header::CONTENT_TYPE, "application/pdf")], pdf).into_response(),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

pub(super) async fn track(
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
            "tracking": package.history.iter().map(|(status, description, date, _)| json!({
                "status": status, "description": description, "date": date.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
            })).collect::<Vec<_>>(),
        }),
    ))
}

pub(super) async fn list_regions(State(sim): State<ShaqSim>, headers: HeaderMap) -> ApiResult {
    sim.authorize(&headers)?;
    let list: Vec<Value> = regions()
        .into_iter()
        .map(|(id, name)| json!({ "id": id, "name": name }))
        .collect();
    Ok(ok("Request successful", Value::Array(list)))
}

pub(super) async fn control_packages(State(sim): State<ShaqSim>) -> Json<Vec<SimPackage>> {
    Json(sim.packages())
}

#[derive(Deserialize)]
pub(super) struct Advance {
    status: String,
    /// The step's comment (`Customer was unreachable upon arrival…`).
    #[serde(default)]
    comment: Option<String>,
    /// For `rescheduled`: the new delivery day.
    #[serde(default)]
    rescheduled_date: Option<chrono::NaiveDate>,
}

pub(super) async fn control_advance(
    State(sim): State<ShaqSim>,
    Path(partner_ref): Path<String>,
    Json(body): Json<Advance>,
) -> Response {
    match sim.advance_with(
        &partner_ref,
        &body.status,
        body.comment.as_deref(),
        body.rescheduled_date,
    ) {
        Ok(()) => Json(json!({ "status": body.status })).into_response(),
        Err(message) => error(StatusCode::NOT_FOUND, &message),
    }
}

/// `POST /_sandbox/packages/{ref}/amount` `{amount, reason}`: the customer agreed to a new
/// amount to collect; ShaQ sends `package.amount_to_collect_updated`.
#[derive(serde::Deserialize)]
pub(super) struct NewAmount {
    amount: Decimal,
    #[serde(default)]
    reason: Option<String>,
}

pub(super) async fn control_amount(
    State(sim): State<ShaqSim>,
    Path(partner_ref): Path<String>,
    Json(body): Json<NewAmount>,
) -> Response {
    let reason = body.reason.as_deref().unwrap_or("Customer request");
    match sim.set_amount_to_collect(&partner_ref, body.amount, reason) {
        Ok(()) => Json(json!({ "amount_to_collect": body.amount.to_string() })).into_response(),
        Err(message) => error(StatusCode::NOT_FOUND, &message),
    }
}

pub(super) async fn control_requests(State(sim): State<ShaqSim>) -> Json<Value> {
    Json(json!(sim.recorder.all()))
}

pub(super) async fn control_faults(State(sim): State<ShaqSim>) -> Json<Value> {
    Json(json!(sim.faults.counts()))
}

pub(super) async fn create_shipment(
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
        package["trackingUrl"] = json!(tracking_page(&tracking));
    }
    let shipment = json!({ "reference": reference, "date": Utc::now().format("%Y-%m-%d %H:%M").to_string(), "packages": created });
    sim.lock().shipments.insert(reference, shipment.clone());
    Ok(ok("Shipment created successfully", shipment))
}

/// The packages of a shipment: one this account already created (same `partner_ref`) is taken
/// as it is if it is still `pending` and in no other shipment, and refused otherwise (the
/// stricter reading of ShaQ's undocumented rule); an unknown one is created, as the seed
/// describes. All or nothing: one refusal, and no package joins the shipment.
pub(super) fn ship_all(
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

pub(super) async fn get_shipment(
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

pub(super) async fn replacement(
    State(sim): State<ShaqSim>,
    headers: HeaderMap,
    Path(original): Path<String>,
    Json(body): Json<Value>,
) -> ApiResult {
    let account = sim.authorize(&headers)?;
    // The package replaced must exist (the document: "to replace an existing package").
    if sim.lock().live_mut(&original).is_none() {
        return Err(error(StatusCode::NOT_FOUND, "Package not found"));
    }
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
        if let Some(made) = api["partnerRef"].as_str()
            && let Some(made) = sim.lock().live_mut(made)
        {
            made.replaces = Some(original.clone());
        }
        api["isReplacement"] = json!(true);
        api["action"] = action;
        api["paymentStatus"] = json!("unpaid");
        api["eta"] = Value::Null;
        api["maxEta"] = Value::Null;
        api["rescheduledDate"] = Value::Null;
        created.push(api);
    }
    Ok(ok(
        "Package replacement created successfully",
        Value::Array(created),
    ))
}
