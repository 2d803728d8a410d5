//! The command line: `serve`, `migrate`, `check-config`, `jobs …`.

use std::path::PathBuf;

use anyhow::Context;
use bridge_core::domain::{PhoneE164, ShopId};
use bridge_core::jobs::{JobRecord, JobState};
use bridge_core::store::{JobFilter, Store};
use chrono::Utc;
use clap::{Parser, Subcommand};

use bridge_core::workflow::TrackedOrder;
use bridge_core::workflow::operator::{Operator, OperatorAction};

use crate::configuration::{LogFormat, Settings};
use crate::export::{OrderLine, to_csv};
use crate::operations::{CorrectionInput, Operations};
use crate::routes::admin::OrdersQuery;
use crate::startup::{Application, shutdown_signal};
use crate::telemetry;

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
    },
    /// Show orders and their timelines.
    Orders {
        #[command(subcommand)]
        command: OrdersCommand,
    },
    /// Print an argon2 hash of a password read from standard input, for
    /// `[[console.operators]] password_hash` (`echo -n 'the password' | shaq-bridge hash-password`).
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

#[derive(Debug, Subcommand)]
enum OrdersCommand {
    /// Orders, newest first: a table with a header row, or --json / --csv.
    List {
        /// Order name (#1047), platform id, phone, tracking number or part of the name.
        #[arg(long, short)]
        q: Option<String>,
        /// Only this shop.
        #[arg(long)]
        shop: Option<String>,
        /// Only this state (e.g. needs_attention).
        #[arg(long)]
        state: Option<String>,
        /// Received on or after this day (2026-11-01).
        #[arg(long)]
        from: Option<String>,
        /// Received before this day.
        #[arg(long)]
        to: Option<String>,
        /// At most this many (at most 500).
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// Skip this many.
        #[arg(long, default_value_t = 0)]
        offset: u32,
        /// One JSON document.
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        /// CSV with a header row (phones in full).
        #[arg(long)]
        csv: bool,
    },
    /// One order with its timeline.
    Show {
        /// The shop id.
        shop: String,
        /// The order: its name as customers quote it (`#1047`) or the platform's id.
        order: String,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Correct an order's delivery details (kept over later versions from the shop).
    Correct {
        /// The shop id.
        shop: String,
        /// The order (`#1047` or the platform's id).
        order: String,
        /// One of ShaQ's regions.
        #[arg(long)]
        region: Option<String>,
        /// Street and house.
        #[arg(long)]
        line1: Option<String>,
        /// Second address line ("" clears it).
        #[arg(long)]
        line2: Option<String>,
        /// City or town.
        #[arg(long)]
        city: Option<String>,
        /// The customer's mobile number.
        #[arg(long)]
        phone: Option<String>,
        /// What the courier collects (0: nothing).
        #[arg(long)]
        amount: Option<String>,
        /// Your name on the order's timeline (default: cli:$USER).
        #[arg(long = "as")]
        operator: Option<String>,
    },
    /// Resume an order waiting for a person.
    Resume {
        /// The shop id.
        shop: String,
        /// The order.
        order: String,
        /// Your name on the order's timeline.
        #[arg(long = "as")]
        operator: Option<String>,
    },
    /// Run the order's last webhook (or --event) through the workflow again.
    Replay {
        /// The shop id.
        shop: String,
        /// The order.
        order: String,
        /// One of the order's inbound events.
        #[arg(long)]
        event: Option<i64>,
        /// Your name on the order's timeline.
        #[arg(long = "as")]
        operator: Option<String>,
    },
    /// Cancel an order: package, ticket, and the shop's order if configured.
    Cancel {
        /// The shop id.
        shop: String,
        /// The order.
        order: String,
        /// Your name on the order's timeline.
        #[arg(long = "as")]
        operator: Option<String>,
    },
    /// After delivery: ShaQ collects the item back (`return`), delivers a replacement
    /// (`replace`), or both on one visit (`exchange`).
    AfterSale {
        /// The shop id.
        shop: String,
        /// The order.
        order: String,
        /// `return`, `replace` or `exchange`.
        #[arg(long)]
        kind: bridge_core::workflow::returns::AfterSale,
        /// Your name on the order's timeline.
        #[arg(long = "as")]
        operator: Option<String>,
    },
}

#[derive(Debug, clap::Args)]
struct SetupArgs {
    /// Where to write the settings.
    #[arg(long, default_value = "bridge.toml")]
    output: PathBuf,
    /// Replace the file if it exists.
    #[arg(long)]
    force: bool,
    /// Never ask, even in a terminal: flags and defaults only.
    #[arg(long)]
    no_input: bool,
    /// The https:// address shops, ShaQ and Digishare reach the bridge at.
    #[arg(long)]
    public_url: Option<String>,
    /// `sqlite://data/shaq-bridge.db` (default) or `postgres://user:password@host/db`.
    #[arg(long)]
    database_url: Option<String>,
    /// ShaQ's partner API address.
    #[arg(long)]
    shaq_base_url: Option<String>,
    /// ShaQ partner identifier.
    #[arg(long)]
    shaq_identifier: Option<String>,
    /// ShaQ partner secret.
    #[arg(long)]
    shaq_secret: Option<String>,
    /// Where ShaQ picks parcels up (street, area, city).
    #[arg(long)]
    pickup_address: Option<String>,
    /// The country you ship from and your customers' phones' default (ISO code, `GH`).
    #[arg(long)]
    country: Option<String>,
    /// Digishare personal access token.
    #[arg(long)]
    digishare_token: Option<String>,
    /// Digishare ticket type id for orders.
    #[arg(long)]
    ticket_type: Option<String>,
    /// A short id for your shop (letters, digits, `-`): it ends its webhook URL.
    #[arg(long)]
    shop_id: Option<String>,
    /// shopify, woocommerce, youcan or generic.
    #[arg(long)]
    platform: Option<String>,
    /// confirm_first (ask COD customers on WhatsApp first) or ship_immediately.
    #[arg(long)]
    flow: Option<String>,
    /// The key your shop signs its webhooks with.
    #[arg(long)]
    shop_secret: Option<String>,
}

#[derive(Debug, Subcommand)]
enum DigishareCommand {
    /// Ticket status ids seen on the account's most recent tickets, and the key each is
    /// configured as (Digishare has no endpoint listing statuses).
    Statuses {
        /// How many pages of 100 recent tickets to read.
        #[arg(long, default_value_t = 5)]
        pages: u32,
    },
    /// Ticket type ids seen on the account's most recent tickets.
    Types {
        /// How many pages of 100 recent tickets to read.
        #[arg(long, default_value_t = 5)]
        pages: u32,
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
                let store = Store::connect(&settings.database).await?;
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
            Command::Jobs { command } => jobs(settings, command).await,
            Command::Orders { command } => orders(settings, command).await,
            Command::Retention => {
                let store = Store::open_existing(&settings.database).await?;
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
            Command::Handover { shop, out, wait } => handover(settings, &shop, out, wait).await,
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

/// `shaq-bridge setup`: the answers (flags first, then questions in a terminal, then
/// defaults) written as a starter settings file readable by its owner only.
fn setup(args: SetupArgs) -> anyhow::Result<()> {
    use std::io::{BufRead as _, IsTerminal as _, Write as _};
    if args.output.exists() && !args.force {
        anyhow::bail!(
            "{} exists: pass --force to replace it, or --output another file",
            args.output.display()
        );
    }
    let interactive = !args.no_input && std::io::stdin().is_terminal();
    let defaults = crate::setup::Starter::default();
    let mut stdin = std::io::stdin().lock();
    let mut ask = |flag: Option<String>, question: &str, default: &str| -> anyhow::Result<String> {
        if let Some(value) = flag {
            return Ok(value);
        }
        if !interactive {
            return Ok(default.to_owned());
        }
        eprint!("{question} [{default}]: ");
        std::io::stderr().flush()?;
        let mut line = String::new();
        stdin.read_line(&mut line)?;
        let answer = line.trim();
        Ok(if answer.is_empty() { default } else { answer }.to_owned())
    };
    if interactive {
        eprintln!(
            "Answer each question, or press Enter to keep the value in brackets (`{}` marks what \
             you can fill in later). Secrets are shown as you type.\n",
            crate::setup::TO_FILL
        );
    }
    let starter = crate::setup::Starter {
        public_url: ask(
            args.public_url,
            "Public https:// address of the bridge",
            &defaults.public_url,
        )?,
        database_url: ask(args.database_url, "Database", &defaults.database_url)?,
        shaq_base_url: ask(
            args.shaq_base_url,
            "ShaQ partner API address",
            &defaults.shaq_base_url,
        )?,
        shaq_identifier: ask(
            args.shaq_identifier,
            "ShaQ partner identifier",
            &defaults.shaq_identifier,
        )?,
        shaq_secret: ask(
            args.shaq_secret,
            "ShaQ partner secret",
            &defaults.shaq_secret,
        )?,
        pickup_address: ask(
            args.pickup_address,
            "Pickup address (where ShaQ collects parcels)",
            &defaults.pickup_address,
        )?,
        country: ask(args.country, "Country you ship from", &defaults.country)?,
        digishare_token: ask(
            args.digishare_token,
            "Digishare access token",
            &defaults.digishare_token,
        )?,
        ticket_type: ask(
            args.ticket_type,
            "Digishare ticket type id",
            &defaults.ticket_type,
        )?,
        shop_id: ask(
            args.shop_id,
            "Shop id (ends its webhook URL)",
            &defaults.shop_id,
        )?,
        platform: ask(
            args.platform,
            "Shop platform (shopify, woocommerce, youcan, generic)",
            &defaults.platform,
        )?,
        flow: ask(
            args.flow,
            "Flow (confirm_first, ship_immediately)",
            &defaults.flow,
        )?,
        shop_secret: ask(
            args.shop_secret,
            "The key the shop signs its webhooks with",
            &defaults.shop_secret,
        )?,
    };
    let text = starter.to_toml();
    // Refuse to write what the bridge would refuse to start with (a typo in a platform…).
    if let Err(error) = Settings::from_toml(&text) {
        anyhow::bail!("these answers do not make valid settings: {error}");
    }
    write_private(&args.output, &text)?;
    // The keys still holding a placeholder, named with their section (`shaq.secret`).
    let mut section = String::new();
    let mut left: Vec<String> = Vec::new();
    for line in text.lines() {
        if let Some(name) = line
            .strip_prefix('[')
            .map(|rest| rest.trim_matches(['[', ']']))
        {
            section = name.to_owned();
        } else if line.contains(crate::setup::TO_FILL)
            && let Some((key, _)) = line.split_once(" = ")
        {
            left.push(format!("{section}.{key}"));
        }
    }
    println!(
        "settings written to {} (readable by you only)",
        args.output.display()
    );
    if !left.is_empty() {
        println!("still to fill in: {}", left.join(", "));
    }
    println!(
        "next: shaq-bridge check-config --config {} --online   (ends with what to paste where; \
         guides in docs/setup/)",
        args.output.display()
    );
    Ok(())
}

fn hash_password_from_stdin() -> anyhow::Result<()> {
    use std::io::{BufRead as _, IsTerminal as _};
    if std::io::stdin().is_terminal() {
        eprint!("password (shown as you type; pipe it in to avoid that): ");
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let password = line.trim_end_matches(['\n', '\r']);
    if password.chars().count() < 12 {
        anyhow::bail!("use at least 12 characters");
    }
    let hash = crate::console::session::hash_password(password).map_err(anyhow::Error::msg)?;
    print_out(&format!("{hash}\n"))
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
    let mut failed = false;
    let shaq = settings.shaq.client().map_err(anyhow::Error::msg)?;
    match shaq.login().await {
        Ok(_) => println!("# ShaQ: logged in at {}", settings.shaq.base_url),
        Err(error) => {
            failed = true;
            println!("# ShaQ: FAILED: {error}");
        }
    }
    let digishare = settings.digishare.client().map_err(anyhow::Error::msg)?;
    match digishare.verify_credentials().await {
        Ok(_) => {
            println!(
                "# Digishare: credentials accepted at {}",
                settings.digishare.base_url
            );
            // Not seeing an id is a warning: a status no ticket reached yet is not seen either.
            match crate::setup::SeenOnTickets::read(&digishare, 2).await {
                Ok(seen) => print!("{}", seen.check(settings).0),
                Err(error) => println!("# Digishare ids: cannot list tickets: {error}"),
            }
        }
        Err(error) => {
            failed = true;
            println!("# Digishare: FAILED: {error}");
        }
    }
    // Each shop's admin API, read-only: its recent orders (writing would change the shop).
    let since = Utc::now() - chrono::Duration::days(1);
    for shop in &settings.shops {
        let client = match shop.admin_client(&shop_client::Timeouts::default()) {
            Ok(Some(client)) => client,
            Ok(None) if shop.write_back.enabled => {
                failed = true;
                println!(
                    "# Shop {}: FAILED: write-back is on but its credentials are incomplete",
                    shop.id
                );
                continue;
            }
            Ok(None) => {
                println!("# Shop {}: write-back off, no admin API to check", shop.id);
                continue;
            }
            Err(error) => {
                failed = true;
                println!("# Shop {}: FAILED: {error}", shop.id);
                continue;
            }
        };
        match client.recent_orders(since).await {
            Ok(orders) => println!(
                "# Shop {}: admin API credentials accepted ({} order(s) changed in the last day)",
                shop.id,
                orders.len()
            ),
            Err(shop_client::ShopError::Invalid(reason)) => {
                println!("# Shop {}: not checked: {reason}", shop.id);
            }
            Err(error) => {
                failed = true;
                println!("# Shop {}: FAILED: {error}", shop.id);
            }
        }
    }
    if failed {
        anyhow::bail!("the online check failed");
    }
    Ok(())
}

async fn jobs(settings: Settings, command: JobsCommand) -> anyhow::Result<()> {
    let store = Store::open_existing(&settings.database).await?;
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

fn jobs_table(jobs: &[JobRecord]) -> String {
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

async fn orders(settings: Settings, command: OrdersCommand) -> anyhow::Result<()> {
    let store = Store::open_existing(&settings.database).await?;
    let rules = settings.rules();
    let operations = Operations {
        store: &store,
        rules: &rules,
        waker: None,
    };
    let (by, shop, order, action) = match command {
        OrdersCommand::List {
            q,
            shop,
            state,
            from,
            to,
            limit,
            offset,
            json,
            csv,
        } => {
            let query = OrdersQuery {
                q,
                shop,
                state,
                from,
                to,
                limit: Some(limit),
                offset: Some(offset),
            }
            .parse()
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            let page = store.search_orders(&query).await?;
            return if json {
                print_out(&format!("{}\n", serde_json::to_string_pretty(&page)?))
            } else if csv {
                print_out(&String::from_utf8(to_csv(&page.orders)?)?)
            } else {
                print_out(&orders_table(&page))
            };
        }
        OrdersCommand::Show { shop, order, json } => {
            let record = operations.find(&ShopId::new(shop), &order).await?;
            let key = record.key();
            let timeline = store.timeline(&key).await?;
            return if json {
                let jobs = store
                    .list_jobs(&JobFilter {
                        order_key: Some(key.clone()),
                        ..JobFilter::default()
                    })
                    .await?;
                let shown =
                    serde_json::json!({ "order": record, "timeline": timeline, "jobs": jobs });
                print_out(&format!("{}\n", serde_json::to_string_pretty(&shown)?))
            } else {
                print_out(&order_text(&record, &timeline))
            };
        }
        OrdersCommand::Correct {
            shop,
            order,
            region,
            line1,
            line2,
            city,
            phone,
            amount,
            operator,
        } => {
            let input = CorrectionInput {
                region,
                line1,
                line2,
                city,
                phone,
                amount_to_collect: amount.map(serde_json::Value::String),
            };
            let found = operations.find(&ShopId::new(&shop), &order).await?;
            let country = found
                .order()
                .address
                .country_iso2
                .as_ref()
                .map_or("GH", |c| c.as_str());
            let correction = input
                .parse(country)
                .map_err(|p| anyhow::anyhow!("--{}: {}", p.field.replace('_', "-"), p.message))?;
            (operator, shop, order, OperatorAction::Correct(correction))
        }
        OrdersCommand::Resume {
            shop,
            order,
            operator,
        } => (operator, shop, order, OperatorAction::Resume),
        OrdersCommand::Replay {
            shop,
            order,
            event,
            operator,
        } => (
            operator,
            shop,
            order,
            OperatorAction::Replay {
                event_id: event.unwrap_or(0),
            },
        ),
        OrdersCommand::Cancel {
            shop,
            order,
            operator,
        } => (operator, shop, order, OperatorAction::Cancel),
        OrdersCommand::AfterSale {
            shop,
            order,
            kind,
            operator,
        } => (
            operator,
            shop,
            order,
            OperatorAction::AfterSale { after_sale: kind },
        ),
    };
    let by = Operator::new(&by.unwrap_or_else(|| {
        format!(
            "cli:{}",
            std::env::var("USER").unwrap_or_else(|_| "unknown".to_owned())
        )
    }));
    let found = operations.find(&ShopId::new(shop), &order).await?;
    let queued = operations.submit(&found, by, action).await?;
    // The running bridge polls the queue; give it a moment to decide.
    let job = operations
        .settle(queued.job_id, std::time::Duration::from_secs(10))
        .await?;
    match job.map(|j| j.state) {
        Some(JobState::Done) => {
            let last = store.timeline(&queued.order_key).await?.pop();
            print_out(&format!(
                "{}: {}\n",
                queued.order_key,
                last.map_or_else(String::new, |l| l.entry.summary)
            ))
        }
        Some(JobState::Dead) => anyhow::bail!("the request failed: see `orders show`"),
        _ => print_out(&format!(
            "{}: queued as job {}; the running bridge decides it in the order's turn \
             (is `shaq-bridge serve` running?)\n",
            queued.order_key, queued.job_id
        )),
    }
}

fn orders_table(page: &bridge_core::store::OrderPage) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<28} {:<10} {:<21} {:<20} {:<16} {:<14} {:>10}  attention",
        "order", "name", "state", "customer", "phone", "tracking", "collect"
    );
    for order in &page.orders {
        let line = OrderLine::of(order);
        let phone = order
            .order()
            .recipient
            .phone
            .as_ref()
            .map_or_else(|| "-".to_owned(), PhoneE164::masked);
        let _ = writeln!(
            out,
            "{:<28} {:<10} {:<21} {:<20} {:<16} {:<14} {:>10}  {}",
            line.order_key,
            line.order_name,
            line.state,
            line.customer.chars().take(20).collect::<String>(),
            phone,
            if line.tracking_number.is_empty() {
                "-"
            } else {
                &line.tracking_number
            },
            line.amount_to_collect,
            line.attention
        );
    }
    let _ = writeln!(
        out,
        "({} of {} order(s){})",
        page.orders.len(),
        page.total,
        if page.offset > 0 {
            format!(", from {}", page.offset + 1)
        } else {
            String::new()
        }
    );
    out
}

fn order_text(record: &TrackedOrder, timeline: &[bridge_core::store::TimelineRecord]) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "order     {} ({})",
        record.key(),
        record.order().order_ref
    );
    let _ = writeln!(out, "state     {}", record.state());
    if let Some(reason) = record.attention() {
        let _ = writeln!(out, "attention {reason}");
    }
    let _ = writeln!(out, "customer  {}", record.order().recipient.name);
    let _ = writeln!(out, "address   {}", record.order().address.one_line());
    if let Some(region) = record.region() {
        let _ = writeln!(out, "region    {region}");
    }
    let _ = writeln!(
        out,
        "package   {}",
        record.tracking_number().map_or("-", |t| t.as_str())
    );
    let _ = writeln!(
        out,
        "ticket    {}",
        record.ticket_id().map_or("-", |t| t.as_str())
    );
    let _ = writeln!(
        out,
        "courier   {}",
        record.courier_status().map_or("-", |s| s.as_str())
    );
    let _ = writeln!(
        out,
        "collect   {} {}",
        record.collect().amount,
        record.collect().currency
    );
    let _ = writeln!(out, "\ntimeline:");
    for line in timeline {
        let _ = writeln!(
            out,
            "  {}  {:<10} {}",
            line.entry.at.format("%Y-%m-%d %H:%M:%S"),
            line.entry.kind,
            line.entry.summary
        );
    }
    out
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
async fn sandbox(
    config: Option<PathBuf>,
    bridge_url: Option<String>,
    write_bridge_config: Option<PathBuf>,
) -> anyhow::Result<()> {
    use bridge_sandbox::bridge_config::{
        BridgeConfig, SANDBOX_ADMIN_TOKEN, SHOPIFY_WEBHOOK_SECRET, Shop,
    };
    let config: bridge_sandbox::SandboxConfig = match config {
        Some(path) => {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?
        }
        None => bridge_sandbox::SandboxConfig::default(),
    };
    let bridge = bridge_url
        .as_deref()
        .map(|url| {
            let url = url.trim_end_matches('/').to_owned();
            let parsed = reqwest::Url::parse(&url).context("--bridge-url")?;
            let host = parsed
                .host_str()
                .context("--bridge-url has no host")?
                .to_owned();
            let port = parsed
                .port_or_known_default()
                .context("--bridge-url has no port")?;
            anyhow::Ok((url, format!("{host}:{port}")))
        })
        .transpose()?;
    let shaq_login = (config.shaq.identifier.clone(), config.shaq.secret.clone());
    let digishare_token = config.digishare.access_token.clone();
    let sandbox = bridge_sandbox::Sandbox::start(config).await?;
    let settings = BridgeConfig::for_sandbox(&sandbox, "sqlite://data/sandbox.db")
        .listen(
            bridge
                .as_ref()
                .map_or("127.0.0.1:8080", |(_, listen)| listen.as_str()),
        )
        .admin_token(SANDBOX_ADMIN_TOKEN)
        .shop(Shop::shopify("kente", SHOPIFY_WEBHOOK_SECRET).writes_back_to(&sandbox))
        .to_toml();
    if let Some((url, _)) = &bridge {
        sandbox.send_webhooks_to(url);
        sandbox.shops.send_orders_to(
            &format!("{url}/webhooks/shops/kente"),
            SHOPIFY_WEBHOOK_SECRET,
        );
    }
    let (shaq, digishare, shop) = (
        sandbox.shaq_url(),
        sandbox.digishare_url(),
        sandbox.shop_url(),
    );
    // The control routes (`/_sandbox/…`) sit at the simulators' roots, beside their APIs.
    let root = |url: &str| {
        reqwest::Url::parse(url)
            .map(|url| url.origin().ascii_serialization())
            .unwrap_or_else(|_| url.to_owned())
    };
    let (shaq_root, digishare_root, shop_root) = (root(&shaq), root(&digishare), root(&shop));
    println!(
        "ShaQ simulator       {shaq}\n\
         \x20 login: identifier `{}`, secret `{}`\n\
         Digishare simulator  {digishare}\n\
         \x20 access token `{digishare_token}`; ticket type and status ids as in config/example.toml\n\
         Shop admin APIs      {shop}\n\
         \x20 Shopify token `shpat_sandbox`; WooCommerce `ck_sandbox` / `cs_sandbox`\n\
         \x20 the Shopify shop `kente` signs its webhooks with `{SHOPIFY_WEBHOOK_SECRET}`",
        shaq_login.0, shaq_login.1
    );
    match &bridge {
        Some((url, _)) => {
            println!("Webhooks go to       {url} (ShaQ, Digishare, and the shop `kente`)")
        }
        None => println!(
            "Webhooks go nowhere: pass --bridge-url http://127.0.0.1:8080 to send them to a bridge"
        ),
    }
    match &write_bridge_config {
        Some(path) => {
            write_private(path, &settings)?;
            println!(
                "\nBridge settings written to {}: run\n  shaq-bridge serve --config {0}",
                path.display()
            );
        }
        None => println!(
            "\nBridge settings for these simulators (save as sandbox.toml, then \
             `shaq-bridge serve --config sandbox.toml`):\n\n{settings}"
        ),
    }
    println!(
        "Try:\n\
         \x20 curl -X POST {shop_root}/_sandbox/orders                  # a customer orders (COD)\n\
         \x20 curl {digishare_root}/_sandbox/tickets                     # the tickets and their ids\n\
         \x20 curl -X POST {digishare_root}/_sandbox/tickets/<id>/answer -H 'content-type: application/json' -d '{{\"answer\":\"confirm\"}}'\n\
         \x20 curl {shaq_root}/_sandbox/packages                         # the packages and their partner refs\n\
         \x20 curl -X POST {shaq_root}/_sandbox/packages/<partner ref>/status -H 'content-type: application/json' -d '{{\"status\":\"delivered\"}}'\n\
         \x20 curl {shop_root}/_sandbox/received                        # what the bridge wrote back to the shop\n\
         Ctrl-C to stop."
    );
    shutdown_signal().await;
    sandbox.shutdown();
    Ok(())
}

/// Writes `text` to `path`, readable by its owner only (it holds secrets).
fn write_private(path: &std::path::Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("writing {}", path.display()))?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// `shaq-bridge handover`: gather, then wait for the running bridge's workers to make the
/// shipment, and write its PDF.
async fn handover(
    settings: Settings,
    shop: &str,
    out: Option<PathBuf>,
    wait: u64,
) -> anyhow::Result<()> {
    let store = Store::open_existing(&settings.database).await?;
    let rules = settings.rules();
    let operations = crate::operations::Operations {
        store: &store,
        rules: &rules,
        waker: None,
    };
    let shop = bridge_core::domain::ShopId::new(shop);
    let operator = bridge_core::workflow::operator::Operator::new("cli");
    let Some(shipment) = operations.hand_over(&shop, &operator).await? else {
        println!("nothing of `{shop}` is waiting to be handed over");
        return Ok(());
    };
    println!(
        "{} package(s) of `{shop}` gathered in shipment {}; waiting for the running bridge to make it at ShaQ…",
        shipment.packages, shipment.id
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(wait);
    loop {
        if let Some(pdf) = store.shipment_pdf(shipment.id).await? {
            let ready = store
                .shipment(shipment.id)
                .await?
                .context("the shipment disappeared")?;
            let reference = ready.reference.unwrap_or_else(|| "shipment".to_owned());
            let path = out.unwrap_or_else(|| {
                PathBuf::from(format!(
                    "handover-{shop}-{}.pdf",
                    reference.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "_")
                ))
            });
            std::fs::write(&path, pdf).with_context(|| format!("writing {}", path.display()))?;
            println!(
                "ShaQ shipment {reference}: manifest and labels in {}",
                path.display()
            );
            return Ok(());
        }
        if std::time::Instant::now() >= deadline {
            let now = store.shipment(shipment.id).await?;
            let why = now
                .and_then(|s| s.last_error)
                .map(|e| format!(" ({e})"))
                .unwrap_or_default();
            anyhow::bail!(
                "shipment {} is not ready after {wait} s{why}: is `shaq-bridge serve` running? \
                 Its PDF will be in the console (Handover) and at /api/shipments/{}/pdf",
                shipment.id,
                shipment.id
            );
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
}
