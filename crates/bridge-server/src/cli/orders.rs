//! `orders …`: find orders, show one with its timeline, and correct, resume, replay, cancel or
//! book a return for one — each through `crate::operations`.

use std::time::Duration;

use bridge_core::domain::{PhoneE164, ShopId};
use bridge_core::jobs::JobState;
use bridge_core::store::JobFilter;
use bridge_core::workflow::TrackedOrder;
use clap::Subcommand;

use super::{Actor, operations, print_out};
use crate::configuration::Settings;
use crate::export::{OrderLine, to_csv};
use crate::operations::{CorrectionInput, OperationError, OrderRequest};
use crate::queries::OrdersQuery;

#[derive(Debug, Subcommand)]
pub(super) enum OrdersCommand {
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
        #[command(flatten)]
        target: Target,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Correct an order's delivery details (kept over later versions from the shop).
    Correct {
        #[command(flatten)]
        target: Target,
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
        #[command(flatten)]
        by: Actor,
    },
    /// Resume an order waiting for a person.
    Resume {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        by: Actor,
    },
    /// Run the order's last webhook (or --event) through the workflow again.
    Replay {
        #[command(flatten)]
        target: Target,
        /// One of the order's inbound events.
        #[arg(long)]
        event: Option<i64>,
        #[command(flatten)]
        by: Actor,
    },
    /// Cancel an order: package, ticket, and the shop's order if configured.
    Cancel {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        by: Actor,
    },
    /// After delivery: ShaQ collects the item back (`return`), delivers a replacement
    /// (`replace`), or both on one visit (`exchange`).
    AfterSale {
        #[command(flatten)]
        target: Target,
        /// `return`, `replace` or `exchange`.
        #[arg(long)]
        kind: bridge_core::workflow::returns::AfterSale,
        #[command(flatten)]
        by: Actor,
    },
}

/// Which order: `kente '#1047'`, `kente 5127389001`, or the key `orders list` prints,
/// `kente/5127389001`.
#[derive(Debug, Clone, clap::Args)]
pub(super) struct Target {
    /// The shop id, or the order's key `shop/platform id` as `orders list` shows it.
    shop: String,
    /// The order: its name as customers quote it (`#1047`) or the platform's id (omit it when
    /// the first argument is a key).
    order: Option<String>,
}

impl Target {
    fn resolve(self) -> anyhow::Result<(String, String)> {
        match (self.order, self.shop.split_once('/')) {
            (Some(order), _) => Ok((self.shop, order)),
            (None, Some((shop, order))) if !shop.is_empty() && !order.is_empty() => {
                Ok((shop.to_owned(), order.to_owned()))
            }
            (None, _) => anyhow::bail!(
                "which order? give the shop and the order (`kente '#1047'`) or the key `orders list` shows (`kente/5127389001`)"
            ),
        }
    }
}

pub(super) async fn orders(settings: Settings, command: OrdersCommand) -> anyhow::Result<()> {
    let store = super::open_existing(&settings).await?;
    let rules = settings.rules();
    let operations = operations(&store, &rules);
    let (by, target, request) = match command {
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
        OrdersCommand::Show { target, json } => {
            let (shop, order) = target.resolve()?;
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
            target,
            region,
            line1,
            line2,
            city,
            phone,
            amount,
            by,
        } => {
            let changes = CorrectionInput {
                region,
                line1,
                line2,
                city,
                phone,
                amount_to_collect: amount.map(serde_json::Value::String),
            };
            let request = OrderRequest::Correct {
                changes,
                then_resume: false,
            };
            (by, target, request)
        }
        OrdersCommand::Resume { target, by } => (by, target, OrderRequest::Resume),
        OrdersCommand::Replay { target, event, by } => {
            (by, target, OrderRequest::Replay { event_id: event })
        }
        OrdersCommand::Cancel { target, by } => (by, target, OrderRequest::Cancel),
        OrdersCommand::AfterSale { target, kind, by } => {
            (by, target, OrderRequest::AfterSale(kind))
        }
    };
    let (shop, order) = target.resolve()?;
    // The running bridge polls the queue; give it a moment to decide.
    let decided = operations
        .request(
            &ShopId::new(shop),
            &order,
            by.operator(),
            request,
            Duration::from_secs(10),
        )
        .await
        .map_err(|error| match error {
            OperationError::Invalid(problem) => {
                anyhow::anyhow!("--{}: {}", flag_of(problem.field), problem.message)
            }
            other => other.into(),
        })?;
    match decided.job_state {
        JobState::Done => print_out(&format!(
            "{}: {}\n",
            decided.order_key,
            decided.decided.unwrap_or_default()
        )),
        JobState::Dead => anyhow::bail!("the request failed: see `orders show`"),
        JobState::Queued | JobState::Running => print_out(&format!(
            "{}: queued as job {}; the running bridge decides it in the order's turn \
             (is `shaq-bridge serve` running?)\n",
            decided.order_key, decided.job_id
        )),
    }
}

/// The flag a correction's field is given with.
fn flag_of(field: &str) -> String {
    match field {
        "amount_to_collect" => "amount".to_owned(),
        other => other.replace('_', "-"),
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
