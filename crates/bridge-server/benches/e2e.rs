//! End to end: the real `shaq-bridge serve` process against the simulators, real HTTP both ways.
//!
//! ```sh
//! cargo bench -p bridge-server --bench e2e                       # SQLite FULL and NORMAL
//! BRIDGE_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test \
//!   cargo bench -p bridge-server --bench e2e                     # + PostgreSQL
//! ```
//!
//! `BENCH_ORDERS` (default 2 000) and `BENCH_BACKLOG` (default 5 000) change the sizes.
//!
//! For each backend: a Shopify shop in `ship_immediately`, COD orders sent by 32 concurrent
//! senders (signed, as Shopify sends them); acknowledgements/s with p50/p99; orders/s until every
//! order has its ShaQ package and its Digishare ticket; then one courier status per package and
//! orders/s until every ticket shows it; then a backlog of orders stored by an intake-only bridge
//! and drained by a fresh one (small and large, for the ratio); the large one's storing is the
//! "intake alone" measurement, with its CPU per acknowledgement. Idle and peak RSS and the time to
//! `/readyz` are read from the bridge process; with PostgreSQL, the rows and index entries the
//! server wrote per order from its own counters. A bare axum server and the simulators alone are
//! measured in the same run, with the same load generator. The other variables
//! (`BENCH_BACKENDS`, `BENCH_PERF`, `BENCH_PERF_INTAKE`, `BENCH_LOG`, `BENCH_BRIDGE`, …) are
//! described in docs/benchmarks.md.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bridge_sandbox::bridge_config::{BridgeConfig, SHAQ_WEBHOOK_SECRET, Shop};
use bridge_sandbox::ports::free_listen_port;
use bridge_sandbox::shops::{OrderSpec, shopify_order, shopify_signature};
use bridge_sandbox::{Sandbox, SandboxConfig};
use serde_json::{Value, json};
use tokio::process::{Child, Command};
use tokio::sync::Semaphore;

const SECRET: &str = "bench-shopify-secret-0123456789";
const SENDERS: usize = 32;
const LIMIT: Duration = Duration::from_secs(600);

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// CPU seconds (user + system) a process has used, from `/proc/<pid>/stat`.
fn cpu_seconds(pid: u32) -> f64 {
    let ticks_per_second = 100.0; // USER_HZ on Linux
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
            let user: f64 = fields.get(11)?.parse().ok()?;
            let system: f64 = fields.get(12)?.parse().ok()?;
            Some((user + system) / ticks_per_second)
        })
        .unwrap_or(0.0)
}

/// CPU seconds every running PostgreSQL process has used (the server the bridge talks to runs
/// on the same two cores: its share of the budget is part of the answer).
fn postgres_cpu_seconds() -> f64 {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0.0;
    };
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|comm| comm.trim() == "postgres")
        })
        .map(cpu_seconds)
        .sum()
}

/// A `(name, value)` of `/proc/<pid>/status` in MB.
fn proc_mb(pid: u32, field: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// A request to post: URL, headers, body.
type Post = (String, Vec<(String, String)>, Vec<u8>);

struct Load {
    per_second: f64,
    p50: Duration,
    p99: Duration,
}

/// Posts every request with `SENDERS` in flight; each must be answered 2xx.
async fn load(client: &reqwest::Client, requests: Vec<Post>) -> Load {
    let gate = Arc::new(Semaphore::new(SENDERS));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for (url, headers, body) in requests {
        let permit = gate.clone().acquire_owned().await.unwrap();
        let client = client.clone();
        tasks.spawn(async move {
            let sent = Instant::now();
            loop {
                let mut request = client.post(&url).body(body.clone());
                for (name, value) in &headers {
                    request = request.header(name.as_str(), value.as_str());
                }
                match request.send().await {
                    Ok(response) if response.status().is_success() => break,
                    Ok(response)
                        if response.status().as_u16() == 503
                            || response.status().as_u16() == 429 =>
                    {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    Ok(response) => panic!("{url}: {}", response.status()),
                    Err(error) => panic!("{url}: {error}"),
                }
            }
            drop(permit);
            sent.elapsed()
        });
    }
    let mut latencies = Vec::new();
    while let Some(latency) = tasks.join_next().await {
        latencies.push(latency.unwrap());
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let pick = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q) as usize];
    Load {
        per_second: latencies.len() as f64 / elapsed.as_secs_f64(),
        p50: pick(0.5),
        p99: pick(0.99),
    }
}

fn order_requests(url: &str, ids: std::ops::Range<u64>) -> Vec<Post> {
    ids.map(|id| {
        let spec = OrderSpec {
            id,
            cod: true,
            country: "GH",
            phone: Some("024 412 3456".to_owned()),
            region: Some("Ashanti".to_owned()),
        };
        let body = shopify_order(&spec).to_string().into_bytes();
        let headers = vec![
            ("content-type".to_owned(), "application/json".to_owned()),
            ("x-shopify-topic".to_owned(), "orders/create".to_owned()),
            (
                "x-shopify-hmac-sha256".to_owned(),
                shopify_signature(SECRET, &body),
            ),
            (
                "x-shopify-shop-domain".to_owned(),
                "kente.myshopify.com".to_owned(),
            ),
            (
                "x-shopify-webhook-id".to_owned(),
                uuid::Uuid::new_v4().to_string(),
            ),
        ];
        (url.to_owned(), headers, body)
    })
    .collect()
}

struct Bridge {
    child: Child,
    url: String,
    ready_after: Duration,
}

impl Bridge {
    async fn spawn(config: &Path, env: &[(&str, &str)]) -> Bridge {
        let toml = std::fs::read_to_string(config).unwrap();
        let url = toml
            .lines()
            .find_map(|l| l.strip_prefix("listen = \""))
            .map(|l| format!("http://{}", l.trim_end_matches('"')))
            .unwrap();
        let started = Instant::now();
        // `BENCH_BRIDGE=<binary>`: measure another build (an A/B of two commits in one hour).
        let binary = std::env::var("BENCH_BRIDGE")
            .unwrap_or_else(|_| env!("CARGO_BIN_EXE_shaq-bridge").to_owned());
        // `BENCH_LOG=<file>`: the bridges' warnings and errors, appended there (a healthy
        // run logs none; each is a lead).
        // The bridge logs to standard output.
        let (stdout, stderr) = match std::env::var("BENCH_LOG") {
            Ok(file) => {
                let log = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(file)
                    .unwrap();
                (Stdio::from(log.try_clone().unwrap()), Stdio::from(log))
            }
            Err(_) => (Stdio::null(), Stdio::null()),
        };
        let mut command = Command::new(binary);
        command
            .arg("serve")
            .arg("--config")
            .arg(config)
            .env("RUST_LOG", "warn")
            .stdout(stdout)
            .stderr(stderr)
            .kill_on_drop(true);
        for (name, value) in env {
            command.env(name, value);
        }
        let child = command.spawn().unwrap();
        let client = reqwest::Client::new();
        loop {
            if let Ok(response) = client.get(format!("{url}/readyz")).send().await
                && response.status().is_success()
            {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the bridge did not start"
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        Bridge {
            child,
            url,
            ready_after: started.elapsed(),
        }
    }

    fn pid(&self) -> u32 {
        self.child.id().unwrap_or(0)
    }

    async fn stop(mut self) {
        if let Some(pid) = self.child.id() {
            let _ = std::process::Command::new("kill")
                .arg("-TERM")
                .arg(pid.to_string())
                .status();
        }
        let _ = tokio::time::timeout(Duration::from_secs(60), self.child.wait()).await;
    }
}

/// Waits until `done()` holds; the time from `since`.
async fn until(what: &str, since: Instant, mut done: impl FnMut() -> bool) -> Duration {
    while !done() {
        assert!(since.elapsed() < LIMIT, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    since.elapsed()
}

/// Counted without copying the simulators' records (polled every 20 ms: a copy of thousands
/// of packages would make the harness the bottleneck).
fn packages_and_tickets(sandbox: &Sandbox) -> (usize, usize) {
    (
        sandbox.shaq.package_count(),
        sandbox.digishare.ticket_counts("").0,
    )
}

struct Row {
    backend: String,
    /// Which run of its backend (`BENCH_REPEAT` above 1).
    run: Option<usize>,
    ack: Load,
    e2e: f64,
    courier: f64,
    drain_small: f64,
    drain_large: f64,
    idle_rss: f64,
    peak_rss: f64,
    ready_ms: f64,
    /// Per order, during the e2e phase: the bridge, this process (load generator and
    /// simulators), the PostgreSQL server (`None` for SQLite, which is in the bridge), and how
    /// many of the two cores all of them kept busy.
    cpu: CpuCost,
    /// The writer's transactions during the same phase, from the bridge's `/metrics`.
    writer: WriterLoad,
    /// The large backlog stored by the intake-only bridge (workers off): the most the durable
    /// intake can take on this machine, and what each acknowledgement costs.
    intake_only: IntakeOnly,
    /// What the database server wrote per order (PostgreSQL only: it counts).
    rows_written: Vec<TableWrites>,
}

struct IntakeOnly {
    acks: Load,
    /// Per acknowledgement.
    cpu: CpuCost,
    writer: WriterLoad,
}

/// How busy the writer was over a phase, and what its transactions carried.
#[derive(Clone, Copy, Default)]
struct WriterLoad {
    /// Seconds of transactions per second of the phase.
    busy: f64,
    /// Transactions per second.
    batches_per_second: f64,
    /// Completions per transaction that had any.
    completions_per_batch: f64,
    /// Webhooks per transaction that had any.
    webhooks_per_batch: f64,
}

/// The sums and counts of the writer's histograms in `/metrics`.
#[derive(Clone, Copy, Default)]
struct WriterCounters {
    seconds: f64,
    batches: f64,
    completions: f64,
    completion_batches: f64,
    webhooks: f64,
    webhook_batches: f64,
}

async fn writer_counters(client: &reqwest::Client, bridge_url: &str) -> WriterCounters {
    let text = match client.get(format!("{bridge_url}/metrics")).send().await {
        Ok(response) => response.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    };
    // Summed over the series' labels (PostgreSQL has two writers).
    let value = |name: &str| {
        text.lines()
            .filter_map(|line| {
                let (metric, value) = line.rsplit_once(' ')?;
                let bare = metric.split_once('{').map_or(metric, |(bare, _)| bare);
                (bare == name).then(|| value.trim().parse::<f64>().ok())?
            })
            .sum::<f64>()
    };
    WriterCounters {
        seconds: value("bridge_store_writer_batch_seconds_sum"),
        batches: value("bridge_store_writer_batch_seconds_count"),
        completions: value("bridge_completion_batch_size_sum"),
        completion_batches: value("bridge_completion_batch_size_count"),
        webhooks: value("bridge_intake_batch_size_sum"),
        webhook_batches: value("bridge_intake_batch_size_count"),
    }
}

impl WriterLoad {
    fn between(before: WriterCounters, after: WriterCounters, phase: Duration) -> WriterLoad {
        let seconds = phase.as_secs_f64().max(1e-3);
        let per = |sum: f64, count: f64| if count > 0.0 { sum / count } else { 0.0 };
        WriterLoad {
            busy: (after.seconds - before.seconds) / seconds,
            batches_per_second: (after.batches - before.batches) / seconds,
            completions_per_batch: per(
                after.completions - before.completions,
                after.completion_batches - before.completion_batches,
            ),
            webhooks_per_batch: per(
                after.webhooks - before.webhooks,
                after.webhook_batches - before.webhook_batches,
            ),
        }
    }
}

fn write_config(dir: &Path, sandbox: &Sandbox, database_url: &str) -> PathBuf {
    let toml = BridgeConfig::for_sandbox(sandbox, database_url)
        .listen(&format!("127.0.0.1:{}", free_listen_port()))
        .without_rate_limit()
        .without_reconciliation()
        .quick_upstreams("10s")
        .fast_retries(20)
        .poll_interval("200ms")
        .shop(Shop::shopify("kente", SECRET).ship_immediately())
        .to_toml();
    let path = dir.join("bridge.toml");
    std::fs::write(&path, toml).unwrap();
    path
}

/// The PostgreSQL database of one phase of this run (the process id keeps runs apart).
fn bench_database(name: &str) -> String {
    format!("bridge_bench_{name}_{}", std::process::id())
}

async fn fresh_database(backend: &str, dir: &Path, name: &str) -> String {
    match backend {
        "postgres" => {
            let base = std::env::var("BRIDGE_TEST_POSTGRES_URL").unwrap();
            let db = bench_database(name);
            let admin = base.clone();
            // `BENCH_POSTGRES_CREATE`: options for `CREATE DATABASE`, e.g. a merchant's
            // collation (`LOCALE_PROVIDER icu ICU_LOCALE 'en-US' TEMPLATE template0`).
            let options = std::env::var("BENCH_POSTGRES_CREATE").unwrap_or_default();
            for statement in [
                format!("DROP DATABASE IF EXISTS {db}"),
                format!("CREATE DATABASE {db} {options}"),
            ] {
                let status = std::process::Command::new("psql")
                    // No "database does not exist, skipping" notices in the table's output.
                    .env("PGOPTIONS", "-c client_min_messages=warning")
                    .arg(&admin)
                    .arg("-qc")
                    .arg(&statement)
                    .status()
                    .unwrap();
                assert!(status.success(), "{statement}");
            }
            let (prefix, _) = base.rsplit_once('/').unwrap();
            match std::env::var("BENCH_POSTGRES_PARAMS") {
                Ok(params) if !params.is_empty() => format!("{prefix}/{db}?{params}"),
                _ => format!("{prefix}/{db}"),
            }
        }
        _ => format!("sqlite://{}", dir.join(format!("{name}.db")).display()),
    }
}

/// What the live phase (orders, then their courier statuses) wrote into one table, per order.
struct TableWrites {
    table: String,
    inserted: f64,
    updated: f64,
    /// Updates that changed no indexed column and found room on their page: no index written.
    hot_updated: f64,
    deleted: f64,
    indexes: u32,
}

impl TableWrites {
    /// Every row version but a HOT update's is written into each of the table's indexes.
    fn index_entries(&self) -> f64 {
        (self.inserted + self.updated - self.hot_updated) * f64::from(self.indexes)
    }
}

/// PostgreSQL's own counters (`pg_stat_user_tables`) of the named benchmark database, per order:
/// how many row versions, and index entries, one order costs the server.
fn rows_written_per_order(name: &str, orders: u64) -> Vec<TableWrites> {
    let base = std::env::var("BRIDGE_TEST_POSTGRES_URL").unwrap();
    let (prefix, _) = base.rsplit_once('/').unwrap();
    let url = format!("{prefix}/{}", bench_database(name));
    // A backend flushes its counters as it exits, which may be just after the bridge did.
    for _ in 0..100 {
        let others = std::process::Command::new("psql")
            .arg(&url)
            .arg("-Atc")
            .arg(
                "SELECT COUNT(*) FROM pg_stat_activity \
                 WHERE datname = current_database() AND pid <> pg_backend_pid()",
            )
            .output()
            .unwrap();
        if String::from_utf8_lossy(&others.stdout).trim() == "0" {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = std::process::Command::new("psql")
        .arg(&url)
        .arg("-AtF,")
        .arg("-c")
        .arg(
            "SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_tup_del, \
             (SELECT COUNT(*) FROM pg_index i WHERE i.indrelid = s.relid) \
             FROM pg_stat_user_tables s \
             WHERE n_tup_ins + n_tup_upd + n_tup_del > 0 AND relname NOT LIKE '\\_sqlx%' \
             ORDER BY relname",
        )
        .output()
        .unwrap();
    let per_order = |field: &str| field.parse::<f64>().unwrap_or(0.0) / orders as f64;
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            let [table, inserted, updated, hot_updated, deleted, indexes] = fields[..] else {
                return None;
            };
            Some(TableWrites {
                table: table.to_owned(),
                inserted: per_order(inserted),
                updated: per_order(updated),
                hot_updated: per_order(hot_updated),
                deleted: per_order(deleted),
                indexes: indexes.parse().unwrap_or(0),
            })
        })
        .collect()
}

/// Drops what [`fresh_database`] created on PostgreSQL (after the bridges stopped).
fn drop_databases(backend: &str, names: &[&str]) {
    if backend != "postgres" || std::env::var_os("BENCH_KEEP_DATABASES").is_some() {
        return;
    }
    let base = std::env::var("BRIDGE_TEST_POSTGRES_URL").unwrap();
    for name in names {
        let db = bench_database(name);
        let _ = std::process::Command::new("psql")
            // No "database does not exist, skipping" notices in the table's output.
            .env("PGOPTIONS", "-c client_min_messages=warning")
            .arg(&base)
            .arg("-qc")
            .arg(format!("DROP DATABASE IF EXISTS {db}"))
            .status();
    }
}

/// `perf record` of one process while a phase runs, when the named variable gives a file.
struct Profiler(std::process::Child);

impl Profiler {
    fn start(variable: &str, pid: u32) -> Option<Profiler> {
        let file = std::env::var(variable).ok()?;
        let child = std::process::Command::new("perf")
            .args(["record", "-e", "cpu-clock", "-F", "1999", "-o", &file])
            // The bridge is built without frame pointers: `BENCH_PERF_DWARF=1` unwinds its
            // stacks from DWARF (far larger files; fewer samples kept per second).
            .args(match std::env::var_os("BENCH_PERF_DWARF") {
                Some(_) => ["--call-graph", "dwarf,16384"].as_slice(),
                None => ["-g"].as_slice(),
            })
            // `BENCH_PERF_ALL_CPUS=1`: every process on the machine (the database server and
            // the harness beside the bridge; `perf report --comm postgres` splits them).
            .args(match std::env::var_os("BENCH_PERF_ALL_CPUS") {
                Some(_) => vec!["-a".to_owned()],
                None => vec!["-p".to_owned(), pid.to_string()],
            })
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        Some(Profiler(child))
    }

    fn stop(self) {
        let _ = std::process::Command::new("kill")
            .arg("-INT")
            .arg(self.0.id().to_string())
            .status();
        let _ = self.0.wait_with_output();
    }
}

/// CPU counters of the three parties, read at the start of a phase.
struct CpuSnapshot {
    bridge: f64,
    harness: f64,
    database: f64,
}

/// What a phase cost, per unit of work, from two [`CpuSnapshot`]s.
struct CpuCost {
    bridge_ms: f64,
    harness_ms: f64,
    database_ms: Option<f64>,
    cores_busy: f64,
}

impl CpuSnapshot {
    fn take(bridge_pid: u32) -> CpuSnapshot {
        CpuSnapshot {
            bridge: cpu_seconds(bridge_pid),
            harness: cpu_seconds(std::process::id()),
            database: postgres_cpu_seconds(),
        }
    }

    fn cost_since(&self, bridge_pid: u32, backend: &str, units: u64, phase: Duration) -> CpuCost {
        let now = CpuSnapshot::take(bridge_pid);
        let bridge = now.bridge - self.bridge;
        let harness = now.harness - self.harness;
        let database = (backend == "postgres").then_some(now.database - self.database);
        let per_unit = |seconds: f64| seconds * 1000.0 / units as f64;
        CpuCost {
            bridge_ms: per_unit(bridge),
            harness_ms: per_unit(harness),
            database_ms: database.map(per_unit),
            cores_busy: (bridge + harness + database.unwrap_or(0.0))
                / phase.as_secs_f64().max(1e-3),
        }
    }
}

/// The simulators' behaviour for the bridge's phases. `BENCH_DIGISHARE_ECHO=0`: Digishare does
/// not send `ticket.updated` for the bridge's own moves (whether it does is undocumented; the
/// simulator's default, and the benchmark's, is the stricter reading: it does) — to measure
/// what the echoes cost, two of each order's four webhooks and ten jobs.
fn sandbox_config() -> SandboxConfig {
    let mut config = SandboxConfig::default();
    if std::env::var("BENCH_DIGISHARE_ECHO").is_ok_and(|value| value == "0") {
        config.digishare.webhook_on_api_change = false;
    }
    config
}

async fn run_backend(
    backend: &str,
    synchronous: &str,
    orders: u64,
    backlog: u64,
) -> (Row, Captured) {
    let dir = tempfile::tempdir().unwrap();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(SENDERS)
        .build()
        .unwrap();
    let env = [("SHAQ_BRIDGE__DATABASE__SQLITE_SYNCHRONOUS", synchronous)];

    // 1. Orders while the workers run: acknowledgements, then package + ticket for each.
    let sandbox = Sandbox::start(sandbox_config()).await.unwrap();
    let database = fresh_database(backend, dir.path(), "live").await;
    let config = write_config(dir.path(), &sandbox, &database);
    let bridge = Bridge::spawn(&config, &env).await;
    sandbox.send_webhooks_to(&bridge.url);
    let ready_ms = bridge.ready_after.as_secs_f64() * 1000.0;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle_rss = proc_mb(bridge.pid(), "VmRSS:");
    let url = format!("{}/webhooks/shops/kente", bridge.url);
    let cpu_before = CpuSnapshot::take(bridge.pid());
    // `BENCH_PERF=<file>`: a CPU profile of the bridge during this phase (`perf report -i <file>`).
    let profiler = Profiler::start("BENCH_PERF", bridge.pid());
    let writer_before = writer_counters(&client, &bridge.url).await;
    let started = Instant::now();
    let ack = load(&client, order_requests(&url, 1..orders + 1)).await;
    let total = orders as usize;
    let e2e = until("packages and tickets", started, || {
        let (p, t) = packages_and_tickets(&sandbox);
        p >= total && t >= total
    })
    .await;
    let writer = WriterLoad::between(
        writer_before,
        writer_counters(&client, &bridge.url).await,
        e2e,
    );
    let cpu = cpu_before.cost_since(bridge.pid(), backend, orders, e2e);
    if let Some(profiler) = profiler {
        profiler.stop();
    }

    // 2. One courier status per package, until every ticket shows it.
    let in_transit = sandbox.digishare.statuses()["in_transit"].clone();
    let courier_requests = sandbox
        .shaq
        .packages()
        .iter()
        .map(|package| {
            let body = json!({
                "event": "package.status_updated", "event_id": uuid::Uuid::new_v4().to_string(),
                "api_version": "v1", "occurred_at": chrono::Utc::now().to_rfc3339(),
                "data": { "tracking_number": package.tracking_number, "partner_ref": package.partner_ref(),
                          "status": "in_transit", "description": "In transit", "comment": null, "meta": {} }
            })
            .to_string()
            .into_bytes();
            let headers = vec![
                ("content-type".to_owned(), "application/json".to_owned()),
                ("x-shaq-webhook-secret".to_owned(), SHAQ_WEBHOOK_SECRET.to_owned()),
            ];
            (format!("{}/webhooks/shaq", bridge.url), headers, body)
        })
        .collect();
    let started = Instant::now();
    load(&client, courier_requests).await;
    let courier = until("tickets in transit", started, || {
        sandbox.digishare.ticket_counts(&in_transit).1 >= total
    })
    .await;
    let mut peak_rss = proc_mb(bridge.pid(), "VmHWM:");
    let captured = Captured {
        package: sandbox.shaq.packages()[0].request.clone(),
        ticket: serde_json::from_str(
            &sandbox.digishare.recorder.matching("POST", "/v1/tickets")[0].body,
        )
        .unwrap(),
    };
    bridge.stop().await;
    sandbox.shutdown();
    // Read once the bridge is gone: PostgreSQL's backends flush their counters as they exit.
    let rows_written = if backend == "postgres" {
        rows_written_per_order("live", orders)
    } else {
        Vec::new()
    };

    // 3. Backlogs: stored by an intake-only bridge, drained by a fresh one.
    let mut drains = Vec::new();
    let mut intake_only = None;
    for (name, size) in [("small", 200u64), ("large", backlog)] {
        let sandbox = Sandbox::start(sandbox_config()).await.unwrap();
        let database = fresh_database(backend, dir.path(), name).await;
        let config = write_config(dir.path(), &sandbox, &database);
        let mut intake_env = env.to_vec();
        intake_env.push(("SHAQ_BRIDGE__WORKERS__ENABLED", "false"));
        let intake = Bridge::spawn(&config, &intake_env).await;
        let url = format!("{}/webhooks/shops/kente", intake.url);
        let requests = order_requests(&url, 1..size + 1);
        // `BENCH_PERF_INTAKE=<file>`: a CPU profile of the intake-only bridge (large backlog).
        let profiler = (name == "large")
            .then(|| Profiler::start("BENCH_PERF_INTAKE", intake.pid()))
            .flatten();
        let writer_before = writer_counters(&client, &intake.url).await;
        let cpu_before = CpuSnapshot::take(intake.pid());
        let started = Instant::now();
        let acks = load(&client, requests).await;
        let stored = started.elapsed();
        let cpu = cpu_before.cost_since(intake.pid(), backend, size, stored);
        let writer = WriterLoad::between(
            writer_before,
            writer_counters(&client, &intake.url).await,
            stored,
        );
        if let Some(profiler) = profiler {
            profiler.stop();
        }
        intake.stop().await;
        intake_only = Some(IntakeOnly { acks, cpu, writer });
        let workers = Bridge::spawn(&config, &env).await;
        sandbox.send_webhooks_to(&workers.url);
        let started = Instant::now();
        let drained = until("the backlog", started, || {
            let (p, t) = packages_and_tickets(&sandbox);
            p >= size as usize && t >= size as usize
        })
        .await;
        peak_rss = peak_rss.max(proc_mb(workers.pid(), "VmHWM:"));
        workers.stop().await;
        sandbox.shutdown();
        drains.push(size as f64 / drained.as_secs_f64());
    }
    drop_databases(backend, &["live", "small", "large"]);

    (
        Row {
            backend: format!(
                "{backend}{}",
                if backend == "sqlite" {
                    format!(" {synchronous}")
                } else {
                    String::new()
                }
            ),
            run: None,
            ack,
            e2e: orders as f64 / e2e.as_secs_f64(),
            courier: orders as f64 / courier.as_secs_f64(),
            drain_small: drains[0],
            drain_large: drains[1],
            idle_rss,
            peak_rss,
            ready_ms,
            cpu,
            writer,
            intake_only: intake_only.unwrap(),
            rows_written,
        },
        captured,
    )
}

/// A bare axum server answering 200: the most the machine and the load generator can do. With
/// the CPU milliseconds per request of this whole process (server and load generator).
async fn bare_axum(client: &reqwest::Client, requests: u64) -> (Load, f64) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let app = axum::Router::new().route(
        "/",
        axum::routing::post(|_: axum::body::Bytes| async { "ok" }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let body = shopify_order(&OrderSpec {
        id: 1,
        cod: true,
        country: "GH",
        phone: None,
        region: None,
    })
    .to_string()
    .into_bytes();
    let posts = (0..requests)
        .map(|_| (url.clone(), Vec::new(), body.clone()))
        .collect();
    let cpu_before = cpu_seconds(std::process::id());
    let bare = load(client, posts).await;
    let cpu_ms = (cpu_seconds(std::process::id()) - cpu_before) * 1000.0 / requests as f64;
    (bare, cpu_ms)
}

/// What the bridge sent the simulators for one order, to replay at them alone.
struct Captured {
    package: Value,
    ticket: Value,
}

/// The simulators alone: the bridge's own package and ticket requests, replayed directly.
async fn simulators(client: &reqwest::Client, captured: &Captured, requests: u64) -> (f64, f64) {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let login: Value = client
        .post(format!("{}/auth/login", sandbox.shaq_url()))
        .json(&json!({ "identifier": "sandbox-partner", "secret": "sandbox-secret" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["data"]["token"].as_str().unwrap().to_owned();
    let packages = (0..requests)
        .map(|i| {
            let mut body = captured.package.clone();
            body["partner_ref"] = Value::from(format!("sim-{i}"));
            (
                format!("{}/packages", sandbox.shaq_url()),
                vec![
                    ("content-type".to_owned(), "application/json".to_owned()),
                    ("authorization".to_owned(), format!("Bearer {token}")),
                ],
                body.to_string().into_bytes(),
            )
        })
        .collect();
    let shaq = load(client, packages).await.per_second;
    let tickets = (0..requests)
        .map(|i| {
            let mut body = captured.ticket.clone();
            body["external_id"] = Value::from(format!("sim-{i}"));
            (
                format!("{}/tickets", sandbox.digishare_url()),
                vec![
                    ("content-type".to_owned(), "application/json".to_owned()),
                    (
                        "authorization".to_owned(),
                        "Bearer sandbox-digishare-token".to_owned(),
                    ),
                ],
                body.to_string().into_bytes(),
            )
        })
        .collect();
    let digishare = load(client, tickets).await.per_second;
    assert_eq!(
        sandbox.shaq.package_count(),
        requests as usize,
        "every replayed package was taken"
    );
    sandbox.shutdown();
    (shaq, digishare)
}

fn database_ms(cpu: &CpuCost) -> String {
    cpu.database_ms
        .map_or_else(|| "in the bridge".to_owned(), |ms| format!("{ms:.3} ms"))
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let orders = env_usize("BENCH_ORDERS", 2000) as u64;
    let backlog = env_usize("BENCH_BACKLOG", 5000) as u64;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(SENDERS)
        .build()
        .unwrap();
    let (bare, bare_cpu_ms) = bare_axum(&client, 20_000).await;
    println!(
        "bare axum: {:.0} req/s (p50 {:.1} ms, p99 {:.1} ms, {:.3} ms CPU per request with the load generator)",
        bare.per_second,
        bare.p50.as_secs_f64() * 1e3,
        bare.p99.as_secs_f64() * 1e3,
        bare_cpu_ms
    );
    // `BENCH_BACKENDS=postgres` (or `sqlite-full`, comma-separated) runs only those.
    let only = std::env::var("BENCH_BACKENDS").unwrap_or_default();
    let wanted = |name: &str| only.is_empty() || only.split(',').any(|w| w.trim() == name);
    let postgres_url = std::env::var("BRIDGE_TEST_POSTGRES_URL").is_ok_and(|v| !v.is_empty());
    let backends: Vec<(&str, &str)> = [
        ("sqlite", "full", "sqlite-full"),
        ("sqlite", "normal", "sqlite-normal"),
        ("postgres", "full", "postgres"),
    ]
    .into_iter()
    .filter(|(backend, _, name)| wanted(name) && (*backend != "postgres" || postgres_url))
    .map(|(backend, synchronous, _)| (backend, synchronous))
    .collect();
    // `BENCH_REPEAT=n`: every backend n times, taking turns (this machine's speed swings by a
    // fifth within minutes); each run gets its row, and the last line takes each backend's
    // run of median e2e rate.
    let repeat = env_usize("BENCH_REPEAT", 1).max(1);
    let mut rows = Vec::new();
    let mut captured = None;
    for round in 1..=repeat {
        for (backend, synchronous) in &backends {
            let (mut row, capture) = run_backend(backend, synchronous, orders, backlog).await;
            if repeat > 1 {
                row.run = Some(round);
            }
            rows.push(row);
            captured.get_or_insert(capture);
        }
    }
    let captured = captured.expect("BENCH_BACKENDS names no backend");
    let (shaq, digishare) = simulators(&client, &captured, 5_000).await;
    println!("simulators alone: ShaQ {shaq:.0} packages/s, Digishare {digishare:.0} tickets/s");
    println!(
        "\n{orders} orders, backlog {backlog}, {SENDERS} senders\n\n\
         | backend | acks/s | ack p50 | ack p99 | e2e orders/s | courier/s | drain 200 /s | drain {backlog} /s | ratio | idle RSS | peak RSS | ready | bridge CPU/order |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for row in &rows {
        println!(
            "| {} | {:.0} | {:.1} ms | {:.1} ms | {:.0} | {:.0} | {:.0} | {:.0} | {:.2} | {:.1} MB | {:.1} MB | {:.0} ms | {:.2} ms |",
            label(row),
            row.ack.per_second,
            row.ack.p50.as_secs_f64() * 1e3,
            row.ack.p99.as_secs_f64() * 1e3,
            row.e2e,
            row.courier,
            row.drain_small,
            row.drain_large,
            row.drain_large / row.drain_small,
            row.idle_rss,
            row.peak_rss,
            row.ready_ms,
            row.cpu.bridge_ms,
        );
    }
    println!(
        "\nCPU per order while orders flow (e2e phase), and how many of the {} cores were busy:\n\n\
         | backend | bridge | harness (load + simulators) | database server | cores busy | writer busy | transactions/s | completions per tx | webhooks per tx |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    for row in &rows {
        println!(
            "| {} | {:.2} ms | {:.2} ms | {} | {:.2} | {:.0} % | {:.0} | {:.1} | {:.1} |",
            label(row),
            row.cpu.bridge_ms,
            row.cpu.harness_ms,
            database_ms(&row.cpu),
            row.cpu.cores_busy,
            row.writer.busy * 100.0,
            row.writer.batches_per_second,
            row.writer.completions_per_batch,
            row.writer.webhooks_per_batch,
        );
    }
    println!(
        "\nIntake alone: the backlog of {backlog} stored by a bridge with its workers off, CPU per acknowledgement:\n\n\
         | backend | acks/s | ratio to bare axum | ack p50 | ack p99 | bridge | harness | database server | cores busy | writer busy | webhooks per tx |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for row in &rows {
        let intake = &row.intake_only;
        println!(
            "| {} | {:.0} | {:.2} | {:.1} ms | {:.1} ms | {:.3} ms | {:.3} ms | {} | {:.2} | {:.0} % | {:.1} |",
            label(row),
            intake.acks.per_second,
            intake.acks.per_second / bare.per_second,
            intake.acks.p50.as_secs_f64() * 1e3,
            intake.acks.p99.as_secs_f64() * 1e3,
            intake.cpu.bridge_ms,
            intake.cpu.harness_ms,
            database_ms(&intake.cpu),
            intake.cpu.cores_busy,
            intake.writer.busy * 100.0,
            intake.writer.webhooks_per_batch,
        );
    }
    for row in rows.iter().filter(|r| !r.rows_written.is_empty()) {
        println!(
            "\nWhat {} wrote per order (orders, then their courier statuses; pg_stat_user_tables):\n\n\
             | table | inserted | updated | of which HOT | deleted | indexes | index entries |\n\
             |---|---:|---:|---:|---:|---:|---:|",
            label(row)
        );
        for writes in &row.rows_written {
            println!(
                "| {} | {:.1} | {:.1} | {:.1} | {:.1} | {} | {:.0} |",
                writes.table,
                writes.inserted,
                writes.updated,
                writes.hot_updated,
                writes.deleted,
                writes.indexes,
                writes.index_entries(),
            );
        }
        let total: f64 = row
            .rows_written
            .iter()
            .map(TableWrites::index_entries)
            .sum();
        println!("| all | | | | | | {total:.0} |");
    }
    let sqlite = median_e2e(&rows, "sqlite full");
    let postgres = median_e2e(&rows, "postgres");
    let figure = |row: Option<&Row>, f: fn(&Row) -> f64| {
        row.map_or_else(|| "-".to_owned(), |r| format!("{:.0}", f(r)))
    };
    let first = sqlite.unwrap_or(&rows[0]);
    if repeat > 1 {
        println!(
            "\nThe line below takes each backend's run of median e2e rate (of {repeat}): {}",
            [sqlite, postgres]
                .into_iter()
                .flatten()
                .map(|row| format!("{} #{}", row.backend, row.run.unwrap_or(1)))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    println!(
        "\ne2e: sqlite {} orders/s, postgres {} orders/s, backlog-drain {:.0} orders/s, ingest ratio {:.2}",
        figure(sqlite, |r| r.e2e),
        figure(postgres, |r| r.e2e),
        first.drain_large,
        first.ack.per_second / bare.per_second
    );
}

/// `backend`'s run of median e2e rate (the lower middle one of an even count).
fn median_e2e<'r>(rows: &'r [Row], backend: &str) -> Option<&'r Row> {
    let mut runs: Vec<&Row> = rows.iter().filter(|r| r.backend == backend).collect();
    runs.sort_by(|a, b| a.e2e.total_cmp(&b.e2e));
    runs.get(runs.len().saturating_sub(1) / 2).copied()
}

/// A row's name in the tables: its backend, and its run when there are several.
fn label(row: &Row) -> String {
    match row.run {
        Some(run) => format!("{} #{run}", row.backend),
        None => row.backend.clone(),
    }
}
