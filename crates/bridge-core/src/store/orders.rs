//! Orders and their timelines.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Any;

use super::{Store, StoreError, StoreResult, from_millis, to_millis};
use crate::lifecycle::OrderState;

/// An order as stored: the normalized order plus what the bridge knows of its package and ticket.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrderRecord {
    /// `shop_id/platform_order_id`.
    pub order_key: String,
    /// The configured shop.
    pub shop_id: String,
    /// The platform's order id.
    pub platform_order_id: String,
    /// The human order number (`#1047`).
    pub order_ref: String,
    /// Where the order is.
    pub state: OrderState,
    /// Why a person is needed, when `state` is `needs_attention`.
    pub attention_reason: Option<String>,
    /// The normalized order (JSON).
    pub order: serde_json::Value,
    /// The platform's version of the order (its `updated_at`), to ignore older deliveries.
    pub order_version: Option<String>,
    /// Our reference at ShaQ, and the ticket's `external_id`.
    pub partner_ref: String,
    /// ShaQ's tracking number, once the package exists.
    pub tracking_number: Option<String>,
    /// Digishare's ticket id, once the ticket exists.
    pub ticket_id: Option<String>,
    /// The last courier status applied.
    pub courier_status: Option<String>,
    /// When that status happened (ShaQ's `occurred_at`), to ignore older events.
    pub courier_status_at: Option<DateTime<Utc>>,
    /// The last ticket status id the bridge knows of.
    pub ticket_status: Option<String>,
    /// When that status was set, by Digishare's clock (from its webhooks only).
    pub ticket_status_at: Option<DateTime<Utc>>,
    /// What the courier collects on delivery, as a decimal string.
    pub amount_to_collect: Option<String>,
    /// Currency of the amounts.
    pub currency: Option<String>,
    /// First stored.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// One timeline line to write.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineEntry {
    /// The order.
    pub order_key: String,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// `inbound`, `call`, `state`, `message`, `write_back`, `error`…
    pub kind: String,
    /// One readable line.
    pub summary: String,
    /// Structured details, phones masked.
    pub details: serde_json::Value,
}

/// A stored timeline line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineRecord {
    /// Database id (timeline order).
    pub id: i64,
    /// The line.
    #[serde(flatten)]
    pub entry: TimelineEntry,
}

/// Which orders to list.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct OrderFilter {
    /// Only this shop.
    pub shop_id: Option<String>,
    /// Only orders in this state.
    pub state: Option<OrderState>,
    /// At most this many (default 100, most recently changed first).
    pub limit: Option<u32>,
}

macro_rules! order_columns {
    () => {
        "order_key, shop_id, platform_order_id, order_ref, state, attention_reason, order_json, \
         order_version, partner_ref, tracking_number, ticket_id, courier_status, \
         courier_status_at, ticket_status, amount_to_collect, currency, created_at, updated_at, \
         ticket_status_at"
    };
}

#[derive(sqlx::FromRow)]
struct OrderRow {
    order_key: String,
    shop_id: String,
    platform_order_id: String,
    order_ref: String,
    state: String,
    attention_reason: Option<String>,
    order_json: String,
    order_version: Option<String>,
    partner_ref: String,
    tracking_number: Option<String>,
    ticket_id: Option<String>,
    courier_status: Option<String>,
    courier_status_at: Option<i64>,
    ticket_status: Option<String>,
    amount_to_collect: Option<String>,
    currency: Option<String>,
    created_at: i64,
    updated_at: i64,
    ticket_status_at: Option<i64>,
}

impl TryFrom<OrderRow> for OrderRecord {
    type Error = StoreError;

    fn try_from(row: OrderRow) -> Result<Self, Self::Error> {
        Ok(OrderRecord {
            state: row
                .state
                .parse()
                .map_err(|e| StoreError::Corrupt(format!("order {}: state: {e}", row.order_key)))?,
            order: serde_json::from_str(&row.order_json).map_err(|e| {
                StoreError::Corrupt(format!("order {}: order_json: {e}", row.order_key))
            })?,
            order_key: row.order_key,
            shop_id: row.shop_id,
            platform_order_id: row.platform_order_id,
            order_ref: row.order_ref,
            attention_reason: row.attention_reason,
            order_version: row.order_version,
            partner_ref: row.partner_ref,
            tracking_number: row.tracking_number,
            ticket_id: row.ticket_id,
            courier_status: row.courier_status,
            courier_status_at: row.courier_status_at.map(from_millis),
            ticket_status: row.ticket_status,
            ticket_status_at: row.ticket_status_at.map(from_millis),
            amount_to_collect: row.amount_to_collect,
            currency: row.currency,
            created_at: from_millis(row.created_at),
            updated_at: from_millis(row.updated_at),
        })
    }
}

pub(super) async fn upsert_order(
    tx: &mut sqlx::Transaction<'static, Any>,
    order: &OrderRecord,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query(concat!(
        "INSERT INTO orders (",
        order_columns!(),
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) ",
        "ON CONFLICT (order_key) DO UPDATE SET order_ref = excluded.order_ref, ",
        "state = excluded.state, attention_reason = excluded.attention_reason, ",
        "order_json = excluded.order_json, order_version = excluded.order_version, ",
        "tracking_number = excluded.tracking_number, ticket_id = excluded.ticket_id, ",
        "courier_status = excluded.courier_status, courier_status_at = excluded.courier_status_at, ",
        "ticket_status = excluded.ticket_status, amount_to_collect = excluded.amount_to_collect, ",
        "currency = excluded.currency, updated_at = excluded.updated_at, ",
        "ticket_status_at = excluded.ticket_status_at"
    ))
    .bind(&order.order_key)
    .bind(&order.shop_id)
    .bind(&order.platform_order_id)
    .bind(&order.order_ref)
    .bind(order.state.as_str())
    .bind(order.attention_reason.as_deref())
    .bind(order.order.to_string())
    .bind(order.order_version.as_deref())
    .bind(&order.partner_ref)
    .bind(order.tracking_number.as_deref())
    .bind(order.ticket_id.as_deref())
    .bind(order.courier_status.as_deref())
    .bind(order.courier_status_at.map(to_millis))
    .bind(order.ticket_status.as_deref())
    .bind(order.amount_to_collect.as_deref())
    .bind(order.currency.as_deref())
    .bind(to_millis(order.created_at))
    .bind(to_millis(now))
    .bind(order.ticket_status_at.map(to_millis))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(super) async fn write_timeline(
    tx: &mut sqlx::Transaction<'static, Any>,
    entries: &[TimelineEntry],
) -> StoreResult<()> {
    for entry in entries {
        sqlx::query(
            "INSERT INTO timeline (order_key, at, kind, summary, details) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&entry.order_key)
        .bind(to_millis(entry.at))
        .bind(&entry.kind)
        .bind(&entry.summary)
        .bind(entry.details.to_string())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

impl Store {
    /// One order by key.
    pub async fn order(&self, order_key: &str) -> StoreResult<Option<OrderRecord>> {
        self.order_where(
            concat!(
                "SELECT ",
                order_columns!(),
                " FROM orders WHERE order_key = $1"
            ),
            order_key,
        )
        .await
    }

    /// The order whose package has this tracking number or partner reference.
    pub async fn order_by_package(&self, reference: &str) -> StoreResult<Option<OrderRecord>> {
        self.order_where(
            concat!(
                "SELECT ",
                order_columns!(),
                " FROM orders WHERE partner_ref = $1 OR tracking_number = $1 LIMIT 1"
            ),
            reference,
        )
        .await
    }

    /// The order whose ticket has this id (or whose `external_id` this is).
    pub async fn order_by_ticket(&self, ticket_id: &str) -> StoreResult<Option<OrderRecord>> {
        self.order_where(
            concat!(
                "SELECT ",
                order_columns!(),
                " FROM orders WHERE ticket_id = $1 OR partner_ref = $1 LIMIT 1"
            ),
            ticket_id,
        )
        .await
    }

    async fn order_where(
        &self,
        sql: &'static str,
        value: &str,
    ) -> StoreResult<Option<OrderRecord>> {
        let row: Option<OrderRow> = sqlx::query_as(sql)
            .bind(value)
            .fetch_optional(&self.pool)
            .await?;
        row.map(OrderRecord::try_from).transpose()
    }

    /// Orders matching a filter, most recently changed first.
    pub async fn list_orders(&self, filter: &OrderFilter) -> StoreResult<Vec<OrderRecord>> {
        let rows: Vec<OrderRow> = sqlx::query_as(concat!(
            "SELECT ",
            order_columns!(),
            " FROM orders WHERE ($1 IS NULL OR shop_id = $1) AND ($2 IS NULL OR state = $2) ",
            "ORDER BY updated_at DESC, order_key LIMIT $3"
        ))
        .bind(filter.shop_id.as_deref())
        .bind(filter.state.map(OrderState::as_str))
        .bind(i64::from(filter.limit.unwrap_or(100).min(1000)))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(OrderRecord::try_from).collect()
    }

    /// Orders with a package still on the road whose last courier news is older than `before`:
    /// candidates for reconciliation.
    pub async fn orders_to_reconcile(
        &self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<OrderRecord>> {
        let rows: Vec<OrderRow> = sqlx::query_as(concat!(
            "SELECT ",
            order_columns!(),
            " FROM orders WHERE tracking_number IS NOT NULL AND state IN ",
            "('shipping', 'in_transit', 'out_for_delivery', 'delivery_problem', 'returning') ",
            "AND COALESCE(courier_status_at, updated_at) < $1 ORDER BY updated_at LIMIT $2"
        ))
        .bind(to_millis(before))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(OrderRecord::try_from).collect()
    }

    /// An order's timeline, oldest first.
    pub async fn timeline(&self, order_key: &str) -> StoreResult<Vec<TimelineRecord>> {
        let rows: Vec<(i64, String, i64, String, String, String)> = sqlx::query_as(
            "SELECT id, order_key, at, kind, summary, details FROM timeline \
             WHERE order_key = $1 ORDER BY id",
        )
        .bind(order_key)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(id, order_key, at, kind, summary, details)| TimelineRecord {
                    id,
                    entry: TimelineEntry {
                        order_key,
                        at: from_millis(at),
                        kind,
                        summary,
                        details: serde_json::from_str(&details).unwrap_or(serde_json::Value::Null),
                    },
                },
            )
            .collect())
    }

    /// Adds timeline lines outside of a job (intake refusals, operator actions).
    pub async fn append_timeline(&self, entries: &[TimelineEntry]) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        write_timeline(&mut tx, entries).await?;
        tx.commit().await?;
        Ok(())
    }
}
