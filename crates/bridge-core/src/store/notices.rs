//! Notices for people (see `crate::notify`): recorded once per order and reason, then posted.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{Store, StoreResult, to_millis};
use crate::domain::OrderKey;

/// A notice to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotice {
    /// The order.
    pub order_key: OrderKey,
    /// Why (`attention:unshippable:no_region`, `dead:create_package`): one notice per order and
    /// reason, ever.
    pub reason: String,
    /// The message.
    pub text: String,
}

/// A notice claimed for posting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// Its id.
    pub id: i64,
    /// The order.
    pub order_key: OrderKey,
    /// Why.
    pub reason: String,
    /// The message.
    pub text: String,
    /// Posting attempts, this one included.
    pub attempts: i64,
}

impl Store {
    /// Records notices not recorded before (same order and reason); returns how many were new.
    pub async fn record_notices(
        &self,
        notices: &[NewNotice],
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        if notices.is_empty() {
            return Ok(0);
        }
        let mut tx = self.begin_write().await?;
        let mut recorded = 0;
        for notice in notices {
            let result = sqlx::query(
                "INSERT INTO notices (order_key, reason, text, created_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (order_key, reason) DO NOTHING",
            )
            .bind(notice.order_key.as_str())
            .bind(&notice.reason)
            .bind(&notice.text)
            .bind(to_millis(now))
            .execute(&mut *tx)
            .await?;
            recorded += result.rows_affected();
        }
        tx.commit().await?;
        Ok(recorded)
    }

    /// Claims up to `limit` notices not posted yet (fewer than `max_attempts` tries, not claimed
    /// in the last `claim_for` by this or another replica).
    pub async fn claim_notices(
        &self,
        limit: u32,
        max_attempts: u32,
        claim_for: Duration,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<Notice>> {
        let stale = to_millis(now) - i64::try_from(claim_for.as_millis()).unwrap_or(i64::MAX);
        let candidates: Vec<(i64, String, String, String, i64)> = sqlx::query_as(
            "SELECT id, order_key, reason, text, attempts FROM notices WHERE sent_at IS NULL \
             AND attempts < $1 AND (claimed_at IS NULL OR claimed_at < $2) ORDER BY id LIMIT $3",
        )
        .bind(i64::from(max_attempts))
        .bind(stale)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        let mut claimed = Vec::new();
        for (id, order_key, reason, text, attempts) in candidates {
            let mut tx = self.begin_write().await?;
            let result = sqlx::query(
                "UPDATE notices SET claimed_at = $1, attempts = attempts + 1 WHERE id = $2 \
                 AND sent_at IS NULL AND (claimed_at IS NULL OR claimed_at < $3)",
            )
            .bind(to_millis(now))
            .bind(id)
            .bind(stale)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            if result.rows_affected() == 1 {
                claimed.push(Notice {
                    id,
                    order_key: OrderKey::new(order_key),
                    reason,
                    text,
                    attempts: attempts + 1,
                });
            }
        }
        Ok(claimed)
    }

    /// A notice was posted.
    pub async fn notice_sent(&self, id: i64, now: DateTime<Utc>) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE notices SET sent_at = $1, last_error = NULL WHERE id = $2")
            .bind(to_millis(now))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }

    /// Posting a notice failed; it is tried again once its claim is stale.
    pub async fn notice_failed(&self, id: i64, error: &str) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE notices SET last_error = $1 WHERE id = $2")
            .bind(error)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }
}
