//! The admin API's OpenAPI document describes what the API really answers: real answers of a
//! running bridge, for an order's whole journey, are validated against the document's schema
//! for that path, method and status (JSON Schema, as OpenAPI 3.1 defines it).

use bridge_core::lifecycle::OrderState;
use bridge_sandbox::shops::OrderSpec;
use bridge_sandbox::wait_for;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::SandboxBridge;

const TOKEN: &str = "openapi-admin-token-0123456789";

/// The schema the document gives the answer of `method path` with `status`.
fn answer_schema(document: &Value, path: &str, method: &str, status: u16) -> Value {
    let answer = &document["paths"][path][method]["responses"][status.to_string()];
    let schema = &answer["content"]["application/json"]["schema"];
    assert!(
        !schema.is_null(),
        "the document describes no JSON answer for {method} {path} {status}: {answer}"
    );
    // The answer's schema, with the document's components beside it so its `$ref`s resolve.
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "allOf": [schema],
        "components": document["components"],
    })
}

/// What is wrong with `answer` by the document's schema for `method template status`.
fn mismatches(
    document: &Value,
    (method, template, status): (&str, &str, u16),
    answer: &Value,
) -> Vec<String> {
    let schema = answer_schema(document, template, method, status);
    let validator = jsonschema::validator_for(&schema)
        .unwrap_or_else(|e| panic!("the schema of {method} {template} {status} compiles: {e}"));
    validator
        .iter_errors(answer)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// Calls the API and checks the answer against the document.
async fn checked(
    bridge: &SandboxBridge,
    document: &Value,
    method: Method,
    (template, path): (&str, &str),
    body: Option<Value>,
    expected: u16,
) -> Value {
    let client = reqwest::Client::new();
    let mut request = client
        .request(method.clone(), bridge.url(path))
        .bearer_auth(TOKEN);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let answer: Value = response.json().await.unwrap();
    assert_eq!(status, expected, "{method} {path}: {answer}");
    let errors = mismatches(
        document,
        (&method.as_str().to_lowercase(), template, status),
        &answer,
    );
    assert!(
        errors.is_empty(),
        "{method} {path} {status} does not match the document: {errors:#?}\n{answer:#}"
    );
    answer
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_answers_match_the_openapi_document() {
    let bridge =
        SandboxBridge::start_on(bridge_core::testing::TestBackend::Sqlite, "", Some(TOKEN)).await;
    let document: Value = reqwest::Client::new()
        .get(bridge.url("/api/openapi.json"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        document["openapi"]
            .as_str()
            .unwrap_or("")
            .starts_with("3.1"),
        "OpenAPI 3.1: its schemas are JSON Schema"
    );

    // One order delivered (package, ticket, timeline, jobs, webhooks), one stuck.
    let spec = |id, region: &str| OrderSpec {
        id,
        cod: true,
        country: "GH",
        phone: Some("024 412 3456".to_owned()),
        region: Some(region.to_owned()),
    };
    bridge
        .place_woo_order(&spec(1401, "Ashanti"), "Kumasi")
        .await;
    bridge
        .place_woo_order(&spec(1402, "Atlantis"), "Xyzzy")
        .await;
    wait_for(
        "the package",
        std::time::Duration::from_secs(60),
        || async { bridge.sandbox.shaq.package("atlas-1401") },
    )
    .await
    .unwrap();
    bridge
        .wait_for_state("atlas/1401", OrderState::Shipping)
        .await;
    bridge
        .wait_for_state("atlas/1402", OrderState::NeedsAttention)
        .await;

    let list = checked(
        &bridge,
        &document,
        Method::GET,
        ("/api/orders", "/api/orders"),
        None,
        200,
    )
    .await;
    assert_eq!(list["total"], 2);
    // The check bites: an answer that drifted from the document is caught, deep inside too.
    let mut drifted = list.clone();
    drifted["total"] = json!("two");
    drifted["orders"][0]["state"] = json!("teleported");
    drifted["orders"][0]["order"]["payment"] = json!({ "kind": "barter" });
    assert_eq!(
        mismatches(&document, ("get", "/api/orders", 200), &drifted).len(),
        3,
        "{drifted:#}"
    );
    let one = checked(
        &bridge,
        &document,
        Method::GET,
        ("/api/orders/{shop_id}/{order_id}", "/api/orders/atlas/1401"),
        None,
        200,
    )
    .await;
    assert!(!one["timeline"].as_array().unwrap().is_empty());
    checked(
        &bridge,
        &document,
        Method::GET,
        (
            "/api/orders/{shop_id}/{order_id}",
            "/api/orders/atlas/404404",
        ),
        None,
        404,
    )
    .await;
    checked(
        &bridge,
        &document,
        Method::PATCH,
        ("/api/orders/{shop_id}/{order_id}", "/api/orders/atlas/1402"),
        Some(json!({ "region": "Atlantis" })),
        422,
    )
    .await;
    let corrected = checked(
        &bridge,
        &document,
        Method::PATCH,
        ("/api/orders/{shop_id}/{order_id}", "/api/orders/atlas/1402"),
        Some(json!({ "region": "Ashanti", "phone": "024 412 3456" })),
        200,
    )
    .await;
    assert_eq!(corrected["job_state"], "done");
    checked(
        &bridge,
        &document,
        Method::GET,
        ("/api/jobs", "/api/jobs?limit=20"),
        None,
        200,
    )
    .await;
    checked(
        &bridge,
        &document,
        Method::POST,
        ("/api/jobs/retry-dead", "/api/jobs/retry-dead"),
        None,
        200,
    )
    .await;
    let handover = checked(
        &bridge,
        &document,
        Method::POST,
        ("/api/shops/{shop_id}/handover", "/api/shops/atlas/handover"),
        None,
        202,
    )
    .await;
    let id = handover["shipment"]["id"].as_i64().unwrap();
    checked(
        &bridge,
        &document,
        Method::POST,
        ("/api/shops/{shop_id}/handover", "/api/shops/atlas/handover"),
        None,
        200,
    )
    .await;
    checked(
        &bridge,
        &document,
        Method::GET,
        ("/api/shipments", "/api/shipments"),
        None,
        200,
    )
    .await;
    checked(
        &bridge,
        &document,
        Method::GET,
        ("/api/shipments/{id}", &format!("/api/shipments/{id}")),
        None,
        200,
    )
    .await;
    checked(
        &bridge,
        &document,
        Method::GET,
        ("/api/reports", "/api/reports?by=day"),
        None,
        200,
    )
    .await;
    bridge.stop().await;
}
