//! The HTTP server loop: what axum's `serve` does, plus the limits a server facing the internet
//! needs against slow, silent or piled-up clients:
//!
//! - a **header-read timeout**: a connection that does not finish its request headers in time
//!   is closed (without it, 1,100 connections that never finish their headers held every file
//!   descriptor and starved the real webhooks);
//! - an **idle timeout** ([`crate::idle`]): a connection that sends nothing — not even its first
//!   byte, which hyper-util waits for without a timer — or stays silent after its last answer is
//!   closed (1,000 silent connections stopped every real order for 40 s before);
//! - a **connection limit per address**: one address may hold at most
//!   `max_connections_per_address` connections, so it cannot take the slots everyone shares
//!   (addresses in `uncapped_networks` — the senders of signed webhooks — are not counted);
//! - a **connection limit**: past `max_connections` open connections, a new one is closed at
//!   once instead of queueing behind the others (logged at most once a second).
//!
//! Each request carries the client's address (`ConnectInfo`), for the per-address limits, and
//! hyper's own refusals of unparsable requests get JSON bodies ([`JsonRefusals`]).

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

use crate::idle::IdleTimeout;
use crate::refusals::JsonRefusals;

/// The limits of the server loop.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    /// Most connections open at once.
    pub max_connections: usize,
    /// Most connections one address may hold (`None`: no limit, behind a trusted proxy).
    pub max_connections_per_address: Option<usize>,
    /// Addresses the per-address limit does not count.
    pub uncapped_networks: Arc<[ipnet::IpNet]>,
    /// How long a client may take to send its request headers.
    pub header_read_timeout: Duration,
    /// How long a connection may send nothing (longer than a request may take).
    pub idle_timeout: Duration,
    /// At shutdown, how long requests in flight may take to finish.
    pub shutdown_grace: Duration,
}

/// The connections each address holds.
#[derive(Default)]
struct PerAddress(std::sync::Mutex<std::collections::HashMap<std::net::IpAddr, usize>>);

impl PerAddress {
    /// Takes a slot of `address`, unless it holds `limit` already.
    fn take(&self, address: std::net::IpAddr, limit: usize) -> bool {
        let mut held = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let count = held.entry(address).or_default();
        if *count >= limit {
            return false;
        }
        *count += 1;
        true
    }

    fn give_back(&self, address: std::net::IpAddr) {
        let mut held = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = held.get_mut(&address) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                held.remove(&address);
            }
        }
    }
}

/// Logs "limit reached" at most once a second, whatever the flood.
struct Throttled(std::sync::Mutex<Option<std::time::Instant>>);

impl Throttled {
    fn due(&self) -> bool {
        let mut last = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let now = std::time::Instant::now();
        if last.is_some_and(|at| now.duration_since(at) < Duration::from_secs(1)) {
            return false;
        }
        *last = Some(now);
        true
    }
}

/// Serves `router` on `listener` until `shutdown` fires, then lets requests in flight finish
/// (up to the grace) and closes idle connections.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: CancellationToken,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let per_address = Arc::new(PerAddress::default());
    let (global_logged, address_logged) = (
        Throttled(std::sync::Mutex::new(None)),
        Throttled(std::sync::Mutex::new(None)),
    );
    let graceful = GracefulShutdown::new();
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, or a connection reset before it was accepted:
                    // wait a moment rather than spin.
                    tracing::warn!(error = %error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = shutdown.cancelled() => break,
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            metrics::counter!("bridge_http_connections_refused_total", "limit" => "server")
                .increment(1);
            if global_logged.due() {
                tracing::warn!(
                    max_connections = limits.max_connections,
                    "connection limit reached: new connections are closed at once"
                );
            }
            drop(stream);
            continue;
        };
        let address = remote.ip();
        let per_address_limit = limits.max_connections_per_address.filter(|_| {
            !limits
                .uncapped_networks
                .iter()
                .any(|n| n.contains(&address))
        });
        if let Some(limit) = per_address_limit
            && !per_address.take(address, limit)
        {
            metrics::counter!("bridge_http_connections_refused_total", "limit" => "address")
                .increment(1);
            if address_logged.due() {
                tracing::warn!(client = %address, limit, "one address holds its most connections: closing its new ones");
            }
            drop(stream);
            continue;
        }
        let router = router.clone();
        let service = tower::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(remote));
            let router = router.clone();
            async move {
                router
                    .oneshot(request.map(Body::new))
                    .await
                    .map_err(|never: Infallible| match never {})
            }
        });
        let connection = builder
            .serve_connection_with_upgrades(
                TokioIo::new(JsonRefusals::new(IdleTimeout::new(
                    stream,
                    limits.idle_timeout,
                ))),
                TowerToHyperService::new(service),
            )
            .into_owned();
        let connection = graceful.watch(connection);
        let per_address = per_address.clone();
        let counted = per_address_limit.is_some();
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(error = %error, client = %remote, "connection ended with an error");
            }
            if counted {
                per_address.give_back(address);
            }
            drop(permit);
        });
    }
    if tokio::time::timeout(limits.shutdown_grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still in flight after the grace period were cut");
    }
}
