//! `jobs …`: list jobs, and put dead ones back in the queue (through `crate::operations`, so
//! each retry is on its order's timeline with the person's name).

use anyhow::Context;
use bridge_core::jobs::{JobRecord, JobState};
use bridge_core::store::JobFilter;
use clap::Subcommand;

use super::{Actor, operations, print_out};
use crate::configuration::Settings;

#[derive(Debug, Subcommand)]
pub(super) enum JobsCommand {
    /// List jobs (dead ones by default).
    List {
        /// queued, running, done or dead.
        #[arg(long, default_value = "dead")]
        state: String,
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Put one dead job back in the queue (noted on its order's timeline).
    Retry {
        /// The job id (from `jobs list`).
        id: i64,
        #[command(flatten)]
        by: Actor,
    },
    /// Put every dead job back in the queue (each noted on its order's timeline).
    RetryAllDead {
        #[command(flatten)]
        by: Actor,
    },
}

pub(super) async fn jobs(settings: Settings, command: JobsCommand) -> anyhow::Result<()> {
    let store = super::open_existing(&settings).await?;
    match command {
        JobsCommand::List { state, limit } => {
            let state: JobState = state
                .parse()
                .context("--state must be queued, running, done or dead")?;
            let jobs = store
                .list_jobs(&JobFilter {
                    state: Some(state),
                    limit: Some(limit),
                    ..JobFilter::default()
                })
                .await?;
            print_out(&jobs_table(&jobs))?;
        }
        JobsCommand::Retry { id, by } => {
            let rules = settings.rules();
            let job = operations(&store, &rules)
                .retry_job(id, &by.operator())
                .await?;
            println!(
                "job {id} ({}) of {} is queued again",
                job.kind(),
                job.order_key
            );
        }
        JobsCommand::RetryAllDead { by } => {
            let rules = settings.rules();
            let revived = operations(&store, &rules)
                .retry_all_dead(&by.operator())
                .await?;
            println!("{revived} dead job(s) queued again");
        }
    }
    Ok(())
}

pub(super) fn jobs_table(jobs: &[JobRecord]) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:>6}  {:<20} {:<24} {:<8} {:>8}  last error",
        "id", "kind", "order", "state", "attempts"
    );
    for job in jobs {
        let _ = writeln!(
            out,
            "{:>6}  {:<20} {:<24} {:<8} {:>8}  {}",
            job.id,
            job.kind().as_str(),
            job.order_key,
            job.state.as_str(),
            job.attempts,
            job.last_error.as_deref().unwrap_or("")
        );
    }
    let _ = writeln!(out, "({} job(s))", jobs.len());
    out
}
