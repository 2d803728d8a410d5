//! Telling a person: when an order starts needing someone, or a job gives up, a short message is
//! posted to `[alerts].notify_url` (Slack, Teams, or any endpoint taking `{"text": …}`), once
//! per order and reason.
//!
//! Each round reads the orders waiting for a person and the dead jobs and queues a `notify` job
//! for each (`workflow::notices`): the job's key makes "once" hold across restarts and
//! replicas, and a failed post is retried by the queue's one retry policy.

use std::time::Duration;

use chrono::{DateTime, Utc};
use outbound_http::{Upstream, UpstreamConfig};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use tokio_util::sync::CancellationToken;

use crate::domain::OrderKey;
use crate::lifecycle::OrderState;
use crate::store::{JobFilter, JobState, OrderQuery, Store, StoreError};
use crate::worker::JobWaker;
use crate::workflow::{JobError, NewJob, notices};

/// How often a round runs.
const ROUND: Duration = Duration::from_secs(30);

/// Queues notices for people.
#[derive(Clone)]
pub struct Notifier {
    store: Store,
    console: Option<String>,
    waker: JobWaker,
}

impl Notifier {
    /// A notifier; `console` is the bridge's public address, for links.
    pub fn new(store: Store, console: Option<String>, waker: JobWaker) -> Notifier {
        Notifier {
            store,
            console: console.map(|c| c.trim_end_matches('/').to_owned()),
            waker,
        }
    }

    /// Runs a round every 30 seconds until shutdown.
    pub async fn run_until_stopped(self, shutdown: CancellationToken) {
        let mut ticks = tokio::time::interval(ROUND);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = ticks.tick() => {}
                () = shutdown.cancelled() => return,
            }
            match self.round(Utc::now()).await {
                Ok(0) => {}
                Ok(queued) => tracing::info!(queued, "notices queued"),
                Err(error) => tracing::error!(%error, "the notice round failed"),
            }
        }
    }

    /// One round: queues a notice for each order waiting for a person and each dead job not
    /// announced before; returns how many were new.
    pub async fn round(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let waiting = self
            .store
            .search_orders(&OrderQuery {
                state: Some(OrderState::NeedsAttention),
                limit: crate::store::MAX_PAGE,
                ..OrderQuery::default()
            })
            .await?;
        let dead = self
            .store
            .list_jobs(&JobFilter {
                state: Some(JobState::Dead),
                limit: Some(500),
                ..JobFilter::default()
            })
            .await?;
        let console = self.console.as_deref();
        let mut jobs: Vec<NewJob> = waiting
            .orders
            .iter()
            .map(|order| notices::needs_a_person(order, console))
            .collect();
        jobs.extend(dead.iter().filter_map(|job| {
            notices::job_gave_up(
                &job.order_key,
                job.kind(),
                job.last_error.as_deref(),
                console,
            )
        }));
        let queued = self.store.enqueue(&jobs, now).await?;
        if queued > 0 {
            self.waker.wake();
        }
        Ok(queued)
    }
}

/// Posts notices to `[alerts].notify_url`.
pub struct NoticePoster {
    endpoint: Upstream,
    url: SecretString,
}

impl NoticePoster {
    /// A poster for `url`.
    pub fn new(url: SecretString) -> Result<NoticePoster, String> {
        let endpoint = Upstream::new(
            UpstreamConfig::new("notify_url", url.expose_secret().to_owned())
                .timeouts(Duration::from_secs(10), Duration::from_secs(5)),
        )
        .map_err(|e| format!("alerts.notify_url: {e}"))?;
        Ok(NoticePoster { endpoint, url })
    }

    /// Posts one notice (`{"text", "order_key", "reason"}`).
    pub async fn post(
        &self,
        order_key: &OrderKey,
        reason: &str,
        text: &str,
    ) -> Result<(), JobError> {
        let body = json!({ "text": text, "order_key": order_key, "reason": reason });
        let request = self.endpoint.json_request(
            reqwest::Method::POST,
            self.url.expose_secret(),
            Some(&body),
            None,
        );
        match self.endpoint.send(request, "posting a notice").await {
            Ok(_) => {
                metrics::counter!("bridge_notices_total", "outcome" => "sent").increment(1);
                Ok(())
            }
            Err(error) => {
                metrics::counter!("bridge_notices_total", "outcome" => "failed").increment(1);
                Err(error.into())
            }
        }
    }
}
