//! `setup` (a starter settings file), `hash-password`, and `check-config --online`.

use std::path::PathBuf;

use anyhow::Context;
use chrono::Utc;

use super::print_out;
use crate::configuration::Settings;

#[derive(Debug, clap::Args)]
pub(super) struct SetupArgs {
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

/// `shaq-bridge setup`: the answers (flags first, then questions in a terminal, then
/// defaults) written as a starter settings file readable by its owner only.
pub(super) fn setup(args: SetupArgs) -> anyhow::Result<()> {
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
    let mut starter = crate::setup::Starter {
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
    // WooCommerce and generic shops sign with a secret the merchant chooses: the bridge makes
    // one (`connect` hands it to WooCommerce) unless one was given.
    if starter.shop_secret == defaults.shop_secret
        && matches!(starter.platform.as_str(), "woocommerce" | "generic")
    {
        starter.shop_secret = crate::setup::random_secret();
    }
    let text = starter.to_toml();
    // Refuse to write what the bridge would refuse to start with once filled in (a typo in a
    // platform…); the placeholders left are what the merchant fills in next.
    let left = match Settings::from_toml_with_placeholders(&text) {
        Ok((_, placeholders)) => placeholders,
        Err(error) => anyhow::bail!("these answers do not make valid settings: {error}"),
    };
    write_private(&args.output, &text)?;
    let left: Vec<&str> = left
        .iter()
        .filter_map(|problem| problem.split_once(' ').map(|(key, _)| key))
        .collect();
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

pub(super) fn hash_password_from_stdin() -> anyhow::Result<()> {
    use std::io::{BufRead as _, IsTerminal as _};
    let password = if std::io::stdin().is_terminal() {
        // Typed at a terminal: not shown, and asked twice so a typo does not lock anyone out.
        let first = rpassword::prompt_password("password (not shown): ")?;
        let again = rpassword::prompt_password("the same password again: ")?;
        if first != again {
            anyhow::bail!("the two passwords differ: nothing was hashed");
        }
        first
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\n', '\r']).to_owned()
    };
    if password.chars().count() < 12 {
        anyhow::bail!("use at least 12 characters");
    }
    let hash = crate::sign_in::hash_password(&password).map_err(anyhow::Error::msg)?;
    print_out(&format!("{hash}\n"))
}

pub(super) async fn check_online(settings: &Settings) -> anyhow::Result<()> {
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
        let orders = client.recent_orders(since).await;
        match orders {
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
    // What each shop sends the bridge, read-only (`connect` makes what is missing).
    match settings.server.public_url.as_deref() {
        Some(url) => {
            for shop in &settings.shops {
                let (text, left) =
                    super::connect::shop_subscriptions(shop, url, super::connect::Mode::Report)
                        .await;
                print!("{text}");
                // A warning, not a failure: webhooks made by hand in Shopify's admin
                // (Settings → Notifications) are invisible to the app, and still deliver.
                if left > 0 {
                    println!(
                        "  → `shaq-bridge connect --shop {}` registers them (--fix repoints)",
                        shop.id
                    );
                }
            }
        }
        None => println!(
            "# Shop webhooks: not checked (set server.public_url, the address shops post to)"
        ),
    }
    if failed {
        anyhow::bail!("the online check failed");
    }
    Ok(())
}

/// Writes `text` to `path`, readable by its owner only (it holds secrets).
pub(super) fn write_private(path: &std::path::Path, text: &str) -> anyhow::Result<()> {
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
