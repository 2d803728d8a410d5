//! One error type for every Digishare call.

use std::collections::BTreeMap;
use std::time::Duration;

/// What went wrong talking to Digishare.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DigishareError {
    /// 401/403 (after one re-authentication).
    #[error("Digishare refused the credentials (HTTP {status})")]
    Auth {
        /// Status code.
        status: u16,
    },
    /// 422 with field messages.
    #[error("Digishare refused the request: {message} {errors:?}")]
    Validation {
        /// Summary.
        message: String,
        /// Field → messages.
        errors: BTreeMap<String, Vec<String>>,
    },
    /// 404.
    #[error("not found at Digishare: {0}")]
    NotFound(String),
    /// 429.
    #[error("Digishare is rate limiting (retry after {retry_after:?})")]
    RateLimited {
        /// How long to wait.
        retry_after: Option<Duration>,
    },
    /// 5xx.
    #[error("Digishare failed (HTTP {status}, request {request_id:?}): {body}")]
    Server {
        /// Status code.
        status: u16,
        /// Digishare's request id, when given.
        request_id: Option<String>,
        /// The start of the body.
        body: String,
    },
    /// Another 4xx.
    #[error("Digishare refused the request (HTTP {status}): {body}")]
    Rejected {
        /// Status code.
        status: u16,
        /// The start of the body.
        body: String,
    },
    /// Nothing was sent: the connection failed.
    #[error("could not reach Digishare: {0}")]
    Connect(String),
    /// Sent, but no answer: it may have been applied.
    #[error("no answer from Digishare (the request may have been applied): {0}")]
    Timeout(String),
    /// The answer could not be read.
    #[error("unreadable answer from Digishare: {reason}; body starts: {body}")]
    Decode {
        /// Why.
        reason: String,
        /// The start of the body.
        body: String,
    },
    /// Refused before sending.
    #[error("invalid request: {0}")]
    Invalid(String),
}

impl DigishareError {
    /// Worth retrying later.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            DigishareError::RateLimited { .. }
                | DigishareError::Server { .. }
                | DigishareError::Connect(_)
                | DigishareError::Timeout(_)
        )
    }

    /// The delay Digishare asked for.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            DigishareError::RateLimited { retry_after } => *retry_after,
            _ => None,
        }
    }
}

pub(crate) fn truncate(body: &str) -> String {
    body.chars().take(500).collect()
}
