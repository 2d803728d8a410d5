//! One error type for every Digishare call.

use std::time::Duration;

pub use outbound_http::HttpError;
use outbound_http::{Classify, Disposition, Unauthorized};

/// What went wrong talking to Digishare.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DigishareError {
    /// The call failed on the wire or Digishare refused it (sorted the same way for every
    /// upstream).
    #[error(transparent)]
    Http(#[from] HttpError),
    /// Refused before sending.
    #[error("invalid request: {0}")]
    Invalid(String),
}

impl DigishareError {
    /// Worth retrying later.
    pub fn is_retryable(&self) -> bool {
        matches!(self.disposition(), Disposition::Retry { .. })
    }

    /// The delay Digishare asked for.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            DigishareError::Http(error) => error.retry_after(),
            DigishareError::Invalid(_) => None,
        }
    }
}

impl Classify for DigishareError {
    fn disposition(&self) -> Disposition {
        match self {
            DigishareError::Http(error) => error.disposition(),
            DigishareError::Invalid(_) => Disposition::Reject,
        }
    }
}

impl Unauthorized for DigishareError {
    fn is_unauthorized(&self) -> bool {
        matches!(self, DigishareError::Http(error) if error.is_unauthorized())
    }
}
