//! The durable job queue: enqueue (deduplicated), claim with a lease, finish.
//!
//! Ordering rule: jobs of one order run one at a time and in enqueue order. A queued job is
//! held back while an earlier job of the same order is running, due, or waiting for a retry;
//! a job merely scheduled for later (a timer that never ran) does not hold anything back.
//!
//! Stored states: `queued`, `running`, `done`, `dead`, and `held` — a queued job a claim found
//! held back by an earlier job of its order, set aside so that it no longer fills the window of
//! candidates every claim reads (see [`CLAIM_WINDOW`]). A held job is shown as queued; it goes
//! back to `queued` when a job of its order finishes (done or dead), and a sweep once a second
//! puts back any held job nothing holds back any more (on PostgreSQL a claim and a completion
//! can cross, leaving one set aside a moment too late).
//!
//! Leases: a job's lease is given when it is claimed and taken away whenever it leaves
//! `running` (finished, retried, given back, or its lease expired), so a job found by its id
//! and lease is running, and the statements that end a job say no more than that. With
//! `state = 'running'` beside the id, PostgreSQL read the jobs through the `(state, run_at, id)`
//! index: every running entry, and every dead one the jobs that ran before left (a bitmap scan
//! never marks them dead) — 2 244 buffers to finish 132 jobs in a plan logged during the
//! benchmark, where the primary key reads one row each.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

use super::inbound::{InboundEventRecord, events_in, insert_inbound};
use super::orders::{orders_in, upsert_orders, write_timeline};
use super::rows::{JobRow, job_columns};
use super::write::Savepoint;
use super::{
    Backend, Intake, JobsFor, NewInboundEvent, Store, StoreError, StoreResult, TimelineEntry,
    WriteTx, to_millis,
};
use crate::domain::OrderKey;
use crate::jobs::{ClaimedJob, Job, JobCounts, JobInputs, JobKind, JobRecord, JobState};
use crate::workflow::{NewJob, TrackedOrder};

/// Local state changes a finished job makes, committed together with its completion.
#[derive(Debug, Clone, Default)]
pub struct JobEffects {
    /// The order as it should now be stored.
    pub order: Option<TrackedOrder>,
    /// Follow-up jobs.
    pub jobs: Vec<NewJob>,
    /// What to add to the order's timeline.
    pub timeline: Vec<TimelineEntry>,
    /// What the workflow made of an inbound event: `(event id, outcome)`.
    pub inbound_outcome: Option<(i64, String)>,
}

/// What one writer transaction did with each of its parts (see [`Store::write_batch`]).
#[derive(Debug)]
pub struct WrittenBatch {
    /// Each completion's result, in order.
    pub completions: Vec<StoreResult<()>>,
    /// The webhooks stored (in order), or why none was.
    pub intake: StoreResult<Vec<Intake>>,
    /// The jobs claimed.
    pub claimed: StoreResult<Vec<ClaimedJob>>,
}

/// Which jobs to list.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct JobFilter {
    /// Only jobs in this state.
    pub state: Option<JobState>,
    /// Only jobs of this kind.
    pub kind: Option<JobKind>,
    /// Only jobs of this order.
    pub order_key: Option<OrderKey>,
    /// At most this many (default 100, most recent first).
    pub limit: Option<u32>,
}

/// The state a stored state is shown as: a held job is queued as far as anyone outside the
/// queue is concerned.
pub(super) fn public_state(stored: &str) -> &str {
    if stored == "held" { "queued" } else { stored }
}

/// [`public_state`] in SQL.
macro_rules! public_state_sql {
    () => {
        "CASE state WHEN 'held' THEN 'queued' ELSE state END"
    };
}

/// How many of the oldest due jobs a claim looks at. A claim reads this window from the
/// `(state, run_at)` index and checks each candidate's order with the `(order_key, state, id)`
/// index, so its cost grows with the window and the logarithm of the backlog, not with the
/// backlog itself. Candidates held back by an earlier job of their order are set aside
/// (`held`) when a claim finds nothing to run, so they cannot fill the window for good (an
/// outage leaves every order's next job due behind its first job's retry).
const CLAIM_WINDOW: i64 = 512;

/// A job's lease expired (its worker died): it is queued again, keeping its attempts, and
/// claimed like any other. Runs in the claim's transaction; cheap (an index range, usually empty).
const REQUEUE_EXPIRED: &str = "UPDATE jobs SET state = 'queued', lease_until = NULL, \
     lease_id = NULL, run_at = $1 WHERE state = 'running' AND lease_until < $1";

/// "An earlier job of the order holds `$job` back": one running, held, due, or waiting for a
/// retry. Read through the `(order_key, state, id)` index.
///
/// On PostgreSQL the test of the state is wrapped (`IS TRUE`) so that it cannot be read from
/// an index: the planner's statistics lag behind a queue's churn (a flash sale fills the queue
/// within seconds; the table is analysed after a tenth of it changed), it believes few jobs are
/// queued or running, and it read each candidate's earlier jobs as a walk over every queued and
/// running job in the `(state, run_at, id)` index — 169 303 rows compared to claim 100 jobs
/// in a reproduction (49 ms; 6 ms with the order's own jobs read instead). An order has a
/// handful of jobs, so reading them all by `order_key` costs nothing worth the risk.
macro_rules! held_back {
    (sqlite, $job:literal, $now:literal) => {
        held_back!(@ "e.state IN ('running', 'held', 'queued')", $job, $now)
    };
    (postgres, $job:literal, $now:literal) => {
        held_back!(@ "(e.state IN ('running', 'held', 'queued')) IS TRUE", $job, $now)
    };
    (@ $states:literal, $job:literal, $now:literal) => {
        concat!(
            "EXISTS (SELECT 1 FROM jobs e WHERE e.order_key = ",
            $job,
            ".order_key AND ",
            $states,
            " AND e.id < ",
            $job,
            ".id AND (e.state <> 'queued' OR e.run_at <= ",
            $now,
            " OR e.attempts > 0))"
        )
    };
}

/// The window of candidates: the oldest due queued jobs, read from the `(state, run_at)` index.
macro_rules! window {
    ($now:literal, $window:expr) => {
        concat!(
            "(SELECT id, order_key, run_at FROM jobs WHERE state = 'queued' AND run_at <= ",
            $now,
            " ORDER BY run_at, id LIMIT ",
            $window,
            ") j "
        )
    };
}

/// The candidates nothing holds back, oldest first. `$order` is the final ordering: PostgreSQL
/// keeps the index's order through the window and needs it said to keep reading lazily;
/// SQLite reads the window as a co-routine in index order, but an `ORDER BY` here makes it sort
/// the whole window first (a temporary B-tree), so it is left out there.
macro_rules! claimable {
    ($backend:ident, $now:literal, $limit:expr, $window:expr, $order:literal) => {
        concat!(
            "SELECT j.id FROM ",
            window!($now, $window),
            "WHERE NOT ",
            held_back!($backend, "j", $now),
            $order,
            " LIMIT ",
            $limit
        )
    };
}

/// SQLite reads a `LIMIT` bound to a plain parameter while it plans, and so prepares the
/// statement again every time a value is bound to it (`computeLimitRegisters` marks the
/// parameter in the statement's `expmask`): a claim was parsed and planned anew on each run. A
/// cast is evaluated when the statement runs, so the prepared claim is kept.
macro_rules! sqlite_limit {
    ($parameter:literal) => {
        concat!("CAST(", $parameter, " AS INTEGER)")
    };
}

/// Claims for SQLite: the write transaction is the lock.
macro_rules! claim_sqlite {
    () => {
        concat!(
            "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_until = $1, ",
            "lease_id = $2, updated_at = $3 WHERE id IN (",
            claimable!(sqlite, "$3", sqlite_limit!("$4"), sqlite_limit!("$5"), ""),
            ") RETURNING ",
            job_columns!()
        )
    };
}
const CLAIM_SQLITE: &str = claim_sqlite!();

/// Locks the materialized `candidates` still queued, skipping those another replica is
/// claiming. The state is tested after the join (`IS TRUE`, which no index can serve): the
/// planner, believing few jobs queued (see [`held_back`]), otherwise read every queued job in
/// the `(state, run_at, id)` index once per candidate (28 136 rows compared for 184 jobs
/// claimed, in a plan logged during the benchmark) instead of each candidate by its id.
/// PostgreSQL still checks the state again on the newest row it locks.
macro_rules! lock_candidates {
    () => {
        concat!(
            "SELECT jobs.id FROM candidates JOIN jobs ON jobs.id = candidates.id ",
            "WHERE (jobs.state = 'queued') IS TRUE FOR UPDATE OF jobs SKIP LOCKED"
        )
    };
}

/// Claims for PostgreSQL: `SKIP LOCKED` lets several replicas claim side by side. The
/// candidates are materialized first (at most the limit), so locking them is a primary-key
/// lookup each, never a walk over every queued job in order (see [`lock_candidates`]).
macro_rules! claim_postgres {
    () => {
        concat!(
            "WITH candidates AS MATERIALIZED (",
            claimable!(postgres, "$3", "$4", "$5", " ORDER BY j.run_at, j.id"),
            "), picked AS (",
            lock_candidates!(),
            ") ",
            "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_until = $1, ",
            "lease_id = $2, updated_at = $3 WHERE id IN (SELECT id FROM picked) RETURNING ",
            job_columns!()
        )
    };
}
const CLAIM_POSTGRES: &str = claim_postgres!();

/// PostgreSQL plans a query from its statistics, which lag behind a queue's churn: on a table
/// it believes small it reads every queued job and sorts them (a bitmap scan), which is what
/// made a backlog slow every claim. Within a claim's transaction it must walk the
/// `(state, run_at, id)` index in order and stop after the window, whatever it believes; and
/// it must plan each claim with its values (a prepared statement's generic plan, chosen after
/// five runs, knows neither the time nor the limits).
const POSTGRES_CLAIM_PLANNER: &str = "SET LOCAL enable_bitmapscan = off; \
     SET LOCAL enable_seqscan = off; SET LOCAL enable_sort = off; \
     SET LOCAL plan_cache_mode = force_custom_plan";

/// Sets aside the window's candidates that are held back (`$1` now, `$2` the window). Run
/// only when a claim found nothing, so it costs nothing while work flows.
const HOLD_SQLITE: &str = concat!(
    "UPDATE jobs SET state = 'held' WHERE state = 'queued' AND id IN (SELECT j.id FROM ",
    window!("$1", sqlite_limit!("$2")),
    "WHERE ",
    held_back!(sqlite, "j", "$1"),
    ")"
);

/// The same for PostgreSQL, skipping rows another replica is claiming.
const HOLD_POSTGRES: &str = concat!(
    "WITH candidates AS MATERIALIZED (SELECT j.id FROM ",
    window!("$1", "$2"),
    "WHERE ",
    held_back!(postgres, "j", "$1"),
    "), held AS (",
    lock_candidates!(),
    ") ",
    "UPDATE jobs SET state = 'held' WHERE id IN (SELECT id FROM held)"
);

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

/// The safety net: held jobs that nothing holds back any more are queued again (`$1` now).
macro_rules! release_stranded {
    ($backend:ident) => {
        concat!(
            "UPDATE jobs SET state = 'queued' WHERE state = 'held' AND NOT ",
            held_back!($backend, "jobs", "$1")
        )
    };
}
const RELEASE_STRANDED_SQLITE: &str = release_stranded!(sqlite);
const RELEASE_STRANDED_POSTGRES: &str = release_stranded!(postgres);

/// Reads what each claimed job starts from ([`JobInputs`]) in the claim's transaction: two
/// statements for the whole claim, where each job read its order (and its webhook) alone.
async fn read_inputs(tx: &mut WriteTx, claimed: &mut [ClaimedJob]) -> StoreResult<()> {
    if claimed.is_empty() {
        return Ok(());
    }
    let mut keys: Vec<&str> = claimed.iter().map(|c| c.job.order_key.as_str()).collect();
    keys.sort_unstable();
    keys.dedup();
    let event_ids: Vec<i64> = claimed
        .iter()
        .filter_map(|c| match c.job.job {
            Job::ApplyInboundEvent { event_id } => Some(event_id),
            _ => None,
        })
        .collect();
    let orders: HashMap<OrderKey, StoreResult<TrackedOrder>> =
        orders_in(tx, &keys).await?.into_iter().collect();
    let events: HashMap<i64, InboundEventRecord> = if event_ids.is_empty() {
        HashMap::new()
    } else {
        events_in(tx, &event_ids)
            .await?
            .into_iter()
            .map(|event| (event.id, event))
            .collect()
    };
    for job in claimed {
        let order = match orders.get(&job.job.order_key) {
            None => None,
            Some(Ok(order)) => Some(order.clone()),
            // Left to the job: it reads the order itself and fails alone, with the error on
            // its order's timeline, while the claim's other jobs run.
            Some(Err(error)) => {
                tracing::warn!(job_id = job.id(), order_key = %job.job.order_key, error = %error, "a claimed job's order does not read");
                continue;
            }
        };
        let event = match job.job.job {
            Job::ApplyInboundEvent { event_id } => events.get(&event_id).cloned(),
            _ => None,
        };
        job.inputs = Some(Arc::new(JobInputs { order, event }));
    }
    Ok(())
}

pub(super) async fn insert_jobs(
    tx: &mut WriteTx,
    jobs: &[impl std::borrow::Borrow<NewJob>],
    now: DateTime<Utc>,
) -> StoreResult<u64> {
    let dated: Vec<(&NewJob, DateTime<Utc>)> = jobs.iter().map(|job| (job.borrow(), now)).collect();
    insert_jobs_enqueued_at(tx, &dated).await
}

/// [`insert_jobs`] for jobs each enqueued at its own time (a webhook's at its arrival).
pub(super) async fn insert_jobs_enqueued_at(
    tx: &mut WriteTx,
    jobs: &[(impl std::borrow::Borrow<NewJob>, DateTime<Utc>)],
) -> StoreResult<u64> {
    // One statement for all the jobs: each statement is a round trip to the database.
    let mut inserted = 0;
    for chunk in jobs.chunks(100) {
        // Each placeholder is used once: SQLite's are anonymous, bound in order.
        let values = tx.value_rows(chunk.len(), |next| {
            let (kind, order, key, payload) = (next(), next(), next(), next());
            let (run_at, created, updated) = (next(), next(), next());
            format!(
                "({kind}, {order}, {key}, {payload}, 'queued', 0, {run_at}, {created}, {updated})"
            )
        });
        let sql = format!(
            "INSERT INTO jobs (kind, order_key, dedupe_key, payload, state, attempts, run_at, \
             created_at, updated_at) VALUES {values} ON CONFLICT (dedupe_key) DO NOTHING"
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (job, now) in chunk {
            let job = job.borrow();
            let run_at = job.not_before().unwrap_or(*now);
            query = query
                .bind(job.job().kind().as_str())
                .bind(job.order_key().as_str())
                .bind(job.dedupe_key().to_owned())
                .bind(job.job().payload().to_string())
                .bind(to_millis(run_at))
                .bind(to_millis(*now))
                .bind(to_millis(*now));
        }
        inserted += query.execute(&mut **tx).await?.rows_affected();
    }
    Ok(inserted)
}

/// The statement of [`finish_done`] for `jobs` jobs: `$1` now; then `(id, lease)` pairs; then
/// the orders. A row matched is either one of these jobs, running under its lease, or a held
/// job of one of their orders.
fn finish_done_sql(jobs: usize) -> String {
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
async fn apply_together(
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
    /// Enqueues jobs; a dedupe key already present (in any state) is skipped. Returns how many
    /// were new.
    pub async fn enqueue(&self, jobs: &[NewJob], now: DateTime<Utc>) -> StoreResult<u64> {
        let mut tx = self.begin_write().await?;
        let inserted = insert_jobs(&mut tx, jobs, now).await?;
        tx.commit().await?;
        Ok(inserted)
    }

    /// Claims up to `limit` runnable jobs for `lease`. A job whose lease expired (its worker
    /// died) is runnable again.
    pub async fn claim_jobs(
        &self,
        limit: u32,
        lease: Duration,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<ClaimedJob>> {
        let mut tx = self.begin_write().await?;
        let claimed = self.claim_in(&mut tx, limit, lease, now).await?;
        tx.commit().await?;
        Ok(claimed)
    }

    /// The claim, in a write transaction the caller commits.
    async fn claim_in(
        &self,
        tx: &mut WriteTx,
        limit: u32,
        lease: Duration,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<ClaimedJob>> {
        let lease_id = Uuid::new_v4().to_string();
        let lease_until =
            to_millis(now + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::MAX));
        if self.backend == Backend::Postgres {
            sqlx::raw_sql(POSTGRES_CLAIM_PLANNER)
                .execute(&mut **tx)
                .await?;
        }
        // Expired leases are rare (a worker died), and so are held jobs left behind: look for
        // both at most once a second.
        let last = self.last_requeue.load(std::sync::atomic::Ordering::Relaxed);
        if to_millis(now) - last >= 1000 {
            sqlx::query(REQUEUE_EXPIRED)
                .bind(to_millis(now))
                .execute(&mut **tx)
                .await?;
            let release_stranded = match self.backend {
                Backend::Sqlite => RELEASE_STRANDED_SQLITE,
                Backend::Postgres => RELEASE_STRANDED_POSTGRES,
            };
            sqlx::query(release_stranded)
                .bind(to_millis(now))
                .execute(&mut **tx)
                .await?;
            self.last_requeue
                .store(to_millis(now), std::sync::atomic::Ordering::Relaxed);
        }
        let (claim, hold) = match self.backend {
            Backend::Sqlite => (CLAIM_SQLITE, HOLD_SQLITE),
            Backend::Postgres => (CLAIM_POSTGRES, HOLD_POSTGRES),
        };
        let mut rows: Vec<JobRow> = Vec::new();
        // A window full of held-back jobs yields nothing: set them aside and look again, a
        // bounded number of times (the next claim goes on where this one stopped).
        for _ in 0..4 {
            rows = sqlx::query_as(claim)
                .bind(lease_until)
                .bind(&lease_id)
                .bind(to_millis(now))
                .bind(i64::from(limit))
                .bind(CLAIM_WINDOW)
                .fetch_all(&mut **tx)
                .await?;
            if !rows.is_empty() {
                break;
            }
            let held = sqlx::query(hold)
                .bind(to_millis(now))
                .bind(CLAIM_WINDOW)
                .execute(&mut **tx)
                .await?;
            if held.rows_affected() == 0 {
                break;
            }
        }
        let mut claimed = rows
            .into_iter()
            .map(|row| {
                Ok(ClaimedJob {
                    job: JobRecord::try_from(row)?,
                    lease_id: lease_id.clone(),
                    inputs: None,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        claimed.sort_by_key(|c| (c.job.run_at, c.job.id));
        read_inputs(tx, &mut claimed).await?;
        Ok(claimed)
    }

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

    /// One job by id.
    pub async fn job(&self, id: i64) -> StoreResult<Option<JobRecord>> {
        let row: Option<JobRow> = sqlx::query_as(concat!(
            "SELECT ",
            job_columns!(),
            " FROM jobs WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(JobRecord::try_from).transpose()
    }

    /// The job enqueued under `dedupe_key`, if any.
    pub async fn job_by_key(&self, dedupe_key: &str) -> StoreResult<Option<JobRecord>> {
        let row: Option<JobRow> = sqlx::query_as(concat!(
            "SELECT ",
            job_columns!(),
            " FROM jobs WHERE dedupe_key = $1"
        ))
        .bind(dedupe_key)
        .fetch_optional(&self.pool)
        .await?;
        row.map(JobRecord::try_from).transpose()
    }

    /// Jobs matching a filter, most recently changed first.
    pub async fn list_jobs(&self, filter: &JobFilter) -> StoreResult<Vec<JobRecord>> {
        let rows: Vec<JobRow> = sqlx::query_as(concat!(
            "SELECT ",
            job_columns!(),
            " FROM jobs WHERE ($1 IS NULL OR state = $1 OR ($1 = 'queued' AND state = 'held')) ",
            "AND ($2 IS NULL OR kind = $2) ",
            "AND ($3 IS NULL OR order_key = $3) ORDER BY updated_at DESC, id DESC LIMIT $4"
        ))
        .bind(filter.state.map(JobState::as_str))
        .bind(filter.kind.map(JobKind::as_str))
        .bind(filter.order_key.as_ref().map(OrderKey::as_str))
        .bind(i64::from(filter.limit.unwrap_or(100).min(1000)))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(JobRecord::try_from).collect()
    }

    /// Puts a dead job back in the queue with a fresh set of attempts. Returns false if the job
    /// does not exist or is not dead.
    pub async fn revive_job(&self, id: i64, now: DateTime<Utc>) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let result = sqlx::query(
            "UPDATE jobs SET state = 'queued', attempts = 0, run_at = $1, updated_at = $1 \
             WHERE id = $2 AND state = 'dead'",
        )
        .bind(to_millis(now))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(result.rows_affected() == 1)
    }

    /// Revives every dead job; returns how many.
    pub async fn revive_dead_jobs(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        let mut tx = self.begin_write().await?;
        let result = sqlx::query(
            "UPDATE jobs SET state = 'queued', attempts = 0, run_at = $1, updated_at = $1 \
             WHERE state = 'dead'",
        )
        .bind(to_millis(now))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(result.rows_affected())
    }

    /// Deletes jobs that finished (done) before `before`, of orders that are finished too (an
    /// active order's job keys must keep a replayed step from running twice); returns how many.
    /// Dead jobs stay for an operator; redelivered webhooks are recognised by their inbound
    /// events, not by old jobs.
    pub async fn delete_done_jobs(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        let mut tx = self.begin_write().await?;
        let result = sqlx::query(
            "DELETE FROM jobs WHERE state = 'done' AND updated_at < $1 AND NOT EXISTS \
             (SELECT 1 FROM orders o WHERE o.order_key = jobs.order_key \
              AND o.state NOT IN ('delivered', 'returned', 'cancelled'))",
        )
        .bind(to_millis(before))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(result.rows_affected())
    }

    /// How many jobs of each kind are in each state (the outcomes so far, per kind).
    pub async fn job_counts_by_kind(&self) -> StoreResult<Vec<(JobKind, JobCounts)>> {
        let rows: Vec<(String, String, i64)> = sqlx::query_as(concat!(
            "SELECT kind, ",
            public_state_sql!(),
            ", COUNT(*) FROM jobs GROUP BY kind, ",
            public_state_sql!()
        ))
        .fetch_all(&self.pool)
        .await?;
        let mut by_kind: Vec<(JobKind, JobCounts)> = Vec::new();
        for (kind, state, count) in rows {
            let corrupt = |e: crate::jobs::UnknownName| StoreError::Corrupt(e.to_string());
            let kind = kind.parse::<JobKind>().map_err(corrupt)?;
            let state = state.parse::<JobState>().map_err(corrupt)?;
            match by_kind.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, counts)) => counts.set(state, count),
                None => {
                    let mut counts = JobCounts::default();
                    counts.set(state, count);
                    by_kind.push((kind, counts));
                }
            }
        }
        by_kind.sort_by_key(|(kind, _)| kind.as_str());
        Ok(by_kind)
    }

    /// How many jobs are in each state.
    pub async fn job_counts(&self) -> StoreResult<JobCounts> {
        let rows: Vec<(String, i64)> = sqlx::query_as(concat!(
            "SELECT ",
            public_state_sql!(),
            ", COUNT(*) FROM jobs GROUP BY ",
            public_state_sql!()
        ))
        .fetch_all(&self.pool)
        .await?;
        let mut counts = JobCounts::default();
        for (state, count) in rows {
            let state = state
                .parse::<JobState>()
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            counts.set(state, count);
        }
        Ok(counts)
    }

    /// No job is running, due, or waiting for a retry: everything the bridge had to do so far
    /// is done (timers set for later, like a confirmation timeout, do not count).
    pub async fn is_idle(&self, now: DateTime<Utc>) -> StoreResult<bool> {
        let (busy,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM jobs WHERE state IN ('running', 'held') \
             OR (state = 'queued' AND (run_at <= $1 OR attempts > 0))",
        )
        .bind(to_millis(now))
        .fetch_one(&self.pool)
        .await?;
        Ok(busy == 0)
    }

    /// When the next queued job becomes due, so an idle worker knows how long it may sleep.
    pub async fn next_run_at(&self) -> StoreResult<Option<DateTime<Utc>>> {
        let row: Option<(Option<i64>,)> =
            sqlx::query_as("SELECT MIN(run_at) FROM jobs WHERE state = 'queued'")
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.and_then(|(at,)| at).map(super::from_millis))
    }
}

/// What a claim costs, for the tests that keep it independent of the backlog's size.
#[cfg(feature = "test-support")]
impl Store {
    /// How the database runs a claim at `now` (the statement workers run): SQLite's
    /// `EXPLAIN QUERY PLAN`, one line per step (`SEARCH jobs USING INDEX …`), or PostgreSQL's
    /// `EXPLAIN (ANALYZE, BUFFERS)`, which runs the claim in a transaction rolled back after
    /// and counts the pages it touched.
    pub async fn explain_claim(&self, now: DateTime<Utc>, limit: u32) -> StoreResult<String> {
        let mut tx = self.pool.begin().await?;
        let lines: Vec<String> = match self.backend {
            Backend::Sqlite => {
                let rows: Vec<(i64, i64, i64, String)> =
                    sqlx::query_as(concat!("EXPLAIN QUERY PLAN ", claim_sqlite!()))
                        .bind(to_millis(now) + 60_000)
                        .bind("explain")
                        .bind(to_millis(now))
                        .bind(i64::from(limit))
                        .bind(CLAIM_WINDOW)
                        .fetch_all(&mut *tx)
                        .await?;
                rows.into_iter().map(|(_, _, _, detail)| detail).collect()
            }
            Backend::Postgres => {
                sqlx::raw_sql(POSTGRES_CLAIM_PLANNER)
                    .execute(&mut *tx)
                    .await?;
                let rows: Vec<(String,)> = sqlx::query_as(concat!(
                    "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF) ",
                    claim_postgres!()
                ))
                .bind(to_millis(now) + 60_000)
                .bind("explain")
                .bind(to_millis(now))
                .bind(i64::from(limit))
                .bind(CLAIM_WINDOW)
                .fetch_all(&mut *tx)
                .await?;
                rows.into_iter().map(|(line,)| line).collect()
            }
        };
        tx.rollback().await?;
        Ok(lines.join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::{
        CLAIM_POSTGRES, CLAIM_SQLITE, CLAIM_WINDOW, HOLD_SQLITE, POSTGRES_CLAIM_PLANNER,
        apply_together, finish_done_sql,
    };
    use crate::testing::{TestBackend, TestDatabase};

    /// A batch with no completions (webhooks alone) writes nothing for them and fails nothing:
    /// an empty `IN ()` is an error on PostgreSQL, which made every intake-only batch roll
    /// back and start again.
    async fn an_empty_batch_finishes_nothing(backend: TestBackend) {
        let store = TestDatabase::new(backend).await.store;
        let mut tx = store.begin_write().await.unwrap();
        let results = apply_together(&mut tx, &[], chrono::Utc::now()).await;
        assert!(matches!(&results, Ok(r) if r.is_empty()), "{results:?}");
        tx.commit().await.unwrap();
    }

    #[tokio::test]
    async fn an_empty_batch_finishes_nothing_on_sqlite() {
        an_empty_batch_finishes_nothing(TestBackend::Sqlite).await;
    }

    #[tokio::test]
    #[cfg_attr(
        not(postgres_tests),
        ignore = "PostgreSQL suite not run: set BRIDGE_TEST_POSTGRES_URL"
    )]
    async fn an_empty_batch_finishes_nothing_on_postgres() {
        an_empty_batch_finishes_nothing(TestBackend::Postgres).await;
    }

    /// A `LIMIT` bound to a bare parameter makes SQLite prepare the statement again on every
    /// run (see `sqlite_limit!`): the claim runs with every batch the writer commits.
    #[test]
    fn sqlite_claims_never_limit_by_a_bare_parameter() {
        for sql in [CLAIM_SQLITE, HOLD_SQLITE] {
            assert!(sql.contains("LIMIT CAST($"), "{sql}");
            assert!(!sql.contains("LIMIT $"), "{sql}");
        }
    }

    /// The plan PostgreSQL runs `sql` with (`EXPLAIN ANALYZE`, so the loops are counted), in
    /// a transaction rolled back after.
    async fn plan_of(
        store: &crate::store::Store,
        sql: &str,
        bind: impl FnOnce(
            sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments>,
        ) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments>,
    ) -> String {
        let mut tx = store.begin_write().await.unwrap();
        sqlx::raw_sql(POSTGRES_CLAIM_PLANNER)
            .execute(&mut *tx)
            .await
            .unwrap();
        let explain = format!("EXPLAIN (ANALYZE, COSTS OFF) {sql}");
        let rows: Vec<(String,)> = {
            let query = bind(sqlx::query(sqlx::AssertSqlSafe(explain)));
            let rows = query.fetch_all(&mut *tx).await.unwrap();
            rows.iter()
                .map(|row| (sqlx::Row::get::<String, _>(row, 0),))
                .collect()
        };
        tx.rollback().await.unwrap();
        rows.into_iter()
            .map(|(line,)| line)
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The rows an `EXPLAIN ANALYZE`d update changed, from its top line.
    fn updated_rows(plan: &str) -> Option<u32> {
        let top = plan.lines().next()?;
        let rows = top.strip_prefix("Update on jobs")?.split("rows=").nth(1)?;
        rows.split(' ').next()?.parse().ok()
    }

    /// A queue PostgreSQL's statistics know nothing of (analysed when every job was done, as a
    /// table is between two autovacuum runs during a flash sale): a claim and a batch of completions must still
    /// read each job by its id and each order's own jobs, never walk every queued or running
    /// job in the `(state, run_at, id)` index once per job (which made both cost O(queue)).
    #[tokio::test]
    #[cfg_attr(
        not(postgres_tests),
        ignore = "PostgreSQL suite not run: set BRIDGE_TEST_POSTGRES_URL"
    )]
    async fn postgres_plans_claims_and_completions_by_id_whatever_it_believes() {
        let store = TestDatabase::new(TestBackend::Postgres).await.store;
        sqlx::raw_sql(
            "ALTER TABLE jobs SET (autovacuum_enabled = false); \
             INSERT INTO jobs (kind, order_key, dedupe_key, payload, state, run_at, created_at, \
             updated_at) SELECT 'create_package', 'old-' || i, 'old-' || i, '{}', 'done', i, \
             i, i FROM generate_series(1, 300) i; \
             ANALYZE jobs; \
             INSERT INTO jobs (kind, order_key, dedupe_key, payload, state, run_at, created_at, \
             updated_at) SELECT 'create_package', 'done-' || i, 'done-' || i, '{}', 'done', i, \
             i, i FROM generate_series(1, 15000) i; \
             INSERT INTO jobs (kind, order_key, dedupe_key, payload, state, attempts, run_at, \
             lease_until, lease_id, created_at, updated_at) \
             SELECT 'create_package', 'order-' || (i % 2500), 'job-' || i, '{}', \
             CASE WHEN i <= 200 THEN 'running' ELSE 'queued' END, \
             CASE WHEN i <= 200 THEN 1 ELSE 0 END, i, \
             CASE WHEN i <= 200 THEN 9000000000000 END, \
             CASE WHEN i <= 200 THEN 'lease-' || i END, i, i \
             FROM generate_series(1, 5000) i",
        )
        .execute(&store.pool)
        .await
        .unwrap();

        let claim = plan_of(&store, CLAIM_POSTGRES, |query| {
            query
                .bind(9_000_000_000_000_i64)
                .bind("lease-new")
                .bind(10_000_i64)
                .bind(100_i64)
                .bind(CLAIM_WINDOW)
        })
        .await;
        assert!(updated_rows(&claim) == Some(100), "it claims: {claim}");
        for line in claim.lines().filter(|line| line.contains("jobs_ready")) {
            assert!(
                line.contains("loops=1)"),
                "the queue is walked once: {claim}"
            );
        }
        assert!(!claim.contains("Rows Removed by Join Filter"), "{claim}");

        let running: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT id, lease_id, order_key FROM jobs WHERE state = 'running' ORDER BY id LIMIT 100",
        )
        .fetch_all(&store.pool)
        .await
        .unwrap();
        assert_eq!(running.len(), 100);
        let finish = plan_of(&store, &finish_done_sql(100), |mut query| {
            query = query.bind(10_000_i64);
            for (id, lease, _) in &running {
                query = query.bind(*id).bind(lease.clone());
            }
            for (_, _, order) in &running {
                query = query.bind(order.clone());
            }
            query
        })
        .await;
        assert!(
            updated_rows(&finish) == Some(100),
            "it finishes every job: {finish}"
        );
        assert!(
            finish.contains("jobs_pkey"),
            "jobs are read by id: {finish}"
        );
        assert!(
            !finish.contains("Index Cond: ((state = 'running'"),
            "running jobs are not walked: {finish}"
        );
    }
}
