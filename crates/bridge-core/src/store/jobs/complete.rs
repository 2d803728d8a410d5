//! Finishing: a job done with its effects (the order, follow-up jobs, timeline lines, the
//! webhook's outcome) in one transaction, many jobs to a transaction; retried, buried or given
//! back.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::super::enqueue::insert_jobs;
use super::super::inbound::insert_inbound;
use super::super::orders::{upsert_orders, write_timeline};
use super::super::write::Savepoint;
use super::super::{
    ClaimedJob, JobState, JobsFor, NewInboundEvent, Store, StoreError, StoreResult, TimelineEntry,
    WriteTx, to_millis,
};
use super::{JobEffects, WrittenBatch};
use crate::workflow::{NewJob, TrackedOrder};

/// The end of a job (`$1` its new state, `$2` when it runs again, `$3` why it failed, `$4`
/// now), if its lease (`$5` the job, `$6` the lease) still holds; `$7` is its order. Returns
/// the job's id when the lease held. See "Leases" in the module doc.
macro_rules! finish_sql {
    ($also:literal) => {
        concat!(
            "UPDATE jobs SET state = CASE WHEN id = $5 THEN $1 ELSE 'queued' END, ",
            "run_at = CASE WHEN id = $5 THEN COALESCE($2, run_at) ELSE run_at END, ",
            "last_error = CASE WHEN id = $5 THEN COALESCE($3, last_error) ELSE last_error END, ",
            "lease_until = CASE WHEN id = $5 THEN NULL ELSE lease_until END, ",
            "lease_id = CASE WHEN id = $5 THEN NULL ELSE lease_id END, ",
            "updated_at = CASE WHEN id = $5 THEN $4 ELSE updated_at END ",
            "WHERE (id = $5 AND lease_id = $6)",
            $also,
            " RETURNING id"
        )
    };
}
const FINISH: &str = finish_sql!(" AND order_key = $7");
/// [`FINISH`], and the held jobs of its order go back in the queue (the claim checks them
/// again).
const FINISH_AND_RELEASE_HELD: &str = finish_sql!(" OR (order_key = $7 AND state = 'held')");

/// The statement of [`finish_done`] for `jobs` jobs: `$1` now; then `(id, lease)` pairs; then
/// the orders. A row matched is either one of these jobs, running under its lease, or a held
/// job of one of their orders.
pub(super) fn finish_done_sql(jobs: usize) -> String {
    let mut leases = String::new();
    let mut ids = String::new();
    for i in 0..jobs {
        let (id, lease) = (2 + 2 * i, 3 + 2 * i);
        if i > 0 {
            ids.push_str(", ");
        }
        ids.push_str(&format!("${id}"));
        leases.push_str(&format!(" WHEN ${id} THEN ${lease}"));
    }
    let first_order = 2 + 2 * jobs;
    let orders: Vec<String> = (0..jobs).map(|i| format!("${}", first_order + i)).collect();
    format!(
        "UPDATE jobs SET state = CASE state WHEN 'running' THEN 'done' ELSE 'queued' END, \
         lease_until = NULL, lease_id = NULL, \
         updated_at = CASE state WHEN 'running' THEN $1 ELSE updated_at END \
         WHERE (id IN ({ids}) AND lease_id = CASE id{leases} END) \
         OR (order_key IN ({orders}) AND state = 'held') RETURNING id",
        orders = orders.join(", ")
    )
}

/// Marks finished jobs done if their leases still hold, and puts their orders' held jobs
/// back in the queue, in one statement. Returns the ids of the jobs whose lease held. See
/// "Leases" in the module doc.
async fn finish_done(
    tx: &mut WriteTx,
    jobs: &[&ClaimedJob],
    now: DateTime<Utc>,
) -> StoreResult<std::collections::HashSet<i64>> {
    let sql = finish_done_sql(jobs.len());
    let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(to_millis(now));
    for job in jobs {
        query = query.bind(job.id()).bind(job.lease_id.as_str());
    }
    for job in jobs {
        query = query.bind(job.job.order_key.as_str());
    }
    let updated: Vec<(i64,)> = query.fetch_all(&mut **tx).await?;
    Ok(updated.into_iter().map(|(id,)| id).collect())
}

/// Completions in one go: see [`Store::apply_completions`]. A job whose lease was lost gets
/// its error and nothing of its effects is written.
pub(super) async fn apply_together(
    tx: &mut WriteTx,
    completions: &[(&ClaimedJob, &JobEffects)],
    now: DateTime<Utc>,
) -> StoreResult<Vec<StoreResult<()>>> {
    // A batch of webhooks alone (PostgreSQL's intake writer sends nothing else) has nothing
    // to finish: PostgreSQL refuses the empty `IN ()` SQLite takes, and every such batch
    // failed, was rolled back and started again before this.
    if completions.is_empty() {
        return Ok(Vec::new());
    }
    let jobs: Vec<&ClaimedJob> = completions.iter().map(|(job, _)| *job).collect();
    let finished = finish_done(tx, &jobs, now).await?;
    let kept: Vec<&JobEffects> = completions
        .iter()
        .filter(|(job, _)| finished.contains(&job.id()))
        .map(|(_, effects)| *effects)
        .collect();
    // Jobs of one order run one at a time, so a batch holds one job per order; should two
    // ever meet, the later one's order is the one stored, as if they had run in turn.
    let mut orders: Vec<&TrackedOrder> = Vec::with_capacity(kept.len());
    for order in kept.iter().filter_map(|effects| effects.order.as_ref()) {
        orders.retain(|stored| stored.key() != order.key());
        orders.push(order);
    }
    upsert_orders(tx, &orders, now).await?;
    let new_jobs: Vec<&NewJob> = kept.iter().flat_map(|effects| &effects.jobs).collect();
    insert_jobs(tx, &new_jobs, now).await?;
    let timeline: Vec<&TimelineEntry> = kept.iter().flat_map(|effects| &effects.timeline).collect();
    write_timeline(tx, &timeline).await?;
    let outcomes: Vec<&(i64, String)> = kept
        .iter()
        .filter_map(|effects| effects.inbound_outcome.as_ref())
        .collect();
    if !outcomes.is_empty() {
        let cases: String = (0..outcomes.len())
            .map(|i| format!(" WHEN ${} THEN ${}", 2 * i + 1, 2 * i + 2))
            .collect();
        let ids: Vec<String> = (0..outcomes.len())
            .map(|i| format!("${}", 2 * i + 1))
            .collect();
        let sql = format!(
            "UPDATE inbound_events SET outcome = CASE id{cases} END WHERE id IN ({})",
            ids.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (event_id, outcome) in outcomes {
            query = query.bind(*event_id).bind(outcome.as_str());
        }
        query.execute(&mut **tx).await?;
    }
    Ok(jobs
        .iter()
        .map(|job| {
            if finished.contains(&job.id()) {
                Ok(())
            } else {
                Err(StoreError::LeaseLost { job_id: job.id() })
            }
        })
        .collect())
}

impl Store {
    /// Marks a job done and commits its effects in the same transaction. Fails with
    /// [`StoreError::LeaseLost`] (and commits nothing) if another worker took the job over.
    pub async fn complete_job(
        &self,
        job: &ClaimedJob,
        effects: &JobEffects,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        self.apply_completion(&mut tx, job, effects, now).await?;
        tx.commit().await?;
        if let Some(order) = &effects.order {
            self.known.remember_order(order);
        }
        Ok(())
    }

    /// Completes several jobs in one transaction (one disk sync for all). Each job's completion
    /// and effects are all or nothing: a job whose lease was lost, or whose effects cannot be
    /// stored, gets its own error and the others commit. If the commit itself fails, every job
    /// gets the error.
    pub async fn complete_jobs(
        &self,
        completions: &[(&ClaimedJob, &JobEffects)],
        now: DateTime<Utc>,
    ) -> Vec<StoreResult<()>> {
        self.complete_jobs_and_claim(completions, None, now).await.0
    }

    /// [`Store::complete_jobs`], then, when `claim` is `(limit, lease)`, a claim in the same
    /// transaction: SQLite has one writer, and a claim committed on its own costs a
    /// transaction and a disk sync of its own for what is one more statement here. The claim
    /// sees the jobs these completions queued or released. If the claim fails, the completions
    /// still commit (the claim's error comes back beside them).
    pub async fn complete_jobs_and_claim(
        &self,
        completions: &[(&ClaimedJob, &JobEffects)],
        claim: Option<(u32, Duration)>,
        now: DateTime<Utc>,
    ) -> (Vec<StoreResult<()>>, StoreResult<Vec<ClaimedJob>>) {
        let written = self.write_batch(completions, Vec::new(), claim, now).await;
        (written.completions, written.claimed)
    }

    /// One transaction of the writer: the completions (see [`Store::complete_jobs`]), then
    /// the webhooks waiting to be stored (each as [`Store::accept_inbound`] would), then the
    /// claim (see [`Store::complete_jobs_and_claim`]), which sees the jobs both queued. On
    /// SQLite's single writer a webhook batch committed on its own costs a transaction and a
    /// disk sync of its own, taking turns with the completions. Each part fails alone: the
    /// webhooks and the claim each run under a savepoint.
    pub async fn write_batch(
        &self,
        completions: &[(&ClaimedJob, &JobEffects)],
        intake: Vec<(NewInboundEvent, JobsFor)>,
        claim: Option<(u32, Duration)>,
        now: DateTime<Utc>,
    ) -> WrittenBatch {
        let failed = |error: StoreError| -> WrittenBatch {
            let message = error.to_string();
            WrittenBatch {
                completions: completions
                    .iter()
                    .map(|_| Err(StoreError::BatchFailed(message.clone())))
                    .collect(),
                intake: Err(StoreError::BatchFailed(message.clone())),
                claimed: Err(error),
            }
        };
        let mut tx = match self.begin_write().await {
            Ok(tx) => tx,
            Err(error) => return failed(error),
        };
        let results = match self
            .apply_completions(&mut tx, completions, now, false)
            .await
        {
            Ok(results) => results,
            Err(error) => {
                // A job's effects failed half-way: start again with a savepoint per job, so
                // that job alone is left out.
                tracing::warn!(error = %error, "a completion in a batch failed; retrying the batch job by job");
                if let Err(error) = tx.rollback().await {
                    return failed(error);
                }
                tx = match self.begin_write().await {
                    Ok(tx) => tx,
                    Err(error) => return failed(error),
                };
                match self
                    .apply_completions(&mut tx, completions, now, true)
                    .await
                {
                    Ok(results) => results,
                    Err(error) => return failed(error),
                }
            }
        };
        let intake = if intake.is_empty() {
            Ok(Vec::new())
        } else {
            // Stored after the completions, whose failures may start the transaction again:
            // a webhook's jobs are made from its event id once.
            let attempt = async {
                tx.savepoint(Savepoint::Intake).await?;
                let stored = insert_inbound(&mut tx, intake).await;
                tx.end_savepoint(Savepoint::Intake, stored.is_ok()).await?;
                stored
            };
            attempt.await
        };
        let claimed = match claim {
            None => Ok(Vec::new()),
            Some((limit, lease)) => {
                // A failed claim must not undo the completions: it runs in a savepoint (the
                // statement failed is rolled back, PostgreSQL's aborted transaction too).
                let attempt = async {
                    tx.savepoint(Savepoint::Claim).await?;
                    let claimed = self.claim_in(&mut tx, limit, lease, now).await;
                    tx.end_savepoint(Savepoint::Claim, claimed.is_ok()).await?;
                    claimed
                };
                attempt.await
            }
        };
        match tx.commit().await {
            Ok(()) => {
                for ((_, effects), result) in completions.iter().zip(&results) {
                    if let (Some(order), Ok(())) = (&effects.order, result) {
                        self.known.remember_order(order);
                    }
                }
                WrittenBatch {
                    completions: results,
                    intake,
                    claimed,
                }
            }
            Err(error) => failed(error),
        }
    }

    /// Every completion in `tx`. Together (the common case, where each job's lease holds and
    /// its effects store), the whole batch costs a handful of statements — one marks every job
    /// done, one stores every changed order, one queues every follow-up job, one writes every
    /// timeline line — whatever its size: each statement is a round trip to the database (on
    /// SQLite, a hand-off to its thread). A lost lease is found by that first statement, before
    /// anything was written, so it needs no undo; any other error (`Err`) leaves the batch half
    /// written: the caller rolls the whole transaction back and comes again `one_by_one`, with
    /// a savepoint per job, so a job whose effects fail is left out with its error.
    async fn apply_completions(
        &self,
        tx: &mut WriteTx,
        completions: &[(&ClaimedJob, &JobEffects)],
        now: DateTime<Utc>,
        one_by_one: bool,
    ) -> StoreResult<Vec<StoreResult<()>>> {
        if !one_by_one {
            return apply_together(tx, completions, now).await;
        }
        let mut results = Vec::with_capacity(completions.len());
        for &completion in completions {
            tx.savepoint(Savepoint::Completion).await?;
            let result = match apply_together(tx, &[completion], now).await {
                Ok(mut result) => result.pop().unwrap_or(Ok(())),
                Err(error) => Err(error),
            };
            tx.end_savepoint(Savepoint::Completion, result.is_ok())
                .await?;
            results.push(result);
        }
        Ok(results)
    }

    async fn apply_completion(
        &self,
        tx: &mut WriteTx,
        job: &ClaimedJob,
        effects: &JobEffects,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        apply_together(tx, &[(job, effects)], now)
            .await?
            .pop()
            .unwrap_or(Ok(()))
    }

    /// Puts a failed job back in the queue for `run_at`, recording why it failed.
    pub async fn retry_job(
        &self,
        job: &ClaimedJob,
        run_at: DateTime<Utc>,
        error: &str,
        timeline: &[TimelineEntry],
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        self.finish(
            &mut tx,
            job,
            JobState::Queued,
            Some(run_at),
            Some(error),
            now,
        )
        .await?;
        write_timeline(&mut tx, timeline).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Parks a job as dead with the reason; an operator can revive it.
    pub async fn bury_job(
        &self,
        job: &ClaimedJob,
        error: &str,
        timeline: &[TimelineEntry],
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        self.finish(&mut tx, job, JobState::Dead, None, Some(error), now)
            .await?;
        write_timeline(&mut tx, timeline).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Gives a claimed job back (at shutdown). The attempt still counts: it was interrupted,
    /// perhaps after its call reached ShaQ or Digishare, so the next run must look for what it
    /// made before creating anything (executors skip that look-up on a first attempt only).
    pub async fn release_job(&self, job: &ClaimedJob, now: DateTime<Utc>) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let result = sqlx::query(
            "UPDATE jobs SET state = 'queued', lease_until = NULL, \
             lease_id = NULL, updated_at = $1 WHERE id = $2 AND lease_id = $3",
        )
        .bind(to_millis(now))
        .bind(job.id())
        .bind(&job.lease_id)
        .execute(&mut *tx)
        .await?;
        if result.rows_affected() == 0 {
            return Err(StoreError::LeaseLost { job_id: job.id() });
        }
        tx.commit().await?;
        Ok(())
    }

    async fn finish(
        &self,
        tx: &mut WriteTx,
        job: &ClaimedJob,
        state: JobState,
        run_at: Option<DateTime<Utc>>,
        error: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        // A finished (done or dead) job lets what it held back run: its order's held jobs go
        // back in the queue in the same statement (one round trip less per job; releasing a
        // held job is always safe, the claim checks it again). A retry still holds them.
        let sql = if matches!(state, JobState::Done | JobState::Dead) {
            FINISH_AND_RELEASE_HELD
        } else {
            FINISH
        };
        let updated: Vec<(i64,)> = sqlx::query_as(sql)
            .bind(state.as_str())
            .bind(run_at.map(to_millis))
            .bind(error)
            .bind(to_millis(now))
            .bind(job.id())
            .bind(&job.lease_id)
            .bind(job.job.order_key.as_str())
            .fetch_all(&mut **tx)
            .await?;
        if !updated.iter().any(|(id,)| *id == job.id()) {
            return Err(StoreError::LeaseLost { job_id: job.id() });
        }
        Ok(())
    }
}
