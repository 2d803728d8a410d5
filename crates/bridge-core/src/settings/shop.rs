//! One `[[shops]]` entry: the platform, its webhook secrets and write-back credentials, its
//! flow, confirmation, handover and returns settings, and its overrides of `[shaq]` and
//! `[digishare]`.

use std::collections::BTreeMap;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use shop_client::signature::SignatureEncoding;
use shop_client::{ShopClient, ShopifyAccess};

use super::PackageDefaults;
use super::secret::{check_secret, redact_all, redact_option};
use crate::domain::{CountryCode, Language, LanguageChoice, RegionRules, ShopId};
use crate::workflow::confirmation::{ConfirmationPolicy, NoAnswer, QuietHours};
use crate::workflow::{Flow, ShopMilestone, ShopPolicy};
use crate::workflow::{TicketKey, TicketStatuses};

/// The shop platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    /// Shopify (HTTPS webhooks, GraphQL write-back).
    Shopify,
    /// WooCommerce (REST v3).
    Woocommerce,
    /// YouCan (Morocco).
    Youcan,
    /// Any shop that posts the bridge's plain JSON shape (see `docs/shops.md`).
    Generic,
}

impl Platform {
    /// The platform's name as the settings spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Shopify => "shopify",
            Platform::Woocommerce => "woocommerce",
            Platform::Youcan => "youcan",
            Platform::Generic => "generic",
        }
    }
}

/// One `[[shops]]` entry.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShopSettings {
    /// Your name for the shop: lowercase letters, digits, `-`, `_`; it appears in the webhook
    /// URL (`/webhooks/shops/{id}`) and in package references.
    pub id: ShopId,
    /// The platform.
    pub platform: Platform,
    /// `confirm_first` (default) or `ship_immediately`.
    #[serde(default)]
    pub flow: Flow,
    /// The webhook signing secret(s); list two while rotating. A Shopify Dev Dashboard app
    /// needs none: Shopify signs with its client secret.
    #[serde(default, serialize_with = "redact_all")]
    pub webhook_secrets: Vec<SecretString>,
    /// Country for local phone numbers when the address has none (ISO2, e.g. `GH`).
    #[serde(default)]
    pub default_country: Option<String>,
    /// Prepaid orders skip the WhatsApp confirmation.
    #[serde(default = "yes")]
    pub prepaid_skips_confirmation: bool,
    /// More payment gateway names that mean cash on delivery (Shopify).
    #[serde(default)]
    pub cod_gateways: Vec<String>,
    /// Signature options of the generic platform.
    #[serde(default)]
    pub generic: GenericSignature,
    /// Writing milestones back to the shop.
    #[serde(default)]
    pub write_back: WriteBackSettings,
    /// The region of an address that names none (e.g. `Greater Accra` for a shop that only
    /// delivers in Accra). Off by default: such an order waits for a person.
    #[serde(default)]
    pub default_region: Option<String>,
    /// The language of the customers' messages: `auto` (default), `ar`, `fr` or `en`.
    #[serde(default)]
    pub language: LanguageChoice,
    /// With `language = "auto"`, the language of an order that gives no hint of its own
    /// (default: guessed from the shipping country, French for Morocco, English for Ghana).
    #[serde(default)]
    pub default_language: Option<Language>,
    /// The shop's time zone (IANA name), for the dates in the customers' messages.
    #[serde(default = "default_time_zone")]
    pub time_zone: String,
    /// What this shop does differently from `[shaq]`: another ShaQ account, pickup address,
    /// package defaults. Anything left out is `[shaq]`'s.
    #[serde(default)]
    pub shaq: ShopShaq,
    /// What this shop does differently from `[digishare]`: ticket type, status ids, subject.
    #[serde(default)]
    pub digishare: ShopDigishare,
    /// Reading the shop's own order list, to catch up on webhooks the bridge missed.
    #[serde(default)]
    pub backfill: BackfillSettings,
    /// Reminders, quiet hours and what happens to orders nobody confirms.
    #[serde(default)]
    pub confirmation: ConfirmationSettings,
    /// When the day's packages are handed to ShaQ's rider.
    #[serde(default)]
    pub handover: HandoverSettings,
    /// How the shop asks for returns after delivery.
    #[serde(default)]
    pub returns: ReturnSettings,
    /// The invoice attached to the customer's ticket.
    #[serde(default)]
    pub invoice: InvoiceSettings,
}

/// `[shops.invoice]`: the one-page invoice the customer receives with their ticket
/// (`campaign_data.invoice_document`, Digishare's e-commerce guide), in their language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InvoiceSettings {
    /// Send one. Unset: on when `seller_address` is set (an invoice names who sells).
    pub enabled: Option<bool>,
    /// The seller's name printed on it (unset: the shop's id).
    pub seller_name: Option<String>,
    /// The seller's address, a line each (`["12 Oxford Street", "Osu, Accra"]`).
    pub seller_address: Vec<String>,
    /// How long a ticket waits for its invoice's upload when Digishare's media upload fails;
    /// then it is created without it, and the invoice is attached once the upload works.
    #[serde(with = "humantime_serde")]
    pub wait: Duration,
}

impl Default for InvoiceSettings {
    fn default() -> Self {
        InvoiceSettings {
            enabled: None,
            seller_name: None,
            seller_address: Vec::new(),
            wait: Duration::from_secs(120),
        }
    }
}

impl InvoiceSettings {
    /// Whether the shop's customers get an invoice.
    pub fn is_on(&self) -> bool {
        self.enabled.unwrap_or(!self.seller_address.is_empty())
    }
}

/// `[shops.returns]`: how the shop itself asks for a return after delivery (besides the
/// console and the admin API; Shopify's approved returns need no setting).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReturnSettings {
    /// WooCommerce: an order set to this status (a returns plugin's, or your own, e.g.
    /// `return-requested`) asks ShaQ to collect the item back, once per order.
    pub status: Option<String>,
}

impl ReturnSettings {
    /// The status as WooCommerce's webhooks spell it (without the `wc-` prefix).
    pub fn woocommerce_status(&self) -> Option<&str> {
        self.status
            .as_deref()
            .map(|status| status.trim().trim_start_matches("wc-"))
            .filter(|status| !status.is_empty())
    }
}

/// `[shops.handover]`: the daily handover of the shop's packages to ShaQ's rider.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HandoverSettings {
    /// Every day at this time of the shop's time zone (`"16:00"`), the packages ready then are
    /// gathered into one ShaQ shipment with its printable manifest and labels. Unset: only on
    /// demand (console, admin API, `shaq-bridge handover`).
    pub at: Option<String>,
}

impl HandoverSettings {
    /// The time of day, if one is set and valid.
    pub fn time(&self) -> Option<chrono::NaiveTime> {
        self.at
            .as_deref()
            .and_then(|at| chrono::NaiveTime::parse_from_str(at.trim(), "%H:%M").ok())
    }

    /// Every problem, naming its key under `at` (`shops[0].handover`).
    pub fn validate(&self, at: &str, problems: &mut Vec<String>) {
        if let Some(time) = &self.at
            && self.time().is_none()
        {
            problems.push(format!(
                "{at}.at `{time}` is not a time of day like \"16:00\""
            ));
        }
    }
}

/// `[shops.confirmation]`: how a `confirm_first` shop asks its cash-on-delivery customers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConfirmationSettings {
    /// When to remind a customer who has not answered, counted from the first message
    /// (`["2h", "20h"]`): reminder N moves the ticket to the status `reminder_N`.
    pub reminders: Vec<humantime_serde::Serde<Duration>>,
    /// How long to wait for an answer (default: `[workflow].confirmation_timeout`).
    #[serde(with = "humantime_serde")]
    pub confirm_within: Option<Duration>,
    /// `needs_attention` (default: a person decides) or `cancel`.
    pub on_no_answer: NoAnswer,
    /// No reminder or automatic cancellation in these hours of the shop's time zone
    /// (`"21:00-08:00"`); one due then waits for their end.
    pub quiet_hours: Option<String>,
}

impl ConfirmationSettings {
    fn reminders(&self) -> Vec<Duration> {
        self.reminders.iter().map(|delay| **delay).collect()
    }

    /// Every problem, naming its key under `at` (`shops[0].confirmation`).
    pub fn validate(&self, at: &str, shared_timeout: Option<Duration>, problems: &mut Vec<String>) {
        let reminders = self.reminders();
        if reminders.len() > 9 {
            problems.push(format!("{at}.reminders: at most 9"));
        }
        if reminders.iter().any(Duration::is_zero) {
            problems.push(format!(
                "{at}.reminders: each must be after the first message"
            ));
        }
        if reminders.windows(2).any(|pair| pair[0] >= pair[1]) {
            problems.push(format!("{at}.reminders must be in increasing order"));
        }
        if let (Some(last), Some(within)) =
            (reminders.last(), self.confirm_within.or(shared_timeout))
            && *last >= within
        {
            problems.push(format!(
                "{at}.reminders: the last one comes after the order stops waiting \
                 (confirm_within / [workflow].confirmation_timeout)"
            ));
        }
        if let Some(quiet) = &self.quiet_hours
            && let Err(problem) = quiet.parse::<QuietHours>()
        {
            problems.push(format!("{at}.quiet_hours: {problem}"));
        }
    }

    /// The ticket statuses the reminders move tickets to (`reminder_1`…).
    pub fn reminder_keys(&self) -> Vec<TicketKey> {
        (1..=self.reminders.len())
            .map(|number| TicketKey::new(ConfirmationPolicy::reminder_key(number)))
            .collect()
    }
}

/// `[shops.backfill]`: read the shop's order list now and then (and at start-up) and take in
/// the orders whose webhooks never arrived (WooCommerce never retries a failed delivery). Uses
/// the `write_back` credentials, whether or not write-back is on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BackfillSettings {
    /// Off switch (default off).
    pub enabled: bool,
    /// How often the list is read.
    #[serde(with = "humantime_serde")]
    pub interval: Duration,
    /// How far back each read goes (orders changed in this window).
    #[serde(with = "humantime_serde")]
    pub window: Duration,
}

impl Default for BackfillSettings {
    fn default() -> Self {
        BackfillSettings {
            enabled: false,
            interval: Duration::from_secs(10 * 60),
            window: Duration::from_secs(2 * 24 * 3600),
        }
    }
}

/// `[shops.shaq]`: per-shop overrides of `[shaq]`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ShopShaq {
    /// Another partner account's login identifier (with `secret`).
    pub identifier: Option<String>,
    /// That account's login secret.
    #[serde(serialize_with = "redact_option")]
    pub secret: Option<SecretString>,
    /// The secret ShaQ sends with that account's webhooks, if not `[shaq].webhook_secret`.
    #[serde(serialize_with = "redact_option")]
    pub webhook_secret: Option<SecretString>,
    /// The pickup country.
    pub source_country_iso2: Option<String>,
    /// The pickup address.
    pub source_address_line_1: Option<String>,
    /// Its second line.
    pub source_address_line_2: Option<String>,
    /// Package type, handling and units.
    pub defaults: Option<PackageDefaults>,
}

/// `[shops.digishare]`: per-shop overrides of `[digishare]`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ShopDigishare {
    /// The ticket type of this shop's orders.
    pub type_ticket_id: Option<String>,
    /// Status ids laid over `[digishare.statuses]` (a brand's own statuses and templates).
    pub statuses: TicketStatuses,
    /// The ticket subject; `{order_ref}` is replaced.
    pub subject_template: Option<String>,
}

fn default_time_zone() -> String {
    "Africa/Accra".to_owned()
}

/// What every shop's policy shares, from the global settings.
#[derive(Debug, Clone, Copy)]
pub struct SharedRules<'a> {
    /// `[workflow].confirmation_timeout` (`None`: wait forever).
    pub confirmation_timeout: Option<Duration>,
    /// `[shaq].service_countries`.
    pub service_countries: &'a [CountryCode],
    /// `[shaq.region_aliases]`.
    pub region_aliases: &'a BTreeMap<String, String>,
    /// `[digishare.statuses]`.
    pub statuses: &'a TicketStatuses,
}

fn yes() -> bool {
    true
}

/// How a generic shop signs its webhooks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GenericSignature {
    /// The header carrying the signature.
    pub header: String,
    /// `hex` or `base64`.
    pub encoding: SignatureEncoding,
    /// A prefix before the signature (`sha256=`).
    pub prefix: Option<String>,
}

impl Default for GenericSignature {
    fn default() -> Self {
        GenericSignature {
            header: "X-Signature".to_owned(),
            encoding: SignatureEncoding::Hex,
            prefix: None,
        }
    }
}

/// `[shops.write_back]`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WriteBackSettings {
    /// Off switch (default off: the bridge writes nothing to the shop until you turn it on).
    pub enabled: bool,
    /// Only these milestones are written (default: all).
    pub milestones: Option<Vec<ShopMilestone>>,
    /// Shopify: `https://your-shop.myshopify.com`.
    pub admin_url: Option<String>,
    /// Shopify Admin API access token of an app created in the shop's admin before 2026
    /// (`shpat_…`), WooCommerce consumer secret, YouCan token, or the generic callback's signing
    /// secret.
    #[serde(serialize_with = "redact_option")]
    pub token: Option<SecretString>,
    /// Shopify Dev Dashboard app: its client id (with `client_secret`, instead of `token`).
    pub client_id: Option<String>,
    /// Shopify Dev Dashboard app: its client secret, exchanged for a day-long token.
    #[serde(serialize_with = "redact_option")]
    pub client_secret: Option<SecretString>,
    /// WooCommerce consumer key.
    pub consumer_key: Option<String>,
    /// Shopify Admin API version.
    pub api_version: Option<String>,
    /// Generic: where the bridge posts milestones.
    pub callback_url: Option<String>,
    /// Shopify: the tags written for milestones Shopify has no event for.
    pub tags: shop_client::Tags,
    /// YouCan: the order status a confirmed order gets (`PUT /orders/{id}/status`). Unset:
    /// `processed`, YouCan's own confirmation status; `""`: none is written.
    pub confirmed_status: Option<String>,
}

impl WriteBackSettings {
    /// YouCan's status for a confirmed order, if one is written.
    pub fn youcan_confirmed_status(&self) -> Option<String> {
        match self.confirmed_status.as_deref() {
            None => Some("processed".to_owned()),
            Some("") => None,
            Some(status) => Some(status.to_owned()),
        }
    }
}

impl ShopSettings {
    /// Every problem, each naming its key (`shops[0].id`…).
    pub fn validate(&self, index: usize, problems: &mut Vec<String>) {
        let at = format!("shops[{index}]");
        let id = self.id.as_str();
        let id_ok = !id.is_empty()
            && id.len() <= 40
            && id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if !id_ok {
            problems.push(format!(
                "{at}.id must be 1-40 characters of a-z, 0-9, - or _"
            ));
        }
        // A Dev Dashboard app signs its webhooks with its client secret: nothing else is needed.
        let signed_by_app =
            self.platform == Platform::Shopify && self.write_back.client_secret.is_some();
        if (self.webhook_secrets.is_empty() && !signed_by_app)
            || self
                .webhook_secrets
                .iter()
                .any(|s| s.expose_secret().trim().is_empty())
        {
            problems.push(format!("{at}.webhook_secrets is empty"));
        }
        for secret in &self.webhook_secrets {
            if !secret.expose_secret().trim().is_empty() {
                check_secret(&format!("{at}.webhook_secrets"), secret, 16, problems);
            }
        }
        if let Some(token) = &self.write_back.token {
            check_secret(&format!("{at}.write_back.token"), token, 1, problems);
        }
        if let Some(secret) = &self.write_back.client_secret {
            check_secret(
                &format!("{at}.write_back.client_secret"),
                secret,
                1,
                problems,
            );
        }
        self.check_shopify_access(&at, problems);
        if let Some(secret) = &self.shaq.secret {
            check_secret(&format!("{at}.shaq.secret"), secret, 1, problems);
        }
        if self.webhook_secrets.len() > 2 {
            problems.push(format!(
                "{at}.webhook_secrets holds at most two secrets (old and new, during a rotation)"
            ));
        }
        if let Some(country) = &self.default_country
            && !(country.len() == 2 && country.chars().all(|c| c.is_ascii_uppercase()))
        {
            problems.push(format!(
                "{at}.default_country must be two uppercase letters"
            ));
        }
        self.handover.validate(&format!("{at}.handover"), problems);
        if self.time_zone.parse::<chrono_tz::Tz>().is_err() {
            problems.push(format!(
                "{at}.time_zone `{}` is not an IANA time zone (e.g. Africa/Accra)",
                self.time_zone
            ));
        }
        let shaq = &self.shaq;
        if shaq.identifier.is_some() != shaq.secret.is_some() {
            problems.push(format!(
                "{at}.shaq.identifier and {at}.shaq.secret go together (another ShaQ account)"
            ));
        }
        if let Some(secret) = &shaq.webhook_secret {
            check_secret(&format!("{at}.shaq.webhook_secret"), secret, 16, problems);
        }
        if let Some(country) = &shaq.source_country_iso2
            && CountryCode::parse(country).is_none()
        {
            problems.push(format!("{at}.shaq.source_country_iso2 must be two letters"));
        }
        if let Some(region) = &self.default_region
            && region.trim().is_empty()
        {
            problems.push(format!(
                "{at}.default_region is empty (leave it out instead)"
            ));
        }
        if self.backfill.enabled {
            if self.platform == Platform::Generic {
                problems.push(format!(
                    "{at}.backfill: a generic shop has no order list the bridge can read"
                ));
            } else if !self.has_admin_credentials() {
                problems.push(format!(
                    "{at}.backfill needs the shop's API credentials in {at}.write_back (see docs/configuration.md)"
                ));
            }
            if self.backfill.interval < Duration::from_secs(10) {
                problems.push(format!("{at}.backfill.interval must be at least 10s"));
            }
        }
        if self.write_back.enabled {
            let wb = &self.write_back;
            let missing = match self.platform {
                Platform::Shopify => wb.admin_url.is_none() || self.shopify_access().is_none(),
                Platform::Woocommerce => {
                    wb.admin_url.is_none() || wb.token.is_none() || wb.consumer_key.is_none()
                }
                Platform::Youcan => wb.token.is_none(),
                Platform::Generic => wb.callback_url.is_none() || wb.token.is_none(),
            };
            if missing {
                problems.push(format!(
                    "{at}.write_back is enabled but its credentials are incomplete (see docs/configuration.md)"
                ));
            }
        }
    }

    /// The shop's time zone (checked at start-up; Accra's if it were not).
    pub fn zone(&self) -> chrono_tz::Tz {
        self.time_zone.parse().unwrap_or(chrono_tz::Africa::Accra)
    }

    /// The language of an order of this shop (see [`LanguageChoice::pick`]).
    pub fn language_of<'t>(
        &self,
        locale: Option<&str>,
        texts: impl IntoIterator<Item = &'t str>,
        country: Option<&str>,
    ) -> Language {
        self.language
            .pick(locale, texts, self.default_language, country)
    }

    /// The rules the workflow applies to this shop's orders.
    pub fn policy(&self, shared: &SharedRules<'_>) -> ShopPolicy {
        let write_back = self.write_back.enabled.then(|| {
            self.write_back
                .milestones
                .clone()
                .unwrap_or_else(|| ShopMilestone::ALL.to_vec())
        });
        ShopPolicy {
            invoice_wait: self.invoice.is_on().then_some(self.invoice.wait),
            flow: self.flow,
            prepaid_skips_confirmation: self.prepaid_skips_confirmation,
            confirmation: ConfirmationPolicy {
                reminders: self.confirmation.reminders(),
                confirm_within: self
                    .confirmation
                    .confirm_within
                    .or(shared.confirmation_timeout),
                on_no_answer: self.confirmation.on_no_answer,
                // Checked by `validate`: the bridge does not start with a bad value.
                quiet_hours: self
                    .confirmation
                    .quiet_hours
                    .as_deref()
                    .and_then(|quiet| quiet.parse().ok()),
                time_zone: self.time_zone.parse().unwrap_or(chrono_tz::Africa::Accra),
            },
            service_countries: shared.service_countries.to_vec(),
            write_back,
            regions: RegionRules::new(shared.region_aliases, self.default_region.clone()),
            statuses: {
                let mut statuses = shared.statuses.clone();
                statuses.0.extend(self.digishare.statuses.0.clone());
                statuses
            },
        }
    }

    /// The keys a webhook of this shop may be signed with: `webhook_secrets`, and a Shopify
    /// Dev Dashboard app's client secret (Shopify signs an app's webhooks with it).
    pub fn signing_secrets(&self) -> impl Iterator<Item = &SecretString> {
        let app = (self.platform == Platform::Shopify)
            .then_some(self.write_back.client_secret.as_ref())
            .flatten();
        self.webhook_secrets.iter().chain(app)
    }

    /// Shopify: a lasting token, or a Dev Dashboard app's client id and secret (never both, see
    /// [`Self::check_shopify_access`]).
    fn shopify_access(&self) -> Option<ShopifyAccess> {
        let wb = &self.write_back;
        match (&wb.token, &wb.client_id, &wb.client_secret) {
            (Some(token), _, _) => Some(ShopifyAccess::Token(token.clone())),
            (None, Some(client_id), Some(client_secret)) => {
                Some(ShopifyAccess::ClientCredentials {
                    client_id: client_id.clone(),
                    client_secret: client_secret.clone(),
                })
            }
            _ => None,
        }
    }

    fn check_shopify_access(&self, at: &str, problems: &mut Vec<String>) {
        let wb = &self.write_back;
        let has_client = wb.client_id.is_some() || wb.client_secret.is_some();
        if !has_client {
            return;
        }
        if self.platform != Platform::Shopify {
            problems.push(format!(
                "{at}.write_back.client_id and client_secret are for Shopify Dev Dashboard apps; a {} shop uses write_back.token",
                self.platform.as_str()
            ));
        } else if wb.token.is_some() {
            problems.push(format!(
                "{at}.write_back: give either token (an app created in the shop's admin) or client_id with client_secret (a Dev Dashboard app), not both"
            ));
        } else if wb.client_id.is_none() || wb.client_secret.is_none() {
            problems.push(format!(
                "{at}.write_back: a Dev Dashboard app needs both client_id and client_secret"
            ));
        }
    }

    fn has_admin_credentials(&self) -> bool {
        let wb = &self.write_back;
        match self.platform {
            Platform::Shopify => wb.admin_url.is_some() && self.shopify_access().is_some(),
            Platform::Woocommerce => {
                wb.admin_url.is_some() && wb.token.is_some() && wb.consumer_key.is_some()
            }
            Platform::Youcan => wb.token.is_some(),
            Platform::Generic => wb.callback_url.is_some() && wb.token.is_some(),
        }
    }

    /// The shop's admin API, when write-back is on and its credentials are complete.
    pub fn client(&self, timeouts: &shop_client::Timeouts) -> Result<Option<ShopClient>, String> {
        if !self.write_back.enabled {
            return Ok(None);
        }
        self.admin_client(timeouts)
    }

    /// The shop's admin API whenever its credentials are complete (write-back on or not).
    pub fn admin_client(
        &self,
        timeouts: &shop_client::Timeouts,
    ) -> Result<Option<ShopClient>, String> {
        let wb = &self.write_back;
        if self.platform == Platform::Shopify {
            let (Some(url), Some(access)) = (&wb.admin_url, self.shopify_access()) else {
                return Ok(None);
            };
            return ShopClient::shopify(
                url,
                access,
                wb.api_version.as_deref(),
                wb.tags.clone(),
                timeouts,
            )
            .map(Some)
            .map_err(|e| e.to_string());
        }
        let Some(token) = wb.token.clone() else {
            return Ok(None);
        };
        let client = match (
            self.platform,
            &wb.admin_url,
            &wb.consumer_key,
            &wb.callback_url,
        ) {
            (Platform::Woocommerce, Some(url), Some(key), _) => {
                ShopClient::woocommerce(url, key.clone(), token, timeouts)
            }
            (Platform::Youcan, url, _, _) => ShopClient::youcan(
                url.as_deref(),
                token,
                wb.youcan_confirmed_status(),
                timeouts,
            ),
            (Platform::Generic, _, _, Some(url)) => ShopClient::callback(url, token, timeouts),
            _ => return Ok(None),
        };
        client.map(Some).map_err(|e| e.to_string())
    }
}
