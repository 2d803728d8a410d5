//! The job runner: reads a job's order, asks the workflow whether the call is still needed,
//! lets the job's executor make it, and asks the workflow what the news means. The worker pool
//! commits the answer with the job's completion.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::Utc;
use digishare_client::DigishareClient;
use outbound_http::{Upstream, UpstreamConfig};
use shaq_client::{Region, ShaqClient};
use shop_client::ShopClient;
use tokio::sync::Mutex;

use super::{
    ClaimedJob, Job, JobError, JobInputs, JobKind, JobRecord, apply_inbound_event, attach_label,
    cancel_package, create_package, create_replacement, create_ticket, expire_confirmation,
    handover, move_ticket, reconcile, update_package, write_back_to_shop,
};
use crate::domain::{OrderKey, ShopId, mask_digit_runs};
use crate::settings::{DigishareSettings, ShaqSettings};
use crate::shop::ShopSettings;
use crate::store::{JobEffects, Store, TimelineEntry, TimelineKind};
use crate::worker::JobExecutor;
use crate::workflow::guards::{Precheck, precheck};
use crate::workflow::{self, Decision, JobNews, Rules, TrackedOrder, timeline};

/// How long the region list is trusted before it is fetched again.
const REGIONS_TTL: Duration = Duration::from_secs(6 * 3600);

/// A configured shop at run time: its settings with its overrides of `[shaq]` and
/// `[digishare]` applied, and the clients its jobs call.
pub struct ShopRuntime {
    /// The shop's settings.
    pub settings: ShopSettings,
    /// Its ShaQ account (`[shaq]`'s, shared, unless the shop has its own).
    pub shaq: ShaqClient,
    /// `[shaq]` with the shop's overrides (pickup address, package defaults…).
    pub shaq_settings: ShaqSettings,
    /// `[digishare]` with the shop's overrides (ticket type, status ids…).
    pub digishare_settings: DigishareSettings,
    /// Its admin API, when it writes back.
    pub writer: Option<ShopClient>,
    /// Its ShaQ account's bulk coalescer, when `[shaq.bulk]` is on.
    pub bulk: Option<super::BulkCreator>,
}

/// What the executors call with: the store, the shops and the upstream clients.
pub struct Services {
    pub(super) store: Store,
    pub(super) digishare: DigishareClient,
    shops: HashMap<ShopId, ShopRuntime>,
    /// Label PDFs are downloaded from wherever ShaQ's answer points.
    pub(super) downloads: Upstream,
    /// ShaQ's region list is the same for every account: it is fetched with `[shaq]`'s.
    regions_from: ShaqClient,
    regions: Mutex<Option<(Instant, Vec<Region>)>>,
}

impl Services {
    /// The services the settings describe.
    pub fn new(
        store: Store,
        shaq: ShaqClient,
        digishare: DigishareClient,
        shops: HashMap<ShopId, ShopRuntime>,
    ) -> Result<Services, String> {
        let downloads = Upstream::new(UpstreamConfig::new("the label host", ""))
            .map_err(|e| format!("HTTP client: {e}"))?;
        Ok(Services {
            store,
            digishare,
            shops,
            downloads,
            regions_from: shaq,
            regions: Mutex::new(None),
        })
    }

    /// A configured shop, or a permanent failure if it was removed from the settings.
    pub(super) fn shop(&self, shop: &ShopId) -> Result<&ShopRuntime, JobError> {
        self.shops
            .get(shop)
            .ok_or_else(|| JobError::permanent(format!("shop `{shop}` is no longer configured")))
    }

    /// ShaQ's regions, cached for a few hours.
    pub(super) async fn regions(&self) -> Result<Vec<Region>, JobError> {
        let mut cache = self.regions.lock().await;
        if let Some((fetched, regions)) = cache.as_ref()
            && fetched.elapsed() < REGIONS_TTL
        {
            return Ok(regions.clone());
        }
        let regions = self.regions_from.regions().await?;
        *cache = Some((Instant::now(), regions.clone()));
        Ok(regions)
    }

    /// The job's order as stored now.
    async fn order(&self, key: &OrderKey) -> Result<TrackedOrder, JobError> {
        self.store
            .order(key)
            .await
            .map_err(|e| JobError::retryable(format!("reading the order: {e}")))?
            .ok_or_else(|| JobError::permanent(format!("order {key} is not stored")))
    }
}

/// Runs jobs: executors for the calls, the workflow for the decisions.
pub struct JobRunner {
    services: Services,
    rules: Rules,
}

impl JobRunner {
    /// A runner with these services and rules.
    pub fn new(services: Services, rules: Rules) -> Self {
        JobRunner { services, rules }
    }

    /// Runs a job from what its claim read (`inputs`), or from the database when it read
    /// nothing.
    async fn run(
        &self,
        record: &JobRecord,
        inputs: Option<&JobInputs>,
    ) -> Result<Decision, JobError> {
        let services = &self.services;
        let key = &record.order_key;
        if let Job::ApplyInboundEvent { event_id } = &record.job {
            let (order, news) = apply_inbound_event::run(services, *event_id, key, inputs).await?;
            return workflow::decide(
                &self.rules,
                key,
                order.as_ref(),
                JobNews::Inbound(news),
                Utc::now(),
            );
        }
        if let Job::Handover { shipment_id } = &record.job {
            return handover::run(services, &self.rules, *shipment_id).await;
        }
        let order = match inputs {
            Some(inputs) => inputs
                .order
                .clone()
                .ok_or_else(|| JobError::permanent(format!("order {key} is not stored")))?,
            None => services.order(key).await?,
        };
        match precheck(&record.job, &order, &self.rules, Utc::now()) {
            Precheck::Proceed => {}
            Precheck::Skip(decision) => return Ok(*decision),
            Precheck::Fail(error) => return Err(error),
        }
        let news = match &record.job {
            Job::ApplyInboundEvent { .. } => return Ok(Decision::nothing()),
            Job::CreatePackage => {
                let shop = self.rules.shop(order.shop_id())?;
                create_package::run(services, &order, &shop.regions).await?
            }
            Job::UpdatePackage => {
                let shop = self.rules.shop(order.shop_id())?;
                update_package::run(services, &order, &shop.regions).await?
            }
            Job::CancelPackage => cancel_package::run(services, &order).await?,
            Job::AttachLabel => attach_label::run(services, &order).await?,
            Job::Reconcile => reconcile::run(services, &order).await?,
            Job::CreateTicket { status_key } => {
                create_ticket::run(services, &order, status_key, record.may_have_run_before())
                    .await?
            }
            Job::MoveTicket(payload) => move_ticket::run(services, &order, payload).await?,
            Job::WriteBackToShop { milestone } => {
                write_back_to_shop::run(services, &order, *milestone).await?
            }
            Job::ExpireConfirmation => expire_confirmation::run(),
            Job::RemindConfirmation { number, of, held } => JobNews::ReminderDue {
                number: *number,
                of: *of,
                held: *held,
            },
            Job::Operator(request) => JobNews::Operator(request.clone()),
            Job::Handover { .. } => return Ok(Decision::nothing()),
            Job::CreateReplacement { after_sale, number } => {
                let shop = self.rules.shop(order.shop_id())?;
                create_replacement::run(services, &order, &shop.regions, *after_sale, *number)
                    .await?
            }
        };
        workflow::decide(&self.rules, key, Some(&order), news, Utc::now())
    }

    /// The job's effects, from the workflow's decision.
    async fn execute_with(
        &self,
        record: &JobRecord,
        inputs: Option<&JobInputs>,
    ) -> Result<JobEffects, JobError> {
        let started = Instant::now();
        let decision = self.run(record, inputs).await?;
        let details = serde_json::json!({
            "job": record.kind(),
            "attempt": record.attempts,
            "calls": calls(record.kind()),
            "duration_ms": started.elapsed().as_millis() as u64,
        });
        let mut timeline = decision.timeline;
        for line in &mut timeline {
            if line.details.is_null() {
                line.details = details.clone();
            }
        }
        let inbound_outcome = match record.job {
            Job::ApplyInboundEvent { event_id } => Some((event_id, decision.outcome)),
            _ => None,
        };
        Ok(JobEffects {
            order: decision.order,
            jobs: decision.jobs,
            timeline,
            inbound_outcome,
        })
    }
}

/// The remote calls a job kind makes, for the timeline.
fn calls(kind: JobKind) -> &'static str {
    match kind {
        JobKind::ApplyInboundEvent => apply_inbound_event::CALLS,
        JobKind::CreatePackage => create_package::CALLS,
        JobKind::UpdatePackage => update_package::CALLS,
        JobKind::CancelPackage => cancel_package::CALLS,
        JobKind::AttachLabel => attach_label::CALLS,
        JobKind::Reconcile => reconcile::CALLS,
        JobKind::CreateTicket => create_ticket::CALLS,
        JobKind::MoveTicket => move_ticket::CALLS,
        JobKind::WriteBackToShop => write_back_to_shop::CALLS,
        JobKind::ExpireConfirmation | JobKind::RemindConfirmation => expire_confirmation::CALLS,
        JobKind::Operator => "workflow",
        JobKind::Handover => handover::CALLS,
        JobKind::CreateReplacement => create_replacement::CALLS,
    }
}

#[async_trait]
impl JobExecutor for JobRunner {
    async fn execute(&self, record: &JobRecord) -> Result<JobEffects, JobError> {
        self.execute_with(record, None).await
    }

    async fn execute_claimed(&self, claimed: &ClaimedJob) -> Result<JobEffects, JobError> {
        self.execute_with(&claimed.job, claimed.inputs.as_deref())
            .await
    }

    fn failure_timeline(&self, record: &JobRecord, error: &JobError) -> Vec<TimelineEntry> {
        let mut line = timeline(
            &record.order_key,
            Utc::now(),
            TimelineKind::Error,
            format!(
                "{} failed (attempt {}): {}",
                record.kind(),
                record.attempts,
                mask_digit_runs(&error.to_string())
            ),
        );
        line.details = serde_json::json!({
            "job": record.kind(),
            "attempt": record.attempts,
            "calls": calls(record.kind()),
        });
        vec![line]
    }
}
