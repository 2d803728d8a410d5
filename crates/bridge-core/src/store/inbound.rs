//! Inbound events: every accepted webhook, stored with its raw body before it is acknowledged.

use chrono::{DateTime, Utc};
use serde::Serialize;

use std::collections::HashMap;

use super::enqueue::insert_jobs_enqueued_at;
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
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
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
    #[schema(value_type = Object)]
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

/// The inbound events with these ids, in `tx` (ids not stored are left out).
pub(super) async fn events_in(
    tx: &mut WriteTx,
    ids: &[i64],
) -> StoreResult<Vec<InboundEventRecord>> {
    let mut events = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let placeholders = tx.value_rows(chunk.len(), |next| next());
        let sql = format!(
            "SELECT id, source, dedupe_key, order_key, headers, body, received_at, outcome \
             FROM inbound_events WHERE id IN ({placeholders})"
        );
        let mut query = sqlx::query_as::<_, InboundRow>(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            query = query.bind(*id);
        }
        let rows = query.fetch_all(&mut **tx).await?;
        events.extend(rows.into_iter().map(InboundEventRecord::from));
    }
    Ok(events)
}

/// Builds a webhook's jobs once its event id is known.
pub type JobsFor = Box<dyn FnOnce(i64) -> Vec<NewJob> + Send>;

/// How many webhooks one insert statement carries (7 values each).
const EVENTS_PER_STATEMENT: usize = 100;

/// Stores webhooks and enqueues their jobs, in `tx`, in order: a webhook whose
/// `(source, dedupe_key)` is stored already — or comes earlier in `events` — is a duplicate,
/// and enqueues nothing. Two statements for the whole batch (each statement is a round trip
/// to the database, on SQLite a hand-off to its thread): one inserts every webhook, one every
/// job.
pub(super) async fn insert_inbound<F: FnOnce(i64) -> Vec<NewJob>>(
    tx: &mut WriteTx,
    events: Vec<(NewInboundEvent, F)>,
) -> StoreResult<Vec<Intake>> {
    // Apart, so that only the events are borrowed across the statements' awaits (a job-maker
    // need not be `Sync`).
    let (events, jobs_for): (Vec<NewInboundEvent>, Vec<F>) = events.into_iter().unzip();
    let mut ids: HashMap<(String, String), i64> = HashMap::new();
    for chunk in events.chunks(EVENTS_PER_STATEMENT) {
        let values = tx.value_rows(chunk.len(), |next| {
            let (source, key, order, headers) = (next(), next(), next(), next());
            let (body, received) = (next(), next());
            format!("({source}, {key}, {order}, {headers}, {body}, {received}, 'accepted')")
        });
        let sql = format!(
            "INSERT INTO inbound_events (source, dedupe_key, order_key, headers, body, \
             received_at, outcome) VALUES {values} \
             ON CONFLICT (source, dedupe_key) DO NOTHING RETURNING id, source, dedupe_key"
        );
        let mut query = sqlx::query_as::<_, (i64, String, String)>(sqlx::AssertSqlSafe(sql));
        for event in chunk {
            query = query
                .bind(event.source.clone())
                .bind(event.dedupe_key.clone())
                .bind(event.order_key.as_ref().map(|key| key.as_str().to_owned()))
                .bind(event.headers.to_string())
                .bind(event.body.clone())
                .bind(to_millis(event.received_at));
        }
        for (id, source, dedupe_key) in query.fetch_all(&mut **tx).await? {
            ids.insert((source, dedupe_key), id);
        }
    }
    let mut intakes = Vec::with_capacity(events.len());
    let mut jobs = Vec::new();
    for (event, jobs_for) in events.into_iter().zip(jobs_for) {
        // The first of the batch with a key takes its id; a later one finds it taken.
        match ids.remove(&(event.source, event.dedupe_key)) {
            Some(event_id) => {
                jobs.extend(
                    jobs_for(event_id)
                        .into_iter()
                        .map(|job| (job, event.received_at)),
                );
                intakes.push(Intake::Accepted { event_id });
            }
            None => intakes.push(Intake::Duplicate),
        }
    }
    insert_jobs_enqueued_at(tx, &jobs).await?;
    Ok(intakes)
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
        let intake = insert_inbound(&mut tx, vec![(event.clone(), jobs)]).await?;
        tx.commit().await?;
        Ok(intake.into_iter().next().unwrap_or(Intake::Duplicate))
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
