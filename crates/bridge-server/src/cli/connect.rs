//! `connect`: asks each shop to send its order webhooks to the bridge, with the credentials the
//! bridge already holds — and the read-only half of it for `check-config --online`.

use bridge_core::settings::{Platform, ShopSettings};
use bridge_core::shop::subscriptions::{self, Check, Standing};
use shop_client::ShopClient;

use crate::configuration::Settings;

/// What `connect` does with what it finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    /// Only report (`check-config --online`, `connect --dry-run`).
    Report,
    /// Create what is missing; report what points elsewhere.
    Create,
    /// Create what is missing and repoint what points elsewhere (`--fix`).
    Fix,
}

/// The address shops post to: `--public-url`, else `server.public_url`.
pub(super) fn public_url(settings: &Settings, given: Option<String>) -> anyhow::Result<String> {
    let url = given
        .or_else(|| settings.server.public_url.clone())
        .ok_or_else(|| {
            anyhow::anyhow!(
                "the bridge's public address is unknown: set server.public_url (or pass --public-url https://bridge.your-shop.com)"
            )
        })?;
    let parsed = url::Url::parse(&url).map_err(|e| anyhow::anyhow!("public URL {url}: {e}"))?;
    if !matches!(parsed.scheme(), "https" | "http") {
        anyhow::bail!("public URL {url}: must start with https://");
    }
    Ok(url.trim_end_matches('/').to_owned())
}

/// `shaq-bridge connect`: every shop (or `--shop`), each topic registered, missing (made unless
/// a dry run) or pointing elsewhere (repointed with `--fix`). Fails when anything is left
/// missing or elsewhere, or a shop could not be asked.
pub(super) async fn connect(
    settings: &Settings,
    shop: Option<&str>,
    public_url: &str,
    mode: Mode,
) -> anyhow::Result<()> {
    let shops: Vec<&ShopSettings> = settings
        .shops
        .iter()
        .filter(|s| shop.is_none_or(|wanted| s.id.as_str() == wanted))
        .collect();
    if shops.is_empty() {
        anyhow::bail!(
            "no shop `{}` in the settings (shops: {})",
            shop.unwrap_or_default(),
            settings
                .shops
                .iter()
                .map(|s| s.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let mut unsettled = 0;
    for shop in shops {
        let (text, left) = shop_subscriptions(shop, public_url, mode).await;
        print!("{text}");
        unsettled += left;
    }
    match (unsettled, mode) {
        (0, _) => Ok(()),
        (n, Mode::Report) => anyhow::bail!(
            "{n} webhook(s) missing or pointing elsewhere: run `shaq-bridge connect` (and --fix for those elsewhere)"
        ),
        (n, Mode::Create) => anyhow::bail!(
            "{n} webhook(s) not registered: see above (`--fix` repoints those pointing elsewhere)"
        ),
        (n, Mode::Fix) => anyhow::bail!("{n} webhook(s) not registered: see above"),
    }
}

/// One shop's webhooks, as text, and how many are left missing, elsewhere or unknown.
pub(super) async fn shop_subscriptions(
    shop: &ShopSettings,
    public_url: &str,
    mode: Mode,
) -> (String, usize) {
    let id = shop.id.as_str();
    let url = subscriptions::webhook_url(public_url, shop);
    let head = format!(
        "# Shop {id} ({}): webhooks to {url}\n",
        shop.platform.as_str()
    );
    if shop.platform == Platform::Generic {
        return (
            format!(
                "{head}  nothing to register: a generic shop is set up to post there on its side\n"
            ),
            0,
        );
    }
    let client = match shop.admin_client(&shop_client::Timeouts::default()) {
        Ok(Some(client)) => client,
        Ok(None) => {
            return (
                format!(
                    "{head}  FAILED: the shop's admin API credentials are needed (shops.write_back: see docs/setup/{}.md)\n",
                    shop.platform.as_str()
                ),
                1,
            );
        }
        Err(error) => return (format!("{head}  FAILED: {error}\n"), 1),
    };
    let existing = match client.subscriptions().await {
        Ok(existing) => existing,
        Err(error) => return (format!("{head}  FAILED: cannot list them: {error}\n"), 1),
    };
    let checks = subscriptions::compare(shop, subscriptions::wanted(shop, public_url), &existing);
    let mut text = head;
    let mut left = 0;
    for check in checks {
        let (line, settled) = act(&client, &check, mode).await;
        text.push_str(&format!("  {:<18} {line}\n", check.wanted.topic));
        if !settled {
            left += 1;
        }
    }
    (text, left)
}

async fn act(client: &ShopClient, check: &Check, mode: Mode) -> (String, bool) {
    match (&check.standing, mode) {
        (Standing::Registered(_), _) => ("registered".to_owned(), true),
        (Standing::Missing, Mode::Report) => ("missing".to_owned(), false),
        (Standing::Missing, _) => match client.subscribe(&check.wanted).await {
            Ok(_) => ("missing → registered".to_owned(), true),
            Err(error) => (format!("missing → FAILED: {error}"), false),
        },
        (Standing::Elsewhere(found), Mode::Fix) => {
            match client.repoint(found, &check.wanted).await {
                Ok(_) => (format!("pointed at {} → repointed", found.url), true),
                Err(error) => (format!("pointed at {} → FAILED: {error}", found.url), false),
            }
        }
        (Standing::Elsewhere(found), _) => (
            format!(
                "points elsewhere: {}{} (--fix repoints it)",
                found.url,
                if found.active { "" } else { ", not active" }
            ),
            false,
        ),
    }
}
