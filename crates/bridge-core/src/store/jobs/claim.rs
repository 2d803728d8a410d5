//! Claiming: the oldest due jobs whose order has no earlier job still to run, each with a
//! lease, and what each starts from read in the same transaction.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::super::inbound::{InboundEventRecord, events_in};
use super::super::orders::orders_in;
use super::super::rows::{JobRow, job_columns};
use super::super::{
    Backend, ClaimedJob, JobInputs, JobRecord, Store, StoreResult, WriteTx, to_millis,
};
use crate::domain::OrderKey;
use crate::workflow::{Job, TrackedOrder};

/// How many of the oldest due jobs a claim looks at. A claim reads this window from the
/// `(state, run_at)` index and checks each candidate's order with the `(order_key, state, id)`
/// index, so its cost grows with the window and the logarithm of the backlog, not with the
/// backlog itself. Candidates held back by an earlier job of their order are set aside
/// (`held`) when a claim finds nothing to run, so they cannot fill the window for good (an
/// outage leaves every order's next job due behind its first job's retry).
pub(super) const CLAIM_WINDOW: i64 = 512;

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
pub(super) const CLAIM_SQLITE: &str = claim_sqlite!();

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
pub(super) const CLAIM_POSTGRES: &str = claim_postgres!();

/// PostgreSQL plans a query from its statistics, which lag behind a queue's churn: on a table
/// it believes small it reads every queued job and sorts them (a bitmap scan), which is what
/// made a backlog slow every claim. Within a claim's transaction it must walk the
/// `(state, run_at, id)` index in order and stop after the window, whatever it believes; and
/// it must plan each claim with its values (a prepared statement's generic plan, chosen after
/// five runs, knows neither the time nor the limits).
pub(super) const POSTGRES_CLAIM_PLANNER: &str = "SET LOCAL enable_bitmapscan = off; \
     SET LOCAL enable_seqscan = off; SET LOCAL enable_sort = off; \
     SET LOCAL plan_cache_mode = force_custom_plan";

/// Sets aside the window's candidates that are held back (`$1` now, `$2` the window). Run
/// only when a claim found nothing, so it costs nothing while work flows.
pub(super) const HOLD_SQLITE: &str = concat!(
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
    // A job in a lane of its order's reads the order's row.
    let owners: Vec<OrderKey> = claimed.iter().map(|c| c.job.order_key.order()).collect();
    let mut keys: Vec<&str> = owners.iter().map(OrderKey::as_str).collect();
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
        let order = match orders.get(&job.job.order_key.order()) {
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

impl Store {
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
    pub(in crate::store) async fn claim_in(
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
