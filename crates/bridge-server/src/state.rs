//! What every handler can reach ([`AppState`]): the store, the workers' wake-up, the intake,
//! the settings and rules, the console's sign-in, the limits. Built by `startup.rs`; read by
//! the routes, the console and the admin extractor.

use std::sync::Arc;

use bridge_core::intake::WebhookIntake;
use bridge_core::store::Store;
use bridge_core::worker::JobWaker;
use bridge_core::workflow::Rules;
use metrics_exporter_prometheus::PrometheusHandle;

use crate::configuration::Settings;
use crate::operations::Operations;
use crate::rate_limit::WebhookRateLimiter;
use crate::sign_in::ConsoleState;

/// What every handler can reach: one allocation shared by every request. axum clones the state
/// for each extractor and layer that asks for it; a perf profile of the intake showed cloning
/// and dropping the nine fields (their `Arc`s and handles) at ~4 % of the bridge's CPU.
#[derive(Clone)]
pub struct AppState(pub(crate) Arc<AppServices>);

impl std::ops::Deref for AppState {
    type Target = AppServices;

    fn deref(&self) -> &AppServices {
        &self.0
    }
}

/// The services behind [`AppState`].
pub struct AppServices {
    /// The database.
    pub store: Store,
    /// Wakes the workers after an enqueue.
    pub waker: JobWaker,
    /// Renders `/metrics`.
    pub metrics: PrometheusHandle,
    /// Verifies and stores webhooks.
    pub intake: Arc<WebhookIntake>,
    /// The validated settings.
    pub settings: Arc<Settings>,
    /// The webhooks' rate limits.
    pub limiter: WebhookRateLimiter,
    /// The workflow's rules (to check people's requests before they are queued).
    pub rules: Arc<Rules>,
    /// The admin API's tokens, and the throttle on wrong ones.
    pub api_credentials: crate::api_credentials::ApiCredentials,
    /// The web console (`None`: off, nobody can sign in).
    pub console: Option<Arc<ConsoleState>>,
    /// When the report gauges of `/metrics` were last computed (they are recomputed at most
    /// once a minute, whatever the scrape rate).
    pub report_gauges: Arc<tokio::sync::Mutex<Option<std::time::Instant>>>,
}

impl AppState {
    /// The one way in for a person's actions, with this bridge's store, rules and workers.
    pub fn operations(&self) -> Operations<'_> {
        Operations {
            store: &self.store,
            rules: &self.rules,
            waker: Some(&self.waker),
        }
    }
}
