//! Write transactions that cannot poison a connection.
//!
//! A failed statement, `COMMIT` or `BEGIN` (a full disk, an I/O error, a lost lease) must not
//! hand a connection with a half-open transaction back to the pool: with sqlx's own
//! `Transaction`, a failed commit on SQLite left the single writer connection at a non-zero
//! transaction depth, and every later write failed until the bridge was restarted. Here the
//! transaction is plain SQL on a connection the store holds: it is committed, or rolled back,
//! and a connection whose state is in doubt is closed and replaced by a fresh one.
//!
//! The store also remembers whether its last real write failed, so readiness answers 503 until
//! one commits again, whatever its own probe write does.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, Executor};

use super::{Backend, StoreResult};

/// Whether the bridge's own writes work: the outcome of the last one (webhooks, completions,
/// claims — not readiness's probe). A full disk can take the small probe while every
/// webhook's write fails, so only a real write that commits says writes work again (on a
/// running bridge one commits every second: the workers' claim).
#[derive(Debug, Default)]
pub(super) struct WriteHealth {
    failed: AtomicBool,
}

impl WriteHealth {
    /// A write failed, or ended without committing.
    pub(super) fn suspect(&self) {
        self.failed.store(true, Ordering::Relaxed);
    }

    /// A write committed.
    pub(super) fn confirm(&self) {
        self.failed.store(false, Ordering::Relaxed);
    }

    /// Whether the last write failed.
    pub(super) fn failing(&self) -> bool {
        self.failed.load(Ordering::Relaxed)
    }
}

/// An open write transaction.
pub(crate) struct WriteTx {
    conn: PoolConnection<Any>,
    backend: Backend,
    health: Arc<WriteHealth>,
    finished: bool,
}

impl WriteTx {
    /// Starts a transaction on `conn`. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so a transaction that reads then writes cannot fail half-way on a
    /// lock upgrade.
    pub(super) async fn begin(
        mut conn: PoolConnection<Any>,
        backend: Backend,
        health: Arc<WriteHealth>,
    ) -> StoreResult<WriteTx> {
        let begin = match backend {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        };
        if let Err(error) = conn.execute(begin).await {
            health.suspect();
            conn.close_on_drop();
            return Err(error.into());
        }
        Ok(WriteTx {
            conn,
            backend,
            health,
            finished: false,
        })
    }

    /// `rows` groups of `columns` placeholders for a multi-row `VALUES`, bound in order:
    /// `($1, $2), ($3, $4)` on PostgreSQL. On SQLite they are anonymous (`(?, ?), (?, ?)`):
    /// SQLite finds a named parameter's number by walking a list, once per parameter, which
    /// makes binding a statement of a few hundred `$N` quadratic on its single writer.
    /// `row` writes one group from a placeholder-maker, for rows with literals among them.
    pub(crate) fn value_rows(
        &self,
        rows: usize,
        row: impl Fn(&mut dyn FnMut() -> String) -> String,
    ) -> String {
        let mut next = 0;
        let backend = self.backend;
        let mut placeholder = move || {
            next += 1;
            match backend {
                Backend::Sqlite => "?".to_owned(),
                Backend::Postgres => format!("${next}"),
            }
        };
        let groups: Vec<String> = (0..rows).map(|_| row(&mut placeholder)).collect();
        groups.join(", ")
    }

    /// [`WriteTx::value_rows`] with nothing but placeholders in each group.
    pub(crate) fn placeholder_rows(&self, rows: usize, columns: usize) -> String {
        self.value_rows(rows, |next| {
            let values: Vec<String> = (0..columns).map(|_| next()).collect();
            format!("({})", values.join(", "))
        })
    }

    /// Commits. On failure the transaction is rolled back (or, if even that fails, its
    /// connection is closed), so the pool only ever holds clean connections.
    pub(crate) async fn commit(mut self) -> StoreResult<()> {
        let outcome = self.conn.execute("COMMIT").await;
        self.finished = true;
        match outcome {
            Ok(_) => {
                self.health.confirm();
                Ok(())
            }
            Err(error) => {
                self.health.suspect();
                if self.conn.execute("ROLLBACK").await.is_err() {
                    self.conn.close_on_drop();
                }
                Err(error.into())
            }
        }
    }
}

/// A savepoint inside a write transaction: a part that can fail alone.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Savepoint {
    /// One job's completion in a batch.
    Completion,
    /// The claim that follows a batch of completions.
    Claim,
    /// The webhooks stored with a batch of completions.
    Intake,
}

impl Savepoint {
    fn statements(self) -> [&'static str; 3] {
        match self {
            Savepoint::Completion => [
                "SAVEPOINT completion",
                "RELEASE SAVEPOINT completion",
                "ROLLBACK TO SAVEPOINT completion",
            ],
            Savepoint::Claim => [
                "SAVEPOINT claim",
                "RELEASE SAVEPOINT claim",
                "ROLLBACK TO SAVEPOINT claim",
            ],
            Savepoint::Intake => [
                "SAVEPOINT intake",
                "RELEASE SAVEPOINT intake",
                "ROLLBACK TO SAVEPOINT intake",
            ],
        }
    }
}

impl WriteTx {
    /// Opens `savepoint`.
    pub(crate) async fn savepoint(&mut self, savepoint: Savepoint) -> StoreResult<()> {
        let [open, _, _] = savepoint.statements();
        self.conn.execute(open).await?;
        Ok(())
    }

    /// Ends `savepoint`, keeping its changes when `keep`, undoing them otherwise (on
    /// PostgreSQL this also ends the aborted state a failed statement left).
    pub(crate) async fn end_savepoint(
        &mut self,
        savepoint: Savepoint,
        keep: bool,
    ) -> StoreResult<()> {
        let [_, release, undo] = savepoint.statements();
        if !keep {
            self.conn.execute(undo).await?;
        }
        self.conn.execute(release).await?;
        Ok(())
    }

    /// Rolls back. If even that fails, the connection is closed (the database rolls back).
    pub(crate) async fn rollback(mut self) -> StoreResult<()> {
        let outcome = self.conn.execute("ROLLBACK").await;
        self.finished = true;
        if let Err(error) = outcome {
            self.health.suspect();
            self.conn.close_on_drop();
            return Err(error.into());
        }
        Ok(())
    }
}

impl Drop for WriteTx {
    /// Dropped before `commit` (a statement failed, or a lease was lost): the transaction is
    /// still open, so the connection is closed rather than returned to the pool; the database
    /// rolls the transaction back.
    fn drop(&mut self) {
        if !self.finished {
            self.health.suspect();
            self.conn.close_on_drop();
        }
    }
}

impl Deref for WriteTx {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        &self.conn
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.conn
    }
}
