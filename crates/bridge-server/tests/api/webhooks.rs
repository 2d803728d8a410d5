//! Intake over HTTP: secrets checked, bad input refused with a JSON error naming the field,
//! redeliveries recognised, everything accepted stored with its job.

use std::sync::Arc;

use async_trait::async_trait;
use bridge_core::jobs::{JobKind, JobRecord};
use bridge_core::store::{JobEffects, JobFilter};
use bridge_core::testing::TestBackend;
use bridge_core::worker::{JobError, JobExecutor};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{DIGISHARE_WEBHOOK_SECRET, SHAQ_WEBHOOK_SECRET, TestApp, spawn_app_with};

/// Holds jobs back so the test can look at what intake stored.
struct Parked;

#[async_trait]
impl JobExecutor for Parked {
    async fn execute(&self, _job: &JobRecord) -> Result<JobEffects, JobError> {
        Err(JobError::Retryable {
            message: "parked by the test".to_owned(),
            retry_after: Some(std::time::Duration::from_secs(3600)),
        })
    }
}

async fn app() -> TestApp {
    spawn_app_with(TestBackend::Sqlite, Arc::new(Parked), |_| {}).await
}

fn status_event(event_id: &str) -> Value {
    json!({
        "event": "package.status_updated",
        "event_id": event_id,
        "api_version": "v1",
        "occurred_at": "2025-05-29T10:30:00Z",
        "data": {"tracking_number": "20250410X51DIQ", "partner_ref": "FGVHKJ567", "status": "delivered",
                 "description": "Package was successfully delivered to customer", "comment": null,
                 "meta": {"proof_url": "https://example.com/proof.jpg"}}
    })
}

async fn post_shaq(app: &TestApp, body: &str, secret: Option<&str>) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url("/webhooks/shaq"))
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(secret) = secret {
        request = request.header("X-Shaq-Webhook-Secret", secret);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn a_shaq_webhook_is_stored_once_with_its_job() {
    let app = app().await;
    let body = status_event("018e2b3c-7f4a-7c2d-9e1b-4a8f3d2c6b5a").to_string();
    let first = post_shaq(&app, &body, Some(SHAQ_WEBHOOK_SECRET)).await;
    assert_eq!(first.status(), 200);
    assert_eq!(first.json::<Value>().await.unwrap()["status"], "accepted");
    for _ in 0..2 {
        let again = post_shaq(&app, &body, Some(SHAQ_WEBHOOK_SECRET)).await;
        assert_eq!(again.status(), 200);
        assert_eq!(again.json::<Value>().await.unwrap()["status"], "duplicate");
    }
    let jobs = app.db.store.list_jobs(&JobFilter::default()).await.unwrap();
    assert_eq!(jobs.len(), 1, "three deliveries, one job");
    assert_eq!(jobs[0].kind(), JobKind::ApplyInboundEvent);
    assert_eq!(
        jobs[0].order_key.as_str(),
        "unmatched/FGVHKJ567",
        "no such order in this database"
    );
    app.stop().await.unwrap();
}

#[tokio::test]
async fn shaq_webhooks_without_the_right_secret_are_refused() {
    let app = app().await;
    let body = status_event("e1").to_string();
    for secret in [None, Some("wrong-secret-of-some-length")] {
        let response = post_shaq(&app, &body, secret).await;
        assert_eq!(response.status(), 401);
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"]["code"], "unauthorized");
    }
    assert!(
        app.db
            .store
            .list_jobs(&JobFilter::default())
            .await
            .unwrap()
            .is_empty()
    );
    app.stop().await.unwrap();
}

#[tokio::test]
async fn bad_shaq_bodies_get_json_errors_naming_the_problem() {
    let app = app().await;
    let cases: [(&[u8], u16, &str); 5] = [
        (b"{not json", 400, ""),
        (b"\xff\xfe\x00garbage", 400, ""),
        (br#"{"event":"package.status_updated","occurred_at":"2025-05-29T10:30:00Z","data":{}}"#, 422, "event_id"),
        (br#"{"event":"package.status_updated","event_id":"e","occurred_at":"x","data":[]}"#, 422, "data"),
        (br#"{"event":"package.status_updated","event_id":"e","occurred_at":"x","data":{"status":"delivered"}}"#, 422, "data.partner_ref"),
    ];
    for (body, status, field) in cases {
        let response = app
            .client
            .post(app.url("/webhooks/shaq"))
            .header("content-type", "application/json")
            .header("X-Shaq-Webhook-Secret", SHAQ_WEBHOOK_SECRET)
            .body(body.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            status,
            "{}",
            String::from_utf8_lossy(body)
        );
        let error: Value = response.json().await.unwrap();
        if !field.is_empty() {
            assert_eq!(error["error"]["field"], field);
        }
    }
    let wrong_type = app
        .client
        .post(app.url("/webhooks/shaq"))
        .header("content-type", "text/plain")
        .header("X-Shaq-Webhook-Secret", SHAQ_WEBHOOK_SECRET)
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_type.status(), 415);
    app.stop().await.unwrap();
}

#[tokio::test]
async fn an_oversized_body_is_refused_with_413_json() {
    let app = app().await;
    let big = format!("{{\"pad\":\"{}\"}}", "x".repeat(2 * 1024 * 1024));
    let response = post_shaq(&app, &big, Some(SHAQ_WEBHOOK_SECRET)).await;
    assert_eq!(response.status(), 413);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"]["code"], "payload_too_large");
    app.stop().await.unwrap();
}

#[tokio::test]
async fn digishare_webhooks_need_the_bearer_secret_and_unknown_tickets_are_dropped() {
    let app = app().await;
    let body = json!({"event":"ticket.updated","data":{"id":"hashed_ticket_id","data":{"id":"hashed_ticket_id",
        "external_id":"ORDER-12345","ticket_status_id":"yqdwrbka7kz69v8e"},
        "changes":{"ticket_status_id":"yqdwrbka7kz69v8e"}}})
    .to_string();
    let refused = app
        .client
        .post(app.url("/webhooks/digishare"))
        .header("content-type", "application/json")
        .bearer_auth("not-the-secret")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    let accepted = app
        .client
        .post(app.url("/webhooks/digishare"))
        .header("content-type", "application/json")
        .bearer_auth(DIGISHARE_WEBHOOK_SECRET)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), 200);
    assert_eq!(accepted.json::<Value>().await.unwrap()["status"], "ignored");
    app.stop().await.unwrap();
}

#[tokio::test]
async fn hostile_bodies_are_refused_without_a_5xx_and_counted() {
    let app = app().await;
    let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let cases: Vec<Vec<u8>> = vec![
        nested.into_bytes(),
        vec![0xC3, 0x28, 0xA0, 0xA1],
        b"".to_vec(),
        b"null".to_vec(),
        br#"{"event": 12, "event_id": [], "occurred_at": {}, "data": "x"}"#.to_vec(),
    ];
    for body in cases {
        let response = post_shaq_bytes(&app, body).await;
        let status = response.status().as_u16();
        assert!((400..500).contains(&status), "got {status}");
        let error: Value = response.json().await.unwrap();
        assert!(error["error"]["code"].is_string());
    }
    let metrics = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("bridge_http_refusals_total{code=\"bad_request\"}"),
        "{metrics}"
    );
    assert!(
        metrics.contains("bridge_http_refusals_total{code=\"invalid_field\"}"),
        "{metrics}"
    );
    app.stop().await.unwrap();
}

async fn post_shaq_bytes(app: &TestApp, body: Vec<u8>) -> reqwest::Response {
    app.client
        .post(app.url("/webhooks/shaq"))
        .header("content-type", "application/json")
        .header("X-Shaq-Webhook-Secret", SHAQ_WEBHOOK_SECRET)
        .body(body)
        .send()
        .await
        .unwrap()
}

/// A signed source far above its configured rate is counted and logged, never refused: a
/// refused courier update is lost for good after ShaQ's three retries.
async fn a_signed_source_above_its_rate_is_counted_never_refused(backend: TestBackend) {
    let app = spawn_app_with(backend, Arc::new(Parked), |settings| {
        settings.server.webhook_rate_limit.per_second = 1;
        settings.server.webhook_rate_limit.burst = 2;
    })
    .await;
    for i in 0..30 {
        let response = post_shaq(
            &app,
            &status_event(&format!("flood-{i}")).to_string(),
            Some(SHAQ_WEBHOOK_SECRET),
        )
        .await;
        assert_eq!(response.status(), 200, "signed webhook {i}");
    }
    let metrics = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics
            .lines()
            .any(|line| line.starts_with("bridge_webhook_over_rate_total{source=\"shaq\"}")),
        "{metrics}"
    );
    app.stop().await.unwrap();
}

#[tokio::test]
async fn an_optional_hmac_header_is_required_once_configured() {
    let app = spawn_app_with(TestBackend::Sqlite, Arc::new(Parked), |settings| {
        settings.shaq.webhook_hmac_header = Some("X-Shaq-Signature".to_owned());
    })
    .await;
    let body = status_event("hmac-1").to_string();
    let without = post_shaq(&app, &body, Some(SHAQ_WEBHOOK_SECRET)).await;
    assert_eq!(without.status(), 401);
    let signature = {
        use hmac::Mac;
        let mut mac =
            hmac::Hmac::<sha2::Sha256>::new_from_slice(SHAQ_WEBHOOK_SECRET.as_bytes()).unwrap();
        mac.update(body.as_bytes());
        format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
    };
    let with = app
        .client
        .post(app.url("/webhooks/shaq"))
        .header("content-type", "application/json")
        .header("X-Shaq-Webhook-Secret", SHAQ_WEBHOOK_SECRET)
        .header("X-Shaq-Signature", &signature)
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(with.status(), 200);
    let tampered = app
        .client
        .post(app.url("/webhooks/shaq"))
        .header("content-type", "application/json")
        .header("X-Shaq-Webhook-Secret", SHAQ_WEBHOOK_SECRET)
        .header("X-Shaq-Signature", &signature)
        .body(body.replace("delivered", "returned_to_sender"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        tampered.status(),
        401,
        "a replayed signature with a changed body"
    );
    app.stop().await.unwrap();
}

/// Forged requests spend only their own address's budget, and never a signed sender's: a flood
/// of unsigned shop webhooks and wrong-secret ShaQ webhooks from one address is answered 401,
/// then 429 — while ShaQ's signed webhooks from that same address, and a burst far above the
/// configured rate, are all taken.
async fn forgers_cannot_make_the_bridge_refuse_a_signed_sender(backend: TestBackend) {
    let app = spawn_app_with(backend, Arc::new(Parked), |settings| {
        let limits = &mut settings.server.webhook_rate_limit;
        limits.per_second = 5;
        limits.burst = 10;
        limits.refusals_per_minute = 20;
        limits.trusted_proxy_header = Some("X-Forwarded-For".to_owned());
    })
    .await;
    let forger = "203.0.113.9";
    let mut statuses = Vec::new();
    for i in 0..400 {
        let unsigned = app
            .client
            .post(app.url("/webhooks/shops/atlas"))
            .header("content-type", "application/json")
            .header("X-Forwarded-For", forger)
            .header("X-WC-Webhook-Topic", "order.created")
            .body(format!(r#"{{"id": {i}}}"#))
            .send()
            .await
            .unwrap();
        statuses.push(unsigned.status().as_u16());
    }
    assert!(statuses[..20].iter().all(|s| *s == 401), "refused, then…");
    assert!(
        statuses[21..].iter().all(|s| *s == 429),
        "…slowed down: {statuses:?}"
    );
    // A shop that does not exist is answered like a wrong signature: probing learns nothing.
    let probe = app
        .client
        .post(app.url("/webhooks/shops/no-such-shop"))
        .header("content-type", "application/json")
        .header("X-Forwarded-For", "192.0.2.77")
        .body("{}")
        .send()
        .await
        .unwrap();
    let wrong = app
        .client
        .post(app.url("/webhooks/shops/atlas"))
        .header("content-type", "application/json")
        .header("X-Forwarded-For", "192.0.2.77")
        .header("X-WC-Webhook-Topic", "order.created")
        .header("X-WC-Webhook-Signature", "bm9wZQ==")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(
        (probe.status(), wrong.status()),
        (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED)
    );
    assert_eq!(
        probe.text().await.unwrap(),
        wrong.text().await.unwrap(),
        "the same answer"
    );
    // ShaQ, signed, from the forger's own address (one NAT, or a proxy without the header),
    // and far above the configured 5/s with a burst of 10: every webhook is taken.
    let mut taken = 0;
    for i in 0..120 {
        let real = app
            .client
            .post(app.url("/webhooks/shaq"))
            .header("content-type", "application/json")
            .header("X-Forwarded-For", forger)
            .header("X-Shaq-Webhook-Secret", SHAQ_WEBHOOK_SECRET)
            .body(status_event(&format!("real-{i}")).to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(real.status(), 200, "real webhook {i}");
        taken += 1;
    }
    assert_eq!(taken, 120);
    // The forger is still slowed down: its refusal budget refills with time (however long the
    // real webhooks took on a busy machine), and a burst of forgeries spends it again at once.
    let mut forged_statuses = Vec::new();
    for _ in 0..25 {
        let forged = app
            .client
            .post(app.url("/webhooks/shaq"))
            .header("content-type", "application/json")
            .header("X-Forwarded-For", forger)
            .header("X-Shaq-Webhook-Secret", "not-the-secret-at-all")
            .body(status_event("forged").to_string())
            .send()
            .await
            .unwrap();
        forged_statuses.push(forged.status().as_u16());
    }
    assert!(
        forged_statuses.iter().all(|s| *s == 401 || *s == 429)
            && forged_statuses.last() == Some(&429),
        "{forged_statuses:?}"
    );
    app.stop().await.unwrap();
}

on_both_backends!(
    a_signed_source_above_its_rate_is_counted_never_refused,
    forgers_cannot_make_the_bridge_refuse_a_signed_sender,
);
