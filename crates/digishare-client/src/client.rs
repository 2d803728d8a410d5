//! The HTTP client: tokens, rate limit, error sorting, operations.

use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tokio::sync::Mutex;

use crate::error::{DigishareError, truncate};
use crate::types::{
    MediaRef, MediaUpload, NewTicket, Page, Third, Ticket, TicketFilter, TicketUpdate,
};

/// How the client authenticates.
#[derive(Debug, Clone)]
pub enum Auth {
    /// A Personal Access Token from the dashboard.
    PersonalAccessToken(SecretString),
    /// OAuth2 client credentials (`POST /oauth/token`).
    ClientCredentials {
        /// Client id.
        client_id: String,
        /// Client secret.
        client_secret: SecretString,
    },
}

/// The method for status updates: the docs show `PUT` only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UpdateMethod {
    /// `PUT /tickets/{id}` (documented).
    #[default]
    Put,
    /// `PATCH /tickets/{id}`.
    Patch,
}

/// How to reach Digishare.
#[derive(Debug, Clone)]
pub struct DigishareConfig {
    /// `https://api.digishare.ma/v1`.
    pub base_url: String,
    /// Credentials.
    pub auth: Auth,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Client-side limit on calls per second.
    pub requests_per_second: Option<NonZeroU32>,
    /// `PUT` or `PATCH` for updates.
    pub update_method: UpdateMethod,
}

struct Inner {
    http: reqwest::Client,
    config: DigishareConfig,
    token: Mutex<Option<SecretString>>,
    limiter: Option<DefaultDirectRateLimiter>,
}

/// The Digishare API. Cheap to clone.
#[derive(Clone)]
pub struct DigishareClient {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for DigishareClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DigishareClient")
            .field("base_url", &self.inner.config.base_url)
            .finish_non_exhaustive()
    }
}

impl DigishareClient {
    /// A client; nothing is sent until the first call.
    pub fn new(config: DigishareConfig) -> Result<Self, DigishareError> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("shaq-bridge/", env!("CARGO_PKG_VERSION")))
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .build()
            .map_err(|e| DigishareError::Invalid(format!("HTTP client: {e}")))?;
        let limiter = config
            .requests_per_second
            .map(|rps| RateLimiter::direct(Quota::per_second(rps)));
        Ok(DigishareClient {
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

    /// The bearer token: the PAT, or a cached OAuth token (one fetch for concurrent callers).
    async fn token(&self) -> Result<SecretString, DigishareError> {
        let (client_id, client_secret) = match &self.inner.config.auth {
            Auth::PersonalAccessToken(token) => return Ok(token.clone()),
            Auth::ClientCredentials {
                client_id,
                client_secret,
            } => (client_id, client_secret),
        };
        let mut slot = self.inner.token.lock().await;
        if let Some(token) = slot.as_ref() {
            return Ok(token.clone());
        }
        let body = json!({
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret.expose_secret(),
        });
        let (_, value) = self
            .send(Method::POST, "/oauth/token", Some(&body), None)
            .await?;
        let token = value
            .get("access_token")
            .and_then(Value::as_str)
            .map(|t| SecretString::from(t.to_owned()))
            .ok_or_else(|| DigishareError::Decode {
                reason: "token answer has no access_token".to_owned(),
                body: String::new(),
            })?;
        *slot = Some(token.clone());
        Ok(token)
    }

    async fn forget_token(&self) {
        *self.inner.token.lock().await = None;
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        token: Option<&SecretString>,
    ) -> Result<(StatusCode, Value), DigishareError> {
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
                DigishareError::Connect(format!("{path}: could not connect"))
            } else {
                DigishareError::Timeout(format!(
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
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let retry_after = header("retry-after")
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let request_id = header("x-request-id");
        let text = response
            .text()
            .await
            .map_err(|_| DigishareError::Timeout(format!("{path}: the answer was cut off")))?;
        if !status.is_success() {
            return Err(classify(status, &text, retry_after, request_id, path));
        }
        if text.trim().is_empty() {
            return Ok((status, Value::Null));
        }
        let value = serde_json::from_str(&text).map_err(|e| DigishareError::Decode {
            reason: e.to_string(),
            body: truncate(&text),
        })?;
        Ok((status, value))
    }

    /// An authenticated call; a 401 re-issues the OAuth token once and replays the call.
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, DigishareError> {
        let token = self.token().await?;
        match self.send(method.clone(), path, body, Some(&token)).await {
            Err(DigishareError::Auth { status: 401 })
                if matches!(self.inner.config.auth, Auth::ClientCredentials { .. }) =>
            {
                self.forget_token().await;
                let token = self.token().await?;
                Ok(self.send(method, path, body, Some(&token)).await?.1)
            }
            other => Ok(other?.1),
        }
    }

    /// `GET /user/profile`: checks the credentials.
    pub async fn verify_credentials(&self) -> Result<Value, DigishareError> {
        self.call(Method::GET, "/user/profile", None).await
    }

    /// `POST /tickets`.
    pub async fn create_ticket(&self, ticket: &NewTicket) -> Result<Ticket, DigishareError> {
        let body =
            serde_json::to_value(ticket).map_err(|e| DigishareError::Invalid(e.to_string()))?;
        let value = self.call(Method::POST, "/tickets", Some(&body)).await?;
        ticket_from(value)
    }

    /// `PUT` (or `PATCH`) `/tickets/{id}`.
    pub async fn update_ticket(
        &self,
        id: &str,
        update: &TicketUpdate,
    ) -> Result<Option<Ticket>, DigishareError> {
        let body =
            serde_json::to_value(update).map_err(|e| DigishareError::Invalid(e.to_string()))?;
        let method = match self.inner.config.update_method {
            UpdateMethod::Put => Method::PUT,
            UpdateMethod::Patch => Method::PATCH,
        };
        let value = self
            .call(method, &format!("/tickets/{id}"), Some(&body))
            .await?;
        // The docs give no response sample: a body without a ticket is still a success.
        Ok(ticket_from(value).ok())
    }

    /// `GET /tickets` with filters.
    pub async fn list_tickets(
        &self,
        filter: &TicketFilter,
    ) -> Result<Page<Ticket>, DigishareError> {
        let query = serde_urlencoded(filter);
        let value = self
            .call(Method::GET, &format!("/tickets{query}"), None)
            .await?;
        page_from(value)
    }

    /// The ticket with this `external_id`. Digishare has no such filter: search by the
    /// reference and check each result's `external_id`.
    pub async fn find_ticket_by_external_id(
        &self,
        external_id: &str,
    ) -> Result<Option<Ticket>, DigishareError> {
        let page = self
            .list_tickets(&TicketFilter {
                search: Some(external_id.to_owned()),
                limit: Some(100),
                ..TicketFilter::default()
            })
            .await?;
        Ok(page
            .items
            .into_iter()
            .find(|t| t.external_id.as_deref() == Some(external_id)))
    }

    /// `POST /messagesTemplates`: uploads a file, returns the reference for `campaign_data`.
    pub async fn upload_media(&self, file: &MediaUpload) -> Result<MediaRef, DigishareError> {
        if file.file_name.contains('.') {
            return Err(DigishareError::Invalid(
                "file_name must not include the extension".to_owned(),
            ));
        }
        let data = base64::engine::general_purpose::STANDARD.encode(&file.bytes);
        let body = json!({
            "type": "file",
            "category": "document",
            "file": {
                "base64": format!("data:{};base64,{data}", file.mime_type),
                "file_name": file.file_name,
                "mime_type": file.mime_type,
                "extension": file.extension,
            }
        });
        let value = self
            .call(Method::POST, "/messagesTemplates", Some(&body))
            .await?;
        let id = value
            .pointer("/data/id")
            .or_else(|| value.get("id"))
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            .ok_or_else(|| DigishareError::Decode {
                reason: "upload answer has no id".to_owned(),
                body: truncate(&value.to_string()),
            })?;
        Ok(MediaRef {
            provider: "digishare".to_owned(),
            id,
        })
    }

    /// `GET /thirds/{id}`.
    pub async fn get_third(&self, id: &str) -> Result<Third, DigishareError> {
        data_as(
            self.call(Method::GET, &format!("/thirds/{id}"), None)
                .await?,
        )
    }

    /// `GET /thirds?search=`.
    pub async fn search_thirds(&self, search: &str) -> Result<Vec<Third>, DigishareError> {
        let query = serde_urlencoded(&json!({ "search": search }));
        let value = self
            .call(Method::GET, &format!("/thirds{query}"), None)
            .await?;
        Ok(page_from::<Third>(value)?.items)
    }

    /// `POST /thirds`.
    pub async fn create_third(&self, third: &Third) -> Result<Third, DigishareError> {
        let body =
            serde_json::to_value(third).map_err(|e| DigishareError::Invalid(e.to_string()))?;
        data_as(self.call(Method::POST, "/thirds", Some(&body)).await?)
    }

    /// `PATCH /thirds/{id}`.
    pub async fn update_third(&self, id: &str, third: &Third) -> Result<Third, DigishareError> {
        let body =
            serde_json::to_value(third).map_err(|e| DigishareError::Invalid(e.to_string()))?;
        data_as(
            self.call(Method::PATCH, &format!("/thirds/{id}"), Some(&body))
                .await?,
        )
    }
}

fn data_as<T: DeserializeOwned>(value: Value) -> Result<T, DigishareError> {
    let data = value.get("data").cloned().unwrap_or(value);
    serde_json::from_value(data.clone()).map_err(|e| DigishareError::Decode {
        reason: e.to_string(),
        body: truncate(&data.to_string()),
    })
}

/// A ticket from `{...}` or `{"data": {...}}`.
fn ticket_from(value: Value) -> Result<Ticket, DigishareError> {
    data_as(value)
}

/// A page from `{data: [...], meta: {current_page, total_pages}}` or
/// `{data: [...], meta: {pagination: {...}}}`.
fn page_from<T: DeserializeOwned>(value: Value) -> Result<Page<T>, DigishareError> {
    let items = match value.get("data") {
        Some(Value::Array(items)) => items.clone(),
        _ => Vec::new(),
    };
    let items = items
        .into_iter()
        .map(|item| {
            serde_json::from_value(item.clone()).map_err(|e| DigishareError::Decode {
                reason: e.to_string(),
                body: truncate(&item.to_string()),
            })
        })
        .collect::<Result<Vec<T>, _>>()?;
    let meta = value
        .pointer("/meta/pagination")
        .or_else(|| value.get("meta"))
        .cloned()
        .unwrap_or(Value::Null);
    let number = |key: &str| meta.get(key).and_then(Value::as_u64);
    Ok(Page {
        items,
        current_page: number("current_page").unwrap_or(1),
        total_pages: number("total_pages")
            .or_else(|| number("last_page"))
            .unwrap_or(1),
    })
}

fn serde_urlencoded<T: serde::Serialize>(params: &T) -> String {
    let Ok(Value::Object(map)) = serde_json::to_value(params) else {
        return String::new();
    };
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in map {
        match value {
            Value::Null => {}
            Value::String(s) => {
                query.append_pair(&key, &s);
            }
            other => {
                query.append_pair(&key, &other.to_string());
            }
        }
    }
    let query = query.finish();
    if query.is_empty() {
        query
    } else {
        format!("?{query}")
    }
}

fn classify(
    status: StatusCode,
    text: &str,
    retry_after: Option<Duration>,
    request_id: Option<String>,
    path: &str,
) -> DigishareError {
    match status {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => DigishareError::Auth {
            status: status.as_u16(),
        },
        StatusCode::NOT_FOUND => DigishareError::NotFound(path.to_owned()),
        StatusCode::UNPROCESSABLE_ENTITY => {
            let body: Value = serde_json::from_str(text).unwrap_or(Value::Null);
            DigishareError::Validation {
                message: body
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("validation failed")
                    .to_owned(),
                errors: body
                    .get("errors")
                    .and_then(|e| {
                        serde_json::from_value::<BTreeMap<String, Vec<String>>>(e.clone()).ok()
                    })
                    .unwrap_or_default(),
            }
        }
        StatusCode::TOO_MANY_REQUESTS => DigishareError::RateLimited { retry_after },
        StatusCode::REQUEST_TIMEOUT => DigishareError::Timeout(format!("{path}: HTTP 408")),
        s if s.is_server_error() => DigishareError::Server {
            status: s.as_u16(),
            request_id,
            body: truncate(text),
        },
        s => DigishareError::Rejected {
            status: s.as_u16(),
            body: truncate(text),
        },
    }
}
