//! The one outbound HTTP foundation of shaq-bridge: every upstream (ShaQ, Digishare, each shop's
//! admin API) is reached through an [`Upstream`], so they all share
//!
//! - one client setup: user agent, request and connect timeouts, rustls;
//! - a client-side rate limit per upstream;
//! - a cap on the size of an answer (a misbehaving server cannot exhaust memory);
//! - one sorting of failures into [`HttpError`] (`Retry-After` in seconds or as an HTTP date,
//!   Laravel-style 422 field errors, request ids), and one [`Disposition`] per failure that
//!   tells a caller whether to retry, give up, or treat the thing as missing;
//! - one bearer-token cache ([`TokenCache`]) that logs in once for concurrent callers and logs
//!   in again once after a 401.
//!
//! It knows nothing of the services it talks to: their clients build on it.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use outbound_http::{Upstream, UpstreamConfig};
//! use reqwest::Method;
//!
//! let upstream = Upstream::new(UpstreamConfig::new("Example", "https://api.example.com/v1"))?;
//! let answer = upstream
//!     .send(upstream.request(Method::GET, "/status"), "/status")
//!     .await?;
//! println!("{}", answer.json()?);
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

mod error;
mod retry_after;
mod token;
mod upstream;

pub use error::{Classify, Disposition, HttpError, Unauthorized, truncate};
pub use retry_after::retry_after;
pub use token::{Lease, TokenCache};
pub use upstream::{Answer, USER_AGENT, Upstream, UpstreamConfig};
