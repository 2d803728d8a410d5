//! How a call to another service failed, and what the caller should do about it.

use std::collections::BTreeMap;
use std::time::Duration;

/// What to do about a failed call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// Worth another try later (network, timeout, 5xx, 408, 429), after `after` if the server
    /// said so.
    Retry {
        /// The server's `Retry-After`.
        after: Option<Duration>,
    },
    /// The thing asked for does not exist.
    NotFound,
    /// Refused as it is (validation, another 4xx, a client-side rule): retrying will not help.
    Reject,
}

/// An error that knows its [`Disposition`]. Every upstream client's error implements it, so
/// the job runner maps all of them to retries the same way.
pub trait Classify: std::error::Error {
    /// What the caller should do.
    fn disposition(&self) -> Disposition;
}

/// An error that may mean "the token was refused" (a 401), so the token is fetched again once.
pub trait Unauthorized {
    /// The server answered 401.
    fn is_unauthorized(&self) -> bool;
}

/// What went wrong on the wire, the same way for every upstream. `service` names it in messages
/// (`ShaQ`, `Digishare`, `Shopify`…); URLs are never included (they can carry credentials).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HttpError {
    /// 401 or 403.
    #[error("{service} refused the credentials (HTTP {status})")]
    Auth {
        /// Who answered.
        service: &'static str,
        /// 401 or 403.
        status: u16,
    },
    /// 422, with Laravel-style field errors (`{"message": …, "errors": {field: [messages]}}`).
    #[error("{service} refused the request: {message} {errors:?}")]
    Validation {
        /// Who answered.
        service: &'static str,
        /// The summary.
        message: String,
        /// Field → messages.
        errors: BTreeMap<String, Vec<String>>,
    },
    /// 404.
    #[error("not found at {service}: {what}")]
    NotFound {
        /// Who answered.
        service: &'static str,
        /// What was asked for.
        what: String,
    },
    /// 429.
    #[error("{service} is rate limiting (retry after {retry_after:?})")]
    RateLimited {
        /// Who answered.
        service: &'static str,
        /// How long it asked to wait.
        retry_after: Option<Duration>,
    },
    /// 5xx: it may or may not have applied the request.
    #[error("{service} failed (HTTP {status}, request {request_id:?}): {body}")]
    Server {
        /// Who answered.
        service: &'static str,
        /// Status code.
        status: u16,
        /// The service's request id, when it gives one.
        request_id: Option<String>,
        /// How long it asked to wait, if it did.
        retry_after: Option<Duration>,
        /// The start of the body.
        body: String,
    },
    /// Another 4xx.
    #[error("{service} refused the request (HTTP {status}): {body}")]
    Rejected {
        /// Who answered.
        service: &'static str,
        /// Status code.
        status: u16,
        /// The start of the body.
        body: String,
    },
    /// The connection failed before the request was sent: nothing happened there.
    #[error("could not reach {service}: {what}")]
    Connect {
        /// Who was called.
        service: &'static str,
        /// What was asked for.
        what: String,
    },
    /// The request was sent but no whole answer came (timeout, connection lost, 408): it may
    /// or may not have been applied.
    #[error("no answer from {service} (the request may have been applied): {what}")]
    NoAnswer {
        /// Who was called.
        service: &'static str,
        /// What was asked for, and what happened.
        what: String,
    },
    /// The answer could not be read (not the expected JSON, or too large).
    #[error("unreadable answer from {service}: {reason}; body starts: {body}")]
    Decode {
        /// Who answered.
        service: &'static str,
        /// Why.
        reason: String,
        /// The start of the body.
        body: String,
    },
}

impl HttpError {
    /// Worth retrying later.
    pub fn is_retryable(&self) -> bool {
        matches!(self.disposition(), Disposition::Retry { .. })
    }

    /// The delay the server asked for.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            HttpError::RateLimited { retry_after, .. } | HttpError::Server { retry_after, .. } => {
                *retry_after
            }
            _ => None,
        }
    }

    /// The request may have been applied even though it failed (a create should look the thing
    /// up before trying again).
    pub fn outcome_uncertain(&self) -> bool {
        matches!(self, HttpError::NoAnswer { .. } | HttpError::Server { .. })
    }

    /// A decode error for an answer that was not what the caller expected.
    pub fn decode(service: &'static str, reason: impl Into<String>, body: &str) -> Self {
        HttpError::Decode {
            service,
            reason: reason.into(),
            body: truncate(body),
        }
    }
}

impl Classify for HttpError {
    fn disposition(&self) -> Disposition {
        match self {
            HttpError::RateLimited { .. }
            | HttpError::Server { .. }
            | HttpError::Connect { .. }
            | HttpError::NoAnswer { .. } => Disposition::Retry {
                after: self.retry_after(),
            },
            HttpError::NotFound { .. } => Disposition::NotFound,
            HttpError::Auth { .. }
            | HttpError::Validation { .. }
            | HttpError::Rejected { .. }
            | HttpError::Decode { .. } => Disposition::Reject,
        }
    }
}

impl Unauthorized for HttpError {
    fn is_unauthorized(&self) -> bool {
        matches!(self, HttpError::Auth { status: 401, .. })
    }
}

/// The first 500 characters, for error messages.
pub fn truncate(body: &str) -> String {
    body.chars().take(500).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dispositions_follow_the_kind_of_failure() {
        let server = HttpError::Server {
            service: "X",
            status: 503,
            request_id: None,
            retry_after: Some(Duration::from_secs(7)),
            body: String::new(),
        };
        assert_eq!(
            server.disposition(),
            Disposition::Retry {
                after: Some(Duration::from_secs(7))
            }
        );
        assert!(server.outcome_uncertain());
        let missing = HttpError::NotFound {
            service: "X",
            what: "/a".to_owned(),
        };
        assert_eq!(missing.disposition(), Disposition::NotFound);
        let refused = HttpError::Rejected {
            service: "X",
            status: 400,
            body: String::new(),
        };
        assert_eq!(refused.disposition(), Disposition::Reject);
        assert!(!refused.is_retryable());
        assert!(
            HttpError::Auth {
                service: "X",
                status: 401
            }
            .is_unauthorized()
        );
        assert!(
            !HttpError::Auth {
                service: "X",
                status: 403
            }
            .is_unauthorized()
        );
    }
}
