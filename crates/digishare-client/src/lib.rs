//! A typed client for the Digishare API (WhatsApp tickets) and its ticket webhooks.
//!
//! ```no_run
//! # async fn demo() -> Result<(), digishare_client::DigishareError> {
//! use digishare_client::{Auth, DigishareClient, DigishareConfig, NewTicket, UpdateMethod};
//! use std::time::Duration;
//!
//! let client = DigishareClient::new(DigishareConfig {
//!     base_url: "https://api.digishare.ma/v1".to_owned(),
//!     auth: Auth::PersonalAccessToken("token".to_owned().into()),
//!     timeout: Duration::from_secs(30),
//!     connect_timeout: Duration::from_secs(5),
//!     requests_per_second: None,
//!     max_in_flight: None,
//!     update_method: UpdateMethod::Put,
//! })?;
//! let ticket = client
//!     .create_ticket(&NewTicket::new("kente-5127", "npvrxamq9l94y8dz", "x9q3wrlv0m7vzea8", "Order #5127"))
//!     .await?;
//! println!("ticket {}", ticket.id);
//! # Ok(()) }
//! ```
//!
//! Tokens (a Personal Access Token, or OAuth client credentials) are shared by concurrent
//! callers and re-issued once on a 401. The crate knows nothing of shops, ShaQ or the bridge.

#![warn(missing_docs)]

mod client;
mod error;
mod types;
pub mod webhook;

pub use client::{Auth, DigishareClient, DigishareConfig, UpdateMethod};
pub use error::{DigishareError, HttpError};
pub use outbound_http::{Classify, Disposition};
pub use types::{
    MediaRef, MediaUpload, NewTicket, Page, Third, Ticket, TicketFilter, TicketUpdate,
};
