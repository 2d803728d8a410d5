//! Jobs that talk to ShaQ: create, update and cancel packages, labels, reconciliation.

use std::time::Duration;

use chrono::Utc;

use super::Pipeline;
use super::convert::{PackagePlan, package_request};
use super::ports::{Label, UpstreamError};
use crate::jobs::{JobKind, JobRecord, NewJob};
use crate::lifecycle::OrderState;
use crate::store::JobEffects;
use crate::worker::JobError;
use crate::workflow::{
    CourierNews, Decision, MoveTicket, ShopMilestone, WriteBackToShop, on_courier_status, timeline,
};

/// The ticket key shown once the package exists.
const PACKAGE_CREATED: &str = "package_created";

impl Pipeline {
    pub(super) async fn create_package(&self, job: &JobRecord) -> Result<JobEffects, JobError> {
        let order = self.order(job).await?;
        let now = Utc::now();
        if order.tracking_number.is_some() {
            return Ok(JobEffects::default());
        }
        if matches!(
            order.state,
            OrderState::Cancelled | OrderState::NeedsAttention
        ) {
            return Ok(Decision::ignored(
                &order.order_key,
                format!("package not created: the order is {}", order.state),
                now,
            )
            .into_effects());
        }
        let regions = self.regions().await?;
        let request = match package_request(&order, &self.shaq, &regions) {
            PackagePlan::Ready(request) => request,
            PackagePlan::Unshippable(reason) => {
                let mut next = order.clone();
                next.state = OrderState::NeedsAttention;
                next.attention_reason = Some(reason.clone());
                next.updated_at = now;
                return Ok(JobEffects {
                    order: Some(next),
                    inbound_outcome: None,
                    jobs: Vec::new(),
                    timeline: vec![timeline(
                        &order.order_key,
                        now,
                        "attention",
                        format!("needs attention: {reason}"),
                    )],
                });
            }
        };
        let package = self.courier.create_package(&request).await?;
        let mut next = order.clone();
        next.tracking_number = Some(package.tracking_number.clone());
        next.courier_status = Some(package.status.clone());
        next.courier_status_at = Some(now);
        next.amount_to_collect = Some(request.amount_to_collect.to_string());
        next.updated_at = now;
        let key = &order.order_key;
        let label_job = self
            .shaq
            .attach_label
            .then(|| NewJob::new(JobKind::AttachLabel, key, None, serde_json::json!({})));
        let verb = if package.adopted {
            "adopted (it already existed)"
        } else {
            "created"
        };
        Ok(JobEffects {
            order: Some(next),
            inbound_outcome: None,
            jobs: vec![
                NewJob::new(
                    JobKind::MoveTicket,
                    key,
                    Some("package-created"),
                    serde_json::to_value(MoveTicket {
                        status_key: Some(PACKAGE_CREATED.to_owned()),
                        courier_status: Some(package.status.clone()),
                        ..MoveTicket::default()
                    })
                    .unwrap_or_default(),
                ),
                NewJob::new(
                    JobKind::WriteBackToShop,
                    key,
                    Some(ShopMilestone::PackageCreated.as_str()),
                    serde_json::to_value(WriteBackToShop {
                        milestone: ShopMilestone::PackageCreated,
                    })
                    .unwrap_or_default(),
                ),
            ]
            .into_iter()
            .chain(label_job)
            .collect(),
            timeline: vec![timeline(
                key,
                now,
                "call",
                format!(
                    "ShaQ package {} {verb} (collect {} {})",
                    package.tracking_number,
                    request.amount_to_collect,
                    order.currency.as_deref().unwrap_or("")
                ),
            )],
        })
    }

    pub(super) async fn update_package(&self, job: &JobRecord) -> Result<JobEffects, JobError> {
        let order = self.order(job).await?;
        let now = Utc::now();
        if order.tracking_number.is_none() || order.courier_status.as_deref() != Some("pending") {
            return Ok(Decision::ignored(
                &order.order_key,
                "package not updated: it does not exist or was picked up",
                now,
            )
            .into_effects());
        }
        let regions = self.regions().await?;
        let PackagePlan::Ready(request) = package_request(&order, &self.shaq, &regions) else {
            return Err(JobError::permanent(
                "the updated order cannot be shipped as it is: fix it in the shop",
            ));
        };
        self.courier.update_package(&request).await?;
        Ok(JobEffects {
            timeline: vec![timeline(
                &order.order_key,
                now,
                "call",
                "ShaQ package updated with the shop's changes",
            )],
            ..JobEffects::default()
        })
    }

    pub(super) async fn cancel_package(&self, job: &JobRecord) -> Result<JobEffects, JobError> {
        let order = self.order(job).await?;
        let now = Utc::now();
        let key = &order.order_key;
        // A create whose answer was lost may still have made a package: look before giving up.
        let package = match &order.tracking_number {
            Some(tracking) => Some((
                tracking.clone(),
                order.courier_status.clone().unwrap_or_default(),
            )),
            None => self
                .courier
                .find_package(&order.partner_ref)
                .await?
                .map(|p| (p.tracking_number, p.status)),
        };
        let Some((tracking, status)) = package else {
            return Ok(JobEffects {
                timeline: vec![timeline(key, now, "call", "no ShaQ package to cancel")],
                ..JobEffects::default()
            });
        };
        let summary = if status == "pending" {
            match self.courier.delete_package(&order.partner_ref).await {
                Ok(()) => format!("ShaQ package {tracking} deleted (it was still pending)"),
                Err(UpstreamError::NotFound { .. }) => {
                    format!("ShaQ package {tracking} was already gone")
                }
                Err(error) => return Err(error.into()),
            }
        } else {
            self.courier
                .cancel_order(&order.partner_ref, &tracking)
                .await?;
            format!("ShaQ asked to cancel package {tracking} (status {status})")
        };
        Ok(JobEffects {
            timeline: vec![timeline(key, now, "call", summary)],
            ..JobEffects::default()
        })
    }

    pub(super) async fn attach_label(&self, job: &JobRecord) -> Result<JobEffects, JobError> {
        let order = self.order(job).await?;
        let now = Utc::now();
        let Some(ticket_id) = order.ticket_id.clone() else {
            return Err(JobError::permanent(
                "no ticket to attach the label to (retry the create_ticket job first)",
            ));
        };
        let url = match self.courier.label(&order.partner_ref).await? {
            Label::NotReady => {
                return Err(JobError::Retryable {
                    message: "the ShaQ label is not ready yet".to_owned(),
                    retry_after: Some(Duration::from_secs(60)),
                });
            }
            Label::Ready(url) => url,
        };
        let bytes = self.download(&url).await?;
        let file_name = format!("label-{}", order.partner_ref);
        let media = self.ticketing.upload_document(&file_name, bytes).await?;
        let mut data = self.campaign_data(&order, &MoveTicket::default());
        data.insert("label".to_owned(), media);
        self.ticketing
            .update_ticket(&ticket_id, None, &data)
            .await?;
        Ok(JobEffects {
            timeline: vec![timeline(
                &order.order_key,
                now,
                "ticket",
                "ShaQ label attached to the ticket",
            )],
            ..JobEffects::default()
        })
    }

    async fn download(&self, url: &str) -> Result<Vec<u8>, JobError> {
        let response = self
            .http
            .get(url)
            .timeout(Duration::from_secs(30))
            .send()
            .await
            .map_err(|_| JobError::retryable("downloading the label failed"))?;
        if !response.status().is_success() {
            return Err(JobError::retryable(format!(
                "downloading the label: HTTP {}",
                response.status()
            )));
        }
        let bytes = response
            .bytes()
            .await
            .map_err(|_| JobError::retryable("downloading the label was cut off"))?;
        if bytes.len() > 10 * 1024 * 1024 {
            return Err(JobError::permanent("the label is larger than 10 MiB"));
        }
        Ok(bytes.to_vec())
    }

    /// Applies the statuses a package went through since the last one the bridge applied, as
    /// if their webhooks had arrived (a lost webhook heals itself).
    pub(super) async fn reconcile(&self, job: &JobRecord) -> Result<JobEffects, JobError> {
        let order = self.order(job).await?;
        let now = Utc::now();
        let Some(tracking) = order.tracking_number.clone() else {
            return Ok(JobEffects::default());
        };
        let mut steps = self.courier.track(&tracking).await?;
        steps.sort_by_key(|step| step.at);
        let mut current = order.clone();
        let mut effects = JobEffects::default();
        let mut applied = 0;
        // ShaQ's history has minute precision: several steps can share a time. A step at the
        // time of the last applied one is new only if it comes after that one.
        let last_applied = (current.courier_status_at, current.courier_status.clone());
        let mut past_last = false;
        for step in steps {
            let is_new = match &last_applied {
                (None, _) => true,
                (Some(last), status) => {
                    if step.at == *last && status.as_deref() == Some(step.status.as_str()) {
                        past_last = true;
                        continue;
                    }
                    step.at > *last || (step.at == *last && past_last)
                }
            };
            if !is_new {
                continue;
            }
            let news = CourierNews {
                event_id: format!("reconcile:{}:{}", step.status, step.at.timestamp()),
                occurred_at: step.at,
                status: step.status.clone(),
                description: step.description.clone(),
                comment: None,
                proof_url: None,
            };
            let decision = on_courier_status(&current, &news, &self.mapping, now);
            if let Some(next) = decision.order {
                current = next;
            }
            effects.jobs.extend(decision.jobs);
            effects.timeline.extend(decision.timeline);
            applied += 1;
        }
        if applied > 0 {
            effects.timeline.push(timeline(
                &order.order_key,
                now,
                "reconcile",
                format!("reconciliation applied {applied} missed courier status(es)"),
            ));
            effects.order = Some(current);
        }
        Ok(effects)
    }
}
