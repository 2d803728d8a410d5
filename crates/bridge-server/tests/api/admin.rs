//! The admin API: token required, dead jobs visible and retryable.

use std::sync::Arc;

use async_trait::async_trait;
use bridge_core::jobs::{JobRecord, OrderJob};
use bridge_core::store::JobEffects;
use bridge_core::testing::TestBackend;
use bridge_core::worker::{JobError, JobExecutor};
use bridge_core::workflow::NewJob;
use serde_json::Value;

use crate::helpers::{TestApp, spawn_app_with};

const TOKEN: &str = "test-admin-token-0123456789";

struct AlwaysInvalid;

#[async_trait]
impl JobExecutor for AlwaysInvalid {
    async fn execute(&self, _job: &JobRecord) -> Result<JobEffects, JobError> {
        Err(JobError::permanent("422: destination_region is invalid"))
    }
}

async fn app_with_token() -> TestApp {
    app_with_token_on(TestBackend::Sqlite).await
}

async fn app_with_token_on(backend: TestBackend) -> TestApp {
    spawn_app_with(backend, Arc::new(AlwaysInvalid), |settings| {
        settings.server.admin_token = Some(TOKEN.to_owned().into());
    })
    .await
}

#[tokio::test]
async fn admin_api_refuses_missing_or_wrong_tokens() {
    let app = app_with_token().await;
    let missing = app.client.get(app.url("/api/jobs")).send().await.unwrap();
    assert_eq!(missing.status(), 401);
    assert_eq!(
        missing.json::<Value>().await.unwrap()["error"]["code"],
        "unauthorized"
    );
    let wrong = app
        .client
        .get(app.url("/api/jobs"))
        .bearer_auth("not-the-token")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    app.stop().await.unwrap();
}

/// Wrong tokens are throttled per address like console sign-ins (the admin token signs in
/// there too); a named token acts under its own name whatever `X-Operator` claims, and a
/// viewer's token reads but may not act.
async fn tokens_are_throttled_named_and_held_to_their_role(backend: TestBackend) {
    use bridge_server::configuration::{ApiToken, Role};
    let app = spawn_app_with(backend, Arc::new(AlwaysInvalid), |settings| {
        settings.server.admin_token = Some(TOKEN.to_owned().into());
        settings.server.api_tokens.push(ApiToken {
            name: "reports-bot".to_owned(),
            token: "reports-bot-token-0123456789".to_owned().into(),
            role: Role::Viewer,
        });
    })
    .await;
    let mut statuses = Vec::new();
    for i in 0..12 {
        let guess = app
            .client
            .get(app.url("/api/jobs"))
            .bearer_auth(format!("guess-{i}"))
            .send()
            .await
            .unwrap();
        statuses.push(guess.status().as_u16());
    }
    assert_eq!(statuses[0], 401);
    assert_eq!(statuses[11], 429, "{statuses:?}");
    let read = app
        .client
        .get(app.url("/api/jobs"))
        .bearer_auth("reports-bot-token-0123456789")
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200);
    let act = app
        .client
        .post(app.url("/api/jobs/retry-dead"))
        .bearer_auth("reports-bot-token-0123456789")
        .header("X-Operator", "admin")
        .send()
        .await
        .unwrap();
    assert_eq!(act.status(), 403, "a header does not raise a role");
    let body: Value = act.json().await.unwrap();
    assert_eq!(body["error"]["code"], "forbidden");
    app.stop().await.unwrap();
}

#[tokio::test]
async fn admin_api_is_off_without_a_configured_token() {
    let app = spawn_app_with(TestBackend::Sqlite, Arc::new(AlwaysInvalid), |settings| {
        settings.server.admin_token = None;
    })
    .await;
    let response = app
        .client
        .get(app.url("/api/jobs"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    app.stop().await.unwrap();
}

#[tokio::test]
async fn dead_jobs_are_listed_and_retried_over_http() {
    let app = app_with_token().await;
    app.db
        .store
        .enqueue(
            &[NewJob::for_tests(
                OrderJob::CreatePackage,
                "kente/1",
                "create_package:kente/1",
            )],
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    let mut dead = Vec::new();
    for _ in 0..200 {
        let body: Value = app
            .client
            .get(app.url("/api/jobs?state=dead"))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        dead = body["jobs"].as_array().unwrap().clone();
        if !dead.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(
        dead.len(),
        1,
        "the job died at once: a permanent error is not retried"
    );
    assert_eq!(dead[0]["last_error"], "422: destination_region is invalid");
    assert_eq!(dead[0]["attempts"], 1);

    let id = dead[0]["id"].as_i64().unwrap();
    let retried = app
        .client
        .post(app.url(&format!("/api/jobs/{id}/retry")))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(retried.status(), 200);
    let unknown = app
        .client
        .post(app.url("/api/jobs/999999/retry"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    let bad_state = app
        .client
        .get(app.url("/api/jobs?state=zombie"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(bad_state.status(), 422);
    assert_eq!(
        bad_state.json::<Value>().await.unwrap()["error"]["field"],
        "state"
    );
    app.stop().await.unwrap();
}

#[tokio::test]
async fn the_admin_api_is_published_as_openapi() {
    let app = app_with_token().await;
    let response = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "the description needs no token");
    let document: Value = response.json().await.unwrap();
    assert!(document["openapi"].as_str().unwrap().starts_with("3."));
    let paths = document["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/orders", "get"),
        ("/api/orders/{shop_id}/{order_id}", "get"),
        ("/api/orders/{shop_id}/{order_id}", "patch"),
        ("/api/orders/{shop_id}/{order_id}/resume", "post"),
        ("/api/orders/{shop_id}/{order_id}/replay", "post"),
        ("/api/orders/{shop_id}/{order_id}/cancel", "post"),
        ("/api/jobs/{id}/retry", "post"),
    ] {
        assert!(
            paths[path][method].is_object(),
            "{method} {path} is described"
        );
    }
    let correction = &document["components"]["schemas"]["CorrectionInput"]["properties"];
    assert!(correction["region"].is_object() && correction["phone"].is_object());
    assert_eq!(
        document["components"]["securitySchemes"]["admin_token"]["scheme"],
        "bearer"
    );
    app.stop().await.unwrap();
}

async fn orders_of_unknown_shops_or_names_are_not_found_and_bad_filters_named(
    backend: TestBackend,
) {
    let app = app_with_token_on(backend).await;
    let get = |path: &str| app.client.get(app.url(path)).bearer_auth(TOKEN).send();
    let missing = get("/api/orders/kente/%239999").await.unwrap();
    assert_eq!(missing.status(), 404);
    let bad_state = get("/api/orders?state=lost").await.unwrap();
    assert_eq!(bad_state.status(), 422);
    assert_eq!(
        bad_state.json::<Value>().await.unwrap()["error"]["field"],
        "state"
    );
    let bad_day = get("/api/orders?from=yesterday").await.unwrap();
    assert_eq!(
        bad_day.json::<Value>().await.unwrap()["error"]["field"],
        "from"
    );
    // A search term of 60 000 characters is refused, naming `q` (not a 503 from the database).
    let huge = get(&format!("/api/orders?q={}", "a".repeat(60_000)))
        .await
        .unwrap();
    assert_eq!(huge.status(), 422);
    assert_eq!(huge.json::<Value>().await.unwrap()["error"]["field"], "q");
    let empty = get("/api/orders?q=nobody&from=2026-01-01").await.unwrap();
    let page: Value = empty.json().await.unwrap();
    assert_eq!(
        (page["total"].clone(), page["limit"].clone()),
        (Value::from(0), Value::from(50))
    );
    app.stop().await.unwrap();
}

/// Five people (or five clicks) ask for the same return at once: one booking, the others are
/// told it is already being booked (409); ShaQ is asked for one return package.
async fn the_same_return_asked_at_once_is_booked_once(backend: TestBackend) {
    use bridge_core::lifecycle::OrderState;
    use bridge_sandbox::shops::OrderSpec;
    let bridge = crate::helpers::SandboxBridge::start_on(backend, "", Some(TOKEN)).await;
    let spec = OrderSpec {
        id: 8801,
        cod: true,
        country: "GH",
        phone: Some("024 412 3456".to_owned()),
        region: Some("Ashanti".to_owned()),
    };
    bridge.place_woo_order(&spec, "Kumasi").await;
    bridge_sandbox::wait_for(
        "the package",
        std::time::Duration::from_secs(60),
        || async { bridge.sandbox.shaq.package("atlas-8801") },
    )
    .await
    .unwrap();
    bridge
        .wait_for_state("atlas/8801", OrderState::Shipping)
        .await;
    bridge
        .sandbox
        .shaq
        .advance("atlas-8801", "delivered")
        .unwrap();
    bridge
        .wait_for_state("atlas/8801", OrderState::Delivered)
        .await;
    let client = reqwest::Client::new();
    let ask = || {
        client
            .post(bridge.url("/api/orders/atlas/8801/after-sale"))
            .bearer_auth(TOKEN)
            .json(&serde_json::json!({ "kind": "return" }))
            .send()
    };
    let answers = futures::future::join_all((0..5).map(|_| ask())).await;
    let statuses: Vec<u16> = answers
        .into_iter()
        .map(|a| a.unwrap().status().as_u16())
        .collect();
    let booked = statuses.iter().filter(|s| matches!(s, 200 | 202)).count();
    let refused = statuses.iter().filter(|s| **s == 409).count();
    assert_eq!((booked, refused), (1, 4), "{statuses:?}");
    bridge_sandbox::wait_for(
        "the return package",
        std::time::Duration::from_secs(60),
        || async { bridge.sandbox.shaq.package("atlas-8801-R1") },
    )
    .await
    .unwrap();
    assert!(
        bridge.sandbox.shaq.package("atlas-8801-R2").is_none(),
        "one return, not two"
    );
    bridge.stop().await;
}

on_both_backends!(
    tokens_are_throttled_named_and_held_to_their_role,
    the_same_return_asked_at_once_is_booked_once,
    orders_of_unknown_shops_or_names_are_not_found_and_bad_filters_named,
);
