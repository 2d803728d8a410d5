//! Durable storage: inbound events, the job queue, orders and their timelines.
//!
//! One [`Store`] serves both backends through sqlx's `Any` driver: the schema stores only
//! integers, text and bytes (times as Unix milliseconds, JSON as text), so the SQL is shared and
//! only the few dialect-specific statements (claiming jobs, opening a write transaction) branch on
//! [`Backend`]. Everything above this module is backend-agnostic.
//!
//! Rules kept here: a write transaction never spans a network call (callers do their HTTP first,
//! then hand the results to one short transaction), and every state change that a job causes is
//! committed together with the job's completion, guarded by its lease.

mod enqueue;
mod group_commit;
mod inbound;
mod jobs;
mod known_keys;
mod queue;
#[macro_use]
mod orders;
mod reports;
mod rows;
mod search;
mod sessions;
mod shipments;
mod write;

use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Once};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Executor};

pub use crate::workflow::{TimelineEntry, TimelineKind};
pub use group_commit::{CompletionWriter, IntakeWriter};
pub use inbound::{InboundEventRecord, Intake, JobsFor, NewInboundEvent};
pub use jobs::{JobEffects, JobFilter, WrittenBatch};
pub use orders::TimelineRecord;
pub use orders::fold_name;
pub use queue::{ClaimedJob, JobCounts, JobInputs, JobRecord, JobState};
pub use reports::ReportError;
pub use search::{MAX_PAGE, OrderPage, OrderQuery};
pub use sessions::StoredSession;
pub use shipments::{Shipment, ShipmentState};
use write::WriteHealth;
pub(crate) use write::WriteTx;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/postgres");

/// Which database engine a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// Embedded, one file; the default.
    Sqlite,
    /// For several replicas sharing one database.
    Postgres,
}

/// SQLite's `synchronous` pragma: how hard a commit waits for the disk.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SqliteSynchronous {
    /// Every commit reaches the disk before the webhook is acknowledged (survives power loss).
    #[default]
    Full,
    /// Commits survive a crash of the bridge but the last ones may be lost on power loss.
    Normal,
}

/// Database settings (`[database]`). `Debug` hides the password in the URL.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseSettings {
    /// `sqlite://path/to/file.db` or `postgres://user@host/db`.
    pub url: String,
    /// SQLite only: `full` (default) or `normal`.
    pub sqlite_synchronous: SqliteSynchronous,
    /// How long a query waits for a locked SQLite database or a pooled connection.
    #[serde(with = "humantime_serde")]
    pub busy_timeout: Duration,
    /// Most connections in the pool (readers, for SQLite; all, for PostgreSQL).
    pub max_connections: u32,
    /// Run pending migrations when the bridge starts.
    pub migrate_on_start: bool,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        DatabaseSettings {
            url: "sqlite://data/shaq-bridge.db".to_owned(),
            sqlite_synchronous: SqliteSynchronous::Full,
            busy_timeout: Duration::from_secs(5),
            max_connections: 8,
            migrate_on_start: true,
        }
    }
}

impl std::fmt::Debug for DatabaseSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabaseSettings")
            .field("url", &self.redacted_url())
            .field("sqlite_synchronous", &self.sqlite_synchronous)
            .field("busy_timeout", &self.busy_timeout)
            .field("max_connections", &self.max_connections)
            .field("migrate_on_start", &self.migrate_on_start)
            .finish()
    }
}

impl DatabaseSettings {
    /// The backend the URL names.
    pub fn backend(&self) -> Result<Backend, String> {
        if self.url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if self.url.starts_with("postgres://") || self.url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err("database.url must start with sqlite:// or postgres://".to_owned())
        }
    }

    /// Checks the values, naming the key that is wrong.
    pub fn validate(&self) -> Result<(), String> {
        self.backend()?;
        if self.max_connections == 0 {
            return Err("database.max_connections must be at least 1".to_owned());
        }
        Ok(())
    }

    /// The URL with any password replaced, for logs and `check-config`.
    pub fn redacted_url(&self) -> String {
        crate::settings::redact_url(&self.url)
    }
}

/// What can go wrong in storage.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed a query.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A migration could not be applied.
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// The settings cannot be used.
    #[error("{0}")]
    Config(String),
    /// The worker's lease on a job was lost (it expired and another worker took the job).
    #[error("lease on job {job_id} was lost")]
    LeaseLost {
        /// The job.
        job_id: i64,
    },
    /// Intake is saturated: the sender should retry shortly (503).
    #[error("too many webhooks at once; retry shortly")]
    Overloaded,
    /// The store is shutting down.
    #[error("the store is shutting down")]
    Closed,
    /// The batch this write was part of failed.
    #[error("storing the batch failed: {0}")]
    BatchFailed(String),
    /// A stored value could not be read back.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// A probe write did not finish in time.
    #[error("a write did not finish in time")]
    WriteTimedOut,
    /// Most writes of the last moments failed.
    #[error("writes have been failing")]
    WritesFailing,
}

/// Shorthand for storage results.
pub type StoreResult<T> = Result<T, StoreError>;

/// Webhooks that may wait for the writer; beyond this intake answers 503 at once.
const INTAKE_QUEUE: usize = 4096;
/// Webhooks stored in one transaction.
const INTAKE_BATCH: usize = 128;
/// Completions stored in one transaction (each worker has at most one waiting).
const COMPLETION_BATCH: usize = 1024;

/// The bridge's database.
#[derive(Debug, Clone)]
pub struct Store {
    backend: Backend,
    /// All reads; on PostgreSQL, writes too.
    pool: AnyPool,
    /// SQLite allows one writer at a time: a one-connection pool queues writers in the process
    /// instead of letting them fight over the lock with `SQLITE_BUSY`.
    writer: AnyPool,
    /// Whether the last write failed (readiness probes until one succeeds).
    health: Arc<WriteHealth>,
    /// When the claim last looked for expired leases (Unix ms).
    last_requeue: Arc<std::sync::atomic::AtomicI64>,
    #[cfg_attr(not(any(test, feature = "test-support")), allow(dead_code))]
    /// SQLite only, for fault-injection tests: every connection opened from now on refuses
    /// writes, as when the database files cannot be written (a full disk, a read-only mount).
    unwritable: Arc<AtomicBool>,
    /// The writer task shared by intake and the workers, started on first use (it needs the
    /// runtime).
    shared_writers: Arc<std::sync::OnceLock<(IntakeWriter, CompletionWriter)>>,
    /// Package and ticket references → order keys, remembered (see [`known_keys`]).
    known: Arc<known_keys::KnownKeys>,
}

impl Store {
    /// Connects (creating an SQLite file and its folder if missing) and, if the settings say so,
    /// applies pending migrations.
    pub async fn connect(settings: &DatabaseSettings) -> StoreResult<Store> {
        static DRIVERS: Once = Once::new();
        DRIVERS.call_once(sqlx::any::install_default_drivers);

        let backend = settings.backend().map_err(StoreError::Config)?;
        let store = match backend {
            Backend::Sqlite => Self::connect_sqlite(settings).await?,
            Backend::Postgres => Self::connect_postgres(settings).await?,
        };
        if settings.migrate_on_start {
            store.migrate().await?;
        }
        Ok(store)
    }

    /// As [`Store::connect`], for commands that read what the bridge stored (`orders`, `jobs`,
    /// `retention`): an SQLite file that does not exist is an error, not a new empty database,
    /// so running from the wrong folder does not look like "no orders".
    pub async fn open_existing(settings: &DatabaseSettings) -> StoreResult<Store> {
        if settings.backend().map_err(StoreError::Config)? == Backend::Sqlite {
            let path = sqlite_path(&settings.url);
            let in_memory = path.is_empty() || path.contains(":memory:");
            if !in_memory && !std::path::Path::new(&path).exists() {
                let folder = std::env::current_dir()
                    .map(|d| d.display().to_string())
                    .unwrap_or_default();
                return Err(StoreError::Config(format!(
                    "no database at `{path}` (from {folder}): run this where the bridge runs, \
                     or give its settings with --config; `shaq-bridge migrate` creates a new one"
                )));
            }
        }
        Self::connect(settings).await
    }

    async fn connect_sqlite(settings: &DatabaseSettings) -> StoreResult<Store> {
        let path = sqlite_path(&settings.url);
        if let Some(parent) = std::path::Path::new(&path).parent()
            && !parent.as_os_str().is_empty()
        {
            create_private_dir(parent).map_err(|e| {
                StoreError::Config(format!(
                    "database.url: cannot create folder {}: {e}",
                    parent.display()
                ))
            })?;
        }
        // The database holds customers' names, phones and addresses: only the bridge's user
        // may read it. SQLite gives its -wal and -shm files the database file's permissions.
        create_private_file(std::path::Path::new(&path))
            .map_err(|e| StoreError::Config(format!("database.url: cannot create {path}: {e}")))?;
        let url = if settings.url.contains('?') {
            settings.url.clone()
        } else {
            format!("{}?mode=rwc", settings.url)
        };
        let options = AnyConnectOptions::from_str(&url)?.disable_statement_logging();
        let synchronous = match settings.sqlite_synchronous {
            SqliteSynchronous::Full => "FULL",
            SqliteSynchronous::Normal => "NORMAL",
        };
        let pragmas = format!(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = {synchronous}; \
             PRAGMA busy_timeout = {}; PRAGMA foreign_keys = ON;",
            settings.busy_timeout.as_millis()
        );
        // The writer keeps its statement and savepoint journals in memory: by default one
        // spills to a temporary file past 64 KiB, and the writer's batches under savepoints
        // wrote and deleted such a file on every transaction. They only undo a statement or a
        // savepoint inside a transaction; crash recovery is the WAL's, unchanged. (Readers keep
        // the default, so a large report's sorting may still spill to disk, not to memory.)
        let writer_pragmas = format!("{pragmas} PRAGMA temp_store = MEMORY;");
        let unwritable = Arc::new(AtomicBool::new(false));
        let pool_for = |max: u32, pragmas: &str| {
            let pragmas = pragmas.to_owned();
            let unwritable = unwritable.clone();
            AnyPoolOptions::new()
                .max_connections(max)
                .acquire_timeout(settings.busy_timeout.max(Duration::from_secs(5)))
                // An embedded database has no network to lose a connection to: pinging it
                // before every use was one more round trip to its thread per query. A
                // connection whose transaction failed is closed by `WriteTx` instead.
                .test_before_acquire(false)
                .after_connect(move |conn, _meta| {
                    let pragmas = pragmas.clone();
                    let unwritable = unwritable.load(Ordering::Relaxed);
                    Box::pin(async move {
                        conn.execute(sqlx::AssertSqlSafe(pragmas)).await?;
                        if unwritable {
                            conn.execute("PRAGMA query_only = ON").await?;
                        }
                        Ok(())
                    })
                })
                .connect_with(options.clone())
        };
        let writer = pool_for(1, &writer_pragmas).await?;
        let pool = pool_for(settings.max_connections, &pragmas).await?;
        Ok(Store {
            backend: Backend::Sqlite,
            pool,
            writer,
            health: Arc::default(),
            last_requeue: Arc::default(),
            unwritable,
            shared_writers: Arc::default(),
            known: Arc::default(),
        })
    }

    async fn connect_postgres(settings: &DatabaseSettings) -> StoreResult<Store> {
        let options = AnyConnectOptions::from_str(&settings.url)?.disable_statement_logging();
        let pool = AnyPoolOptions::new()
            .max_connections(settings.max_connections)
            .acquire_timeout(settings.busy_timeout.max(Duration::from_secs(5)))
            .connect_with(options)
            .await?;
        Ok(Store {
            backend: Backend::Postgres,
            writer: pool.clone(),
            pool,
            health: Arc::default(),
            last_requeue: Arc::default(),
            unwritable: Arc::default(),
            shared_writers: Arc::default(),
            known: Arc::default(),
        })
    }

    /// Which engine this store uses.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applies pending migrations (idempotent).
    pub async fn migrate(&self) -> StoreResult<()> {
        self.migrator().run(&self.writer).await?;
        Ok(())
    }

    fn migrator(&self) -> &'static sqlx::migrate::Migrator {
        match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    /// Ready to serve: the database answers and every migration this build knows is applied.
    pub async fn readiness(&self) -> StoreResult<()> {
        let applied: Vec<(i64,)> =
            sqlx::query_as("SELECT version FROM _sqlx_migrations WHERE success = TRUE")
                .fetch_all(&self.pool)
                .await?;
        let missing: Vec<i64> = self
            .migrator()
            .iter()
            .map(|m| m.version)
            .filter(|v| !applied.iter().any(|(a,)| a == v))
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(StoreError::Config(format!(
                "migrations not applied: {missing:?} (run `shaq-bridge migrate`)"
            )))
        }
    }

    /// The writer intake and the workers share (see [`group_commit`]; on PostgreSQL two
    /// writer tasks, one for each): webhooks waiting
    /// beyond [`INTAKE_QUEUE`] are refused (503) rather than left to hang; one transaction
    /// takes up to [`INTAKE_BATCH`] webhooks and every completion waiting.
    fn shared_writers(&self) -> &(IntakeWriter, CompletionWriter) {
        self.shared_writers.get_or_init(|| {
            // The writers hold a copy of the store without them: one holding its own writers'
            // senders would never see its queue close, and never end.
            let store = Store {
                shared_writers: Arc::default(),
                ..self.clone()
            };
            match self.backend {
                // One connection writes: webhooks and completions share its transactions rather
                // than take turns, each with a disk sync.
                Backend::Sqlite => {
                    group_commit::writers(store, INTAKE_QUEUE, INTAKE_BATCH, COMPLETION_BATCH)
                }
                // Transactions run side by side: webhooks need not wait behind a batch of
                // completions (measured: sharing cost PostgreSQL 5 % of its orders/s). The
                // completions' writer runs on a thread of its own, with its own connection.
                Backend::Postgres => (
                    IntakeWriter::spawn(store.clone(), INTAKE_QUEUE, INTAKE_BATCH),
                    CompletionWriter::spawn_on_its_own_thread(store, COMPLETION_BATCH),
                ),
            }
        })
    }

    /// Where webhooks are stored (the shared writer). Call within the runtime.
    pub fn intake_writer(&self) -> IntakeWriter {
        self.shared_writers().0.clone()
    }

    /// Where jobs are completed and claimed (the shared writer). Call within the runtime.
    pub fn completion_writer(&self) -> &CompletionWriter {
        &self.shared_writers().1
    }

    /// Closes every connection (at shutdown).
    pub async fn close(&self) {
        if let Some((_, completions)) = self.shared_writers.get() {
            completions.close().await;
        }
        self.writer.close().await;
        self.pool.close().await;
    }

    /// Opens a write transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`),
    /// so a transaction that reads then writes cannot fail half-way on a lock upgrade.
    async fn begin_write(&self) -> StoreResult<WriteTx> {
        let conn = self
            .writer
            .acquire()
            .await
            .inspect_err(|_| self.health.suspect())?;
        WriteTx::begin(conn, self.backend, self.health.clone()).await
    }

    /// Makes the SQLite database refuse every write (`true`: on the writer connection and every
    /// new one, as when its files cannot be written) or take them again (`false`), to test that
    /// the bridge survives and recovers without a restart.
    #[cfg(any(test, feature = "test-support"))]
    pub async fn simulate_unwritable_disk(&self, unwritable: bool) -> StoreResult<()> {
        self.unwritable.store(unwritable, Ordering::Relaxed);
        let pragma = if unwritable {
            "PRAGMA query_only = ON"
        } else {
            "PRAGMA query_only = OFF"
        };
        let mut conn = self.writer.acquire().await?;
        conn.execute(pragma).await?;
        Ok(())
    }

    /// Whether the database takes writes now: the bridge's last real write did not fail, and a
    /// probe write commits within `within`.
    pub async fn writable(&self, within: Duration) -> StoreResult<()> {
        // Writes that fail (a full disk fails the large webhook bodies while a small probe
        // still fits) make the bridge unready whatever the probe says.
        if self.health.failing() {
            return Err(StoreError::WritesFailing);
        }
        let probe = async {
            // The probe's outcome is its own: it neither clears nor sets the real writes'.
            let conn = self.writer.acquire().await?;
            let mut tx = WriteTx::begin(conn, self.backend, Arc::default()).await?;
            sqlx::query(
                "INSERT INTO write_probe (id, at) VALUES (1, $1) \
                 ON CONFLICT (id) DO UPDATE SET at = excluded.at",
            )
            .bind(to_millis(Utc::now()))
            .execute(&mut *tx)
            .await?;
            tx.commit().await
        };
        // A write that does not finish in time (a frozen filesystem, a stalled server) is a
        // write that does not work.
        tokio::time::timeout(within, probe)
            .await
            .unwrap_or(Err(StoreError::WriteTimedOut))
    }
}

fn sqlite_path(url: &str) -> String {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    rest.split('?').next().unwrap_or(rest).to_owned()
}

/// Creates `dir` (and its parents) readable by the owner only, if missing.
fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Creates an empty `file` readable and writable by the owner only, unless it exists.
fn create_private_file(file: &std::path::Path) -> std::io::Result<()> {
    if file.as_os_str().is_empty() || file.to_str().is_some_and(|f| f.starts_with(':')) {
        return Ok(()); // in-memory databases
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(file) {
        Ok(_) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(error) => Err(error),
    }
}

/// Milliseconds since the Unix epoch: how times are stored.
pub(crate) fn to_millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

/// Reads a stored time back.
pub(crate) fn from_millis(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_follows_the_url_scheme() {
        let mut settings = DatabaseSettings::default();
        assert_eq!(settings.backend(), Ok(Backend::Sqlite));
        settings.url = "postgres://postgres@127.0.0.1/test".to_owned();
        assert_eq!(settings.backend(), Ok(Backend::Postgres));
        settings.url = "mysql://x".to_owned();
        assert!(settings.validate().is_err());
    }

    #[test]
    fn redacted_url_hides_the_password_only() {
        let settings = DatabaseSettings {
            url: "postgres://bridge:s3cret@db.internal:5432/bridge".to_owned(),
            ..DatabaseSettings::default()
        };
        assert_eq!(
            settings.redacted_url(),
            "postgres://bridge:[redacted]@db.internal:5432/bridge"
        );
        let settings = DatabaseSettings {
            url: "postgres://postgres@127.0.0.1/test".to_owned(),
            ..DatabaseSettings::default()
        };
        assert_eq!(settings.redacted_url(), settings.url);
    }

    #[test]
    fn sqlite_path_strips_scheme_and_query() {
        assert_eq!(sqlite_path("sqlite://data/x.db?mode=rwc"), "data/x.db");
        assert_eq!(sqlite_path("sqlite:///tmp/x.db"), "/tmp/x.db");
    }
}
