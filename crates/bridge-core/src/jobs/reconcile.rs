//! `reconcile`: ShaQ's history of a package whose news is stale, so the workflow can apply the
//! statuses whose webhooks were lost.

use super::JobError;
use super::services::Services;
use crate::workflow::{JobNews, TrackedOrder, TrackingStep};

pub(super) const CALLS: &str = "ShaQ GET /tracking/{tracking_number}";

pub(super) async fn run(services: &Services, order: &TrackedOrder) -> Result<JobNews, JobError> {
    let shop = services.shop(order.shop_id())?;
    let Some(tracking) = order.tracking_number() else {
        return Ok(JobNews::TrackingHistory(Vec::new()));
    };
    let history = shop.shaq.track(tracking.as_str()).await?;
    Ok(JobNews::TrackingHistory(
        history
            .tracking
            .into_iter()
            .filter_map(|step| {
                Some(TrackingStep {
                    status: step.status,
                    description: step.description,
                    comment: step.comment,
                    at: step.date?,
                })
            })
            .collect(),
    ))
}
