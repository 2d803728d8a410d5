//! The worker pool: claims jobs with a lease, runs them in parallel, and finishes each as done,
//! retried (per the [`RetryPolicy`]) or dead.
//!
//! Workers are woken through [`JobWaker`] when a job is enqueued, so new work starts within
//! milliseconds; polling is only the safety net (for jobs that became due, and for jobs enqueued
//! by another replica).

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::Utc;
use futures::FutureExt;
use serde::{Deserialize, Serialize};
use tokio::sync::{Notify, Semaphore};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::{Instrument, info_span};

use crate::domain::mask_digit_runs;
use crate::retry::{RetryDecision, RetryPolicy};
use crate::store::{Backend, CompletionWriter, JobEffects, Store, StoreError};
use crate::store::{ClaimedJob, JobRecord};
pub use crate::workflow::JobError;
use crate::workflow::TimelineEntry;

/// Runs one job. Implementations must be idempotent: a job can run more than once (a crash
/// after the remote call but before the completion was committed).
#[async_trait]
pub trait JobExecutor: Send + Sync + 'static {
    /// Do the job's work and say what to store.
    async fn execute(&self, job: &JobRecord) -> Result<JobEffects, JobError>;

    /// [`JobExecutor::execute`] for a job as claimed, with what its claim read for it
    /// ([`ClaimedJob::inputs`]); executors that need nothing of it keep this default.
    async fn execute_claimed(&self, claimed: &ClaimedJob) -> Result<JobEffects, JobError> {
        self.execute(&claimed.job).await
    }

    /// Timeline lines to add when a job fails (so operators see the error on the order).
    fn failure_timeline(&self, _job: &JobRecord, _error: &JobError) -> Vec<TimelineEntry> {
        Vec::new()
    }
}

/// Worker settings (`[workers]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WorkerSettings {
    /// Whether this process runs jobs at all. `false` makes an intake-only replica: it stores
    /// webhooks and their jobs, and the replicas with workers run them.
    pub enabled: bool,
    /// Jobs run in parallel (jobs of one order never run in parallel with each other). Calls
    /// to each upstream are limited apart (`shaq.max_in_flight`, `digishare.max_in_flight`):
    /// a job spends most of its time on the database and waiting its turn, not on the call.
    /// Unset, it follows the database: see [`WorkerSettings::concurrency_on`].
    pub concurrency: Option<usize>,
    /// How long a claimed job is reserved; a worker that dies loses it after this.
    #[serde(with = "humantime_serde")]
    pub lease: Duration,
    /// Safety-net poll when no wake-up arrives.
    #[serde(with = "humantime_serde")]
    pub poll_interval: Duration,
    /// At shutdown, how long running jobs may take to finish before they are given back.
    #[serde(with = "humantime_serde")]
    pub shutdown_grace: Duration,
    /// When failed jobs run again.
    pub retry: RetryPolicy,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        WorkerSettings {
            enabled: true,
            concurrency: None,
            lease: Duration::from_secs(300),
            poll_interval: Duration::from_secs(1),
            shutdown_grace: Duration::from_secs(20),
            retry: RetryPolicy::default(),
        }
    }
}

impl WorkerSettings {
    /// Jobs in parallel on SQLite when `concurrency` is unset.
    pub const SQLITE_CONCURRENCY: usize = 64;
    /// Jobs in parallel on PostgreSQL when `concurrency` is unset.
    pub const POSTGRES_CONCURRENCY: usize = 256;

    /// How many jobs run in parallel on `backend`: `concurrency` if set, otherwise the
    /// backend's default. A batch of completions costs PostgreSQL about the same handful of
    /// statements whatever its size, and the batches are as large as the jobs in flight, so
    /// PostgreSQL gains from many more workers (256 against 64: 10–20 % more orders a second
    /// in docs/benchmarks.md, session 10); SQLite gains nothing and makes webhooks wait behind larger
    /// transactions, since they share its one writer.
    pub fn concurrency_on(&self, backend: Backend) -> usize {
        self.concurrency.unwrap_or(match backend {
            Backend::Sqlite => Self::SQLITE_CONCURRENCY,
            Backend::Postgres => Self::POSTGRES_CONCURRENCY,
        })
    }

    /// Checks the values, naming the key that is wrong.
    pub fn validate(&self) -> Result<(), String> {
        if self
            .concurrency
            .is_some_and(|concurrency| concurrency == 0 || concurrency > 1024)
        {
            return Err("workers.concurrency must be between 1 and 1024".to_owned());
        }
        if self.lease < Duration::from_secs(5) {
            return Err("workers.lease must be at least 5s".to_owned());
        }
        if self.poll_interval.is_zero() {
            return Err("workers.poll_interval must be more than 0s".to_owned());
        }
        self.retry.validate("workers.retry")
    }
}

/// Wakes the workers after jobs were enqueued. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct JobWaker(Arc<Notify>);

impl JobWaker {
    /// A waker not yet attached to a pool.
    pub fn new() -> Self {
        JobWaker::default()
    }

    /// Tell the pool there is new work.
    pub fn wake(&self) {
        self.0.notify_one();
    }
}

/// How one job ended, for tests and metrics.
#[derive(Debug, Clone, PartialEq)]
pub enum JobOutcome {
    /// Finished; its effects are committed.
    Done,
    /// Will run again at the given time.
    Retried(chrono::DateTime<Utc>),
    /// Gave up.
    Dead,
    /// Another worker owns it now; nothing was committed.
    LeaseLost,
}

/// Runs jobs from the store with an executor.
#[derive(Clone)]
pub struct WorkerPool {
    store: Store,
    executor: Arc<dyn JobExecutor>,
    settings: WorkerSettings,
    waker: JobWaker,
}

impl WorkerPool {
    /// A pool over `store`, woken by `waker`.
    pub fn new(
        store: Store,
        executor: Arc<dyn JobExecutor>,
        settings: WorkerSettings,
        waker: JobWaker,
    ) -> Self {
        WorkerPool {
            store,
            executor,
            settings,
            waker,
        }
    }

    /// Jobs in parallel on this pool's database.
    fn concurrency(&self) -> usize {
        self.settings.concurrency_on(self.store.backend())
    }

    /// Runs until `shutdown` fires; then stops claiming, lets running jobs finish for up to
    /// `shutdown_grace`, and gives back the jobs still running after that.
    pub async fn run_until_stopped(self, shutdown: CancellationToken) {
        let concurrency = self.concurrency();
        let permits = Arc::new(Semaphore::new(concurrency));
        let in_flight: Arc<Mutex<HashMap<i64, ClaimedJob>>> = Arc::default();
        let mut tasks = JoinSet::new();
        tracing::info!(concurrency, "workers started");
        while !shutdown.is_cancelled() {
            while tasks.try_join_next().is_some() {}
            let free = permits.available_permits();
            let claimed = if free == 0 {
                Vec::new()
            } else {
                match self.claim(free as u32).await {
                    Ok(claimed) => claimed,
                    Err(error) => {
                        tracing::error!(error = %error, "claiming jobs failed");
                        Vec::new()
                    }
                }
            };
            if claimed.is_empty() {
                tokio::select! {
                    () = self.waker.0.notified() => {}
                    () = tokio::time::sleep(self.settings.poll_interval) => {}
                    () = shutdown.cancelled() => {}
                }
                continue;
            }
            for job in claimed {
                let Ok(permit) = permits.clone().acquire_owned().await else {
                    break;
                };
                let pool = self.clone();
                let in_flight = in_flight.clone();
                let shutdown = shutdown.clone();
                tasks.spawn(async move {
                    // A slot goes on with the next job claimed with its completion, if any
                    // (not once shutting down): no hand-back, no wait for another claim.
                    let mut next = Some(job);
                    while let Some(job) = next.take() {
                        in_flight
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .insert(job.id(), job.clone());
                        let claim_next = !shutdown.is_cancelled();
                        next = pool.run_and_claim_next(&job, claim_next).await.1;
                        in_flight
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .remove(&job.id());
                    }
                    drop(permit);
                    // Finishing a job may unblock the next job of the same order.
                    pool.waker.wake();
                });
            }
        }
        self.drain_at_shutdown(tasks, in_flight).await;
    }

    async fn drain_at_shutdown(
        &self,
        mut tasks: JoinSet<()>,
        in_flight: Arc<Mutex<HashMap<i64, ClaimedJob>>>,
    ) {
        let running = tasks.len();
        if running > 0 {
            tracing::info!(running, "waiting for running jobs to finish");
        }
        let deadline = tokio::time::sleep(self.settings.shutdown_grace);
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                next = tasks.join_next() => if next.is_none() { break },
                () = &mut deadline => {
                    tasks.abort_all();
                    while tasks.join_next().await.is_some() {}
                    break;
                }
            }
        }
        let leftovers: Vec<ClaimedJob> = in_flight
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain()
            .map(|(_, job)| job)
            .collect();
        for job in leftovers {
            match self.store.release_job(&job, Utc::now()).await {
                Ok(()) => {
                    tracing::warn!(job_id = job.id(), "job interrupted by shutdown, re-queued")
                }
                Err(error) => {
                    tracing::error!(job_id = job.id(), error = %error, "could not re-queue job; its lease will expire")
                }
            }
        }
        tracing::info!("workers stopped");
    }

    /// Claims and runs every runnable job until none is left (for tests and the demo; jobs
    /// scheduled for later are not waited for). Returns how many jobs ran.
    pub async fn drain(&self) -> Result<usize, StoreError> {
        let mut ran = 0;
        loop {
            let claimed = self
                .store
                .claim_jobs(
                    u32::try_from(self.concurrency()).unwrap_or(u32::MAX),
                    self.settings.lease,
                    Utc::now(),
                )
                .await?;
            if claimed.is_empty() {
                return Ok(ran);
            }
            let runs = claimed.iter().map(|job| self.run_claimed(job));
            ran += futures::future::join_all(runs).await.len();
        }
    }

    /// The writer that batches completions and claims, shared with intake (one transaction,
    /// one disk sync, for all that is waiting). On PostgreSQL too: a batch of completions costs
    /// a handful of statements in one transaction instead of a transaction of five or six
    /// statements per job, which is what the database server spent its CPU on
    /// (docs/benchmarks.md).
    fn writer(&self) -> &CompletionWriter {
        self.store.completion_writer()
    }

    /// Claims up to `limit` jobs, in the writer's next batch.
    async fn claim(&self, limit: u32) -> Result<Vec<ClaimedJob>, StoreError> {
        self.writer().claim(limit, self.settings.lease).await
    }

    /// Runs one claimed job and records how it ended.
    pub async fn run_claimed(&self, claimed: &ClaimedJob) -> JobOutcome {
        self.run_and_claim_next(claimed, false).await.0
    }

    /// [`WorkerPool::run_claimed`]; with `claim_next`, the job's completion also claims the
    /// next job for this slot when it can (SQLite's writer: the same transaction).
    async fn run_and_claim_next(
        &self,
        claimed: &ClaimedJob,
        claim_next: bool,
    ) -> (JobOutcome, Option<ClaimedJob>) {
        let job = &claimed.job;
        let span = info_span!("job", job_id = job.id, kind = %job.kind(), order_key = %job.order_key, attempt = job.attempts);
        async move {
            let started = Instant::now();
            let attempts = u32::try_from(job.attempts).unwrap_or(u32::MAX);
            let result = if attempts > self.settings.retry.max_attempts {
                // Claimed more often than its attempts allow: earlier runs never recorded their
                // end (the process died mid-job, or storing the result kept failing). Give up
                // rather than run it forever.
                Err(JobError::permanent(format!(
                    "gave up after {} claims: earlier attempts never finished \
                     (the bridge stopped during the job, or could not store its result)",
                    job.attempts
                )))
            } else {
                AssertUnwindSafe(self.executor.execute_claimed(claimed))
                    .catch_unwind()
                    .await
                    .unwrap_or_else(|_| Err(JobError::retryable("the job panicked")))
            };
            let (outcome, next) = self.finish(claimed, result, claim_next).await;
            let label = match &outcome {
                JobOutcome::Done => "done",
                JobOutcome::Retried(_) => "retried",
                JobOutcome::Dead => "dead",
                JobOutcome::LeaseLost => "lease_lost",
            };
            metrics::counter!("bridge_jobs_finished_total", "kind" => job.kind().as_str(), "outcome" => label).increment(1);
            metrics::histogram!("bridge_job_duration_seconds", "kind" => job.kind().as_str())
                .record(started.elapsed().as_secs_f64());
            (outcome, next)
        }
        .instrument(span)
        .await
    }

    /// Records how the job ended; returns the next job claimed with it (see
    /// [`WorkerPool::run_and_claim_next`]).
    async fn finish(
        &self,
        claimed: &ClaimedJob,
        result: Result<JobEffects, JobError>,
        claim_next: bool,
    ) -> (JobOutcome, Option<ClaimedJob>) {
        let now = Utc::now();
        let job = &claimed.job;
        let stored = match result {
            Ok(effects) => {
                tracing::debug!("job done");
                // Batched: many completions share a transaction, its statements and its disk
                // sync.
                let lease = claim_next.then_some(self.settings.lease);
                let (stored, next) = self
                    .writer()
                    .complete(claimed.clone(), effects, lease)
                    .await;
                match stored {
                    Ok(()) => return (JobOutcome::Done, next),
                    Err(StoreError::LeaseLost { job_id }) => {
                        return (Self::unrecorded(StoreError::LeaseLost { job_id }), next);
                    }
                    // Its effects could not be stored (a constraint, a failing disk): the job
                    // failed, and is retried or buried like any other failure, so it cannot run
                    // forever on lease expiries.
                    Err(error) => {
                        let failed = JobError::retryable(format!(
                            "storing the job's result failed: {error}"
                        ));
                        let (outcome, _) = Box::pin(self.finish(claimed, Err(failed), false)).await;
                        return (outcome, next);
                    }
                }
            }
            Err(ref error) => {
                let timeline = self.executor.failure_timeline(job, error);
                let attempts = u32::try_from(job.attempts).unwrap_or(u32::MAX);
                let decision = match error {
                    JobError::Permanent { .. } => RetryDecision::GiveUp,
                    JobError::Retryable { retry_after, .. } => {
                        self.settings
                            .retry
                            .after_failure(attempts, *retry_after, now)
                    }
                };
                match decision {
                    RetryDecision::RetryAt(at) => {
                        tracing::warn!(error = %mask_digit_runs(&error.to_string()), retry_at = %at, "job failed, will retry");
                        self.store
                            .retry_job(
                                claimed,
                                at,
                                &mask_digit_runs(&error.to_string()),
                                &timeline,
                                now,
                            )
                            .await
                            .map(|()| JobOutcome::Retried(at))
                    }
                    RetryDecision::GiveUp => {
                        tracing::error!(error = %mask_digit_runs(&error.to_string()), "job failed for good, now dead");
                        self.store
                            .bury_job(
                                claimed,
                                &mask_digit_runs(&error.to_string()),
                                &timeline,
                                now,
                            )
                            .await
                            .map(|()| JobOutcome::Dead)
                    }
                }
            }
        };
        match stored {
            Ok(outcome) => (outcome, None),
            Err(error) => (Self::unrecorded(error), None),
        }
    }

    /// A job's end that could not be recorded.
    fn unrecorded(error: StoreError) -> JobOutcome {
        match error {
            StoreError::LeaseLost { .. } => {
                tracing::warn!("lease lost: another worker took this job over");
            }
            error => {
                // The lease will expire and the job will run again; executors are idempotent.
                tracing::error!(error = %error, "could not record the job's end");
            }
        }
        JobOutcome::LeaseLost
    }
}
