//! The one place where errors become HTTP responses:
//! `{"error": {"code": "...", "message": "...", "field": "..."}}`.

use axum::Json;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bridge_core::store::StoreError;

use crate::operations::OperationError;
use serde_json::json;

/// An error the API answers with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the body is not what it should be (malformed JSON, wrong encoding).
    #[error("{message}")]
    BadRequest {
        /// What is wrong.
        message: String,
    },
    /// 422: well-formed but a field is missing or wrong.
    #[error("{field}: {message}")]
    InvalidField {
        /// The field path (`shipping_address.phone`).
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// 401: missing or wrong signature, secret or token.
    #[error("{0}")]
    Unauthorized(String),
    /// 403: signed in, but the role does not allow it.
    #[error("{0}")]
    Forbidden(String),
    /// 404: nothing there.
    #[error("{0}")]
    NotFound(String),
    /// 409: the order, as it is, does not allow what was asked.
    #[error("{0}")]
    Conflict(String),
    /// 415: not JSON.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 429: slow down.
    #[error("too many requests")]
    RateLimited {
        /// Seconds to wait.
        retry_after_secs: u64,
    },
    /// 503: the admin API has no token configured, or the database is unavailable.
    #[error("{0}")]
    Unavailable(String),
    /// 500: a bug or an unexpected failure (details are logged, not sent).
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::InvalidField { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A short machine-readable code.
    fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest { .. } => "bad_request",
            ApiError::InvalidField { .. } => "invalid_field",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::Conflict(_) => "conflict",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::Internal(_) => "internal",
        }
    }

    /// A 400 with a message.
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::BadRequest {
            message: message.into(),
        }
    }

    /// A 422 naming a field.
    pub fn invalid_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::InvalidField {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        tracing::error!(error = %error, "storage failed");
        ApiError::Unavailable("storage is unavailable; retry later".to_owned())
    }
}

impl From<OperationError> for ApiError {
    fn from(error: OperationError) -> Self {
        match error {
            OperationError::NoOrder { .. } | OperationError::UnknownShop(_) => {
                ApiError::NotFound(error.to_string())
            }
            OperationError::NoDeadJob(_) => ApiError::NotFound(error.to_string()),
            OperationError::Invalid(problem) => {
                ApiError::invalid_field(problem.field, problem.message)
            }
            OperationError::NothingToCorrect => {
                ApiError::invalid_field("region", error.to_string())
            }
            OperationError::Refused(_) | OperationError::NothingToReplay => {
                ApiError::Conflict(error.to_string())
            }
            OperationError::Store(error) => error.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = match &self {
            ApiError::Internal(detail) => {
                tracing::error!(detail = %detail, "internal error");
                "internal error".to_owned()
            }
            ApiError::InvalidField { message, .. } => message.clone(),
            other => other.to_string(),
        };
        let mut body = json!({ "error": { "code": self.code(), "message": message } });
        if let ApiError::InvalidField { field, .. } = &self {
            body["error"]["field"] = json!(field);
        }
        metrics::counter!("bridge_http_refusals_total", "code" => self.code()).increment(1);
        let mut response = (status, Json(body)).into_response();
        if let ApiError::RateLimited { retry_after_secs } = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        response
    }
}

/// Rewrites error responses made outside the handlers (body limit 413, timeout 408, unknown
/// route 404, wrong method 405) into the same JSON shape, so every refusal reads alike.
pub async fn json_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    // JSON is already in shape; the console's own pages explain themselves in HTML.
    let is_shaped = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json") || v.starts_with("text/html"));
    if !(status.is_client_error() || status.is_server_error()) || is_shaped {
        return response;
    }
    let (code, message) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "the request body is too large"),
        StatusCode::REQUEST_TIMEOUT => ("timeout", "the request took too long"),
        StatusCode::NOT_FOUND => ("not_found", "no such route"),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "method not allowed here"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported_media_type", "expected JSON"),
        s if s.is_client_error() => ("bad_request", "the request was refused"),
        _ => ("internal", "internal error"),
    };
    metrics::counter!("bridge_http_refusals_total", "code" => code).increment(1);
    let (mut parts, _) = response.into_parts();
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    let body = json!({ "error": { "code": code, "message": message } }).to_string();
    Response::from_parts(parts, Body::from(body))
}
