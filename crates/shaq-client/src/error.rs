//! One error type for every ShaQ call, sorted by what the caller should do about it.

use std::time::Duration;

pub use outbound_http::HttpError;
use outbound_http::{Classify, Disposition, Unauthorized};

/// What went wrong talking to ShaQ.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ShaqError {
    /// The call failed on the wire or ShaQ refused it (sorted the same way for every upstream).
    #[error(transparent)]
    Http(#[from] HttpError),
    /// The `partner_ref` is already taken (a 422 on `partner_ref`).
    #[error("partner_ref is already taken")]
    DuplicateRef,
    /// The request was refused before sending (a client-side rule).
    #[error("invalid request: {0}")]
    Invalid(String),
}

impl ShaqError {
    /// ShaQ's 422 "the partner ref has already been taken" is its own error: the idempotent
    /// create adopts the existing package on it.
    pub(crate) fn from_http(error: HttpError) -> Self {
        match &error {
            HttpError::Validation { errors, .. }
                if errors
                    .get("partner_ref")
                    .is_some_and(|m| m.iter().any(|m| m.contains("taken"))) =>
            {
                ShaqError::DuplicateRef
            }
            _ => ShaqError::Http(error),
        }
    }

    /// Worth retrying later.
    pub fn is_retryable(&self) -> bool {
        matches!(self.disposition(), Disposition::Retry { .. })
    }

    /// The delay ShaQ asked for.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ShaqError::Http(error) => error.retry_after(),
            _ => None,
        }
    }

    /// The request may have been applied even though it failed (the idempotent create looks
    /// the package up after this).
    pub fn outcome_uncertain(&self) -> bool {
        matches!(self, ShaqError::Http(error) if error.outcome_uncertain())
    }

    /// ShaQ answered 404.
    pub fn is_not_found(&self) -> bool {
        matches!(self.disposition(), Disposition::NotFound)
    }
}

impl Classify for ShaqError {
    fn disposition(&self) -> Disposition {
        match self {
            ShaqError::Http(error) => error.disposition(),
            ShaqError::DuplicateRef | ShaqError::Invalid(_) => Disposition::Reject,
        }
    }
}

impl Unauthorized for ShaqError {
    fn is_unauthorized(&self) -> bool {
        matches!(self, ShaqError::Http(error) if error.is_unauthorized())
    }
}
