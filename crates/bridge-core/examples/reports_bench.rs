//! The reports' queries on 1,000,000 orders.
//!
//! ```sh
//! cargo run --release -p bridge-core --example reports_bench            # SQLite
//! BRIDGE_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test \
//!   cargo run --release -p bridge-core --example reports_bench          # + PostgreSQL
//! ```
//!
//! A year of orders (one shop with 90 % of them, nine others sharing the rest) is written in
//! one statement per backend, with every outcome: asked or not, confirmed after 0–10 hours,
//! declined, no answer, shipped, delivered after 1–96 hours, returned, cancelled, four regions.
//! Rows carry a 1.5 KB JSON like real orders. Then each report a merchant or Prometheus asks
//! for is timed (median of 5 runs).

#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use bridge_core::domain::ShopId;
use bridge_core::reports::{Granularity, ReportRequest};
use bridge_core::store::Backend;
use bridge_core::testing::{TestBackend, TestDatabase};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Executor;

const ORDERS: i64 = 1_000_000;
const RUNS: usize = 5;

/// The row generator: `i` is 0..ORDERS; `created_at` spreads the orders evenly over 2026.
fn insert_sql(backend: Backend) -> String {
    // An order's JSON is 1–3 KB in real life; the rows carry 1.5 KB so that reading them costs
    // what it would.
    let json = match backend {
        Backend::Sqlite => "'{\"pad\":\"' || hex(zeroblob(750)) || '\"}'",
        Backend::Postgres => "'{\"pad\":\"' || repeat('0', 1500) || '\"}'",
    };
    let numbers = match backend {
        Backend::Sqlite => format!(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {last}) ",
            last = ORDERS - 1
        ),
        Backend::Postgres => format!(
            "WITH n(i) AS (SELECT generate_series(0::bigint, {last}::bigint)) ",
            last = ORDERS - 1
        ),
    };
    let start = "2026-01-01T00:00:00Z"
        .parse::<DateTime<Utc>>()
        .unwrap()
        .timestamp_millis();
    let step = 365 * 86_400_000_i64 / ORDERS;
    format!(
        "{numbers}, o(i, at, asked, answer, outcome) AS (SELECT i, {start} + i * {step}, \
         i % 5 <> 0, (i / 5) % 10, (i / 50) % 10 FROM n) \
         INSERT INTO orders (order_key, shop_id, platform_order_id, order_ref, state, order_json, \
         partner_ref, currency, amount_to_collect, collect_milli, region_name, created_at, \
         updated_at, asked_at, confirmed_at, declined_at, expired_at, shipped_at, delivered_at, \
         returned_at, cancelled_at) \
         SELECT 'shop' || (CASE WHEN i % 10 = 0 THEN i % 100 ELSE 0 END) || '/' || i, \
         CASE WHEN i % 10 = 0 THEN 'shop' || (i % 100) ELSE 'shop0' END, \
         '' || i, '#' || i, 'delivered', {json}, 'ref-' || i, 'GHS', '150.00', 150000 + i % 1000, \
         CASE i % 4 WHEN 0 THEN 'Greater Accra' WHEN 1 THEN 'Ashanti' WHEN 2 THEN 'Northern' END, \
         at, at, \
         CASE WHEN asked THEN at END, \
         CASE WHEN asked AND answer < 7 THEN at + (i % 600) * 60000 END, \
         CASE WHEN asked AND answer IN (7, 8) THEN at + 1800000 END, \
         CASE WHEN asked AND answer = 9 THEN at + 86400000 END, \
         CASE WHEN NOT asked OR answer < 7 THEN at + 36000000 END, \
         CASE WHEN (NOT asked OR answer < 7) AND outcome < 7 THEN at + 36000000 + (1 + i % 96) * 3600000 END, \
         CASE WHEN (NOT asked OR answer < 7) AND outcome IN (7, 8) THEN at + 864000000 END, \
         CASE WHEN asked AND answer >= 7 THEN at + 86400000 END \
         FROM o"
    )
}

fn request(shop: &str, from: &str, to: &str, by: Granularity) -> ReportRequest {
    ReportRequest {
        shop: ShopId::new(shop),
        from: from.parse::<NaiveDate>().unwrap(),
        to: to.parse::<NaiveDate>().unwrap(),
        by,
        time_zone: chrono_tz::Africa::Accra,
    }
}

async fn bench(backend: TestBackend) {
    let db = TestDatabase::new(backend).await;
    let store = &db.store;
    let pool = sqlx::AnyPool::connect(&db.settings.url).await.unwrap();
    let started = Instant::now();
    pool.execute(sqlx::AssertSqlSafe(insert_sql(store.backend())))
        .await
        .unwrap();
    // What autovacuum does on a live PostgreSQL (statistics, and the visibility map that lets
    // the report read the index alone); SQLite only needs the statistics.
    let maintenance = match store.backend() {
        Backend::Sqlite => "ANALYZE",
        Backend::Postgres => "VACUUM ANALYZE orders",
    };
    pool.execute(maintenance).await.unwrap();
    let seeded = started.elapsed();
    let count: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM orders")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(count.0, ORDERS);
    println!(
        "{backend:?}: {} orders written in {:.1} s",
        count.0,
        seeded.as_secs_f64()
    );
    let cases = [
        (
            "one day, by day (900k-order shop)",
            request("shop0", "2026-06-15", "2026-06-15", Granularity::Day),
        ),
        (
            "7 days (the /metrics gauges)",
            request("shop0", "2026-06-09", "2026-06-15", Granularity::Month),
        ),
        (
            "30 days, by day (the console's default)",
            request("shop0", "2026-06-01", "2026-06-30", Granularity::Day),
        ),
        (
            "a year, by month (900,000 orders)",
            request("shop0", "2026-01-01", "2026-12-31", Granularity::Month),
        ),
        (
            "a year, by day (365 periods)",
            request("shop0", "2026-01-01", "2026-12-31", Granularity::Day),
        ),
        (
            "a year of a small shop, by week (10,000 orders)",
            request("shop10", "2026-01-01", "2026-12-31", Granularity::Week),
        ),
    ];
    println!("| backend | index | report | orders in range | median of {RUNS} |");
    println!("|---|---|---|---:|---:|");
    time_reports(store, backend, "covering", &cases).await;
    // The same without the covering index: the rows themselves are read.
    pool.execute("DROP INDEX orders_report").await.unwrap();
    pool.execute("CREATE INDEX orders_plain ON orders (shop_id, created_at)")
        .await
        .unwrap();
    pool.execute(maintenance).await.unwrap();
    time_reports(store, backend, "(shop_id, created_at)", &cases).await;
}

async fn time_reports(
    store: &bridge_core::store::Store,
    backend: TestBackend,
    index: &str,
    cases: &[(&str, ReportRequest)],
) {
    for (name, request) in cases {
        let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
        let mut received = 0;
        for _ in 0..RUNS {
            let started = Instant::now();
            let report = store.report(request).await.unwrap();
            times.push(started.elapsed());
            received = report.total.received;
        }
        times.sort();
        println!(
            "| {backend:?} | {index} | {name} | {received} | {:.1} ms |",
            times[RUNS / 2].as_secs_f64() * 1000.0
        );
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    bench(TestBackend::Sqlite).await;
    if std::env::var(bridge_core::testing::POSTGRES_URL_VAR).is_ok() {
        bench(TestBackend::Postgres).await;
    } else {
        println!("PostgreSQL skipped: set BRIDGE_TEST_POSTGRES_URL");
    }
}
