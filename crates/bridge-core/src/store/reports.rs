//! The reports' reads: three grouped passes over one shop's orders received in a range, through
//! the `(shop_id, created_at)` index. Each pass returns a few rows per period (counts and sums
//! per region and currency; one row per whole minute or hour for the medians), never one row
//! per order, so a report costs one index range scan whatever the database's size.

use super::{Store, StoreResult, to_millis};
use crate::reports::{
    Bucket, Granularity, Period, Report, ReportData, ReportRangeError, ReportRequest, Tally,
    TallyGroup, build,
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

/// How SQL tells an order's period: `$1` is the shop, `$2` and `$3` the range's start and end,
/// and the expression's own numbers follow from `$4`.
struct PeriodSql {
    expression: String,
    numbers: Vec<i64>,
}

impl PeriodSql {
    /// Arithmetic when every period has the same length (days or weeks without a daylight
    /// saving change in the range): `(created_at - anchor) / length`, one division per order
    /// whatever the number of periods. Otherwise (months, or a change of the clocks) a `CASE`
    /// over the periods' ends.
    fn of(by: Granularity, periods: &[Period]) -> PeriodSql {
        if let Some(sql) = Self::uniform(by, periods) {
            return sql;
        }
        let mut expression = String::from("CAST(CASE");
        for (index, _) in periods.iter().enumerate() {
            expression.push_str(&format!(" WHEN created_at < ${} THEN {index}", index + 4));
        }
        expression.push_str(" END AS BIGINT)");
        PeriodSql {
            expression,
            numbers: periods.iter().map(|p| to_millis(p.ends)).collect(),
        }
    }

    fn uniform(by: Granularity, periods: &[Period]) -> Option<PeriodSql> {
        // The length comes from the granularity, never from a period that may be cut.
        let length = match by {
            Granularity::Day => 86_400_000,
            Granularity::Week => 7 * 86_400_000,
            Granularity::Month => return None,
        };
        let first = periods.first()?;
        // The first period may be cut (a week asked from a Wednesday): it is counted from
        // where it would have started.
        let anchor = to_millis(first.ends) - length;
        if to_millis(first.starts) < anchor {
            return None;
        }
        let last = periods.len() - 1;
        let regular = periods.iter().enumerate().all(|(index, period)| {
            let end = anchor + length * (index as i64 + 1);
            let ends = to_millis(period.ends);
            ends == end || (index == last && ends < end && ends > end - length)
        });
        regular.then(|| PeriodSql {
            expression: "(created_at - $4) / $5".to_owned(),
            numbers: vec![anchor, length],
        })
    }
}

/// The filter every pass shares: the shop's orders received in the range.
const IN_RANGE: &str = "shop_id = $1 AND created_at >= $2 AND created_at < $3";

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
        let period = PeriodSql::of(request.by, periods);
        let sql = format!(
            "SELECT {period} AS period, region_name, COALESCE(currency, ''), COUNT(*), \
             COUNT(asked_at), COUNT(confirmed_at), COUNT(declined_at), COUNT(expired_at), \
             COUNT(shipped_at), COUNT(delivered_at), COUNT(returned_at), COUNT(cancelled_at), \
             CAST(COALESCE(SUM(CASE WHEN shipped_at IS NOT NULL THEN collect_milli END), 0) AS BIGINT), \
             CAST(COALESCE(SUM(CASE WHEN delivered_at IS NOT NULL THEN collect_milli END), 0) AS BIGINT), \
             CAST(COALESCE(SUM(CASE WHEN shipped_at IS NOT NULL AND delivered_at IS NULL \
                  AND returned_at IS NULL AND cancelled_at IS NULL THEN collect_milli END), 0) AS BIGINT), \
             COUNT(CASE WHEN courier_details LIKE '%\"amount_change\"%' THEN 1 END) \
             FROM orders WHERE {IN_RANGE} GROUP BY 1, 2, 3",
            period = period.expression,
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
            i64,
        );
        let rows: Vec<Row> = bind_range(
            sqlx::query_as(sqlx::AssertSqlSafe(sql)),
            request,
            periods,
            Some(&period),
        )
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
                    amount_changed: count(row.15),
                },
            })
            .collect())
    }

    async fn minutes_to_confirm(
        &self,
        request: &ReportRequest,
        periods: &[Period],
    ) -> StoreResult<Vec<Bucket<usize>>> {
        let period = PeriodSql::of(request.by, periods);
        let sql = format!(
            "SELECT {period} AS period, (confirmed_at - asked_at) / 60000 AS minutes, COUNT(*) \
             FROM orders WHERE {IN_RANGE} \
             AND confirmed_at IS NOT NULL AND asked_at IS NOT NULL GROUP BY 1, 2",
            period = period.expression,
        );
        let rows: Vec<(i64, i64, i64)> = bind_range(
            sqlx::query_as(sqlx::AssertSqlSafe(sql)),
            request,
            periods,
            Some(&period),
        )
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
        let sql = format!(
            "SELECT region_name, (delivered_at - shipped_at) / 3600000 AS hours, COUNT(*) \
             FROM orders WHERE {IN_RANGE} \
             AND delivered_at IS NOT NULL AND shipped_at IS NOT NULL GROUP BY 1, 2"
        );
        let rows: Vec<(Option<String>, i64, i64)> = bind_range(
            sqlx::query_as(sqlx::AssertSqlSafe(sql)),
            request,
            periods,
            None,
        )
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

/// Binds `$1` the shop, `$2` and `$3` the range's start and end, then the period
/// expression's numbers, if the query has one.
fn bind_range<'q, O>(
    mut query: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments>,
    request: &ReportRequest,
    periods: &[Period],
    period: Option<&PeriodSql>,
) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments> {
    let starts = periods.first().map_or(0, |p| to_millis(p.starts));
    let ends = periods.last().map_or(0, |p| to_millis(p.ends));
    query = query
        .bind(request.shop.as_str().to_owned())
        .bind(starts)
        .bind(ends);
    for number in period.map_or(&[][..], |p| &p.numbers[..]) {
        query = query.bind(*number);
    }
    query
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reports::Granularity;
    use chrono_tz::Tz;

    fn periods(from: &str, to: &str, by: Granularity, zone: Tz) -> Vec<Period> {
        ReportRequest {
            shop: crate::domain::ShopId::new("kente"),
            from: from.parse().unwrap(),
            to: to.parse().unwrap(),
            by,
            time_zone: zone,
        }
        .periods()
        .unwrap()
    }

    #[test]
    fn equal_periods_are_told_by_a_division_and_the_others_by_their_ends() {
        // A year of Accra's days (no daylight saving): one division per order.
        let days = PeriodSql::of(
            Granularity::Day,
            &periods(
                "2026-01-01",
                "2026-12-31",
                Granularity::Day,
                chrono_tz::Africa::Accra,
            ),
        );
        assert_eq!(days.expression, "(created_at - $4) / $5");
        assert_eq!(days.numbers[1], 86_400_000);
        // Weeks asked from a Wednesday: the first is counted from its Monday.
        let weeks = periods(
            "2026-11-04",
            "2026-11-20",
            Granularity::Week,
            chrono_tz::UTC,
        );
        let sql = PeriodSql::of(Granularity::Week, &weeks);
        assert_eq!(
            sql.numbers,
            vec![to_millis(weeks[1].starts) - 7 * 86_400_000, 7 * 86_400_000]
        );
        // Paris changes its clocks on 25 October: that day lasts 25 hours.
        let paris = PeriodSql::of(
            Granularity::Day,
            &periods(
                "2026-10-20",
                "2026-10-30",
                Granularity::Day,
                chrono_tz::Europe::Paris,
            ),
        );
        assert!(
            paris
                .expression
                .starts_with("CAST(CASE WHEN created_at < $4 THEN 0")
        );
        assert_eq!(paris.numbers.len(), 11);
        // Months differ in length.
        let months = PeriodSql::of(
            Granularity::Month,
            &periods(
                "2026-01-01",
                "2026-03-31",
                Granularity::Month,
                chrono_tz::UTC,
            ),
        );
        assert!(months.expression.contains("WHEN created_at < $6 THEN 2"));
        // A full week then a one-day week: the division still counts in weeks from the first
        // Monday, so the first week's orders fall in period 0.
        let cut = periods(
            "2026-11-09",
            "2026-11-16",
            Granularity::Week,
            chrono_tz::UTC,
        );
        let sql = PeriodSql::of(Granularity::Week, &cut);
        assert_eq!(sql.numbers, vec![to_millis(cut[0].starts), 7 * 86_400_000]);
        // A cut first month then two days: months never take the division.
        let cut = periods(
            "2026-11-03",
            "2026-12-02",
            Granularity::Month,
            chrono_tz::UTC,
        );
        assert!(
            PeriodSql::of(Granularity::Month, &cut)
                .expression
                .starts_with("CAST(CASE")
        );
    }
}
