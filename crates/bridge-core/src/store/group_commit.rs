//! Group commit for intake: webhooks arriving together are stored in one transaction, so one
//! disk sync acknowledges many of them. With `synchronous = FULL` the commit rate is bounded by
//! the disk's sync rate; batching lifts the webhook rate far above it without weakening the
//! promise that an acknowledged webhook is on disk.
//!
//! There is no batching window: while one batch commits, the next requests queue, and the next
//! batch takes them all. A single webhook waits for nothing but its own commit.

use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use super::{Intake, JobsFor, NewInboundEvent, Store, StoreError, StoreResult};

struct Request {
    event: NewInboundEvent,
    jobs: JobsFor,
    reply: oneshot::Sender<StoreResult<Intake>>,
}

/// The intake writer: send it webhooks, it commits them in batches.
#[derive(Clone)]
pub struct IntakeWriter {
    sender: mpsc::Sender<Request>,
}

impl IntakeWriter {
    /// Starts the writer task. `queue` bounds the waiting webhooks (beyond it, intake answers
    /// 503 at once rather than hang); `max_batch` bounds one transaction.
    pub fn spawn(store: Store, queue: usize, max_batch: usize) -> IntakeWriter {
        let (sender, receiver) = mpsc::channel(queue.max(1));
        tokio::spawn(run(store, receiver, max_batch.max(1)));
        IntakeWriter { sender }
    }

    /// Stores one webhook with its jobs; returns once it is committed.
    pub async fn accept(&self, event: NewInboundEvent, jobs: JobsFor) -> StoreResult<Intake> {
        let (reply, answer) = oneshot::channel();
        self.sender
            .try_send(Request { event, jobs, reply })
            .map_err(|e| match e {
                mpsc::error::TrySendError::Full(_) => StoreError::Overloaded,
                mpsc::error::TrySendError::Closed(_) => StoreError::Closed,
            })?;
        answer.await.map_err(|_| StoreError::Closed)?
    }
}

async fn run(store: Store, mut receiver: mpsc::Receiver<Request>, max_batch: usize) {
    while let Some(first) = receiver.recv().await {
        let mut batch = vec![first];
        while batch.len() < max_batch {
            match receiver.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let size = batch.len();
        let (inputs, replies): (Vec<_>, Vec<_>) = batch
            .into_iter()
            .map(|r| ((r.event, r.jobs), r.reply))
            .unzip();
        metrics::histogram!("bridge_intake_batch_size").record(size as f64);
        match store.accept_inbound_batch(inputs).await {
            Ok(intakes) => {
                for (reply, intake) in replies.into_iter().zip(intakes) {
                    // The caller may have gone (client disconnected): the webhook is stored anyway.
                    drop(reply.send(Ok(intake)));
                }
            }
            Err(error) => {
                tracing::error!(error = %error, size, "storing a batch of webhooks failed");
                let message = error.to_string();
                for reply in replies {
                    drop(reply.send(Err(StoreError::BatchFailed(message.clone()))));
                }
            }
        }
    }
}

/// Group commit for job completions: jobs finishing together are marked done, with their
/// effects, in one transaction (each all or nothing on its own, see [`Store::complete_jobs`]).
/// A worker still waits for its own job's commit before taking the next one, so nothing is
/// acknowledged before it is on disk. Claims go through the same writer and join the next
/// batch's transaction: on SQLite's single writer a claim on its own would cost a transaction
/// and a disk sync for one statement.
#[derive(Clone)]
pub struct CompletionWriter {
    sender: mpsc::Sender<WriterRequest>,
}

enum WriterRequest {
    // Boxed: a completion carries an order (over a kilobyte), a claim a few words.
    Complete(Box<Completion>),
    Claim(ClaimRequest),
}

struct Completion {
    job: crate::jobs::ClaimedJob,
    effects: super::JobEffects,
    reply: oneshot::Sender<StoreResult<()>>,
}

struct ClaimRequest {
    limit: u32,
    lease: Duration,
    reply: oneshot::Sender<StoreResult<Vec<crate::jobs::ClaimedJob>>>,
}

impl CompletionWriter {
    /// Starts the writer task; `max_batch` bounds one transaction.
    pub fn spawn(store: Store, max_batch: usize) -> CompletionWriter {
        let (sender, receiver) = mpsc::channel(max_batch.max(1) * 4);
        tokio::spawn(complete(store, receiver, max_batch.max(1)));
        CompletionWriter { sender }
    }

    /// Marks `job` done with its effects; returns once committed (or why not).
    pub async fn complete(
        &self,
        job: crate::jobs::ClaimedJob,
        effects: super::JobEffects,
    ) -> StoreResult<()> {
        let (reply, answer) = oneshot::channel();
        self.sender
            .send(WriterRequest::Complete(Box::new(Completion {
                job,
                effects,
                reply,
            })))
            .await
            .map_err(|_| StoreError::Closed)?;
        answer.await.map_err(|_| StoreError::Closed)?
    }

    /// Claims up to `limit` jobs for `lease`, in the next batch's transaction (or alone when
    /// nothing else is waiting). Returns once committed.
    pub async fn claim(
        &self,
        limit: u32,
        lease: Duration,
    ) -> StoreResult<Vec<crate::jobs::ClaimedJob>> {
        let (reply, answer) = oneshot::channel();
        self.sender
            .send(WriterRequest::Claim(ClaimRequest {
                limit,
                lease,
                reply,
            }))
            .await
            .map_err(|_| StoreError::Closed)?;
        answer.await.map_err(|_| StoreError::Closed)?
    }
}

async fn complete(store: Store, mut receiver: mpsc::Receiver<WriterRequest>, max_batch: usize) {
    while let Some(first) = receiver.recv().await {
        let mut batch = Vec::new();
        let mut claims = Vec::new();
        let mut next = Some(first);
        while let Some(request) = next.take() {
            match request {
                WriterRequest::Complete(completion) => batch.push(*completion),
                WriterRequest::Claim(claim) => claims.push(claim),
            }
            if batch.len() < max_batch {
                next = receiver.try_recv().ok();
            }
        }
        let limit: u32 = claims.iter().map(|c| c.limit).sum();
        let claim = claims.first().map(|c| (limit, c.lease));
        metrics::histogram!("bridge_completion_batch_size").record(batch.len() as f64);
        let pairs: Vec<(&crate::jobs::ClaimedJob, &super::JobEffects)> =
            batch.iter().map(|c| (&c.job, &c.effects)).collect();
        let now = chrono::Utc::now();
        let (results, claimed) = if pairs.is_empty() {
            let (limit, lease) = claim.unwrap_or((0, Duration::ZERO));
            (Vec::new(), store.claim_jobs(limit, lease, now).await)
        } else {
            store.complete_jobs_and_claim(&pairs, claim, now).await
        };
        for (completion, result) in batch.into_iter().zip(results) {
            drop(completion.reply.send(result));
        }
        // Several claim requests share one claim: each takes its share, in order.
        match claimed {
            Ok(claimed) => {
                let mut claimed = claimed.into_iter();
                for request in claims {
                    let share: Vec<_> = claimed.by_ref().take(request.limit as usize).collect();
                    if let Err(Ok(unwanted)) = request.reply.send(Ok(share)) {
                        // The claimer is gone (shutting down): give its jobs back now rather
                        // than when their lease ends.
                        for job in unwanted {
                            drop(store.release_job(&job, chrono::Utc::now()).await);
                        }
                    }
                }
            }
            Err(error) => {
                let message = error.to_string();
                for request in claims {
                    drop(
                        request
                            .reply
                            .send(Err(StoreError::BatchFailed(message.clone()))),
                    );
                }
            }
        }
    }
}
