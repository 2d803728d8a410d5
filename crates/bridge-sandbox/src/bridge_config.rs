//! The settings of a bridge pointed at running simulators, written as the TOML a merchant would
//! write: the one builder the demo, the journeys, the crash suite and the API tests share.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use bridge_sandbox::bridge_config::{BridgeConfig, Shop};
//! use bridge_sandbox::{Sandbox, SandboxConfig};
//!
//! let sandbox = Sandbox::start(SandboxConfig::default()).await?;
//! let toml = BridgeConfig::for_sandbox(&sandbox, "sqlite://demo.db")
//!     .shop(Shop::shopify("kente", "shop-secret").writes_back_to(&sandbox))
//!     .to_toml();
//! # Ok(()) }
//! ```

use std::fmt::Write;

use crate::Sandbox;

/// The secret ShaQ presents on the bridge's webhook.
pub const SHAQ_WEBHOOK_SECRET: &str = "sandbox-shaq-webhook-secret";
/// The secret Digishare presents on the bridge's webhook.
pub const DIGISHARE_WEBHOOK_SECRET: &str = "sandbox-digishare-webhook-secret";
/// The key the sandbox's Shopify shop (`kente`) signs its order webhooks with.
pub const SHOPIFY_WEBHOOK_SECRET: &str = "sandbox-shopify-webhook-key";
/// The admin token of the bridge settings `shaq-bridge sandbox` writes.
pub const SANDBOX_ADMIN_TOKEN: &str = "sandbox-admin-token-0123456789";

/// A shop of the bridge's settings.
#[derive(Debug, Clone)]
pub struct Shop {
    id: String,
    platform: &'static str,
    flow: &'static str,
    secret: String,
    default_country: Option<String>,
    write_back: Option<String>,
}

impl Shop {
    fn new(id: &str, platform: &'static str, secret: &str) -> Shop {
        Shop {
            id: id.to_owned(),
            platform,
            flow: "confirm_first",
            secret: secret.to_owned(),
            default_country: None,
            write_back: None,
        }
    }

    /// A Shopify shop signing its webhooks with `secret`.
    pub fn shopify(id: &str, secret: &str) -> Shop {
        Shop::new(id, "shopify", secret)
    }

    /// A WooCommerce shop.
    pub fn woocommerce(id: &str, secret: &str) -> Shop {
        Shop::new(id, "woocommerce", secret)
    }

    /// A YouCan shop.
    pub fn youcan(id: &str, secret: &str) -> Shop {
        Shop::new(id, "youcan", secret)
    }

    /// A shop posting the generic JSON shape.
    pub fn generic(id: &str, secret: &str) -> Shop {
        Shop::new(id, "generic", secret)
    }

    /// Package and ticket at once, without waiting for the customer's confirmation.
    pub fn ship_immediately(mut self) -> Shop {
        self.flow = "ship_immediately";
        self
    }

    /// The country of local phone numbers.
    pub fn default_country(mut self, country: &str) -> Shop {
        self.default_country = Some(country.to_owned());
        self
    }

    /// Writes milestones back to the simulated admin API of this shop's platform.
    pub fn writes_back_to(mut self, sandbox: &Sandbox) -> Shop {
        let shop = sandbox.shop_url();
        self.write_back = Some(match self.platform {
            "shopify" => format!("admin_url = \"{shop}\"\ntoken = \"shpat_sandbox\"\n"),
            "woocommerce" => format!(
                "admin_url = \"{shop}\"\nconsumer_key = \"ck_sandbox\"\ntoken = \"cs_sandbox\"\n"
            ),
            "youcan" => format!("admin_url = \"{shop}\"\ntoken = \"youcan-token\"\n"),
            _ => format!("callback_url = \"{shop}/callback\"\ntoken = \"callback-secret\"\n"),
        });
        self
    }

    fn write(&self, out: &mut String) {
        let _ = write!(
            out,
            "\n[[shops]]\nid = \"{}\"\nplatform = \"{}\"\nflow = \"{}\"\nwebhook_secrets = [\"{}\"]\n",
            self.id, self.platform, self.flow, self.secret
        );
        if let Some(country) = &self.default_country {
            let _ = writeln!(out, "default_country = \"{country}\"");
        }
        if let Some(write_back) = &self.write_back {
            let _ = write!(out, "[shops.write_back]\nenabled = true\n{write_back}");
        }
    }
}

/// A bridge's settings file, for tests and the demo.
#[derive(Debug, Clone)]
pub struct BridgeConfig {
    listen: String,
    admin_token: Option<String>,
    log_format: &'static str,
    database_url: String,
    max_connections: Option<u32>,
    poll_interval: &'static str,
    workers: Option<String>,
    fast_retries: Option<u32>,
    rate_limit: bool,
    shaq_url: String,
    digishare_url: String,
    statuses: Vec<(String, String)>,
    upstream_timeout: Option<&'static str>,
    unlimited_upstreams: bool,
    reconcile: bool,
    tracking_url: bool,
    shops: Vec<Shop>,
    extra: String,
}

impl BridgeConfig {
    /// A bridge on `database_url` talking to the sandbox's simulators, listening on any free
    /// port, logging warnings, with no shop yet.
    pub fn for_sandbox(sandbox: &Sandbox, database_url: &str) -> BridgeConfig {
        let mut statuses: Vec<(String, String)> = sandbox
            .digishare
            .statuses()
            .iter()
            .map(|(key, id)| (key.clone(), id.clone()))
            .collect();
        statuses.sort();
        BridgeConfig::with_upstreams(
            &sandbox.shaq_url(),
            &sandbox.digishare_url(),
            statuses,
            database_url,
        )
    }

    /// A bridge whose upstreams are at these URLs (nothing needs to answer there when no job
    /// runs), with these ticket statuses.
    pub fn with_upstreams(
        shaq_url: &str,
        digishare_url: &str,
        statuses: Vec<(String, String)>,
        database_url: &str,
    ) -> BridgeConfig {
        BridgeConfig {
            listen: "127.0.0.1:0".to_owned(),
            admin_token: None,
            log_format: "pretty",
            database_url: database_url.to_owned(),
            max_connections: None,
            poll_interval: "100ms",
            workers: None,
            fast_retries: None,
            rate_limit: true,
            shaq_url: shaq_url.to_owned(),
            digishare_url: digishare_url.to_owned(),
            statuses,
            upstream_timeout: None,
            unlimited_upstreams: false,
            reconcile: true,
            tracking_url: false,
            shops: Vec::new(),
            extra: String::new(),
        }
    }

    /// Listen on this address (`127.0.0.1:8080`).
    pub fn listen(mut self, address: &str) -> Self {
        self.listen = address.to_owned();
        self
    }

    /// Require this bearer token on `/api`.
    pub fn admin_token(mut self, token: &str) -> Self {
        self.admin_token = Some(token.to_owned());
        self
    }

    /// Log JSON lines (what a log collector reads) instead of pretty lines.
    pub fn json_logs(mut self) -> Self {
        self.log_format = "json";
        self
    }

    /// At most this many database connections.
    pub fn max_connections(mut self, max: u32) -> Self {
        self.max_connections = Some(max);
        self
    }

    /// How often idle workers look for due jobs.
    pub fn poll_interval(mut self, interval: &'static str) -> Self {
        self.poll_interval = interval;
        self
    }

    /// Workers' concurrency, lease and shutdown grace.
    pub fn workers(mut self, concurrency: usize, lease: &str, shutdown_grace: &str) -> Self {
        self.workers = Some(format!(
            "concurrency = {concurrency}\nlease = \"{lease}\"\nshutdown_grace = \"{shutdown_grace}\"\n"
        ));
        self
    }

    /// Retries within a second (100 ms doubling to 1 s), up to `max_attempts`.
    pub fn fast_retries(mut self, max_attempts: u32) -> Self {
        self.fast_retries = Some(max_attempts);
        self
    }

    /// No per-source rate limit on webhooks (floods in tests are deliberate).
    pub fn without_rate_limit(mut self) -> Self {
        self.rate_limit = false;
        self
    }

    /// Give up on ShaQ and Digishare calls after `timeout` (`1s`), with no client-side rate limit.
    pub fn quick_upstreams(mut self, timeout: &'static str) -> Self {
        self.upstream_timeout = Some(timeout);
        self.unlimited_upstreams = true;
        self
    }

    /// No reconciliation sweeps (tests drive every status themselves).
    pub fn without_reconciliation(mut self) -> Self {
        self.reconcile = false;
        self
    }

    /// Put ShaQ's public tracking link in tickets and shops.
    pub fn with_tracking_url(mut self) -> Self {
        self.tracking_url = true;
        self
    }

    /// Adds a shop.
    pub fn shop(mut self, shop: Shop) -> Self {
        self.shops.push(shop);
        self
    }

    /// TOML appended as it is (a section the builder has no method for).
    pub fn extra(mut self, toml: &str) -> Self {
        self.extra.push_str(toml);
        self
    }

    /// The settings file.
    pub fn to_toml(&self) -> String {
        let mut out = format!("[server]\nlisten = \"{}\"\n", self.listen);
        if let Some(token) = &self.admin_token {
            let _ = writeln!(out, "admin_token = \"{token}\"");
        }
        if !self.rate_limit {
            out.push_str("[server.webhook_rate_limit]\nenabled = false\n");
        }
        let _ = write!(
            out,
            "[log]\nformat = \"{}\"\nlevel = \"warn\"\n[database]\nurl = \"{}\"\n",
            self.log_format, self.database_url
        );
        if let Some(max) = self.max_connections {
            let _ = writeln!(out, "max_connections = {max}");
        }
        let _ = writeln!(out, "[workers]\npoll_interval = \"{}\"", self.poll_interval);
        if let Some(workers) = &self.workers {
            out.push_str(workers);
        }
        if let Some(max_attempts) = self.fast_retries {
            let _ = write!(
                out,
                "[workers.retry]\ninitial_delay = \"100ms\"\nmultiplier = 2.0\nmax_delay = \"1s\"\nmax_attempts = {max_attempts}\n"
            );
        }
        let _ = write!(
            out,
            "[shaq]\nbase_url = \"{}\"\nidentifier = \"sandbox-partner\"\nsecret = \"sandbox-secret\"\n\
             webhook_secret = \"{SHAQ_WEBHOOK_SECRET}\"\nsource_country_iso2 = \"GH\"\n\
             source_address_line_1 = \"12 Oxford Street, Osu, Accra\"\nservice_countries = [\"GH\"]\n",
            self.shaq_url
        );
        self.upstream_limits(&mut out);
        if self.tracking_url {
            out.push_str(
                "tracking_url_template = \"https://shaqexpress.com/track/{tracking_number}\"\n",
            );
        }
        if !self.reconcile {
            out.push_str("[shaq.reconcile]\nenabled = false\n");
        }
        let _ = write!(
            out,
            "[digishare]\nbase_url = \"{}\"\naccess_token = \"sandbox-digishare-token\"\n\
             type_ticket_id = \"npvrxamq9l94y8dz\"\nwebhook_secret = \"{DIGISHARE_WEBHOOK_SECRET}\"\n",
            self.digishare_url
        );
        self.upstream_limits(&mut out);
        out.push_str("[digishare.statuses]\n");
        for (key, id) in &self.statuses {
            let _ = writeln!(out, "{key} = \"{id}\"");
        }
        for shop in &self.shops {
            shop.write(&mut out);
        }
        out.push('\n');
        out.push_str(&self.extra);
        out
    }

    fn upstream_limits(&self, out: &mut String) {
        if let Some(timeout) = self.upstream_timeout {
            let _ = writeln!(out, "timeout = \"{timeout}\"");
        }
        if self.unlimited_upstreams {
            out.push_str("requests_per_second = 0\n");
        }
    }
}

impl Sandbox {
    /// Points the simulators' webhooks at a bridge (ShaQ's courier updates, Digishare's
    /// `ticket.updated`), with the secrets [`BridgeConfig`] configures.
    pub fn send_webhooks_to(&self, bridge: &str) {
        self.shaq
            .set_webhook_target(&format!("{bridge}/webhooks/shaq"), SHAQ_WEBHOOK_SECRET);
        self.digishare.set_webhook_target(
            &format!("{bridge}/webhooks/digishare"),
            DIGISHARE_WEBHOOK_SECRET,
        );
    }
}

/// Polls `check` every 50 ms until it returns `Some`, or fails after `within`.
pub async fn wait_for<T, F, Fut>(
    what: &str,
    within: std::time::Duration,
    mut check: F,
) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let started = std::time::Instant::now();
    loop {
        if let Some(value) = check().await {
            return Ok(value);
        }
        if started.elapsed() > within {
            anyhow::bail!("timed out waiting for {what}");
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_settings_name_every_part_asked_for() {
        let toml = BridgeConfig::with_upstreams(
            "http://127.0.0.1:1/api/v1",
            "http://127.0.0.1:2/v1",
            vec![("confirmed".to_owned(), "st-yes".to_owned())],
            "sqlite://x.db",
        )
        .admin_token("a-token-of-sixteen-chars")
        .fast_retries(30)
        .without_rate_limit()
        .without_reconciliation()
        .shop(
            Shop::woocommerce("atlas", "s")
                .ship_immediately()
                .default_country("GH"),
        )
        .to_toml();
        for part in [
            "admin_token = \"a-token-of-sixteen-chars\"",
            "[server.webhook_rate_limit]\nenabled = false",
            "max_attempts = 30",
            "[shaq.reconcile]\nenabled = false",
            "confirmed = \"st-yes\"",
            "id = \"atlas\"\nplatform = \"woocommerce\"\nflow = \"ship_immediately\"",
            "default_country = \"GH\"",
        ] {
            assert!(toml.contains(part), "{part} missing from:\n{toml}");
        }
    }
}
