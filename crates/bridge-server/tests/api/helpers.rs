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
