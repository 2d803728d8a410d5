//! Enqueueing: new jobs inserted many to a statement, a key already present (in any state)
//! skipped. Every path that queues work (the workflow's decisions committed with a job,
//! webhooks, handovers) goes through [`insert_jobs`].

use chrono::{DateTime, Utc};

use super::{Store, StoreResult, WriteTx, to_millis};
use crate::workflow::NewJob;

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

impl Store {
    /// Enqueues jobs; a dedupe key already present (in any state) is skipped. Returns how many
    /// were new.
    pub async fn enqueue(&self, jobs: &[NewJob], now: DateTime<Utc>) -> StoreResult<u64> {
        let mut tx = self.begin_write().await?;
        let inserted = insert_jobs(&mut tx, jobs, now).await?;
        tx.commit().await?;
        Ok(inserted)
    }
}
