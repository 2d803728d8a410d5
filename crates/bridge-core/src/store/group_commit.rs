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
/// and a disk sync for one statement. A worker finishing a job can ask for its next job in the
/// same transaction ([`CompletionWriter::complete`] with `claim_next`): it goes straight on,
/// instead of handing its slot back and waiting for another batch to claim for it.
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
    /// Whether to claim one more job for this worker.
    claim_next: Option<Duration>,
    reply: oneshot::Sender<(StoreResult<()>, Option<crate::jobs::ClaimedJob>)>,
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

    /// Marks `job` done with its effects; returns once committed (or why not). With
    /// `claim_next` (a lease), also claims the worker's next job in the same transaction.
    pub async fn complete(
        &self,
        job: crate::jobs::ClaimedJob,
        effects: super::JobEffects,
        claim_next: Option<Duration>,
    ) -> (StoreResult<()>, Option<crate::jobs::ClaimedJob>) {
        let (reply, answer) = oneshot::channel();
        let request = WriterRequest::Complete(Box::new(Completion {
            job,
            effects,
            claim_next,
            reply,
        }));
        if self.sender.send(request).await.is_err() {
            return (Err(StoreError::Closed), None);
        }
        answer.await.unwrap_or((Err(StoreError::Closed), None))
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
        // One claim serves every request: first the workers asking for their next job (one
        // each, they hold a slot already), then the pool's own claims.
        let chained = batch.iter().filter(|c| c.claim_next.is_some()).count() as u32;
        let limit: u32 = chained + claims.iter().map(|c| c.limit).sum::<u32>();
        let lease = batch
            .iter()
            .find_map(|c| c.claim_next)
            .or_else(|| claims.first().map(|c| c.lease));
        let claim = lease.filter(|_| limit > 0).map(|lease| (limit, lease));
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
        let (mut claimed, claim_error) = match claimed {
            Ok(claimed) => (claimed.into_iter(), None),
            Err(error) => (Vec::new().into_iter(), Some(error.to_string())),
        };
        // Jobs nobody is left to run (their claimer went away, shutting down) go back now
        // rather than when their lease ends.
        let mut unwanted = Vec::new();
        for (completion, result) in batch.into_iter().zip(results) {
            let next = completion.claim_next.and_then(|_| claimed.next());
            if let Err((_, Some(job))) = completion.reply.send((result, next)) {
                unwanted.push(job);
            }
        }
        for request in claims {
            let answer = match &claim_error {
                None => Ok(claimed.by_ref().take(request.limit as usize).collect()),
                Some(message) => Err(StoreError::BatchFailed(message.clone())),
            };
            if let Err(Ok(jobs)) = request.reply.send(answer) {
                unwanted.extend(jobs);
            }
        }
        for job in unwanted {
            drop(store.release_job(&job, chrono::Utc::now()).await);
        }
    }
}
