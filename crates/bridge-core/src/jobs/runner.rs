//! The job runner: reads a job's order, asks the workflow whether the call is still needed,
//! lets the job's executor make it, and asks the workflow what the news means. The worker pool
//! commits the answer with the job's completion.

use std::time::Instant;

use async_trait::async_trait;
use chrono::Utc;

use super::services::Services;
use super::{
    ClaimedJob, Job, JobError, JobInputs, JobKind, JobRecord, OrderJob, SystemJob,
    apply_inbound_event, attach_invoice, attach_label, cancel_package, create_package,
    create_replacement, create_ticket, expire_confirmation, handover, move_ticket, notify,
    read_package, reconcile, update_package, write_back_to_shop,
};
use crate::domain::{OrderKey, mask_digit_runs};
use crate::store::JobEffects;
use crate::worker::JobExecutor;
use crate::workflow::guards::{Precheck, precheck};
use crate::workflow::{
    self, Decision, JobNews, Rules, Said, TimelineEntry, TimelineKind, TrackedOrder, timeline,
};

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
        match &record.job {
            Job::ApplyInboundEvent { event_id } => {
                let (order, news) =
                    apply_inbound_event::run(services, *event_id, key, inputs).await?;
                workflow::decide_inbound(&self.rules, key, order.as_ref(), news, Utc::now())
            }
            Job::System(SystemJob::Handover { shipment_id }) => {
                handover::run(services, &self.rules, *shipment_id).await
            }
            Job::System(SystemJob::Notify {
                order_key,
                reason,
                text,
            }) => notify::run(services, order_key, reason, text).await,
            Job::Order(job) => {
                // A job in a lane of its order's (its write-backs) reads the order itself.
                let key = &key.order();
                let order = match inputs {
                    Some(inputs) => inputs.order.clone().ok_or_else(|| not_stored(key))?,
                    None => services.order(key).await?,
                };
                self.run_order_job(record, job, &order).await
            }
        }
    }

    /// One step of a stored order.
    async fn run_order_job(
        &self,
        record: &JobRecord,
        job: &OrderJob,
        order: &TrackedOrder,
    ) -> Result<Decision, JobError> {
        let services = &self.services;
        match precheck(job, order, &self.rules, Utc::now()) {
            Precheck::Proceed => {}
            Precheck::Skip(decision) => return Ok(*decision),
            Precheck::Fail(error) => return Err(error),
        }
        let news = match job {
            OrderJob::CreatePackage => {
                let shop = self.rules.shop(order.shop_id())?;
                create_package::run(services, order, &shop.regions).await?
            }
            OrderJob::UpdatePackage => {
                let shop = self.rules.shop(order.shop_id())?;
                update_package::run(services, order, &shop.regions).await?
            }
            OrderJob::CancelPackage => cancel_package::run(services, order).await?,
            OrderJob::AttachLabel => attach_label::run(services, order).await?,
            OrderJob::AttachInvoice => attach_invoice::run(services, order).await?,
            OrderJob::Reconcile => reconcile::run(services, order).await?,
            OrderJob::ReadPackage => read_package::run(services, order).await?,
            OrderJob::CreateTicket {
                status_key,
                invoice_until,
            } => {
                create_ticket::run(
                    services,
                    order,
                    status_key,
                    *invoice_until,
                    record.may_have_run_before(),
                )
                .await?
            }
            OrderJob::MoveTicket(payload) => move_ticket::run(services, order, payload).await?,
            OrderJob::WriteBackToShop { milestone } => {
                write_back_to_shop::run(services, order, *milestone).await?
            }
            OrderJob::ExpireConfirmation => expire_confirmation::run(),
            OrderJob::RemindConfirmation { number, of, held } => JobNews::ReminderDue {
                number: *number,
                of: *of,
                held: *held,
            },
            OrderJob::Operator(request) => {
                return workflow::decide_request(&self.rules, order, request.clone(), Utc::now());
            }
            OrderJob::ForgetCustomer => JobNews::RetentionDue,
            OrderJob::CreateReplacement { after_sale, number } => {
                let shop = self.rules.shop(order.shop_id())?;
                create_replacement::run(services, order, &shop.regions, *after_sale, *number)
                    .await?
            }
        };
        Ok(workflow::decide(&self.rules, order, news, Utc::now()))
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
            Job::Order(_) | Job::System(_) => None,
        };
        Ok(JobEffects {
            order: decision.order,
            jobs: decision.jobs,
            timeline,
            inbound_outcome,
        })
    }
}

fn not_stored(key: &OrderKey) -> JobError {
    JobError::permanent(format!("order {key} is not stored"))
}

/// The remote calls a job kind makes, for the timeline.
fn calls(kind: JobKind) -> &'static str {
    match kind {
        JobKind::ApplyInboundEvent => apply_inbound_event::CALLS,
        JobKind::CreatePackage => create_package::CALLS,
        JobKind::UpdatePackage => update_package::CALLS,
        JobKind::CancelPackage => cancel_package::CALLS,
        JobKind::AttachLabel => attach_label::CALLS,
        JobKind::AttachInvoice => attach_invoice::CALLS,
        JobKind::ReadPackage => read_package::CALLS,
        JobKind::Reconcile => reconcile::CALLS,
        JobKind::CreateTicket => create_ticket::CALLS,
        JobKind::MoveTicket => move_ticket::CALLS,
        JobKind::WriteBackToShop => write_back_to_shop::CALLS,
        JobKind::ExpireConfirmation | JobKind::RemindConfirmation => expire_confirmation::CALLS,
        JobKind::Operator | JobKind::ForgetCustomer => "workflow",
        JobKind::Notify => notify::CALLS,
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
            &record.order_key.order(),
            Utc::now(),
            TimelineKind::Error,
            Said::new("line-job-failed")
                .with("job", record.kind())
                .text("attempt", record.attempts)
                .text("error", mask_digit_runs(&error.to_string())),
        );
        line.details = serde_json::json!({
            "job": record.kind(),
            "attempt": record.attempts,
            "calls": calls(record.kind()),
        });
        vec![line]
    }
}
