//! Group commit for intake: webhooks arriving together are stored in one transaction, so one
//! disk sync acknowledges many of them. With `synchronous = FULL` the commit rate is bounded by
//! the disk's sync rate; batching lifts the webhook rate far above it without weakening the
//! promise that an acknowledged webhook is on disk.
//!
//! There is no batching window: while one batch commits, the next requests queue, and the next
//! batch takes them all. A single webhook waits for nothing but its own commit.

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
/// acknowledged before it is on disk.
#[derive(Clone)]
pub struct CompletionWriter {
    sender: mpsc::Sender<Completion>,
}

struct Completion {
    job: crate::jobs::ClaimedJob,
    effects: super::JobEffects,
    reply: oneshot::Sender<StoreResult<()>>,
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
            .send(Completion {
                job,
                effects,
                reply,
            })
            .await
            .map_err(|_| StoreError::Closed)?;
        answer.await.map_err(|_| StoreError::Closed)?
    }
}

async fn complete(store: Store, mut receiver: mpsc::Receiver<Completion>, max_batch: usize) {
    while let Some(first) = receiver.recv().await {
        let mut batch = vec![first];
        while batch.len() < max_batch {
            match receiver.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        metrics::histogram!("bridge_completion_batch_size").record(batch.len() as f64);
        let pairs: Vec<(&crate::jobs::ClaimedJob, &super::JobEffects)> =
            batch.iter().map(|c| (&c.job, &c.effects)).collect();
        let results = store.complete_jobs(&pairs, chrono::Utc::now()).await;
        for (completion, result) in batch.into_iter().zip(results) {
            drop(completion.reply.send(result));
        }
    }
}
