//! Fresh databases for tests (feature `test-support`): an SQLite file in a temporary folder, or a
//! new PostgreSQL database on the server named by `BRIDGE_TEST_POSTGRES_URL`.

use std::str::FromStr;

use sqlx::{ConnectOptions, Connection, Executor};

use crate::store::{DatabaseSettings, Store};

/// The environment variable that switches the PostgreSQL suites on.
pub const POSTGRES_URL_VAR: &str = "BRIDGE_TEST_POSTGRES_URL";

/// A store on a fresh database, and what keeps that database alive.
pub struct TestDatabase {
    /// The store, migrated.
    pub store: Store,
    /// The settings a bridge would use to reach the same database.
    pub settings: DatabaseSettings,
    _dir: Option<tempfile::TempDir>,
}

/// Which backend a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestBackend {
    /// A temporary SQLite file.
    Sqlite,
    /// A new database on the test PostgreSQL server.
    Postgres,
}

impl TestDatabase {
    /// A fresh, migrated database on `backend`.
    ///
    /// # Panics
    /// If the database cannot be created: a test environment problem must fail loudly, never
    /// turn into a skipped test.
    pub async fn new(backend: TestBackend) -> TestDatabase {
        match backend {
            TestBackend::Sqlite => Self::sqlite().await,
            TestBackend::Postgres => Self::postgres().await,
        }
    }

    async fn sqlite() -> TestDatabase {
        let dir = tempfile::tempdir().expect("a temporary folder for the test database");
        let settings = DatabaseSettings {
            url: format!("sqlite://{}", dir.path().join("bridge.db").display()),
            ..DatabaseSettings::default()
        };
        let store = Store::connect(&settings)
            .await
            .expect("the SQLite test database opens");
        TestDatabase {
            store,
            settings,
            _dir: Some(dir),
        }
    }

    async fn postgres() -> TestDatabase {
        let admin_url = std::env::var(POSTGRES_URL_VAR)
            .expect("BRIDGE_TEST_POSTGRES_URL is set when the PostgreSQL suite runs");
        let name = format!("bridge_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = sqlx::postgres::PgConnectOptions::from_str(&admin_url)
            .expect("BRIDGE_TEST_POSTGRES_URL is a valid URL")
            .disable_statement_logging()
            .connect()
            .await
            .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {admin_url}: {e}"));
        admin
            .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .await
            .expect("CREATE DATABASE for the test");
        admin.close().await.ok();
        let settings = DatabaseSettings {
            url: replace_database(&admin_url, &name),
            max_connections: 4,
            ..DatabaseSettings::default()
        };
        let store = Store::connect(&settings)
            .await
            .expect("the PostgreSQL test database opens");
        TestDatabase {
            store,
            settings,
            _dir: None,
        }
    }
}

/// `postgres://u@h:5432/test?x` with the database name replaced.
fn replace_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_part = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{host_part}/{database}?{query}"),
        None => format!("{host_part}/{database}"),
    }
}

#[cfg(test)]
mod tests {
    use super::replace_database;

    #[test]
    fn database_name_is_replaced() {
        assert_eq!(
            replace_database("postgres://postgres@127.0.0.1:5432/test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            replace_database("postgres://postgres@localhost", "x"),
            "postgres://postgres@localhost/x"
        );
        assert_eq!(
            replace_database("postgres://p@h/test?sslmode=disable", "x"),
            "postgres://p@h/x?sslmode=disable"
        );
    }
}
