//! A typed client for the ShaQ Express partner API and its webhooks.
//!
//! ```no_run
//! # async fn demo() -> Result<(), shaq_client::ShaqError> {
//! use shaq_client::{ShaqClient, ShaqConfig, ShaqPaths};
//! use std::time::Duration;
//!
//! let client = ShaqClient::new(ShaqConfig {
//!     base_url: "https://test-partner.shaqexpress.com/api/v1".to_owned(),
//!     identifier: "partner".to_owned(),
//!     secret: "secret".to_owned().into(),
//!     timeout: Duration::from_secs(30),
//!     connect_timeout: Duration::from_secs(5),
//!     token_renew_margin: Duration::from_secs(86_400),
//!     requests_per_second: None,
//!     max_in_flight: None,
//!     paths: ShaqPaths::default(),
//! })?;
//! for region in client.regions().await? {
//!     println!("{} {}", region.id, region.name);
//! }
//! # Ok(()) }
//! ```
//!
//! The client logs in lazily, shares one token between concurrent callers, renews it before its
//! 7 days are up and logs in again once on a 401. [`ShaqClient::create_package_idempotent`] adopts
//! a package that already has the `partner_ref`, so a retry after a timeout never creates a
//! second package. The crate knows nothing of shops, Digishare or the bridge.

#![warn(missing_docs)]

mod client;
mod error;
pub mod types;
pub mod webhook;

pub use client::{
    CreateOutcome, LabelOutcome, Original, ReplacementAction, ReplacementPackage, ReplacementRule,
    ShaqClient, ShaqConfig, ShaqPaths,
};
pub use error::{HttpError, ShaqError};
pub use outbound_http::{Classify, Disposition};
pub use types::{
    Collection, Destination, Eta, Handling, Item, NewPackage, Package, PackageBasics,
    PackageStatus, PackageType, PackageUpdate, Region, Tracking,
};
