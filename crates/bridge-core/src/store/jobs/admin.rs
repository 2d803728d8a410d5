//! Reading the queue for people and for health: one job, a filtered list, counts per state
//! and kind; putting dead jobs back; deleting old finished ones.

use chrono::{DateTime, Utc};

use super::super::orders::write_timeline;
use super::super::rows::{JobRow, job_columns};
use super::super::{JobCounts, JobRecord, JobState, Store, StoreError, StoreResult, to_millis};
use super::{JobFilter, public_state_sql};
use crate::domain::OrderKey;
use crate::workflow::{JobKind, TimelineEntry};

impl Store {
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
            "AND ($3 IS NULL OR order_key = $3 OR order_key = $5) ",
            "ORDER BY updated_at DESC, id DESC LIMIT $4"
        ))
        .bind(filter.state.map(JobState::as_str))
        .bind(filter.kind.map(JobKind::as_str))
        .bind(filter.order_key.as_ref().map(OrderKey::as_str))
        .bind(i64::from(filter.limit.unwrap_or(100).min(1000)))
        // An order's jobs include those of its write-back lane.
        .bind(
            filter
                .order_key
                .as_ref()
                .map(|key| key.write_back_lane().as_str().to_owned()),
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(JobRecord::try_from).collect()
    }

    /// Puts a dead job back in the queue with a fresh set of attempts, and writes `note(job)`
    /// on its order's timeline in the same transaction (who asked, and why the job is running
    /// again). `None` if the job does not exist or is not dead.
    pub async fn revive_job(
        &self,
        id: i64,
        now: DateTime<Utc>,
        note: impl FnOnce(&JobRecord) -> TimelineEntry,
    ) -> StoreResult<Option<JobRecord>> {
        let mut tx = self.begin_write().await?;
        let row: Option<JobRow> = sqlx::query_as(concat!(
            "UPDATE jobs SET state = 'queued', attempts = 0, run_at = $1, updated_at = $1 \
             WHERE id = $2 AND state = 'dead' RETURNING ",
            job_columns!()
        ))
        .bind(to_millis(now))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let job = JobRecord::try_from(row)?;
        write_timeline(&mut tx, &[note(&job)]).await?;
        tx.commit().await?;
        Ok(Some(job))
    }

    /// Revives every dead job, each noted on its order's timeline as [`Store::revive_job`]
    /// does, in one transaction; returns how many.
    pub async fn revive_dead_jobs(
        &self,
        now: DateTime<Utc>,
        note: impl Fn(&JobRecord) -> TimelineEntry,
    ) -> StoreResult<u64> {
        let mut tx = self.begin_write().await?;
        let rows: Vec<JobRow> = sqlx::query_as(concat!(
            "UPDATE jobs SET state = 'queued', attempts = 0, run_at = $1, updated_at = $1 \
             WHERE state = 'dead' RETURNING ",
            job_columns!()
        ))
        .bind(to_millis(now))
        .fetch_all(&mut *tx)
        .await?;
        let jobs = rows
            .into_iter()
            .map(JobRecord::try_from)
            .collect::<StoreResult<Vec<_>>>()?;
        let lines: Vec<TimelineEntry> = jobs.iter().map(note).collect();
        write_timeline(&mut tx, &lines).await?;
        tx.commit().await?;
        Ok(u64::try_from(jobs.len()).unwrap_or(u64::MAX))
    }

    /// Deletes jobs that finished (done) before `before`, of orders that are finished too (an
    /// active order's job keys must keep a replayed step from running twice); returns how many.
    /// Dead jobs stay for an operator; redelivered webhooks are recognised by their inbound
    /// events, not by old jobs.
    pub async fn delete_done_jobs(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        let mut tx = self.begin_write().await?;
        let result = sqlx::query(
            "DELETE FROM jobs WHERE state = 'done' AND updated_at < $1 AND NOT EXISTS \
             (SELECT 1 FROM orders o WHERE (o.order_key = jobs.order_key \
              OR 'write-back/' || o.order_key = jobs.order_key) \
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
            let corrupt = |e: crate::domain::UnknownName| StoreError::Corrupt(e.to_string());
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
        Ok(row.and_then(|(at,)| at).map(super::super::from_millis))
    }
}
