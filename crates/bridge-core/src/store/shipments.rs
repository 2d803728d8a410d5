//! Handover shipments: gathering a shop's ready packages into one batch (each package in one
//! batch at most), ShaQ's reference for it, and its printable PDF.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::enqueue::insert_jobs;
use super::{Store, StoreError, StoreResult, from_millis, to_millis};
use crate::domain::ShopId;
use crate::domain::UnknownName;
use crate::workflow::{TrackedOrder, handover};

/// Where a shipment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ShipmentState {
    /// Its packages are chosen; ShaQ has not been told yet.
    Gathered,
    /// ShaQ is being asked for it: an attempt interrupted now may have made it at ShaQ.
    Requesting,
    /// ShaQ created it; its labels and PDF are being prepared.
    Created,
    /// The manifest and labels are ready to print.
    Ready,
    /// ShaQ refused it: its packages were released, ready for the next handover.
    Refused,
}

impl ShipmentState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ShipmentState::Gathered => "gathered",
            ShipmentState::Requesting => "requesting",
            ShipmentState::Created => "created",
            ShipmentState::Ready => "ready",
            ShipmentState::Refused => "refused",
        }
    }
}

impl fmt::Display for ShipmentState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ShipmentState {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [
            ShipmentState::Gathered,
            ShipmentState::Requesting,
            ShipmentState::Created,
            ShipmentState::Ready,
            ShipmentState::Refused,
        ]
        .into_iter()
        .find(|state| state.as_str() == s)
        .ok_or_else(|| UnknownName(s.to_owned()))
    }
}

/// A handover shipment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Shipment {
    /// The bridge's id for it.
    pub id: i64,
    /// The shop.
    pub shop: ShopId,
    /// ShaQ's reference (`SAAM-20260322053800`), once created.
    pub reference: Option<String>,
    /// Where it is.
    pub state: ShipmentState,
    /// How many packages.
    pub packages: u64,
    /// Who asked (`schedule`, an operator's name, `cli`).
    pub requested_by: String,
    /// Why the last attempt failed, while it is retried.
    pub last_error: Option<String>,
    /// When it was gathered.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

type ShipmentRow = (
    i64,
    String,
    Option<String>,
    String,
    i64,
    String,
    Option<String>,
    i64,
    i64,
);

const SHIPMENT_COLUMNS: &str = "id, shop_id, reference, state, packages, requested_by, \
                                last_error, created_at, updated_at";

fn shipment_of(row: ShipmentRow) -> StoreResult<Shipment> {
    Ok(Shipment {
        id: row.0,
        shop: ShopId::new(row.1),
        reference: row.2,
        state: row
            .3
            .parse()
            .map_err(|e| StoreError::Corrupt(format!("shipment {}: state: {e}", row.0)))?,
        packages: u64::try_from(row.4).unwrap_or(0),
        requested_by: row.5,
        last_error: row.6,
        created_at: from_millis(row.7),
        updated_at: from_millis(row.8),
    })
}

impl Store {
    /// Gathers every package of `shop` that is ready to hand over — created at ShaQ, still
    /// pending there, its order not cancelled, in no shipment yet — into a new shipment, and
    /// queues the job that tells ShaQ; all in one transaction, so two requests at once (two
    /// replicas, a retried click) never put a package in two shipments. `None` when nothing is
    /// ready. A scheduled handover names its day (`scheduled_for`, the shop's date): it runs
    /// once per shop and day, and `None` is also the answer when that day's already ran.
    pub async fn gather_handover(
        &self,
        shop: &ShopId,
        requested_by: &str,
        scheduled_for: Option<NaiveDate>,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Shipment>> {
        let mut tx = self.begin_write().await?;
        if let Some(day) = scheduled_for {
            let first = sqlx::query(
                "INSERT INTO handover_days (shop_id, day) VALUES ($1, $2) \
                 ON CONFLICT (shop_id, day) DO NOTHING",
            )
            .bind(shop.as_str())
            .bind(day.to_string())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if first == 0 {
                tx.commit().await?;
                return Ok(None);
            }
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO shipments (shop_id, state, packages, requested_by, created_at, \
             updated_at) VALUES ($1, 'gathered', 0, $2, $3, $3) RETURNING id",
        )
        .bind(shop.as_str())
        .bind(requested_by)
        .bind(to_millis(now))
        .fetch_one(&mut *tx)
        .await?;
        let gathered = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE orders SET shipment_id = $1 WHERE shop_id = $2 AND shipment_id IS NULL \
             AND {}",
            ready_to_hand_over()
        )))
        .bind(id)
        .bind(shop.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if gathered == 0 {
            // Nothing ready: the id is given back, no empty shipment is kept.
            sqlx::query("DELETE FROM shipments WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            return Ok(None);
        }
        sqlx::query("UPDATE shipments SET packages = $1 WHERE id = $2")
            .bind(i64::try_from(gathered).unwrap_or(i64::MAX))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        insert_jobs(&mut tx, &[handover::handover_job(shop, id)], now).await?;
        tx.commit().await?;
        self.shipment(id).await
    }

    /// How many packages of each shop are ready to hand over now.
    pub async fn ready_for_handover(&self) -> StoreResult<Vec<(ShopId, u64)>> {
        let rows: Vec<(String, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT shop_id, COUNT(*) FROM orders WHERE shipment_id IS NULL AND {} \
             GROUP BY shop_id",
            ready_to_hand_over()
        )))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(shop, count)| (ShopId::new(shop), u64::try_from(count).unwrap_or(0)))
            .collect())
    }

    /// One shipment.
    pub async fn shipment(&self, id: i64) -> StoreResult<Option<Shipment>> {
        let row: Option<ShipmentRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {SHIPMENT_COLUMNS} FROM shipments WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(shipment_of).transpose()
    }

    /// The latest shipments, newest first (of one shop, or of all).
    pub async fn shipments(&self, shop: Option<&ShopId>, limit: u32) -> StoreResult<Vec<Shipment>> {
        let rows: Vec<ShipmentRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {SHIPMENT_COLUMNS} FROM shipments WHERE ($1 = '' OR shop_id = $1) \
             ORDER BY id DESC LIMIT $2"
        )))
        .bind(shop.map_or("", ShopId::as_str).to_owned())
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(shipment_of).collect()
    }

    /// The orders of a shipment, in the order they were received.
    pub async fn shipment_orders(&self, id: i64) -> StoreResult<Vec<TrackedOrder>> {
        let rows: Vec<super::orders::OrderRow> = sqlx::query_as(concat!(
            "SELECT ",
            order_columns!(),
            " FROM orders WHERE shipment_id = $1 ORDER BY created_at, order_key"
        ))
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(TrackedOrder::try_from).collect()
    }

    /// About to ask ShaQ for the shipment: a retry that finds this state knows an earlier
    /// attempt may have made it, and looks before asking again.
    pub async fn mark_shipment_requesting(&self, id: i64, now: DateTime<Utc>) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE shipments SET state = 'requesting', updated_at = $1 \
             WHERE id = $2 AND state = 'gathered'",
        )
        .bind(to_millis(now))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    /// ShaQ created the shipment: its reference is kept at once, so a retry never asks ShaQ
    /// for a second one.
    pub async fn set_shipment_reference(
        &self,
        id: i64,
        reference: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE shipments SET reference = $1, state = 'created', updated_at = $2 \
             WHERE id = $3",
        )
        .bind(reference)
        .bind(to_millis(now))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    /// The manifest and labels are ready.
    pub async fn save_shipment_pdf(
        &self,
        id: i64,
        pdf: &[u8],
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE shipments SET pdf = $1, state = 'ready', last_error = NULL, updated_at = $2 \
             WHERE id = $3",
        )
        .bind(pdf.to_vec())
        .bind(to_millis(now))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    /// ShaQ refused the shipment: it is marked refused with ShaQ's reason, and its packages are
    /// released (one transaction), so the next handover can take them again.
    pub async fn refuse_shipment(
        &self,
        id: i64,
        reason: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE shipments SET state = 'refused', last_error = $1, updated_at = $2 \
             WHERE id = $3",
        )
        .bind(reason)
        .bind(to_millis(now))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE orders SET shipment_id = NULL WHERE shipment_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }

    /// Why the last attempt failed (shown while the job retries).
    pub async fn note_shipment_error(
        &self,
        id: i64,
        error: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE shipments SET last_error = $1, updated_at = $2 WHERE id = $3")
            .bind(error)
            .bind(to_millis(now))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }

    /// The printable PDF, once ready.
    pub async fn shipment_pdf(&self, id: i64) -> StoreResult<Option<Vec<u8>>> {
        let row: Option<(Option<Vec<u8>>,)> =
            sqlx::query_as("SELECT pdf FROM shipments WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.and_then(|(pdf,)| pdf))
    }
}

/// `workflow::handover::is_ready` as SQL over the `orders` row: the same constants, so the
/// gathering and the handover job cannot disagree on which orders go.
fn ready_to_hand_over() -> String {
    let quoted = |names: Vec<&str>| {
        names
            .iter()
            .map(|name| format!("'{name}'"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "state IN ({}) AND tracking_number IS NOT NULL \
         AND (courier_status IS NULL OR courier_status IN ({}))",
        quoted(handover::READY_STATES.iter().map(|s| s.as_str()).collect()),
        quoted(
            handover::READY_COURIER_STATUSES
                .iter()
                .map(|s| s.as_str())
                .collect()
        )
    )
}
