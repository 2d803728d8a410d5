//! Inbound events: every accepted webhook, stored with its raw body before it is acknowledged.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::jobs::insert_jobs;
use super::{Store, StoreResult, WriteTx, from_millis, to_millis};
use crate::domain::OrderKey;
use crate::workflow::NewJob;

/// A webhook to store.
#[derive(Debug, Clone)]
pub struct NewInboundEvent {
    /// Who sent it: `shop:{shop_id}`, `shaq` or `digishare`.
    pub source: String,
    /// Unique per source: a redelivery carries the same key.
    pub dedupe_key: String,
    /// The order it concerns, when known at intake.
    pub order_key: Option<OrderKey>,
    /// The headers worth keeping (signatures and secrets already removed).
    pub headers: serde_json::Value,
    /// The raw body, byte for byte, for replay.
    pub body: Vec<u8>,
    /// When it arrived.
    pub received_at: DateTime<Utc>,
}

/// What became of a webhook at intake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intake {
    /// Stored for the first time, with its jobs.
    Accepted {
        /// The stored event's id.
        event_id: i64,
    },
    /// Seen before: nothing was stored or enqueued.
    Duplicate,
}

/// A stored inbound event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InboundEventRecord {
    /// Database id.
    pub id: i64,
    /// Who sent it.
    pub source: String,
    /// Its dedupe key.
    pub dedupe_key: String,
    /// The order it concerns, when known.
    pub order_key: Option<OrderKey>,
    /// Kept headers.
    pub headers: serde_json::Value,
    /// Raw body (empty once pruned).
    #[serde(skip)]
    pub body: Vec<u8>,
    /// When it arrived.
    pub received_at: DateTime<Utc>,
    /// What the workflow made of it.
    pub outcome: String,
}

#[derive(sqlx::FromRow)]
struct InboundRow {
    id: i64,
    source: String,
    dedupe_key: String,
    order_key: Option<String>,
    headers: String,
    body: Vec<u8>,
    received_at: i64,
    outcome: String,
}

impl From<InboundRow> for InboundEventRecord {
    fn from(row: InboundRow) -> Self {
        InboundEventRecord {
            id: row.id,
            source: row.source,
            dedupe_key: row.dedupe_key,
            order_key: row.order_key.map(OrderKey::new),
            headers: serde_json::from_str(&row.headers).unwrap_or(serde_json::Value::Null),
            body: row.body,
            received_at: from_millis(row.received_at),
            outcome: row.outcome,
        }
    }
}

/// Builds a webhook's jobs once its event id is known.
pub type JobsFor = Box<dyn FnOnce(i64) -> Vec<NewJob> + Send>;

pub(super) async fn insert_inbound(
    tx: &mut WriteTx,
    event: &NewInboundEvent,
    jobs: impl FnOnce(i64) -> Vec<NewJob>,
) -> StoreResult<Intake> {
    let inserted: Option<(i64,)> = sqlx::query_as(
        "INSERT INTO inbound_events (source, dedupe_key, order_key, headers, body, \
         received_at, outcome) VALUES ($1, $2, $3, $4, $5, $6, 'accepted') \
         ON CONFLICT (source, dedupe_key) DO NOTHING RETURNING id",
    )
    .bind(&event.source)
    .bind(&event.dedupe_key)
    .bind(event.order_key.as_ref().map(OrderKey::as_str))
    .bind(event.headers.to_string())
    .bind(&event.body)
    .bind(to_millis(event.received_at))
    .fetch_optional(&mut **tx)
    .await?;
    let Some((event_id,)) = inserted else {
        return Ok(Intake::Duplicate);
    };
    insert_jobs(tx, &jobs(event_id), event.received_at).await?;
    Ok(Intake::Accepted { event_id })
}

impl Store {
    /// Stores a webhook and enqueues its jobs in one transaction, unless the same
    /// `(source, dedupe_key)` was stored before. Once this returns, the webhook may be
    /// acknowledged: it survives a crash.
    pub async fn accept_inbound(
        &self,
        event: &NewInboundEvent,
        jobs: impl FnOnce(i64) -> Vec<NewJob>,
    ) -> StoreResult<Intake> {
        let mut tx = self.begin_write().await?;
        let intake = insert_inbound(&mut tx, event, jobs).await?;
        tx.commit().await?;
        Ok(intake)
    }

    /// One inbound event by id.
    pub async fn inbound_event(&self, id: i64) -> StoreResult<Option<InboundEventRecord>> {
        let row: Option<InboundRow> = sqlx::query_as(
            "SELECT id, source, dedupe_key, order_key, headers, body, received_at, outcome \
             FROM inbound_events WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(InboundEventRecord::from))
    }

    /// The webhooks about one order, newest first (at most `limit`).
    pub async fn inbound_events_of(
        &self,
        order_key: &OrderKey,
        limit: u32,
    ) -> StoreResult<Vec<InboundEventRecord>> {
        let rows: Vec<InboundRow> = sqlx::query_as(
            "SELECT id, source, dedupe_key, order_key, headers, body, received_at, outcome \
             FROM inbound_events WHERE order_key = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(order_key.as_str())
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(InboundEventRecord::from).collect())
    }

    /// When the last webhook from each source arrived.
    pub async fn last_webhook_per_source(&self) -> StoreResult<Vec<(String, DateTime<Utc>)>> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT source, MAX(received_at) FROM inbound_events GROUP BY source ORDER BY source",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(source, at)| (source, from_millis(at)))
            .collect())
    }

    /// Empties the raw bodies of events received before `before` (retention); the rows stay so
    /// redeliveries are still recognised. Returns how many bodies were pruned.
    pub async fn prune_inbound_bodies(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        let mut tx = self.begin_write().await?;
        let result = sqlx::query(
            "UPDATE inbound_events SET body = $1 WHERE received_at < $2 AND LENGTH(body) > 0",
        )
        .bind(Vec::<u8>::new())
        .bind(to_millis(before))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(result.rows_affected())
    }
}
