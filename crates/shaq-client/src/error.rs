//! One error type for every ShaQ call, sorted by what the caller should do about it.

use std::collections::BTreeMap;
use std::time::Duration;

/// What went wrong talking to ShaQ.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ShaqError {
    /// The credentials were refused (after one re-login).
    #[error("ShaQ refused the credentials (HTTP {status})")]
    Auth {
        /// 401 or 403.
        status: u16,
    },
    /// 422 with Laravel-style field errors.
    #[error("ShaQ refused the request: {message} {errors:?}")]
    Validation {
        /// The summary.
        message: String,
        /// Field → messages.
        errors: BTreeMap<String, Vec<String>>,
    },
    /// The `partner_ref` is already taken (a 422 on `partner_ref`).
    #[error("partner_ref is already taken")]
    DuplicateRef,
    /// 404.
    #[error("not found at ShaQ: {0}")]
    NotFound(String),
    /// 429.
    #[error("ShaQ is rate limiting (retry after {retry_after:?})")]
    RateLimited {
        /// How long ShaQ asked to wait.
        retry_after: Option<Duration>,
    },
    /// 5xx.
    #[error("ShaQ failed (HTTP {status}): {body}")]
    Server {
        /// Status code.
        status: u16,
        /// The start of the body.
        body: String,
    },
    /// Another 4xx.
    #[error("ShaQ refused the request (HTTP {status}): {body}")]
    Rejected {
        /// Status code.
        status: u16,
        /// The start of the body.
        body: String,
    },
    /// The connection failed before the request was sent: nothing happened at ShaQ.
    #[error("could not reach ShaQ: {0}")]
    Connect(String),
    /// The request was sent but no answer came: it may or may not have been applied.
    #[error("no answer from ShaQ (the request may have been applied): {0}")]
    Timeout(String),
    /// The answer could not be read.
    #[error("unreadable answer from ShaQ: {reason}; body starts: {body}")]
    Decode {
        /// Why.
        reason: String,
        /// The start of the body.
        body: String,
    },
    /// The request was refused before sending (a client-side rule).
    #[error("invalid request: {0}")]
    Invalid(String),
}

impl ShaqError {
    /// Worth retrying later.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            ShaqError::RateLimited { .. }
                | ShaqError::Server { .. }
                | ShaqError::Connect(_)
                | ShaqError::Timeout(_)
        )
    }

    /// The delay ShaQ asked for.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ShaqError::RateLimited { retry_after } => *retry_after,
            _ => None,
        }
    }

    /// The request may have been applied even though it failed (the idempotent create looks
    /// the package up after this).
    pub fn outcome_uncertain(&self) -> bool {
        matches!(self, ShaqError::Timeout(_) | ShaqError::Server { .. })
    }
}

/// The first 500 characters, for error messages.
pub(crate) fn truncate(body: &str) -> String {
    body.chars().take(500).collect()
}
