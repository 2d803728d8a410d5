//! `spawn_app`: the real application on a free port with a fresh database.

use std::sync::Arc;

use bridge_core::testing::{TestBackend, TestDatabase};
use bridge_core::worker::JobExecutor;
use bridge_sandbox::bridge_config::{BridgeConfig, Shop};
use bridge_server::configuration::Settings;
use bridge_server::startup::Application;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// A running bridge.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub shutdown: CancellationToken,
    pub running: JoinHandle<anyhow::Result<()>>,
    pub db: TestDatabase,
    /// The application's own store (its connections, its fault switches).
    pub store: bridge_core::store::Store,
}

/// Secrets the tests present.
pub use bridge_sandbox::bridge_config::{DIGISHARE_WEBHOOK_SECRET, SHAQ_WEBHOOK_SECRET};

/// Settings for a test: port 0, quick polling, the test database, two shops. Nothing answers at
/// the upstreams' addresses: these tests run jobs with their own executors.
pub fn test_settings(db: &TestDatabase) -> Settings {
    let statuses = [
        "awaiting_confirmation",
        "received",
        "confirmed",
        "cancelled",
    ]
    .map(|key| (key.to_owned(), format!("status-{key}")))
    .to_vec();
    let toml = BridgeConfig::with_upstreams(
        "http://127.0.0.1:9/api/v1",
        "http://127.0.0.1:9/v1",
        statuses,
        &db.settings.url,
    )
    .poll_interval("50ms")
    .shop(Shop::shopify("kente", "kente-shopify-secret"))
    .shop(Shop::woocommerce("atlas", "atlas-woo-secret").ship_immediately())
    .to_toml();
    let mut settings = Settings::from_toml(&toml).expect("the test settings are valid");
    settings.database = db.settings.clone();
    settings
}

/// Starts the application with `configure` applied to its settings.
pub async fn spawn_app_with(
    backend: TestBackend,
    executor: Arc<dyn JobExecutor>,
    configure: impl FnOnce(&mut Settings),
) -> TestApp {
    let db = TestDatabase::new(backend).await;
    let mut settings = test_settings(&db);
    configure(&mut settings);
    let application = Application::build_with_executor(settings, executor)
        .await
        .unwrap();
    let address = format!("http://127.0.0.1:{}", application.port());
    let shutdown = application.shutdown_token();
    let store = application.store().clone();
    let running = tokio::spawn(application.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::new(),
        shutdown,
        running,
        db,
        store,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Stops the application and waits for it to exit.
    pub async fn stop(self) -> anyhow::Result<()> {
        self.shutdown.cancel();
        self.running.await.unwrap()
    }
}

/// The WooCommerce shop of [`SandboxBridge`]: `atlas`, ships at once, Ghana.
pub const WOO_SECRET: &str = "sandbox-woo-secret-0123456789";

/// A bridge over a file SQLite database with the simulators, its settings also written to a
/// file (for the CLI), and `extra` TOML appended.
pub struct SandboxBridge {
    pub config: std::path::PathBuf,
    pub sandbox: bridge_sandbox::Sandbox,
    pub store: bridge_core::store::Store,
    pub bridge: String,
    shutdown: CancellationToken,
    running: JoinHandle<anyhow::Result<()>>,
    _dir: tempfile::TempDir,
    _database: TestDatabase,
}

impl SandboxBridge {
    pub async fn start(extra: &str) -> SandboxBridge {
        Self::start_on(TestBackend::Sqlite, extra, None).await
    }

    /// A bridge on `backend` (a fresh database, which the CLI reaches too), with the admin
    /// API's token when `admin_token` is given.
    pub async fn start_on(
        backend: TestBackend,
        extra: &str,
        admin_token: Option<&str>,
    ) -> SandboxBridge {
        SandboxBridge::start_with(backend, extra, admin_token, false).await
    }

    /// As [`SandboxBridge::start_on`], with the webhooks' default per-source rate limits on.
    pub async fn start_rate_limited(backend: TestBackend) -> SandboxBridge {
        SandboxBridge::start_with(backend, "", None, true).await
    }

    async fn start_with(
        backend: TestBackend,
        extra: &str,
        admin_token: Option<&str>,
        rate_limited: bool,
    ) -> SandboxBridge {
        let dir = tempfile::tempdir().unwrap();
        let sandbox = bridge_sandbox::Sandbox::start(bridge_sandbox::SandboxConfig::default())
            .await
            .unwrap();
        let database = TestDatabase::new(backend).await;
        let mut config = BridgeConfig::for_sandbox(&sandbox, &database.settings.url);
        if let Some(token) = admin_token {
            config = config.admin_token(token);
        }
        if !rate_limited {
            config = config.without_rate_limit();
        }
        let toml = config
            .poll_interval("50ms")
            .fast_retries(10)
            .quick_upstreams("1s")
            .without_reconciliation()
            .shop(
                Shop::woocommerce("atlas", WOO_SECRET)
                    .ship_immediately()
                    .default_country("GH"),
            )
            .extra(extra)
            .to_toml();
        let config = dir.path().join("bridge.toml");
        std::fs::write(&config, &toml).unwrap();
        let application = Application::build(Settings::from_toml(&toml).unwrap())
            .await
            .unwrap();
        let bridge = format!("http://127.0.0.1:{}", application.port());
        let store = application.store().clone();
        let shutdown = application.shutdown_token();
        let running = tokio::spawn(application.run_until_stopped());
        sandbox.send_webhooks_to(&bridge);
        SandboxBridge {
            config,
            sandbox,
            store,
            bridge,
            shutdown,
            running,
            _dir: dir,
            _database: database,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.bridge)
    }

    /// Sends a WooCommerce `order.created` for `spec`, its city replaced by `city`.
    pub async fn place_woo_order(&self, spec: &bridge_sandbox::shops::OrderSpec, city: &str) {
        let mut order = bridge_sandbox::shops::woocommerce_order(spec);
        order["billing"]["city"] = serde_json::Value::from(city);
        order["shipping"]["city"] = serde_json::Value::from(city);
        let sent = bridge_sandbox::shops::WooSender::new("https://atlas.example/", WOO_SECRET)
            .send(&self.url("/webhooks/shops/atlas"), "order.created", &order)
            .await;
        assert_eq!(sent.status, 200);
    }

    /// Waits until the order is in `state`.
    pub async fn wait_for_state(&self, key: &str, state: bridge_core::lifecycle::OrderState) {
        let key = bridge_core::domain::OrderKey::new(key);
        bridge_sandbox::wait_for(
            &format!("{key} {state}"),
            std::time::Duration::from_secs(60),
            || async {
                let stored = self.store.order(&key).await.ok().flatten()?;
                (stored.state() == state).then_some(())
            },
        )
        .await
        .unwrap();
    }

    pub async fn stop(self) {
        self.shutdown.cancel();
        self.running.await.unwrap().unwrap();
    }
}
