//! Health, readiness, metrics, refusals and shutdown.

use std::sync::Arc;

use async_trait::async_trait;
use bridge_core::jobs::{JobRecord, OrderJob};
use bridge_core::store::JobEffects;
use bridge_core::testing::TestBackend;
use bridge_core::worker::{JobError, JobExecutor};
use bridge_core::workflow::NewJob;
use serde_json::Value;

use crate::helpers::spawn_app_with;

struct Succeeds;

#[async_trait]
impl JobExecutor for Succeeds {
    async fn execute(&self, _job: &JobRecord) -> Result<JobEffects, JobError> {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        Ok(JobEffects::default())
    }
}

#[tokio::test]
async fn healthz_readyz_and_metrics_answer() {
    let app = spawn_app_with(TestBackend::Sqlite, Arc::new(Succeeds), |_| {}).await;
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert!(health.headers().contains_key("x-request-id"));
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.json::<Value>().await.unwrap()["status"], "ready");
    let metrics = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("bridge_jobs{state=\"queued\"}"),
        "{metrics}"
    );
    assert!(
        metrics.contains(
            "bridge_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"}"
        ),
        "{metrics}"
    );
    app.stop().await.unwrap();
}

#[tokio::test]
async fn unknown_routes_and_methods_get_json_errors() {
    let app = spawn_app_with(TestBackend::Sqlite, Arc::new(Succeeds), |_| {}).await;
    let missing = app.client.get(app.url("/nope")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    let body: Value = missing.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
    let wrong_method = app.client.post(app.url("/healthz")).send().await.unwrap();
    assert_eq!(wrong_method.status(), 405);
    let body: Value = wrong_method.json().await.unwrap();
    assert_eq!(body["error"]["code"], "method_not_allowed");
    app.stop().await.unwrap();
}

#[tokio::test]
async fn readyz_fails_when_migrations_are_missing() {
    let app = spawn_app_with(TestBackend::Sqlite, Arc::new(Succeeds), |_| {}).await;
    sqlx_drop_migrations(&app.db.settings.url).await;
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503);
    app.stop().await.unwrap();
}

async fn sqlx_drop_migrations(url: &str) {
    use sqlx::{Connection, Executor};
    let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
    conn.execute("DELETE FROM _sqlx_migrations").await.unwrap();
}

#[tokio::test]
async fn shutdown_lets_running_jobs_finish_and_exits_cleanly() {
    let app = spawn_app_with(TestBackend::Sqlite, Arc::new(Succeeds), |_| {}).await;
    let store = app.db.store.clone();
    store
        .enqueue(
            &[NewJob::for_tests(
                OrderJob::Reconcile,
                "kente/1",
                "reconcile:kente/1",
            )],
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    // Let a worker pick the job up (polling every 50 ms), then stop mid-job.
    for _ in 0..500 {
        if store.job_counts().await.unwrap().running == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    app.shutdown.cancel();
    app.running.await.unwrap().unwrap();
    let counts = store.job_counts().await.unwrap();
    assert_eq!(
        (counts.done, counts.running),
        (1, 0),
        "the running job finished"
    );
}

/// Database files that cannot be written (here: SQLite's `query_only` on every connection, as a
/// full disk or a read-only mount would) fail the writes of that moment
/// with 503 and makes `/readyz` say so; once there is room again the bridge takes webhooks
/// without a restart: no connection was left poisoned by the failed transactions.
#[tokio::test]
async fn an_unwritable_database_is_survived_without_a_restart() {
    let app = spawn_app_with(TestBackend::Sqlite, Arc::new(Succeeds), |_| {}).await;
    // A body larger than a page: storing it must grow the database.
    let event = |id: &str| {
        serde_json::json!({
            "event": "package.status_updated", "event_id": id, "occurred_at": "2025-05-29T10:30:00Z",
            "data": {"partner_ref": "FULL-1", "tracking_number": "SB-FULL-1", "status": "delivered", "comment": "x".repeat(20_000)}
        })
        .to_string()
    };
    let post = |body: String| {
        app.client
            .post(app.url("/webhooks/shaq"))
            .header("content-type", "application/json")
            .header("X-Shaq-Webhook-Secret", crate::helpers::SHAQ_WEBHOOK_SECRET)
            .body(body)
            .send()
    };
    app.store.simulate_unwritable_disk(true).await.unwrap();
    for attempt in 0..3 {
        let refused = post(event(&format!("full-{attempt}"))).await.unwrap();
        assert_eq!(refused.status(), 503, "the sender must retry later");
    }
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503);
    let body: Value = ready.json().await.unwrap();
    assert_eq!(body["error"]["message"], "database unavailable for writes");
    assert!(
        !body.to_string().contains("readonly"),
        "no database internals: {body}"
    );

    app.store.simulate_unwritable_disk(false).await.unwrap();
    let accepted = post(event("after")).await.unwrap();
    assert_eq!(accepted.status(), 200);
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200, "ready again, without a restart");
    // The workers claim and finish jobs again.
    for _ in 0..200 {
        if app.store.job_counts().await.unwrap().done >= 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(app.store.job_counts().await.unwrap().done, 1);
    app.stop().await.unwrap();
}

/// Clients that never finish their headers are cut off, and past the connection limit new
/// connections are closed at once: the slow ones cannot starve the real webhooks.
#[tokio::test]
async fn slow_clients_are_cut_off_and_cannot_starve_the_server() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let app = spawn_app_with(TestBackend::Sqlite, Arc::new(Succeeds), |settings| {
        settings.server.max_connections = 40;
        settings.server.header_read_timeout = std::time::Duration::from_millis(500);
    })
    .await;
    let address = app.address.trim_start_matches("http://").to_owned();
    let mut slow = Vec::new();
    for _ in 0..120 {
        let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
        // Headers that never end.
        let _ = stream
            .write_all(b"POST /webhooks/shaq HTTP/1.1\r\nHost: bridge\r\n")
            .await;
        slow.push(stream);
    }
    // The server answers again (the slow connections time out and free their places).
    let mut answered = false;
    for _ in 0..100 {
        if let Ok(response) = app.client.get(app.url("/healthz")).send().await
            && response.status() == 200
        {
            answered = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(answered, "the server answers while slow clients hang on");
    // Every slow connection was closed by the server: reading ends (no request was served).
    for stream in &mut slow {
        let mut buffer = [0u8; 256];
        let read =
            tokio::time::timeout(std::time::Duration::from_secs(10), stream.read(&mut buffer))
                .await
                .expect("the server closes a slow connection");
        assert!(
            read.map_or(true, |n| n == 0 || buffer[..n].starts_with(b"HTTP/1.1 408")),
            "closed, or told 408"
        );
    }
    app.stop().await.unwrap();
}

/// 1,000 connections that never send a byte, from one address: the address keeps only its
/// share of the connections (the rest are closed at once), the silent ones are closed once
/// idle, and real webhooks from elsewhere all get through meanwhile.
async fn a_thousand_silent_connections_do_not_stop_real_webhooks(backend: TestBackend) {
    use tokio::io::AsyncReadExt;

    let app = spawn_app_with(backend, Arc::new(Succeeds), |settings| {
        settings.server.request_timeout = std::time::Duration::from_secs(1);
        settings.server.header_read_timeout = std::time::Duration::from_millis(500);
        settings.server.idle_timeout = Some(std::time::Duration::from_secs(2));
        settings.server.max_connections_per_address = Some(32);
    })
    .await;
    let address: std::net::SocketAddr = app.address.trim_start_matches("http://").parse().unwrap();
    // The silent crowd comes from 127.0.0.2 (loopback answers on all of 127/8).
    let mut silent = Vec::new();
    for _ in 0..1000 {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind("127.0.0.2:0".parse().unwrap()).unwrap();
        if let Ok(stream) = socket.connect(address).await {
            silent.push(stream);
        }
    }
    // Real, signed webhooks from 127.0.0.1, while the crowd holds on.
    for i in 0..50 {
        let event = serde_json::json!({
            "event": "package.status_updated", "event_id": format!("real-{i}"),
            "occurred_at": "2026-11-29T10:30:00Z",
            "data": {"partner_ref": "atlas-1", "tracking_number": "SB1", "status": "in_transit"}
        });
        let response = app
            .client
            .post(app.url("/webhooks/shaq"))
            .header("content-type", "application/json")
            .header("X-Shaq-Webhook-Secret", crate::helpers::SHAQ_WEBHOOK_SECRET)
            .body(event.to_string())
            .timeout(std::time::Duration::from_secs(5))
            .send()
            .await
            .unwrap_or_else(|e| panic!("real webhook {i} was not answered: {e}"));
        assert_eq!(response.status(), 200, "real webhook {i}");
    }
    // Every silent connection is closed by the server: at once past the address's share, the
    // others once idle.
    let started = std::time::Instant::now();
    for stream in &mut silent {
        let mut buffer = [0u8; 64];
        let read =
            tokio::time::timeout(std::time::Duration::from_secs(10), stream.read(&mut buffer))
                .await
                .expect("the server closes a silent connection");
        assert!(read.map_or(true, |n| n == 0), "closed without an answer");
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "closed once idle"
    );
    app.stop().await.unwrap();
}

/// A write that does not finish (a frozen filesystem, another process holding the database's
/// write lock) makes `/readyz` answer 503 within its timeout — not 200 because nothing failed
/// — and ready again once writes go through.
async fn readyz_proves_a_write_within_its_timeout(backend: TestBackend) {
    let app = spawn_app_with(backend, Arc::new(Succeeds), |settings| {
        settings.server.readyz_write_timeout = std::time::Duration::from_millis(500);
    })
    .await;
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    // Another connection takes the write lock and holds it, like a frozen disk: SQLite's
    // database lock, or PostgreSQL's lock on the table the probe writes.
    let holder = LockHolder::take(backend, &app.db.settings.url).await;
    let started = std::time::Instant::now();
    let frozen = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(
        frozen.status(),
        503,
        "a write that never finishes is not ready"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(3),
        "answered within the timeout, not after the database's own"
    );
    let body: Value = frozen.json().await.unwrap();
    assert_eq!(body["error"]["message"], "database unavailable for writes");
    holder.release().await;
    let mut ready = false;
    for _ in 0..50 {
        if app
            .client
            .get(app.url("/readyz"))
            .send()
            .await
            .unwrap()
            .status()
            == 200
        {
            ready = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(ready, "ready again once writes go through");
    app.stop().await.unwrap();
}

/// With `server.metrics_token`, `/metrics` answers only the scraper that presents it.
async fn metrics_can_require_a_token(backend: TestBackend) {
    let app = spawn_app_with(backend, Arc::new(Succeeds), |settings| {
        settings.server.metrics_token = Some("scraper-token-0123456789".to_owned().into());
    })
    .await;
    let open = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(open.status(), 401);
    let scraped = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth("scraper-token-0123456789")
        .send()
        .await
        .unwrap();
    assert_eq!(scraped.status(), 200);
    assert!(scraped.text().await.unwrap().contains("bridge_jobs"));
    app.stop().await.unwrap();
}

/// A client's request id is echoed only when it is a short id; anything else is replaced.
#[tokio::test]
async fn only_well_formed_request_ids_are_echoed() {
    let app = spawn_app_with(TestBackend::Sqlite, Arc::new(Succeeds), |_| {}).await;
    let echo = |id: &'static str| {
        app.client
            .get(app.url("/healthz"))
            .header("x-request-id", id)
            .send()
    };
    let kept = echo("abc-123_x.y").await.unwrap();
    assert_eq!(kept.headers()["x-request-id"], "abc-123_x.y");
    for hostile in ["<script>alert(1)</script>", "a b", "\u{7f}"] {
        let replaced = echo(hostile).await;
        if let Ok(replaced) = replaced {
            let id = replaced.headers()["x-request-id"]
                .to_str()
                .unwrap()
                .to_owned();
            assert_ne!(id, hostile);
            assert_eq!(id.len(), 36, "a fresh uuid: {id}");
        }
    }
    let long = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "x".repeat(200))
        .send()
        .await
        .unwrap();
    assert_eq!(long.headers()["x-request-id"].len(), 36);
    app.stop().await.unwrap();
}

/// Sends raw bytes and reads the whole answer (hyper closes the connection after a refusal).
async fn raw_exchange(address: &str, request: &[u8]) -> String {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut stream = tokio::net::TcpStream::connect(address.trim_start_matches("http://"))
        .await
        .unwrap();
    // The peer may stop reading once it has refused: a failed write is expected then.
    let _ = stream.write_all(request).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_end(&mut answer),
    )
    .await;
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn requests_hyper_cannot_parse_are_refused_in_json_too() {
    let app = spawn_app_with(TestBackend::Sqlite, Arc::new(Succeeds), |_| {}).await;
    let many_headers: String = (0..150).map(|i| format!("x-filler-{i}: {i}\r\n")).collect();
    let long_uri = format!("/healthz?{}", "a".repeat(70_000));
    for (request, status, code) in [
        (b"THIS IS NOT HTTP\r\n\r\n".to_vec(), "400", "bad_request"),
        (
            format!("GET /healthz HTTP/1.1\r\nhost: x\r\n{many_headers}\r\n").into_bytes(),
            "431",
            "headers_too_large",
        ),
        (
            format!("GET {long_uri} HTTP/1.1\r\nhost: x\r\n\r\n").into_bytes(),
            "414",
            "uri_too_long",
        ),
    ] {
        let answer = raw_exchange(&app.address, &request).await;
        assert!(
            answer.starts_with(&format!("HTTP/1.1 {status} ")),
            "{answer}"
        );
        assert!(
            answer
                .to_ascii_lowercase()
                .contains("content-type: application/json"),
            "{answer}"
        );
        let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
        let json: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {answer}"));
        assert_eq!(json["error"]["code"], code, "{answer}");
    }
    // A well-formed request on a fresh connection is answered as usual.
    let ok = raw_exchange(
        &app.address,
        b"GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
    )
    .await;
    assert!(
        ok.starts_with("HTTP/1.1 200 ") && ok.ends_with(r#"{"status":"ok"}"#),
        "{ok}"
    );
    app.stop().await.unwrap();
}

/// The per-address limit counts every address but those of `uncapped_networks` (a courier's
/// senders, whose burst after an outage comes from a few addresses with many connections).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uncapped_networks_may_hold_more_connections_than_one_address_may() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let app = spawn_app_with(TestBackend::Sqlite, Arc::new(Succeeds), |settings| {
        settings.server.max_connections_per_address = Some(4);
        settings.server.uncapped_networks = vec!["127.0.0.3/32".parse().unwrap()];
    })
    .await;
    let address: std::net::SocketAddr = app.address.trim_start_matches("http://").parse().unwrap();
    // Ten connections held open at once from each address, each then asking for /livez.
    async fn answered_of_ten(from: &str, to: std::net::SocketAddr) -> usize {
        let mut streams = Vec::new();
        for _ in 0..10 {
            let socket = tokio::net::TcpSocket::new_v4().unwrap();
            socket.bind(format!("{from}:0").parse().unwrap()).unwrap();
            streams.push(socket.connect(to).await.unwrap());
        }
        let mut answered = 0;
        for stream in &mut streams {
            let _ = stream
                .write_all(b"GET /healthz HTTP/1.1\r\nhost: bridge\r\n\r\n")
                .await;
            let mut buffer = [0u8; 64];
            let read =
                tokio::time::timeout(std::time::Duration::from_secs(5), stream.read(&mut buffer))
                    .await
                    .expect("answered or closed");
            if matches!(read, Ok(n) if n > 0 && buffer.starts_with(b"HTTP/1.1 200")) {
                answered += 1;
            }
        }
        answered
    }
    assert_eq!(answered_of_ten("127.0.0.3", address).await, 10, "uncapped");
    assert_eq!(
        answered_of_ten("127.0.0.4", address).await,
        4,
        "capped at 4"
    );
    app.stop().await.unwrap();
}

on_both_backends!(
    readyz_proves_a_write_within_its_timeout,
    metrics_can_require_a_token,
    a_thousand_silent_connections_do_not_stop_real_webhooks,
);

/// A second connection holding the lock the bridge's writes need.
enum LockHolder {
    Sqlite(sqlx::SqliteConnection),
    Postgres(sqlx::PgConnection),
}

impl LockHolder {
    async fn take(backend: TestBackend, url: &str) -> LockHolder {
        use sqlx::{Connection, Executor};
        match backend {
            TestBackend::Sqlite => {
                let mut holder = sqlx::SqliteConnection::connect(url).await.unwrap();
                holder.execute("BEGIN IMMEDIATE").await.unwrap();
                LockHolder::Sqlite(holder)
            }
            TestBackend::Postgres => {
                let mut holder = sqlx::PgConnection::connect(url).await.unwrap();
                holder.execute("BEGIN").await.unwrap();
                holder
                    .execute("LOCK TABLE write_probe IN ACCESS EXCLUSIVE MODE")
                    .await
                    .unwrap();
                LockHolder::Postgres(holder)
            }
        }
    }

    async fn release(self) {
        use sqlx::{Connection, Executor};
        match self {
            LockHolder::Sqlite(mut holder) => {
                holder.execute("ROLLBACK").await.unwrap();
                holder.close().await.unwrap();
            }
            LockHolder::Postgres(mut holder) => {
                holder.execute("ROLLBACK").await.unwrap();
                holder.close().await.unwrap();
            }
        }
    }
}
