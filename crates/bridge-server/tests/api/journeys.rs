//! End to end, over HTTP, against the simulators: shop order → ShaQ package + Digishare ticket →
//! courier updates → WhatsApp → back to the shop. Every journey runs on SQLite and PostgreSQL.

use std::time::Duration;

use bridge_core::domain::OrderKey;
use bridge_core::lifecycle::OrderState;
use bridge_core::store::Store;
use bridge_core::testing::{TestBackend, TestDatabase};
use bridge_sandbox::bridge_config::{BridgeConfig, Shop};
use bridge_sandbox::faults::FaultPlan;
use bridge_sandbox::shops::{
    OrderSpec, ShopifySender, WooSender, shopify_order, woocommerce_order,
};
use bridge_sandbox::wait_for;
use bridge_sandbox::{Sandbox, SandboxConfig};
use bridge_server::configuration::Settings;
use bridge_server::startup::Application;
use serde_json::Value;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

const SHOPIFY_SECRET: &str = "journey-shopify-secret";
const WOO_SECRET: &str = "journey-woo-secret";
const YOUCAN_SECRET: &str = "journey-youcan-secret";
const GENERIC_SECRET: &str = "journey-generic-secret";
pub(crate) const LIMIT: Duration = Duration::from_secs(60);

/// No job is running, due or waiting for a retry.
async fn settled(store: &Store) -> bool {
    store.is_idle(chrono::Utc::now()).await.unwrap_or(false)
}

pub(crate) struct Journey {
    pub(crate) bridge: String,
    /// The settings file the bridge runs with (for driving the command line beside it).
    pub(crate) settings_toml: String,
    pub(crate) sandbox: Sandbox,
    pub(crate) store: Store,
    shutdown: CancellationToken,
    running: JoinHandle<anyhow::Result<()>>,
    _db: TestDatabase,
}

/// Four shops, one per platform, each writing back to the simulated admin APIs; fast retries,
/// quick timeouts and no reconciliation sweeps (each journey drives the courier itself).
fn settings_toml(sandbox: &Sandbox, database_url: &str) -> String {
    BridgeConfig::for_sandbox(sandbox, database_url)
        .max_connections(4)
        .poll_interval("50ms")
        .fast_retries(30)
        .quick_upstreams("1s")
        .without_reconciliation()
        .shop(Shop::shopify("kente", SHOPIFY_SECRET).writes_back_to(sandbox))
        .shop(
            Shop::woocommerce("atlas", WOO_SECRET)
                .ship_immediately()
                .default_country("GH")
                .writes_back_to(sandbox),
        )
        .shop(
            Shop::youcan("souk", YOUCAN_SECRET)
                .ship_immediately()
                .default_country("GH")
                .writes_back_to(sandbox),
        )
        .shop(
            Shop::generic("gen", GENERIC_SECRET)
                .ship_immediately()
                .writes_back_to(sandbox),
        )
        .to_toml()
}

impl Journey {
    pub(crate) async fn start(backend: TestBackend, sandbox_config: SandboxConfig) -> Journey {
        Self::start_with(backend, sandbox_config, |_| {}).await
    }

    pub(crate) async fn start_with(
        backend: TestBackend,
        sandbox_config: SandboxConfig,
        configure: impl FnOnce(&mut Settings),
    ) -> Journey {
        Self::launch(backend, sandbox_config, |_| String::new(), configure).await
    }

    /// As [`Journey::start`], with more settings (TOML) written for the running sandbox.
    pub(crate) async fn start_with_toml(
        backend: TestBackend,
        sandbox_config: SandboxConfig,
        extra: impl FnOnce(&Sandbox) -> String,
    ) -> Journey {
        Self::launch(backend, sandbox_config, extra, |_| {}).await
    }

    async fn launch(
        backend: TestBackend,
        sandbox_config: SandboxConfig,
        extra: impl FnOnce(&Sandbox) -> String,
        configure: impl FnOnce(&mut Settings),
    ) -> Journey {
        let db = TestDatabase::new(backend).await;
        let sandbox = Sandbox::start(sandbox_config).await.unwrap();
        let toml = format!(
            "{}\n{}",
            settings_toml(&sandbox, &db.settings.url),
            extra(&sandbox)
        );
        let mut settings =
            Settings::from_toml(&toml).unwrap_or_else(|error| panic!("{error}\n{toml}"));
        configure(&mut settings);
        let application = Application::build(settings).await.unwrap();
        let bridge = format!("http://127.0.0.1:{}", application.port());
        let store = application.store().clone();
        let shutdown = application.shutdown_token();
        let running = tokio::spawn(application.run_until_stopped());
        sandbox.send_webhooks_to(&bridge);
        Journey {
            bridge,
            settings_toml: toml,
            sandbox,
            store,
            shutdown,
            running,
            _db: db,
        }
    }

    pub(crate) async fn stop(self) {
        self.shutdown.cancel();
        self.running.await.unwrap().unwrap();
    }

    fn shopify(&self) -> ShopifySender {
        ShopifySender::new("kente.myshopify.com", SHOPIFY_SECRET)
    }

    pub(crate) async fn send_shopify(&self, topic: &str, order: &Value) -> u16 {
        self.shopify()
            .send(
                &format!("{}/webhooks/shops/kente", self.bridge),
                topic,
                order,
            )
            .await
            .status
    }

    /// The WooCommerce shop (`atlas`, ship immediately): a sender and its webhook URL.
    pub(crate) fn woo(&self) -> (WooSender, String) {
        (
            WooSender::new("https://atlas.example/", WOO_SECRET),
            format!("{}/webhooks/shops/atlas", self.bridge),
        )
    }

    /// Places a COD WooCommerce order and waits until its package exists and the jobs settle.
    pub(crate) async fn ship_woo(&self, id: u64) -> bridge_sandbox::shaq::SimPackage {
        let (sender, url) = self.woo();
        let sent = sender
            .send(&url, "order.created", &woocommerce_order(&cod_spec(id)))
            .await;
        assert_eq!(sent.status, 200);
        let partner_ref = format!("atlas-{id}");
        let package = wait_for("the package", LIMIT, || async {
            self.sandbox.shaq.package(&partner_ref)
        })
        .await
        .unwrap();
        self.settle().await;
        package
    }

    pub(crate) async fn settle(&self) {
        wait_for("the jobs to settle", LIMIT, || async {
            settled(&self.store).await.then_some(())
        })
        .await
        .unwrap();
    }

    pub(crate) async fn ticket(&self, partner_ref: &str) -> Value {
        wait_for("the ticket", LIMIT, || async {
            self.sandbox.digishare.ticket_by_external_id(partner_ref)
        })
        .await
        .unwrap()
    }

    pub(crate) async fn order_state(&self, key: &str) -> Option<OrderState> {
        self.store
            .order(&OrderKey::new(key))
            .await
            .unwrap()
            .map(|o| o.state())
    }

    pub(crate) fn status_id(&self, key: &str) -> String {
        self.sandbox.digishare.statuses()[key].clone()
    }

    /// Moves the package and waits until the bridge has applied the status.
    pub(crate) async fn courier(&self, partner_ref: &str, key: &str, status: &str) {
        self.sandbox.shaq.advance(partner_ref, status).unwrap();
        wait_for(status, LIMIT, || async {
            let order = self.store.order(&OrderKey::new(key)).await.ok().flatten()?;
            (order.courier_status().map(|s| s.as_str()) == Some(status)).then_some(())
        })
        .await
        .unwrap();
        self.settle().await;
    }
}

pub(crate) fn cod_spec(id: u64) -> OrderSpec {
    OrderSpec {
        id,
        cod: true,
        country: "GH",
        phone: Some("024 412 3456".to_owned()),
        region: Some("Ashanti".to_owned()),
    }
}

async fn a_cod_shopify_order_is_confirmed_shipped_and_delivered(backend: TestBackend) {
    let journey = Journey::start(backend, SandboxConfig::default()).await;
    let spec = cod_spec(1001);
    let order = shopify_order(&spec);
    assert_eq!(journey.send_shopify("orders/create", &order).await, 200);
    let ticket = journey.ticket("kente-1001").await;
    assert_eq!(
        ticket["ticket_status_id"],
        journey.status_id("awaiting_confirmation")
    );
    assert_eq!(ticket["lang"], "en");
    assert_eq!(ticket["type_ticket_id"], "npvrxamq9l94y8dz");
    assert_eq!(
        ticket.pointer("/information/third/wa_id"),
        Some(&Value::from("233244123456"))
    );
    assert_eq!(
        ticket.pointer("/information/campaign_data/order_id"),
        Some(&order["name"])
    );
    assert!(
        journey.sandbox.shaq.packages().is_empty(),
        "confirm first: no package yet"
    );

    journey
        .sandbox
        .digishare
        .customer_confirms(ticket["id"].as_str().unwrap())
        .unwrap();
    let package = wait_for("the package", LIMIT, || async {
        journey.sandbox.shaq.package("kente-1001")
    })
    .await
    .unwrap();
    let request = &package.request;
    assert_eq!(request["customer_phone_1"], "+233244123456");
    assert_eq!(request["region_id"], 2, "Ashanti, by ShaQ's id");
    assert_eq!(request["amount_to_collect"], order["total_outstanding"]);
    assert_eq!(request["value"], order["total_price"]);
    assert_eq!(request["type"], "box");
    journey.settle().await;

    for (status, ticket_key) in [
        ("received", "picked_up"),
        ("in_transit", "in_transit"),
        ("dispatched", "out_for_delivery"),
        ("not_delivered", "delivery_problem"),
        ("dispatched", "out_for_delivery"),
        ("delivered", "delivered"),
    ] {
        journey.courier("kente-1001", "kente/1001", status).await;
        let ticket = journey.ticket("kente-1001").await;
        assert_eq!(
            ticket["ticket_status_id"],
            journey.status_id(ticket_key),
            "after {status}"
        );
    }
    assert_eq!(
        journey.order_state("kente/1001").await,
        Some(OrderState::Delivered)
    );
    let ticket = journey.ticket("kente-1001").await;
    assert_eq!(
        ticket.pointer("/information/campaign_data/tracking_number"),
        Some(&Value::from(package.tracking_number.clone()))
    );
    // What the customer reads, in their language, beside the machine values.
    let data = &ticket["information"]["campaign_data"];
    assert_eq!(data["status"], "delivered");
    assert_eq!(data["status_text"], "Your parcel has been delivered");
    assert_eq!(
        data["amount_to_collect_text"],
        format!("{} GHS", order["total_outstanding"].as_str().unwrap())
    );
    assert!(
        data["order_date"]
            .as_str()
            .is_some_and(|d| d.contains(" 20"))
    );
    let operations: Vec<String> = journey
        .sandbox
        .shops
        .received()
        .iter()
        .map(|r| r.operation.clone())
        .collect();
    for expected in [
        "tagsAdd",
        "fulfillmentCreate",
        "fulfillmentEventCreate",
        "orderMarkAsPaid",
    ] {
        assert!(
            operations.iter().any(|o| o == expected),
            "{expected} missing from {operations:?}"
        );
    }
    assert_eq!(journey.sandbox.shaq.packages().len(), 1);
    assert_eq!(journey.sandbox.digishare.tickets().len(), 1);
    journey.stop().await;
}

async fn a_prepaid_woocommerce_order_ships_at_once_and_collects_nothing(backend: TestBackend) {
    let journey = Journey::start(backend, SandboxConfig::default()).await;
    let spec = OrderSpec {
        cod: false,
        ..cod_spec(727)
    };
    let (sender, url) = journey.woo();
    assert_eq!(
        sender.ping(&url, 17).await.status,
        200,
        "the ping gets exactly 200"
    );
    assert_eq!(
        sender
            .send(&url, "order.created", &woocommerce_order(&spec))
            .await
            .status,
        200
    );
    let package = wait_for("the package", LIMIT, || async {
        journey.sandbox.shaq.package("atlas-727")
    })
    .await
    .unwrap();
    assert_eq!(
        package.request["amount_to_collect"], "0",
        "prepaid: nothing to collect"
    );
    let ticket = journey.ticket("atlas-727").await;
    journey.settle().await;
    assert_eq!(
        journey.order_state("atlas/727").await,
        Some(OrderState::Shipping)
    );
    assert!(ticket["ticket_status_id"].is_string());
    let woo: Vec<String> = journey
        .sandbox
        .shops
        .received()
        .iter()
        .filter(|r| r.platform == "woocommerce")
        .map(|r| r.operation.clone())
        .collect();
    assert!(woo.contains(&"PUT order".to_owned()), "{woo:?}");
    journey.stop().await;
}

async fn the_customer_declines_and_the_shop_order_is_cancelled(backend: TestBackend) {
    let journey = Journey::start(backend, SandboxConfig::default()).await;
    assert_eq!(
        journey
            .send_shopify("orders/create", &shopify_order(&cod_spec(2002)))
            .await,
        200
    );
    let ticket = journey.ticket("kente-2002").await;
    journey
        .sandbox
        .digishare
        .customer_cancels(ticket["id"].as_str().unwrap())
        .unwrap();
    wait_for("cancellation", LIMIT, || async {
        (journey.order_state("kente/2002").await == Some(OrderState::Cancelled)).then_some(())
    })
    .await
    .unwrap();
    journey.settle().await;
    assert!(
        journey.sandbox.shaq.packages().is_empty(),
        "no package for a declined order"
    );
    assert!(
        journey
            .sandbox
            .shops
            .received()
            .iter()
            .any(|r| r.operation == "orderCancel")
    );
    journey.stop().await;
}

/// Courier news the order cannot place moves nothing: a webhook naming an unconfirmed COD
/// order's reference (it has no package) leaves the order waiting, its ticket where it is and
/// its shop untold, with a line in the order's timeline saying why. (News naming another
/// order's package: `workflow/tests/courier.rs`.)
async fn courier_news_for_an_order_without_its_package_moves_nothing(backend: TestBackend) {
    let journey = Journey::start(backend, SandboxConfig::default()).await;
    assert_eq!(
        journey
            .send_shopify("orders/create", &shopify_order(&cod_spec(2101)))
            .await,
        200
    );
    let ticket = journey.ticket("kente-2101").await;
    journey.settle().await;
    let client = reqwest::Client::new();
    let post = |event_id: &str, tracking: &str, status: &str| {
        client
            .post(format!("{}/webhooks/shaq", journey.bridge))
            .header("content-type", "application/json")
            .header(
                "X-Shaq-Webhook-Secret",
                bridge_sandbox::bridge_config::SHAQ_WEBHOOK_SECRET,
            )
            .body(
                serde_json::json!({
                    "event": "package.status_updated", "event_id": event_id,
                    "api_version": "v1", "occurred_at": chrono::Utc::now().to_rfc3339(),
                    "data": {"partner_ref": "kente-2101", "tracking_number": tracking, "status": status}
                })
                .to_string(),
            )
            .send()
    };
    assert_eq!(
        post("stray-1", "SB-NOT-OURS", "in_transit")
            .await
            .unwrap()
            .status(),
        200,
        "taken (stored), then judged by the workflow"
    );
    let line = wait_for("the refusal in the timeline", LIMIT, || async {
        timeline_of(&journey, "kente/2101")
            .await
            .into_iter()
            .find(|line| line.contains("not applied"))
    })
    .await
    .unwrap();
    assert!(line.contains("has no ShaQ package"), "{line}");
    journey.settle().await;
    assert_eq!(
        journey.order_state("kente/2101").await,
        Some(OrderState::AwaitingConfirmation)
    );
    let unmoved = journey.ticket("kente-2101").await;
    assert_eq!(
        unmoved["ticket_status_id"], ticket["ticket_status_id"],
        "the customer hears nothing"
    );
    assert!(
        journey.sandbox.shops.received().is_empty(),
        "the shop is told nothing"
    );
    journey.stop().await;
}

async fn a_shop_cancel_before_pickup_deletes_the_package_after_pickup_asks_shaq(
    backend: TestBackend,
) {
    let journey = Journey::start(backend, SandboxConfig::default()).await;
    let (sender, url) = journey.woo();
    for id in [31, 32] {
        sender
            .send(&url, "order.created", &woocommerce_order(&cod_spec(id)))
            .await;
        wait_for("the package", LIMIT, || async {
            journey.sandbox.shaq.package(&format!("atlas-{id}"))
        })
        .await
        .unwrap();
    }
    journey.settle().await;
    journey.courier("atlas-32", "atlas/32", "received").await;
    for id in [31, 32] {
        let mut cancelled = woocommerce_order(&cod_spec(id));
        cancelled["status"] = Value::from("cancelled");
        cancelled["date_modified_gmt"] = Value::from("2099-01-01T00:00:00");
        sender.send(&url, "order.updated", &cancelled).await;
    }
    wait_for("the pending package to be deleted", LIMIT, || async {
        journey
            .sandbox
            .shaq
            .package("atlas-31")
            .is_none()
            .then_some(())
    })
    .await
    .unwrap();
    journey.settle().await;
    assert_eq!(
        journey.order_state("atlas/31").await,
        Some(OrderState::Cancelled)
    );
    let ticket = journey.ticket("atlas-31").await;
    assert_eq!(ticket["ticket_status_id"], journey.status_id("cancelled"));
    let picked_up = journey.sandbox.shaq.package("atlas-32").unwrap();
    assert!(
        picked_up.cancel_requested,
        "after pickup ShaQ is asked to cancel"
    );
    assert_eq!(
        journey.order_state("atlas/32").await,
        Some(OrderState::InTransit)
    );
    journey.stop().await;
}

async fn redelivered_and_reordered_webhooks_change_nothing(backend: TestBackend) {
    let journey = Journey::start(backend, SandboxConfig::default()).await;
    let order = shopify_order(&cod_spec(4004));
    // The same delivery three times (same webhook id), as Shopify retries.
    let sender = journey.shopify();
    let body = order.to_string();
    let signature = bridge_sandbox::shops::shopify_signature(SHOPIFY_SECRET, body.as_bytes());
    for _ in 0..3 {
        let status = reqwest::Client::new()
            .post(format!("{}/webhooks/shops/kente", journey.bridge))
            .header("X-Shopify-Topic", "orders/create")
            .header("X-Shopify-Hmac-Sha256", &signature)
            .header("X-Shopify-Webhook-Id", "same-delivery")
            .body(body.clone())
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 200);
    }
    // A second delivery of the same order version under a new webhook id.
    assert_eq!(
        sender
            .send(
                &format!("{}/webhooks/shops/kente", journey.bridge),
                "orders/create",
                &order
            )
            .await
            .status,
        200
    );
    let ticket = journey.ticket("kente-4004").await;
    journey
        .sandbox
        .digishare
        .customer_confirms(ticket["id"].as_str().unwrap())
        .unwrap();
    wait_for("the package", LIMIT, || async {
        journey.sandbox.shaq.package("kente-4004")
    })
    .await
    .unwrap();
    journey.settle().await;

    // ShaQ sends every webhook twice and out of order.
    journey.sandbox.shaq.webhooks.set_duplicate(true);
    journey.sandbox.shaq.webhooks.set_hold(true);
    for status in ["received", "in_transit", "dispatched", "delivered"] {
        journey.sandbox.shaq.advance("kente-4004", status).unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    journey.sandbox.shaq.webhooks.release_shuffled(7);
    journey.sandbox.shaq.webhooks.wait_idle().await;
    journey.settle().await;

    assert_eq!(journey.sandbox.shaq.packages().len(), 1, "one package");
    assert_eq!(journey.sandbox.digishare.tickets().len(), 1, "one ticket");
    assert_eq!(
        journey.order_state("kente/4004").await,
        Some(OrderState::Delivered)
    );
    let ticket = journey.ticket("kente-4004").await;
    assert_eq!(
        ticket["ticket_status_id"],
        journey.status_id("delivered"),
        "no regression"
    );
    let confirmations = journey
        .sandbox
        .digishare
        .messages()
        .iter()
        .filter(|m| m.status == "awaiting_confirmation")
        .count();
    assert_eq!(confirmations, 1, "the customer was asked once");
    let paid = journey
        .sandbox
        .shops
        .received()
        .iter()
        .filter(|r| r.operation == "orderMarkAsPaid")
        .count();
    assert!(paid <= 1, "marked paid at most once, got {paid}");
    journey.stop().await;
}

async fn bad_signatures_and_unshippable_orders(backend: TestBackend) {
    let journey = Journey::start(backend, SandboxConfig::default()).await;
    let order = shopify_order(&cod_spec(5005));
    let forged = ShopifySender::new("kente.myshopify.com", "not-the-secret");
    let mut forged = forged;
    forged.retries = 0;
    let status = forged
        .send(
            &format!("{}/webhooks/shops/kente", journey.bridge),
            "orders/create",
            &order,
        )
        .await
        .status;
    assert_eq!(status, 401);
    let unknown = journey
        .shopify()
        .send(
            &format!("{}/webhooks/shops/nobody", journey.bridge),
            "orders/create",
            &order,
        )
        .await;
    assert_eq!(
        unknown.status, 401,
        "a shop that does not exist is answered like a wrong signature: probing learns nothing"
    );

    let no_phone = shopify_order(&OrderSpec {
        phone: None,
        ..cod_spec(5006)
    });
    assert_eq!(
        journey.send_shopify("orders/create", &no_phone).await,
        200,
        "accepted: the shop must not retry"
    );
    wait_for("needs attention", LIMIT, || async {
        (journey.order_state("kente/5006").await == Some(OrderState::NeedsAttention)).then_some(())
    })
    .await
    .unwrap();
    let outside = shopify_order(&OrderSpec {
        country: "MA",
        phone: Some("0612345678".to_owned()),
        region: None,
        ..cod_spec(5007)
    });
    journey.send_shopify("orders/create", &outside).await;
    wait_for("needs attention", LIMIT, || async {
        (journey.order_state("kente/5007").await == Some(OrderState::NeedsAttention)).then_some(())
    })
    .await
    .unwrap();
    journey.settle().await;
    assert!(
        journey
            .store
            .order(&OrderKey::new("kente/5005"))
            .await
            .unwrap()
            .is_none(),
        "the forged order was not stored"
    );
    assert!(journey.sandbox.digishare.tickets().is_empty());
    assert!(journey.sandbox.shaq.packages().is_empty());
    journey.stop().await;
}

async fn upstream_faults_delay_but_never_duplicate(backend: TestBackend) {
    let faults = |seed| FaultPlan {
        server_error: 0.12,
        rate_limited: 0.05,
        hang_after_apply: 0.08,
        drop_connection: 0.05,
        hang: Duration::from_millis(1500),
        seed,
        ..FaultPlan::default()
    };
    let config = SandboxConfig {
        shaq: bridge_sandbox::ShaqSimConfig {
            faults: faults(11),
            ..Default::default()
        },
        digishare: bridge_sandbox::DigishareSimConfig {
            faults: faults(12),
            ..Default::default()
        },
        ..SandboxConfig::default()
    };
    let journey = Journey::start(backend, config).await;
    let (sender, url) = journey.woo();
    let orders = 30;
    for id in 0..orders {
        assert_eq!(
            sender
                .send(
                    &url,
                    "order.created",
                    &woocommerce_order(&cod_spec(9000 + id))
                )
                .await
                .status,
            200
        );
    }
    wait_for(
        "every package and ticket",
        Duration::from_secs(120),
        || async {
            let packages = journey.sandbox.shaq.packages().len() as u64;
            let tickets = journey.sandbox.digishare.tickets().len() as u64;
            (packages >= orders && tickets >= orders && settled(&journey.store).await).then_some(())
        },
    )
    .await
    .unwrap();
    assert_eq!(
        journey.sandbox.shaq.packages().len() as u64,
        orders,
        "no duplicate package"
    );
    assert_eq!(
        journey.sandbox.digishare.tickets().len() as u64,
        orders,
        "no duplicate ticket"
    );
    let injected = journey.sandbox.shaq.faults.counts();
    assert!(
        injected.server_errors + injected.rate_limited + injected.hangs_after_apply > 0,
        "faults happened: {injected:?}"
    );
    let digishare = journey.sandbox.digishare.faults.counts();
    eprintln!(
        "fault journey: {orders} orders, ShaQ faults {injected:?}, Digishare faults {digishare:?}, duplicates 0"
    );
    journey.stop().await;
}

async fn lost_courier_webhooks_heal_through_reconciliation(backend: TestBackend) {
    let journey = Journey::start(backend, SandboxConfig::default()).await;
    journey.ship_woo(61).await;
    journey.sandbox.shaq.webhooks.lose_next(2);
    journey
        .sandbox
        .shaq
        .advance("atlas-61", "received")
        .unwrap();
    journey
        .sandbox
        .shaq
        .advance("atlas-61", "dispatched")
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        journey.order_state("atlas/61").await,
        Some(OrderState::Shipping),
        "the webhooks were lost"
    );
    let settings = bridge_core::settings::ReconcileSettings {
        stale_after: Duration::ZERO,
        ..Default::default()
    };
    let later = chrono::Utc::now() + chrono::Duration::seconds(1);
    let enqueued = bridge_core::maintenance::sweep_stale_packages(&journey.store, &settings, later)
        .await
        .unwrap();
    assert_eq!(enqueued, 1);
    let healed = wait_for("reconciliation", Duration::from_secs(10), || async {
        (journey.order_state("atlas/61").await == Some(OrderState::OutForDelivery)).then_some(())
    })
    .await;
    if healed.is_err() {
        for job in journey.store.list_jobs(&Default::default()).await.unwrap() {
            eprintln!(
                "{} {} {} {:?} {:?}",
                job.id,
                job.kind(),
                job.state,
                job.run_at,
                job.last_error
            );
        }
        for line in journey
            .store
            .timeline(&OrderKey::new("atlas/61"))
            .await
            .unwrap()
        {
            eprintln!("{} {}", line.entry.kind, line.entry.summary);
        }
    }
    healed.unwrap();
    journey.settle().await;
    let ticket = journey.ticket("atlas-61").await;
    assert_eq!(
        ticket["ticket_status_id"],
        journey.status_id("out_for_delivery")
    );
    journey.stop().await;
}

async fn an_address_change_while_pending_updates_the_package(backend: TestBackend) {
    let journey = Journey::start(backend, SandboxConfig::default()).await;
    let (sender, url) = journey.woo();
    let mut order = woocommerce_order(&cod_spec(71));
    sender.send(&url, "order.created", &order).await;
    wait_for("the package", LIMIT, || async {
        journey.sandbox.shaq.package("atlas-71")
    })
    .await
    .unwrap();
    journey.settle().await;
    order["billing"]["address_1"] = Value::from("7 New Road");
    order["date_modified_gmt"] = Value::from("2099-01-01T00:00:00");
    sender.send(&url, "order.updated", &order).await;
    wait_for("the update", LIMIT, || async {
        let package = journey.sandbox.shaq.package("atlas-71")?;
        (package.request["destination_address_line_1"] == "7 New Road").then_some(())
    })
    .await
    .unwrap();
    journey.settle().await;
    assert_eq!(journey.sandbox.shaq.packages().len(), 1);
    journey.stop().await;
}

async fn youcan_and_generic_shops_ship_and_hear_back(backend: TestBackend) {
    let journey = Journey::start(backend, SandboxConfig::default()).await;
    let youcan = bridge_sandbox::shops::YouCanSender::new(YOUCAN_SECRET);
    let generic = bridge_sandbox::shops::GenericSender::new(GENERIC_SECRET);
    let spec = cod_spec(81);
    let sent = youcan
        .send(
            &format!("{}/webhooks/shops/souk", journey.bridge),
            &bridge_sandbox::shops::youcan_order(&spec),
        )
        .await;
    assert_eq!(sent.status, 200);
    let sent = generic
        .send(
            &format!("{}/webhooks/shops/gen", journey.bridge),
            "created",
            &bridge_sandbox::shops::generic_order(&cod_spec(82)),
        )
        .await;
    assert_eq!(sent.status, 200);
    let youcan_ref = format!("souk-{:08x}-yc", 81);
    for partner_ref in [youcan_ref.as_str(), "gen-82"] {
        wait_for("the package", LIMIT, || async {
            journey.sandbox.shaq.package(partner_ref)
        })
        .await
        .unwrap();
        journey.ticket(partner_ref).await;
    }
    journey.settle().await;
    journey
        .courier(&youcan_ref, &format!("souk/{:08x}-yc", 81), "delivered")
        .await;
    journey.courier("gen-82", "gen/82", "delivered").await;
    let received = journey.sandbox.shops.received();
    let youcan_ops: Vec<&str> = received
        .iter()
        .filter(|r| r.platform == "youcan")
        .map(|r| r.operation.as_str())
        .collect();
    assert_eq!(
        youcan_ops,
        ["fulfill", "pay"],
        "fulfilled, then paid on delivery"
    );
    let callbacks: Vec<&Value> = received
        .iter()
        .filter(|r| r.platform == "generic")
        .map(|r| &r.body)
        .collect();
    assert!(
        callbacks.iter().any(|b| b["milestone"] == "delivered"),
        "{callbacks:?}"
    );
    journey.stop().await;
}

async fn the_shaq_token_expires_mid_run_without_a_failed_job(backend: TestBackend) {
    let config = SandboxConfig {
        shaq: bridge_sandbox::ShaqSimConfig {
            token_lifetime_secs: 1,
            ..Default::default()
        },
        ..SandboxConfig::default()
    };
    let journey = Journey::start(backend, config).await;
    let (sender, url) = journey.woo();
    for id in [91, 92] {
        sender
            .send(&url, "order.created", &woocommerce_order(&cod_spec(id)))
            .await;
        wait_for("the package", LIMIT, || async {
            journey.sandbox.shaq.package(&format!("atlas-{id}"))
        })
        .await
        .unwrap();
        tokio::time::sleep(Duration::from_millis(1200)).await;
    }
    journey.settle().await;
    let logins = journey
        .sandbox
        .shaq
        .recorder
        .matching("POST", "/api/v1/auth/login")
        .len();
    assert!(logins >= 2, "logged in again after expiry: {logins}");
    assert_eq!(journey.store.job_counts().await.unwrap().dead, 0);
    let retried = journey
        .store
        .list_jobs(&Default::default())
        .await
        .unwrap()
        .iter()
        .filter(|j| j.attempts > 1)
        .count();
    assert_eq!(
        retried, 0,
        "the 401 was handled inside the call, not by a job retry"
    );
    journey.stop().await;
}

async fn a_permanent_rejection_is_dead_at_once_with_its_reason(backend: TestBackend) {
    let journey = Journey::start_with(backend, SandboxConfig::default(), |settings| {
        settings.digishare.type_ticket_id = "nosuchtype000000".to_owned();
    })
    .await;
    let sender = WooSender::new("https://atlas.example/", WOO_SECRET);
    sender
        .send(
            &format!("{}/webhooks/shops/atlas", journey.bridge),
            "order.created",
            &woocommerce_order(&cod_spec(95)),
        )
        .await;
    wait_for("the dead job", LIMIT, || async {
        (journey.store.job_counts().await.ok()?.dead >= 1).then_some(())
    })
    .await
    .unwrap();
    journey.settle().await;
    let dead = journey
        .store
        .list_jobs(&bridge_core::store::JobFilter {
            state: Some(bridge_core::jobs::JobState::Dead),
            ..Default::default()
        })
        .await
        .unwrap();
    let create = dead
        .iter()
        .find(|j| j.kind() == bridge_core::jobs::JobKind::CreateTicket)
        .unwrap();
    assert_eq!(create.attempts, 1, "no retry storm");
    assert!(
        create
            .last_error
            .as_deref()
            .unwrap()
            .contains("type_ticket_id"),
        "{:?}",
        create.last_error
    );
    let posts = journey
        .sandbox
        .digishare
        .recorder
        .matching("POST", "/v1/tickets")
        .len();
    assert_eq!(posts, 1, "Digishare was asked once");
    journey.stop().await;
}

async fn the_label_is_attached_to_the_ticket_when_ready(backend: TestBackend) {
    let config = SandboxConfig {
        shaq: bridge_sandbox::ShaqSimConfig {
            label_ready_after_secs: 0,
            ..Default::default()
        },
        ..SandboxConfig::default()
    };
    let journey = Journey::start_with(backend, config, |settings| {
        settings.shaq.attach_label = true
    })
    .await;
    let sender = WooSender::new("https://atlas.example/", WOO_SECRET);
    sender
        .send(
            &format!("{}/webhooks/shops/atlas", journey.bridge),
            "order.created",
            &woocommerce_order(&cod_spec(97)),
        )
        .await;
    let label = wait_for("the label", LIMIT, || async {
        journey
            .sandbox
            .digishare
            .ticket_by_external_id("atlas-97")?
            .pointer("/information/campaign_data/label")
            .cloned()
    })
    .await
    .unwrap();
    assert_eq!(label["provider"], "digishare");
    assert!(label["id"].is_string());
    journey.stop().await;
}

async fn a_trashed_woocommerce_order_is_cancelled(backend: TestBackend) {
    let journey = Journey::start(backend, SandboxConfig::default()).await;
    journey.ship_woo(99).await;
    let (sender, url) = journey.woo();
    let trashed = sender
        .send(&url, "order.deleted", &serde_json::json!({ "id": 99 }))
        .await;
    assert_eq!(trashed.status, 200);
    wait_for("the cancellation", LIMIT, || async {
        (journey.order_state("atlas/99").await == Some(OrderState::Cancelled)).then_some(())
    })
    .await
    .unwrap();
    journey.settle().await;
    assert!(
        journey.sandbox.shaq.package("atlas-99").is_none(),
        "the pending package was deleted"
    );
    journey.stop().await;
}

async fn an_unknown_region_waits_for_a_fix_in_the_shop(backend: TestBackend) {
    let journey = Journey::start(backend, SandboxConfig::default()).await;
    let (sender, url) = journey.woo();
    let spec = OrderSpec {
        region: Some("Atlantis".to_owned()),
        ..cod_spec(98)
    };
    let mut order = woocommerce_order(&spec);
    // Nothing in the address names a place in Ghana.
    order["billing"]["city"] = Value::from("Xyzzy");
    sender.send(&url, "order.created", &order).await;
    wait_for("needs attention", LIMIT, || async {
        let stored = journey
            .store
            .order(&OrderKey::new("atlas/98"))
            .await
            .ok()
            .flatten()?;
        (stored.state() == OrderState::NeedsAttention)
            .then(|| stored.attention().map(ToString::to_string))
    })
    .await
    .unwrap();
    journey.settle().await;
    assert!(
        journey.sandbox.shaq.packages().is_empty(),
        "no doomed request to ShaQ"
    );
    order["billing"]["state"] = Value::from("Ashanti");
    order["date_modified_gmt"] = Value::from("2099-01-01T00:00:00");
    sender.send(&url, "order.updated", &order).await;
    let package = wait_for("the package", LIMIT, || async {
        journey.sandbox.shaq.package("atlas-98")
    })
    .await
    .unwrap();
    assert_eq!(package.request["region_id"], 2);
    journey.settle().await;
    assert_eq!(
        journey.sandbox.digishare.tickets().len(),
        1,
        "the ticket was not made twice"
    );
    journey.stop().await;
}

const ADMIN_TOKEN: &str = "journey-admin-token-0123456789";
const AMA_TOKEN: &str = "journey-token-of-ama-0123456789";
const KOFI_TOKEN: &str = "journey-token-of-kofi-0123456789";

/// The admin token, and a named token each for ama and kofi (what they do is recorded under
/// the token's name).
fn with_api_tokens(settings: &mut bridge_server::configuration::Settings) {
    use bridge_server::configuration::{ApiToken, Role};
    settings.server.admin_token = Some(ADMIN_TOKEN.to_owned().into());
    for (name, token) in [("ama", AMA_TOKEN), ("kofi", KOFI_TOKEN)] {
        settings.server.api_tokens.push(ApiToken {
            name: name.to_owned(),
            token: token.to_owned().into(),
            role: Role::Operator,
        });
    }
}

/// A stuck order found by the number the customer quotes, corrected, resumed and shipped over
/// the admin API; then cancelled by a person.
async fn a_person_finds_fixes_and_ships_a_stuck_order_over_the_api(backend: TestBackend) {
    let journey = Journey::start_with(backend, SandboxConfig::default(), |settings| {
        with_api_tokens(settings);
    })
    .await;
    let (sender, url) = journey.woo();
    let spec = OrderSpec {
        region: Some("Atlantis".to_owned()),
        ..cod_spec(1047)
    };
    let mut order = woocommerce_order(&spec);
    order["billing"]["city"] = Value::from("Xyzzy");
    order["shipping"]["city"] = Value::from("Xyzzy");
    sender.send(&url, "order.created", &order).await;
    wait_for("needs attention", LIMIT, || async {
        (journey.order_state("atlas/1047").await == Some(OrderState::NeedsAttention)).then_some(())
    })
    .await
    .unwrap();
    journey.settle().await;

    let client = reqwest::Client::new();
    let api = |path: &str| format!("{}{path}", journey.bridge);
    let get = |path: String| {
        let client = client.clone();
        async move {
            let response = client
                .get(path)
                .bearer_auth(ADMIN_TOKEN)
                .send()
                .await
                .unwrap();
            (
                response.status().as_u16(),
                response.json::<Value>().await.unwrap(),
            )
        }
    };
    // Found by what people quote: the order name, the phone as typed, part of the name.
    let stored = journey
        .store
        .order(&OrderKey::new("atlas/1047"))
        .await
        .unwrap()
        .unwrap();
    let surname = stored
        .order()
        .recipient
        .name
        .split(' ')
        .next_back()
        .unwrap()
        .to_lowercase();
    for q in [
        "%231047",
        "1047",
        "024%20412%203456",
        "%2B233244123456",
        surname.as_str(),
    ] {
        let (status, page) = get(api(&format!("/api/orders?q={q}&state=needs_attention"))).await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["total"], 1, "q={q}: {page}");
        assert_eq!(page["orders"][0]["order_key"], "atlas/1047");
    }
    let (status, shown) = get(api("/api/orders/atlas/%231047")).await;
    assert_eq!(status, 200);
    assert_eq!(shown["order"]["state"], "needs_attention");
    assert!(
        shown["inbound_events"]
            .as_array()
            .is_some_and(|e| !e.is_empty())
    );

    let post = |path: String, body: Option<Value>| {
        let client = client.clone();
        async move {
            let mut request = client.post(path).bearer_auth(AMA_TOKEN);
            if let Some(body) = body {
                request = request.json(&body);
            }
            let response = request.send().await.unwrap();
            (
                response.status().as_u16(),
                response.json::<Value>().await.unwrap(),
            )
        }
    };
    // Resuming as it is would stop again: refused, with the reason.
    let (status, refused) = post(api("/api/orders/atlas/1047/resume"), None).await;
    assert_eq!(status, 409, "{refused}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("still cannot ship")
    );

    let patch = |body: Value| {
        let client = client.clone();
        let url = api("/api/orders/atlas/1047");
        async move {
            let response = client
                .patch(url)
                .bearer_auth(AMA_TOKEN)
                .json(&body)
                .send()
                .await
                .unwrap();
            (
                response.status().as_u16(),
                response.json::<Value>().await.unwrap(),
            )
        }
    };
    let (status, wrong) = patch(serde_json::json!({ "region": "Atlantis" })).await;
    assert_eq!(
        (status, wrong["error"]["field"].clone()),
        (422, Value::from("region"))
    );
    let (status, wrong) = patch(serde_json::json!({ "zip": "00233" })).await;
    assert_eq!(
        (status, wrong["error"]["field"].clone()),
        (422, Value::from("zip"))
    );
    let (status, corrected) =
        patch(serde_json::json!({ "region": "Ashanti", "city": "Kumasi" })).await;
    assert_eq!(status, 200, "{corrected}");
    assert_eq!(
        corrected["decided"],
        "corrected by ama: region → Ashanti, city → Kumasi"
    );
    assert_eq!(corrected["order"]["state"], "needs_attention");

    let (status, resumed) = post(api("/api/orders/atlas/1047/resume"), None).await;
    assert_eq!(status, 200, "{resumed}");
    let package = wait_for("the package", LIMIT, || async {
        journey.sandbox.shaq.package("atlas-1047")
    })
    .await
    .unwrap();
    assert_eq!(package.request["region_id"], 2, "Ashanti");
    journey.settle().await;
    assert_eq!(
        journey.order_state("atlas/1047").await,
        Some(OrderState::Shipping)
    );

    let (status, replayed) = post(api("/api/orders/atlas/1047/replay"), None).await;
    assert_eq!(status, 200, "{replayed}");
    journey.settle().await;

    let (status, cancelled) = post(api("/api/orders/atlas/1047/cancel"), None).await;
    assert_eq!(status, 200, "{cancelled}");
    journey.settle().await;
    assert_eq!(
        journey.order_state("atlas/1047").await,
        Some(OrderState::Cancelled)
    );
    let (status, again) = post(api("/api/orders/atlas/1047/cancel"), None).await;
    assert_eq!(
        (status, again["error"]["code"].clone()),
        (409, Value::from("conflict"))
    );

    let timeline = journey
        .store
        .timeline(&OrderKey::new("atlas/1047"))
        .await
        .unwrap();
    let by_ama: Vec<String> = timeline
        .iter()
        .filter(|line| line.entry.details["operator"] == "ama")
        .map(|line| line.entry.summary.clone())
        .collect();
    assert_eq!(by_ama.len(), 4, "{by_ama:?}");
    assert_eq!(
        by_ama[0],
        "corrected by ama: region → Ashanti, city → Kumasi"
    );
    assert_eq!(by_ama[1], "resumed by ama");
    // The order's last webhook by then (ShaQ's news of the new package, or the shop's order).
    assert!(by_ama[2].starts_with("inbound event ") && by_ama[2].ends_with(" replayed by ama"));
    assert_eq!(by_ama[3], "cancelled by ama");
    journey.stop().await;
}

/// Shopify's Ghana checkout has no region field: the city says where the parcel goes.
async fn a_shopify_order_without_a_province_ships_to_its_city(backend: TestBackend) {
    let journey = Journey::start(backend, SandboxConfig::default()).await;
    let spec = OrderSpec {
        region: None,
        ..cod_spec(1101)
    };
    let mut order = shopify_order(&spec);
    // No GhanaPost GPS address either: the city alone says where.
    order["shipping_address"]["address2"] = Value::from("");
    assert_eq!(order["shipping_address"]["province"], Value::Null);
    assert_eq!(order["shipping_address"]["city"], "Accra");
    assert_eq!(journey.send_shopify("orders/create", &order).await, 200);
    let ticket = journey.ticket("kente-1101").await;
    journey
        .sandbox
        .digishare
        .customer_confirms(ticket["id"].as_str().unwrap())
        .unwrap();
    let package = wait_for("the package", LIMIT, || async {
        journey.sandbox.shaq.package("kente-1101")
    })
    .await
    .unwrap();
    assert_eq!(
        package.request["region_id"], 1,
        "Greater Accra, by ShaQ's id"
    );
    journey.settle().await;
    let timeline = journey
        .store
        .timeline(&OrderKey::new("kente/1101"))
        .await
        .unwrap();
    assert!(
        timeline
            .iter()
            .any(|l| l.entry.summary == "region Greater Accra from city `Accra`"),
        "the timeline says where the region came from"
    );
    assert_eq!(
        journey.order_state("kente/1101").await,
        Some(OrderState::Shipping),
        "no person was needed"
    );
    journey.stop().await;
}

/// WooCommerce sends its state code (`AA` is Greater Accra in WooCommerce core's list).
async fn a_woocommerce_order_with_a_state_code_ships(backend: TestBackend) {
    let journey = Journey::start(backend, SandboxConfig::default()).await;
    let (sender, url) = journey.woo();
    let spec = OrderSpec {
        region: Some("AA".to_owned()),
        ..cod_spec(97)
    };
    let mut order = woocommerce_order(&spec);
    // The code alone must do it: the city names no place the bridge knows.
    order["billing"]["city"] = Value::from("Xyzzy");
    assert_eq!(sender.send(&url, "order.created", &order).await.status, 200);
    let package = wait_for("the package", LIMIT, || async {
        journey.sandbox.shaq.package("atlas-97")
    })
    .await
    .unwrap();
    assert_eq!(
        package.request["region_id"], 1,
        "Greater Accra, by ShaQ's id"
    );
    journey.settle().await;
    let timeline = journey
        .store
        .timeline(&OrderKey::new("atlas/97"))
        .await
        .unwrap();
    assert!(
        timeline
            .iter()
            .any(|l| l.entry.summary == "region Greater Accra from the region code `AA`")
    );
    journey.stop().await;
}

/// An agency's second brand: its own ShaQ account, pickup address, package defaults, ticket
/// type and subject; the other shops keep `[shaq]` and `[digishare]`.
async fn a_shop_with_its_own_accounts_and_settings_uses_them(backend: TestBackend) {
    let mut sandbox_config = SandboxConfig::default();
    sandbox_config.shaq.more_accounts =
        vec![("brand2-partner".to_owned(), "brand2-key".to_owned())];
    sandbox_config
        .digishare
        .ticket_types
        .push("brand2type000000".to_owned());
    let journey = Journey::start_with_toml(backend, sandbox_config, |_| {
        r#"
[[shops]]
id = "brand2"
platform = "shopify"
flow = "ship_immediately"
webhook_secrets = ["brand2-webhook-secret"]
default_country = "GH"
[shops.shaq]
identifier = "brand2-partner"
secret = "brand2-key"
source_address_line_1 = "Brand2 warehouse, Spintex Road, Accra"
[shops.shaq.defaults]
type = "parcel"
handling = "fragile"
[shops.digishare]
type_ticket_id = "brand2type000000"
subject_template = "Brand2 order {order_ref}"
"#
        .to_owned()
    })
    .await;
    let order = shopify_order(&cod_spec(2201));
    let sent = ShopifySender::new("brand2.myshopify.com", "brand2-webhook-secret")
        .send(
            &format!("{}/webhooks/shops/brand2", journey.bridge),
            "orders/create",
            &order,
        )
        .await;
    assert_eq!(sent.status, 200);
    let package = wait_for("the brand's package", LIMIT, || async {
        journey.sandbox.shaq.package("brand2-2201")
    })
    .await
    .unwrap();
    assert_eq!(
        package.account, "brand2-partner",
        "the brand's own ShaQ account"
    );
    assert_eq!(
        package.request["source_address_line_1"],
        "Brand2 warehouse, Spintex Road, Accra"
    );
    assert_eq!(package.request["type"], "parcel");
    assert_eq!(package.request["handling"], "fragile");
    let ticket = journey.ticket("brand2-2201").await;
    assert_eq!(ticket["type_ticket_id"], "brand2type000000");
    assert_eq!(
        ticket["subject"],
        format!("Brand2 order {}", order["name"].as_str().unwrap())
    );
    journey.settle().await;

    let other = journey.ship_woo(2202).await;
    assert_eq!(
        other.account, "sandbox-partner",
        "the other shops keep [shaq]'s account"
    );
    assert_eq!(
        other.request["source_address_line_1"],
        "12 Oxford Street, Osu, Accra"
    );
    journey.stop().await;
}

/// Order ids that differ only in characters ShaQ does not take must not share a reference
/// (they used to: the second order's job then failed forever on a unique constraint).
async fn orders_whose_ids_differ_only_in_odd_characters_both_ship(backend: TestBackend) {
    let journey = Journey::start(backend, SandboxConfig::default()).await;
    let generic = bridge_sandbox::shops::GenericSender::new(GENERIC_SECRET);
    for id in ["920011/evil", "920011_evil"] {
        let mut order = bridge_sandbox::shops::generic_order(&cod_spec(83));
        order["id"] = Value::from(id);
        let sent = generic
            .send(
                &format!("{}/webhooks/shops/gen", journey.bridge),
                "created",
                &order,
            )
            .await;
        assert_eq!(sent.status, 200);
    }
    wait_for("both packages", LIMIT, || async {
        (journey.sandbox.shaq.packages().len() == 2).then_some(())
    })
    .await
    .unwrap();
    journey.settle().await;
    let refs: Vec<String> = journey
        .sandbox
        .shaq
        .packages()
        .iter()
        .map(|p| p.partner_ref().to_owned())
        .collect();
    assert!(refs.contains(&"gen-920011_2fevil".to_owned()), "{refs:?}");
    assert!(refs.contains(&"gen-920011_5fevil".to_owned()), "{refs:?}");
    let dead = journey.store.job_counts().await.unwrap().dead;
    assert_eq!(dead, 0);
    // An id longer than the bridge takes is refused at the door, naming the field.
    let mut order = bridge_sandbox::shops::generic_order(&cod_spec(84));
    order["id"] = Value::from("9".repeat(100));
    let sent = generic
        .send(
            &format!("{}/webhooks/shops/gen", journey.bridge),
            "created",
            &order,
        )
        .await;
    assert_eq!(sent.status, 422);
    journey.stop().await;
}

/// WooCommerce never retries a webhook: three orders placed while the bridge was down reach it
/// only through the catch-up on the shop's order list, and all three ship; later reads of the
/// same list change nothing.
async fn orders_placed_while_the_bridge_was_down_ship_after_it_comes_back(backend: TestBackend) {
    let ids = [3101, 3102, 3103];
    let journey = Journey::launch(
        backend,
        SandboxConfig::default(),
        |sandbox| {
            for id in ids {
                sandbox
                    .shops
                    .place_order("woocommerce", woocommerce_order(&cod_spec(id)));
            }
            String::new()
        },
        |settings| {
            let atlas = settings
                .shops
                .iter_mut()
                .find(|s| s.id.as_str() == "atlas")
                .unwrap();
            atlas.backfill.enabled = true;
            atlas.backfill.interval = Duration::from_secs(1);
        },
    )
    .await;
    for id in ids {
        let partner_ref = format!("atlas-{id}");
        wait_for("the caught-up order's package", LIMIT, || async {
            journey.sandbox.shaq.package(&partner_ref)
        })
        .await
        .unwrap();
    }
    journey.settle().await;
    // A few more reads of the list: nothing new is stored or sent.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    journey.settle().await;
    assert_eq!(journey.sandbox.shaq.packages().len(), 3);
    assert_eq!(journey.sandbox.digishare.tickets().len(), 3);
    journey.stop().await;
}

/// The Shopify shop (`kente`, confirm first) reminds after 1 s and 2 s and stops waiting after
/// 4 s, with `on_no_answer`.
fn remind_quickly(on_no_answer: &str) -> impl FnOnce(&mut Settings) {
    let schedule: bridge_core::shop::ConfirmationSettings = toml::from_str(&format!(
        "reminders = [\"1s\", \"2s\"]\nconfirm_within = \"4s\"\non_no_answer = \"{on_no_answer}\"\n"
    ))
    .unwrap();
    move |settings: &mut Settings| {
        assert_eq!(settings.shops[0].id.as_str(), "kente");
        settings.shops[0].confirmation = schedule;
    }
}

/// The WhatsApp messages the customer of `partner_ref` received, by status key.
fn messages_to(journey: &Journey, partner_ref: &str) -> Vec<String> {
    journey
        .sandbox
        .digishare
        .messages()
        .into_iter()
        .filter(|message| message.external_id == partner_ref)
        .map(|message| message.status)
        .collect()
}

pub(crate) async fn timeline_of(journey: &Journey, key: &str) -> Vec<String> {
    journey
        .store
        .timeline(&OrderKey::new(key))
        .await
        .unwrap()
        .into_iter()
        .map(|line| line.entry.summary)
        .collect()
}

async fn an_unanswered_order_is_reminded_then_cancelled_in_the_shop(backend: TestBackend) {
    let journey =
        Journey::start_with(backend, SandboxConfig::default(), remind_quickly("cancel")).await;
    assert_eq!(
        journey
            .send_shopify("orders/create", &shopify_order(&cod_spec(3001)))
            .await,
        200
    );
    wait_for(
        "the order cancelled for want of an answer",
        LIMIT,
        || async {
            (journey.order_state("kente/3001").await == Some(OrderState::Cancelled)).then_some(())
        },
    )
    .await
    .unwrap();
    journey.settle().await;
    assert_eq!(
        messages_to(&journey, "kente-3001"),
        [
            "awaiting_confirmation",
            "reminder_1",
            "reminder_2",
            "cancelled"
        ],
        "asked, reminded twice, told of the cancellation"
    );
    assert!(journey.sandbox.shaq.packages().is_empty(), "no package");
    assert!(
        journey
            .sandbox
            .shops
            .received()
            .iter()
            .any(|record| record.operation == "orderCancel"),
        "the shop was told"
    );
    let timeline = timeline_of(&journey, "kente/3001").await;
    for needle in [
        "reminder 1 of 2",
        "reminder 2 of 2",
        "no answer from the customer in time",
    ] {
        assert!(
            timeline.iter().any(|line| line.contains(needle)),
            "`{needle}` not in {timeline:#?}"
        );
    }

    // The customer answers "yes" after all: flagged for a person, nothing ships.
    let ticket = journey.ticket("kente-3001").await;
    journey
        .sandbox
        .digishare
        .customer_confirms(ticket["id"].as_str().unwrap())
        .unwrap();
    wait_for("the late answer noted", LIMIT, || async {
        timeline_of(&journey, "kente/3001")
            .await
            .iter()
            .any(|line| line.contains("confirmed after the order was cancelled"))
            .then_some(())
    })
    .await
    .unwrap();
    journey.settle().await;
    assert!(
        journey.sandbox.shaq.packages().is_empty(),
        "still no package"
    );
    assert_eq!(
        journey.order_state("kente/3001").await,
        Some(OrderState::Cancelled)
    );
    journey.stop().await;
}

async fn a_customer_confirming_on_the_second_reminder_gets_the_order_shipped(backend: TestBackend) {
    let journey =
        Journey::start_with(backend, SandboxConfig::default(), remind_quickly("cancel")).await;
    assert_eq!(
        journey
            .send_shopify("orders/create", &shopify_order(&cod_spec(3002)))
            .await,
        200
    );
    wait_for("the second reminder", LIMIT, || async {
        messages_to(&journey, "kente-3002")
            .contains(&"reminder_2".to_owned())
            .then_some(())
    })
    .await
    .unwrap();
    let ticket = journey.ticket("kente-3002").await;
    journey
        .sandbox
        .digishare
        .customer_confirms(ticket["id"].as_str().unwrap())
        .unwrap();
    let package = wait_for("the package", LIMIT, || async {
        journey.sandbox.shaq.package("kente-3002")
    })
    .await
    .unwrap();
    assert_eq!(package.status, "pending");
    // The deadline passes: the order is shipping, so the timer does nothing.
    tokio::time::sleep(Duration::from_secs(3)).await;
    journey.settle().await;
    assert_eq!(
        journey.order_state("kente/3002").await,
        Some(OrderState::Shipping)
    );
    let messages = messages_to(&journey, "kente-3002");
    assert!(!messages.contains(&"cancelled".to_owned()), "{messages:?}");
    journey.stop().await;
}

/// Three customers: one confirms and receives the parcel, one confirms and refuses it at the door
/// (it comes back), one declines. The report, over the admin API, as JSON and CSV.
async fn the_report_counts_what_became_of_each_order(backend: TestBackend) {
    let journey = Journey::start_with(backend, SandboxConfig::default(), |settings| {
        with_api_tokens(settings);
    })
    .await;
    for id in [3001, 3002, 3003] {
        let order = shopify_order(&OrderSpec {
            region: Some(
                if id == 3001 {
                    "Ashanti"
                } else {
                    "Greater Accra"
                }
                .to_owned(),
            ),
            ..cod_spec(id)
        });
        assert_eq!(journey.send_shopify("orders/create", &order).await, 200);
    }
    for id in [3001, 3002] {
        let ticket = journey.ticket(&format!("kente-{id}")).await;
        journey
            .sandbox
            .digishare
            .customer_confirms(ticket["id"].as_str().unwrap())
            .unwrap();
    }
    let declined = journey.ticket("kente-3003").await;
    journey
        .sandbox
        .digishare
        .customer_cancels(declined["id"].as_str().unwrap())
        .unwrap();
    for id in [3001, 3002] {
        wait_for("the package", LIMIT, || async {
            journey.sandbox.shaq.package(&format!("kente-{id}"))
        })
        .await
        .unwrap();
    }
    journey.settle().await;
    journey
        .courier("kente-3001", "kente/3001", "delivered")
        .await;
    journey
        .courier("kente-3002", "kente/3002", "returned_to_sender")
        .await;
    wait_for("the decline", LIMIT, || async {
        (journey.order_state("kente/3003").await == Some(OrderState::Cancelled)).then_some(())
    })
    .await
    .unwrap();

    let client = reqwest::Client::new();
    let get = |path: &str| {
        client
            .get(format!("{}{path}", journey.bridge))
            .bearer_auth(ADMIN_TOKEN)
            .send()
    };
    let response = get("/api/reports?shop=kente&by=week").await.unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let total = &body["reports"][0]["total"];
    for (figure, expected) in [
        ("received", 3),
        ("asked", 3),
        ("confirmed", 2),
        ("declined", 1),
        ("expired", 0),
        ("shipped", 2),
        ("delivered", 1),
        ("returned", 1),
        ("cancelled", 1),
    ] {
        assert_eq!(total[figure], expected, "{figure}: {total}");
    }
    assert_eq!(total["confirmation_rate"].as_f64(), Some(2.0 / 3.0));
    assert_eq!(total["return_rate"], 0.5);
    assert!(total["median_minutes_to_confirm"].as_f64().is_some());
    let cash = &total["cash"][0];
    assert_eq!(cash["currency"], "GHS");
    assert_eq!(cash["outstanding"], "0");
    let amount = |name: &str| cash[name].as_str().unwrap().parse::<f64>().unwrap();
    assert!(amount("collected") > 0.0 && amount("expected") > amount("collected"));
    let regions = body["reports"][0]["regions"].as_array().unwrap();
    let ashanti = regions.iter().find(|r| r["region"] == "Ashanti").unwrap();
    assert_eq!(
        (ashanti["delivered"].as_u64(), ashanti["returned"].as_u64()),
        (Some(1), Some(0))
    );
    assert!(ashanti["median_days_to_deliver"].as_f64().is_some());

    let csv = get("/api/reports.csv?shop=kente&by=month").await.unwrap();
    assert_eq!(csv.status(), 200);
    let text = csv.text().await.unwrap();
    assert!(
        text.starts_with("shop,first_day,last_day,received,"),
        "{text}"
    );
    // The last 30 days: one line per month they touch.
    let line = text
        .lines()
        .find(|line| line.contains(",3,3,2,"))
        .unwrap_or_else(|| panic!("no line with the 3 orders: {text}"));
    assert!(line.starts_with("kente,"), "{text}");
    assert!(line.contains(",3,3,2,0.6667,"), "{line}");

    for (query, field) in [
        ("shop=nowhere", "shop"),
        ("by=year", "by"),
        ("from=yesterday", "from"),
        ("from=2026-02-01&to=2026-01-01", "to"),
        ("from=2000-01-01&to=2026-01-01&by=day", "by"),
        ("to=%2B262142-12-31&by=month", "to"),
        ("from=1066-10-14", "from"),
    ] {
        let refused = get(&format!("/api/reports?{query}")).await.unwrap();
        assert_eq!(refused.status(), 422, "{query}");
        let error: Value = refused.json().await.unwrap();
        assert_eq!(error["error"]["field"], field, "{query}: {error}");
    }
    journey.stop().await;
}

/// A day of 20 orders, 3 cancelled before the rider comes: one handover over the admin API
/// makes one ShaQ shipment of the 17, and one PDF listing them with the cash to collect, then
/// their labels; asking again adds nothing.
async fn the_days_parcels_are_handed_over_with_a_manifest_and_labels(backend: TestBackend) {
    let journey = Journey::start_with(
        backend,
        SandboxConfig {
            shaq: bridge_sandbox::shaq::ShaqSimConfig {
                label_ready_after_secs: 0,
                ..Default::default()
            },
            ..SandboxConfig::default()
        },
        |settings| {
            with_api_tokens(settings);
        },
    )
    .await;
    let (sender, url) = journey.woo();
    let ids: Vec<u64> = (501..=520).collect();
    for id in &ids {
        sender
            .send(&url, "order.created", &woocommerce_order(&cod_spec(*id)))
            .await;
    }
    for id in &ids {
        wait_for("the package", LIMIT, || async {
            journey.sandbox.shaq.package(&format!("atlas-{id}"))
        })
        .await
        .unwrap();
    }
    journey.settle().await;
    for id in [503, 509, 517] {
        let mut cancelled = woocommerce_order(&cod_spec(id));
        cancelled["status"] = Value::from("cancelled");
        cancelled["date_modified_gmt"] = Value::from("2099-01-01T00:00:00");
        sender.send(&url, "order.updated", &cancelled).await;
    }
    for id in [503, 509, 517] {
        wait_for("the cancellation", LIMIT, || async {
            (journey.order_state(&format!("atlas/{id}")).await == Some(OrderState::Cancelled))
                .then_some(())
        })
        .await
        .unwrap();
    }
    journey.settle().await;

    let client = reqwest::Client::new();
    let api = |path: &str| format!("{}{path}", journey.bridge);
    let hand_over = || {
        client
            .post(api("/api/shops/atlas/handover"))
            .bearer_auth(KOFI_TOKEN)
            .send()
    };
    let response = hand_over().await.unwrap();
    assert_eq!(response.status(), 202);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["shipment"]["packages"], 17, "{body}");
    assert_eq!(body["shipment"]["requested_by"], "kofi");
    let id = body["shipment"]["id"].as_i64().unwrap();
    let shipment = wait_for("the shipment to be ready", LIMIT, || async {
        let body: Value = client
            .get(api(&format!("/api/shipments/{id}")))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        (body["shipment"]["state"] == "ready").then_some(body)
    })
    .await
    .unwrap();
    let reference = shipment["shipment"]["reference"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(reference.starts_with("SAAM-"), "{reference}");

    // ShaQ got one shipment of the 17 packages the bridge had created (none created again).
    let shipments = journey.sandbox.shaq.shipments();
    assert_eq!(shipments.len(), 1);
    assert_eq!(
        shipments[&reference]["packages"].as_array().unwrap().len(),
        17
    );
    assert_eq!(journey.sandbox.shaq.package_count(), 20);
    let kept: Vec<String> = ids
        .iter()
        .filter(|id| ![503, 509, 517].contains(*id))
        .map(|id| {
            journey
                .sandbox
                .shaq
                .package(&format!("atlas-{id}"))
                .unwrap()
                .tracking_number
        })
        .collect();
    let pdf = client
        .get(api(&format!("/api/shipments/{id}/pdf")))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), 200);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let pages = documents::page_texts(&pdf.bytes().await.unwrap()).unwrap();
    let manifest = pages[0].clone();
    for tracking in &kept {
        assert!(
            manifest.contains(tracking.as_str()),
            "{tracking} in {manifest}"
        );
    }
    // The manifest adds up what ShaQ will collect on the 17 packages.
    let total: rust_decimal::Decimal = ids
        .iter()
        .filter(|id| ![503, 509, 517].contains(*id))
        .map(|id| {
            journey
                .sandbox
                .shaq
                .package(&format!("atlas-{id}"))
                .unwrap()
                .amount_to_collect
        })
        .sum();
    assert!(total > rust_decimal::Decimal::ZERO);
    assert!(
        manifest.contains(&format!("Total to collect: {total:.2} GHS")),
        "{total:.2} in {manifest}"
    );
    assert!(manifest.contains(&reference));
    assert_eq!(
        pages.len(),
        1 + 17,
        "the manifest, then one label per package"
    );
    // One label per package, in the manifest's order.
    let labelled: Vec<&String> = pages[1..]
        .iter()
        .map(|page| {
            kept.iter()
                .find(|tracking| page.contains(&format!("SANDBOX LABEL {tracking}")))
                .unwrap_or_else(|| panic!("a label of the shipment: {page}"))
        })
        .collect();
    let mut distinct = labelled.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 17);
    let positions: Vec<usize> = labelled
        .iter()
        .map(|tracking| manifest.find(tracking.as_str()).unwrap())
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "labels follow the manifest"
    );
    // ShaQ's own tracking page, given with the shipment, reaches the customer's ticket.
    let first_tracking = kept[0].clone();
    let page = bridge_sandbox::shaq::tracking_page(&first_tracking);
    wait_for("ShaQ's tracking page on the ticket", LIMIT, || async {
        let ticket = journey
            .sandbox
            .digishare
            .ticket_by_external_id("atlas-501")?;
        (ticket["information"]["campaign_data"]["tracking_url"] == page.as_str()).then_some(())
    })
    .await
    .unwrap();
    // …and the shop's link follows it (WooCommerce: the tracking meta).
    wait_for("ShaQ's tracking page in the shop", LIMIT, || async {
        journey
            .sandbox
            .shops
            .received()
            .iter()
            .any(|r| r.order_id.as_deref() == Some("501") && r.body.to_string().contains(&page))
            .then_some(())
    })
    .await
    .unwrap();
    // Each order's journey says where its package went; a cancelled one was left alone.
    let line = format!("handed over to ShaQ in shipment {reference} (17 packages)");
    assert!(timeline_of(&journey, "atlas/501").await.contains(&line));
    assert!(!timeline_of(&journey, "atlas/503").await.contains(&line));

    // The shop cancels an order already on the printed manifest: ShaQ is asked to cancel the
    // package (not to delete it: the rider has it), the shipment lists the order as cancelled
    // and its timeline names the shipment.
    let mut late = woocommerce_order(&cod_spec(501));
    late["status"] = Value::from("cancelled");
    late["date_modified_gmt"] = Value::from("2099-01-01T00:00:00");
    sender.send(&url, "order.updated", &late).await;
    let asked = wait_for("the cancellation request", LIMIT, || async {
        journey
            .sandbox
            .shaq
            .package("atlas-501")
            .filter(|p| p.cancel_requested)
    })
    .await
    .unwrap();
    assert!(!asked.deleted, "a handed-over package is never deleted");
    journey.settle().await;
    let listed: Value = client
        .get(api(&format!("/api/shipments/{id}")))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let line_of_501 = listed["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["order_key"] == "atlas/501")
        .unwrap_or_else(|| panic!("501 on the shipment: {listed}"));
    assert_eq!(line_of_501["state"], "cancelled", "{line_of_501}");
    let timeline = timeline_of(&journey, "atlas/501").await;
    assert!(
        timeline
            .iter()
            .any(|line| line.contains("ShaQ asked to cancel package")
                && line.contains("handed over in shipment")),
        "{timeline:?}"
    );

    // Nothing new since: nothing to hand over.
    let again = hand_over().await.unwrap();
    assert_eq!(again.status(), 200);
    assert_eq!(
        again.json::<Value>().await.unwrap()["shipment"],
        Value::Null
    );
    assert_eq!(journey.sandbox.shaq.shipments().len(), 1);
    let unknown = client
        .post(api("/api/shops/nowhere/handover"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    journey.stop().await;
}

/// After delivery the merchant exchanges the item over the admin API: ShaQ makes a return and a
/// delivery package linked to the order, their courier news reach the timeline and the
/// customer's ticket, and the delivered order stays delivered. A return on an order still on the
/// road is refused before any call.
async fn an_exchange_after_delivery_follows_its_two_packages(backend: TestBackend) {
    let journey = Journey::start_with(backend, SandboxConfig::default(), |settings| {
        with_api_tokens(settings);
    })
    .await;
    let (sender, url) = journey.woo();
    for id in [801, 802] {
        sender
            .send(&url, "order.created", &woocommerce_order(&cod_spec(id)))
            .await;
        wait_for("the package", LIMIT, || async {
            journey.sandbox.shaq.package(&format!("atlas-{id}"))
        })
        .await
        .unwrap();
    }
    journey.settle().await;
    journey.courier("atlas-801", "atlas/801", "delivered").await;
    let client = reqwest::Client::new();
    let ask = |order: &str, kind: &str| {
        client
            .post(format!(
                "{}/api/orders/atlas/{order}/after-sale",
                journey.bridge
            ))
            .bearer_auth(KOFI_TOKEN)
            .json(&serde_json::json!({ "kind": kind }))
            .send()
    };
    // Still on the road: refused at once, nothing asked of ShaQ.
    let refused = ask("802", "return").await.unwrap();
    assert_eq!(refused.status(), 409);
    let body: Value = refused.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("needs a delivered order"),
        "{body}"
    );
    let wrong = ask("801", "refund").await.unwrap();
    assert_eq!(wrong.status(), 422);
    assert_eq!(
        wrong.json::<Value>().await.unwrap()["error"]["field"],
        "kind"
    );

    let asked = ask("801", "exchange").await.unwrap();
    assert!(asked.status().is_success(), "{:?}", asked.text().await);
    let collect = wait_for("the return package", LIMIT, || async {
        journey.sandbox.shaq.package("atlas-801-R1")
    })
    .await
    .unwrap();
    let deliver = journey.sandbox.shaq.package("atlas-801-D1").unwrap();
    // Both name the package they replace (in the request's path).
    assert_eq!(collect.replaces.as_deref(), Some("atlas-801"));
    assert_eq!(deliver.replaces.as_deref(), Some("atlas-801"));
    assert_eq!(collect.amount_to_collect, rust_decimal::Decimal::ZERO);
    assert_eq!(deliver.amount_to_collect, rust_decimal::Decimal::ZERO);
    journey.settle().await;
    let ticket = journey.ticket("atlas-801").await;
    assert_eq!(
        ticket["ticket_status_id"],
        journey.status_id("return_requested")
    );

    journey
        .sandbox
        .shaq
        .advance("atlas-801-R1", "return_picked")
        .unwrap();
    wait_for("the return's news", LIMIT, || async {
        timeline_of(&journey, "atlas/801")
            .await
            .iter()
            .any(|line| line.contains("return package") && line.contains("return_picked"))
            .then_some(())
    })
    .await
    .unwrap();
    journey.settle().await;
    let ticket = journey.ticket("atlas-801").await;
    assert_eq!(
        ticket["ticket_status_id"],
        journey.status_id("return_collected")
    );
    journey
        .sandbox
        .shaq
        .advance("atlas-801-D1", "delivered")
        .unwrap();
    wait_for("the replacement's delivery", LIMIT, || async {
        timeline_of(&journey, "atlas/801")
            .await
            .iter()
            .any(|line| line.contains("replacement package") && line.contains("delivered"))
            .then_some(())
    })
    .await
    .unwrap();
    journey.settle().await;
    let ticket = journey.ticket("atlas-801").await;
    assert_eq!(
        ticket["ticket_status_id"],
        journey.status_id("replacement_delivered")
    );
    assert_eq!(
        journey.order_state("atlas/801").await,
        Some(OrderState::Delivered)
    );
    let lines = timeline_of(&journey, "atlas/801").await;
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("exchange asked by kofi")),
        "{lines:?}"
    );
    // The return is still on its way back: another request waits for it.
    assert_eq!(ask("801", "return").await.unwrap().status(), 409);
    journey
        .sandbox
        .shaq
        .advance("atlas-801-R1", "returned_to_sender")
        .unwrap();
    wait_for("the item back at the shop", LIMIT, || async {
        timeline_of(&journey, "atlas/801")
            .await
            .iter()
            .any(|line| line.contains("return package") && line.contains("returned_to_sender"))
            .then_some(())
    })
    .await
    .unwrap();
    journey.settle().await;
    let ticket = journey.ticket("atlas-801").await;
    assert_eq!(
        ticket["ticket_status_id"],
        journey.status_id("return_received")
    );
    // WooCommerce got private notes: booked, then the item back (refund and restock are the
    // merchant's).
    let notes: Vec<String> = journey
        .sandbox
        .shops
        .received()
        .iter()
        .filter(|r| r.order_id.as_deref() == Some("801"))
        .map(|r| r.body.to_string())
        .collect();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("booked to collect the item back")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.contains("brought the returned item back")),
        "{notes:?}"
    );
    // Both trips are over: another request may follow.
    let again = ask("801", "return").await.unwrap();
    assert!(again.status().is_success());
    wait_for("the second return package", LIMIT, || async {
        journey.sandbox.shaq.package("atlas-801-R2")
    })
    .await
    .unwrap();
    journey.stop().await;
}

/// Shopify approves a return of a delivered order: ShaQ is asked to collect the item back; the
/// same webhook again books nothing more; a return approved for an order still on the road is
/// a line for a person, not a call.
async fn a_return_approved_in_shopify_is_booked_with_shaq(backend: TestBackend) {
    let journey = Journey::start(backend, SandboxConfig::default()).await;
    for id in [9101, 9102] {
        let order = shopify_order(&cod_spec(id));
        assert_eq!(journey.send_shopify("orders/create", &order).await, 200);
        let ticket = journey.ticket(&format!("kente-{id}")).await;
        journey
            .sandbox
            .digishare
            .customer_confirms(ticket["id"].as_str().unwrap())
            .unwrap();
        wait_for("the package", LIMIT, || async {
            journey.sandbox.shaq.package(&format!("kente-{id}"))
        })
        .await
        .unwrap();
    }
    journey.settle().await;
    journey
        .courier("kente-9101", "kente/9101", "delivered")
        .await;
    let approved = |order_id: u64| {
        serde_json::json!({
            "id": 7001,
            "name": format!("#{order_id}-R1"),
            "status": "open",
            "order": { "id": order_id, "admin_graphql_api_id": format!("gid://shopify/Order/{order_id}") },
            "return_line_items": [{ "id": 1, "quantity": 1, "return_reason": "size_too_small" }],
            "exchange_line_items": [],
        })
    };
    assert_eq!(
        journey
            .send_shopify("returns/approve", &approved(9101))
            .await,
        200
    );
    wait_for("the return package", LIMIT, || async {
        journey.sandbox.shaq.package("kente-9101-R1")
    })
    .await
    .unwrap();
    journey.settle().await;
    assert!(journey.sandbox.shaq.package("kente-9101-D1").is_none());
    let lines = timeline_of(&journey, "kente/9101").await;
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("the shop approved #9101-R1: a return")),
        "{lines:?}"
    );
    assert_eq!(
        journey.ticket("kente-9101").await["ticket_status_id"],
        journey.status_id("return_requested")
    );
    // The shop is told (a tag), and nothing is refunded.
    let written = journey.sandbox.shops.received();
    assert!(
        written.iter().any(|r| r.operation == "tagsAdd"
            && r.order_id.as_deref() == Some("9101")
            && r.body.to_string().contains("ShaQ-Return-Booked")),
        "{written:?}"
    );
    assert!(!written.iter().any(|r| r.operation.contains("refund")));

    assert_eq!(
        journey
            .send_shopify("returns/approve", &approved(9102))
            .await,
        200
    );
    wait_for("the refusal", LIMIT, || async {
        timeline_of(&journey, "kente/9102")
            .await
            .iter()
            .any(|l| l.contains("needs a delivered order") && l.contains("nothing booked"))
            .then_some(())
    })
    .await
    .unwrap();
    journey.settle().await;
    assert!(journey.sandbox.shaq.package("kente-9102-R1").is_none());
    let made: Vec<_> = journey
        .sandbox
        .shaq
        .packages()
        .into_iter()
        .filter(|p| p.partner_ref().contains("-R") || p.partner_ref().contains("-D"))
        .collect();
    assert_eq!(made.len(), 1, "one return package in all");
    journey.stop().await;
}

/// A backlog of 300 orders with `[shaq.bulk]` on: packages go to ShaQ in bulk batches; the 5 a
/// batch leaves out are created singly; every order has exactly one package.
async fn a_backlog_is_created_in_bulk_and_the_left_out_ones_singly(backend: TestBackend) {
    let journey = Journey::start_with(backend, SandboxConfig::default(), |settings| {
        settings.shaq.bulk = bridge_core::settings::BulkSettings {
            enabled: true,
            min_batch: 4,
            max_batch: 50,
            window: Duration::from_millis(150),
        };
        // A flash sale arrives faster than one shop's webhook budget.
        settings.server.webhook_rate_limit.enabled = false;
    })
    .await;
    let ids: Vec<u64> = (10_001..=10_300).collect();
    let failing: Vec<String> = ids[..5].iter().map(|id| format!("atlas-{id}")).collect();
    journey
        .sandbox
        .shaq
        .fail_in_bulk(&failing.iter().map(String::as_str).collect::<Vec<_>>());
    let (sender, url) = journey.woo();
    for chunk in ids.chunks(30) {
        futures::future::join_all(chunk.iter().map(|id| {
            let order = woocommerce_order(&cod_spec(*id));
            let (sender, url) = (sender.clone(), url.clone());
            async move { sender.send(&url, "order.created", &order).await.status }
        }))
        .await
        .into_iter()
        .for_each(|status| assert_eq!(status, 200));
    }
    let all = wait_for("every package", Duration::from_secs(120), || async {
        (journey.sandbox.shaq.package_count() >= 300).then_some(())
    })
    .await;
    if all.is_err() {
        let bulk = journey
            .sandbox
            .shaq
            .recorder
            .matching("POST", "/api/v1/packages/bulk")
            .len();
        let dead = journey
            .store
            .list_jobs(&bridge_core::store::JobFilter {
                state: Some(bridge_core::jobs::JobState::Dead),
                ..Default::default()
            })
            .await
            .unwrap();
        panic!(
            "{} packages, {bulk} bulk calls, dead jobs: {:?}",
            journey.sandbox.shaq.package_count(),
            dead.iter()
                .take(3)
                .map(|j| j.last_error.clone())
                .collect::<Vec<_>>()
        );
    }
    journey.settle().await;
    let shaq = &journey.sandbox.shaq;
    assert_eq!(shaq.package_count(), 300, "no package twice");
    for id in &ids {
        assert!(shaq.package(&format!("atlas-{id}")).is_some(), "atlas-{id}");
    }
    let bulk_calls = shaq.recorder.matching("POST", "/api/v1/packages/bulk");
    assert!(!bulk_calls.is_empty(), "the backlog went in bulk");
    let singles: Vec<String> = shaq
        .recorder
        .matching("POST", "/api/v1/packages")
        .into_iter()
        .filter(|r| r.path == "/api/v1/packages")
        .map(|r| r.body)
        .collect();
    for reference in &failing {
        assert!(
            singles
                .iter()
                .any(|body| body.contains(&format!("\"{reference}\""))),
            "{reference} was created singly"
        );
    }
    let bulked: usize = bulk_calls
        .iter()
        .map(|r| r.body.matches("\"partner_ref\"").count())
        .sum();
    assert!(
        bulked >= 150,
        "most packages went in bulk ({bulked} of 300)"
    );
    for id in [10_001, 10_150, 10_300] {
        assert_eq!(
            journey.order_state(&format!("atlas/{id}")).await,
            Some(OrderState::Shipping)
        );
    }
    journey.stop().await;
}

/// A WooCommerce shop that marks returns with a status: setting a delivered order to it books
/// the return with ShaQ, once, however many updates follow in that status.
async fn a_woocommerce_return_status_books_the_return_once(backend: TestBackend) {
    let journey = Journey::start_with(backend, SandboxConfig::default(), |settings| {
        for shop in &mut settings.shops {
            if shop.id.as_str() == "atlas" {
                shop.returns.status = Some("return-requested".to_owned());
            }
        }
    })
    .await;
    let (sender, url) = journey.woo();
    sender
        .send(&url, "order.created", &woocommerce_order(&cod_spec(811)))
        .await;
    wait_for("the package", LIMIT, || async {
        journey.sandbox.shaq.package("atlas-811")
    })
    .await
    .unwrap();
    journey.settle().await;
    journey.courier("atlas-811", "atlas/811", "delivered").await;
    for modified in ["2099-01-01T00:00:00", "2099-01-02T00:00:00"] {
        let mut marked = woocommerce_order(&cod_spec(811));
        marked["status"] = Value::from("return-requested");
        marked["date_modified_gmt"] = Value::from(modified);
        sender.send(&url, "order.updated", &marked).await;
    }
    wait_for("the return package", LIMIT, || async {
        journey.sandbox.shaq.package("atlas-811-R1")
    })
    .await
    .unwrap();
    journey.settle().await;
    assert!(journey.sandbox.shaq.package("atlas-811-R2").is_none());
    assert_eq!(
        journey.order_state("atlas/811").await,
        Some(OrderState::Delivered),
        "the return status is not a cancellation"
    );
    journey.stop().await;
}

macro_rules! journeys {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::TestBackend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[cfg_attr(not(postgres_tests), ignore = "PostgreSQL suite not run: set BRIDGE_TEST_POSTGRES_URL")]
                async fn $name() {
                    super::$name(super::TestBackend::Postgres).await;
                }
            )*
        }
    };
}

journeys!(
    an_unanswered_order_is_reminded_then_cancelled_in_the_shop,
    a_customer_confirming_on_the_second_reminder_gets_the_order_shipped,
    a_cod_shopify_order_is_confirmed_shipped_and_delivered,
    a_prepaid_woocommerce_order_ships_at_once_and_collects_nothing,
    the_customer_declines_and_the_shop_order_is_cancelled,
    courier_news_for_an_order_without_its_package_moves_nothing,
    a_shop_cancel_before_pickup_deletes_the_package_after_pickup_asks_shaq,
    redelivered_and_reordered_webhooks_change_nothing,
    bad_signatures_and_unshippable_orders,
    upstream_faults_delay_but_never_duplicate,
    lost_courier_webhooks_heal_through_reconciliation,
    an_address_change_while_pending_updates_the_package,
    youcan_and_generic_shops_ship_and_hear_back,
    the_shaq_token_expires_mid_run_without_a_failed_job,
    a_permanent_rejection_is_dead_at_once_with_its_reason,
    the_label_is_attached_to_the_ticket_when_ready,
    a_trashed_woocommerce_order_is_cancelled,
    an_unknown_region_waits_for_a_fix_in_the_shop,
    a_person_finds_fixes_and_ships_a_stuck_order_over_the_api,
    a_shopify_order_without_a_province_ships_to_its_city,
    a_woocommerce_order_with_a_state_code_ships,
    a_shop_with_its_own_accounts_and_settings_uses_them,
    orders_whose_ids_differ_only_in_odd_characters_both_ship,
    orders_placed_while_the_bridge_was_down_ship_after_it_comes_back,
    the_report_counts_what_became_of_each_order,
    the_days_parcels_are_handed_over_with_a_manifest_and_labels,
    an_exchange_after_delivery_follows_its_two_packages,
    a_return_approved_in_shopify_is_booked_with_shaq,
    a_backlog_is_created_in_bulk_and_the_left_out_ones_singly,
    a_woocommerce_return_status_books_the_return_once,
);
