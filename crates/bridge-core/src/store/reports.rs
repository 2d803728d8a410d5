//! The reports' reads: three grouped passes over one shop's orders received in a range, through
//! the `(shop_id, created_at)` index. Each pass returns a few rows per period (counts and sums
//! per region and currency; one row per whole minute or hour for the medians), never one row
//! per order, so a report costs one index range scan whatever the database's size.

use super::{Store, StoreResult, to_millis};
use crate::reports::{
    Bucket, Period, Report, ReportData, ReportRangeError, ReportRequest, Tally, TallyGroup, build,
};

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The range asked for is not one.
    #[error(transparent)]
    Range(#[from] ReportRangeError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] super::StoreError),
}

/// `CASE WHEN created_at < $3 THEN 0 WHEN created_at < $4 THEN 1 … END`: the period of an order,
/// from the periods' ends bound from `$3` on (`$1` is the shop, `$2` the range's start).
fn period_of(periods: &[Period]) -> String {
    let mut sql = String::from("CAST(CASE");
    for (index, _) in periods.iter().enumerate() {
        sql.push_str(&format!(" WHEN created_at < ${} THEN {index}", index + 3));
    }
    sql.push_str(" END AS BIGINT)");
    sql
}

/// The filter every pass shares: the shop's orders received in the range.
const IN_RANGE: &str = "shop_id = $1 AND created_at >= $2 AND created_at < ";

fn range_end_param(periods: &[Period]) -> String {
    format!("${}", periods.len() + 2)
}

impl Store {
    /// One shop's report.
    pub async fn report(&self, request: &ReportRequest) -> Result<Report, ReportError> {
        let periods = request.periods()?;
        let data = ReportData {
            tallies: self.report_tallies(request, &periods).await?,
            minutes_to_confirm: self.minutes_to_confirm(request, &periods).await?,
            hours_to_deliver: self.hours_to_deliver(request, &periods).await?,
        };
        Ok(build(request, &periods, data))
    }

    async fn report_tallies(
        &self,
        request: &ReportRequest,
        periods: &[Period],
    ) -> StoreResult<Vec<TallyGroup>> {
        let sql = format!(
            "SELECT {period} AS period, region_name, COALESCE(currency, ''), COUNT(*), \
             COUNT(asked_at), COUNT(confirmed_at), COUNT(declined_at), COUNT(expired_at), \
             COUNT(shipped_at), COUNT(delivered_at), COUNT(returned_at), COUNT(cancelled_at), \
             CAST(COALESCE(SUM(CASE WHEN shipped_at IS NOT NULL THEN collect_milli END), 0) AS BIGINT), \
             CAST(COALESCE(SUM(CASE WHEN delivered_at IS NOT NULL THEN collect_milli END), 0) AS BIGINT), \
             CAST(COALESCE(SUM(CASE WHEN shipped_at IS NOT NULL AND delivered_at IS NULL \
                  AND returned_at IS NULL AND cancelled_at IS NULL THEN collect_milli END), 0) AS BIGINT) \
             FROM orders WHERE {IN_RANGE}{end} GROUP BY 1, 2, 3",
            period = period_of(periods),
            end = range_end_param(periods),
        );
        type Row = (
            i64,
            Option<String>,
            String,
            i64,
            i64,
            i64,
            i64,
            i64,
            i64,
            i64,
            i64,
            i64,
            i64,
            i64,
            i64,
        );
        let rows: Vec<Row> = bind_range(sqlx::query_as(sqlx::AssertSqlSafe(sql)), request, periods)
            .fetch_all(&self.pool)
            .await?;
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        Ok(rows
            .into_iter()
            .map(|row| TallyGroup {
                period: usize::try_from(row.0).unwrap_or(usize::MAX),
                region: row.1,
                currency: row.2,
                tally: Tally {
                    received: count(row.3),
                    asked: count(row.4),
                    confirmed: count(row.5),
                    declined: count(row.6),
                    expired: count(row.7),
                    shipped: count(row.8),
                    delivered: count(row.9),
                    returned: count(row.10),
                    cancelled: count(row.11),
                    expected_milli: row.12,
                    collected_milli: row.13,
                    outstanding_milli: row.14,
                },
            })
            .collect())
    }

    async fn minutes_to_confirm(
        &self,
        request: &ReportRequest,
        periods: &[Period],
    ) -> StoreResult<Vec<Bucket<usize>>> {
        let sql = format!(
            "SELECT {period} AS period, (confirmed_at - asked_at) / 60000 AS minutes, COUNT(*) \
             FROM orders WHERE {IN_RANGE}{end} \
             AND confirmed_at IS NOT NULL AND asked_at IS NOT NULL GROUP BY 1, 2",
            period = period_of(periods),
            end = range_end_param(periods),
        );
        let rows: Vec<(i64, i64, i64)> =
            bind_range(sqlx::query_as(sqlx::AssertSqlSafe(sql)), request, periods)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .into_iter()
            .map(|(period, value, count)| Bucket {
                key: usize::try_from(period).unwrap_or(usize::MAX),
                value,
                count: u64::try_from(count).unwrap_or(0),
            })
            .collect())
    }

    async fn hours_to_deliver(
        &self,
        request: &ReportRequest,
        periods: &[Period],
    ) -> StoreResult<Vec<Bucket<Option<String>>>> {
        // The periods' ends are bound too (the parameters are numbered the same in every pass)
        // though this pass groups by region only.
        let sql = format!(
            "SELECT region_name, (delivered_at - shipped_at) / 3600000 AS hours, COUNT(*) \
             FROM orders WHERE {IN_RANGE}{end} AND {period} IS NOT NULL \
             AND delivered_at IS NOT NULL AND shipped_at IS NOT NULL GROUP BY 1, 2",
            period = period_of(periods),
            end = range_end_param(periods),
        );
        let rows: Vec<(Option<String>, i64, i64)> =
            bind_range(sqlx::query_as(sqlx::AssertSqlSafe(sql)), request, periods)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .into_iter()
            .map(|(region, value, count)| Bucket {
                key: region,
                value,
                count: u64::try_from(count).unwrap_or(0),
            })
            .collect())
    }
}

/// Binds `$1` the shop, `$2` the range's start, then each period's end.
fn bind_range<'q, O>(
    mut query: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments>,
    request: &ReportRequest,
    periods: &[Period],
) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments> {
    let starts = periods.first().map_or(0, |p| to_millis(p.starts));
    query = query.bind(request.shop.as_str().to_owned()).bind(starts);
    for period in periods {
        query = query.bind(to_millis(period.ends));
    }
    query
}
