//! The real `shaq-bridge` binary, killed with SIGKILL at random moments while orders pour in,
//! then stopped with SIGTERM under load: every acknowledged order ends with exactly one package
//! and one ticket, every acknowledged courier event is applied once.
//!
//! `BRIDGE_SOAK_ORDERS=5000 cargo test -p bridge-server --test crash` runs a longer soak.

#![allow(clippy::unwrap_used)]

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bridge_core::store::{DatabaseSettings, Store};
use bridge_core::testing::{TestBackend, TestDatabase};
use bridge_sandbox::bridge_config::{
    BridgeConfig, DIGISHARE_WEBHOOK_SECRET, SHAQ_WEBHOOK_SECRET, Shop,
};
use bridge_sandbox::ports::free_listen_port;
use bridge_sandbox::shops::{OrderSpec, shopify_signature};
use bridge_sandbox::{Sandbox, SandboxConfig};
use tokio::process::{Child, Command};

const SHOP_SECRET: &str = "crash-shop-secret";

fn orders_to_send() -> usize {
    std::env::var("BRIDGE_SOAK_ORDERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500)
}

/// One Shopify shop shipping at once; many workers with a short lease (a killed bridge's jobs
/// come back quickly); fast retries; JSON logs, which the test searches for secrets and phones.
fn write_config(dir: &Path, sandbox: &Sandbox, database_url: &str, port: u16) -> PathBuf {
    let toml = BridgeConfig::for_sandbox(sandbox, database_url)
        .listen(&format!("127.0.0.1:{port}"))
        .without_rate_limit()
        .json_logs()
        .max_connections(8)
        .workers(16, "5s", "5s")
        .fast_retries(50)
        .quick_upstreams("2s")
        .without_reconciliation()
        .shop(Shop::shopify("kente", SHOP_SECRET).ship_immediately())
        .to_toml();
    let path = dir.join("bridge.toml");
    std::fs::write(&path, toml).unwrap();
    path
}

fn spawn_bridge(config: &Path, log: &Path) -> Child {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    Command::new(env!("CARGO_BIN_EXE_shaq-bridge"))
        .arg("serve")
        .arg("--config")
        .arg(config)
        .stdout(Stdio::from(log.try_clone().unwrap()))
        .stderr(Stdio::from(log))
        .kill_on_drop(true)
        .spawn()
        .unwrap()
}

/// Posts one signed order until the bridge answers 2xx (as Shopify retries), returning after the
/// acknowledgement.
async fn deliver(client: &reqwest::Client, url: &str, id: u64) {
    let spec = OrderSpec {
        id,
        cod: !id.is_multiple_of(3),
        country: "GH",
        phone: Some(format!("024 {:03} {:04}", id % 1000, id % 10000)),
        region: Some("Greater Accra".to_owned()),
    };
    let body = bridge_sandbox::shops::shopify_order(&spec).to_string();
    let signature = shopify_signature(SHOP_SECRET, body.as_bytes());
    let webhook_id = format!("wh-{id}");
    loop {
        let sent = client
            .post(url)
            .header("content-type", "application/json")
            .header("X-Shopify-Topic", "orders/create")
            .header("X-Shopify-Hmac-Sha256", &signature)
            .header("X-Shopify-Webhook-Id", &webhook_id)
            .body(body.clone())
            .timeout(Duration::from_secs(5))
            .send()
            .await;
        if sent.is_ok_and(|r| r.status().is_success()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn wait_until(what: &str, within: Duration, mut check: impl AsyncFnMut() -> bool) {
    let started = Instant::now();
    while !check().await {
        assert!(started.elapsed() < within, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The last lines of the bridge's log, for a failure message: without them a bridge that did not
/// start (a port taken, a bad config) leaves only "timed out" behind.
fn log_tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}

/// Waits for `/readyz` to answer 200; fails at once, with the log, if the bridge exits first.
async fn wait_ready(child: &mut Child, port: u16, log: &Path) {
    let client = reqwest::Client::new();
    let started = Instant::now();
    loop {
        let ready = client
            .get(format!("http://127.0.0.1:{port}/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success());
        if ready {
            return;
        }
        if let Some(exit) = child.try_wait().unwrap() {
            panic!(
                "the bridge exited ({exit}) before it was ready; its log ends with:\n{}",
                log_tail(log)
            );
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "timed out waiting for the bridge to be ready; its log ends with:\n{}",
            log_tail(log)
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn kill_nine_and_sigterm(backend: TestBackend) {
    let orders = orders_to_send();
    let db = TestDatabase::new(backend).await;
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let port = free_listen_port();
    let config = write_config(dir.path(), &sandbox, &db.settings.url, port);
    let log = dir.path().join("bridge.log");
    let bridge = format!("http://127.0.0.1:{port}");
    sandbox.send_webhooks_to(&bridge);

    let mut child = spawn_bridge(&config, &log);
    wait_ready(&mut child, port, &log).await;

    // Senders: 16 at a time, each retrying until acknowledged.
    let acknowledged = Arc::new(AtomicUsize::new(0));
    let client = reqwest::Client::new();
    let url = format!("{bridge}/webhooks/shops/kente");
    let senders = {
        let acknowledged = acknowledged.clone();
        tokio::spawn(async move {
            let next = Arc::new(AtomicUsize::new(0));
            let workers = (0..16).map(|_| {
                let (client, url, next, acknowledged) = (
                    client.clone(),
                    url.clone(),
                    next.clone(),
                    acknowledged.clone(),
                );
                tokio::spawn(async move {
                    loop {
                        let n = next.fetch_add(1, Ordering::SeqCst);
                        if n >= orders {
                            return;
                        }
                        deliver(&client, &url, 100_000 + n as u64).await;
                        acknowledged.fetch_add(1, Ordering::SeqCst);
                    }
                })
            });
            futures::future::join_all(workers).await;
        })
    };

    // Three SIGKILLs while orders arrive and jobs run.
    let mut kills = 0;
    for percent in [20, 50, 80] {
        let target = orders * percent / 100;
        wait_until("orders to arrive", Duration::from_secs(300), async || {
            acknowledged.load(Ordering::SeqCst) >= target.min(orders)
        })
        .await;
        child.start_kill().unwrap();
        child.wait().await.unwrap();
        kills += 1;
        child = spawn_bridge(&config, &log);
        wait_ready(&mut child, port, &log).await;
    }
    senders.await.unwrap();
    assert_eq!(acknowledged.load(Ordering::SeqCst), orders);

    let store = Store::connect(&DatabaseSettings {
        migrate_on_start: false,
        ..db.settings.clone()
    })
    .await
    .unwrap();
    wait_until(
        "every package and ticket",
        Duration::from_secs(300),
        async || {
            sandbox.shaq.packages().len() >= orders && sandbox.digishare.tickets().len() >= orders
        },
    )
    .await;

    // Courier news for every package, then SIGTERM under that load and a restart.
    for package in sandbox.shaq.packages() {
        sandbox
            .shaq
            .advance(package.partner_ref(), "received")
            .unwrap();
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let pid = child.id().unwrap();
    let term = Command::new("kill")
        .arg("-TERM")
        .arg(pid.to_string())
        .status()
        .await
        .unwrap();
    assert!(term.success());
    let exit = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(exit.success(), "SIGTERM exits 0, got {exit:?}");
    let mut child = spawn_bridge(&config, &log);
    wait_ready(&mut child, port, &log).await;
    sandbox.shaq.webhooks.wait_idle().await;
    wait_until(
        "every courier event to be applied",
        Duration::from_secs(300),
        async || {
            let counts = store.job_counts().await.unwrap();
            counts.queued == 0 && counts.running == 0
        },
    )
    .await;

    let packages = sandbox.shaq.packages();
    let refs: HashSet<&str> = packages.iter().map(|p| p.partner_ref()).collect();
    assert_eq!(packages.len(), orders, "exactly one package per order");
    assert_eq!(refs.len(), orders);
    let tickets = sandbox.digishare.tickets();
    let externals: HashSet<&str> = tickets
        .iter()
        .filter_map(|t| t["external_id"].as_str())
        .collect();
    assert_eq!(tickets.len(), orders, "exactly one ticket per order");
    assert_eq!(externals.len(), orders);
    let acknowledged_events: HashSet<String> = sandbox
        .shaq
        .webhooks
        .deliveries()
        .iter()
        .filter(|d| (200..300).contains(&d.status))
        .filter_map(|d| d.body["data"]["partner_ref"].as_str().map(str::to_owned))
        .collect();
    let picked_up = sandbox
        .digishare
        .messages()
        .iter()
        .filter(|m| m.status == "picked_up")
        .map(|m| m.external_id.clone())
        .collect::<Vec<_>>();
    let unique: HashSet<&String> = picked_up.iter().collect();
    assert_eq!(
        picked_up.len(),
        unique.len(),
        "no courier event applied twice"
    );
    for partner_ref in &acknowledged_events {
        assert!(
            unique.contains(partner_ref),
            "acknowledged event for {partner_ref} was not applied"
        );
    }
    let dead = store.job_counts().await.unwrap().dead;
    assert_eq!(dead, 0, "no job gave up");
    let logs = std::fs::read_to_string(&log).unwrap();
    for secret in [
        SHOP_SECRET,
        SHAQ_WEBHOOK_SECRET,
        DIGISHARE_WEBHOOK_SECRET,
        "sandbox-secret",
        "sandbox-digishare-token",
    ] {
        assert!(!logs.contains(secret), "a secret reached the logs");
    }
    assert!(
        !logs.contains("+233") && !logs.contains("\"024 "),
        "a phone number reached the logs"
    );
    eprintln!(
        "crash suite: {orders} orders, {kills} SIGKILLs, 1 SIGTERM, {} packages, {} tickets, {} courier events applied, lost 0, duplicated 0",
        packages.len(),
        tickets.len(),
        unique.len()
    );
    child.start_kill().unwrap();
    child.wait().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_survives_kill_nine_and_sigterm() {
    kill_nine_and_sigterm(TestBackend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(postgres_tests),
    ignore = "PostgreSQL suite not run: set BRIDGE_TEST_POSTGRES_URL"
)]
async fn postgres_survives_kill_nine_and_sigterm() {
    kill_nine_and_sigterm(TestBackend::Postgres).await;
}
