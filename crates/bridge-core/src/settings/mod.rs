//! The `[shaq]`, `[digishare]` and `[mapping]` settings: how to reach each service and how the
//! workflow uses it. The server reads them from TOML; each validates itself, naming its keys.

use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::time::Duration;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use shaq_client::{Handling, PackageType};

mod secret;
mod shop;

pub use secret::{check_secret, is_blank, redact, redact_all, redact_option, redact_url};
pub use shop::{
    BackfillSettings, ConfirmationSettings, GenericSignature, HandoverSettings, Platform,
    ReturnSettings, SharedRules, ShopDigishare, ShopSettings, ShopShaq, WriteBackSettings,
};

use crate::domain::CountryCode;
use crate::workflow::{CourierMapping, CourierStatusEffect, TicketKey, TicketStatuses};

/// Where ShaQ puts the webhook secret it sends us.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WebhookSecretLocation {
    /// In a header (`webhook_secret_header`).
    #[default]
    Header,
    /// As the last path segment: `POST /webhooks/shaq/{secret}`.
    Path,
}

/// `[shaq]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShaqSettings {
    /// API base, e.g. `https://test-partner.shaqexpress.com/api/v1` (the production host is not
    /// public: ask ShaQ).
    pub base_url: String,
    /// Partner login identifier.
    pub identifier: String,
    /// Partner login secret.
    #[serde(serialize_with = "redact")]
    pub secret: SecretString,
    /// The secret ShaQ must present on `POST /webhooks/shaq` (ShaQ documents no signature).
    #[serde(serialize_with = "redact")]
    pub webhook_secret: SecretString,
    /// Header or path.
    #[serde(default)]
    pub webhook_secret_location: WebhookSecretLocation,
    /// The header carrying the secret, when `webhook_secret_location = "header"`.
    #[serde(default = "default_shaq_secret_header")]
    pub webhook_secret_header: String,
    /// Optional: also require an HMAC-SHA256 of the raw body in this header (hex or base64).
    #[serde(default)]
    pub webhook_hmac_header: Option<String>,
    /// The merchant's country (ISO 3166 alpha-2), sent as `source_country_iso2`.
    pub source_country_iso2: String,
    /// The pickup address, sent as `source_address_line_1`.
    pub source_address_line_1: String,
    /// Second line of the pickup address.
    #[serde(default)]
    pub source_address_line_2: Option<String>,
    /// Destination countries ShaQ serves; orders elsewhere need attention.
    pub service_countries: Vec<String>,
    /// Package defaults.
    #[serde(default)]
    pub defaults: PackageDefaults,
    /// `https://…/track/{tracking_number}`: the tracking link put in the ticket and the shop.
    #[serde(default)]
    pub tracking_url_template: Option<String>,
    /// Fetch the package label once ShaQ has it and attach it to the ticket (`campaign_data.label`).
    #[serde(default)]
    pub attach_label: bool,
    /// Per-request timeout.
    #[serde(default = "default_timeout", with = "humantime_serde")]
    pub timeout: Duration,
    /// Client-side limit on calls per second (`0`: none).
    #[serde(default = "default_shaq_rps")]
    pub requests_per_second: u32,
    /// Client-side limit on calls in flight at once (`0`: none). ShaQ does not say how many it
    /// accepts, so the default is modest; the workers may run more jobs than this at once.
    #[serde(default = "default_max_in_flight")]
    pub max_in_flight: u32,
    /// Log in again this long before the 7-day token expires.
    #[serde(default = "default_token_margin", with = "humantime_serde")]
    pub token_renew_margin: Duration,
    /// Paths of the operations ShaQ's docs do not give (override without a rebuild).
    #[serde(default)]
    pub paths: BTreeMap<String, String>,
    /// Reconciliation: look packages up when their last news is older than this.
    #[serde(default)]
    pub reconcile: ReconcileSettings,
    /// Creating many packages at once through ShaQ's bulk endpoint (off by default).
    #[serde(default)]
    pub bulk: BulkSettings,
    /// More names for regions, as shops write them (`GRA = "Greater Accra"`): matched on the
    /// region field after Ghana's region names and codes (see docs/configuration.md).
    #[serde(default)]
    pub region_aliases: BTreeMap<String, String>,
}

/// `[shaq.bulk]`: when many packages are to be created at once (a flash sale, a backlog after
/// an outage), create them with one bulk call per batch instead of one call each. Off by
/// default: ShaQ has not documented its bulk endpoint's answer; the bridge only trusts a package
/// the answer names, and creates every other one singly (adopting it if the bulk call made it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BulkSettings {
    /// Switch.
    pub enabled: bool,
    /// Use the bulk call only when at least this many packages wait together.
    pub min_batch: usize,
    /// At most this many packages per call.
    pub max_batch: usize,
    /// How long a package waits for others to join its batch.
    #[serde(with = "humantime_serde")]
    pub window: Duration,
}

impl Default for BulkSettings {
    fn default() -> Self {
        BulkSettings {
            enabled: false,
            min_batch: 10,
            max_batch: 100,
            window: Duration::from_millis(50),
        }
    }
}

impl BulkSettings {
    /// Every problem, under `shaq.bulk`.
    pub fn validate(&self, problems: &mut Vec<String>) {
        if self.min_batch < 2 || self.min_batch > self.max_batch {
            problems
                .push("shaq.bulk.min_batch must be at least 2 and at most max_batch".to_owned());
        }
        if self.max_batch > 1000 {
            problems.push("shaq.bulk.max_batch must be at most 1000".to_owned());
        }
        if self.window.is_zero() || self.window > Duration::from_secs(5) {
            problems.push("shaq.bulk.window must be between 1ms and 5s".to_owned());
        }
    }
}

/// `[shaq.defaults]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PackageDefaults {
    /// `parcel` or `box`.
    #[serde(rename = "type")]
    pub package_type: PackageType,
    /// `normal` or `fragile`.
    pub handling: Handling,
    /// Pieces per package when the order does not say.
    pub units: u32,
}

impl Default for PackageDefaults {
    fn default() -> Self {
        PackageDefaults {
            package_type: PackageType::Box,
            handling: Handling::Normal,
            units: 1,
        }
    }
}

/// `[shaq.reconcile]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReconcileSettings {
    /// Off switch.
    pub enabled: bool,
    /// How often the sweep runs.
    #[serde(with = "humantime_serde")]
    pub interval: Duration,
    /// Packages with no courier news for this long are looked up.
    #[serde(with = "humantime_serde")]
    pub stale_after: Duration,
    /// At most this many lookups per sweep.
    pub batch: u32,
}

impl Default for ReconcileSettings {
    fn default() -> Self {
        ReconcileSettings {
            enabled: true,
            interval: Duration::from_secs(15 * 60),
            stale_after: Duration::from_secs(6 * 3600),
            batch: 100,
        }
    }
}

fn default_shaq_secret_header() -> String {
    "X-Shaq-Webhook-Secret".to_owned()
}

fn default_timeout() -> Duration {
    Duration::from_secs(30)
}

fn default_shaq_rps() -> u32 {
    10
}

/// Calls in flight at once towards ShaQ or Digishare, by default: what the bridge's 16
/// workers could send before the workers and the upstreams were limited apart.
fn default_max_in_flight() -> u32 {
    16
}

/// The most calls in flight a `max_in_flight` may allow.
const MAX_IN_FLIGHT: u32 = 1024;

/// `max_in_flight` as a limit (`0`: none).
fn in_flight_limit(max_in_flight: u32) -> Option<std::num::NonZeroUsize> {
    std::num::NonZeroUsize::new(max_in_flight as usize)
}

fn default_token_margin() -> Duration {
    Duration::from_secs(24 * 3600)
}

impl ShaqSettings {
    /// Every problem, each naming its key.
    pub fn validate(&self, problems: &mut Vec<String>) {
        if url::Url::parse(&self.base_url).is_err() {
            problems.push("shaq.base_url is not a valid URL".to_owned());
        }
        if self.max_in_flight > MAX_IN_FLIGHT {
            problems.push(format!(
                "shaq.max_in_flight must be at most {MAX_IN_FLIGHT} (0: no limit)"
            ));
        }
        self.bulk.validate(problems);
        if self.identifier.trim().is_empty() {
            problems.push("shaq.identifier is empty".to_owned());
        }
        if is_blank(&self.secret) {
            problems.push("shaq.secret is empty".to_owned());
        } else {
            check_secret("shaq.secret", &self.secret, 1, problems);
        }
        check_secret("shaq.webhook_secret", &self.webhook_secret, 16, problems);
        if !is_iso2(&self.source_country_iso2) {
            problems.push("shaq.source_country_iso2 must be two uppercase letters".to_owned());
        }
        if self.source_address_line_1.trim().is_empty() {
            problems.push("shaq.source_address_line_1 is empty".to_owned());
        }
        if self.service_countries.is_empty() || !self.service_countries.iter().all(|c| is_iso2(c)) {
            problems.push(
                "shaq.service_countries must list two-letter country codes (e.g. [\"GH\"])"
                    .to_owned(),
            );
        }
        for (alias, region) in &self.region_aliases {
            if region.trim().is_empty() {
                problems.push(format!("shaq.region_aliases.{alias} names no region"));
            }
        }
        if let Some(template) = &self.tracking_url_template
            && !template.contains("{tracking_number}")
        {
            problems.push("shaq.tracking_url_template must contain {tracking_number}".to_owned());
        }
    }

    /// The destination countries ShaQ serves (validated as two-letter codes).
    pub fn service_countries(&self) -> Vec<CountryCode> {
        self.service_countries
            .iter()
            .filter_map(|c| CountryCode::parse(c))
            .collect()
    }

    /// The limit on calls per second, if any.
    pub fn rate_limit(&self) -> Option<NonZeroU32> {
        NonZeroU32::new(self.requests_per_second)
    }

    /// The tracking link for a tracking number, if a template is configured.
    pub fn tracking_url(&self, tracking_number: &str) -> Option<String> {
        self.tracking_url_template
            .as_ref()
            .map(|t| t.replace("{tracking_number}", tracking_number))
    }
}

/// How the bridge authenticates to Digishare.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DigishareSettings {
    /// API base, `https://api.digishare.ma/v1`.
    pub base_url: String,
    /// A Personal Access Token (or use `client_id` + `client_secret`).
    #[serde(default, serialize_with = "redact_option")]
    pub access_token: Option<SecretString>,
    /// OAuth client id.
    #[serde(default)]
    pub client_id: Option<String>,
    /// OAuth client secret.
    #[serde(default, serialize_with = "redact_option")]
    pub client_secret: Option<SecretString>,
    /// The ticket type for orders (hashed id from the dashboard).
    pub type_ticket_id: String,
    /// The secret Digishare presents on `POST /webhooks/digishare` (configured in its dashboard).
    #[serde(serialize_with = "redact")]
    pub webhook_secret: SecretString,
    /// `Authorization` (as `Bearer <secret>`) or the name of a custom header.
    #[serde(default = "default_digishare_secret_header")]
    pub webhook_secret_header: String,
    /// Status keys → this account's hashed status ids; a key left out sends nothing.
    pub statuses: TicketStatuses,
    /// The ticket subject; `{order_ref}` is replaced.
    #[serde(default = "default_subject")]
    pub subject_template: String,
    /// `put` (the API documentation's single example of a status change; the e-commerce guide
    /// shows none) or `patch` for status updates.
    #[serde(default = "default_update_method")]
    pub update_method: String,
    /// Per-request timeout.
    #[serde(default = "default_timeout", with = "humantime_serde")]
    pub timeout: Duration,
    /// Client-side limit on calls per second (`0`: none).
    #[serde(default = "default_digishare_rps")]
    pub requests_per_second: u32,
    /// Client-side limit on calls in flight at once (`0`: none). Digishare does not say how
    /// many it accepts, so the default is modest; the workers may run more jobs than this.
    #[serde(default = "default_max_in_flight")]
    pub max_in_flight: u32,
    /// Add `file.extension` to media uploads. The e-commerce guide's body has no such field
    /// (the default sends exactly the guide's); turn it on if your account's API asks for it
    /// ("The extension field is required").
    #[serde(default)]
    pub media_extension: bool,
}

fn default_digishare_secret_header() -> String {
    "Authorization".to_owned()
}

fn default_subject() -> String {
    "Order {order_ref}".to_owned()
}

fn default_update_method() -> String {
    "put".to_owned()
}

fn default_digishare_rps() -> u32 {
    5
}

impl DigishareSettings {
    /// Every problem, each naming its key. `required_keys` are the status keys the configured
    /// flows use.
    pub fn validate<'a>(
        &self,
        required_keys: impl IntoIterator<Item = &'a TicketKey>,
        problems: &mut Vec<String>,
    ) {
        if self.max_in_flight > MAX_IN_FLIGHT {
            problems.push(format!(
                "digishare.max_in_flight must be at most {MAX_IN_FLIGHT} (0: no limit)"
            ));
        }
        if url::Url::parse(&self.base_url).is_err() {
            problems.push("digishare.base_url is not a valid URL".to_owned());
        }
        match (&self.access_token, &self.client_id, &self.client_secret) {
            (Some(token), None, None) if !is_blank(token) => {}
            (None, Some(id), Some(secret)) if !id.trim().is_empty() && !is_blank(secret) => {}
            _ => problems.push(
                "digishare: set either access_token, or client_id and client_secret".to_owned(),
            ),
        }
        if self.type_ticket_id.trim().is_empty() {
            problems.push("digishare.type_ticket_id is empty".to_owned());
        }
        check_secret(
            "digishare.webhook_secret",
            &self.webhook_secret,
            16,
            problems,
        );
        if let Some(token) = &self.access_token {
            check_secret("digishare.access_token", token, 1, problems);
        }
        if let Some(secret) = &self.client_secret {
            check_secret("digishare.client_secret", secret, 1, problems);
        }
        if !["put", "patch"].contains(&self.update_method.as_str()) {
            problems.push("digishare.update_method must be `put` or `patch`".to_owned());
        }
        for key in required_keys {
            if self.statuses.id(key).is_none() {
                problems.push(format!(
                    "digishare.statuses.{key} is missing (the configured flows need it)"
                ));
            }
        }
    }
}

/// `[mapping]`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MappingSettings {
    /// Overrides of the courier status table, by ShaQ status slug.
    pub courier: BTreeMap<String, CourierStatusEffect>,
}

impl MappingSettings {
    /// The effective table.
    pub fn courier_mapping(&self) -> CourierMapping {
        CourierMapping::with_overrides(&self.courier)
    }
}

fn is_iso2(code: &str) -> bool {
    code.len() == 2 && code.chars().all(|c| c.is_ascii_uppercase())
}

impl ShaqSettings {
    /// These settings with a shop's overrides laid over them.
    pub fn for_shop(&self, shop: &ShopShaq) -> ShaqSettings {
        let mut settings = self.clone();
        if let (Some(identifier), Some(secret)) = (&shop.identifier, &shop.secret) {
            settings.identifier = identifier.clone();
            settings.secret = secret.clone();
        }
        if let Some(secret) = &shop.webhook_secret {
            settings.webhook_secret = secret.clone();
        }
        let overlay = |value: &Option<String>, slot: &mut String| {
            if let Some(value) = value {
                slot.clone_from(value);
            }
        };
        overlay(&shop.source_country_iso2, &mut settings.source_country_iso2);
        overlay(
            &shop.source_address_line_1,
            &mut settings.source_address_line_1,
        );
        if shop.source_address_line_2.is_some() {
            settings.source_address_line_2 = shop.source_address_line_2.clone();
        }
        if let Some(defaults) = &shop.defaults {
            settings.defaults = defaults.clone();
        }
        settings
    }

    /// Whether a shop uses another ShaQ account than `[shaq]`'s.
    pub fn has_own_account(shop: &ShopShaq) -> bool {
        shop.identifier.is_some()
    }

    /// The API client these settings describe.
    pub fn client(&self) -> Result<shaq_client::ShaqClient, String> {
        let paths = shaq_client::ShaqPaths::with_overrides(&self.paths)?;
        shaq_client::ShaqClient::new(shaq_client::ShaqConfig {
            base_url: self.base_url.clone(),
            identifier: self.identifier.clone(),
            secret: self.secret.clone(),
            timeout: self.timeout,
            connect_timeout: Duration::from_secs(5).min(self.timeout),
            token_renew_margin: self.token_renew_margin,
            requests_per_second: self.rate_limit(),
            max_in_flight: in_flight_limit(self.max_in_flight),
            paths,
        })
        .map_err(|e| e.to_string())
    }
}

impl DigishareSettings {
    /// These settings with a shop's overrides laid over them (its statuses over the global
    /// ones, key by key).
    pub fn for_shop(&self, shop: &ShopDigishare) -> DigishareSettings {
        let mut settings = self.clone();
        if let Some(type_ticket_id) = &shop.type_ticket_id {
            settings.type_ticket_id.clone_from(type_ticket_id);
        }
        if let Some(subject) = &shop.subject_template {
            settings.subject_template.clone_from(subject);
        }
        for (key, id) in &shop.statuses.0 {
            settings.statuses.0.insert(key.clone(), id.clone());
        }
        settings
    }

    /// The API client these settings describe.
    pub fn client(&self) -> Result<digishare_client::DigishareClient, String> {
        let auth = match (&self.access_token, &self.client_id, &self.client_secret) {
            (Some(token), _, _) => digishare_client::Auth::PersonalAccessToken(token.clone()),
            (None, Some(client_id), Some(client_secret)) => {
                digishare_client::Auth::ClientCredentials {
                    client_id: client_id.clone(),
                    client_secret: client_secret.clone(),
                }
            }
            _ => return Err("digishare: no credentials".to_owned()),
        };
        digishare_client::DigishareClient::new(digishare_client::DigishareConfig {
            base_url: self.base_url.clone(),
            auth,
            timeout: self.timeout,
            connect_timeout: Duration::from_secs(5).min(self.timeout),
            requests_per_second: NonZeroU32::new(self.requests_per_second),
            max_in_flight: in_flight_limit(self.max_in_flight),
            update_method: if self.update_method == "patch" {
                digishare_client::UpdateMethod::Patch
            } else {
                digishare_client::UpdateMethod::Put
            },
        })
        .map_err(|e| e.to_string())
    }
}
