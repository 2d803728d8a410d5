//! The shaq-bridge domain: the order lifecycle and workflow, intake of webhooks, the durable job
//! queue, storage on SQLite or PostgreSQL, and the retry policy. No HTTP framework here: the
//! server crate drives it.

pub mod backfill;
pub mod domain;
pub mod intake;
pub mod invoice;
pub mod jobs;
pub mod lifecycle;
pub mod maintenance;
pub mod notify;
pub mod reports;
pub mod retry;
pub mod settings;
pub mod shop;
pub mod store;
pub mod worker;
pub mod workflow;

#[cfg(feature = "test-support")]
pub mod testing;
