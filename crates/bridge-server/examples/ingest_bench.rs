//! Durable webhook intake against a bare axum baseline, measured in one run on one machine.
//!
//! ```sh
//! cargo run --release -p bridge-server --example ingest_bench            # SQLite FULL and NORMAL
//! BRIDGE_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test \
//!   cargo run --release -p bridge-server --example ingest_bench          # + PostgreSQL
//! ```
//!
//! Each variant receives the same ShaQ webhooks (unique `event_id`s, secret checked, envelope
//! parsed, stored with its job before the 200) from the same in-process load generator.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use bridge_core::jobs::JobRecord;
use bridge_core::store::{JobEffects, SqliteSynchronous};
use bridge_core::testing::{TestBackend, TestDatabase};
use bridge_core::worker::{JobError, JobExecutor};
use bridge_server::configuration::Settings;
use bridge_server::startup::Application;

const REQUESTS: usize = 20_000;
const CONCURRENCY: usize = 64;
const SECRET: &str = "a-long-random-secret-for-shaq";

/// Intake is measured alone: jobs complete at once without calling anyone.
struct Noop;

#[async_trait]
impl JobExecutor for Noop {
    async fn execute(&self, _job: &JobRecord) -> Result<JobEffects, JobError> {
        Ok(JobEffects::default())
    }
}

/// Holds the single worker slot forever: the database serves intake alone.
struct Stall;

#[async_trait]
impl JobExecutor for Stall {
    async fn execute(&self, _job: &JobRecord) -> Result<JobEffects, JobError> {
        std::future::pending().await
    }
}

struct Report {
    name: String,
    per_second: f64,
    p50: Duration,
    p99: Duration,
}

async fn load(url: String, with_secret: bool) -> (f64, Duration, Duration) {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENCY)
        .build()
        .unwrap();
    let started = Instant::now();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let tasks: Vec<_> = (0..CONCURRENCY)
        .map(|_| {
            let (client, url, next) = (client.clone(), url.clone(), next.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                loop {
                    let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if n >= REQUESTS {
                        return latencies;
                    }
                    let body = format!(
                        r#"{{"event":"package.status_updated","event_id":"bench-{n}","api_version":"v1","occurred_at":"2026-11-23T10:00:00Z","data":{{"tracking_number":"T{n}","partner_ref":"bench-{n}","status":"in_transit","description":"x","comment":null,"meta":{{}}}}}}"#
                    );
                    let mut request = client
                        .post(&url)
                        .header("content-type", "application/json")
                        .body(body);
                    if with_secret {
                        request = request.header("X-Shaq-Webhook-Secret", SECRET);
                    }
                    let sent = Instant::now();
                    let response = request.send().await.unwrap();
                    assert!(response.status().is_success(), "{}", response.status());
                    latencies.push(sent.elapsed());
                }
            })
        })
        .collect();
    let mut latencies: Vec<Duration> = Vec::with_capacity(REQUESTS);
    for task in tasks {
        latencies.extend(task.await.unwrap());
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    (REQUESTS as f64 / elapsed.as_secs_f64(), at(0.50), at(0.99))
}

async fn baseline() -> Report {
    let app = axum::Router::new().route(
        "/webhooks/shaq",
        axum::routing::post(|_body: axum::body::Bytes| async { "ok" }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhooks/shaq", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let (per_second, p50, p99) = load(url, false).await;
    Report {
        name: "bare axum POST → 200".to_owned(),
        per_second,
        p50,
        p99,
    }
}

async fn bridge(name: &str, backend: TestBackend, synchronous: SqliteSynchronous) -> Report {
    bridge_with(name, backend, synchronous, Arc::new(Noop), 16).await
}

async fn bridge_with(
    name: &str,
    backend: TestBackend,
    synchronous: SqliteSynchronous,
    executor: Arc<dyn JobExecutor>,
    concurrency: usize,
) -> Report {
    let db = TestDatabase::new(backend).await;
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/example.toml");
    let mut settings =
        Settings::load_with_env(Some(std::path::Path::new(example)), Vec::new()).unwrap();
    settings.server.listen = "127.0.0.1:0".parse().unwrap();
    settings.server.webhook_rate_limit.enabled = false;
    settings.log.level = "error".to_owned();
    settings.database = db.settings.clone();
    settings.database.sqlite_synchronous = synchronous;
    settings.workers.concurrency = Some(concurrency);
    settings.workers.shutdown_grace = std::time::Duration::from_secs(1);
    // Reopen with the chosen synchronous mode.
    let application = Application::build_with_executor(settings, executor)
        .await
        .unwrap();
    let url = format!("http://127.0.0.1:{}/webhooks/shaq", application.port());
    let shutdown = application.shutdown_token();
    let running = tokio::spawn(application.run_until_stopped());
    let (per_second, p50, p99) = load(url, true).await;
    shutdown.cancel();
    running.await.unwrap().unwrap();
    Report {
        name: name.to_owned(),
        per_second,
        p50,
        p99,
    }
}

#[tokio::main]
async fn main() {
    let mut reports = vec![baseline().await];
    reports.push(
        bridge(
            "bridge, SQLite synchronous=FULL (default)",
            TestBackend::Sqlite,
            SqliteSynchronous::Full,
        )
        .await,
    );
    reports.push(
        bridge(
            "bridge, SQLite synchronous=NORMAL",
            TestBackend::Sqlite,
            SqliteSynchronous::Normal,
        )
        .await,
    );
    reports.push(
        bridge_with(
            "bridge, SQLite FULL, intake only (workers held)",
            TestBackend::Sqlite,
            SqliteSynchronous::Full,
            Arc::new(Stall),
            1,
        )
        .await,
    );
    if std::env::var_os(bridge_core::testing::POSTGRES_URL_VAR).is_some() {
        reports.push(
            bridge(
                "bridge, PostgreSQL",
                TestBackend::Postgres,
                SqliteSynchronous::Full,
            )
            .await,
        );
    }
    let base = reports[0].per_second;
    println!("{REQUESTS} requests, {CONCURRENCY} concurrent, load generator in the same process\n");
    println!("| variant | requests/s | ratio to bare axum | p50 | p99 |");
    println!("|---|---:|---:|---:|---:|");
    for report in &reports {
        println!(
            "| {} | {:.0} | {:.2} | {:.1} ms | {:.1} ms |",
            report.name,
            report.per_second,
            report.per_second / base,
            report.p50.as_secs_f64() * 1000.0,
            report.p99.as_secs_f64() * 1000.0
        );
    }
}
