//! Catching up on missed shop webhooks: now and then, and at start-up, read each shop's list of
//! recently changed orders and take in what the bridge has not seen, through the same parsing
//! and dedupe as webhooks (a webhook and a catch-up of one order version store one event; an
//! older version is ignored by the workflow). WooCommerce never retries a failed delivery, so
//! without this an order placed while the bridge was down would be lost at the source.

use std::sync::Arc;

use chrono::Utc;
use shop_client::ShopClient;
use tokio_util::sync::CancellationToken;

use crate::domain::ShopId;
use crate::intake::{IntakeOutcome, WebhookIntake};
use crate::shop::BackfillSettings;
use crate::store::Intake;
use crate::worker::JobWaker;

/// A shop whose order list is read.
#[derive(Debug, Clone)]
pub struct ShopToCatchUp {
    /// The shop.
    pub shop: ShopId,
    /// Its admin API.
    pub client: ShopClient,
    /// How often and how far back.
    pub settings: BackfillSettings,
}

/// What one catch-up found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatchUp {
    /// Orders the list returned.
    pub read: usize,
    /// New to the bridge: stored with their job.
    pub stored: usize,
    /// Already seen (by webhook or an earlier catch-up).
    pub known: usize,
    /// Refused by intake (an order that does not parse), or ignored.
    pub refused: usize,
}

/// Reads the shop's recent orders once and takes in the new ones.
pub async fn catch_up(
    intake: &WebhookIntake,
    shop: &ShopToCatchUp,
) -> Result<CatchUp, shop_client::ShopError> {
    let window = chrono::Duration::from_std(shop.settings.window).unwrap_or(chrono::Duration::MAX);
    let since = Utc::now().checked_sub_signed(window).unwrap_or_default();
    let orders = shop.client.recent_orders(since).await?;
    let mut outcome = CatchUp {
        read: orders.len(),
        ..CatchUp::default()
    };
    for order in &orders {
        match intake.accept_from_shop_api(&shop.shop, order).await {
            Ok(IntakeOutcome::Stored(Intake::Accepted { .. })) => outcome.stored += 1,
            Ok(IntakeOutcome::Stored(Intake::Duplicate)) => outcome.known += 1,
            Ok(IntakeOutcome::Ignored(_)) => outcome.refused += 1,
            Err(error) => {
                tracing::warn!(shop = %shop.shop, error = %error, "an order from the shop's list was refused");
                outcome.refused += 1;
            }
        }
    }
    Ok(outcome)
}

/// Catches up every shop at start-up and then every `interval`, until `shutdown`.
pub async fn run_until_stopped(
    intake: Arc<WebhookIntake>,
    shops: Vec<ShopToCatchUp>,
    waker: JobWaker,
    shutdown: CancellationToken,
) {
    let loops = shops.into_iter().map(|shop| {
        let intake = intake.clone();
        let waker = waker.clone();
        let shutdown = shutdown.clone();
        async move {
            let mut ticks = tokio::time::interval(shop.settings.interval);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = ticks.tick() => {}
                    () = shutdown.cancelled() => return,
                }
                match catch_up(&intake, &shop).await {
                    Ok(done) => {
                        metrics::counter!("bridge_backfill_orders_total", "shop" => shop.shop.to_string(), "outcome" => "stored")
                            .increment(done.stored as u64);
                        if done.stored > 0 {
                            tracing::info!(shop = %shop.shop, stored = done.stored, read = done.read, "caught up on missed orders");
                            waker.wake();
                        }
                    }
                    Err(error) => {
                        tracing::warn!(shop = %shop.shop, error = %error, "reading the shop's order list failed");
                    }
                }
            }
        }
    });
    futures::future::join_all(loops).await;
}
