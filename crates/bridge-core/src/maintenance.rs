//! Periodic work: reconciliation sweeps (look up packages whose courier news is stale, so a lost
//! webhook heals itself) and pruning of old raw webhook bodies.

use std::time::Duration;

use chrono::Utc;
use tokio_util::sync::CancellationToken;

use crate::settings::ReconcileSettings;
use crate::store::{Store, StoreResult};
use crate::worker::JobWaker;
use crate::workflow::{NewJob, courier};

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
    body_retention: Duration,
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
        let retention = chrono::Duration::from_std(body_retention).unwrap_or(chrono::Duration::MAX);
        match store.prune_inbound_bodies(now - retention).await {
            Ok(0) => {}
            Ok(pruned) => tracing::info!(pruned, "pruned old webhook bodies"),
            Err(error) => tracing::error!(error = %error, "pruning webhook bodies failed"),
        }
    }
}
