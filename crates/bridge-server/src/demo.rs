//! `shaq-bridge demo`: the whole journey of one order, on this machine, with no accounts.
//!
//! Starts the simulators, a bridge on a temporary SQLite database, places a cash-on-delivery
//! Shopify order, confirms it as the customer, drives the package to `delivered`, and prints what
//! happened: the order's timeline, the customer's WhatsApp messages, and what the shop was told.

use std::time::Duration;

use anyhow::{Context, bail};
use bridge_core::domain::OrderKey;
use bridge_core::lifecycle::OrderState;
use bridge_core::store::Store;
use bridge_sandbox::bridge_config::{BridgeConfig, Shop};
use bridge_sandbox::shops::{OrderSpec, ShopifySender, shopify_order};
use bridge_sandbox::{Sandbox, SandboxConfig, wait_for};

use crate::configuration::Settings;
use crate::startup::Application;

const SHOP_SECRET: &str = "demo-shopify-app-secret";
const ADMIN_TOKEN: &str = "demo-admin-token-0123456789";

/// No job is running or due (timers set for later, like the confirmation timeout, do not count).
async fn settled(store: &Store) -> bool {
    store.is_idle(chrono::Utc::now()).await.unwrap_or(false)
}

async fn order_state(store: &Store, key: &OrderKey) -> Option<OrderState> {
    store.order(key).await.ok().flatten().map(|o| o.state())
}

/// Runs the demo; on failure, prints the jobs that did not finish and why.
pub async fn run(keep_running: bool, handover: bool) -> anyhow::Result<()> {
    let outcome = journey(keep_running, handover).await;
    if let Err(error) = &outcome {
        eprintln!("\nthe demo failed: {error:#}");
    }
    outcome
}

async fn print_unfinished_jobs(store: &Store) {
    let Ok(jobs) = store
        .list_jobs(&bridge_core::store::JobFilter::default())
        .await
    else {
        return;
    };
    for job in jobs
        .iter()
        .filter(|j| j.state != bridge_core::jobs::JobState::Done)
    {
        eprintln!(
            "  job {} {} {} attempts {}: {}",
            job.id,
            job.kind(),
            job.state,
            job.attempts,
            job.last_error.as_deref().unwrap_or("")
        );
    }
}

async fn journey(keep_running: bool, handover: bool) -> anyhow::Result<()> {
    // Labels at once: the handover step prints them without waiting for ShaQ to make them.
    let sandbox = Sandbox::start(SandboxConfig {
        shaq: bridge_sandbox::ShaqSimConfig {
            label_ready_after_secs: 0,
            ..Default::default()
        },
        ..SandboxConfig::default()
    })
    .await?;
    let dir = tempfile::tempdir().context("a temporary folder")?;
    let database_url = format!("sqlite://{}", dir.path().join("demo.db").display());
    let config = BridgeConfig::for_sandbox(&sandbox, &database_url)
        .admin_token(ADMIN_TOKEN)
        .with_tracking_url()
        .shop(
            Shop::shopify("kente", SHOP_SECRET)
                .default_country("GH")
                .writes_back_to(&sandbox),
        );
    let settings = Settings::from_toml(&config.to_toml())?;
    let application = Application::build(settings).await?;
    let bridge = format!("http://127.0.0.1:{}", application.port());
    let store = application.store().clone();
    let shutdown = application.shutdown_token();
    let running = tokio::spawn(application.run_until_stopped());
    sandbox.send_webhooks_to(&bridge);

    println!("shaq-bridge demo");
    println!("  bridge     {bridge}");
    println!("  ShaQ       {}  (simulated)", sandbox.shaq_url());
    println!("  Digishare  {}  (simulated)", sandbox.digishare_url());
    println!(
        "  Shopify    {}  (simulated admin API)\n",
        sandbox.shop_url()
    );

    let spec = OrderSpec {
        id: 5_127_389_001,
        cod: true,
        country: "GH",
        phone: Some("024 412 3456".to_owned()),
        region: Some("Greater Accra".to_owned()),
    };
    let order = shopify_order(&spec);
    let key = OrderKey::new(format!("kente/{}", spec.id));
    let partner_ref = format!("kente-{}", spec.id);
    let sender = ShopifySender::new("kente-demo.myshopify.com", SHOP_SECRET);
    let sent = sender
        .send(
            &format!("{bridge}/webhooks/shops/kente"),
            "orders/create",
            &order,
        )
        .await;
    println!(
        "1. Shopify sent order {} (cash on delivery, {} GHS): HTTP {}",
        order["name"].as_str().unwrap_or("?"),
        order["total_price"].as_str().unwrap_or("?"),
        sent.status
    );
    let limit = Duration::from_secs(30);
    let ticket = wait_for("the ticket", limit, || async {
        sandbox.digishare.ticket_by_external_id(&partner_ref)
    })
    .await?;
    let ticket_id = ticket["id"].as_str().unwrap_or_default().to_owned();
    println!(
        "2. Digishare ticket {ticket_id} created; the customer is asked to confirm on WhatsApp"
    );

    sandbox
        .digishare
        .customer_confirms(&ticket_id)
        .map_err(anyhow::Error::msg)?;
    println!("3. The customer confirmed on WhatsApp");
    wait_for("the ShaQ package", limit, || async {
        sandbox.shaq.package(&partner_ref)
    })
    .await?;
    let package = sandbox.shaq.package(&partner_ref).context("the package")?;
    println!(
        "4. ShaQ package {} created (collect {} GHS on delivery)",
        package.tracking_number, package.amount_to_collect
    );

    if handover {
        let settled = wait_for("the package to settle", limit, || async {
            settled(&store).await.then_some(())
        })
        .await;
        settled?;
        let shipment = store
            .gather_handover(
                &bridge_core::domain::ShopId::new("kente"),
                "demo",
                None,
                chrono::Utc::now(),
            )
            .await?
            .context("the package is ready to hand over")?;
        let ready = wait_for("the handover", limit, || async {
            let pdf = store.shipment_pdf(shipment.id).await.ok().flatten()?;
            let shipment = store.shipment(shipment.id).await.ok().flatten()?;
            Some((shipment, pdf))
        })
        .await?;
        let reference = ready.0.reference.unwrap_or_default();
        let path = std::env::temp_dir().join(format!("shaq-bridge-demo-handover-{reference}.pdf"));
        std::fs::write(&path, &ready.1).with_context(|| format!("writing {}", path.display()))?;
        println!(
            "   Handed over to ShaQ in shipment {reference}: manifest and label in {}",
            path.display()
        );
    }

    for (step, status, state) in [
        (5, "received", OrderState::InTransit),
        (6, "in_transit", OrderState::InTransit),
        (7, "dispatched", OrderState::OutForDelivery),
        (8, "delivered", OrderState::Delivered),
    ] {
        // Each status is applied before the next is sent, as a real courier's days go by.
        let settled = wait_for("the previous step to settle", limit, || async {
            let order = store.order(&key).await.ok().flatten()?;
            (settled(&store).await && order.tracking_number().is_some()).then_some(())
        })
        .await;
        if settled.is_err() {
            print_unfinished_jobs(&store).await;
        }
        settled?;
        sandbox
            .shaq
            .advance(&partner_ref, status)
            .map_err(anyhow::Error::msg)?;
        wait_for(status, limit, || async {
            let order = store.order(&key).await.ok().flatten()?;
            (order.courier_status().map(|s| s.as_str()) == Some(status) && order.state() == state)
                .then_some(())
        })
        .await?;
        println!("{step}. ShaQ reported `{status}`: the order is now {state}");
    }
    wait_for("the write-backs", limit, || async {
        let done = sandbox
            .shops
            .received()
            .iter()
            .any(|r| r.operation == "orderMarkAsPaid");
        (done && settled(&store).await).then_some(())
    })
    .await?;
    let final_state = order_state(&store, &key).await;
    println!(
        "\nFinal order state: {}\n",
        final_state.map_or("unknown".to_owned(), |s| s.to_string())
    );

    println!("What the customer received on WhatsApp:");
    for message in sandbox.digishare.messages() {
        let data = &message.campaign_data;
        let text = |k: &str| data.get(k).and_then(|v| v.as_str()).unwrap_or("");
        println!(
            "  {}  [{}] {:<22} order {} · tracking {} · collect {} {}",
            message.at.format("%H:%M:%S%.3f"),
            message.lang,
            message.status,
            text("order_id"),
            if text("tracking_number").is_empty() {
                "-"
            } else {
                text("tracking_number")
            },
            text("amount_to_collect"),
            text("currency"),
        );
    }
    println!("\nWhat the shop (Shopify admin API) was told:");
    for record in sandbox.shops.received() {
        println!("  {:<24} {}", record.operation, record.body);
    }
    println!("\nThe order's timeline in the bridge ({key}):");
    for line in store.timeline(&key).await? {
        println!(
            "  {}  {:<10} {}",
            line.entry.at.format("%H:%M:%S%.3f"),
            line.entry.kind,
            line.entry.summary
        );
    }

    if keep_running {
        println!(
            "\nStill running. Try:\n  curl -H 'Authorization: Bearer {ADMIN_TOKEN}' {bridge}/api/orders/kente/{}\nPress Ctrl-C to stop.",
            spec.id
        );
        crate::startup::shutdown_signal().await;
    }
    shutdown.cancel();
    running.await.context("the bridge task")??;
    sandbox.shutdown();
    match final_state {
        Some(OrderState::Delivered) => Ok(()),
        other => bail!("the demo order ended {other:?}, not delivered"),
    }
}
