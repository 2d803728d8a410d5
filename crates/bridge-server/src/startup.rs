//! Turns settings into running components: the store, the workers, the HTTP server.

use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, StatusCode, header};
use std::time::Duration;

use bridge_core::backfill::ShopToCatchUp;
use bridge_core::intake::WebhookIntake;
use std::collections::HashMap;

use bridge_core::jobs::{JobRunner, Services, ShopRuntime};
use bridge_core::settings::ShaqSettings;
use bridge_core::store::Store;
use bridge_core::worker::{JobExecutor, JobWaker, WorkerPool};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::configuration::Settings;
use crate::console;
use crate::rate_limit::WebhookRateLimiter;
use crate::serve::ConnectionLimits;
use crate::sign_in::ConsoleState;
use crate::state::{AppServices, AppState};
use crate::{error, http_metrics, routes, telemetry};

/// The bridge, built and bound, not yet running.
pub struct Application {
    listener: TcpListener,
    router: Router,
    workers: WorkerPool,
    store: Store,
    waker: JobWaker,
    settings: Arc<Settings>,
    intake: Arc<WebhookIntake>,
    shutdown: CancellationToken,
}

/// Headers that must never reach a log line.
const SENSITIVE_HEADERS: [HeaderName; 2] = [header::AUTHORIZATION, header::COOKIE];

impl Application {
    /// Connects the store (migrating it if configured), builds the pipeline from the settings,
    /// the router, and binds the listener (port 0 picks a free port; see
    /// [`Application::port`]).
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        let store = connect(&settings).await?;
        let runner = build_runner(&settings, store.clone())?;
        Self::assemble(settings, store, runner).await
    }

    /// As [`Application::build`], with another job executor (tests).
    pub async fn build_with_executor(
        settings: Settings,
        executor: Arc<dyn JobExecutor>,
    ) -> anyhow::Result<Application> {
        let store = connect(&settings).await?;
        Self::assemble(settings, store, executor).await
    }

    async fn assemble(
        settings: Settings,
        store: Store,
        executor: Arc<dyn JobExecutor>,
    ) -> anyhow::Result<Application> {
        let waker = JobWaker::new();
        let workers = WorkerPool::new(
            store.clone(),
            executor,
            settings.workers.clone(),
            waker.clone(),
        );
        let listener = TcpListener::bind(settings.server.listen)
            .await
            .with_context(|| format!("listening on {}", settings.server.listen))?;
        let intake = Arc::new(WebhookIntake::new(
            store.clone(),
            &settings.shops,
            settings.shaq.clone(),
            settings.digishare.clone(),
        ));
        let limiter = WebhookRateLimiter::new(
            &settings.server.webhook_rate_limit,
            settings.shops.iter().map(|s| s.id.to_string()),
        );
        let state = AppState(Arc::new(AppServices {
            rules: Arc::new(settings.rules()),
            console: ConsoleState::from_settings(&settings).map(Arc::new),
            api_credentials: crate::api_credentials::ApiCredentials::from_settings(&settings),
            store: store.clone(),
            waker,
            metrics: telemetry::metrics_handle(),
            intake,
            settings: Arc::new(settings),
            limiter,
            report_gauges: Arc::new(tokio::sync::Mutex::new(None)),
        }));
        Ok(Application {
            listener,
            waker: state.waker.clone(),
            settings: state.settings.clone(),
            intake: state.intake.clone(),
            router: router(state),
            workers,
            store,
            shutdown: CancellationToken::new(),
        })
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> Option<std::net::SocketAddr> {
        self.listener.local_addr().ok()
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// Cancelling this token stops the application gracefully.
    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// The store, for tests and CLI commands that run beside the server.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Runs the HTTP server and the workers until the shutdown token is cancelled (SIGINT or
    /// SIGTERM in `serve`): the server stops taking requests and answers those in flight, the
    /// workers finish or give back running jobs, then the store closes.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let Application {
            listener,
            router,
            workers,
            store,
            waker,
            settings,
            intake,
            shutdown,
        } = self;
        tracing::info!(address = %listener.local_addr()?, "shaq-bridge listening");
        let workers = if settings.workers.enabled {
            tokio::spawn(workers.run_until_stopped(shutdown.clone()))
        } else {
            tracing::info!("workers disabled (workers.enabled = false): intake only");
            tokio::spawn(async {})
        };
        let backfill = tokio::spawn(bridge_core::backfill::run_until_stopped(
            intake,
            shops_to_catch_up(&settings)?,
            waker.clone(),
            shutdown.clone(),
        ));
        let handovers = tokio::spawn(bridge_core::maintenance::run_handover_schedule(
            store.clone(),
            settings
                .shops
                .iter()
                .filter_map(|shop| {
                    Some(bridge_core::maintenance::HandoverSchedule {
                        shop: shop.id.clone(),
                        at: shop.handover.time()?,
                        zone: shop.zone(),
                    })
                })
                .collect(),
            waker.clone(),
            shutdown.clone(),
        ));
        let maintenance = tokio::spawn(bridge_core::maintenance::run_until_stopped(
            store.clone(),
            settings.shaq.reconcile.clone(),
            settings.retention.clone(),
            waker.clone(),
            shutdown.clone(),
        ));
        let notifier = settings.alerts.notify_url.as_ref().map(|_| {
            let notifier = bridge_core::notify::Notifier::new(
                store.clone(),
                settings.server.public_url.clone(),
                waker.clone(),
            );
            tokio::spawn(notifier.run_until_stopped(shutdown.clone()))
        });
        let limits = ConnectionLimits {
            max_connections: settings.server.max_connections,
            max_connections_per_address: settings.server.connections_per_address(),
            uncapped_networks: settings.server.uncapped_networks.clone().into(),
            header_read_timeout: settings.server.header_read_timeout,
            idle_timeout: settings.server.idle(),
            shutdown_grace: settings.server.request_timeout,
        };
        crate::serve::serve(listener, router, limits, shutdown.clone()).await;
        // The server stopped (asked to, or failed): stop the workers too.
        shutdown.cancel();
        workers.await.context("the worker pool panicked")?;
        maintenance.await.context("the maintenance task panicked")?;
        handovers.await.context("the handover schedule panicked")?;
        backfill.await.context("the catch-up task panicked")?;
        if let Some(notifier) = notifier {
            notifier.await.context("the notifier panicked")?;
        }
        store.close().await;
        tracing::info!("shaq-bridge stopped");
        Ok(())
    }
}

async fn connect(settings: &Settings) -> anyhow::Result<Store> {
    Store::connect(&settings.database)
        .await
        .with_context(|| format!("opening {}", settings.database.redacted_url()))
}

/// The job runner: the workflow's rules, and the API clients the settings describe (a shop
/// with its own ShaQ account gets its own client; the others share `[shaq]`'s, and its token).
pub fn build_runner(settings: &Settings, store: Store) -> anyhow::Result<Arc<dyn JobExecutor>> {
    let shaq = settings.shaq.client().map_err(anyhow::Error::msg)?;
    let digishare = settings.digishare.client().map_err(anyhow::Error::msg)?;
    let timeouts = shop_client::Timeouts {
        request: Duration::from_secs(30),
        connect: Duration::from_secs(5),
    };
    let mut shops = HashMap::new();
    // One coalescer per ShaQ account: the shared one, and each shop's own.
    let shared_bulk =
        settings.shaq.bulk.enabled.then(|| {
            bridge_core::jobs::BulkCreator::spawn(shaq.clone(), settings.shaq.bulk.clone())
        });
    for shop in &settings.shops {
        let in_shop = |e: String| anyhow::anyhow!("shop `{}`: {e}", shop.id);
        let shaq_settings = settings.shaq.for_shop(&shop.shaq);
        let (shop_shaq, bulk) = if ShaqSettings::has_own_account(&shop.shaq) {
            let own = shaq_settings.client().map_err(in_shop)?;
            let bulk = settings.shaq.bulk.enabled.then(|| {
                bridge_core::jobs::BulkCreator::spawn(own.clone(), settings.shaq.bulk.clone())
            });
            (own, bulk)
        } else {
            (shaq.clone(), shared_bulk.clone())
        };
        let runtime = ShopRuntime {
            settings: shop.clone(),
            shaq: shop_shaq,
            shaq_settings,
            digishare_settings: settings.digishare.for_shop(&shop.digishare),
            writer: shop.client(&timeouts).map_err(in_shop)?,
            bulk,
        };
        shops.insert(shop.id.clone(), runtime);
    }
    let mut services = Services::new(store, shaq, digishare, shops).map_err(anyhow::Error::msg)?;
    if let Some(url) = &settings.alerts.notify_url {
        services = services.with_notices(
            bridge_core::notify::NoticePoster::new(url.clone()).map_err(anyhow::Error::msg)?,
        );
    }
    Ok(Arc::new(JobRunner::new(services, settings.rules())))
}

/// The shops whose order lists are read to catch up on missed webhooks.
fn shops_to_catch_up(settings: &Settings) -> anyhow::Result<Vec<ShopToCatchUp>> {
    let timeouts = shop_client::Timeouts::default();
    let mut shops = Vec::new();
    for shop in settings.shops.iter().filter(|s| s.backfill.enabled) {
        let client = shop
            .admin_client(&timeouts)
            .map_err(|e| anyhow::anyhow!("shop `{}`: {e}", shop.id))?
            .with_context(|| format!("shop `{}`: backfill needs API credentials", shop.id))?;
        shops.push(ShopToCatchUp {
            shop: shop.id.clone(),
            client,
            settings: shop.backfill.clone(),
        });
    }
    Ok(shops)
}

/// The whole router with its middleware.
pub fn router(state: AppState) -> Router {
    let server = &state.settings.server;
    let body_limit = server.body_limit_bytes;
    let request_timeout = server.request_timeout;
    let limiter = state.limiter.clone();
    Router::new()
        .merge(routes::health::router())
        .merge(routes::webhooks::router(limiter))
        .merge(routes::admin::router())
        .merge(console::router(state.clone()))
        // A person who types the bridge's address lands in the console.
        .route(
            "/",
            axum::routing::get(|| async { axum::response::Redirect::to("/console") }),
        )
        .with_state(state)
        .layer(axum::middleware::from_fn(http_metrics::track))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            request_timeout,
        ))
        .layer(axum::middleware::from_fn(error::json_errors))
        .layer(CatchPanicLayer::new())
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(SetSensitiveRequestHeadersLayer::new(SENSITIVE_HEADERS))
        .layer(axum::middleware::from_fn(drop_unusable_request_id))
}

/// A client's `X-Request-Id` is echoed and logged: only a short id of letters, digits, `-`,
/// `_` and `.` is; anything else is dropped, and the bridge makes its own.
async fn drop_unusable_request_id(
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let usable = |value: &axum::http::HeaderValue| {
        let bytes = value.as_bytes();
        !bytes.is_empty()
            && bytes.len() <= 64
            && bytes
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    if request
        .headers()
        .get("x-request-id")
        .is_some_and(|value| !usable(value))
    {
        request.headers_mut().remove("x-request-id");
    }
    next.run(request).await
}

/// The span of one request: method, path (with any secret path segment hidden) and request id.
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!(
        "http",
        method = %request.method(),
        path = %redact_path(request.uri().path()),
        request_id = %request_id,
    )
}

/// `/webhooks/shaq/{secret}` carries a secret in the path: never log it.
fn redact_path(path: &str) -> String {
    match path.strip_prefix("/webhooks/shaq/") {
        Some(rest) if !rest.is_empty() => "/webhooks/shaq/[redacted]".to_owned(),
        _ => path.to_owned(),
    }
}

/// Resolves when SIGINT or SIGTERM arrives.
pub async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %error, "cannot listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(error = %error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => tracing::info!("SIGINT received, shutting down"),
        () = terminate => tracing::info!("SIGTERM received, shutting down"),
    }
}
