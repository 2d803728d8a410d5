//! The bridge over real HTTP: one test binary, a module per area.

#![allow(clippy::unwrap_used)]

mod admin;
mod browser;
mod cli;
mod console;
mod doors;
mod extremes;
mod health;
mod helpers;
mod journeys;
mod openapi;
mod sandbox;
mod webhooks;
