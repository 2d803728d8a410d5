//! Orders and their timelines.

use std::fmt;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use shaq_client::PackageStatus;

use super::{Store, StoreError, StoreResult, WriteTx, from_millis, to_millis};
use crate::domain::{
    Attention, Located, Order, OrderKey, PartnerRef, PhoneE164, TicketId, TicketStatusId,
    TrackingNumber,
};
use crate::lifecycle::OrderState;
use crate::workflow::operator::Correction;
use crate::workflow::retention;
use crate::workflow::returns::LinkedPackage;
use crate::workflow::{
    Collect, CourierDetails, CourierProgress, Milestones, StoredOrder, TicketMedia, TimelineEntry,
    TrackedOrder,
};

/// A stored timeline line.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TimelineRecord {
    /// Database id (timeline order).
    pub id: i64,
    /// The line.
    #[serde(flatten)]
    pub entry: TimelineEntry,
}

/// A name as searched: ASCII (`Adwoa Nkrumah-Bóateng` → `adwoa nkrumah-boateng`), lowercase, one
/// space between words.
pub fn fold_name(name: &str) -> String {
    deunicode::deunicode(name)
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The columns the workflow's orders are written to (the handover's `shipment_id` is written by
/// the gathering alone, and only read with the order).
macro_rules! order_written_columns {
    () => {
        "order_key, shop_id, platform_order_id, order_ref, state, attention_reason, order_json, \
         order_version, partner_ref, tracking_number, ticket_id, courier_status, \
         courier_status_at, ticket_status, amount_to_collect, currency, created_at, updated_at, \
         ticket_status_at, attention, region, phone, name_folded, corrections, asked_at, \
         confirmed_at, declined_at, expired_at, shipped_at, delivered_at, returned_at, \
         cancelled_at, region_name, collect_milli, linked_packages, anonymised_at, \
         courier_details, ticket_media"
    };
}

/// The columns an order is read from.
macro_rules! order_columns {
    () => {
        concat!(order_written_columns!(), ", shipment_id")
    };
}

#[derive(sqlx::FromRow)]
pub(super) struct OrderRow {
    order_key: String,
    #[allow(dead_code)]
    shop_id: String,
    #[allow(dead_code)]
    platform_order_id: String,
    #[allow(dead_code)]
    order_ref: String,
    state: String,
    attention_reason: Option<String>,
    order_json: String,
    #[allow(dead_code)]
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
    attention: Option<String>,
    region: Option<String>,
    #[allow(dead_code)]
    phone: Option<String>,
    #[allow(dead_code)]
    name_folded: Option<String>,
    corrections: Option<String>,
    asked_at: Option<i64>,
    confirmed_at: Option<i64>,
    declined_at: Option<i64>,
    expired_at: Option<i64>,
    shipped_at: Option<i64>,
    delivered_at: Option<i64>,
    returned_at: Option<i64>,
    cancelled_at: Option<i64>,
    // Copies of `region` and the amount for the reports' queries.
    #[allow(dead_code)]
    region_name: Option<String>,
    #[allow(dead_code)]
    collect_milli: Option<i64>,
    linked_packages: Option<String>,
    anonymised_at: Option<i64>,
    courier_details: Option<String>,
    ticket_media: Option<String>,
    shipment_id: Option<i64>,
}

/// The row, read back as a typed order. The order's ids, reference and version columns are
/// copies of what `order_json` holds (kept for queries); the typed order is read from the JSON.
impl TryFrom<OrderRow> for TrackedOrder {
    type Error = StoreError;

    fn try_from(row: OrderRow) -> Result<Self, Self::Error> {
        let corrupt = |what: &str, e: &dyn fmt::Display| {
            StoreError::Corrupt(format!("order {}: {what}: {e}", row.order_key))
        };
        let order: Order =
            serde_json::from_str(&row.order_json).map_err(|e| corrupt("order_json", &e))?;
        let state: OrderState = row.state.parse().map_err(|e| corrupt("state", &e))?;
        let attention = match (&row.attention, &row.attention_reason) {
            (Some(json), _) => Some(
                serde_json::from_str::<Attention>(json).map_err(|e| corrupt("attention", &e))?,
            ),
            (None, Some(sentence)) => Some(Attention::from_sentence(sentence)),
            (None, None) => None,
        };
        let region = row
            .region
            .as_deref()
            .map(serde_json::from_str::<Located>)
            .transpose()
            .map_err(|e| corrupt("region", &e))?;
        let corrections = row
            .corrections
            .as_deref()
            .map(serde_json::from_str::<Correction>)
            .transpose()
            .map_err(|e| corrupt("corrections", &e))?;
        let linked = row
            .linked_packages
            .as_deref()
            .map(serde_json::from_str::<Vec<LinkedPackage>>)
            .transpose()
            .map_err(|e| corrupt("linked_packages", &e))?
            .unwrap_or_default();
        let courier_details = row
            .courier_details
            .as_deref()
            .map(serde_json::from_str::<CourierDetails>)
            .transpose()
            .map_err(|e| corrupt("courier_details", &e))?
            .unwrap_or_default();
        let ticket_media = row
            .ticket_media
            .as_deref()
            .map(serde_json::from_str::<TicketMedia>)
            .transpose()
            .map_err(|e| corrupt("ticket_media", &e))?
            .unwrap_or_default();
        let updated_at = from_millis(row.updated_at);
        let courier = row.courier_status.as_deref().map(|status| CourierProgress {
            status: status.parse().unwrap_or_else(|never| match never {}),
            at: row.courier_status_at.map_or(updated_at, from_millis),
        });
        let amount = match row.amount_to_collect.as_deref() {
            Some(amount) => amount
                .parse::<Decimal>()
                .map_err(|e| corrupt("amount_to_collect", &e))?,
            None => order.payment.amount_to_collect(),
        };
        let currency = row
            .currency
            .clone()
            .unwrap_or_else(|| order.currency.clone());
        Ok(TrackedOrder::from_stored(StoredOrder {
            // Kept as stored: orders from before the reference scheme changed keep theirs.
            partner_ref: PartnerRef::new(row.partner_ref.clone()),
            order,
            state,
            attention,
            region,
            tracking_number: row.tracking_number.map(TrackingNumber::new),
            courier,
            ticket_id: row.ticket_id.map(TicketId::new),
            ticket_status: row.ticket_status.map(TicketStatusId::new),
            ticket_status_at: row.ticket_status_at.map(from_millis),
            collect: Collect { amount, currency },
            corrections,
            milestones: Milestones {
                asked_at: row.asked_at.map(from_millis),
                confirmed_at: row.confirmed_at.map(from_millis),
                declined_at: row.declined_at.map(from_millis),
                expired_at: row.expired_at.map(from_millis),
                shipped_at: row.shipped_at.map(from_millis),
                delivered_at: row.delivered_at.map(from_millis),
                returned_at: row.returned_at.map(from_millis),
                cancelled_at: row.cancelled_at.map(from_millis),
            },
            linked,
            created_at: from_millis(row.created_at),
            updated_at,
            forgotten_at: row.anonymised_at.map(from_millis),
            shipment_id: row.shipment_id,
            courier_details,
            ticket_media,
        }))
    }
}

/// How many values an order row has ([`order_columns!`]).
const ORDER_COLUMNS: usize = 38;

/// How many orders one upsert statement carries (38 values each).
const ORDERS_PER_STATEMENT: usize = 25;

/// The update half of the order upsert: every column but the key and the creation.
const ORDER_UPSERT_SET: &str = "ON CONFLICT (order_key) DO UPDATE SET order_ref = excluded.order_ref, \
     state = excluded.state, attention_reason = excluded.attention_reason, \
     order_json = excluded.order_json, order_version = excluded.order_version, \
     tracking_number = excluded.tracking_number, ticket_id = excluded.ticket_id, \
     courier_status = excluded.courier_status, courier_status_at = excluded.courier_status_at, \
     ticket_status = excluded.ticket_status, amount_to_collect = excluded.amount_to_collect, \
     currency = excluded.currency, updated_at = excluded.updated_at, \
     ticket_status_at = excluded.ticket_status_at, attention = excluded.attention, \
     region = excluded.region, phone = excluded.phone, name_folded = excluded.name_folded, \
     corrections = excluded.corrections, asked_at = excluded.asked_at, \
     confirmed_at = excluded.confirmed_at, declined_at = excluded.declined_at, \
     expired_at = excluded.expired_at, shipped_at = excluded.shipped_at, \
     delivered_at = excluded.delivered_at, returned_at = excluded.returned_at, \
     cancelled_at = excluded.cancelled_at, region_name = excluded.region_name, \
     collect_milli = excluded.collect_milli, linked_packages = excluded.linked_packages, \
     anonymised_at = excluded.anonymised_at, courier_details = excluded.courier_details, \
     ticket_media = excluded.ticket_media";

/// Stores orders as they now are, many per statement (each statement is a round trip to the
/// database). Each key must appear once: PostgreSQL refuses to update a row twice in one
/// statement.
pub(super) async fn upsert_orders(
    tx: &mut WriteTx,
    orders: &[&TrackedOrder],
    now: DateTime<Utc>,
) -> StoreResult<()> {
    for chunk in orders.chunks(ORDERS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO orders ({}) VALUES {} {ORDER_UPSERT_SET}",
            order_written_columns!(),
            tx.placeholder_rows(chunk.len(), ORDER_COLUMNS)
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for order in chunk {
            query = bind_order(query, order, now)?;
        }
        query.execute(&mut **tx).await?;
    }
    // Every name a ShaQ webhook may give a linked package leads to the order.
    for order in orders {
        for package in order.linked() {
            for reference in std::iter::once(package.partner_ref.as_str())
                .chain(package.tracking_number.as_deref())
            {
                sqlx::query(
                    "INSERT INTO package_refs (reference, order_key) VALUES ($1, $2) \
                     ON CONFLICT (reference) DO NOTHING",
                )
                .bind(reference)
                .bind(order.key().as_str())
                .execute(&mut **tx)
                .await?;
            }
        }
    }
    Ok(())
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

/// Binds an order's 38 columns, in [`order_columns!`]'s order.
fn bind_order<'q>(
    query: AnyQuery<'q>,
    order: &'q TrackedOrder,
    now: DateTime<Utc>,
) -> StoreResult<AnyQuery<'q>> {
    let json = |value: Result<String, serde_json::Error>| {
        value.map_err(|e| StoreError::Corrupt(e.to_string()))
    };
    let shop_order = order.order();
    let attention = order
        .attention()
        .map(|a| json(serde_json::to_string(a)))
        .transpose()?;
    let region = order
        .region()
        .map(|r| json(serde_json::to_string(r)))
        .transpose()?;
    let corrections = order
        .corrections()
        .map(|c| json(serde_json::to_string(c)))
        .transpose()?;
    let order_json = json(serde_json::to_string(shop_order))?;
    let milestones = order.milestones();
    let linked = (!order.linked().is_empty())
        .then(|| json(serde_json::to_string(order.linked())))
        .transpose()?;
    let courier_details = (*order.courier_details() != CourierDetails::default())
        .then(|| json(serde_json::to_string(order.courier_details())))
        .transpose()?;
    let ticket_media = (*order.ticket_media() != TicketMedia::default())
        .then(|| json(serde_json::to_string(order.ticket_media())))
        .transpose()?;
    Ok(query
        .bind(order.key().as_str())
        .bind(shop_order.shop_id.as_str())
        .bind(shop_order.platform_order_id.as_str())
        .bind(&shop_order.order_ref)
        .bind(order.state().as_str())
        .bind(order.attention().map(ToString::to_string))
        .bind(order_json)
        .bind(shop_order.version.map(|v| v.to_rfc3339()))
        .bind(order.partner_ref().as_str())
        .bind(order.tracking_number().map(TrackingNumber::as_str))
        .bind(order.ticket_id().map(TicketId::as_str))
        .bind(order.courier_status().map(PackageStatus::as_str))
        .bind(order.courier().map(|c| to_millis(c.at)))
        .bind(order.ticket_status().map(TicketStatusId::as_str))
        .bind(order.collect().amount.to_string())
        .bind(&order.collect().currency)
        .bind(to_millis(order.created_at()))
        .bind(to_millis(last_changed(order, now)))
        .bind(order.ticket_status_at().map(to_millis))
        .bind(attention)
        .bind(region)
        .bind(shop_order.recipient.phone.as_ref().map(PhoneE164::expose))
        .bind(fold_name(&shop_order.recipient.name))
        .bind(corrections)
        .bind(milestones.asked_at.map(to_millis))
        .bind(milestones.confirmed_at.map(to_millis))
        .bind(milestones.declined_at.map(to_millis))
        .bind(milestones.expired_at.map(to_millis))
        .bind(milestones.shipped_at.map(to_millis))
        .bind(milestones.delivered_at.map(to_millis))
        .bind(milestones.returned_at.map(to_millis))
        .bind(milestones.cancelled_at.map(to_millis))
        .bind(order.region().map(|located| located.region.clone()))
        .bind(milli(order.collect().amount))
        .bind(linked)
        .bind(order.forgotten_at().map(to_millis))
        .bind(courier_details)
        .bind(ticket_media))
}

/// When the order last changed: now, unless the last thing done to it was forgetting its
/// customer (`workflow::retention`), which is not activity and keeps the time it had.
fn last_changed(order: &TrackedOrder, now: DateTime<Utc>) -> DateTime<Utc> {
    match order.forgotten_at() {
        Some(forgotten) if forgotten > order.updated_at() => order.updated_at(),
        _ => now,
    }
}

/// An amount in thousandths of its unit, for exact sums in SQL (every ISO 4217 currency but
/// two has at most three decimals; a finer amount is rounded, a huge one left out).
fn milli(amount: Decimal) -> Option<i64> {
    // Checked: the writer never panics on data (an amount near Decimal's limit overflowed
    // here and took the whole batch of completions down with it).
    amount
        .checked_mul(Decimal::ONE_THOUSAND)?
        .round()
        .try_into()
        .ok()
}

/// A line's details as stored: its catalogue words go with them, under `words`.
fn stored_details(entry: &TimelineEntry) -> serde_json::Value {
    let Some(words) = &entry.words else {
        return entry.details.clone();
    };
    let mut details = match &entry.details {
        // Read back by taking the words out; the rest is the details.
        serde_json::Value::Object(details) if !is_empty_or_only_value(details) => details.clone(),
        serde_json::Value::Null => serde_json::Map::new(),
        // Anything else (an empty object, a list) is kept whole under `value`.
        other => {
            let mut wrapped = serde_json::Map::new();
            wrapped.insert("value".to_owned(), other.clone());
            wrapped
        }
    };
    details.insert(
        "words".to_owned(),
        serde_json::to_value(words).unwrap_or(serde_json::Value::Null),
    );
    serde_json::Value::Object(details)
}

/// Whether `details` would be ambiguous next to the words: nothing, or only `value`.
fn is_empty_or_only_value(details: &serde_json::Map<String, serde_json::Value>) -> bool {
    details.keys().all(|key| key == "value")
}

/// A stored line's details and words, apart again: the details as they were given (`null`, an
/// object, or another value kept under `value`).
fn read_details(stored: &str) -> (serde_json::Value, Option<crate::workflow::Said>) {
    let details: serde_json::Value =
        serde_json::from_str(stored).unwrap_or(serde_json::Value::Null);
    let serde_json::Value::Object(mut fields) = details else {
        return (details, None);
    };
    let Some(words) = fields.remove("words") else {
        return (serde_json::Value::Object(fields), None);
    };
    let words = serde_json::from_value(words).ok();
    let details = match fields.len() {
        0 => serde_json::Value::Null,
        1 if fields.contains_key("value") => fields.remove("value").unwrap_or_default(),
        _ => serde_json::Value::Object(fields),
    };
    (details, words)
}

pub(super) async fn write_timeline(
    tx: &mut WriteTx,
    entries: &[impl std::borrow::Borrow<TimelineEntry>],
) -> StoreResult<()> {
    // One statement for all the lines: each statement is a round trip to the database.
    for chunk in entries.chunks(100) {
        let sql = format!(
            "INSERT INTO timeline (order_key, at, kind, summary, details) VALUES {}",
            tx.placeholder_rows(chunk.len(), 5)
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for entry in chunk {
            let entry = entry.borrow();
            query = query
                .bind(entry.order_key.as_str())
                .bind(to_millis(entry.at))
                .bind(entry.kind.as_str())
                .bind(entry.summary.clone())
                .bind(stored_details(entry).to_string());
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

/// The orders with these keys, in `tx`, each as it reads (keys not stored are left out). One
/// statement per few hundred keys.
pub(super) async fn orders_in(
    tx: &mut WriteTx,
    keys: &[&str],
) -> StoreResult<Vec<(OrderKey, StoreResult<TrackedOrder>)>> {
    let mut orders = Vec::with_capacity(keys.len());
    for chunk in keys.chunks(500) {
        let placeholders = tx.value_rows(chunk.len(), |next| next());
        let sql = format!(
            concat!(
                "SELECT ",
                order_columns!(),
                " FROM orders WHERE order_key IN ({})"
            ),
            placeholders
        );
        let mut query = sqlx::query_as::<_, OrderRow>(sqlx::AssertSqlSafe(sql));
        for key in chunk {
            query = query.bind(*key);
        }
        // Each row decoded on its own: one that no longer reads (a hand-edited row, a rolled
        // back upgrade) must not fail the reads of the others.
        for row in query.fetch_all(&mut **tx).await? {
            let key = OrderKey::new(row.order_key.clone());
            orders.push((key, TrackedOrder::try_from(row)));
        }
    }
    Ok(orders)
}

impl Store {
    /// One order by key.
    pub async fn order(&self, order_key: &OrderKey) -> StoreResult<Option<TrackedOrder>> {
        self.order_where(
            concat!(
                "SELECT ",
                order_columns!(),
                " FROM orders WHERE order_key = $1"
            ),
            order_key.as_str(),
        )
        .await
    }

    /// The order whose package has this tracking number or partner reference.
    pub async fn order_by_package(&self, reference: &str) -> StoreResult<Option<TrackedOrder>> {
        self.order_where(
            concat!(
                "SELECT ",
                order_columns!(),
                " FROM orders WHERE partner_ref = $1 OR tracking_number = $1 ",
                "OR order_key = (SELECT order_key FROM package_refs WHERE reference = $1) LIMIT 1"
            ),
            reference,
        )
        .await
    }

    /// The key of the order whose package has this tracking number or partner reference (the
    /// key alone: intake needs nothing else).
    pub async fn order_key_by_package(&self, reference: &str) -> StoreResult<Option<OrderKey>> {
        if let Some(key) = self.known.package(reference) {
            return Ok(Some(key));
        }
        let found = self
            .order_key_where(
                "SELECT order_key FROM orders WHERE partner_ref = $1 OR tracking_number = $1 \
                 UNION ALL SELECT order_key FROM package_refs WHERE reference = $1 LIMIT 1",
                reference,
            )
            .await?;
        if let Some(key) = &found {
            self.known.remember_package(reference, key);
        }
        Ok(found)
    }

    /// The key of the order whose ticket has this id (or whose `external_id` — the order's
    /// partner reference — this is), from memory when known. Only the key is read: intake
    /// needs no more.
    pub async fn order_key_by_ticket(&self, ticket_id: &str) -> StoreResult<Option<OrderKey>> {
        if let Some(key) = self.known.ticket(ticket_id) {
            return Ok(Some(key));
        }
        let found = self
            .order_key_where(
                "SELECT order_key FROM orders WHERE ticket_id = $1 OR partner_ref = $1 LIMIT 1",
                ticket_id,
            )
            .await?;
        if let Some(key) = &found {
            self.known.remember_ticket(ticket_id, key);
        }
        Ok(found)
    }

    /// The order key `sql` (one `order_key` column, `$1` the reference) finds, if any.
    async fn order_key_where(
        &self,
        sql: &'static str,
        reference: &str,
    ) -> StoreResult<Option<OrderKey>> {
        let row: Option<(String,)> = sqlx::query_as(sql)
            .bind(reference)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|(key,)| OrderKey::new(key)))
    }

    async fn order_where(
        &self,
        sql: &'static str,
        value: &str,
    ) -> StoreResult<Option<TrackedOrder>> {
        let row: Option<OrderRow> = sqlx::query_as(sql)
            .bind(value)
            .fetch_optional(&self.pool)
            .await?;
        row.map(TrackedOrder::try_from).transpose()
    }

    /// Orders with a package still on the road whose last courier news is older than `before`:
    /// candidates for reconciliation.
    pub async fn orders_to_reconcile(
        &self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<TrackedOrder>> {
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
        rows.into_iter().map(TrackedOrder::try_from).collect()
    }

    /// Finished orders last changed before `before` whose customer is not forgotten and
    /// whose `forget_customer` job is not queued yet, oldest first (at most `limit`).
    pub async fn orders_to_forget(
        &self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<OrderKey>> {
        let finished = retention::FINISHED
            .iter()
            .map(|state| format!("'{}'", state.as_str()))
            .collect::<Vec<_>>()
            .join(", ");
        let rows: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT order_key FROM orders WHERE state IN ({finished}) AND updated_at < $1 \
             AND anonymised_at IS NULL AND NOT EXISTS (SELECT 1 FROM jobs \
             WHERE jobs.dedupe_key = 'forget_customer:' || orders.order_key) \
             ORDER BY updated_at LIMIT $2"
        )))
        .bind(to_millis(before))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(key,)| OrderKey::new(key)).collect())
    }

    /// An order's timeline, oldest first.
    pub async fn timeline(&self, order_key: &OrderKey) -> StoreResult<Vec<TimelineRecord>> {
        let rows: Vec<(i64, String, i64, String, String, String)> = sqlx::query_as(
            "SELECT id, order_key, at, kind, summary, details FROM timeline \
             WHERE order_key = $1 ORDER BY id",
        )
        .bind(order_key.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(id, order_key, at, kind, summary, details)| {
                let (details, words) = read_details(&details);
                Ok(TimelineRecord {
                    id,
                    entry: TimelineEntry {
                        order_key: OrderKey::new(order_key),
                        at: from_millis(at),
                        kind: kind.parse().map_err(|e| {
                            StoreError::Corrupt(format!("timeline line {id}: kind: {e}"))
                        })?,
                        summary,
                        words,
                        details,
                    },
                })
            })
            .collect()
    }

    /// Stores orders as they are, outside of any job: a seeded history for other crates' tests
    /// (the console's reports), never the bridge's own path.
    #[cfg(feature = "test-support")]
    pub async fn seed_orders_for_tests(&self, orders: &[TrackedOrder]) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        for order in orders {
            upsert_orders(&mut tx, &[order], order.updated_at()).await?;
        }
        tx.commit().await
    }

    /// Stores many orders (distinct keys) as they are, many per statement, all last changed
    /// `now`: a merchant's years of history for the console's benchmark, never the bridge's path.
    #[cfg(feature = "test-support")]
    pub async fn seed_history_for_benchmarks(
        &self,
        orders: &[TrackedOrder],
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let all: Vec<&TrackedOrder> = orders.iter().collect();
        upsert_orders(&mut tx, &all, now).await?;
        tx.commit().await
    }

    /// Adds timeline lines outside of a job (intake refusals, operator actions).
    pub async fn append_timeline(&self, entries: &[TimelineEntry]) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        write_timeline(&mut tx, entries).await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::{Said, TimelineKind, timeline};
    use serde_json::json;

    #[test]
    fn a_lines_details_read_back_as_they_were_given_beside_its_words() {
        for details in [
            serde_json::Value::Null,
            json!({ "operator": "ama" }),
            json!({}),
            json!([1, 2]),
            json!("a note"),
            json!({ "value": 3 }),
        ] {
            let mut line = timeline(
                &OrderKey::new("kente/1"),
                Utc::now(),
                TimelineKind::Operator,
                Said::new("line-resumed").text("by", "ama"),
            );
            line.details = details.clone();
            let stored = stored_details(&line).to_string();
            let (read, words) = read_details(&stored);
            assert_eq!(read, details, "{stored}");
            assert_eq!(words, line.words, "{stored}");
        }
        // A line written before the words were kept reads as it was stored.
        assert_eq!(
            read_details(r#"{"status": 201}"#),
            (json!({ "status": 201 }), None)
        );
        assert_eq!(read_details("{}"), (json!({}), None));
    }
}
