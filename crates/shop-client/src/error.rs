//! How writing to a shop failed.

use outbound_http::{Classify, Disposition, HttpError, Unauthorized};

/// What went wrong talking to a shop's admin API.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ShopError {
    /// The call failed on the wire or the shop refused it (sorted as for every upstream).
    #[error(transparent)]
    Http(#[from] HttpError),
    /// Shopify answered 200 with `errors` or `userErrors`.
    #[error("{operation}: {errors}")]
    GraphQl {
        /// The query or mutation.
        operation: &'static str,
        /// What Shopify said.
        errors: String,
        /// Shopify throttled the query (retry shortly).
        throttled: bool,
    },
    /// The order is not ready for this yet (a fulfilment event before the fulfilment exists).
    #[error("{0}")]
    NotYet(String),
    /// The client could not be built.
    #[error("invalid shop client: {0}")]
    Invalid(String),
}

impl Classify for ShopError {
    fn disposition(&self) -> Disposition {
        match self {
            ShopError::Http(error) => error.disposition(),
            ShopError::GraphQl {
                throttled: true, ..
            } => Disposition::Retry {
                after: Some(std::time::Duration::from_secs(2)),
            },
            ShopError::NotYet(_) => Disposition::Retry { after: None },
            ShopError::GraphQl { .. } | ShopError::Invalid(_) => Disposition::Reject,
        }
    }
}

impl Unauthorized for ShopError {
    fn is_unauthorized(&self) -> bool {
        matches!(self, ShopError::Http(error) if error.is_unauthorized())
    }
}
