//! `shaq …` and `digishare …`: ask the services directly, with the configured credentials.

use clap::Subcommand;

use crate::configuration::Settings;

#[derive(Debug, Subcommand)]
pub(super) enum DigishareCommand {
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
pub(super) enum ShaqCommand {
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

pub(super) async fn shaq(settings: Settings, command: ShaqCommand) -> anyhow::Result<()> {
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
