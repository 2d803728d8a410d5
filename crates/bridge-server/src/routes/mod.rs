//! HTTP routes, one module per area, merged in [`crate::startup`].

pub mod admin;
pub mod health;
pub mod webhooks;
