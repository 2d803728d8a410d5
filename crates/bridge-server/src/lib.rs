//! The shaq-bridge daemon: HTTP intake of shop, ShaQ and Digishare webhooks, the workers that
//! run the jobs, the admin API, and the command line.

pub mod api_credentials;
pub mod auth;
pub mod cli;
pub mod client_address;
pub mod configuration;
pub mod console;
#[cfg(feature = "demo")]
pub mod demo;
pub mod downloads;
pub mod error;
pub mod export;
pub mod http_metrics;
pub mod idle;
pub mod operations;
pub mod queries;
pub mod rate_limit;
pub mod refusals;
pub mod reports;
pub mod routes;
pub mod serve;
pub mod setup;
pub mod sign_in;
pub mod startup;
pub mod state;
pub mod telemetry;
