//! The job queue's records: a job as stored, as a worker holds it, and what its claim read
//! for it. The queue itself is the `jobs` table (`store/jobs/`); what each job does is the
//! workflow's [`Job`] and the executors in `crate::jobs`.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::InboundEventRecord;
use crate::domain::{OrderKey, UnknownName};
use crate::workflow::{Job, JobKind, TrackedOrder};

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Waiting for its `run_at`.
    Queued,
    /// Leased by a worker until `lease_until`; claimable again once that passes.
    Running,
    /// Finished successfully.
    Done,
    /// Gave up: a permanent error or the retry window ran out. An operator can retry it.
    Dead,
}

impl JobState {
    /// Every state, for metrics and listings.
    pub const ALL: [JobState; 4] = [
        JobState::Queued,
        JobState::Running,
        JobState::Done,
        JobState::Dead,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Dead => "dead",
        }
    }
}

impl fmt::Display for JobState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for JobState {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        JobState::ALL
            .into_iter()
            .find(|state| state.as_str() == s)
            .ok_or_else(|| UnknownName(s.to_owned()))
    }
}

/// A job as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRecord {
    /// Database id.
    pub id: i64,
    /// What it does.
    pub job: Job,
    /// The order it belongs to.
    pub order_key: OrderKey,
    /// Its idempotency key.
    pub dedupe_key: String,
    /// Where it is.
    pub state: JobState,
    /// How many times a worker claimed it.
    pub attempts: i64,
    /// Next time it may run.
    pub run_at: DateTime<Utc>,
    /// When the current lease ends (running jobs).
    pub lease_until: Option<DateTime<Utc>>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When it was enqueued.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl JobRecord {
    /// What kind of job it is.
    pub fn kind(&self) -> JobKind {
        self.job.kind()
    }

    /// Whether an earlier run of this job may have made its call: it was claimed before (and
    /// failed, died, or was interrupted at shutdown, which keeps the attempt), or revived after
    /// failing. Only a job that certainly never ran may create without looking first.
    pub fn may_have_run_before(&self) -> bool {
        self.attempts > 1 || self.last_error.is_some()
    }
}

/// A job as the admin API shows it: its kind and payload side by side, as stored. Its schema
/// is [`JobRecord`]'s in the admin API's document.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = JobRecord)]
struct JobView<'a> {
    id: i64,
    kind: JobKind,
    order_key: &'a OrderKey,
    dedupe_key: &'a str,
    /// The job's fields (their shape depends on its kind).
    #[schema(value_type = Object)]
    payload: serde_json::Value,
    state: JobState,
    attempts: i64,
    run_at: DateTime<Utc>,
    lease_until: Option<DateTime<Utc>>,
    last_error: Option<&'a str>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl utoipa::PartialSchema for JobRecord {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        <JobView<'_> as utoipa::PartialSchema>::schema()
    }
}

impl utoipa::ToSchema for JobRecord {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("JobRecord")
    }

    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        <JobView<'_> as utoipa::ToSchema>::schemas(schemas);
    }
}

impl Serialize for JobRecord {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        JobView {
            id: self.id,
            kind: self.kind(),
            order_key: &self.order_key,
            dedupe_key: &self.dedupe_key,
            payload: self.job.payload(),
            state: self.state,
            attempts: self.attempts,
            run_at: self.run_at,
            lease_until: self.lease_until,
            last_error: self.last_error.as_deref(),
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
        .serialize(serializer)
    }
}

/// A job a worker holds. The lease id proves ownership: a worker whose lease expired and was
/// taken over cannot finish the job a second time.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimedJob {
    /// The job as claimed (state `running`, attempts already counted).
    pub job: JobRecord,
    /// This claim's identity.
    pub lease_id: String,
    /// What the job starts from, read in the claim's transaction; `None` when the claim did
    /// not read it (the executor reads it itself).
    pub inputs: Option<Arc<JobInputs>>,
}

/// A job's order (and, for `apply_inbound_event`, its webhook) as the claim's transaction read
/// them: what the job would read when it starts, without a round trip to the database per job.
/// Jobs of an order run one at a time and only their completions store it (retention's
/// forgetting too is a job of the order), so what the claim read is what the job would read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JobInputs {
    /// The order; `None` when it is not stored (yet).
    pub order: Option<TrackedOrder>,
    /// The webhook an `apply_inbound_event` job applies; `None` for other jobs, or when it is
    /// gone.
    pub event: Option<InboundEventRecord>,
}

impl ClaimedJob {
    /// The job's id.
    pub fn id(&self) -> i64 {
        self.job.id
    }
}

/// Counts of jobs per state, for `/metrics` and `/readyz`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct JobCounts {
    /// Waiting.
    pub queued: i64,
    /// Leased.
    pub running: i64,
    /// Finished.
    pub done: i64,
    /// Given up.
    pub dead: i64,
}

impl JobCounts {
    /// The count for one state.
    pub fn get(&self, state: JobState) -> i64 {
        match state {
            JobState::Queued => self.queued,
            JobState::Running => self.running,
            JobState::Done => self.done,
            JobState::Dead => self.dead,
        }
    }

    /// Set the count for one state.
    pub fn set(&mut self, state: JobState, count: i64) {
        match state {
            JobState::Queued => self.queued = count,
            JobState::Running => self.running = count,
            JobState::Done => self.done = count,
            JobState::Dead => self.dead = count,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip_through_their_stored_names() {
        for state in JobState::ALL {
            assert_eq!(state.as_str().parse::<JobState>(), Ok(state));
        }
        assert!("lost".parse::<JobState>().is_err());
    }
}
