//! The job executors: the I/O edge of the workflow. Each job reads the order fresh, makes its
//! remote call, and returns what to commit (with the job's completion, in one transaction).

mod adapters;
mod apply;
mod convert;
mod package;
pub mod ports;
mod shop;
mod ticket;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::Utc;
use tokio::sync::Mutex;

use crate::domain::mask_digit_runs;
use crate::jobs::{JobKind, JobRecord};
use crate::lifecycle::OrderState;
use crate::settings::{DigishareSettings, ShaqSettings};
use crate::shop::ShopSettings;
use crate::store::{JobEffects, OrderRecord, Store, TimelineEntry};
use crate::worker::{JobError, JobExecutor};
use crate::workflow::{CourierMapping, Decision, timeline};
use ports::{Courier, Region, ShopWriter, Ticketing};

/// One configured shop at run time.
pub struct ShopRuntime {
    /// Its settings.
    pub settings: ShopSettings,
    /// Its admin API, when write-back is enabled.
    pub writer: Option<Arc<dyn ShopWriter>>,
}

/// Everything the executors need.
pub struct Pipeline {
    store: Store,
    courier: Arc<dyn Courier>,
    ticketing: Arc<dyn Ticketing>,
    shops: HashMap<String, ShopRuntime>,
    shaq: ShaqSettings,
    digishare: DigishareSettings,
    mapping: CourierMapping,
    confirmation_timeout: Option<Duration>,
    regions: Mutex<Option<(Instant, Vec<Region>)>>,
    http: reqwest::Client,
}

/// How long the region list is trusted before it is fetched again.
const REGIONS_TTL: Duration = Duration::from_secs(6 * 3600);

impl Pipeline {
    /// A pipeline over these services and settings.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        store: Store,
        courier: Arc<dyn Courier>,
        ticketing: Arc<dyn Ticketing>,
        shops: HashMap<String, ShopRuntime>,
        shaq: ShaqSettings,
        digishare: DigishareSettings,
        mapping: CourierMapping,
        confirmation_timeout: Option<Duration>,
    ) -> Self {
        Pipeline {
            store,
            courier,
            ticketing,
            shops,
            shaq,
            digishare,
            mapping,
            confirmation_timeout,
            regions: Mutex::new(None),
            http: reqwest::Client::new(),
        }
    }

    async fn order(&self, job: &JobRecord) -> Result<OrderRecord, JobError> {
        self.store
            .order(&job.order_key)
            .await
            .map_err(|e| JobError::retryable(format!("reading the order: {e}")))?
            .ok_or_else(|| JobError::permanent(format!("order {} is not stored", job.order_key)))
    }

    fn shop(&self, shop_id: &str) -> Result<&ShopRuntime, JobError> {
        self.shops
            .get(shop_id)
            .ok_or_else(|| JobError::permanent(format!("shop `{shop_id}` is no longer configured")))
    }

    /// The ShaQ regions, cached for a few hours.
    async fn regions(&self) -> Result<Vec<Region>, JobError> {
        let mut cache = self.regions.lock().await;
        if let Some((fetched, regions)) = cache.as_ref()
            && fetched.elapsed() < REGIONS_TTL
        {
            return Ok(regions.clone());
        }
        let regions = self.courier.regions().await?;
        *cache = Some((Instant::now(), regions.clone()));
        Ok(regions)
    }

    async fn expire_confirmation(&self, job: &JobRecord) -> Result<JobEffects, JobError> {
        let order = self.order(job).await?;
        if order.state != OrderState::AwaitingConfirmation {
            return Ok(JobEffects::default());
        }
        let now = Utc::now();
        let mut next = order.clone();
        next.state = OrderState::NeedsAttention;
        next.attention_reason = Some(crate::workflow::CONFIRMATION_TIMED_OUT.to_owned());
        next.updated_at = now;
        Ok(Decision {
            order: Some(next),
            jobs: Vec::new(),
            timeline: vec![timeline(
                &order.order_key,
                now,
                "attention",
                format!(
                    "needs attention: {}",
                    crate::workflow::CONFIRMATION_TIMED_OUT
                ),
            )],
            outcome: "applied".to_owned(),
        }
        .into_effects())
    }
}

/// The remote calls a job kind makes, for the timeline.
fn operation(kind: JobKind) -> &'static str {
    match kind {
        JobKind::ApplyInboundEvent => "workflow",
        JobKind::CreatePackage => "ShaQ GET /setup/regions (cached), POST /packages",
        JobKind::UpdatePackage => "ShaQ PATCH /packages/{partner_ref}",
        JobKind::CancelPackage => "ShaQ DELETE /packages/{partner_ref} or POST cancel",
        JobKind::AttachLabel => {
            "ShaQ GET label, Digishare POST /messagesTemplates, PUT /tickets/{id}"
        }
        JobKind::Reconcile => "ShaQ GET /tracking/{tracking_number}",
        JobKind::CreateTicket => "Digishare GET /tickets?search, POST /tickets",
        JobKind::MoveTicket => "Digishare PUT /tickets/{id}",
        JobKind::WriteBackToShop => "shop admin API",
        JobKind::ExpireConfirmation => "timer",
    }
}

#[async_trait]
impl JobExecutor for Pipeline {
    async fn execute(&self, job: &JobRecord) -> Result<JobEffects, JobError> {
        let started = Instant::now();
        let mut effects = self.run(job).await?;
        let details = serde_json::json!({
            "job": job.kind,
            "attempt": job.attempts,
            "calls": operation(job.kind),
            "duration_ms": started.elapsed().as_millis() as u64,
        });
        for line in &mut effects.timeline {
            if line.details.is_null() {
                line.details = details.clone();
            }
        }
        Ok(effects)
    }

    fn failure_timeline(&self, job: &JobRecord, error: &JobError) -> Vec<TimelineEntry> {
        let mut line = timeline(
            &job.order_key,
            Utc::now(),
            "error",
            format!(
                "{} failed (attempt {}): {}",
                job.kind,
                job.attempts,
                mask_digit_runs(&error.to_string())
            ),
        );
        line.details = serde_json::json!({ "job": job.kind, "attempt": job.attempts, "calls": operation(job.kind) });
        vec![line]
    }
}

impl Pipeline {
    async fn run(&self, job: &JobRecord) -> Result<JobEffects, JobError> {
        match job.kind {
            JobKind::ApplyInboundEvent => self.apply_inbound_event(job).await,
            JobKind::CreatePackage => self.create_package(job).await,
            JobKind::UpdatePackage => self.update_package(job).await,
            JobKind::CancelPackage => self.cancel_package(job).await,
            JobKind::AttachLabel => self.attach_label(job).await,
            JobKind::Reconcile => self.reconcile(job).await,
            JobKind::CreateTicket => self.create_ticket(job).await,
            JobKind::MoveTicket => self.move_ticket(job).await,
            JobKind::WriteBackToShop => self.write_back(job).await,
            JobKind::ExpireConfirmation => self.expire_confirmation(job).await,
        }
    }
}
