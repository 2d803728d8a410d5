//! The command line: `serve`, `migrate`, `check-config`, `jobs …`.

use std::path::PathBuf;

use anyhow::Context;
use bridge_core::domain::{OrderKey, PlatformOrderId, ShopId};
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
    CheckConfig {
        /// Also log in to ShaQ and check the Digishare credentials (`GET /user/profile`).
        #[arg(long)]
        online: bool,
    },
    /// Inspect and retry jobs.
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
    /// Apply the `[retention]` settings now: empty old webhook bodies, forget the customers of
    /// finished orders past `customer_data`, delete old finished jobs (the bridge also does
    /// this every hour).
    Retention,
    /// Show orders and their timelines.
    Orders {
        #[command(subcommand)]
        command: OrdersCommand,
    },
    /// Ask ShaQ directly, with the configured credentials.
    Shaq {
        #[command(subcommand)]
        command: ShaqCommand,
    },
    /// Run one order through simulated ShaQ, Digishare and Shopify, and print its journey.
    #[cfg(feature = "demo")]
    Demo {
        /// Leave the bridge and the simulators running afterwards.
        #[arg(long)]
        keep_running: bool,
    },
    /// Serve the ShaQ, Digishare and shop simulators (for trying the bridge without accounts).
    #[cfg(feature = "demo")]
    Sandbox {
        /// Simulator settings (TOML): listen addresses, credentials, faults.
        #[arg(long)]
        sandbox_config: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum OrdersCommand {
    /// Orders, most recently changed first.
    List {
        /// Only this state (e.g. needs_attention).
        #[arg(long)]
        state: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// One order with its timeline.
    Show {
        /// The shop id.
        shop: String,
        /// The shop's order id.
        order: String,
    },
}

#[derive(Debug, Subcommand)]
enum ShaqCommand {
    /// ShaQ's regions (ids to use in addresses).
    Regions,
    /// A package by partner reference.
    Package {
        /// The partner reference (`shop-orderid`).
        partner_ref: String,
    },
    /// A package's tracking history.
    Track {
        /// The tracking number.
        tracking_number: String,
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
        #[cfg(feature = "demo")]
        match self.command {
            Command::Demo { keep_running } => {
                telemetry::init_logging(self.log_format.unwrap_or(LogFormat::Pretty), "warn");
                return crate::demo::run(keep_running).await;
            }
            Command::Sandbox { sandbox_config } => {
                telemetry::init_logging(self.log_format.unwrap_or(LogFormat::Pretty), "info");
                return sandbox(sandbox_config).await;
            }
            _ => {}
        }
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
            Command::CheckConfig { online } => {
                println!("# configuration is valid; effective settings:\n");
                print!("{}", settings.to_redacted_toml());
                if online {
                    check_online(&settings).await?;
                }
                Ok(())
            }
            Command::Jobs { command } => jobs(settings, command).await,
            Command::Orders { command } => orders(settings, command).await,
            Command::Retention => {
                let store = Store::connect(&settings.database).await?;
                let done = bridge_core::maintenance::apply_retention(
                    &store,
                    &settings.retention,
                    Utc::now(),
                )
                .await?;
                println!(
                    "webhook bodies emptied: {}\ncustomers forgotten:    {}\nfinished jobs deleted:  {}",
                    done.bodies_pruned, done.customers_forgotten, done.jobs_deleted
                );
                Ok(())
            }
            Command::Shaq { command } => shaq(settings, command).await,
            #[cfg(feature = "demo")]
            Command::Demo { .. } | Command::Sandbox { .. } => Ok(()),
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

async fn check_online(settings: &Settings) -> anyhow::Result<()> {
    println!();
    let shaq = settings.shaq.client().map_err(anyhow::Error::msg)?;
    let shaq_result = shaq.login().await.map(drop);
    let digishare = settings.digishare.client().map_err(anyhow::Error::msg)?;
    let digishare_result = digishare.verify_credentials().await.map(drop);
    match &shaq_result {
        Ok(()) => println!("# ShaQ: logged in at {}", settings.shaq.base_url),
        Err(error) => println!("# ShaQ: FAILED: {error}"),
    }
    match &digishare_result {
        Ok(()) => println!(
            "# Digishare: credentials accepted at {}",
            settings.digishare.base_url
        ),
        Err(error) => println!("# Digishare: FAILED: {error}"),
    }
    if shaq_result.is_err() || digishare_result.is_err() {
        anyhow::bail!("the online check failed");
    }
    Ok(())
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
            job.kind().as_str(),
            job.order_key,
            job.state.as_str(),
            job.attempts,
            job.last_error.as_deref().unwrap_or("")
        );
    }
}

async fn orders(settings: Settings, command: OrdersCommand) -> anyhow::Result<()> {
    let store = Store::connect(&settings.database).await?;
    match command {
        OrdersCommand::List { state, limit } => {
            let state = state
                .map(|s| s.parse().context("--state is not an order state"))
                .transpose()?;
            let orders = store
                .list_orders(&bridge_core::store::OrderFilter {
                    shop_id: None,
                    state,
                    limit: Some(limit),
                })
                .await?;
            for order in orders {
                println!(
                    "{:<28} {:<10} {:<22} {:<16} {}",
                    order.key(),
                    order.order().order_ref,
                    order.state().as_str(),
                    order.tracking_number().map_or("-", |t| t.as_str()),
                    order
                        .attention()
                        .map(ToString::to_string)
                        .unwrap_or_default()
                );
            }
        }
        OrdersCommand::Show { shop, order } => {
            let key = OrderKey::of(&ShopId::new(shop), &PlatformOrderId::new(order));
            let record = store
                .order(&key)
                .await?
                .with_context(|| format!("no order {key}"))?;
            println!("order     {key} ({})", record.order().order_ref);
            println!("state     {}", record.state());
            if let Some(reason) = record.attention() {
                println!("attention {reason}");
            }
            println!(
                "package   {}",
                record.tracking_number().map_or("-", |t| t.as_str())
            );
            println!(
                "ticket    {}",
                record.ticket_id().map_or("-", |t| t.as_str())
            );
            println!(
                "courier   {}",
                record.courier_status().map_or("-", |s| s.as_str())
            );
            println!(
                "collect   {} {}",
                record.collect().amount,
                record.collect().currency
            );
            println!("\ntimeline:");
            for line in store.timeline(&key).await? {
                println!(
                    "  {}  {:<10} {}",
                    line.entry.at.format("%Y-%m-%d %H:%M:%S"),
                    line.entry.kind,
                    line.entry.summary
                );
            }
        }
    }
    Ok(())
}

async fn shaq(settings: Settings, command: ShaqCommand) -> anyhow::Result<()> {
    let client = settings.shaq.client().map_err(anyhow::Error::msg)?;
    let value = match command {
        ShaqCommand::Regions => serde_json::to_value(client.regions().await?)?,
        ShaqCommand::Package { partner_ref } => {
            serde_json::to_value(client.get_package(&partner_ref).await?)?
        }
        ShaqCommand::Track { tracking_number } => {
            serde_json::to_value(client.track(&tracking_number).await?)?
        }
    };
    println!("{}", serde_json::to_string_pretty(&value)?);
    Ok(())
}

#[cfg(feature = "demo")]
async fn sandbox(config: Option<PathBuf>) -> anyhow::Result<()> {
    let config: bridge_sandbox::SandboxConfig = match config {
        Some(path) => {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?
        }
        None => bridge_sandbox::SandboxConfig::default(),
    };
    let sandbox = bridge_sandbox::Sandbox::start(config).await?;
    println!("ShaQ simulator       {}", sandbox.shaq_url());
    println!("Digishare simulator  {}", sandbox.digishare_url());
    println!("Shop admin APIs      {}", sandbox.shop_url());
    println!("Control APIs under /_sandbox on each. Ctrl-C to stop.");
    shutdown_signal().await;
    sandbox.shutdown();
    Ok(())
}
