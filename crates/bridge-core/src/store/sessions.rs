//! Console sign-ins, kept server-side (`console_sessions`): the server decides whether a
//! session is still valid, so signing out, a changed password or an operator removed from the
//! settings end it at once, on every replica.

use chrono::{DateTime, Utc};

use super::{Store, StoreResult, from_millis, to_millis};

/// A stored sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSession {
    /// Its id (random; the cookie carries it, signed).
    pub id: String,
    /// Who signed in.
    pub operator: String,
    /// A fingerprint of the credential they signed in with.
    pub credential: String,
    /// The token every form of the session carries.
    pub csrf: String,
    /// When it ends.
    pub expires_at: DateTime<Utc>,
}

impl Store {
    /// Records a sign-in (and forgets the sessions that ended).
    pub async fn create_session(
        &self,
        session: &StoredSession,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM console_sessions WHERE expires_at <= $1")
            .bind(to_millis(now))
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO console_sessions (id, operator, credential, csrf, created_at, \
             expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&session.id)
        .bind(&session.operator)
        .bind(&session.credential)
        .bind(&session.csrf)
        .bind(to_millis(now))
        .bind(to_millis(session.expires_at))
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    /// The session with this id, if it has not ended by `now`.
    pub async fn session(
        &self,
        id: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<StoredSession>> {
        let row: Option<(String, String, String, String, i64)> = sqlx::query_as(
            "SELECT id, operator, credential, csrf, expires_at FROM console_sessions \
             WHERE id = $1 AND expires_at > $2",
        )
        .bind(id)
        .bind(to_millis(now))
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(
            |(id, operator, credential, csrf, expires_at)| StoredSession {
                id,
                operator,
                credential,
                csrf,
                expires_at: from_millis(expires_at),
            },
        ))
    }

    /// Ends a session (signing out).
    pub async fn end_session(&self, id: &str) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM console_sessions WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }
}
