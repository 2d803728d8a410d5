//! `spawn_app`: the real application on a free port with a fresh database.

use std::sync::Arc;
use std::time::Duration;

use bridge_core::testing::{TestBackend, TestDatabase};
use bridge_core::worker::JobExecutor;
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
}

/// The example settings file: every test starts from what a merchant would write.
pub const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/example.toml");

/// Secrets the tests present.
pub const SHAQ_WEBHOOK_SECRET: &str = "a-long-random-secret-for-shaq";
pub const DIGISHARE_WEBHOOK_SECRET: &str = "a-long-random-secret-for-digishare";

/// Settings for a test: port 0, quick polling, the test database.
pub fn test_settings(db: &TestDatabase) -> Settings {
    let mut settings = Settings::load_with_env(Some(std::path::Path::new(EXAMPLE)), Vec::new())
        .expect("the example settings are valid");
    settings.server.listen = "127.0.0.1:0".parse().unwrap();
    settings.database = db.settings.clone();
    settings.workers.poll_interval = Duration::from_millis(50);
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
    let running = tokio::spawn(application.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::new(),
        shutdown,
        running,
        db,
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
