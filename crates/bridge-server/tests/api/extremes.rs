//! Extreme values through intake and the writer, on both databases: amounts near and past
//! `Decimal`'s limit, texts of 100 000 characters, ids one character too long, ShaQ events
//! dated in the year 99999. The properties: no answer is a 5xx; what is acknowledged becomes an
//! order (waiting for a person when a field cannot be used) or is applied; no job dies; and the
//! writer keeps writing for everyone else (an order sent after them all ships).

use std::time::Duration;

use bridge_core::domain::OrderKey;
use bridge_core::domain::{Attention, Unshippable};
use bridge_core::jobs::JobState;
use bridge_core::lifecycle::OrderState;
use bridge_core::testing::TestBackend;
use bridge_sandbox::shops::{OrderSpec, WooSender, woocommerce_order};
use bridge_sandbox::wait_for;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde_json::{Value, json};

use crate::helpers::{SandboxBridge, WOO_SECRET};

const LIMIT: Duration = Duration::from_secs(90);

/// What one generated order carries.
#[derive(Debug, Clone)]
struct Extreme {
    total: Value,
    price: Value,
    name_len: usize,
    number_len: usize,
    id_len: usize,
}

fn extremes() -> impl Strategy<Value = Extreme> {
    let amount = prop_oneof![
        Just(json!("80000000000000000000000000")),
        Just(json!("79228162514264337593543950335")),
        Just(json!("79228162514264337593543950336")),
        Just(json!("8e25")),
        Just(json!(8e25)),
        Just(json!("999999999999.99")),
        Just(json!("0.0000000000000000000000001")),
        Just(json!("-0.00")),
        Just(json!("120.00")),
        (1u64..1_000_000).prop_map(|n| json!(format!("{n}.50"))),
    ];
    (
        amount.clone(),
        amount,
        prop_oneof![Just(5usize), Just(500), Just(501), Just(100_000)],
        prop_oneof![Just(4usize), Just(64), Just(65), Just(100_000)],
        prop_oneof![Just(6usize), Just(64), Just(65)],
    )
        .prop_map(|(total, price, name_len, number_len, id_len)| Extreme {
            total,
            price,
            name_len,
            number_len,
            id_len,
        })
}

/// An id of `len` digits starting with `n` (unique per case).
fn id_of(n: usize, len: usize) -> String {
    let mut id = format!("{}", 7_000_000 + n);
    while id.len() < len {
        id.push('0');
    }
    id
}

async fn extreme_values_never_stop_the_writer(backend: TestBackend) {
    let bridge = SandboxBridge::start_on(backend, "", None).await;
    let sender = WooSender::new("https://atlas.example/", WOO_SECRET);
    let url = bridge.url("/webhooks/shops/atlas");
    let mut runner = TestRunner::deterministic();
    let strategy = extremes();
    let mut acknowledged = Vec::new();
    for n in 0..40 {
        let case = strategy.new_tree(&mut runner).unwrap().current();
        let spec = OrderSpec {
            id: 1,
            cod: true,
            country: "GH",
            phone: Some("024 412 3456".to_owned()),
            region: Some("Ashanti".to_owned()),
        };
        let mut order = woocommerce_order(&spec);
        let id = id_of(n, case.id_len);
        order["id"] = json!(id);
        order["number"] = json!("7".repeat(case.number_len));
        order["total"] = case.total.clone();
        order["line_items"][0]["price"] = case.price.clone();
        order["billing"]["first_name"] = json!("A".repeat(case.name_len));
        let sent = sender.send(&url, "order.created", &order).await;
        assert!(
            sent.status == 200 || sent.status == 422,
            "{case:?}: {} {}",
            sent.status,
            sent.body
        );
        if sent.status == 422 {
            // Only an order that cannot even be named is refused, and the answer says why.
            assert!(case.id_len > 64, "{case:?}: {}", sent.body);
            assert!(sent.body.contains("\"field\":\"id\""), "{}", sent.body);
        } else {
            acknowledged.push((OrderKey::new(format!("atlas/{id}")), case));
        }
    }

    // A ShaQ event dated in the year 99999, and one with an amount past every limit: refused
    // at once with the field, never acknowledged and then dead.
    let client = reqwest::Client::new();
    for (field, event) in [
        (
            "occurred_at",
            r#"{"event": "package.status_updated", "event_id": "far-future",
                "api_version": "v1", "occurred_at": "+99999-01-01T00:00:00Z",
                "data": {"tracking_number": "SB1", "partner_ref": "atlas-1", "status": "delivered"}}"#,
        ),
        (
            "data.meta.new_amount_to_collect",
            r#"{"event": "package.amount_to_collect_updated", "event_id": "huge-amount",
                "api_version": "v1", "occurred_at": "2026-12-01T10:00:00Z",
                "data": {"tracking_number": "SB1", "partner_ref": "atlas-1",
                         "meta": {"old_amount_to_collect": 100,
                                  "new_amount_to_collect": 80000000000000000000000000}}}"#,
        ),
    ] {
        let response = client
            .post(bridge.url("/webhooks/shaq"))
            .header(
                "x-shaq-webhook-secret",
                bridge_sandbox::bridge_config::SHAQ_WEBHOOK_SECRET,
            )
            .header("content-type", "application/json")
            .body(event)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body = response.text().await.unwrap();
        assert!(status == 422 || status == 400, "{field}: {status} {body}");
        assert!(body.contains(field) || status == 400, "{field}: {body}");
    }

    // After them all, an ordinary order: the writer is still writing.
    let spec = OrderSpec {
        id: 7999,
        cod: true,
        country: "GH",
        phone: Some("024 412 3456".to_owned()),
        region: Some("Ashanti".to_owned()),
    };
    bridge.place_woo_order(&spec, "Kumasi").await;
    bridge
        .wait_for_state("atlas/7999", OrderState::Shipping)
        .await;

    // Every acknowledged order is stored; one whose fields could not be used waits for a
    // person with the field named; nothing is dead or left behind.
    for (key, case) in &acknowledged {
        let order = wait_for(&format!("{key} stored"), LIMIT, || async {
            bridge.store.order(key).await.ok().flatten()
        })
        .await
        .unwrap_or_else(|e| panic!("{case:?}: {e}"));
        if order.state() == OrderState::NeedsAttention
            && let Some(Attention::Unshippable(Unshippable::ShopSentUnusable { field, .. })) =
                order.attention()
        {
            assert!(!field.is_empty(), "{case:?}");
        }
    }
    wait_for("the queue to empty", LIMIT, || async {
        let counts = bridge.store.job_counts().await.ok()?;
        (counts.queued == 0 && counts.running == 0).then_some(())
    })
    .await
    .unwrap();
    let counts = bridge.store.job_counts().await.unwrap();
    assert_eq!(
        counts.get(JobState::Dead),
        0,
        "no job dies of a value the intake took"
    );
    let unusable = acknowledged
        .iter()
        .filter(|(_, case)| case.name_len > 500 || case.number_len > 64)
        .count();
    if unusable > 0 {
        let waiting = bridge
            .store
            .search_orders(&bridge_core::store::OrderQuery {
                state: Some(OrderState::NeedsAttention),
                limit: 500,
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(waiting.total as usize >= unusable, "{waiting:?}");
    }
    bridge.stop().await;
}

on_both_backends!(extreme_values_never_stop_the_writer);
