//! `notify`: post a notice for people to `[alerts].notify_url` (an order needs someone, a job
//! gave up). Retried like any job; once per order and reason, by its key.

use super::JobError;
use super::services::Services;
use crate::domain::OrderKey;
use crate::workflow::Decision;

pub(super) const CALLS: &str = "POST alerts.notify_url";

pub(super) async fn run(
    services: &Services,
    order_key: &OrderKey,
    reason: &str,
    text: &str,
) -> Result<Decision, JobError> {
    services.notices()?.post(order_key, reason, text).await?;
    Ok(Decision::nothing())
}
