//! The HTTP client: token lifecycle, rate limit, error sorting, and every operation.

use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use outbound_http::{Answer, HttpError, TokenCache, Upstream, UpstreamConfig};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::error::ShaqError;
use crate::types::{NewPackage, Package, PackagePage, PackageUpdate, Region, Tracking};

/// ShaQ's tokens live 7 days; there is no refresh endpoint.
const TOKEN_LIFETIME: Duration = Duration::from_secs(7 * 24 * 3600);

/// Every ShaQ path below the base URL. ShaQ's partner API document gives the path of
/// `/auth/login` alone; the others are the paths its API answers on today, and each can be
/// overridden from configuration (`[shaq.paths]`) should ShaQ move one. `{partner_ref}`,
/// `{tracking_number}` and `{reference}` are replaced, URL-encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShaqPaths {
    /// Create a package; list packages (with `?page=&limit=`).
    pub packages: String,
    /// One package: read, update, delete (`{partner_ref}`).
    pub package: String,
    /// A package's tracking history (`{tracking_number}`).
    pub tracking: String,
    /// The regions.
    pub regions: String,
    /// Bulk create.
    pub bulk_create: String,
    /// Create a shipment.
    pub create_shipment: String,
    /// Get a shipment (`{reference}`).
    pub get_shipment: String,
    /// Cancel an order (`{partner_ref}`).
    pub cancel_order: String,
    /// Package replacement: names the package replaced (`{partner_ref}`, `{tracking_number}`).
    pub replacement: String,
    /// Package label (`{partner_ref}`).
    pub label: String,
}

impl Default for ShaqPaths {
    fn default() -> Self {
        ShaqPaths {
            packages: "/packages".to_owned(),
            package: "/packages/{partner_ref}".to_owned(),
            tracking: "/tracking/{tracking_number}".to_owned(),
            regions: "/setup/regions".to_owned(),
            bulk_create: "/packages/bulk".to_owned(),
            create_shipment: "/shipments".to_owned(),
            get_shipment: "/shipments/{reference}".to_owned(),
            cancel_order: "/packages/{partner_ref}/cancel".to_owned(),
            // The document says a replacement replaces "an existing package" but gives neither
            // a path nor a field naming it: the stricter reading names it in the path.
            replacement: "/packages/{partner_ref}/replacement".to_owned(),
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
                "packages" => &mut paths.packages,
                "package" => &mut paths.package,
                "tracking" => &mut paths.tracking,
                "regions" => &mut paths.regions,
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

    /// `template` with `{partner_ref}` and `{tracking_number}` filled in, URL-encoded.
    fn fill(template: &str, partner_ref: &str, tracking_number: &str) -> String {
        template
            .replace("{partner_ref}", &encode(partner_ref))
            .replace("{tracking_number}", &encode(tracking_number))
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
    /// Client-side limit on calls in flight at once (`None`: none).
    pub max_in_flight: Option<std::num::NonZeroUsize>,
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

#[derive(Debug)]
struct Inner {
    upstream: Upstream,
    config: ShaqConfig,
    token: TokenCache,
}

/// The ShaQ Express partner API. Cheap to clone; share one per credential set. `Debug` shows
/// no secret (they are `SecretString`s).
#[derive(Debug, Clone)]
pub struct ShaqClient {
    inner: Arc<Inner>,
}

impl ShaqClient {
    /// A client; nothing is sent until the first call (which logs in).
    pub fn new(config: ShaqConfig) -> Result<Self, ShaqError> {
        let upstream = Upstream::new(
            UpstreamConfig::new("ShaQ", config.base_url.clone())
                .timeouts(config.timeout, config.connect_timeout)
                .rate_limit(config.requests_per_second)
                .in_flight_limit(config.max_in_flight),
        )
        .map_err(|e| ShaqError::Invalid(format!("HTTP client: {e}")))?;
        let max_age = TOKEN_LIFETIME.saturating_sub(config.token_renew_margin);
        Ok(ShaqClient {
            inner: Arc::new(Inner {
                upstream,
                config,
                token: TokenCache::new(Some(max_age)),
            }),
        })
    }

    /// `POST /auth/login`.
    pub async fn login(&self) -> Result<SecretString, ShaqError> {
        let body = json!({
            "identifier": self.inner.config.identifier,
            "secret": self.inner.config.secret.expose_secret(),
        });
        let answer = self
            .send(Method::POST, "/auth/login", Some(&body), None)
            .await?;
        let value = answer.json()?;
        value
            .pointer("/data/token")
            .and_then(Value::as_str)
            .map(|t| SecretString::from(t.to_owned()))
            .ok_or_else(|| answer.decode_error("login answer has no data.token").into())
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        token: Option<&SecretString>,
    ) -> Result<Answer, ShaqError> {
        let upstream = &self.inner.upstream;
        upstream
            .send(upstream.json_request(method, path, body, token), path)
            .await
            .map_err(ShaqError::from_http)
    }

    /// An authenticated call; on a 401 the client logs in again once and replays it.
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(StatusCode, Value), ShaqError> {
        let answer = self
            .inner
            .token
            .authorized(
                || self.login(),
                |token| {
                    let method = method.clone();
                    async move { self.send(method, path, body, Some(&token)).await }
                },
            )
            .await?;
        Ok((answer.status, answer.json()?))
    }

    async fn call_data<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<T, ShaqError> {
        let (_, value) = self.call(method, path, body).await?;
        let data = value.get("data").cloned().unwrap_or(value);
        serde_json::from_value(data.clone())
            .map_err(|e| HttpError::decode("ShaQ", e.to_string(), &data.to_string()).into())
    }

    /// `POST /packages`.
    pub async fn create_package(&self, package: &NewPackage) -> Result<Package, ShaqError> {
        let body = to_json(package)?;
        let path = self.inner.config.paths.packages.clone();
        self.call_data(Method::POST, &path, Some(&body)).await
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
        let path = ShaqPaths::fill(&self.inner.config.paths.package, partner_ref, "");
        self.call_data(Method::GET, &path, None).await
    }

    /// The package with this `partner_ref`, if any. ShaQ answers 404 for some refs it holds
    /// (with `#`), so a 404 for such a ref pages through the list.
    pub async fn find_package(&self, partner_ref: &str) -> Result<Option<Package>, ShaqError> {
        match self.get_package(partner_ref).await {
            Ok(package) => Ok(Some(package)),
            Err(error) if error.is_not_found() && !is_plain_ref(partner_ref) => {
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
            Err(error) if error.is_not_found() => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// `GET /packages?page=&limit=`.
    pub async fn list_packages(&self, page: u64, limit: u64) -> Result<PackagePage, ShaqError> {
        let path = format!(
            "{}?page={page}&limit={limit}",
            self.inner.config.paths.packages
        );
        self.call_data(Method::GET, &path, None).await
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
        let path = ShaqPaths::fill(&self.inner.config.paths.package, partner_ref, "");
        self.call_data(Method::PATCH, &path, Some(&body)).await
    }

    /// `DELETE /packages/{partnerRef}` (pending packages only).
    pub async fn delete_package(&self, partner_ref: &str) -> Result<(), ShaqError> {
        let path = ShaqPaths::fill(&self.inner.config.paths.package, partner_ref, "");
        self.call(Method::DELETE, &path, None).await.map(drop)
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
        let path = ShaqPaths::fill(&self.inner.config.paths.tracking, "", tracking_number);
        self.call_data(Method::GET, &path, None).await
    }

    /// `GET /setup/regions`.
    pub async fn regions(&self) -> Result<Vec<Region>, ShaqError> {
        let path = self.inner.config.paths.regions.clone();
        self.call_data(Method::GET, &path, None).await
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
            .ok_or_else(|| {
                HttpError::decode("ShaQ", "label answer has no data.url", &value.to_string()).into()
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

    /// Package replacement of the package `original` (its partner reference and tracking
    /// number), named in the path (`[shaq.paths] replacement`); the rule's package count and
    /// actions are checked before sending.
    pub async fn replacement(
        &self,
        original: &Original<'_>,
        rule: ReplacementRule,
        packages: &[ReplacementPackage],
    ) -> Result<Vec<Package>, ShaqError> {
        rule.check(packages)?;
        let body = json!({ "rule": rule, "packages": to_json(&packages)? });
        let path = ShaqPaths::fill(
            &self.inner.config.paths.replacement,
            original.partner_ref,
            original.tracking_number,
        );
        self.call_data(Method::POST, &path, Some(&body)).await
    }
}

/// The package a replacement replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Original<'a> {
    /// Its partner reference.
    pub partner_ref: &'a str,
    /// Its tracking number.
    pub tracking_number: &'a str,
}

/// What a replacement does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
