//! The simulators' own behaviour: validation like the real services, webhooks shaped as
//! documented, faults at the configured rate and the same for the same seed.

#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use axum::Json;
use axum::http::HeaderMap;
use axum::routing::post;
use bridge_sandbox::faults::FaultPlan;
use bridge_sandbox::{DigishareSimConfig, Sandbox, SandboxConfig, ShaqSimConfig};
use serde_json::{Value, json};

async fn login(client: &reqwest::Client, sandbox: &Sandbox) -> String {
    let body: Value = client
        .post(format!("{}/auth/login", sandbox.shaq_url()))
        .json(&json!({"identifier": "sandbox-partner", "secret": "sandbox-secret"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["data"]["token"].as_str().unwrap().to_owned()
}

fn package(partner_ref: &str) -> Value {
    json!({"partner_ref": partner_ref, "customer_name": "Ama", "customer_phone_1": "+233244123456",
        "source_country_iso2": "GH", "source_address_line_1": "Osu", "destination_region": "Ashanti",
        "destination_city": "Kumasi", "destination_address_line_1": "5 Ring Road", "description": "Order",
        "units": 1, "type": "box", "handling": "normal", "value": 300, "items": [{"name": "x", "quantity": 1}]})
}

/// A receiver that keeps what it is sent, with its headers.
async fn receiver() -> (String, Arc<Mutex<Vec<(HeaderMap, Value)>>>) {
    let received: Arc<Mutex<Vec<(HeaderMap, Value)>>> = Arc::default();
    let sink = received.clone();
    let app = axum::Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, Json(body): Json<Value>| {
            let sink = sink.clone();
            async move {
                sink.lock().unwrap().push((headers, body));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, received)
}

#[tokio::test]
async fn shaq_validates_like_the_real_api_and_defaults_to_cod() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let client = reqwest::Client::new();
    let unauthorized = client
        .get(format!("{}/setup/regions", sandbox.shaq_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthorized.status(), 401);
    let token = login(&client, &sandbox).await;
    let create = |body: Value| {
        client
            .post(format!("{}/packages", sandbox.shaq_url()))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    let created = create(package("kente-1")).await.unwrap();
    assert_eq!(
        created.status(),
        200,
        "the document answers a creation with 200"
    );
    let created: Value = created.json().await.unwrap();
    assert_eq!(
        created["data"]["amountToCollect"], "300.00",
        "COD is the default"
    );
    let duplicate: Value = create(package("kente-1"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        duplicate["errors"]["partner_ref"][0],
        "The partner ref has already been taken."
    );
    let mut bad = package("kente-2");
    bad["type"] = json!("crate");
    bad.as_object_mut().unwrap().remove("destination_region");
    let response = create(bad).await.unwrap();
    assert_eq!(response.status(), 422);
    let errors: Value = response.json().await.unwrap();
    assert!(errors["errors"]["type"].is_array());
    assert!(errors["errors"]["destination_region"].is_array());
    let hash = client
        .get(format!("{}/packages/%23kente-1", sandbox.shaq_url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        hash.status(),
        404,
        "refs starting with # are not found, as on the test server"
    );
}

#[tokio::test]
async fn shaq_tokens_expire_and_labels_take_a_while() {
    let sandbox = Sandbox::start(SandboxConfig {
        shaq: ShaqSimConfig {
            token_lifetime_secs: 1,
            label_ready_after_secs: 1,
            ..ShaqSimConfig::default()
        },
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let client = reqwest::Client::new();
    let token = login(&client, &sandbox).await;
    client
        .post(format!("{}/packages", sandbox.shaq_url()))
        .bearer_auth(&token)
        .json(&package("kente-1"))
        .send()
        .await
        .unwrap();
    let label = client
        .get(format!("{}/packages/kente-1/label", sandbox.shaq_url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(label.status(), 202);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let expired = client
        .get(format!("{}/packages/kente-1/label", sandbox.shaq_url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(expired.status(), 401, "the token expired");
    let token = login(&client, &sandbox).await;
    let ready: Value = client
        .get(format!("{}/packages/kente-1/label", sandbox.shaq_url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(ready["data"]["url"].as_str().unwrap().ends_with(".pdf"));
}

#[tokio::test]
async fn shaq_webhooks_follow_the_documented_envelope_and_can_be_duplicated_or_lost() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let (url, received) = receiver().await;
    sandbox.shaq.set_webhook_target(&url, "hook-secret");
    let client = reqwest::Client::new();
    let token = login(&client, &sandbox).await;
    client
        .post(format!("{}/packages", sandbox.shaq_url()))
        .bearer_auth(&token)
        .json(&package("kente-1"))
        .send()
        .await
        .unwrap();
    sandbox.shaq.advance("kente-1", "delivered").unwrap();
    sandbox.shaq.webhooks.wait_idle().await;
    {
        let received = received.lock().unwrap();
        let (headers, body) = &received[0];
        assert_eq!(headers["x-shaq-webhook-secret"], "hook-secret");
        assert_eq!(body["event"], "package.status_updated");
        assert_eq!(body["api_version"], "v1");
        assert!(uuid::Uuid::parse_str(body["event_id"].as_str().unwrap()).is_ok());
        assert_eq!(body["data"]["status"], "delivered");
        assert!(body["data"]["meta"]["proof_url"].is_string());
    }
    sandbox.shaq.webhooks.set_duplicate(true);
    sandbox
        .shaq
        .advance("kente-1", "returned_to_sender")
        .unwrap();
    sandbox.shaq.webhooks.wait_idle().await;
    assert_eq!(received.lock().unwrap().len(), 3);
    sandbox.shaq.webhooks.set_duplicate(false);
    sandbox.shaq.webhooks.lose_next(1);
    sandbox.shaq.advance("kente-1", "delivered").unwrap();
    sandbox.shaq.webhooks.wait_idle().await;
    assert_eq!(
        received.lock().unwrap().len(),
        3,
        "the lost delivery never arrived"
    );
}

#[tokio::test]
async fn digishare_sends_ticket_updated_with_only_new_values_and_records_messages() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let (url, received) = receiver().await;
    sandbox.digishare.set_webhook_target(&url, "digi-secret");
    let client = reqwest::Client::new();
    let bad: Value = client
        .post(format!("{}/tickets", sandbox.digishare_url()))
        .bearer_auth("sandbox-digishare-token")
        .json(&json!({"subject": "Hi", "type_ticket_id": "nope", "ticket_status_id": "nope"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for field in ["subject", "type_ticket_id", "ticket_status_id"] {
        assert!(bad["errors"][field].is_array(), "{field}: {bad}");
    }
    let created: Value = client
        .post(format!("{}/tickets", sandbox.digishare_url()))
        .bearer_auth("sandbox-digishare-token")
        .json(&json!({"external_id": "kente-1", "type_ticket_id": "npvrxamq9l94y8dz",
            "ticket_status_id": DigishareSimConfig::default().statuses["awaiting_confirmation"],
            "subject": "Order #1", "lang": "en", "information": {"third": {"wa_id": "233244123456"}}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap();
    sandbox.digishare.customer_confirms(id).unwrap();
    sandbox.digishare.webhooks.wait_idle().await;
    let received = received.lock().unwrap();
    let (headers, body) = &received[0];
    assert_eq!(headers["authorization"], "Bearer digi-secret");
    assert_eq!(body["event"], "ticket.updated");
    assert_eq!(body["data"]["id"], id);
    assert_eq!(body["data"]["wasRecentlyCreated"], false);
    let changes = body["data"]["changes"].as_object().unwrap();
    assert!(changes.contains_key("ticket_status_id"));
    let stamp = changes["updated_at"].as_str().unwrap();
    assert_eq!(stamp.len(), 19, "YYYY-MM-DD HH:MM:SS: {stamp}");
    let messages = sandbox.digishare.messages();
    assert_eq!(
        messages
            .iter()
            .map(|m| m.status.as_str())
            .collect::<Vec<_>>(),
        ["awaiting_confirmation", "confirmed"]
    );
}

#[tokio::test]
async fn faults_happen_at_the_configured_rate_and_repeat_under_a_seed() {
    let run = |seed| async move {
        let sandbox = Sandbox::start(SandboxConfig {
            shaq: ShaqSimConfig {
                faults: FaultPlan {
                    server_error: 0.2,
                    rate_limited: 0.1,
                    seed,
                    ..FaultPlan::default()
                },
                ..ShaqSimConfig::default()
            },
            ..SandboxConfig::default()
        })
        .await
        .unwrap();
        let client = reqwest::Client::new();
        let mut statuses = Vec::new();
        for _ in 0..400 {
            let status = client
                .post(format!("{}/auth/login", sandbox.shaq_url()))
                .json(&json!({"identifier": "sandbox-partner", "secret": "sandbox-secret"}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16();
            statuses.push(status);
        }
        statuses
    };
    let first = run(42).await;
    let failures = first.iter().filter(|s| **s >= 500).count();
    let limited = first.iter().filter(|s| **s == 429).count();
    assert!(
        (50..=110).contains(&failures),
        "about 20 % server errors, got {failures}"
    );
    assert!(
        (20..=65).contains(&limited),
        "about 10 % rate limited, got {limited}"
    );
    assert_eq!(first, run(42).await, "the same seed gives the same faults");
    assert_ne!(first, run(43).await);
}

/// The simulator speaks the partner document's statuses, written out on its own so that a
/// mistake in our client cannot hide behind the same mistake in the simulator; the two lists
/// must still be the same list.
#[test]
fn the_simulator_and_the_client_know_the_same_statuses() {
    let client: Vec<&str> = shaq_client::PackageStatus::ALL
        .iter()
        .map(|status| status.as_str())
        .collect();
    assert_eq!(bridge_sandbox::shaq::STATUSES.to_vec(), client);
}
