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

mod admin;
mod claim;
mod complete;
#[cfg(test)]
mod tests;

use serde::Deserialize;

use super::{ClaimedJob, Intake, JobState, StoreResult, TimelineEntry};
use crate::domain::OrderKey;
use crate::workflow::{JobKind, NewJob, TrackedOrder};

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

/// `rows::public_state` in SQL.
macro_rules! public_state_sql {
    () => {
        "CASE state WHEN 'held' THEN 'queued' ELSE state END"
    };
}
use public_state_sql;
