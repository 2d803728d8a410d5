//! Setting up: what to paste into each platform's admin so its webhooks reach the bridge, and
//! the checks `check-config` ends with.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use bridge_core::settings::WebhookSecretLocation;
use bridge_core::shop::Platform;
use digishare_client::{DigishareClient, DigishareError, TicketFilter};

use crate::configuration::Settings;

/// Ticket types and statuses as the account's recent tickets show them: Digishare has no
/// endpoint listing either, so this is the only way to see ids from the API.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SeenOnTickets {
    /// How many tickets were read.
    pub tickets: usize,
    /// Type id → how many of those tickets have it.
    pub types: BTreeMap<String, usize>,
    /// Status id → how many of those tickets are in it.
    pub statuses: BTreeMap<String, usize>,
}

impl SeenOnTickets {
    /// Reads up to `pages` pages of 100 of the most recent tickets.
    pub async fn read(client: &DigishareClient, pages: u32) -> Result<Self, DigishareError> {
        let mut seen = SeenOnTickets::default();
        for page in 1..=pages.max(1) {
            let listed = client
                .list_tickets(&TicketFilter {
                    page: Some(page),
                    limit: Some(100),
                    ..TicketFilter::default()
                })
                .await?;
            for ticket in &listed.items {
                seen.tickets += 1;
                if let Some(kind) = &ticket.type_ticket_id {
                    *seen.types.entry(kind.clone()).or_default() += 1;
                }
                if let Some(status) = &ticket.ticket_status_id {
                    *seen.statuses.entry(status.clone()).or_default() += 1;
                }
            }
            if u64::from(page) >= listed.total_pages || listed.items.is_empty() {
                break;
            }
        }
        Ok(seen)
    }

    /// One line per configured id (the ticket type, then each status key): seen on how many
    /// recent tickets, or not seen. Returns the text and whether every id was seen.
    pub fn check(&self, settings: &Settings) -> (String, bool) {
        let mut out = String::new();
        if self.tickets == 0 {
            out.push_str(
                "# Digishare ids: the account has no tickets yet, so its ticket type and status \
                 ids cannot be checked from the API; copy them from the dashboard \
                 (docs/setup/digishare.md)\n",
            );
            return (out, false);
        }
        let _ = writeln!(
            out,
            "# Digishare ids, as the {} most recent tickets show them (Digishare lists neither \
             types nor statuses):",
            self.tickets
        );
        let mut all_seen = true;
        let mut line = |what: String, id: &str, count: Option<&usize>| match count {
            Some(count) => {
                let _ = writeln!(out, "#   {what} {id}: on {count} of them");
            }
            None => {
                all_seen = false;
                let _ = writeln!(
                    out,
                    "#   {what} {id}: NOT SEEN (check the id in the dashboard; a status no \
                         ticket has reached yet is not seen either)"
                );
            }
        };
        let kind = &settings.digishare.type_ticket_id;
        line(
            "digishare.type_ticket_id".to_owned(),
            kind,
            self.types.get(kind),
        );
        for (key, id) in &settings.digishare.statuses.0 {
            line(
                format!("digishare.statuses.{key}"),
                id.as_str(),
                self.statuses.get(id.as_str()),
            );
        }
        (out, all_seen)
    }

    /// The ids seen, most used first, each with the configured name it has, if any: what
    /// `shaq-bridge digishare statuses` and `… types` print.
    pub fn listing(&self, settings: &Settings, statuses: bool) -> String {
        let seen = if statuses {
            &self.statuses
        } else {
            &self.types
        };
        let mut rows: Vec<(&String, &usize)> = seen.iter().collect();
        rows.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let mut out = format!(
            "# {} seen on the {} most recent tickets (Digishare has no endpoint listing them; \
             names are in the dashboard)\n{:<24} {:>7}  configured as\n",
            if statuses {
                "ticket statuses"
            } else {
                "ticket types"
            },
            self.tickets,
            "id",
            "tickets"
        );
        for (id, count) in rows {
            let name = if statuses {
                settings
                    .digishare
                    .statuses
                    .0
                    .iter()
                    .filter(|(_, mapped)| mapped.as_str() == id)
                    .map(|(key, _)| format!("statuses.{key}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            } else if *id == settings.digishare.type_ticket_id {
                "type_ticket_id".to_owned()
            } else {
                String::new()
            };
            let _ = writeln!(out, "{id:<24} {count:>7}  {name}");
        }
        out
    }
}

/// The text `check-config` ends with: for each shop, ShaQ and Digishare, the URL to paste, what
/// to subscribe to and which secret goes where. Secrets are named by their setting, never shown.
pub fn paste_where(settings: &Settings) -> String {
    let base = settings
        .server
        .public_url
        .as_deref()
        .map(|url| url.trim_end_matches('/').to_owned());
    let url = |path: &str| match &base {
        Some(base) => format!("{base}{path}"),
        None => format!("https://<server.public_url>{path}"),
    };
    let mut out = String::from("# What to paste where\n");
    if base.is_none() {
        out.push_str(
            "#\n# server.public_url is not set: set it to the https:// address shops, ShaQ and \
             Digishare reach this bridge at, and the URLs below are complete.\n",
        );
    }
    for (index, shop) in settings.shops.iter().enumerate() {
        let secret = format!("shops[{index}].webhook_secrets (shop `{}`)", shop.id);
        let hook = url(&format!("/webhooks/shops/{}", shop.id));
        let platform = match shop.platform {
            Platform::Shopify => "Shopify",
            Platform::Woocommerce => "WooCommerce",
            Platform::Youcan => "YouCan",
            Platform::Generic => "generic JSON",
        };
        let _ = writeln!(out, "\n## Shop `{}` ({platform})", shop.id);
        match shop.platform {
            Platform::Shopify => {
                let _ = writeln!(
                    out,
                    "Shopify admin → Settings → Notifications → Webhooks → Create webhook, once per event:\n\
                     \x20 events:  Order creation, Order update, Order cancellation\n\
                     \x20          (optional) Return approval: returns approved in Shopify are booked with ShaQ\n\
                     \x20 format:  JSON\n\
                     \x20 URL:     {hook}\n\
                     \x20 then copy the key shown under the list (\"Your webhooks will be signed with …\")\n\
                     \x20 into {secret}. (Webhooks of a custom app are signed with the app's client\n\
                     \x20 secret instead: put that one there.) Guide: docs/setup/shopify.md"
                );
            }
            Platform::Woocommerce => {
                let _ = writeln!(
                    out,
                    "WordPress admin → WooCommerce → Settings → Advanced → Webhooks → Add webhook, twice:\n\
                     \x20 topics:       Order created, Order updated\n\
                     \x20 status:       Active; API version: WP REST API Integration v3\n\
                     \x20 delivery URL: {hook}\n\
                     \x20 secret:       the value of {secret}\n\
                     \x20 Guide: docs/setup/woocommerce.md"
                );
            }
            Platform::Youcan => {
                let _ = writeln!(
                    out,
                    "YouCan: subscribe the event `order.create` (REST hook or app webhook):\n\
                     \x20 URL:    {hook}\n\
                     \x20 secret: the value of {secret} (YouCan signs with it)\n\
                     \x20 Guide: docs/setup/youcan.md"
                );
            }
            Platform::Generic => {
                let encoding = format!("{:?}", shop.generic.encoding).to_lowercase();
                let _ = writeln!(
                    out,
                    "Your shop posts the bridge's JSON shape (docs/shops.md) for created, updated\n\
                     and cancelled orders:\n\
                     \x20 URL:       {hook}\n\
                     \x20 signature: header {}, HMAC-SHA256 of the raw body with {secret}, {encoding}{}",
                    shop.generic.header,
                    shop.generic
                        .prefix
                        .as_deref()
                        .map(|prefix| format!(", prefixed `{prefix}`"))
                        .unwrap_or_default()
                );
            }
        }
    }
    let shaq = &settings.shaq;
    let _ = writeln!(out, "\n## ShaQ Express");
    match shaq.webhook_secret_location {
        WebhookSecretLocation::Header => {
            let _ = writeln!(
                out,
                "Send this to your ShaQ account manager (docs/setup/shaq.md has the full message):\n\
                 \x20 webhook URL: {}\n\
                 \x20 events:      package status updates (all statuses)\n\
                 \x20 header:      {}: <the value of shaq.webhook_secret>",
                url("/webhooks/shaq"),
                shaq.webhook_secret_header
            );
        }
        WebhookSecretLocation::Path => {
            let _ = writeln!(
                out,
                "Send this to your ShaQ account manager (docs/setup/shaq.md has the full message):\n\
                 \x20 webhook URL: {} (the secret is the last part of the URL)\n\
                 \x20 events:      package status updates (all statuses)",
                url("/webhooks/shaq/<the value of shaq.webhook_secret>")
            );
        }
    }
    let digishare = &settings.digishare;
    let header = &digishare.webhook_secret_header;
    let value = if header.eq_ignore_ascii_case("authorization") {
        "Bearer <the value of digishare.webhook_secret>"
    } else {
        "<the value of digishare.webhook_secret>"
    };
    let _ = writeln!(
        out,
        "\n## Digishare\n\
         Digishare → Advanced Settings → API Provider → + → Custom Webhooks → \"+\" next to the event:\n\
         \x20 URL:    {}\n\
         \x20 event:  ticket.updated (method POST, content type application/json)\n\
         \x20 header: {header}: {value}\n\
         \x20 Guide (ticket type and status ids, automations and WhatsApp templates): docs/setup/digishare.md",
        url("/webhooks/digishare")
    );
    out
}

/// A warning when the settings file, which holds secrets, can be read by other users.
pub fn file_permission_warning(path: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(path).ok()?.permissions().mode();
        (mode & 0o077 != 0).then(|| {
            format!(
                "warning: {} can be read by other users (mode {:o}) and holds secrets: \
                 chmod 600 {0}",
                path.display(),
                mode & 0o777
            )
        })
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/example.toml");

    /// `config/example.toml`, filled in.
    fn example() -> Settings {
        let text = std::fs::read_to_string(EXAMPLE).expect("the example");
        Settings::from_toml(&super::filled_in(&text)).expect("the example, filled in, is valid")
    }

    #[test]
    fn every_platform_gets_its_url_topics_and_secret() {
        let settings = example();
        let text = paste_where(&settings);
        for needle in [
            "https://bridge.kente-cocoa.com.gh/webhooks/shops/kente",
            "Order creation, Order update, Order cancellation",
            "shops[0].webhook_secrets (shop `kente`)",
            "https://bridge.kente-cocoa.com.gh/webhooks/shops/atlas",
            "Order created, Order updated",
            "https://bridge.kente-cocoa.com.gh/webhooks/shaq",
            "X-Shaq-Webhook-Secret: <the value of shaq.webhook_secret>",
            "https://bridge.kente-cocoa.com.gh/webhooks/digishare",
            "event:  ticket.updated (method POST",
            "Authorization: Bearer <the value of digishare.webhook_secret>",
        ] {
            assert!(text.contains(needle), "`{needle}` missing from:\n{text}");
        }
        assert!(
            !text.contains("a-long-random-secret"),
            "a secret is shown:\n{text}"
        );
    }

    #[test]
    fn a_missing_public_url_is_said() {
        let mut settings = example();
        settings.server.public_url = None;
        let text = paste_where(&settings);
        assert!(text.contains("server.public_url is not set"), "{text}");
        assert!(
            text.contains("https://<server.public_url>/webhooks/shaq"),
            "{text}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_settings_file_others_can_read_is_flagged() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("bridge.toml");
        std::fs::write(&file, "").expect("write");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let warning = file_permission_warning(&file).expect("flagged");
        assert!(warning.contains("mode 644"), "{warning}");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        assert_eq!(file_permission_warning(&file), None);
    }
}

/// The answers `shaq-bridge setup` turns into a starter settings file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Starter {
    /// `server.public_url`.
    pub public_url: String,
    /// `database.url`.
    pub database_url: String,
    /// `shaq.base_url`.
    pub shaq_base_url: String,
    /// `shaq.identifier`.
    pub shaq_identifier: String,
    /// `shaq.secret`.
    pub shaq_secret: String,
    /// `shaq.source_address_line_1`: where ShaQ picks parcels up.
    pub pickup_address: String,
    /// `shaq.source_country_iso2`, and the shop's `default_country`.
    pub country: String,
    /// `digishare.access_token`.
    pub digishare_token: String,
    /// `digishare.type_ticket_id`.
    pub ticket_type: String,
    /// The shop's `id`.
    pub shop_id: String,
    /// `shopify`, `woocommerce`, `youcan` or `generic`.
    pub platform: String,
    /// `confirm_first` or `ship_immediately`.
    pub flow: String,
    /// The shop's webhook signing secret.
    pub shop_secret: String,
}

/// Marks a value the merchant still has to fill in: `check-config` and `serve` refuse the
/// settings, naming each key, until none is left.
pub const TO_FILL: &str = "fill-me-in";

impl Default for Starter {
    fn default() -> Self {
        Starter {
            public_url: "https://bridge.example.com".to_owned(),
            database_url: "sqlite://data/shaq-bridge.db".to_owned(),
            shaq_base_url: "https://test-partner.shaqexpress.com/api/v1".to_owned(),
            shaq_identifier: TO_FILL.to_owned(),
            shaq_secret: TO_FILL.to_owned(),
            pickup_address: TO_FILL.to_owned(),
            country: "GH".to_owned(),
            digishare_token: TO_FILL.to_owned(),
            ticket_type: TO_FILL.to_owned(),
            shop_id: "myshop".to_owned(),
            platform: "shopify".to_owned(),
            flow: "confirm_first".to_owned(),
            shop_secret: format!("{TO_FILL}-with-the-shops-webhook-key"),
        }
    }
}

/// A long random secret (two random UUIDs' hex: 244 random bits).
pub fn random_secret() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

/// `value` as a TOML basic string (JSON's string escapes are TOML's).
fn quoted(value: &str) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "\"\"".to_owned())
}

impl Starter {
    /// The settings file: these answers, fresh random secrets for what the bridge itself
    /// checks (its admin token, the ShaQ and Digishare webhook secrets), placeholders for the
    /// Digishare status ids, comments pointing at the guides.
    pub fn to_toml(&self) -> String {
        let q = quoted;
        let statuses = [
            "awaiting_confirmation",
            "received",
            "confirmed",
            "cancelled",
            "package_created",
            "out_for_delivery",
            "delivered",
            "delivery_problem",
            "returned",
        ]
        .iter()
        .map(|key| format!("{key} = {}\n", q(&format!("{TO_FILL}-{key}"))))
        .collect::<String>();
        format!(
            "# shaq-bridge settings written by `shaq-bridge setup`. Every key is explained in\n\
             # docs/configuration.md; the platforms' steps are in docs/setup/. Keep this file\n\
             # private (it holds secrets): it was created readable by you only.\n\
             # Then: shaq-bridge check-config --config <this file> --online\n\n\
             [server]\n\
             listen = \"127.0.0.1:8080\"\n\
             public_url = {public_url}\n\
             admin_token = {admin_token}   # signs in to the console as `admin`\n\n\
             [database]\n\
             url = {database}\n\n\
             [shaq]\n\
             base_url = {shaq_base}\n\
             identifier = {shaq_id}\n\
             secret = {shaq_secret}\n\
             # Send this to ShaQ with the webhook URL (check-config prints the message):\n\
             webhook_secret = {shaq_hook}\n\
             source_country_iso2 = {country}\n\
             source_address_line_1 = {pickup}\n\
             service_countries = [{country}]\n\n\
             [digishare]\n\
             base_url = \"https://api.digishare.ma/v1\"\n\
             access_token = {token}\n\
             # From the dashboard, or `shaq-bridge digishare types` once tickets exist:\n\
             type_ticket_id = {ticket_type}\n\
             # Put this in Digishare's webhook (Bearer token):\n\
             webhook_secret = {digishare_hook}\n\n\
             # From the dashboard, or `shaq-bridge digishare statuses` (docs/setup/digishare.md).\n\
             # A key you delete sends nothing at that step; the first four are required.\n\
             [digishare.statuses]\n\
             {statuses}\n\
             [[shops]]\n\
             id = {shop_id}\n\
             platform = {platform}\n\
             flow = {flow}\n\
             # The key that signs the shop's webhooks (docs/setup/{platform_doc}.md):\n\
             webhook_secrets = [{shop_secret}]\n\
             default_country = {country}\n\n\
             [shops.write_back]\n\
             enabled = false   # turn on once the admin API credentials are in (docs/setup/)\n\
             {credentials}\
             # With them in, `shaq-bridge connect --config <this file>` registers the webhooks.\n",
            credentials = match self.platform.as_str() {
                "shopify" =>
                    "# A Dev Dashboard app's Client ID and secret (docs/setup/shopify.md):\n\
                              # admin_url = \"https://<your shop>.myshopify.com\"\n\
                              # client_id = \"…\"\n\
                              # client_secret = \"…\"\n",
                "woocommerce" =>
                    "# REST API keys, Read/Write (docs/setup/woocommerce.md):\n\
                                  # admin_url = \"https://<your site>\"\n\
                                  # consumer_key = \"ck_…\"\n\
                                  # token = \"cs_…\"\n",
                "youcan" =>
                    "# A YouCan token with the rest-hooks scopes (docs/setup/youcan.md):\n\
                             # token = \"…\"\n",
                _ =>
                    "# Where to post milestones, signed with token (docs/shops.md):\n\
                      # callback_url = \"https://<your shop>/shaq-bridge\"\n\
                      # token = \"…\"\n",
            },
            public_url = q(&self.public_url),
            admin_token = q(&random_secret()),
            database = q(&self.database_url),
            shaq_base = q(&self.shaq_base_url),
            shaq_id = q(&self.shaq_identifier),
            shaq_secret = q(&self.shaq_secret),
            shaq_hook = q(&random_secret()),
            country = q(&self.country),
            pickup = q(&self.pickup_address),
            token = q(&self.digishare_token),
            ticket_type = q(&self.ticket_type),
            digishare_hook = q(&random_secret()),
            shop_id = q(&self.shop_id),
            platform = q(&self.platform),
            platform_doc = if self.platform == "generic" {
                "../shops"
            } else {
                self.platform.as_str()
            },
            flow = q(&self.flow),
            shop_secret = q(&self.shop_secret),
        )
    }
}

/// `text` as a merchant leaves it: each `fill-me-in` its own value, the example host theirs.
#[cfg(test)]
pub(crate) fn filled_in(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    let mut counter = 0;
    while let Some(at) = rest.find(TO_FILL) {
        counter += 1;
        out.push_str(&rest[..at]);
        out.push_str(&format!("filled{counter:02}value0123456789"));
        rest = &rest[at + TO_FILL.len()..];
    }
    out.push_str(rest);
    out.replace(
        "https://bridge.example.com",
        "https://bridge.kente-cocoa.com.gh",
    )
    .replace(
        "change-me-to-a-long-random-string",
        "9f3c2a71e04b6d58a1c7e2f90b4d3a66",
    )
}

#[cfg(test)]
mod starter_tests {
    use super::*;

    #[test]
    fn a_starter_file_is_valid_settings_with_fresh_secrets() {
        let starter = Starter {
            shop_id: "kente".to_owned(),
            shop_secret: "the \"key\" Shopify shows, with quotes".to_owned(),
            ..Starter::default()
        };
        let first = starter.to_toml();
        // As written, it names what is left to fill in, and runs once that is done.
        let unfilled = Settings::from_toml(&first)
            .expect_err("placeholders")
            .to_string();
        for key in ["shaq.identifier", "shaq.secret", "server.public_url"] {
            assert!(
                unfilled.contains(&format!("{key} is still a placeholder")),
                "{unfilled}"
            );
        }
        let first = filled_in(&first);
        let settings = Settings::from_toml(&first).expect("a starter file is valid");
        assert_eq!(settings.shops[0].id.as_str(), "kente");
        assert_eq!(
            secrecy::ExposeSecret::expose_secret(&settings.shops[0].webhook_secrets[0]),
            "the \"key\" Shopify shows, with quotes"
        );
        assert_eq!(
            settings.server.public_url.as_deref(),
            Some("https://bridge.kente-cocoa.com.gh")
        );
        let second = Settings::from_toml(&filled_in(&starter.to_toml())).expect("valid");
        assert_ne!(
            secrecy::ExposeSecret::expose_secret(&settings.shaq.webhook_secret),
            secrecy::ExposeSecret::expose_secret(&second.shaq.webhook_secret),
            "every file gets its own secrets"
        );
        for platform in ["woocommerce", "youcan", "generic"] {
            let text = Starter {
                platform: platform.to_owned(),
                flow: "ship_immediately".to_owned(),
                ..Starter::default()
            }
            .to_toml();
            Settings::from_toml(&filled_in(&text)).unwrap_or_else(|e| panic!("{platform}: {e}"));
        }
    }
}
