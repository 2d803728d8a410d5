//! Raw rows as the database returns them, and their conversion to domain records.

use super::{JobRecord, JobState};
use super::{StoreError, from_millis};
use crate::domain::OrderKey;
use crate::workflow::Job;

/// The columns every job query selects, as a literal so `concat!` can build static SQL.
macro_rules! job_columns {
    () => {
        "id, kind, order_key, dedupe_key, payload, state, attempts, run_at, lease_until, \
         last_error, created_at, updated_at"
    };
}
pub(super) use job_columns;

#[derive(Debug, sqlx::FromRow)]
pub(super) struct JobRow {
    id: i64,
    kind: String,
    order_key: String,
    dedupe_key: String,
    payload: String,
    state: String,
    attempts: i64,
    run_at: i64,
    lease_until: Option<i64>,
    last_error: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<JobRow> for JobRecord {
    type Error = StoreError;

    fn try_from(row: JobRow) -> Result<Self, Self::Error> {
        let corrupt = |what: &str, e: &dyn std::fmt::Display| {
            StoreError::Corrupt(format!("job {}: {what}: {e}", row.id))
        };
        Ok(JobRecord {
            id: row.id,
            job: Job::from_stored(&row.kind, &row.payload).map_err(|e| corrupt("job", &e))?,
            order_key: OrderKey::new(row.order_key.clone()),
            dedupe_key: row.dedupe_key.clone(),
            state: public_state(&row.state)
                .parse::<JobState>()
                .map_err(|e| corrupt("state", &e))?,
            attempts: row.attempts,
            run_at: from_millis(row.run_at),
            lease_until: row.lease_until.map(from_millis),
            last_error: row.last_error.clone(),
            created_at: from_millis(row.created_at),
            updated_at: from_millis(row.updated_at),
        })
    }
}

/// The state a stored state is shown as: a held job is queued as far as anyone outside the
/// queue is concerned.
fn public_state(stored: &str) -> &str {
    if stored == "held" { "queued" } else { stored }
}
