//! Settings: `config/default.toml` (built in), then the merchant's TOML file, then environment
//! variables `SHAQ_BRIDGE__SECTION__KEY` (last wins), deserialised into typed structs and
//! validated before anything starts.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

pub use bridge_core::maintenance::RetentionSettings;
use bridge_core::settings::{DigishareSettings, MappingSettings, ShaqSettings};
use bridge_core::shop::{SharedRules, ShopSettings};
use bridge_core::store::DatabaseSettings;
use bridge_core::worker::WorkerSettings;
use bridge_core::workflow::{Rules, TicketKey};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize, Serializer};

use crate::rate_limit::RateLimitSettings;

mod secret_sources;

/// The defaults, compiled in so the binary runs from any folder.
pub const DEFAULT_TOML: &str = include_str!("../../../config/default.toml");

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
    /// The public HTTPS address shops and couriers post to (for help output and docs only).
    #[serde(default)]
    pub public_url: Option<String>,
    /// Bearer token for `/api/*`. Without one, the admin API answers 503.
    #[serde(default, serialize_with = "redact_option")]
    pub admin_token: Option<SecretString>,
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
    let settings: Settings = config::Config::builder()
        .add_source(config::File::from_str(
            &tree.to_string(),
            config::FileFormat::Json,
        ))
        .build()?
        .try_deserialize()?;
    settings.validate()?;
    Ok(settings)
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
        if self.server.max_connections == 0 {
            problems.push("server.max_connections must be at least 1".to_owned());
        }
        if self.server.header_read_timeout < Duration::from_millis(100) {
            problems.push("server.header_read_timeout must be at least 100ms".to_owned());
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

/// Serialises a secret as `[redacted]`.
pub fn redact<S: Serializer>(_: &SecretString, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str("[redacted]")
}

/// Serialises an optional secret as `[redacted]` (or nothing).
pub fn redact_option<S: Serializer>(v: &Option<SecretString>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(_) => s.serialize_str("[redacted]"),
        None => s.serialize_none(),
    }
}

/// Serialises a list of secrets as `[redacted]` each.
pub fn redact_all<S: Serializer>(v: &[SecretString], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(v.iter().map(|_| "[redacted]"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bridge_core::store::Backend;

    const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/example.toml");

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn example(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        Settings::load_with_env(Some(Path::new(EXAMPLE)), env(pairs))
    }

    #[test]
    fn the_example_file_is_valid_and_defaults_fill_the_rest() {
        let settings = example(&[]).expect("config/example.toml is valid");
        assert_eq!(settings.server.listen.port(), 8080);
        assert_eq!(settings.database.url, "sqlite://data/shaq-bridge.db");
        // Unset: it follows the database.
        assert_eq!(settings.workers.concurrency, None);
        assert_eq!(settings.workers.concurrency_on(Backend::Sqlite), 64);
        assert_eq!(settings.workers.concurrency_on(Backend::Postgres), 256);
        assert_eq!(
            (
                settings.shaq.max_in_flight,
                settings.digishare.max_in_flight
            ),
            (16, 16),
            "calls to each upstream are limited apart from the workers"
        );
        assert_eq!(
            settings.shaq.defaults.package_type,
            shaq_client::PackageType::Box
        );
        assert_eq!(
            settings.workflow.confirmation_timeout,
            Duration::from_secs(48 * 3600)
        );
    }

    #[test]
    fn an_unreasonable_in_flight_limit_is_refused_by_name() {
        let error =
            example(&[("SHAQ_BRIDGE__DIGISHARE__MAX_IN_FLIGHT", "5000")]).expect_err("over 1024");
        assert!(
            error.to_string().contains("digishare.max_in_flight"),
            "{error}"
        );
        let unlimited = example(&[("SHAQ_BRIDGE__SHAQ__MAX_IN_FLIGHT", "0")]).expect("0: none");
        assert!(unlimited.shaq.client().is_ok());
    }

    #[test]
    fn without_a_file_the_missing_sections_are_named() {
        let error = Settings::load_with_env(None, env(&[])).expect_err("shaq is required");
        assert!(error.to_string().contains("shaq"), "{error}");
    }

    #[test]
    fn environment_overrides_files() {
        let settings = example(&[
            ("SHAQ_BRIDGE__WORKERS__CONCURRENCY", "3"),
            ("SHAQ_BRIDGE__SHAQ__SECRET", "secret-from-the-environment"),
            ("OTHER__WORKERS__CONCURRENCY", "99"),
        ])
        .expect("valid");
        assert_eq!(settings.workers.concurrency, Some(3));
        assert_eq!(settings.workers.concurrency_on(Backend::Postgres), 3);
        assert_eq!(
            settings.shaq.secret.expose_secret(),
            "secret-from-the-environment"
        );
    }

    #[test]
    fn shop_secrets_come_from_the_environment_by_shop_id() {
        let settings = example(&[
            (
                "SHAQ_BRIDGE__SHOPS__KENTE__WEBHOOK_SECRETS",
                "old-key-0123456789, new-key-0123456789",
            ),
            (
                "SHAQ_BRIDGE__SHOPS__KENTE__WRITE_BACK__TOKEN",
                "shpat_from_env",
            ),
            ("SHAQ_BRIDGE__SHOPS__ATLAS__WRITE_BACK__ENABLED", "true"),
            (
                "SHAQ_BRIDGE__SHOPS__ATLAS__WRITE_BACK__ADMIN_URL",
                "https://atlas.example",
            ),
            (
                "SHAQ_BRIDGE__SHOPS__ATLAS__WRITE_BACK__CONSUMER_KEY",
                "ck_env",
            ),
            ("SHAQ_BRIDGE__SHOPS__ATLAS__WRITE_BACK__TOKEN", "cs_env"),
        ])
        .expect("valid");
        let kente = &settings.shops[0];
        let secrets: Vec<&str> = kente
            .webhook_secrets
            .iter()
            .map(|s| s.expose_secret())
            .collect();
        assert_eq!(secrets, ["old-key-0123456789", "new-key-0123456789"]);
        assert_eq!(
            kente.write_back.token.as_ref().map(|t| t.expose_secret()),
            Some("shpat_from_env")
        );
        let atlas = &settings.shops[1];
        assert!(atlas.write_back.enabled);
        assert_eq!(
            atlas.write_back.token.as_ref().map(|t| t.expose_secret()),
            Some("cs_env")
        );
    }

    #[test]
    fn a_secret_of_digits_stays_text() {
        // Atlas's file has no token: nothing says the value is text but its name.
        let settings = example(&[(
            "SHAQ_BRIDGE__SHOPS__ATLAS__WRITE_BACK__TOKEN",
            "12345678901234567",
        )])
        .expect("valid");
        assert_eq!(
            settings.shops[1]
                .write_back
                .token
                .as_ref()
                .map(|t| t.expose_secret()),
            Some("12345678901234567")
        );
    }

    #[test]
    fn a_shop_variable_for_no_shop_is_refused_by_name() {
        let error = example(&[("SHAQ_BRIDGE__SHOPS__NOPE__WEBHOOK_SECRETS", "x")])
            .expect_err("no such shop");
        let message = error.to_string();
        assert!(
            message
                .contains("SHAQ_BRIDGE__SHOPS__NOPE__WEBHOOK_SECRETS: no shop with the id `nope`"),
            "{message}"
        );
        let error = example(&[("SHAQ_BRIDGE__SHOPS__KENTE", "x")]).expect_err("no key");
        assert!(error.to_string().contains("<SHOP ID>__<KEY>"), "{error}");
    }

    #[test]
    fn secrets_come_from_files_in_the_file_or_the_environment() {
        let dir = tempfile::tempdir().expect("tempdir");
        let write = |name: &str, content: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, content).expect("write");
            path.display().to_string()
        };
        let shaq_secret = write("shaq", "from-a-file\n");
        let shop_keys = write("kente", "first-key-0123456789\nsecond-key-0123456789\n\n");
        let token = write("token", "shpat_from_a_file");
        let text = std::fs::read_to_string(EXAMPLE).expect("example").replace(
            "token = \"shpat_your_admin_api_token\"",
            &format!("token_file = \"{token}\""),
        );
        let file = dir.path().join("bridge.toml");
        std::fs::write(&file, text).expect("write");
        let settings = Settings::load_with_env(
            Some(&file),
            env(&[
                ("SHAQ_BRIDGE__SHAQ__SECRET_FILE", &shaq_secret),
                (
                    "SHAQ_BRIDGE__SHOPS__KENTE__WEBHOOK_SECRETS_FILE",
                    &shop_keys,
                ),
            ]),
        )
        .expect("valid");
        assert_eq!(settings.shaq.secret.expose_secret(), "from-a-file");
        let keys: Vec<&str> = settings.shops[0]
            .webhook_secrets
            .iter()
            .map(|s| s.expose_secret())
            .collect();
        assert_eq!(keys, ["first-key-0123456789", "second-key-0123456789"]);
        assert_eq!(
            settings.shops[0]
                .write_back
                .token
                .as_ref()
                .map(|t| t.expose_secret()),
            Some("shpat_from_a_file")
        );

        let error = Settings::load_with_env(
            Some(&file),
            env(&[(
                "SHAQ_BRIDGE__DIGISHARE__ACCESS_TOKEN_FILE",
                "/nonexistent/token",
            )]),
        )
        .expect_err("missing file");
        assert!(
            error
                .to_string()
                .contains("digishare.access_token_file: cannot read /nonexistent/token"),
            "{error}"
        );
    }

    /// The Kubernetes manifests' settings (ConfigMap) with their Secret's variables make a
    /// valid configuration: what `kubectl apply -k deploy/kubernetes` would start.
    #[test]
    fn the_kubernetes_configmap_and_secret_are_a_valid_configuration() {
        let deploy = concat!(env!("CARGO_MANIFEST_DIR"), "/../../deploy/kubernetes/");
        let configmap =
            std::fs::read_to_string(format!("{deploy}configmap.yaml")).expect("configmap");
        let toml: String = configmap
            .split_once("bridge.toml: |\n")
            .expect("a bridge.toml key")
            .1
            .lines()
            .map(|line| line.strip_prefix("    ").unwrap_or(line))
            .collect::<Vec<_>>()
            .join("\n");
        let secret =
            std::fs::read_to_string(format!("{deploy}secret.example.yaml")).expect("secret");
        let variables: Vec<(String, String)> = secret
            .split_once("stringData:\n")
            .expect("stringData")
            .1
            .lines()
            .filter_map(|line| line.trim().split_once(": "))
            .map(|(key, value)| (key.to_owned(), value.to_owned()))
            .collect();
        assert!(variables.len() >= 8, "{variables:?}");
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("bridge.toml");
        std::fs::write(&file, toml).expect("write");
        let settings = Settings::load_with_env(Some(&file), variables).expect("valid");
        assert_eq!(
            settings.database.backend(),
            Ok(bridge_core::store::Backend::Postgres)
        );
        assert_eq!(
            settings.shops[0].webhook_secrets[0].expose_secret(),
            "your-shopify-webhook-key"
        );
    }

    #[test]
    fn a_shops_confirmation_schedule_is_read_and_checked() {
        let text = std::fs::read_to_string(EXAMPLE).expect("example");
        let with = |extra: &str| {
            Settings::from_toml(&text.replacen(
                "prepaid_skips_confirmation = true\n",
                &format!("prepaid_skips_confirmation = true\n{extra}"),
                1,
            ))
        };
        let settings = with(
            "[shops.confirmation]\nreminders = [\"2h\", \"20h\"]\nconfirm_within = \"30h\"\n\
             on_no_answer = \"cancel\"\nquiet_hours = \"21:00-08:00\"\n\
             [shops.digishare.statuses]\nreminder_1 = \"r3m1nd3r0000001a\"\n\
             reminder_2 = \"r3m1nd3r0000002b\"\n",
        )
        .expect("valid");
        let shared = bridge_core::shop::SharedRules {
            confirmation_timeout: Some(settings.workflow.confirmation_timeout),
            service_countries: &[],
            region_aliases: &Default::default(),
            statuses: &settings.digishare.statuses,
        };
        let policy = settings.shops[0].policy(&shared).confirmation;
        assert_eq!(
            policy.reminders,
            [
                Duration::from_secs(2 * 3600),
                Duration::from_secs(20 * 3600)
            ]
        );
        assert_eq!(policy.confirm_within, Some(Duration::from_secs(30 * 3600)));
        assert_eq!(
            policy.on_no_answer,
            bridge_core::workflow::confirmation::NoAnswer::Cancel
        );
        assert_eq!(
            policy.quiet_hours.map(|quiet| quiet.to_string()).as_deref(),
            Some("21:00-08:00")
        );

        let error = with(
            "[shops.confirmation]\nreminders = [\"20h\", \"2h\", \"60h\"]\nquiet_hours = \"9pm-8am\"\n",
        )
        .expect_err("invalid");
        let message = error.to_string();
        for needle in [
            "shops[0].confirmation.reminders must be in increasing order",
            "shops[0].confirmation.reminders: the last one comes after the order stops waiting",
            "shops[0].confirmation.quiet_hours: `9pm` is not a time of day",
            "no ticket status `reminder_3`",
        ] {
            assert!(message.contains(needle), "`{needle}` not in: {message}");
        }
        assert!(
            !message.contains("`reminder_1`"),
            "the example maps reminder_1: {message}"
        );
    }

    #[test]
    fn invalid_values_name_their_keys() {
        let error = example(&[
            ("SHAQ_BRIDGE__WORKERS__CONCURRENCY", "0"),
            ("SHAQ_BRIDGE__DATABASE__URL", "mysql://nope"),
            ("SHAQ_BRIDGE__SERVER__ADMIN_TOKEN", "short"),
            ("SHAQ_BRIDGE__SHAQ__IDENTIFIER", " "),
            ("SHAQ_BRIDGE__SHAQ__SOURCE_COUNTRY_ISO2", "Ghana"),
        ])
        .expect_err("invalid");
        let message = error.to_string();
        for key in [
            "workers.concurrency",
            "database.url",
            "server.admin_token",
            "shaq.identifier is empty",
            "shaq.source_country_iso2",
        ] {
            assert!(message.contains(key), "{key} not named in: {message}");
        }
    }

    #[test]
    fn per_shop_overrides_are_checked_and_laid_over_the_globals() {
        let text = std::fs::read_to_string(EXAMPLE).expect("example");
        let with = |shop_extra: &str| {
            let text = text.replacen(
                "prepaid_skips_confirmation = true\n",
                &format!("prepaid_skips_confirmation = true\n{shop_extra}"),
                1,
            );
            Settings::from_toml(&text)
        };
        let error = with(
            "time_zone = \"Mars/Olympus\"\ndefault_region = \" \"\n[shops.shaq]\nidentifier = \"brand2\"\n",
        )
        .expect_err("invalid");
        let message = error.to_string();
        for key in [
            "shops[0].time_zone `Mars/Olympus`",
            "shops[0].default_region is empty",
            "shops[0].shaq.identifier and shops[0].shaq.secret go together",
        ] {
            assert!(message.contains(key), "{key} not named in: {message}");
        }
        let settings = with(
            "[shops.shaq]\nsource_address_line_1 = \"Tema warehouse\"\n[shops.digishare]\ntype_ticket_id = \"brand2type\"\n",
        )
        .expect("valid");
        let shop = &settings.shops[0];
        let shaq = settings.shaq.for_shop(&shop.shaq);
        assert_eq!(shaq.source_address_line_1, "Tema warehouse");
        assert_eq!(
            shaq.identifier, settings.shaq.identifier,
            "the same account"
        );
        let digishare = settings.digishare.for_shop(&shop.digishare);
        assert_eq!(digishare.type_ticket_id, "brand2type");
        assert_eq!(digishare.statuses, settings.digishare.statuses);
        let other = &settings.shops[1];
        assert_eq!(
            settings.shaq.for_shop(&other.shaq).source_address_line_1,
            settings.shaq.source_address_line_1,
            "a shop without overrides keeps [shaq]"
        );
    }

    #[test]
    fn unknown_keys_in_a_file_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("bridge.toml");
        let mut text = std::fs::read_to_string(EXAMPLE).expect("example");
        text = text.replace("[server]\n", "[server]\nlisen = \"typo\"\n");
        std::fs::write(&path, text).expect("write");
        let error = Settings::load_with_env(Some(&path), env(&[])).expect_err("typo refused");
        assert!(error.to_string().contains("lisen"), "{error}");
    }

    #[test]
    fn secrets_never_show_in_debug_or_printed_config() {
        let secrets = [
            "an-admin-token-of-32-characters!",
            "shaq-partner-secret-value",
            "digishare-personal-access-token",
        ];
        let settings = example(&[
            ("SHAQ_BRIDGE__SERVER__ADMIN_TOKEN", secrets[0]),
            ("SHAQ_BRIDGE__SHAQ__SECRET", secrets[1]),
            ("SHAQ_BRIDGE__DIGISHARE__ACCESS_TOKEN", secrets[2]),
            (
                "SHAQ_BRIDGE__DATABASE__URL",
                "postgres://bridge:pg-password@db/bridge",
            ),
        ])
        .expect("valid");
        let debug = format!("{settings:?}");
        let printed = settings.to_redacted_toml();
        for shown in [&debug, &printed] {
            for secret in secrets.iter().chain(&["pg-password"]) {
                assert!(!shown.contains(secret), "{secret} leaked in {shown}");
            }
        }
        assert!(
            printed.contains("admin_token = \"[redacted]\""),
            "{printed}"
        );
        assert!(printed.contains("[workers.retry]"), "{printed}");
    }
}
