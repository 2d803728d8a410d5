//! Group commit: webhooks arriving together, and jobs finishing together, are stored in one
//! transaction, so one disk sync acknowledges many of them. With `synchronous = FULL` the
//! commit rate is bounded by the disk's sync rate; batching lifts the webhook and job rates far
//! above it without weakening the promise that an acknowledged webhook (or a finished job) is
//! on disk.
//!
//! There is no batching window: while one batch commits, the next requests queue, and the next
//! batch takes them all. A single webhook waits for nothing but its own commit.
//!
//! On SQLite the bridge runs one writer task for both ([`writers`]), on a thread of its own:
//! webhooks, completions and claims share its transactions, so the single writer connection
//! does not take turns between a webhook transaction and a completion transaction, each with
//! its own disk sync. On PostgreSQL, whose transactions run side by side, intake and the
//! workers each have a writer task of their own (`Store::shared_writers`): intake's on the
//! main runtime, the workers' on a thread of its own with its own connection.

use std::time::Duration;

use futures::FutureExt as _;
use tokio::sync::{mpsc, oneshot};

use super::{Intake, JobsFor, NewInboundEvent, Store, StoreError, StoreResult};

struct Request {
    event: NewInboundEvent,
    jobs: JobsFor,
    reply: oneshot::Sender<StoreResult<Intake>>,
}

/// The intake writer: send it webhooks, it commits them in batches.
#[derive(Debug, Clone)]
pub struct IntakeWriter {
    sender: mpsc::Sender<Request>,
}

impl IntakeWriter {
    /// Starts a writer task for webhooks alone. `queue` bounds the waiting webhooks (beyond
    /// it, intake answers 503 at once rather than hang); `max_batch` bounds one transaction.
    pub fn spawn(store: Store, queue: usize, max_batch: usize) -> IntakeWriter {
        let (sender, receiver) = mpsc::channel(queue.max(1));
        let limits = Limits {
            intake: max_batch.max(1),
            completions: 1,
        };
        tokio::spawn(write(store, Some(receiver), None, limits));
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

/// Group commit for job completions: jobs finishing together are marked done, with their
/// effects, in one transaction (each all or nothing on its own, see [`Store::complete_jobs`]).
/// A worker still waits for its own job's commit before taking the next one, so nothing is
/// acknowledged before it is on disk. Claims go through the same writer and join the next
/// batch's transaction: on SQLite's single writer a claim on its own would cost a transaction
/// and a disk sync for one statement. A worker finishing a job can ask for its next job in the
/// same transaction ([`CompletionWriter::complete`] with `claim_next`): it goes straight on,
/// instead of handing its slot back and waiting for another batch to claim for it.
#[derive(Debug, Clone)]
pub struct CompletionWriter {
    sender: mpsc::Sender<WriterRequest>,
    /// The connection the writer has to itself, when it has one, closed with the store.
    own_connection: Option<sqlx::AnyPool>,
}

enum WriterRequest {
    // Boxed: a completion carries an order (over a kilobyte), a claim a few words.
    Complete(Box<Completion>),
    Claim(ClaimRequest),
}

struct Completion {
    job: super::ClaimedJob,
    effects: super::JobEffects,
    /// Whether to claim one more job for this worker.
    claim_next: Option<Duration>,
    reply: oneshot::Sender<(StoreResult<()>, Option<super::ClaimedJob>)>,
}

struct ClaimRequest {
    limit: u32,
    lease: Duration,
    reply: oneshot::Sender<StoreResult<Vec<super::ClaimedJob>>>,
}

impl CompletionWriter {
    /// Starts a writer task for completions and claims alone; `max_batch` bounds one
    /// transaction.
    pub fn spawn(store: Store, max_batch: usize) -> CompletionWriter {
        let (sender, receiver) = mpsc::channel(max_batch.max(1) * 4);
        let limits = Limits {
            intake: 1,
            completions: max_batch.max(1),
        };
        tokio::spawn(write(store, None, Some(receiver), limits));
        CompletionWriter {
            sender,
            own_connection: None,
        }
    }

    /// As [`CompletionWriter::spawn`], on a thread and a runtime of its own, writing through a
    /// connection opened there (PostgreSQL; the module's `spawn_on_its_own_thread` says why).
    pub fn spawn_on_its_own_thread(store: Store, max_batch: usize) -> CompletionWriter {
        let (sender, receiver) = mpsc::channel(max_batch.max(1) * 4);
        let limits = Limits {
            intake: 1,
            completions: max_batch.max(1),
        };
        // Opened on first use, in the writer's runtime: a connection answers through the I/O
        // driver of the runtime that opened it, so the writer is woken there at once, not
        // through the main runtime's queue.
        let own_connection = sqlx::any::AnyPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(store.writer.options().get_acquire_timeout())
            .connect_lazy_with((*store.writer.connect_options()).clone());
        let writer = own_connection.clone();
        spawn_on_its_own_thread(Driver::TimeAndIo, move || {
            write(Store { writer, ..store }, None, Some(receiver), limits)
        });
        CompletionWriter {
            sender,
            own_connection: Some(own_connection),
        }
    }

    /// Closes the writer's own connection, if it has one (at shutdown, with the store's).
    pub(super) async fn close(&self) {
        if let Some(connection) = &self.own_connection {
            connection.close().await;
        }
    }

    /// Marks `job` done with its effects; returns once committed (or why not). With
    /// `claim_next` (a lease), also claims the worker's next job in the same transaction.
    pub async fn complete(
        &self,
        job: super::ClaimedJob,
        effects: super::JobEffects,
        claim_next: Option<Duration>,
    ) -> (StoreResult<()>, Option<super::ClaimedJob>) {
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
    pub async fn claim(&self, limit: u32, lease: Duration) -> StoreResult<Vec<super::ClaimedJob>> {
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

/// One writer task for webhooks, completions and claims: see the module's documentation.
/// `queue` bounds the waiting webhooks, `intake_batch` the webhooks of one transaction and
/// `max_batch` its completions.
pub fn writers(
    store: Store,
    queue: usize,
    intake_batch: usize,
    max_batch: usize,
) -> (IntakeWriter, CompletionWriter) {
    let (intake, intake_receiver) = mpsc::channel(queue.max(1));
    let (work, work_receiver) = mpsc::channel(max_batch.max(1) * 4);
    let limits = Limits {
        intake: intake_batch.max(1),
        completions: max_batch.max(1),
    };
    spawn_on_its_own_thread(Driver::Time, move || {
        write(store, Some(intake_receiver), Some(work_receiver), limits)
    });
    (
        IntakeWriter { sender: intake },
        CompletionWriter {
            sender: work,
            own_connection: None,
        },
    )
}

/// Which drivers a writer's runtime has.
#[derive(Clone, Copy)]
enum Driver {
    /// Timers only (the pool's acquire timeout): SQLite's connection runs on a thread of its
    /// own and answers through a channel.
    Time,
    /// Timers and network I/O: PostgreSQL's connection is a socket.
    TimeAndIo,
}

/// Runs a writer task on a thread and a runtime of its own. Each statement of a transaction
/// is a hand-off to the connection (SQLite's thread, or PostgreSQL's socket) and the writer's
/// transactions follow one another: on the main runtime every answer queued the writer
/// behind the workers' and connections' tasks (a runtime thread looks at tasks woken from
/// outside every ~200 µs of polling), and that is what SQLite's transactions spent most of
/// their time on (docs/benchmarks.md, session 7). On a thread of its own an answer wakes it at
/// once. PostgreSQL's completion writer gained from it too once the workers were 256 (session
/// 10: more of the two cores busy, backlogs drained about 15 % faster); its intake writer
/// stays on the main runtime (on a thread of its own, sessions 7 and 10: smaller batches of
/// webhooks, faster acknowledgements, no more orders through).
///
/// SQLite's runtime has no I/O driver: with one, each of the ~80 times a transaction waits
/// for an answer (a statement's end, or one returned row) the thread slept in `epoll_wait`
/// and was woken through an `eventfd`; without one it sleeps on a futex. Measured: bridge CPU
/// per order −10 % (docs/benchmarks.md, session 8).
fn spawn_on_its_own_thread<F>(driver: Driver, writer: impl FnOnce() -> F + Send + 'static)
where
    F: std::future::Future<Output = ()>,
{
    let started = std::thread::Builder::new()
        .name("bridge-writer".to_owned())
        .spawn(move || {
            let mut builder = tokio::runtime::Builder::new_current_thread();
            match driver {
                Driver::Time => builder.enable_time(),
                Driver::TimeAndIo => builder.enable_all(),
            };
            match builder.build() {
                Ok(runtime) => runtime.block_on(writer()),
                Err(error) => tracing::error!(error = %error, "the writer's runtime did not start"),
            }
        });
    if let Err(error) = started {
        tracing::error!(error = %error, "the writer's thread did not start");
    }
}

/// How much one transaction takes.
#[derive(Clone, Copy)]
struct Limits {
    intake: usize,
    completions: usize,
}

/// The next request of `receiver`, or `None` at once when there is none (or it closed).
async fn next_of<T>(receiver: &mut Option<mpsc::Receiver<T>>) -> Option<T> {
    match receiver {
        Some(receiver) => receiver.recv().await,
        None => None,
    }
}

async fn write(
    store: Store,
    mut intake_receiver: Option<mpsc::Receiver<Request>>,
    mut work_receiver: Option<mpsc::Receiver<WriterRequest>>,
    limits: Limits,
) {
    let writer = match (&intake_receiver, &work_receiver) {
        (Some(_), Some(_)) => "shared",
        (Some(_), None) => "intake",
        _ => "completions",
    };
    loop {
        let mut intake = Vec::new();
        let mut batch = Vec::new();
        let mut claims = Vec::new();
        let mut take = |request: WriterRequest, batch: &mut Vec<Completion>| match request {
            WriterRequest::Complete(completion) => batch.push(*completion),
            WriterRequest::Claim(claim) => claims.push(claim),
        };
        // Wait for the first request of either kind; then take what else is waiting.
        tokio::select! {
            Some(request) = next_of(&mut work_receiver) => take(request, &mut batch),
            Some(request) = next_of(&mut intake_receiver) => intake.push(request),
            else => return,
        }
        if let Some(receiver) = &mut work_receiver {
            while batch.len() < limits.completions {
                match receiver.try_recv() {
                    Ok(request) => take(request, &mut batch),
                    Err(_) => break,
                }
            }
        }
        if let Some(receiver) = &mut intake_receiver {
            while intake.len() < limits.intake {
                match receiver.try_recv() {
                    Ok(request) => intake.push(request),
                    Err(_) => break,
                }
            }
        }
        // How long each transaction keeps the writer: its sum over time is how busy the
        // writer is (near 1 s per second, it is what bounds webhooks and jobs).
        let started = std::time::Instant::now();
        // A panic in one batch (a webhook's job-maker, a bug) must not end the writer: the
        // batch's callers get no answer (a webhook is refused with 503 and sent again, a job's
        // lease runs out and it runs again), and the next batch goes on.
        let written = std::panic::AssertUnwindSafe(write_batch(&store, intake, batch, claims))
            .catch_unwind()
            .await;
        if written.is_err() {
            tracing::error!(
                writer,
                "a batch of the writer panicked; its callers get no answer"
            );
        }
        metrics::histogram!("bridge_store_writer_batch_seconds", "writer" => writer)
            .record(started.elapsed().as_secs_f64());
    }
}

/// [`Store::write_batch`], where a completion that panics (a value no check foresaw) fails
/// alone: the batch's transaction was dropped (rolled back), so each completion is written
/// again on its own and the one that panics again gets an error — the writer and the rest of
/// the batch go on. The webhooks of such a batch are answered 503 (stored raw, they cannot be
/// what panicked; their senders retry, and redeliveries are recognised).
async fn write_or_isolate(
    store: &Store,
    pairs: &[(&super::ClaimedJob, &super::JobEffects)],
    inputs: Vec<(NewInboundEvent, JobsFor)>,
    claim: Option<(u32, Duration)>,
    now: chrono::DateTime<chrono::Utc>,
) -> super::WrittenBatch {
    use futures::FutureExt as _;
    use std::panic::AssertUnwindSafe;
    let webhooks = inputs.len();
    let all = AssertUnwindSafe(store.write_batch(pairs, inputs, claim, now))
        .catch_unwind()
        .await;
    if let Ok(written) = all {
        return written;
    }
    tracing::error!(
        completions = pairs.len(),
        webhooks,
        "writing a batch panicked: writing its completions one by one"
    );
    let panicked = || StoreError::Corrupt("writing this panicked (see the log)".to_owned());
    let mut completions = Vec::with_capacity(pairs.len());
    for pair in pairs {
        let one = AssertUnwindSafe(store.write_batch(&[*pair], Vec::new(), None, now))
            .catch_unwind()
            .await;
        completions.push(match one {
            Ok(mut written) => written.completions.pop().unwrap_or_else(|| Err(panicked())),
            Err(_) => Err(panicked()),
        });
    }
    let claimed = match claim {
        Some((limit, lease)) => store.claim_jobs(limit, lease, now).await,
        None => Ok(Vec::new()),
    };
    super::WrittenBatch {
        completions,
        intake: Err(StoreError::BatchFailed(
            "the batch it was written with panicked".to_owned(),
        )),
        claimed,
    }
}

/// Commits one batch and answers everyone in it.
async fn write_batch(
    store: &Store,
    intake: Vec<Request>,
    batch: Vec<Completion>,
    claims: Vec<ClaimRequest>,
) {
    // One claim serves every request: first the workers asking for their next job (one
    // each, they hold a slot already), then the pool's own claims.
    let chained = batch.iter().filter(|c| c.claim_next.is_some()).count() as u32;
    let limit: u32 = chained + claims.iter().map(|c| c.limit).sum::<u32>();
    let lease = batch
        .iter()
        .find_map(|c| c.claim_next)
        .or_else(|| claims.first().map(|c| c.lease));
    let claim = lease.filter(|_| limit > 0).map(|lease| (limit, lease));
    if !batch.is_empty() {
        metrics::histogram!("bridge_completion_batch_size").record(batch.len() as f64);
    }
    if !intake.is_empty() {
        metrics::histogram!("bridge_intake_batch_size").record(intake.len() as f64);
    }
    let pairs: Vec<(&super::ClaimedJob, &super::JobEffects)> =
        batch.iter().map(|c| (&c.job, &c.effects)).collect();
    let (inputs, intake_replies): (Vec<_>, Vec<_>) = intake
        .into_iter()
        .map(|r| ((r.event, r.jobs), r.reply))
        .unzip();
    let now = chrono::Utc::now();
    let (results, stored, claimed) = if pairs.is_empty() && inputs.is_empty() {
        let (limit, lease) = claim.unwrap_or((0, Duration::ZERO));
        (
            Vec::new(),
            Ok(Vec::new()),
            store.claim_jobs(limit, lease, now).await,
        )
    } else {
        let size = inputs.len();
        let written = write_or_isolate(store, &pairs, inputs, claim, now).await;
        if let Err(error) = &written.intake {
            tracing::error!(error = %error, size, "storing a batch of webhooks failed");
        }
        (written.completions, written.intake, written.claimed)
    };
    match stored {
        Ok(intakes) => {
            for (reply, intake) in intake_replies.into_iter().zip(intakes) {
                // The caller may have gone (client disconnected): the webhook is stored anyway.
                drop(reply.send(Ok(intake)));
            }
        }
        Err(error) => {
            let message = error.to_string();
            for reply in intake_replies {
                drop(reply.send(Err(StoreError::BatchFailed(message.clone()))));
            }
        }
    }
    let (mut claimed, claim_error) = match claimed {
        Ok(claimed) => (claimed.into_iter(), None),
        Err(error) => (Vec::new().into_iter(), Some(error.to_string())),
    };
    // Jobs nobody is left to run (their claimer went away, shutting down) go back now rather
    // than when their lease ends.
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
