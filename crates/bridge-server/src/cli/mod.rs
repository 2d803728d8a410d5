//! The command line: `serve`, `migrate`, `check-config`, `setup`, `orders …`, `jobs …`,
//! `handover`, `retention`, and the questions to ShaQ and Digishare. One file per command group;
//! every operator action goes through `crate::operations`, like the console and the admin API.

mod connect;
mod handover;
mod jobs;
mod orders;
#[cfg(feature = "demo")]
mod sandbox;
mod setup;
mod upstreams;

use std::path::PathBuf;

use anyhow::Context as _;
use bridge_core::store::Store;
use bridge_core::workflow::Rules;
use bridge_core::workflow::operator::Operator;
use chrono::Utc;
use clap::{Parser, Subcommand};

use crate::configuration::{LogFormat, Settings};
use crate::operations::Operations;
use crate::startup::{Application, shutdown_signal};
use crate::telemetry;
use handover::handover;
use jobs::{JobsCommand, jobs};
use orders::{OrdersCommand, orders};
#[cfg(feature = "demo")]
use sandbox::sandbox;
use setup::{SetupArgs, check_online, hash_password_from_stdin, setup};
use upstreams::{DigishareCommand, ShaqCommand, shaq};

/// The version and the git revision the binary was built from (`shaq-bridge --version`).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("SHAQ_BRIDGE_REVISION"),
    ")"
);

/// shaq-bridge links your shop, the courier ShaQ Express and Digishare (WhatsApp tickets).
#[derive(Debug, Parser)]
#[command(name = "shaq-bridge", version = VERSION, about, long_about = None)]
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
    /// Write a starter settings file: asks in a terminal, takes flags otherwise (or with
    /// --no-input). Secrets the bridge checks itself are generated.
    Setup(SetupArgs),
    /// Validate the settings and print the effective configuration (secrets redacted).
    CheckConfig {
        /// Also log in to ShaQ and check the Digishare credentials (`GET /user/profile`).
        #[arg(long)]
        online: bool,
    },
    /// Ask each shop to send its order webhooks to the bridge: lists the shop's webhook
    /// subscriptions, makes the missing ones, leaves correct ones alone and reports (or, with
    /// --fix, repoints) those pointing elsewhere. Uses the credentials in `[shops.write_back]`.
    Connect {
        /// Only this shop (its configured id).
        #[arg(long)]
        shop: Option<String>,
        /// The bridge's public address (default `server.public_url`).
        #[arg(long)]
        public_url: Option<String>,
        /// Also repoint the bridge's webhooks that point at another address or are paused.
        #[arg(long)]
        fix: bool,
        /// Only say what would be done.
        #[arg(long)]
        dry_run: bool,
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
    /// Hand the shop's ready packages to ShaQ now, in one shipment (the running bridge makes
    /// it: ShaQ's reference, the labels, the PDF), and save its manifest and labels as a PDF.
    Handover {
        /// The shop (its configured id).
        #[arg(long)]
        shop: String,
        /// Where to write the PDF (default `handover-<shop>-<reference>.pdf` here).
        #[arg(long)]
        out: Option<PathBuf>,
        /// How long to wait for the running bridge to make the shipment, in seconds.
        #[arg(long, default_value_t = 120)]
        wait: u64,
        #[command(flatten)]
        by: Actor,
    },
    /// Show orders and their timelines.
    Orders {
        #[command(subcommand)]
        command: OrdersCommand,
    },
    /// Print an argon2 hash of a password for `[[console.operators]] password_hash`: asked twice
    /// without showing it at a terminal, or read from standard input
    /// (`shaq-bridge hash-password < file-with-the-password`).
    HashPassword,
    /// Ask ShaQ directly, with the configured credentials.
    Shaq {
        #[command(subcommand)]
        command: ShaqCommand,
    },
    /// Ask Digishare directly, with the configured credentials.
    Digishare {
        #[command(subcommand)]
        command: DigishareCommand,
    },
    /// Run one order through simulated ShaQ, Digishare and Shopify, and print its journey.
    #[cfg(feature = "demo")]
    Demo {
        /// Leave the bridge and the simulators running afterwards.
        #[arg(long)]
        keep_running: bool,
        /// Also hand the package over to ShaQ before pickup, and write the handover PDF
        /// (manifest and label) to the temporary folder.
        #[arg(long)]
        handover: bool,
    },
    /// Serve the ShaQ, Digishare and shop simulators (for trying the bridge without accounts).
    #[cfg(feature = "demo")]
    Sandbox {
        /// Simulator settings (TOML): listen addresses, credentials, faults.
        #[arg(long)]
        sandbox_config: Option<PathBuf>,
        /// A running bridge (`http://127.0.0.1:8080`) the simulators send their webhooks to:
        /// ShaQ's courier updates, Digishare's `ticket.updated`, and the orders placed with
        /// `POST <shop simulator>/_sandbox/orders`.
        #[arg(long)]
        bridge_url: Option<String>,
        /// Write settings for a bridge using these simulators (listening at --bridge-url) to
        /// this file, instead of printing them.
        #[arg(long)]
        write_bridge_config: Option<PathBuf>,
    },
}

impl Cli {
    /// Runs the chosen command.
    pub async fn run(self) -> anyhow::Result<()> {
        #[cfg(feature = "demo")]
        match self.command {
            Command::Demo {
                keep_running,
                handover,
            } => {
                telemetry::init_logging(self.log_format.unwrap_or(LogFormat::Pretty), "warn");
                return crate::demo::run(keep_running, handover).await;
            }
            Command::Sandbox {
                sandbox_config,
                bridge_url,
                write_bridge_config,
            } => {
                telemetry::init_logging(self.log_format.unwrap_or(LogFormat::Pretty), "info");
                return sandbox(sandbox_config, bridge_url, write_bridge_config).await;
            }
            _ => {}
        }
        if let Command::HashPassword = self.command {
            return hash_password_from_stdin();
        }
        if let Command::Setup(args) = self.command {
            return setup(args);
        }
        let settings = Settings::load(self.config.as_deref())?;
        let format = self.log_format.unwrap_or(settings.log.format);
        telemetry::init_logging(format, &settings.log.level);
        match self.command {
            Command::Serve => serve(settings).await,
            Command::Migrate => {
                let store = Store::connect(&settings.database)
                    .await
                    .with_context(|| format!("opening {}", settings.database.redacted_url()))?;
                store.migrate().await?;
                println!("migrations applied to {}", settings.database.redacted_url());
                Ok(())
            }
            Command::CheckConfig { online } => {
                println!("# configuration is valid; effective settings:\n");
                print!("{}", settings.to_redacted_toml());
                if let Some(warning) = self
                    .config
                    .as_deref()
                    .and_then(crate::setup::file_permission_warning)
                {
                    eprintln!("{warning}");
                }
                if online {
                    check_online(&settings).await?;
                }
                println!("\n{}", crate::setup::paste_where(&settings));
                Ok(())
            }
            Command::Connect {
                shop,
                public_url,
                fix,
                dry_run,
            } => {
                let url = connect::public_url(&settings, public_url)?;
                let mode = match (dry_run, fix) {
                    (true, _) => connect::Mode::Report,
                    (false, true) => connect::Mode::Fix,
                    (false, false) => connect::Mode::Create,
                };
                connect::connect(&settings, shop.as_deref(), &url, mode).await
            }
            Command::Jobs { command } => jobs(settings, command).await,
            Command::Orders { command } => orders(settings, command).await,
            Command::Retention => {
                let store = open_existing(&settings).await?;
                let done = bridge_core::maintenance::apply_retention(
                    &store,
                    &settings.retention,
                    Utc::now(),
                )
                .await?;
                println!(
                    "webhook bodies emptied: {}\ncustomers to forget:    {} (queued: the running bridge \
                     forgets each in its order's turn)\nfinished jobs deleted:  {}",
                    done.bodies_pruned, done.customers_to_forget, done.jobs_deleted
                );
                Ok(())
            }
            Command::Handover {
                shop,
                out,
                wait,
                by,
            } => handover(settings, &shop, &by, out, wait).await,
            Command::Shaq { command } => shaq(settings, command).await,
            Command::Digishare { command } => {
                let client = settings.digishare.client().map_err(anyhow::Error::msg)?;
                let (pages, statuses) = match command {
                    DigishareCommand::Statuses { pages } => (pages, true),
                    DigishareCommand::Types { pages } => (pages, false),
                };
                let seen = crate::setup::SeenOnTickets::read(&client, pages).await?;
                print_out(&seen.listing(&settings, statuses))
            }
            Command::HashPassword | Command::Setup(_) => Ok(()),
            #[cfg(feature = "demo")]
            Command::Demo { .. } | Command::Sandbox { .. } => Ok(()),
        }
    }
}

/// Who acts, on the order's timeline: `--as NAME`, else `cli:` and the system user.
#[derive(Debug, Clone, Default, clap::Args)]
pub(super) struct Actor {
    /// Your name on the order's timeline (default: cli:$USER).
    #[arg(long = "as")]
    name: Option<String>,
}

impl Actor {
    fn operator(&self) -> Operator {
        match self
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            Some(name) => Operator::new(name),
            None => Operator::new(&format!(
                "cli:{}",
                std::env::var("USER").unwrap_or_else(|_| "unknown".to_owned())
            )),
        }
    }
}

/// The operations of a bridge's database, from the command line: no workers to wake (the
/// running bridge polls its queue).
fn operations<'a>(store: &'a Store, rules: &'a Rules) -> Operations<'a> {
    Operations {
        store,
        rules,
        waker: None,
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let public_url = settings.server.public_url.clone();
    let database = settings.database.redacted_url();
    let application = Application::build(settings).await?;
    // One line for the person who started it, whatever the log level; on standard error, so a
    // `serve … | jq` pipeline of JSON logs stays JSON.
    let address = application
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    let console = public_url.unwrap_or_else(|| format!("http://{address}"));
    eprintln!(
        "shaq-bridge {VERSION} listening on {address}; console {}/console; database {database}",
        console.trim_end_matches('/')
    );
    let shutdown = application.shutdown_token();
    tokio::spawn(async move {
        shutdown_signal().await;
        shutdown.cancel();
    });
    application.run_until_stopped().await
}

/// Writes to standard output; a reader that went away (`| head`) is not an error.
fn print_out(text: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// The bridge's existing database, or an error naming it (its password hidden).
pub(crate) async fn open_existing(settings: &Settings) -> anyhow::Result<Store> {
    Store::open_existing(&settings.database)
        .await
        .with_context(|| format!("opening {}", settings.database.redacted_url()))
}
