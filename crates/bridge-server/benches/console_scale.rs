//! The console on a merchant's years of orders: a million orders seeded into each backend, then
//! the pages people open most — the inbox, a search by phone, by `#ref`, by name, and an
//! order's page — fetched over HTTP from the real bridge, signed in, one at a time.
//!
//! ```sh
//! cargo bench -p bridge-server --bench console_scale                      # SQLite
//! BRIDGE_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test \
//!   cargo bench -p bridge-server --bench console_scale                    # + PostgreSQL
//! ```
//!
//! `BENCH_HISTORY` (default 1 000 000 orders) and `BENCH_SAMPLES` (default 200 per page) change
//! the sizes. The history: three years of one shop's orders, 900 customer names (first × last),
//! a phone each, most delivered, some returned or cancelled, 0.3 % waiting for a person and
//! 0.5 % with a delivery problem. Each page's answer is checked (the order searched for is on
//! it) before its time counts. Figures go in docs/benchmarks.md.

#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use bridge_core::domain::{
    Address, Item, Language, Order, Payment, PhoneE164, PlatformOrderId, Recipient, ShopId,
};
use bridge_core::lifecycle::OrderState;
use bridge_core::testing::{TestBackend, TestDatabase};
use bridge_core::workflow::TrackedOrder;
use bridge_sandbox::bridge_config::{BridgeConfig, Shop};
use bridge_sandbox::{Sandbox, SandboxConfig};
use bridge_server::configuration::Settings;
use bridge_server::startup::Application;
use chrono::{Duration as Span, Utc};
use rust_decimal::Decimal;

const ADMIN_TOKEN: &str = "bench-admin-token-0123456789";
const FIRST: [&str; 30] = [
    "Ama", "Kofi", "Akosua", "Kwame", "Efua", "Yaw", "Abena", "Kojo", "Adwoa", "Kwabena", "Esi",
    "Kwaku", "Afua", "Yaa", "Fiifi", "Youssef", "Salma", "Fatima", "Mohamed", "Hamza", "Imane",
    "Éloïse", "Nadia", "Omar", "Khadija", "Rachid", "Leila", "Samir", "Amina", "Karim",
];
const LAST: [&str; 30] = [
    "Mensah",
    "Boateng",
    "Owusu",
    "Asante",
    "Quartey",
    "Darko",
    "Appiah",
    "Osei",
    "Agyeman",
    "Ofori",
    "Amoah",
    "Addo",
    "Tetteh",
    "Annan",
    "Badu",
    "El Amrani",
    "Bennani",
    "Alaoui",
    "Tazi",
    "Chraibi",
    "Benali",
    "Idrissi",
    "Berrada",
    "Fassi",
    "Kettani",
    "Lahlou",
    "Sefrioui",
    "Naciri",
    "Ouazzani",
    "Zniber",
];

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn name_of(id: u64) -> String {
    format!(
        "{} {}",
        FIRST[(id % 30) as usize],
        LAST[((id / 30) % 30) as usize]
    )
}

/// A local Ghanaian number, as a customer types it: `024 412 3456`.
fn local_phone(id: u64) -> String {
    let digits = 4_000_000 + id;
    format!("024 {:03} {:04}", digits / 10_000, digits % 10_000)
}

fn state_of(id: u64) -> OrderState {
    match id % 1000 {
        0..3 => OrderState::NeedsAttention,
        3..8 => OrderState::DeliveryProblem,
        8..100 => OrderState::Returned,
        100..200 => OrderState::Cancelled,
        200..230 => OrderState::InTransit,
        230..250 => OrderState::AwaitingConfirmation,
        _ => OrderState::Delivered,
    }
}

fn order(id: u64, total: u64) -> TrackedOrder {
    // Three years, the oldest first, about 900 a day at a million.
    let age_minutes = (total - id) as i64 * (3 * 365 * 24 * 60) / total as i64;
    let received = Utc::now() - Span::minutes(age_minutes);
    let amount = Decimal::new(10_000 + (id % 400) as i64 * 125, 2);
    let shop_order = Order {
        shop_id: ShopId::new("kente"),
        platform_order_id: PlatformOrderId::new((5_000_000_000 + id).to_string()),
        order_ref: format!("#{}", 1000 + id),
        version: None,
        cancelled: false,
        payment: Payment::CashOnDelivery {
            amount_to_collect: amount,
        },
        total: amount,
        currency: "GHS".to_owned(),
        recipient: Recipient {
            name: name_of(id),
            phone: PhoneE164::parse(&local_phone(id), Some("GH")).ok(),
            phone_problem: None,
            email: None,
            phone_2: None,
        },
        address: Address {
            line1: "12 Oxford Street".to_owned(),
            city: "Accra".to_owned(),
            region: Some("Greater Accra".to_owned()),
            ..Address::default()
        },
        items: vec![Item {
            name: "Kente scarf".to_owned(),
            sku: Some("KS-1".to_owned()),
            quantity: 1,
            unit_price: amount,
        }],
        note: None,
        language: Language::En,
    };
    TrackedOrder::for_tests(shop_order, state_of(id), received)
}

struct Timing {
    page: &'static str,
    p50: Duration,
    p95: Duration,
    p99: Duration,
    max: Duration,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[index]
}

/// `samples` GETs of `path_of(i)`, each answered 200 and passing `check`, one at a time.
async fn measure(
    client: &reqwest::Client,
    base: &str,
    cookie: &str,
    page: &'static str,
    samples: usize,
    path_of: impl Fn(u64) -> (String, String),
) -> Timing {
    let mut times = Vec::with_capacity(samples);
    for i in 0..(samples + 10) as u64 {
        let (path, expected) = path_of(i);
        let started = Instant::now();
        let answer = client
            .get(format!("{base}{path}"))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        let status = answer.status();
        let body = answer.text().await.unwrap();
        let took = started.elapsed();
        assert_eq!(status, 200, "{path}");
        assert!(
            body.contains(&expected),
            "{path}: `{expected}` not on the page"
        );
        // The first ten warm the caches.
        if i >= 10 {
            times.push(took);
        }
    }
    times.sort();
    Timing {
        page,
        p50: percentile(&times, 0.50),
        p95: percentile(&times, 0.95),
        p99: percentile(&times, 0.99),
        max: *times.last().unwrap(),
    }
}

async fn run(backend: TestBackend, total: u64, samples: usize) -> (Duration, Vec<Timing>) {
    let db = TestDatabase::new(backend).await;
    let seeding = Instant::now();
    let batch = 10_000;
    let now = Utc::now();
    for start in (1..=total).step_by(batch) {
        let orders: Vec<TrackedOrder> = (start..(start + batch as u64).min(total + 1))
            .map(|id| order(id, total))
            .collect();
        db.store
            .seed_history_for_benchmarks(&orders, now)
            .await
            .unwrap();
    }
    let seeded = seeding.elapsed();
    eprintln!("{backend:?}: {total} orders seeded in {seeded:.1?}");

    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let toml = BridgeConfig::for_sandbox(&sandbox, &db.settings.url)
        .admin_token(ADMIN_TOKEN)
        .shop(Shop::shopify("kente", "bench-shopify-secret-0123456789"))
        .to_toml();
    let settings = Settings::from_toml(&toml).unwrap();
    let application = Application::build(settings).await.unwrap();
    let base = format!("http://127.0.0.1:{}", application.port());
    let shutdown = application.shutdown_token();
    let running = tokio::spawn(application.run_until_stopped());

    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let signed = client
        .post(format!("{base}/console/login"))
        .header("origin", &base)
        .form(&[
            ("name", ""),
            ("password", ADMIN_TOKEN),
            ("next", "/console"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), 303);
    let cookie = signed.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();

    // Spread the picks over the whole history.
    let pick = |i: u64| 1 + (i * 7_919 * 104_729) % total;
    let mut timings = Vec::new();
    timings.push(
        measure(&client, &base, &cookie, "inbox", samples, |_| {
            ("/console".to_owned(), "id=\"attention\"".to_owned())
        })
        .await,
    );
    timings.push(
        measure(&client, &base, &cookie, "search by phone", samples, |i| {
            let id = pick(i);
            (
                format!("/console/orders?q={}", local_phone(id).replace(' ', "+")),
                format!("#{}", 1000 + id),
            )
        })
        .await,
    );
    timings.push(
        measure(&client, &base, &cookie, "search by #ref", samples, |i| {
            let id = pick(i);
            (
                format!("/console/orders?q=%23{}", 1000 + id),
                format!("#{}", 1000 + id),
            )
        })
        .await,
    );
    timings.push(
        measure(&client, &base, &cookie, "search by name", samples, |i| {
            let id = pick(i);
            let name = name_of(id);
            (
                format!("/console/orders?q={}", name.replace(' ', "+")),
                name,
            )
        })
        .await,
    );
    timings.push(
        measure(&client, &base, &cookie, "order page", samples, |i| {
            let id = pick(i);
            (
                format!("/console/orders/kente/{}", 5_000_000_000 + id),
                format!("#{}", 1000 + id),
            )
        })
        .await,
    );
    shutdown.cancel();
    running.await.unwrap().unwrap();
    sandbox.shutdown();
    (seeded, timings)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let total = env_usize("BENCH_HISTORY", 1_000_000) as u64;
    let samples = env_usize("BENCH_SAMPLES", 200);
    let mut backends = vec![TestBackend::Sqlite];
    if std::env::var("BRIDGE_TEST_POSTGRES_URL").is_ok() {
        backends.push(TestBackend::Postgres);
    }
    let mut report = String::new();
    for backend in backends {
        let (seeded, timings) = run(backend, total, samples).await;
        let before = report.len();
        report.push_str(&format!(
            "\n{backend:?}, {total} orders (seeded in {seeded:.0?}), {samples} requests per page:\n\
             | page | p50 | p95 | p99 | max |\n|---|---|---|---|---|\n"
        ));
        for t in timings {
            report.push_str(&format!(
                "| {} | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} ms |\n",
                t.page,
                t.p50.as_secs_f64() * 1e3,
                t.p95.as_secs_f64() * 1e3,
                t.p99.as_secs_f64() * 1e3,
                t.max.as_secs_f64() * 1e3,
            ));
        }
        // Each backend's figures as soon as they are known.
        eprint!("{}", &report[before..]);
    }
    println!("{report}");
}
