//! A job the workflow decided to run. Its constructor is private to the workflow: no other
//! module can put work in the queue.

use chrono::{DateTime, Utc};

use super::{Job, OrderJob};
use crate::domain::OrderKey;

/// A job to enqueue. Enqueueing the same `dedupe_key` twice is a no-op, whatever the state of
/// the first one: that is what makes redelivered webhooks and replayed workflow steps harmless.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    job: Job,
    order_key: OrderKey,
    dedupe_key: String,
    run_at: Option<DateTime<Utc>>,
}

impl NewJob {
    /// A job with the conventional dedupe key `kind:order_key[:discriminator]`.
    pub(in crate::workflow) fn new(
        job: impl Into<Job>,
        order_key: &OrderKey,
        discriminator: Option<&str>,
    ) -> Self {
        let job = job.into();
        let kind = job.kind();
        let dedupe_key = match discriminator {
            Some(extra) => format!("{kind}:{order_key}:{extra}"),
            None => format!("{kind}:{order_key}"),
        };
        // A shop that keeps failing must not hold the order's other jobs back: its write-backs
        // take a lane of their own (the dedupe key stays the order's).
        let queue_key = match job {
            Job::Order(OrderJob::WriteBackToShop { .. }) => order_key.write_back_lane(),
            _ => order_key.clone(),
        };
        NewJob {
            job,
            order_key: queue_key,
            dedupe_key,
            run_at: None,
        }
    }

    /// Any job, for the store's conformance suite.
    #[cfg(any(test, feature = "test-support"))]
    pub fn for_tests(job: impl Into<Job>, order_key: &str, dedupe_key: &str) -> Self {
        NewJob {
            job: job.into(),
            order_key: OrderKey::new(order_key),
            dedupe_key: dedupe_key.to_owned(),
            run_at: None,
        }
    }

    /// Delay the job until `at`.
    pub fn run_at(mut self, at: DateTime<Utc>) -> Self {
        self.run_at = Some(at);
        self
    }

    /// What it does.
    pub fn job(&self) -> &Job {
        &self.job
    }

    /// The order it belongs to; jobs of one order run one at a time, in enqueue order.
    pub fn order_key(&self) -> &OrderKey {
        &self.order_key
    }

    /// Unique across all jobs ever enqueued.
    pub fn dedupe_key(&self) -> &str {
        &self.dedupe_key
    }

    /// Not before this time (`None`: at once).
    pub fn not_before(&self) -> Option<DateTime<Utc>> {
        self.run_at
    }
}
