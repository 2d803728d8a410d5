//! The shaq-bridge domain: the order lifecycle, the durable job queue, storage on SQLite or
//! PostgreSQL, and the retry policy. No HTTP framework here: the server crate drives it.

pub mod jobs;
pub mod lifecycle;
pub mod retry;
pub mod store;
pub mod worker;

#[cfg(feature = "test-support")]
pub mod testing;
pub mod workflow;
