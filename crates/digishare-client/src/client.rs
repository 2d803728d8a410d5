//! The HTTP client: tokens, rate limit, error sorting, operations.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use outbound_http::{Answer, HttpError, TokenCache, Upstream, UpstreamConfig};
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::error::DigishareError;
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
    /// `PUT /tickets/{id}` (the API documentation's single example; not in the e-commerce guide).
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
    /// Client-side limit on calls in flight at once (`None`: none).
    pub max_in_flight: Option<std::num::NonZeroUsize>,
    /// `PUT` or `PATCH` for updates.
    pub update_method: UpdateMethod,
}

#[derive(Debug)]
struct Inner {
    upstream: Upstream,
    config: DigishareConfig,
    token: TokenCache,
}

/// The Digishare API. Cheap to clone. `Debug` shows no secret (they are `SecretString`s).
#[derive(Debug, Clone)]
pub struct DigishareClient {
    inner: Arc<Inner>,
}

impl DigishareClient {
    /// A client; nothing is sent until the first call.
    pub fn new(config: DigishareConfig) -> Result<Self, DigishareError> {
        let upstream = Upstream::new(
            UpstreamConfig::new("Digishare", config.base_url.clone())
                .timeouts(config.timeout, config.connect_timeout)
                .rate_limit(config.requests_per_second)
                .in_flight_limit(config.max_in_flight),
        )
        .map_err(|e| DigishareError::Invalid(format!("HTTP client: {e}")))?;
        Ok(DigishareClient {
            inner: Arc::new(Inner {
                upstream,
                config,
                token: TokenCache::new(None),
            }),
        })
    }

    /// A fresh OAuth token (`POST /oauth/token`).
    async fn fetch_token(
        &self,
        client_id: &str,
        client_secret: &SecretString,
    ) -> Result<SecretString, DigishareError> {
        let body = json!({
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret.expose_secret(),
        });
        let answer = self
            .send(Method::POST, "/oauth/token", Some(&body), None)
            .await?;
        answer
            .json()?
            .get("access_token")
            .and_then(Value::as_str)
            .map(|t| SecretString::from(t.to_owned()))
            .ok_or_else(|| {
                answer
                    .decode_error("token answer has no access_token")
                    .into()
            })
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        token: Option<&SecretString>,
    ) -> Result<Answer, DigishareError> {
        let upstream = &self.inner.upstream;
        Ok(upstream
            .send(upstream.json_request(method, path, body, token), path)
            .await?)
    }

    /// An authenticated call. A Personal Access Token is used as it is; an OAuth token is
    /// fetched once for concurrent callers and re-issued once after a 401.
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, DigishareError> {
        let answer = match &self.inner.config.auth {
            Auth::PersonalAccessToken(token) => self.send(method, path, body, Some(token)).await?,
            Auth::ClientCredentials {
                client_id,
                client_secret,
            } => {
                self.inner
                    .token
                    .authorized(
                        || self.fetch_token(client_id, client_secret),
                        |token| {
                            let method = method.clone();
                            async move { self.send(method, path, body, Some(&token)).await }
                        },
                    )
                    .await?
            }
        };
        Ok(answer.json()?)
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
        // Exactly the guide's body (`type`, `category`, `file.{base64, file_name, mime_type}`),
        // plus `file.extension` only when asked for.
        let mut body = json!({
            "type": "file",
            "category": "document",
            "file": {
                "base64": format!("data:{};base64,{data}", file.mime_type),
                "file_name": file.file_name,
                "mime_type": file.mime_type,
            }
        });
        if let Some(extension) = &file.extension
            && let Some(object) = body.pointer_mut("/file").and_then(|f| f.as_object_mut())
        {
            object.insert("extension".to_owned(), json!(extension));
        }
        let value = self
            .call(Method::POST, "/messagesTemplates", Some(&body))
            .await?;
        let id = value
            .pointer("/data/id")
            .or_else(|| value.get("id"))
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            .ok_or_else(|| decode("upload answer has no id", &value))?;
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

fn decode(reason: impl std::fmt::Display, value: &Value) -> DigishareError {
    HttpError::decode("Digishare", reason.to_string(), &value.to_string()).into()
}

fn data_as<T: DeserializeOwned>(value: Value) -> Result<T, DigishareError> {
    let data = value.get("data").cloned().unwrap_or(value);
    serde_json::from_value(data.clone()).map_err(|e| decode(e, &data))
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
        .map(|item| serde_json::from_value(item.clone()).map_err(|e| decode(e, &item)))
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
