//! The command line: `serve`, `migrate`, `check-config`, `jobs …`.

use std::path::PathBuf;

use anyhow::Context;
use bridge_core::jobs::{JobRecord, JobState};
use bridge_core::store::{JobFilter, Store};
use chrono::Utc;
use clap::{Parser, Subcommand};

use crate::configuration::{LogFormat, Settings};
use crate::startup::{Application, shutdown_signal};
use crate::telemetry;

/// shaq-bridge links your shop, the courier ShaQ Express and Digishare (WhatsApp tickets).
#[derive(Debug, Parser)]
#[command(name = "shaq-bridge", version, about, long_about = None)]
pub struct Cli {
    /// Your settings file (TOML); defaults apply to everything it leaves out.
    #[arg(long, global = true, env = "SHAQ_BRIDGE_CONFIG")]
    config: Option<PathBuf>,
    /// Log format (overrides `log.format`).
    #[arg(long, global = true, value_enum)]
    log_format: Option<LogFormat>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the bridge: receive webhooks and run the jobs.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Validate the settings and print the effective configuration (secrets redacted).
    CheckConfig,
    /// Inspect and retry jobs.
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
}

#[derive(Debug, Subcommand)]
enum JobsCommand {
    /// List jobs (dead ones by default).
    List {
        /// queued, running, done or dead.
        #[arg(long, default_value = "dead")]
        state: String,
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Put one dead job back in the queue.
    Retry {
        /// The job id (from `jobs list`).
        id: i64,
    },
    /// Put every dead job back in the queue.
    RetryAllDead,
}

impl Cli {
    /// Runs the chosen command.
    pub async fn run(self) -> anyhow::Result<()> {
        let settings = Settings::load(self.config.as_deref())?;
        let format = self.log_format.unwrap_or(settings.log.format);
        telemetry::init_logging(format, &settings.log.level);
        match self.command {
            Command::Serve => serve(settings).await,
            Command::Migrate => {
                let store = Store::connect(&settings.database).await?;
                store.migrate().await?;
                println!("migrations applied to {}", settings.database.redacted_url());
                Ok(())
            }
            Command::CheckConfig => {
                println!("# configuration is valid; effective settings:\n");
                print!("{}", settings.to_redacted_toml());
                Ok(())
            }
            Command::Jobs { command } => jobs(settings, command).await,
        }
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let application = Application::build(settings).await?;
    let shutdown = application.shutdown_token();
    tokio::spawn(async move {
        shutdown_signal().await;
        shutdown.cancel();
    });
    application.run_until_stopped().await
}

async fn jobs(settings: Settings, command: JobsCommand) -> anyhow::Result<()> {
    let store = Store::connect(&settings.database).await?;
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
            print_jobs(&jobs);
        }
        JobsCommand::Retry { id } => {
            if store.revive_job(id, Utc::now()).await? {
                println!("job {id} is queued again");
            } else {
                anyhow::bail!("job {id} does not exist or is not dead");
            }
        }
        JobsCommand::RetryAllDead => {
            let revived = store.revive_dead_jobs(Utc::now()).await?;
            println!("{revived} dead job(s) queued again");
        }
    }
    Ok(())
}

fn print_jobs(jobs: &[JobRecord]) {
    if jobs.is_empty() {
        println!("no jobs");
        return;
    }
    println!(
        "{:>6}  {:<20} {:<24} {:<8} {:>8}  last error",
        "id", "kind", "order", "state", "attempts"
    );
    for job in jobs {
        println!(
            "{:>6}  {:<20} {:<24} {:<8} {:>8}  {}",
            job.id,
            job.kind.as_str(),
            job.order_key,
            job.state.as_str(),
            job.attempts,
            job.last_error.as_deref().unwrap_or("")
        );
    }
}
