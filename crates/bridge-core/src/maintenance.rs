//! Periodic work: reconciliation sweeps (look up packages whose courier news is stale, so a lost
//! webhook heals itself) and retention (old raw webhook bodies emptied; finished orders' customer
//! data forgotten and their old jobs deleted, when the settings say so).

use std::time::Duration;

use chrono::Utc;
use tokio_util::sync::CancellationToken;

use serde::{Deserialize, Serialize};

use crate::settings::ReconcileSettings;
use crate::store::{Store, StoreResult};
use crate::worker::JobWaker;
use crate::workflow::{NewJob, courier, retention};

/// `[retention]`: how long the bridge keeps what it stores. Only raw bodies are pruned by
/// default; orders and jobs are kept until you set an age.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionSettings {
    /// Raw webhook bodies older than this are emptied (the dedupe record stays).
    #[serde(with = "humantime_serde")]
    pub inbound_bodies: Duration,
    /// A finished order (delivered, returned, cancelled) unchanged for this long loses its
    /// customer's name, phone, email, street and note. Unset: kept.
    #[serde(default, with = "humantime_serde")]
    pub customer_data: Option<Duration>,
    /// Finished jobs of finished orders older than this are deleted. Unset: kept.
    #[serde(default, with = "humantime_serde")]
    pub done_jobs: Option<Duration>,
}

/// What one retention pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Retained {
    /// Raw bodies emptied.
    pub bodies_pruned: u64,
    /// Orders whose customer is to be forgotten: a `forget_customer` job was queued for each
    /// (the workers forget them in each order's turn).
    pub customers_to_forget: u64,
    /// Finished jobs deleted.
    pub jobs_deleted: u64,
}

fn ago(now: chrono::DateTime<Utc>, age: Duration) -> chrono::DateTime<Utc> {
    now - chrono::Duration::from_std(age).unwrap_or(chrono::Duration::MAX)
}

/// Applies the retention settings once (also `shaq-bridge retention`).
pub async fn apply_retention(
    store: &Store,
    settings: &RetentionSettings,
    now: chrono::DateTime<Utc>,
) -> StoreResult<Retained> {
    let mut done = Retained {
        bodies_pruned: store
            .prune_inbound_bodies(ago(now, settings.inbound_bodies))
            .await?,
        ..Retained::default()
    };
    if let Some(age) = settings.customer_data {
        loop {
            let batch = store.orders_to_forget(ago(now, age), 500).await?;
            if batch.is_empty() {
                break;
            }
            let jobs: Vec<NewJob> = batch.iter().map(retention::forget).collect();
            done.customers_to_forget += store.enqueue(&jobs, now).await?;
        }
    }
    if let Some(age) = settings.done_jobs {
        done.jobs_deleted = store.delete_done_jobs(ago(now, age)).await?;
    }
    Ok(done)
}

/// Enqueues one `reconcile` job per stale package (at most `batch`); jobs are keyed by sweep, so
/// two replicas sweeping at once enqueue each lookup once. Returns how many were enqueued.
pub async fn sweep_stale_packages(
    store: &Store,
    settings: &ReconcileSettings,
    now: chrono::DateTime<Utc>,
) -> StoreResult<u64> {
    let stale_after =
        chrono::Duration::from_std(settings.stale_after).unwrap_or(chrono::Duration::MAX);
    let orders = store
        .orders_to_reconcile(now - stale_after, settings.batch)
        .await?;
    let sweep = now.timestamp() / settings.interval.as_secs().max(1) as i64;
    let jobs: Vec<NewJob> = orders
        .iter()
        .map(|order| courier::reconcile(&order.key(), sweep))
        .collect();
    store.enqueue(&jobs, now).await
}

/// Runs the sweeps and the pruning until `shutdown`.
pub async fn run_until_stopped(
    store: Store,
    reconcile: ReconcileSettings,
    retention: RetentionSettings,
    waker: JobWaker,
    shutdown: CancellationToken,
) {
    let period = if reconcile.enabled {
        reconcile.interval
    } else {
        Duration::from_secs(3600)
    };
    let mut ticks = tokio::time::interval(period);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            () = shutdown.cancelled() => return,
        }
        let now = Utc::now();
        if reconcile.enabled {
            match sweep_stale_packages(&store, &reconcile, now).await {
                Ok(0) => {}
                Ok(enqueued) => {
                    tracing::info!(enqueued, "reconciliation: looking up stale packages");
                    waker.wake();
                }
                Err(error) => tracing::error!(error = %error, "reconciliation sweep failed"),
            }
        }
        match apply_retention(&store, &retention, now).await {
            Ok(done) if done == Retained::default() => {}
            Ok(done) => {
                if done.customers_to_forget > 0 {
                    waker.wake();
                }
                tracing::info!(
                    bodies_pruned = done.bodies_pruned,
                    customers_to_forget = done.customers_to_forget,
                    jobs_deleted = done.jobs_deleted,
                    "retention applied"
                );
            }
            Err(error) => tracing::error!(error = %error, "applying retention failed"),
        }
    }
}

/// A shop's daily handover: when, in which time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandoverSchedule {
    /// The shop.
    pub shop: crate::domain::ShopId,
    /// The time of day.
    pub at: chrono::NaiveTime,
    /// The shop's time zone.
    pub zone: chrono_tz::Tz,
}

impl HandoverSchedule {
    /// The shop's date whose handover is due at `now`: today once its time has come.
    pub fn due(&self, now: chrono::DateTime<Utc>) -> Option<chrono::NaiveDate> {
        let local = now.with_timezone(&self.zone);
        (local.time() >= self.at).then(|| local.date_naive())
    }
}

/// Gathers each scheduled shop's handover once its time has come each day (once per shop and
/// day across replicas and restarts: `Store::gather_handover` records the day), until
/// `shutdown`. A bridge that was down at the time hands over when it comes back that day.
pub async fn run_handover_schedule(
    store: Store,
    schedules: Vec<HandoverSchedule>,
    waker: JobWaker,
    shutdown: CancellationToken,
) {
    if schedules.is_empty() {
        return;
    }
    let mut ticks = tokio::time::interval(Duration::from_secs(30));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            () = shutdown.cancelled() => return,
        }
        let now = Utc::now();
        for schedule in &schedules {
            let Some(day) = schedule.due(now) else {
                continue;
            };
            match store
                .gather_handover(&schedule.shop, "schedule", Some(day), now)
                .await
            {
                Ok(Some(shipment)) => {
                    tracing::info!(
                        shop = %schedule.shop,
                        shipment = shipment.id,
                        packages = shipment.packages,
                        "scheduled handover gathered"
                    );
                    waker.wake();
                }
                Ok(None) => {}
                Err(error) => {
                    tracing::error!(shop = %schedule.shop, error = %error, "scheduled handover failed");
                }
            }
        }
    }
}

#[cfg(test)]
mod handover_schedule_tests {
    use super::HandoverSchedule;

    #[test]
    fn a_days_handover_is_due_from_its_time_in_the_shops_zone() {
        let schedule = HandoverSchedule {
            shop: crate::domain::ShopId::new("kente"),
            at: "16:00".parse().unwrap(),
            zone: chrono_tz::Africa::Lagos,
        };
        let at = |text: &str| text.parse::<chrono::DateTime<chrono::Utc>>().unwrap();
        // 14:59 UTC is 15:59 in Lagos: not yet; 15:00 UTC is 16:00 there.
        assert_eq!(schedule.due(at("2026-11-24T14:59:00Z")), None);
        assert_eq!(
            schedule.due(at("2026-11-24T15:00:00Z")),
            Some("2026-11-24".parse().unwrap())
        );
        // 23:30 UTC is already the next day in Lagos, before its 16:00.
        assert_eq!(schedule.due(at("2026-11-24T23:30:00Z")), None);
    }
}
