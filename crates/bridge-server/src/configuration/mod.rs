//! Settings: `config/default.toml` (built in), then the merchant's TOML file, then environment
//! variables `SHAQ_BRIDGE__SECTION__KEY` (last wins), deserialised into typed structs and
//! validated before anything starts.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

pub use bridge_core::maintenance::RetentionSettings;
use bridge_core::settings::{DigishareSettings, MappingSettings, ShaqSettings};
pub use bridge_core::settings::{redact, redact_all, redact_option};
use bridge_core::shop::{SharedRules, ShopSettings};
use bridge_core::store::DatabaseSettings;
use bridge_core::worker::WorkerSettings;
use bridge_core::workflow::{Rules, TicketKey};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

mod plausible;
mod secret_sources;

/// The defaults, compiled in so the binary runs from any folder.
pub const DEFAULT_TOML: &str = include_str!("../../../../config/default.toml");

/// The environment prefix: `SHAQ_BRIDGE__SERVER__LISTEN=0.0.0.0:8080`.
pub const ENV_PREFIX: &str = "SHAQ_BRIDGE";

/// Every setting of the bridge.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// `[server]`: the HTTP listener and admin access.
    pub server: ServerSettings,
    /// `[log]`: format and level.
    pub log: LogSettings,
    /// `[database]`: SQLite or PostgreSQL.
    pub database: DatabaseSettings,
    /// `[workers]`: job concurrency, leases and retries.
    pub workers: WorkerSettings,
    /// `[retention]`: how long raw webhook bodies are kept.
    pub retention: RetentionSettings,
    /// `[workflow]`: rules shared by every shop.
    pub workflow: WorkflowSettings,
    /// `[shaq]`: the courier.
    pub shaq: ShaqSettings,
    /// `[digishare]`: tickets and WhatsApp.
    pub digishare: DigishareSettings,
    /// `[mapping]`: what each courier status does.
    #[serde(default)]
    pub mapping: MappingSettings,
    /// `[[shops]]`: one entry per shop.
    #[serde(default)]
    pub shops: Vec<ShopSettings>,
    /// `[console]`: the web console's operators and links.
    #[serde(default)]
    pub console: ConsoleSettings,
    /// `[alerts]`: when a shop counts as silent, and where to post notices.
    #[serde(default)]
    pub alerts: AlertSettings,
}

/// `[console]`. The console is on when someone can sign in: an operator below, or the admin
/// token (as `admin`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsoleSettings {
    /// People who sign in with a name and a password, stored as an argon2 hash
    /// (`shaq-bridge hash-password` makes one).
    #[serde(default)]
    pub operators: Vec<OperatorAccount>,
    /// Whether `server.admin_token` also signs in (as `admin`).
    #[serde(default = "yes")]
    pub admin_token_signs_in: bool,
    /// How long a sign-in lasts.
    #[serde(default = "default_session_ttl", with = "humantime_serde")]
    pub session_ttl: Duration,
    /// A link to a package at ShaQ, `{tracking_number}` replaced (none: the number alone).
    #[serde(default)]
    pub shaq_package_url: Option<String>,
    /// A link to a ticket at Digishare, `{ticket_id}` replaced.
    #[serde(default)]
    pub digishare_ticket_url: Option<String>,
}

impl Default for ConsoleSettings {
    fn default() -> Self {
        ConsoleSettings {
            operators: Vec::new(),
            admin_token_signs_in: true,
            session_ttl: default_session_ttl(),
            shaq_package_url: None,
            digishare_ticket_url: None,
        }
    }
}

fn yes() -> bool {
    true
}

fn default_session_ttl() -> Duration {
    Duration::from_secs(12 * 3600)
}

/// `[[console.operators]]`: one person.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperatorAccount {
    /// The name shown on timelines (`ama`).
    pub name: String,
    /// `$argon2id$v=19$…`, from `shaq-bridge hash-password`.
    #[serde(serialize_with = "redact")]
    pub password_hash: SecretString,
    /// What they may do: `viewer`, `operator` (the default) or `admin`.
    #[serde(default)]
    pub role: Role,
    /// The console's language for them: `ar`, `fr` or `en` (unset: their browser's).
    #[serde(default)]
    pub language: Option<String>,
}

/// What a person or a token may do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Look: every page and every `GET`, no action.
    Viewer,
    /// Look and act on orders and jobs: correct, resume, replay, cancel, returns, retry a
    /// job, hand over.
    #[default]
    Operator,
    /// Everything, retrying every dead job at once included.
    Admin,
}

impl Role {
    /// Its name in the settings.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Admin => "admin",
        }
    }
}

/// `[[server.api_tokens]]`: a named credential for the admin API. What it does is recorded
/// under its name.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiToken {
    /// The name on the timeline (`ops-script`, `ama`).
    pub name: String,
    /// The bearer token (at least 16 characters; a secret: from the environment or a file).
    #[serde(serialize_with = "redact")]
    pub token: SecretString,
    /// What it may do (default `operator`).
    #[serde(default)]
    pub role: Role,
}

/// `[alerts]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertSettings {
    /// A shop that sent no webhook for this long is flagged on the Health page.
    #[serde(default = "default_silent_after", with = "humantime_serde")]
    pub silent_shop_after: Duration,
    /// Posts a short JSON message (`{"text": …}`, as Slack and Teams incoming webhooks take)
    /// when an order starts needing a person or a job dies; once per order per reason.
    #[serde(default, serialize_with = "redact_option")]
    pub notify_url: Option<SecretString>,
}

impl Default for AlertSettings {
    fn default() -> Self {
        AlertSettings {
            silent_shop_after: default_silent_after(),
            notify_url: None,
        }
    }
}

fn default_silent_after() -> Duration {
    Duration::from_secs(24 * 3600)
}

/// `[workflow]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkflowSettings {
    /// An order not confirmed by the customer within this time needs a person ("0s": wait
    /// forever).
    #[serde(with = "humantime_serde")]
    pub confirmation_timeout: Duration,
}

/// `[server]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    /// Address to listen on (`127.0.0.1:8080`; `0.0.0.0:8080` behind a proxy).
    pub listen: SocketAddr,
    /// The public HTTPS address shops and couriers post to: the webhook addresses `connect`
    /// registers and `check-config --online` checks, links in notices, the startup line.
    #[serde(default)]
    pub public_url: Option<String>,
    /// Bearer token for `/api/*`, acting as `admin` with the role `admin`. Without it (and
    /// without `api_tokens`), the admin API answers 503.
    #[serde(default, serialize_with = "redact_option")]
    pub admin_token: Option<SecretString>,
    /// Named tokens for the admin API, each with its role.
    #[serde(default)]
    pub api_tokens: Vec<ApiToken>,
    /// When set, `/metrics` answers only a scraper presenting it as a bearer token.
    #[serde(default, serialize_with = "redact_option")]
    pub metrics_token: Option<SecretString>,
    /// Largest request body accepted, in bytes (413 beyond).
    pub body_limit_bytes: usize,
    /// A request that takes longer is answered 408.
    #[serde(with = "humantime_serde")]
    pub request_timeout: Duration,
    /// Per-source limits on `/webhooks/*`.
    pub webhook_rate_limit: RateLimitSettings,
    /// Most connections open at once; past it a new connection is closed at once.
    pub max_connections: usize,
    /// A client that has not sent its request headers in this time is disconnected.
    #[serde(with = "humantime_serde")]
    pub header_read_timeout: Duration,
    /// Most connections one client address may hold; `0`: no limit. Unset: 256 (half the
    /// default `max_connections`), or no limit behind a trusted proxy (every connection then
    /// comes from the proxy).
    #[serde(default)]
    pub max_connections_per_address: Option<usize>,
    /// Networks whose addresses the per-address limit never counts (`["203.0.113.0/24"]`):
    /// the courier's and the ticketing platform's senders, whose bursts after an outage come
    /// from a few addresses with many connections each.
    #[serde(default)]
    pub uncapped_networks: Vec<ipnet::IpNet>,
    /// `/readyz` answers 503 when its probe write does not commit within this time.
    #[serde(default = "default_readyz_write_timeout", with = "humantime_serde")]
    pub readyz_write_timeout: Duration,
    /// A connection that sends nothing for this long is closed (before its first request too).
    /// Unset: the request timeout plus the header-read timeout.
    #[serde(default, with = "humantime_serde")]
    pub idle_timeout: Option<Duration>,
}

fn default_readyz_write_timeout() -> Duration {
    Duration::from_secs(5)
}

impl ServerSettings {
    /// The per-address connection limit in force (see `max_connections_per_address`).
    pub fn connections_per_address(&self) -> Option<usize> {
        match self.max_connections_per_address {
            Some(0) => None,
            Some(limit) => Some(limit),
            None if self.webhook_rate_limit.trusted_proxy_header.is_some() => None,
            None => Some(256),
        }
    }

    /// The idle timeout in force (see `idle_timeout`).
    pub fn idle(&self) -> Duration {
        self.idle_timeout
            .unwrap_or(self.request_timeout + self.header_read_timeout)
    }
}

/// `[log]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    /// `pretty` for a terminal, `json` for log collectors.
    pub format: LogFormat,
    /// A `tracing` filter (`info`, `shaq_bridge=debug,info`); `RUST_LOG` wins when set.
    pub level: String,
}

/// How log lines look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable.
    Pretty,
    /// One JSON object per line.
    Json,
}

/// `[server.webhook_rate_limit]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitSettings {
    /// Off switch.
    pub enabled: bool,
    /// Sustained authenticated requests per second per source.
    pub per_second: u32,
    /// Requests a source may send at once above the sustained rate.
    pub burst: u32,
    /// Refused requests (bad signature, unknown shop, malformed) an address may make per minute
    /// before all its requests are refused for a while.
    #[serde(default = "default_refusals")]
    pub refusals_per_minute: u32,
    /// Behind a reverse proxy: the header the proxy writes the client's address into
    /// (`X-Forwarded-For`, `X-Real-IP`). Only the address the proxy appended counts (the
    /// rightmost); a missing or unreadable one counts as the connection's. Unset: the
    /// connection's address (see `client_address.rs`).
    #[serde(default)]
    pub trusted_proxy_header: Option<String>,
}

fn default_refusals() -> u32 {
    30
}

impl RateLimitSettings {
    /// Checks the values, naming the key that is wrong.
    pub fn validate(&self) -> Result<(), String> {
        if self.enabled
            && (self.per_second == 0 || self.burst == 0 || self.refusals_per_minute == 0)
        {
            return Err(
                "server.webhook_rate_limit.per_second, burst and refusals_per_minute must be at least 1"
                    .to_owned(),
            );
        }
        Ok(())
    }
}

fn defaults() -> config::ConfigBuilder<config::builder::DefaultState> {
    config::Config::builder().add_source(config::File::from_str(
        DEFAULT_TOML,
        config::FileFormat::Toml,
    ))
}

/// Lays the environment over `builder`, then the shops' variables and the `*_file` secrets
/// ([`secret_sources`]), deserializes and validates.
fn finish(
    builder: config::ConfigBuilder<config::builder::DefaultState>,
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<Settings, ConfigError> {
    let (settings, placeholders) = finish_with_placeholders(builder, env)?;
    if placeholders.is_empty() {
        Ok(settings)
    } else {
        Err(ConfigError::Invalid(placeholders))
    }
}

/// As [`finish`], with the placeholders left (`fill-me-in`, `change-me`, example hosts)
/// returned apart instead of refused: every other problem is still an error, and placeholders
/// are listed with them.
fn finish_with_placeholders(
    builder: config::ConfigBuilder<config::builder::DefaultState>,
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<(Settings, Vec<String>), ConfigError> {
    type Variables = Vec<(String, String)>;
    let (shop_env, env): (Variables, Variables) = env
        .into_iter()
        .filter(|(key, _)| key.starts_with(ENV_PREFIX))
        .partition(|(key, _)| key.starts_with(secret_sources::SHOP_ENV_PREFIX));
    let merged = builder
        .add_source(
            config::Environment::with_prefix(ENV_PREFIX)
                .prefix_separator("__")
                .separator("__")
                .try_parsing(true)
                .source(Some(env.into_iter().collect())),
        )
        .build()?;
    let mut tree: serde_json::Value = merged.try_deserialize()?;
    let mut problems = secret_sources::apply_shop_env(&mut tree, &shop_env);
    problems.extend(secret_sources::read_secret_files(&mut tree));
    if !problems.is_empty() {
        return Err(ConfigError::Invalid(problems));
    }
    // Placeholders are named with every other problem, so one `check-config` lists them all.
    let placeholders = plausible::placeholders(&tree);
    let settings: Settings = config::Config::builder()
        .add_source(config::File::from_str(
            &tree.to_string(),
            config::FileFormat::Json,
        ))
        .build()?
        .try_deserialize()?;
    match settings.validate() {
        Ok(()) => Ok((settings, placeholders)),
        Err(ConfigError::Invalid(mut problems)) => {
            problems.extend(placeholders);
            Err(ConfigError::Invalid(problems))
        }
        Err(other) => Err(other),
    }
}

/// Says why the settings file cannot be opened in words an operator acts on: the `config` crate
/// reports any failure to open as "not found", hiding a permission problem (a service user that
/// cannot read root's file).
fn readable(path: &Path) -> Result<(), ConfigError> {
    match std::fs::File::open(path) {
        Ok(file) if file.metadata().is_ok_and(|m| m.is_dir()) => Err(ConfigError::Load(format!(
            "{}: is a directory, not a settings file",
            path.display()
        ))),
        Ok(_) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::PermissionDenied => {
            Err(ConfigError::Load(format!(
                "{}: permission denied: the bridge runs as a user that cannot read it (under \
                 systemd, hand it over with LoadCredential=, see deploy/systemd/shaq-bridge.service)",
                path.display()
            )))
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            Err(ConfigError::Load(format!("{}: not found", path.display())))
        }
        Err(error) => Err(ConfigError::Load(format!("{}: {error}", path.display()))),
    }
}

/// A configuration problem, naming the key.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The files or environment could not be read or parsed.
    #[error("cannot load configuration: {0}")]
    Load(String),
    /// No settings file was given and the defaults alone cannot run the bridge.
    #[error(
        "no settings file given ({0}): copy config/example.toml, fill it in, and pass \
         --config bridge.toml (or set SHAQ_BRIDGE_CONFIG); `shaq-bridge demo` runs without one"
    )]
    NoFile(String),
    /// Values that parse but cannot work.
    #[error("invalid configuration:\n  - {}", .0.join("\n  - "))]
    Invalid(Vec<String>),
}

impl Settings {
    /// Loads the defaults, then `path` (if given), then the environment, and validates.
    pub fn load(path: Option<&Path>) -> Result<Settings, ConfigError> {
        Self::load_with_env(path, std::env::vars()).map_err(|error| match (path, error) {
            (None, ConfigError::Load(error)) => ConfigError::NoFile(error),
            (_, error) => error,
        })
    }

    /// As [`Settings::load`], with the environment given explicitly (for tests).
    pub fn load_with_env(
        path: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Settings, ConfigError> {
        let mut builder = defaults();
        if let Some(path) = path {
            readable(path)?;
            builder = builder.add_source(
                config::File::from(path)
                    .format(config::FileFormat::Toml)
                    .required(true),
            );
        }
        finish(builder, env)
    }

    /// The defaults, then the settings file's text (no environment): for tests and the demo.
    pub fn from_toml(text: &str) -> Result<Settings, ConfigError> {
        finish(
            defaults().add_source(config::File::from_str(text, config::FileFormat::Toml)),
            Vec::new(),
        )
    }

    /// Settings from TOML that may still hold placeholders (what `shaq-bridge setup` writes):
    /// every other problem is refused; the placeholders are returned, each naming its key.
    pub fn from_toml_with_placeholders(text: &str) -> Result<(Settings, Vec<String>), ConfigError> {
        finish_with_placeholders(
            defaults().add_source(config::File::from_str(text, config::FileFormat::Toml)),
            Vec::new(),
        )
    }

    /// Every problem at once, each naming its key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let mut problems = Vec::new();
        if let Err(problem) = self.database.validate() {
            problems.push(problem);
        }
        if let Err(problem) = self.workers.validate() {
            problems.push(problem);
        }
        if let Err(problem) = self.server.webhook_rate_limit.validate() {
            problems.push(problem);
        }
        self.shaq.validate(&mut problems);
        if let Err(problem) = self.shaq.client() {
            problems.push(problem);
        }
        for (index, shop) in self.shops.iter().enumerate() {
            shop.validate(index, &mut problems);
            let at = format!("shops[{index}].confirmation");
            shop.confirmation.validate(
                &at,
                Some(self.workflow.confirmation_timeout),
                &mut problems,
            );
            // Each reminder moves the ticket to `reminder_N`: that status must exist.
            for key in shop.confirmation.reminder_keys() {
                if self.digishare.statuses.id(&key).is_none()
                    && shop.digishare.statuses.id(&key).is_none()
                {
                    problems.push(format!(
                        "{at}.reminders: no ticket status `{key}` in [digishare.statuses] (or the \
                         shop's): map it to the status whose automation sends that reminder"
                    ));
                }
            }
            if self.shops[..index].iter().any(|other| other.id == shop.id) {
                problems.push(format!("shops[{index}].id `{}` is used twice", shop.id));
            }
        }
        self.digishare
            .validate(self.required_ticket_keys().iter(), &mut problems);
        let mapping = self.mapping.courier_mapping();
        plausible::ticket_statuses(
            "digishare.statuses",
            &self.digishare.statuses,
            mapping.ticket_keys(),
            &mut problems,
        );
        for (index, shop) in self.shops.iter().enumerate() {
            plausible::ticket_statuses(
                &format!("shops[{index}].digishare.statuses"),
                &shop.digishare.statuses,
                mapping.ticket_keys(),
                &mut problems,
            );
        }
        for (index, shop) in self.shops.iter().enumerate() {
            if ShaqSettings::has_own_account(&shop.shaq)
                && let Err(problem) = self.shaq.for_shop(&shop.shaq).client()
            {
                problems.push(format!("shops[{index}].shaq: {problem}"));
            }
        }
        if self.server.body_limit_bytes < 1024 {
            problems.push("server.body_limit_bytes must be at least 1024".to_owned());
        }
        if let Some(token) = &self.server.metrics_token {
            bridge_core::settings::check_secret("server.metrics_token", token, 16, &mut problems);
        }
        if self.server.max_connections == 0 {
            problems.push("server.max_connections must be at least 1".to_owned());
        }
        if self.server.header_read_timeout < Duration::from_millis(100) {
            problems.push("server.header_read_timeout must be at least 100ms".to_owned());
        }
        if self.server.idle() <= self.server.request_timeout {
            problems.push(
                "server.idle_timeout must be longer than server.request_timeout (a request in \
                 progress must not count as idle)"
                    .to_owned(),
            );
        }
        if self.server.request_timeout < Duration::from_secs(1) {
            problems.push("server.request_timeout must be at least 1s".to_owned());
        }
        if let Some(token) = &self.server.admin_token
            && token.expose_secret().len() < 16
        {
            problems.push("server.admin_token must be at least 16 characters".to_owned());
        }
        self.validate_console(&mut problems);
        if let Some(url) = &self.alerts.notify_url
            && !url::Url::parse(url.expose_secret())
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
        {
            problems.push("alerts.notify_url must be an http(s) URL".to_owned());
        }
        if tracing_subscriber::EnvFilter::try_new(&self.log.level).is_err() {
            problems.push(format!(
                "log.level `{}` is not a valid filter",
                self.log.level
            ));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ConfigError::Invalid(problems))
        }
    }

    /// The ticket status keys the flows cannot do without.
    fn required_ticket_keys(&self) -> [TicketKey; 4] {
        [
            TicketKey::AWAITING_CONFIRMATION,
            TicketKey::RECEIVED,
            TicketKey::CONFIRMED,
            TicketKey::CANCELLED,
        ]
    }

    fn validate_console(&self, problems: &mut Vec<String>) {
        use argon2::password_hash::phc::PasswordHash;
        for (index, operator) in self.console.operators.iter().enumerate() {
            let name = operator.name.trim();
            let usable = !name.is_empty()
                && name.len() <= 64
                && name
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | '@' | ' '));
            if !usable || name != operator.name {
                problems.push(format!(
                    "console.operators[{index}].name must be 1 to 64 letters, digits or .-_@"
                ));
            }
            if name == "admin" {
                problems.push(format!(
                    "console.operators[{index}].name `admin` is the admin token's"
                ));
            }
            if let Some(language) = &operator.language
                && catalogue::Locale::parse(language).is_none()
            {
                problems.push(format!(
                    "console.operators[{index}].language must be ar, fr or en"
                ));
            }
            if self.console.operators[..index]
                .iter()
                .any(|other| other.name == operator.name)
            {
                problems.push(format!(
                    "console.operators[{index}].name `{}` is used twice",
                    operator.name
                ));
            }
            if PasswordHash::new(operator.password_hash.expose_secret()).is_err() {
                problems.push(format!(
                    "console.operators[{index}].password_hash is not an argon2 hash: make one \
                     with `shaq-bridge hash-password`"
                ));
            }
        }
        if self.console.session_ttl < Duration::from_secs(60) {
            problems.push("console.session_ttl must be at least 1m".to_owned());
        }
        for (index, token) in self.server.api_tokens.iter().enumerate() {
            let name = token.name.trim();
            if name.is_empty()
                || name.len() > 64
                || name != token.name
                || !name
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'))
            {
                problems.push(format!(
                    "server.api_tokens[{index}].name must be 1 to 64 letters, digits or .-_@"
                ));
            }
            if name == "admin" {
                problems.push(format!(
                    "server.api_tokens[{index}].name `admin` is the admin token's"
                ));
            }
            if self.server.api_tokens[..index]
                .iter()
                .any(|other| other.name == token.name)
            {
                problems.push(format!(
                    "server.api_tokens[{index}].name `{}` is used twice",
                    token.name
                ));
            }
            bridge_core::settings::check_secret(
                &format!("server.api_tokens[{index}].token"),
                &token.token,
                16,
                problems,
            );
            let clashes = self
                .server
                .admin_token
                .as_ref()
                .is_some_and(|admin| admin.expose_secret() == token.token.expose_secret())
                || self.server.api_tokens[..index]
                    .iter()
                    .any(|other| other.token.expose_secret() == token.token.expose_secret());
            if clashes {
                problems.push(format!(
                    "server.api_tokens[{index}].token is another token's: each must be its own"
                ));
            }
        }
        for (key, template, placeholder) in [
            (
                "console.shaq_package_url",
                &self.console.shaq_package_url,
                "{tracking_number}",
            ),
            (
                "console.digishare_ticket_url",
                &self.console.digishare_ticket_url,
                "{ticket_id}",
            ),
        ] {
            if let Some(template) = template
                && (!template.contains(placeholder)
                    || !url::Url::parse(&template.replace(placeholder, "x"))
                        .is_ok_and(|u| matches!(u.scheme(), "http" | "https")))
            {
                problems.push(format!(
                    "{key} must be an http(s) URL containing {placeholder}"
                ));
            }
        }
    }

    /// Whether anyone can sign in to the console.
    pub fn console_enabled(&self) -> bool {
        !self.console.operators.is_empty()
            || (self.console.admin_token_signs_in && self.server.admin_token.is_some())
    }

    /// The rules the workflow decides with.
    pub fn rules(&self) -> Rules {
        let timeout = self.workflow.confirmation_timeout;
        let timeout = (!timeout.is_zero()).then_some(timeout);
        let countries = self.shaq.service_countries();
        let shared = SharedRules {
            confirmation_timeout: timeout,
            service_countries: &countries,
            region_aliases: &self.shaq.region_aliases,
            statuses: &self.digishare.statuses,
        };
        Rules {
            shops: self
                .shops
                .iter()
                .map(|shop| (shop.id.clone(), shop.policy(&shared)))
                .collect(),
            mapping: self.mapping.courier_mapping(),
            attach_label: self.shaq.attach_label,
        }
    }

    /// The effective settings as TOML, secrets replaced by `[redacted]`.
    pub fn to_redacted_toml(&self) -> String {
        let mut redacted = self.clone();
        redacted.database.url = self.database.redacted_url();
        toml_string(&redacted)
    }
}

fn toml_string(settings: &Settings) -> String {
    // The settings are plain data: serialising them cannot fail.
    let value = serde_json::to_value(settings).unwrap_or_default();
    let mut out = String::new();
    write_toml(&mut out, "", &value);
    out
}

/// A small TOML writer for `check-config` output: tables after plain keys, arrays of tables
/// as `[[name]]`.
fn write_toml(out: &mut String, prefix: &str, value: &serde_json::Value) {
    let serde_json::Value::Object(map) = value else {
        return;
    };
    let is_table = |v: &serde_json::Value| v.is_object();
    let is_table_array = |v: &serde_json::Value| {
        v.as_array()
            .is_some_and(|a| !a.is_empty() && a.iter().all(serde_json::Value::is_object))
    };
    for (key, v) in map {
        if v.is_null() || is_table(v) || is_table_array(v) {
            continue;
        }
        out.push_str(&format!("{key} = {v}\n"));
    }
    for (key, v) in map {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        if is_table(v) {
            out.push_str(&format!("\n[{path}]\n"));
            write_toml(out, &path, v);
        } else if let Some(items) = v.as_array().filter(|_| is_table_array(v)) {
            for item in items {
                out.push_str(&format!("\n[[{path}]]\n"));
                write_toml(out, &path, item);
            }
        }
    }
}

impl From<config::ConfigError> for ConfigError {
    fn from(error: config::ConfigError) -> Self {
        // Kept as text: the error's own source repeats its message, which would print twice.
        ConfigError::Load(error.to_string())
    }
}

#[cfg(test)]
mod tests;
