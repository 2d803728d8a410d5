//! The numbers a cash-on-delivery merchant runs on: how many orders the customers confirm, how
//! many confirmed parcels are delivered rather than returned, and the cash still on the road.
//!
//! Every figure is a **cohort** figure: the orders *received* in a period (a day, an ISO week
//! or a calendar month of the shop's time zone) and what has happened to them since. An order
//! received on Monday and delivered on Thursday counts in Monday's delivered figure, so the
//! rates of one period never exceed 100 % and a period's figures settle as its orders finish.
//!
//! The store groups the orders in one pass per figure family (counts and sums, the
//! time-to-confirm histogram, the time-to-deliver histogram) — see `store::reports` — and this
//! module turns those groups into periods, rates and medians.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::domain::ShopId;

/// The longest report, in periods: a year of days.
pub const MAX_PERIODS: usize = 400;

/// How a report's range is cut.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Granularity {
    /// One period per day.
    #[default]
    Day,
    /// One period per ISO week (Monday to Sunday).
    Week,
    /// One period per calendar month.
    Month,
}

impl Granularity {
    /// Every granularity.
    pub const ALL: [Granularity; 3] = [Granularity::Day, Granularity::Week, Granularity::Month];

    /// The name in requests (`day`, `week`, `month`).
    pub fn as_str(self) -> &'static str {
        match self {
            Granularity::Day => "day",
            Granularity::Week => "week",
            Granularity::Month => "month",
        }
    }

    /// The first day of the period that contains `date`.
    fn start_of(self, date: NaiveDate) -> NaiveDate {
        match self {
            Granularity::Day => date,
            Granularity::Week => {
                date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
            }
            Granularity::Month => date.with_day(1).unwrap_or(date),
        }
    }

    /// The first day of the period after the one starting on `start` (`None` past the
    /// calendar's end).
    fn next(self, start: NaiveDate) -> Option<NaiveDate> {
        match self {
            Granularity::Day => start.checked_add_days(chrono::Days::new(1)),
            Granularity::Week => start.checked_add_days(chrono::Days::new(7)),
            Granularity::Month => start.checked_add_months(chrono::Months::new(1)),
        }
    }
}

impl fmt::Display for Granularity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Granularity {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Granularity::ALL
            .into_iter()
            .find(|g| g.as_str() == text)
            .ok_or_else(|| format!("`{text}` is not one of day, week, month"))
    }
}

/// What a report covers: one shop's orders received from `from` to `to` (both included, dates
/// of the shop's time zone), cut into periods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRequest {
    /// The shop.
    pub shop: ShopId,
    /// The first day.
    pub from: NaiveDate,
    /// The last day (included).
    pub to: NaiveDate,
    /// How the range is cut.
    pub by: Granularity,
    /// The shop's time zone: its days start at its midnight.
    pub time_zone: Tz,
}

/// Why a report cannot be made as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportRangeError {
    /// `to` is before `from`.
    #[error("`to` ({to}) is before `from` ({from})")]
    Backwards {
        /// The first day asked.
        from: NaiveDate,
        /// The last day asked.
        to: NaiveDate,
    },
    /// Too many periods.
    #[error("{periods} periods asked; at most {MAX_PERIODS} (choose a longer `by`)")]
    TooLong {
        /// How many.
        periods: usize,
    },
    /// A day outside the years a report can cover.
    #[error("{0} is outside the years 2000 to 2100")]
    OutOfRange(NaiveDate),
}

/// One period of a report: its dates and where it starts and ends in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// First day (shop time zone).
    pub first_day: NaiveDate,
    /// Last day, included.
    pub last_day: NaiveDate,
    /// Its start: the shop's midnight at the start of `first_day`.
    pub starts: DateTime<Utc>,
    /// Its end (excluded): the shop's midnight after `last_day`.
    pub ends: DateTime<Utc>,
}

impl ReportRequest {
    /// The periods, in order; the first and last are cut to the range.
    pub fn periods(&self) -> Result<Vec<Period>, ReportRangeError> {
        for day in [self.from, self.to] {
            if !(2000..=2100).contains(&day.year()) {
                return Err(ReportRangeError::OutOfRange(day));
            }
        }
        if self.to < self.from {
            return Err(ReportRangeError::Backwards {
                from: self.from,
                to: self.to,
            });
        }
        let mut periods = Vec::new();
        let mut start = self.by.start_of(self.from);
        while start <= self.to {
            let next = self
                .by
                .next(start)
                .ok_or(ReportRangeError::OutOfRange(start))?;
            let first_day = start.max(self.from);
            let last_day = (next - Duration::days(1)).min(self.to);
            periods.push(Period {
                first_day,
                last_day,
                starts: local_midnight(first_day, self.time_zone),
                ends: local_midnight(last_day + Duration::days(1), self.time_zone),
            });
            if periods.len() > MAX_PERIODS {
                let periods = periods.len() + count_periods(self.by, next, self.to);
                return Err(ReportRangeError::TooLong { periods });
            }
            start = next;
        }
        Ok(periods)
    }
}

fn count_periods(by: Granularity, mut start: NaiveDate, to: NaiveDate) -> usize {
    let mut count = 0;
    while start <= to {
        count += 1;
        match by.next(start) {
            Some(next) => start = next,
            None => break,
        }
    }
    count
}

/// Midnight of `date` in `zone`, as an instant. Where the clocks skip midnight (a daylight
/// saving change at 00:00), the day starts at the first instant that exists.
pub fn local_midnight(date: NaiveDate, zone: Tz) -> DateTime<Utc> {
    let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    (0..=4)
        .find_map(|half_hours| {
            zone.from_local_datetime(&(midnight + Duration::minutes(30 * half_hours)))
                .earliest()
        })
        .map_or_else(
            || Utc.from_utc_datetime(&midnight),
            |local| local.with_timezone(&Utc),
        )
}

/// Counts and sums of the orders of one period, one ShaQ region and one currency, as the store
/// groups them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Orders received.
    pub received: u64,
    /// Customers asked to confirm.
    pub asked: u64,
    /// Confirmed.
    pub confirmed: u64,
    /// Declined.
    pub declined: u64,
    /// No answer in time.
    pub expired: u64,
    /// Packages created at ShaQ.
    pub shipped: u64,
    /// Delivered.
    pub delivered: u64,
    /// Returned to the merchant.
    pub returned: u64,
    /// Cancelled.
    pub cancelled: u64,
    /// Orders whose amount to collect ShaQ changed (at the customer's request).
    pub amount_changed: u64,
    /// Cash to collect on the shipped orders, in thousandths.
    pub expected_milli: i64,
    /// Of which on delivered orders.
    pub collected_milli: i64,
    /// Of which on orders still on the road (shipped, not delivered, returned or cancelled).
    pub outstanding_milli: i64,
}

impl Tally {
    fn add(&mut self, other: &Tally) {
        self.received += other.received;
        self.asked += other.asked;
        self.confirmed += other.confirmed;
        self.declined += other.declined;
        self.expired += other.expired;
        self.shipped += other.shipped;
        self.delivered += other.delivered;
        self.returned += other.returned;
        self.cancelled += other.cancelled;
        self.amount_changed += other.amount_changed;
        self.expected_milli += other.expected_milli;
        self.collected_milli += other.collected_milli;
        self.outstanding_milli += other.outstanding_milli;
    }
}

/// One group of the store's main pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TallyGroup {
    /// Index of the period.
    pub period: usize,
    /// The ShaQ region (`None`: not located).
    pub region: Option<String>,
    /// The currency.
    pub currency: String,
    /// The counts and sums.
    pub tally: Tally,
}

/// How many orders took `value` units (whole minutes, whole hours) — one bar of a histogram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket<K> {
    /// The group (a period index, a region).
    pub key: K,
    /// The duration, in whole units.
    pub value: i64,
    /// How many orders.
    pub count: u64,
}

/// What the store read for a report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportData {
    /// Counts and sums per period, region and currency.
    pub tallies: Vec<TallyGroup>,
    /// Minutes from the question to the confirmation, per period.
    pub minutes_to_confirm: Vec<Bucket<usize>>,
    /// Hours from the package's creation to its delivery, per region.
    pub hours_to_deliver: Vec<Bucket<Option<String>>>,
}

/// Cash on delivery in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CashFigures {
    /// ISO 4217.
    pub currency: String,
    /// To collect on the shipped orders.
    pub expected: Decimal,
    /// Collected: on the orders ShaQ delivered.
    pub collected: Decimal,
    /// Still on the road.
    pub outstanding: Decimal,
}

/// The figures of one period (or of the whole range).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PeriodFigures {
    /// First day.
    pub first_day: NaiveDate,
    /// Last day (included).
    pub last_day: NaiveDate,
    /// Orders received.
    pub received: u64,
    /// Customers asked to confirm on WhatsApp.
    pub asked: u64,
    /// Confirmed.
    pub confirmed: u64,
    /// Declined.
    pub declined: u64,
    /// No answer within `confirm_within`.
    pub expired: u64,
    /// Cancelled (any reason).
    pub cancelled: u64,
    /// Packages created at ShaQ.
    pub shipped: u64,
    /// Delivered.
    pub delivered: u64,
    /// Returned (RTO).
    pub returned: u64,
    /// Orders whose amount to collect ShaQ changed at the customer's request.
    pub amount_changed: u64,
    /// confirmed / asked (`None` when nobody was asked).
    pub confirmation_rate: Option<f64>,
    /// Median minutes from the question to the confirmation (whole minutes).
    pub median_minutes_to_confirm: Option<f64>,
    /// returned / (delivered + returned): of the parcels that finished, the share that came
    /// back.
    pub return_rate: Option<f64>,
    /// delivered / (delivered + returned).
    pub delivery_success_rate: Option<f64>,
    /// Cash on delivery, per currency.
    pub cash: Vec<CashFigures>,
}

/// Delivery per ShaQ region over the whole range.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RegionFigures {
    /// The region (`None`: orders never located).
    pub region: Option<String>,
    /// Packages created.
    pub shipped: u64,
    /// Delivered.
    pub delivered: u64,
    /// Returned.
    pub returned: u64,
    /// delivered / (delivered + returned).
    pub delivery_success_rate: Option<f64>,
    /// Median days from the package's creation to its delivery (hour resolution).
    pub median_days_to_deliver: Option<f64>,
}

/// A shop's report.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Report {
    /// The shop.
    pub shop: ShopId,
    /// Its time zone.
    pub time_zone: String,
    /// First day.
    pub from: NaiveDate,
    /// Last day (included).
    pub to: NaiveDate,
    /// How the range is cut.
    pub by: Granularity,
    /// One entry per period, oldest first.
    pub periods: Vec<PeriodFigures>,
    /// The whole range.
    pub total: PeriodFigures,
    /// Delivery per region, most shipped first.
    pub regions: Vec<RegionFigures>,
}

fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// The median of a histogram of whole units (the mean of the two middle values for an even
/// count).
fn median(buckets: &mut [(i64, u64)]) -> Option<f64> {
    buckets.sort_unstable_by_key(|(value, _)| *value);
    let total: u64 = buckets.iter().map(|(_, count)| count).sum();
    if total == 0 {
        return None;
    }
    // The values at 0-based positions (total - 1) / 2 and total / 2.
    let nth = |position: u64| {
        let mut seen = 0;
        for (value, count) in buckets.iter() {
            seen += count;
            if seen > position {
                return *value;
            }
        }
        0
    };
    let (low, high) = (nth((total - 1) / 2), nth(total / 2));
    Some((low as f64 + high as f64) / 2.0)
}

fn cash(by_currency: &BTreeMap<String, Tally>) -> Vec<CashFigures> {
    let decimal = |milli: i64| Decimal::new(milli, 3).normalize();
    by_currency
        .iter()
        .filter(|(_, tally)| tally.expected_milli != 0 || tally.collected_milli != 0)
        .map(|(currency, tally)| CashFigures {
            currency: currency.clone(),
            expected: decimal(tally.expected_milli),
            collected: decimal(tally.collected_milli),
            outstanding: decimal(tally.outstanding_milli),
        })
        .collect()
}

fn figures(
    first_day: NaiveDate,
    last_day: NaiveDate,
    by_currency: &BTreeMap<String, Tally>,
    minutes_to_confirm: &mut [(i64, u64)],
) -> PeriodFigures {
    let mut t = Tally::default();
    for tally in by_currency.values() {
        t.add(tally);
    }
    let finished = t.delivered + t.returned;
    PeriodFigures {
        first_day,
        last_day,
        received: t.received,
        asked: t.asked,
        confirmed: t.confirmed,
        declined: t.declined,
        expired: t.expired,
        cancelled: t.cancelled,
        shipped: t.shipped,
        delivered: t.delivered,
        returned: t.returned,
        amount_changed: t.amount_changed,
        confirmation_rate: ratio(t.confirmed, t.asked),
        median_minutes_to_confirm: median(minutes_to_confirm),
        return_rate: ratio(t.returned, finished),
        delivery_success_rate: ratio(t.delivered, finished),
        cash: cash(by_currency),
    }
}

/// Turns what the store read into the report.
pub fn build(request: &ReportRequest, periods: &[Period], data: ReportData) -> Report {
    let mut per_period: Vec<BTreeMap<String, Tally>> = vec![BTreeMap::new(); periods.len()];
    let mut whole: BTreeMap<String, Tally> = BTreeMap::new();
    let mut regions: BTreeMap<Option<String>, Tally> = BTreeMap::new();
    for group in &data.tallies {
        let Some(slot) = per_period.get_mut(group.period) else {
            continue;
        };
        slot.entry(group.currency.clone())
            .or_default()
            .add(&group.tally);
        whole
            .entry(group.currency.clone())
            .or_default()
            .add(&group.tally);
        regions
            .entry(group.region.clone())
            .or_default()
            .add(&group.tally);
    }
    let mut confirm_per_period: Vec<Vec<(i64, u64)>> = vec![Vec::new(); periods.len()];
    let mut confirm_whole = Vec::new();
    for bucket in &data.minutes_to_confirm {
        if let Some(slot) = confirm_per_period.get_mut(bucket.key) {
            slot.push((bucket.value.max(0), bucket.count));
            confirm_whole.push((bucket.value.max(0), bucket.count));
        }
    }
    let mut deliver: BTreeMap<Option<String>, Vec<(i64, u64)>> = BTreeMap::new();
    for bucket in &data.hours_to_deliver {
        deliver
            .entry(bucket.key.clone())
            .or_default()
            .push((bucket.value.max(0), bucket.count));
    }
    let period_figures = periods
        .iter()
        .zip(per_period.iter())
        .zip(confirm_per_period.iter_mut())
        .map(|((period, tallies), confirm)| {
            figures(period.first_day, period.last_day, tallies, confirm)
        })
        .collect();
    let mut region_figures: Vec<RegionFigures> = regions
        .into_iter()
        .filter(|(_, tally)| tally.shipped > 0)
        .map(|(region, tally)| {
            let hours = deliver.get_mut(&region).map_or(&mut [][..], |v| &mut v[..]);
            let finished = tally.delivered + tally.returned;
            RegionFigures {
                median_days_to_deliver: median(hours).map(|h| h / 24.0),
                region,
                shipped: tally.shipped,
                delivered: tally.delivered,
                returned: tally.returned,
                delivery_success_rate: ratio(tally.delivered, finished),
            }
        })
        .collect();
    region_figures.sort_by(|a, b| b.shipped.cmp(&a.shipped).then(a.region.cmp(&b.region)));
    Report {
        shop: request.shop.clone(),
        time_zone: request.time_zone.name().to_owned(),
        from: request.from,
        to: request.to,
        by: request.by,
        periods: period_figures,
        total: figures(request.from, request.to, &whole, &mut confirm_whole),
        regions: region_figures,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn request(from: &str, to: &str, by: Granularity, zone: Tz) -> ReportRequest {
        ReportRequest {
            shop: ShopId::new("shop"),
            from: day(from),
            to: day(to),
            by,
            time_zone: zone,
        }
    }

    #[test]
    fn weeks_start_on_monday_and_the_ends_are_cut_to_the_range() {
        // 2026-11-04 is a Wednesday.
        let periods = request("2026-11-04", "2026-11-20", Granularity::Week, Tz::UTC)
            .periods()
            .unwrap();
        let days: Vec<_> = periods
            .iter()
            .map(|p| (p.first_day.to_string(), p.last_day.to_string()))
            .collect();
        assert_eq!(
            days,
            [
                ("2026-11-04".into(), "2026-11-08".into()),
                ("2026-11-09".into(), "2026-11-15".into()),
                ("2026-11-16".into(), "2026-11-20".into()),
            ]
        );
    }

    #[test]
    fn months_follow_the_calendar_and_days_start_at_the_shops_midnight() {
        let zone: Tz = "Africa/Casablanca".parse().unwrap();
        let periods = request("2026-01-15", "2026-03-02", Granularity::Month, zone)
            .periods()
            .unwrap();
        assert_eq!(periods.len(), 3);
        assert_eq!(periods[1].first_day, day("2026-02-01"));
        assert_eq!(periods[1].last_day, day("2026-02-28"));
        // Casablanca is UTC+1 in February: its midnight is 23:00 UTC the day before.
        assert_eq!(
            periods[1].starts,
            "2026-01-31T23:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        assert_eq!(periods[0].ends, periods[1].starts);
    }

    #[test]
    fn a_backwards_or_endless_range_is_refused() {
        assert!(matches!(
            request("2026-02-01", "2026-01-01", Granularity::Day, Tz::UTC).periods(),
            Err(ReportRangeError::Backwards { .. })
        ));
        assert_eq!(
            request("2020-01-01", "2026-01-01", Granularity::Day, Tz::UTC).periods(),
            Err(ReportRangeError::TooLong { periods: 2193 })
        );
        assert!(
            request("2020-01-01", "2026-01-01", Granularity::Month, Tz::UTC)
                .periods()
                .is_ok()
        );
        // The calendar's far end is refused, not looped over.
        assert!(matches!(
            request("2026-01-01", "+262142-12-31", Granularity::Month, Tz::UTC).periods(),
            Err(ReportRangeError::OutOfRange(_))
        ));
    }

    #[test]
    fn medians_of_histograms_are_exact_for_whole_units() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [(7, 1)]), Some(7.0));
        // 1, 2, 2, 10 → (2 + 2) / 2; 1, 2, 10, 10 → (2 + 10) / 2.
        assert_eq!(median(&mut [(10, 1), (1, 1), (2, 2)]), Some(2.0));
        assert_eq!(median(&mut [(10, 2), (2, 1), (1, 1)]), Some(6.0));
    }

    #[test]
    fn figures_add_up_across_regions_and_currencies() {
        let req = request("2026-11-01", "2026-11-02", Granularity::Day, Tz::UTC);
        let periods = req.periods().unwrap();
        let tally = |received, asked, confirmed, delivered, returned, milli| Tally {
            received,
            asked,
            confirmed,
            shipped: confirmed,
            delivered,
            returned,
            expected_milli: milli,
            collected_milli: milli / 2,
            outstanding_milli: 0,
            ..Tally::default()
        };
        let data = ReportData {
            tallies: vec![
                TallyGroup {
                    period: 0,
                    region: Some("Greater Accra".into()),
                    currency: "GHS".into(),
                    tally: tally(10, 10, 6, 4, 1, 150_500),
                },
                TallyGroup {
                    period: 0,
                    region: Some("Ashanti".into()),
                    currency: "GHS".into(),
                    tally: tally(5, 5, 2, 1, 1, 20_000),
                },
                TallyGroup {
                    period: 1,
                    region: Some("Ashanti".into()),
                    currency: "GHS".into(),
                    tally: tally(1, 0, 0, 0, 0, 0),
                },
            ],
            minutes_to_confirm: vec![
                Bucket {
                    key: 0,
                    value: 30,
                    count: 5,
                },
                Bucket {
                    key: 0,
                    value: 90,
                    count: 3,
                },
            ],
            hours_to_deliver: vec![Bucket {
                key: Some("Ashanti".into()),
                value: 36,
                count: 1,
            }],
        };
        let report = build(&req, &periods, data);
        let first = &report.periods[0];
        assert_eq!((first.received, first.asked, first.confirmed), (15, 15, 8));
        assert_eq!(first.confirmation_rate, Some(8.0 / 15.0));
        assert_eq!(first.median_minutes_to_confirm, Some(30.0));
        assert_eq!(first.return_rate, Some(2.0 / 7.0));
        assert_eq!(first.cash[0].expected, Decimal::new(1705, 1));
        assert_eq!(first.cash[0].collected, Decimal::new(8525, 2));
        assert_eq!(report.periods[1].confirmation_rate, None);
        assert_eq!(report.total.received, 16);
        let ashanti = report
            .regions
            .iter()
            .find(|r| r.region.as_deref() == Some("Ashanti"))
            .unwrap();
        assert_eq!(ashanti.median_days_to_deliver, Some(1.5));
        assert_eq!(report.regions[0].region.as_deref(), Some("Greater Accra"));
    }
}
