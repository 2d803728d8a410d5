//! Telling a person: when an order starts needing someone, or a job gives up, a short message is
//! posted to `[alerts].notify_url` (Slack, Teams, or any endpoint taking `{"text": …}`), once
//! per order and reason.
//!
//! Each round reads the orders waiting for a person and the dead jobs, records a notice for
//! each new (order, reason) pair (the table's unique key makes "once" hold across restarts and
//! replicas), then posts the notices not posted yet. A failed post is tried again next round,
//! up to [`MAX_ATTEMPTS`] times.

use std::time::Duration;

use chrono::{DateTime, Utc};
use outbound_http::{HttpError, Upstream, UpstreamConfig};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use tokio_util::sync::CancellationToken;

use crate::domain::{Attention, mask_digit_runs};
use crate::jobs::{JobRecord, JobState};
use crate::lifecycle::OrderState;
use crate::store::{JobFilter, NewNotice, OrderQuery, Store, StoreError};
use crate::workflow::TrackedOrder;

/// Posts per notice before giving up.
pub const MAX_ATTEMPTS: u32 = 10;
/// How often a round runs.
const ROUND: Duration = Duration::from_secs(30);
/// A claimed notice not marked sent within this time is someone else's to try again.
const CLAIM_FOR: Duration = Duration::from_secs(120);

/// Posts notices for people.
#[derive(Clone)]
pub struct Notifier {
    store: Store,
    endpoint: Upstream,
    url: SecretString,
    console: Option<String>,
}

/// What a round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    /// New notices recorded.
    pub recorded: u64,
    /// Notices posted.
    pub sent: u64,
    /// Posts that failed (tried again later).
    pub failed: u64,
}

impl Notifier {
    /// A notifier posting to `url`; `console` is the bridge's public address, for links.
    pub fn new(
        store: Store,
        url: SecretString,
        console: Option<String>,
    ) -> Result<Notifier, String> {
        let endpoint = Upstream::new(
            UpstreamConfig::new("notify_url", url.expose_secret().to_owned())
                .timeouts(Duration::from_secs(10), Duration::from_secs(5)),
        )
        .map_err(|e| format!("alerts.notify_url: {e}"))?;
        Ok(Notifier {
            store,
            endpoint,
            url,
            console: console.map(|c| c.trim_end_matches('/').to_owned()),
        })
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
                Ok(round) if round == Round::default() => {}
                Ok(round) => tracing::info!(
                    recorded = round.recorded,
                    sent = round.sent,
                    failed = round.failed,
                    "notices"
                ),
                Err(error) => tracing::error!(%error, "the notice round failed"),
            }
        }
    }

    /// One round: record what is new, post what is pending.
    pub async fn round(&self, now: DateTime<Utc>) -> Result<Round, StoreError> {
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
        let notices = notices_for(&waiting.orders, &dead, self.console.as_deref());
        let mut round = Round {
            recorded: self.store.record_notices(&notices, now).await?,
            ..Round::default()
        };
        for notice in self
            .store
            .claim_notices(50, MAX_ATTEMPTS, CLAIM_FOR, now)
            .await?
        {
            let body = json!({
                "text": notice.text,
                "order_key": notice.order_key,
                "reason": notice.reason,
            });
            let request = self.endpoint.json_request(
                reqwest::Method::POST,
                self.url.expose_secret(),
                Some(&body),
                None,
            );
            match self.endpoint.send(request, "posting a notice").await {
                Ok(_) => {
                    self.store.notice_sent(notice.id, Utc::now()).await?;
                    metrics::counter!("bridge_notices_total", "outcome" => "sent").increment(1);
                    round.sent += 1;
                }
                Err(error) => {
                    let error = describe(&error);
                    tracing::warn!(notice = notice.id, attempt = notice.attempts, %error, "posting a notice failed");
                    self.store.notice_failed(notice.id, &error).await?;
                    metrics::counter!("bridge_notices_total", "outcome" => "failed").increment(1);
                    round.failed += 1;
                }
            }
        }
        Ok(round)
    }
}

fn describe(error: &HttpError) -> String {
    mask_digit_runs(&error.to_string())
}

/// The reason key of an attention: `attention:unshippable:no_region`.
fn attention_key(attention: Option<&Attention>) -> String {
    let value = attention.map(serde_json::to_value).and_then(Result::ok);
    let kind = value
        .as_ref()
        .and_then(|v| v["kind"].as_str())
        .unwrap_or("unknown");
    match value.as_ref().and_then(|v| v["reason"].as_str()) {
        Some(reason) => format!("attention:{kind}:{reason}"),
        None => format!("attention:{kind}"),
    }
}

/// The notices these orders and dead jobs call for (the store keeps only new ones).
pub fn notices_for(
    waiting: &[TrackedOrder],
    dead: &[JobRecord],
    console: Option<&str>,
) -> Vec<NewNotice> {
    let link = |order_key: &str| {
        console.map(|base| {
            let (shop, id) = order_key.split_once('/').unwrap_or((order_key, ""));
            format!(" {base}/console/orders/{}/{}", encode(shop), encode(id))
        })
    };
    let mut notices: Vec<NewNotice> = waiting
        .iter()
        .map(|order| {
            let key = order.key();
            NewNotice {
                reason: attention_key(order.attention()),
                text: format!(
                    "Order {} ({}) needs a person: {}.{}",
                    order.order().order_ref,
                    order.shop_id(),
                    order
                        .attention()
                        .map_or_else(|| "no reason recorded".to_owned(), ToString::to_string),
                    link(key.as_str()).unwrap_or_default()
                ),
                order_key: key,
            }
        })
        .collect();
    notices.extend(dead.iter().map(|job| NewNotice {
        order_key: job.order_key.clone(),
        reason: format!("dead:{}", job.kind()),
        text: format!(
            "Job {} of order {} gave up: {}.{}",
            job.kind(),
            job.order_key,
            mask_digit_runs(job.last_error.as_deref().unwrap_or("no error recorded")),
            link(job.order_key.as_str()).unwrap_or_default()
        ),
    }));
    notices
}

fn encode(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
