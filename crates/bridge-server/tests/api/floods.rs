//! Heavy, hostile traffic: a burst of 2,000 signed courier updates in a few seconds, far over
//! the default per-source rate limit, sent while a forger floods the same endpoint from the
//! same address. Every signed update is taken (200) and applied, every forgery refused — on
//! SQLite and on PostgreSQL, with the default limits a merchant runs.

use std::time::Duration;

use bridge_core::domain::OrderKey;
use bridge_core::lifecycle::OrderState;
use bridge_core::testing::TestBackend;
use bridge_sandbox::bridge_config::SHAQ_WEBHOOK_SECRET;
use bridge_sandbox::shops::OrderSpec;
use bridge_sandbox::wait_for;
use futures::StreamExt;
use serde_json::json;

use crate::helpers::SandboxBridge;

const ORDERS: u64 = 200;
const STEPS: [&str; 10] = [
    "received",
    "collected",
    "warehouse_received",
    "shipped",
    "assigned",
    "in_transit",
    "dispatched",
    "not_delivered",
    "dispatched",
    "delivered",
];

async fn a_burst_of_signed_updates_is_applied_whatever_the_forgers(backend: TestBackend) {
    let bridge = SandboxBridge::start_rate_limited(backend).await;
    for id in 0..ORDERS {
        let spec = OrderSpec {
            id: 9000 + id,
            cod: true,
            country: "GH",
            phone: Some("024 412 3456".to_owned()),
            region: Some("Ashanti".to_owned()),
        };
        bridge.place_woo_order(&spec, "Kumasi").await;
    }
    let mut packages = Vec::new();
    for id in 0..ORDERS {
        let reference = format!("atlas-{}", 9000 + id);
        let package = wait_for("a package", Duration::from_secs(120), || async {
            bridge.sandbox.shaq.package(&reference)
        })
        .await
        .unwrap();
        packages.push((reference, package.tracking_number.clone()));
    }
    for id in 0..ORDERS {
        bridge
            .wait_for_state(&format!("atlas/{}", 9000 + id), OrderState::Shipping)
            .await;
    }

    // The burst: every order's ten steps, in order per order, all orders at once.
    let client = reqwest::Client::new();
    // After every package was made (a status older than the package's own is stale).
    let base = chrono::Utc::now();
    let mut updates = Vec::new();
    for (step, status) in STEPS.iter().enumerate() {
        for (reference, tracking) in &packages {
            updates.push(json!({
                "event": "package.status_updated",
                "event_id": format!("burst-{reference}-{step}"),
                "api_version": "v1",
                "occurred_at": (base + chrono::Duration::seconds(step as i64))
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                "data": {"tracking_number": tracking, "partner_ref": reference, "status": status}
            }));
        }
    }
    assert_eq!(updates.len(), 2000);
    let url = bridge.url("/webhooks/shaq");
    let forger = {
        let client = client.clone();
        let url = url.clone();
        tokio::spawn(async move {
            let mut refused = 0;
            for i in 0..600 {
                let answer = client
                    .post(&url)
                    .header("content-type", "application/json")
                    .header("X-Shaq-Webhook-Secret", "a-guess-at-the-secret-000")
                    .body(json!({"event": "package.status_updated", "event_id": format!("forged-{i}"),
                        "occurred_at": "2026-12-01T10:00:00Z",
                        "data": {"tracking_number": "SB1", "partner_ref": "atlas-9000", "status": "returned_to_sender"}}).to_string())
                    .send()
                    .await;
                if let Ok(answer) = answer
                    && matches!(answer.status().as_u16(), 401 | 429)
                {
                    refused += 1;
                }
            }
            refused
        })
    };
    let started = std::time::Instant::now();
    // Ten at a time in flight per order's step (the steps of one order go out in order).
    for step in updates.chunks(ORDERS as usize) {
        let answers: Vec<String> = futures::stream::iter(step.iter().cloned())
            .map(|update| {
                let client = client.clone();
                let url = url.clone();
                async move {
                    client
                        .post(url)
                        .header("content-type", "application/json")
                        .header("X-Shaq-Webhook-Secret", SHAQ_WEBHOOK_SECRET)
                        .body(update.to_string())
                        .send()
                        .await
                        .map(|r| r.status().as_u16().to_string())
                        .unwrap_or_else(|e| format!("{e:?}"))
                }
            })
            .buffer_unordered(32)
            .collect()
            .await;
        assert!(
            answers.iter().all(|s| s == "200"),
            "every signed update is taken: {answers:?}"
        );
    }
    let burst = started.elapsed();
    assert_eq!(forger.await.unwrap(), 600, "every forgery refused");

    // Every update applied: each order delivered, its journey naming each step.
    for (reference, _) in &packages {
        let id = reference.trim_start_matches("atlas-");
        let key = OrderKey::new(format!("atlas/{id}"));
        let delivered = wait_for("delivered", Duration::from_secs(120), || async {
            let order = bridge.store.order(&key).await.ok().flatten()?;
            (order.state() == OrderState::Delivered).then_some(())
        })
        .await;
        if delivered.is_err() {
            let order = bridge.store.order(&key).await.unwrap().unwrap();
            let events = bridge.store.inbound_events_of(&key, 50).await.unwrap();
            panic!(
                "{key} is {} after the burst; its events: {:#?}",
                order.state(),
                events
                    .iter()
                    .map(|e| (&e.source, &e.dedupe_key, &e.outcome))
                    .collect::<Vec<_>>()
            );
        }
        let events = bridge.store.inbound_events_of(&key, 50).await.unwrap();
        let courier: Vec<_> = events.iter().filter(|e| e.source == "shaq").collect();
        assert_eq!(
            courier.len(),
            STEPS.len(),
            "{reference}: every update stored"
        );
        assert!(
            courier.iter().all(|e| e.outcome != "accepted"),
            "{reference}: every update run through the workflow: {courier:?}"
        );
    }
    let dead = bridge.store.job_counts().await.unwrap().dead;
    assert_eq!(dead, 0, "no job died");
    eprintln!("2 000 signed updates sent in {burst:?}, all applied");
    bridge.stop().await;
}

on_both_backends!(a_burst_of_signed_updates_is_applied_whatever_the_forgers);
