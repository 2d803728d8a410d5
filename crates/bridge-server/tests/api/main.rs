//! The bridge over real HTTP: one test binary, a module per area.

#![allow(clippy::unwrap_used)]

/// Runs each named `async fn(TestBackend)` of the calling module on SQLite and on PostgreSQL
/// (the latter ignored unless `BRIDGE_TEST_POSTGRES_URL` is set), as `sqlite::name` and
/// `postgres::name`. The module must have `TestBackend` in scope.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::TestBackend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[cfg_attr(not(postgres_tests), ignore = "PostgreSQL suite not run: set BRIDGE_TEST_POSTGRES_URL")]
                async fn $name() {
                    super::$name(super::TestBackend::Postgres).await;
                }
            )*
        }
    };
}

mod admin;
mod browser;
mod cli;
mod connect;
mod console;
mod doors;
mod extremes;
mod floods;
mod health;
mod helpers;
mod journeys;
mod openapi;
mod sandbox;
mod seeds;
mod webhooks;
