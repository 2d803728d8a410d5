//! The HTTP client: token lifecycle, rate limit, error sorting, and every operation.

use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, Instant};

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tokio::sync::Mutex;

use crate::error::{ShaqError, truncate};
use crate::types::{NewPackage, Package, PackagePage, PackageUpdate, Region, Tracking};

/// ShaQ's tokens live 7 days; there is no refresh endpoint.
const TOKEN_LIFETIME: Duration = Duration::from_secs(7 * 24 * 3600);

/// Paths ShaQ's docs do not give; override them from configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShaqPaths {
    /// Bulk create.
    pub bulk_create: String,
    /// Create a shipment.
    pub create_shipment: String,
    /// Get a shipment (`{reference}`).
    pub get_shipment: String,
    /// Cancel an order (`{partner_ref}`).
    pub cancel_order: String,
    /// Package replacement.
    pub replacement: String,
    /// Package label (`{partner_ref}`).
    pub label: String,
}

impl Default for ShaqPaths {
    fn default() -> Self {
        ShaqPaths {
            bulk_create: "/packages/bulk".to_owned(),
            create_shipment: "/shipments".to_owned(),
            get_shipment: "/shipments/{reference}".to_owned(),
            cancel_order: "/packages/{partner_ref}/cancel".to_owned(),
            replacement: "/packages/replacement".to_owned(),
            label: "/packages/{partner_ref}/label".to_owned(),
        }
    }
}

impl ShaqPaths {
    /// The defaults with `overrides` (keys: the field names) laid over them.
    pub fn with_overrides(overrides: &BTreeMap<String, String>) -> Result<Self, String> {
        let mut paths = ShaqPaths::default();
        for (key, path) in overrides {
            let slot = match key.as_str() {
                "bulk_create" => &mut paths.bulk_create,
                "create_shipment" => &mut paths.create_shipment,
                "get_shipment" => &mut paths.get_shipment,
                "cancel_order" => &mut paths.cancel_order,
                "replacement" => &mut paths.replacement,
                "label" => &mut paths.label,
                other => return Err(format!("shaq.paths.{other} is not a known operation")),
            };
            *slot = path.clone();
        }
        Ok(paths)
    }
}

/// How to reach ShaQ.
#[derive(Debug, Clone)]
pub struct ShaqConfig {
    /// API base, e.g. `https://test-partner.shaqexpress.com/api/v1`.
    pub base_url: String,
    /// Login identifier.
    pub identifier: String,
    /// Login secret.
    pub secret: SecretString,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Log in again this long before the token's 7 days are up.
    pub token_renew_margin: Duration,
    /// Client-side limit on calls per second.
    pub requests_per_second: Option<NonZeroU32>,
    /// Undocumented paths.
    pub paths: ShaqPaths,
}

/// The outcome of [`ShaqClient::create_package_idempotent`].
#[derive(Debug, Clone, PartialEq)]
pub enum CreateOutcome {
    /// ShaQ created it now.
    Created(Package),
    /// It already existed (an earlier attempt went through): adopted.
    AlreadyExisted(Package),
}

impl CreateOutcome {
    /// The package either way.
    pub fn package(&self) -> &Package {
        match self {
            CreateOutcome::Created(p) | CreateOutcome::AlreadyExisted(p) => p,
        }
    }
}

/// A label: ready, or not yet (ShaQ answers 202).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LabelOutcome {
    /// The PDF's URL.
    Ready(String),
    /// Try again later.
    NotReady,
}

struct Token {
    value: SecretString,
    obtained: Instant,
}

struct Inner {
    http: reqwest::Client,
    config: ShaqConfig,
    token: Mutex<Option<Token>>,
    limiter: Option<DefaultDirectRateLimiter>,
}

/// The ShaQ Express partner API. Cheap to clone; share one per credential set.
#[derive(Clone)]
pub struct ShaqClient {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for ShaqClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShaqClient")
            .field("base_url", &self.inner.config.base_url)
            .field("identifier", &self.inner.config.identifier)
            .finish_non_exhaustive()
    }
}

impl ShaqClient {
    /// A client; nothing is sent until the first call (which logs in).
    pub fn new(config: ShaqConfig) -> Result<Self, ShaqError> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("shaq-bridge/", env!("CARGO_PKG_VERSION")))
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .build()
            .map_err(|e| ShaqError::Invalid(format!("HTTP client: {e}")))?;
        let limiter = config
            .requests_per_second
            .map(|rps| RateLimiter::direct(Quota::per_second(rps)));
        Ok(ShaqClient {
            inner: Arc::new(Inner {
                http,
                config,
                token: Mutex::new(None),
                limiter,
            }),
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.inner.config.base_url.trim_end_matches('/'))
    }

    /// A valid token: the cached one, or a fresh login. Concurrent callers wait on the same
    /// login instead of each logging in.
    async fn token(&self) -> Result<SecretString, ShaqError> {
        let mut slot = self.inner.token.lock().await;
        let max_age = TOKEN_LIFETIME.saturating_sub(self.inner.config.token_renew_margin);
        if let Some(token) = slot.as_ref()
            && token.obtained.elapsed() < max_age
        {
            return Ok(token.value.clone());
        }
        let value = self.login().await?;
        *slot = Some(Token {
            value: value.clone(),
            obtained: Instant::now(),
        });
        Ok(value)
    }

    /// `POST /auth/login`.
    pub async fn login(&self) -> Result<SecretString, ShaqError> {
        let body = json!({
            "identifier": self.inner.config.identifier,
            "secret": self.inner.config.secret.expose_secret(),
        });
        let response = self
            .send_raw(Method::POST, "/auth/login", Some(&body), None)
            .await?;
        let data = envelope_data(response)?;
        data.get("token")
            .and_then(Value::as_str)
            .map(|t| SecretString::from(t.to_owned()))
            .ok_or_else(|| ShaqError::Decode {
                reason: "login answer has no data.token".to_owned(),
                body: String::new(),
            })
    }

    async fn forget_token(&self, used: &SecretString) {
        let mut slot = self.inner.token.lock().await;
        if slot
            .as_ref()
            .is_some_and(|t| t.value.expose_secret() == used.expose_secret())
        {
            *slot = None;
        }
    }

    async fn send_raw(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        token: Option<&SecretString>,
    ) -> Result<(StatusCode, String, Option<Duration>), ShaqError> {
        if let Some(limiter) = &self.inner.limiter {
            limiter.until_ready().await;
        }
        let mut request = self
            .inner
            .http
            .request(method, self.url(path))
            .header("Accept", "application/json");
        if let Some(token) = token {
            request = request.bearer_auth(token.expose_secret());
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|e| {
            if e.is_connect() {
                ShaqError::Connect(format!("{path}: could not connect"))
            } else {
                ShaqError::Timeout(format!(
                    "{path}: {}",
                    if e.is_timeout() {
                        "timed out"
                    } else {
                        "connection lost"
                    }
                ))
            }
        })?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let text = response
            .text()
            .await
            .map_err(|_| ShaqError::Timeout(format!("{path}: the answer was cut off")))?;
        classify(status, text, retry_after, path)
    }

    /// An authenticated call; on a 401 the client logs in again once and replays it.
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(StatusCode, Value), ShaqError> {
        let token = self.token().await?;
        let result = self
            .send_raw(method.clone(), path, body, Some(&token))
            .await;
        let (status, text, _) = match result {
            Err(ShaqError::Auth { status: 401 }) => {
                self.forget_token(&token).await;
                let token = self.token().await?;
                self.send_raw(method, path, body, Some(&token)).await?
            }
            other => other?,
        };
        if text.trim().is_empty() {
            return Ok((status, Value::Null));
        }
        let value: Value = serde_json::from_str(&text).map_err(|e| ShaqError::Decode {
            reason: e.to_string(),
            body: truncate(&text),
        })?;
        Ok((status, value))
    }

    async fn call_data<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<T, ShaqError> {
        let (_, value) = self.call(method, path, body).await?;
        let data = value.get("data").cloned().unwrap_or(value);
        serde_json::from_value(data.clone()).map_err(|e| ShaqError::Decode {
            reason: e.to_string(),
            body: truncate(&data.to_string()),
        })
    }

    /// `POST /packages`.
    pub async fn create_package(&self, package: &NewPackage) -> Result<Package, ShaqError> {
        let body = to_json(package)?;
        self.call_data(Method::POST, "/packages", Some(&body)).await
    }

    /// Creates a package, or adopts the one that already has its `partner_ref` (after a
    /// "taken" answer, or an answer lost in transit). Safe to retry.
    pub async fn create_package_idempotent(
        &self,
        package: &NewPackage,
    ) -> Result<CreateOutcome, ShaqError> {
        match self.create_package(package).await {
            Ok(created) => Ok(CreateOutcome::Created(created)),
            Err(error) if error == ShaqError::DuplicateRef || error.outcome_uncertain() => {
                match self.find_package(&package.partner_ref).await? {
                    Some(existing) => Ok(CreateOutcome::AlreadyExisted(existing)),
                    None => Err(error),
                }
            }
            Err(error) => Err(error),
        }
    }

    /// `GET /packages/{partnerRef}` with its history.
    pub async fn get_package(&self, partner_ref: &str) -> Result<Package, ShaqError> {
        self.call_data(
            Method::GET,
            &format!("/packages/{}", encode(partner_ref)),
            None,
        )
        .await
    }

    /// The package with this `partner_ref`, if any. ShaQ answers 404 for some refs it holds
    /// (with `#`), so a 404 for such a ref pages through the list.
    pub async fn find_package(&self, partner_ref: &str) -> Result<Option<Package>, ShaqError> {
        match self.get_package(partner_ref).await {
            Ok(package) => Ok(Some(package)),
            Err(ShaqError::NotFound(_)) if !is_plain_ref(partner_ref) => {
                let mut page = 1;
                loop {
                    let packages = self.list_packages(page, 50).await?;
                    if let Some(found) = packages
                        .list
                        .into_iter()
                        .find(|p| p.partner_ref == partner_ref)
                    {
                        return Ok(Some(found));
                    }
                    if page >= packages.meta.last_page {
                        return Ok(None);
                    }
                    page += 1;
                }
            }
            Err(ShaqError::NotFound(_)) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// `GET /packages?page=&limit=`.
    pub async fn list_packages(&self, page: u64, limit: u64) -> Result<PackagePage, ShaqError> {
        self.call_data(
            Method::GET,
            &format!("/packages?page={page}&limit={limit}"),
            None,
        )
        .await
    }

    /// Every package, page by page.
    pub async fn all_packages(&self) -> Result<Vec<Package>, ShaqError> {
        let mut all = Vec::new();
        let mut page = 1;
        loop {
            let current = self.list_packages(page, 15).await?;
            all.extend(current.list);
            if page >= current.meta.last_page {
                return Ok(all);
            }
            page += 1;
        }
    }

    /// `PATCH /packages/{partnerRef}`: only the fields set are sent.
    pub async fn update_package(
        &self,
        partner_ref: &str,
        update: &PackageUpdate,
    ) -> Result<Package, ShaqError> {
        let body = to_json(update)?;
        self.call_data(
            Method::PATCH,
            &format!("/packages/{}", encode(partner_ref)),
            Some(&body),
        )
        .await
    }

    /// `DELETE /packages/{partnerRef}` (pending packages only).
    pub async fn delete_package(&self, partner_ref: &str) -> Result<(), ShaqError> {
        self.call(
            Method::DELETE,
            &format!("/packages/{}", encode(partner_ref)),
            None,
        )
        .await
        .map(drop)
    }

    /// Cancels an order already handed over (path configurable: undocumented).
    pub async fn cancel_order(&self, partner_ref: &str) -> Result<(), ShaqError> {
        let path = self
            .inner
            .config
            .paths
            .cancel_order
            .replace("{partner_ref}", &encode(partner_ref));
        let body = json!({ "partner_ref": partner_ref });
        self.call(Method::POST, &path, Some(&body)).await.map(drop)
    }

    /// `GET /tracking/{trackingNumber}`.
    pub async fn track(&self, tracking_number: &str) -> Result<Tracking, ShaqError> {
        self.call_data(
            Method::GET,
            &format!("/tracking/{}", encode(tracking_number)),
            None,
        )
        .await
    }

    /// `GET /setup/regions`.
    pub async fn regions(&self) -> Result<Vec<Region>, ShaqError> {
        self.call_data(Method::GET, "/setup/regions", None).await
    }

    /// The package's label: a URL, or not ready yet (202).
    pub async fn label(&self, partner_ref: &str) -> Result<LabelOutcome, ShaqError> {
        let path = self
            .inner
            .config
            .paths
            .label
            .replace("{partner_ref}", &encode(partner_ref));
        let (status, value) = self.call(Method::GET, &path, None).await?;
        if status == StatusCode::ACCEPTED {
            return Ok(LabelOutcome::NotReady);
        }
        value
            .pointer("/data/url")
            .and_then(Value::as_str)
            .map(|url| LabelOutcome::Ready(url.to_owned()))
            .ok_or_else(|| ShaqError::Decode {
                reason: "label answer has no data.url".to_owned(),
                body: truncate(&value.to_string()),
            })
    }

    /// Bulk create (path configurable: undocumented).
    pub async fn bulk_create(&self, packages: &[NewPackage]) -> Result<Vec<Package>, ShaqError> {
        let body = json!({ "packages": to_json(&packages)? });
        let path = self.inner.config.paths.bulk_create.clone();
        self.call_data(Method::POST, &path, Some(&body)).await
    }

    /// Hands a batch of packages to ShaQ (path configurable: undocumented). Returns the
    /// shipment as ShaQ describes it (`reference`, `date`, `packages`).
    pub async fn create_shipment(&self, packages: &[NewPackage]) -> Result<Value, ShaqError> {
        let body = json!({ "packages": to_json(&packages)? });
        let path = self.inner.config.paths.create_shipment.clone();
        self.call_data(Method::POST, &path, Some(&body)).await
    }

    /// A shipment by reference.
    pub async fn get_shipment(&self, reference: &str) -> Result<Value, ShaqError> {
        let path = self
            .inner
            .config
            .paths
            .get_shipment
            .replace("{reference}", &encode(reference));
        self.call_data(Method::GET, &path, None).await
    }

    /// Package replacement; the rule's package count and actions are checked before sending.
    pub async fn replacement(
        &self,
        rule: ReplacementRule,
        packages: &[ReplacementPackage],
    ) -> Result<Vec<Package>, ShaqError> {
        rule.check(packages)?;
        let body = json!({ "rule": rule, "packages": to_json(&packages)? });
        let path = self.inner.config.paths.replacement.clone();
        self.call_data(Method::POST, &path, Some(&body)).await
    }
}

/// What a replacement does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplacementRule {
    /// One package, action `deliver`.
    Deliver,
    /// One package, action `return`.
    Return,
    /// Two packages: one `return`, one `deliver`.
    ReturnDeliver,
}

/// A replacement package's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplacementAction {
    /// Deliver to the customer.
    Deliver,
    /// Bring back from the customer.
    Return,
}

/// A package in a replacement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReplacementPackage {
    /// Its role.
    pub action: ReplacementAction,
    /// The package fields.
    #[serde(flatten)]
    pub package: NewPackage,
}

impl ReplacementRule {
    fn check(self, packages: &[ReplacementPackage]) -> Result<(), ShaqError> {
        let mut actions: Vec<ReplacementAction> = packages.iter().map(|p| p.action).collect();
        actions.sort_by_key(|a| *a as u8);
        let expected: &[ReplacementAction] = match self {
            ReplacementRule::Deliver => &[ReplacementAction::Deliver],
            ReplacementRule::Return => &[ReplacementAction::Return],
            ReplacementRule::ReturnDeliver => {
                &[ReplacementAction::Deliver, ReplacementAction::Return]
            }
        };
        if actions == expected {
            Ok(())
        } else {
            Err(ShaqError::Invalid(format!(
                "rule {self:?} needs packages with actions {expected:?}, got {actions:?}"
            )))
        }
    }
}

fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<Value, ShaqError> {
    serde_json::to_value(value).map_err(|e| ShaqError::Invalid(e.to_string()))
}

/// Refs made only of `[A-Za-z0-9_-]` are found by `GET /packages/{ref}`.
fn is_plain_ref(partner_ref: &str) -> bool {
    partner_ref
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Percent-encodes a path segment.
fn encode(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

fn envelope_data((_, text, _): (StatusCode, String, Option<Duration>)) -> Result<Value, ShaqError> {
    let value: Value = serde_json::from_str(&text).map_err(|e| ShaqError::Decode {
        reason: e.to_string(),
        body: truncate(&text),
    })?;
    Ok(value.get("data").cloned().unwrap_or(Value::Null))
}

/// Sorts an HTTP answer into success or the right error.
fn classify(
    status: StatusCode,
    text: String,
    retry_after: Option<Duration>,
    path: &str,
) -> Result<(StatusCode, String, Option<Duration>), ShaqError> {
    if status.is_success() {
        return Ok((status, text, retry_after));
    }
    Err(match status {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => ShaqError::Auth {
            status: status.as_u16(),
        },
        StatusCode::NOT_FOUND => ShaqError::NotFound(path.to_owned()),
        StatusCode::UNPROCESSABLE_ENTITY => {
            let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            let errors: BTreeMap<String, Vec<String>> = body
                .get("errors")
                .and_then(|e| serde_json::from_value(e.clone()).ok())
                .unwrap_or_default();
            let taken = errors
                .get("partner_ref")
                .is_some_and(|m| m.iter().any(|m| m.contains("taken")));
            if taken {
                ShaqError::DuplicateRef
            } else {
                ShaqError::Validation {
                    message: body
                        .get("message")
                        .and_then(Value::as_str)
                        .unwrap_or("validation failed")
                        .to_owned(),
                    errors,
                }
            }
        }
        StatusCode::TOO_MANY_REQUESTS => ShaqError::RateLimited { retry_after },
        StatusCode::REQUEST_TIMEOUT => ShaqError::Timeout(format!("{path}: HTTP 408")),
        s if s.is_server_error() => ShaqError::Server {
            status: s.as_u16(),
            body: truncate(&text),
        },
        s => ShaqError::Rejected {
            status: s.as_u16(),
            body: truncate(&text),
        },
    })
}
