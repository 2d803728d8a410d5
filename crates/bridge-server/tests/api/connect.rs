//! `shaq-bridge connect` against shops that expose their webhook subscription APIs: a Shopify
//! Dev Dashboard app (client credentials, tokens that expire), WooCommerce and YouCan. The
//! bridge registers its own webhooks, the orders then arrive through them, and write-back goes
//! on across a token renewal.

use std::process::Output;
use std::time::Duration;

use bridge_core::lifecycle::OrderState;
use bridge_core::testing::TestBackend;
use bridge_sandbox::shops::{
    SHOPIFY_CLIENT_ID, SHOPIFY_CLIENT_SECRET, SimSubscription, YOUCAN_CLIENT_SECRET,
};
use bridge_sandbox::{SandboxConfig, wait_for};
use serde_json::{Value, json};
use tokio::process::Command;

use crate::journeys::{Journey, LIMIT};

/// A Dev Dashboard Shopify app (no token, no webhook secret: its client secret does both), a
/// WooCommerce shop and a YouCan store, each with only its admin credentials.
fn shops_to_connect(shop_url: &str) -> String {
    format!(
        r#"
[[shops]]
id = "dash"
platform = "shopify"
default_country = "GH"
[shops.write_back]
enabled = true
admin_url = "{shop_url}"
client_id = "{SHOPIFY_CLIENT_ID}"
client_secret = "{SHOPIFY_CLIENT_SECRET}"

[[shops]]
id = "medina"
platform = "woocommerce"
flow = "ship_immediately"
default_country = "GH"
webhook_secrets = ["medina-woo-webhook-secret"]
[shops.write_back]
enabled = true
admin_url = "{shop_url}"
consumer_key = "ck_sandbox"
token = "cs_sandbox"

[[shops]]
id = "darb"
platform = "youcan"
flow = "ship_immediately"
default_country = "GH"
webhook_secrets = ["{YOUCAN_CLIENT_SECRET}"]
[shops.write_back]
enabled = true
admin_url = "{shop_url}"
token = "youcan-token"
"#
    )
}

async fn connect(journey: &Journey, args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("bridge.toml");
    std::fs::write(&config, &journey.settings_toml).unwrap();
    Command::new(env!("CARGO_BIN_EXE_shaq-bridge"))
        .arg("--config")
        .arg(&config)
        .arg("connect")
        .args(["--public-url", &journey.bridge])
        .args(args)
        .output()
        .await
        .unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn of(journey: &Journey, platform: &str) -> Vec<SimSubscription> {
    journey
        .sandbox
        .shops
        .subscriptions()
        .into_iter()
        .filter(|s| s.platform == platform)
        .collect()
}

async fn place(journey: &Journey, order: Value) -> Value {
    let answer = reqwest::Client::new()
        .post(format!("{}/_sandbox/orders", journey.sandbox.shop_url()))
        .json(&order)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    answer.json().await.unwrap()
}

async fn connect_registers_the_webhooks_orders_arrive_and_write_back_survives_a_token_renewal(
    backend: TestBackend,
) {
    let journey = Journey::start_with_toml(backend, SandboxConfig::default(), |sandbox| {
        shops_to_connect(&sandbox.shop_url())
    })
    .await;
    let shops = &journey.sandbox.shops;
    // Shopify's tokens live a day; here two seconds, so one renewal happens mid-journey.
    shops.set_token_lifetime(Duration::from_secs(2));
    // A webhook the bridge made once, at an old address; and a CRM plugin's own, left alone.
    let medina = format!("{}/webhooks/shops/medina", journey.bridge);
    for (topic, url, name) in [
        (
            "order.updated",
            "https://old-host.test/webhooks/shops/medina",
            "shaq-bridge medina order.updated",
        ),
        ("order.created", "https://crm.test/hook", "CRM"),
    ] {
        shops.add_subscription(SimSubscription {
            platform: "woocommerce".to_owned(),
            id: (900 + of(&journey, "woocommerce").len()).to_string(),
            topic: topic.to_owned(),
            url: url.to_owned(),
            status: "active".to_owned(),
            name: name.to_owned(),
            secret: Some("old".to_owned()),
        });
    }

    // A dry run says what it would do and does nothing.
    let dry = connect(&journey, &["--shop", "medina", "--dry-run"]).await;
    assert!(!dry.status.success(), "{}", text(&dry));
    assert!(
        text(&dry).contains("order.created      missing"),
        "{}",
        text(&dry)
    );
    assert!(
        text(&dry).contains("points elsewhere: https://old-host.test"),
        "{}",
        text(&dry)
    );
    assert_eq!(of(&journey, "woocommerce").len(), 2);

    // Without --fix the missing ones are made and the one elsewhere is reported.
    let made = connect(&journey, &["--shop", "medina"]).await;
    assert!(!made.status.success(), "{}", text(&made));
    assert!(
        text(&made).contains("missing → registered"),
        "{}",
        text(&made)
    );
    assert!(text(&made).contains("--fix repoints it"), "{}", text(&made));
    let fixed = connect(&journey, &["--shop", "medina", "--fix"]).await;
    assert!(fixed.status.success(), "{}", text(&fixed));
    assert!(text(&fixed).contains("repointed"), "{}", text(&fixed));
    let woo = of(&journey, "woocommerce");
    assert_eq!(woo.len(), 4, "{woo:?}");
    assert!(
        woo.iter().any(|s| s.url == "https://crm.test/hook"),
        "the CRM's hook is untouched"
    );
    for topic in ["order.created", "order.updated", "order.deleted"] {
        assert!(
            woo.iter().any(|s| s.topic == topic
                && s.url == medina
                && s.status == "active"
                && s.secret.as_deref() == Some("medina-woo-webhook-secret")),
            "{topic}: {woo:?}"
        );
    }

    for shop in ["dash", "darb"] {
        let output = connect(&journey, &["--shop", shop]).await;
        assert!(output.status.success(), "{}", text(&output));
    }
    let shopify = of(&journey, "shopify");
    let topics: Vec<&str> = shopify.iter().map(|s| s.topic.as_str()).collect();
    assert_eq!(
        topics,
        [
            "ORDERS_CREATE",
            "ORDERS_UPDATED",
            "ORDERS_CANCELLED",
            "RETURNS_APPROVE"
        ]
    );
    assert!(
        shopify
            .iter()
            .all(|s| s.url == format!("{}/webhooks/shops/dash", journey.bridge))
    );
    assert_eq!(of(&journey, "youcan").len(), 1);
    // Running it again changes nothing.
    let again = connect(&journey, &["--shop", "dash"]).await;
    assert!(again.status.success(), "{}", text(&again));
    assert_eq!(
        text(&again).matches("registered").count(),
        4,
        "{}",
        text(&again)
    );
    assert_eq!(of(&journey, "shopify").len(), 4);

    // `check-config --online` reads the same lists without changing them.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("bridge.toml");
    std::fs::write(&config, &journey.settings_toml).unwrap();
    let checked = Command::new(env!("CARGO_BIN_EXE_shaq-bridge"))
        .arg("--config")
        .arg(&config)
        .args(["check-config", "--online"])
        .env("SHAQ_BRIDGE__SERVER__PUBLIC_URL", &journey.bridge)
        .output()
        .await
        .unwrap();
    let said = text(&checked);
    assert!(
        said.contains("# Shop dash (shopify): webhooks to"),
        "{said}"
    );
    assert!(said.contains("# Shop medina (woocommerce)"), "{said}");
    // `kente` is the same simulated Shopify store, whose app's webhooks now go to `dash`.
    assert!(said.contains("points elsewhere"), "{said}");
    assert!(
        said.contains("`shaq-bridge connect --shop kente`"),
        "{said}"
    );
    assert_eq!(of(&journey, "shopify").len(), 4, "a check changes nothing");

    // Orders placed in the shops arrive through the subscriptions just made.
    let placed = place(&journey, json!({ "platform": "shopify", "id": 4242 })).await;
    assert_eq!(
        placed["deliveries"].as_array().map(Vec::len),
        Some(1),
        "{placed}"
    );
    assert_eq!(placed["bridge_status"], 200, "{placed}");
    let placed = place(&journey, json!({ "platform": "woocommerce", "id": 4343 })).await;
    let to_medina = placed["deliveries"]
        .as_array()
        .and_then(|all| all.iter().find(|d| d["url"] == medina.as_str()))
        .map(|d| d["status"].clone());
    assert_eq!(to_medina, Some(json!(200)), "{placed}");
    let placed = place(&journey, json!({ "platform": "youcan", "id": 4444 })).await;
    assert_eq!(placed["bridge_status"], 200, "{placed}");
    for partner_ref in ["medina-4343", "darb-0000115c-yc"] {
        wait_for(partner_ref, LIMIT, || async {
            journey.sandbox.shaq.package(partner_ref)
        })
        .await
        .unwrap_or_else(|_| panic!("{partner_ref}: {:?}", journey.sandbox.shaq.packages()));
    }

    // The Shopify order: confirmed (written back with the bridge's first token; each `connect`
    // above got its own) …
    let before = shops.grants();
    let ticket = journey.ticket("dash-4242").await;
    journey
        .sandbox
        .digishare
        .customer_confirms(ticket["id"].as_str().unwrap())
        .unwrap();
    wait_for("the package", LIMIT, || async {
        journey.sandbox.shaq.package("dash-4242")
    })
    .await
    .unwrap();
    journey.settle().await;
    assert_eq!(shops.grants(), before + 1);
    // … the token ends; delivery is written back with a new one.
    tokio::time::sleep(Duration::from_millis(2_200)).await;
    journey.courier("dash-4242", "dash/4242", "delivered").await;
    assert_eq!(
        journey.order_state("dash/4242").await,
        Some(OrderState::Delivered)
    );
    assert!(
        shops.grants() >= before + 2,
        "a new token after the first ended"
    );
    let written: Vec<String> = shops
        .received()
        .iter()
        .filter(|r| r.order_id.as_deref() == Some("4242"))
        .map(|r| r.operation.clone())
        .collect();
    for expected in [
        "tagsAdd",
        "fulfillmentCreate",
        "fulfillmentEventCreate",
        "orderMarkAsPaid",
    ] {
        assert!(
            written.iter().any(|o| o == expected),
            "{expected} missing from {written:?}"
        );
    }
    journey.stop().await;
}

on_both_backends!(
    connect_registers_the_webhooks_orders_arrive_and_write_back_survives_a_token_renewal
);
