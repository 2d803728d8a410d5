//! Reports for people: which reports a request asks for (`/api/reports`, the console's Reports
//! page, their CSV), the CSV itself, and the console's charts as inline SVG (no script, no
//! network: the console works offline).

use std::fmt::Write as _;

use bridge_core::domain::ShopId;
use bridge_core::reports::{Granularity, Report, ReportRangeError, ReportRequest};
use bridge_core::store::{ReportError, Store};
use bridge_core::workflow::Rules;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use crate::configuration::Settings;
use crate::error::ApiError;

/// Days a report covers when `from` is not given.
const DEFAULT_DAYS: i64 = 30;

/// Which reports to make.
#[derive(Debug, Clone, Default, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportsQuery {
    /// One shop (its configured id); every shop when empty.
    pub shop: Option<String>,
    /// First day, in the shop's time zone (`2026-11-01`; default: 30 days before `to`).
    pub from: Option<String>,
    /// Last day, included (default: today in the shop's time zone).
    pub to: Option<String>,
    /// `day` (default), `week` (ISO weeks) or `month`.
    pub by: Option<String>,
    /// CSV only: `periods` (default: one line per shop and period) or `regions`.
    pub table: Option<String>,
}

fn non_empty(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

fn day(field: &str, value: Option<&str>) -> Result<Option<NaiveDate>, ApiError> {
    non_empty(value)
        .map(|v| {
            let day = v.parse::<NaiveDate>().map_err(|_| {
                ApiError::invalid_field(field, format!("`{v}` is not a day like 2026-11-01"))
            })?;
            if !(2000..=2100).contains(&chrono::Datelike::year(&day)) {
                return Err(ApiError::invalid_field(
                    field,
                    format!("{day} is outside the years 2000 to 2100"),
                ));
            }
            Ok(day)
        })
        .transpose()
}

impl ReportsQuery {
    /// The reports asked for, one per shop, each parameter checked; `now` decides "today" in
    /// each shop's time zone.
    pub fn requests(
        &self,
        settings: &Settings,
        rules: &Rules,
        now: DateTime<Utc>,
    ) -> Result<Vec<ReportRequest>, ApiError> {
        let by = non_empty(self.by.as_deref())
            .map(|v| v.parse::<Granularity>())
            .transpose()
            .map_err(|message| ApiError::invalid_field("by", message))?
            .unwrap_or_default();
        let from = day("from", self.from.as_deref())?;
        let to = day("to", self.to.as_deref())?;
        let shops: Vec<ShopId> = match non_empty(self.shop.as_deref()) {
            Some(shop) => {
                let shop = ShopId::new(shop);
                if !rules.shops.contains_key(&shop) {
                    return Err(ApiError::invalid_field(
                        "shop",
                        format!("no shop `{shop}` is configured"),
                    ));
                }
                vec![shop]
            }
            None => settings
                .shops
                .iter()
                .map(|s| ShopId::new(s.id.as_str()))
                .collect(),
        };
        shops
            .into_iter()
            .map(|shop| {
                let time_zone = rules
                    .shops
                    .get(&shop)
                    .map_or(chrono_tz::UTC, |p| p.confirmation.time_zone);
                let to = to.unwrap_or_else(|| now.with_timezone(&time_zone).date_naive());
                let from = from.unwrap_or(to - Duration::days(DEFAULT_DAYS - 1));
                let request = ReportRequest {
                    shop,
                    from,
                    to,
                    by,
                    time_zone,
                };
                request.periods().map_err(range_error)?;
                Ok(request)
            })
            .collect()
    }

    /// The CSV table asked for.
    pub fn table(&self) -> Result<CsvTable, ApiError> {
        match non_empty(self.table.as_deref()) {
            None | Some("periods") => Ok(CsvTable::Periods),
            Some("regions") => Ok(CsvTable::Regions),
            Some(other) => Err(ApiError::invalid_field(
                "table",
                format!("`{other}` is not one of periods, regions"),
            )),
        }
    }
}

fn range_error(error: ReportRangeError) -> ApiError {
    let field = match error {
        ReportRangeError::Backwards { .. } | ReportRangeError::OutOfRange(_) => "to",
        ReportRangeError::TooLong { .. } => "by",
    };
    ApiError::invalid_field(field, error.to_string())
}

/// Makes the reports.
pub async fn make(store: &Store, requests: &[ReportRequest]) -> Result<Vec<Report>, ApiError> {
    let mut reports = Vec::with_capacity(requests.len());
    for request in requests {
        reports.push(store.report(request).await.map_err(|e| match e {
            ReportError::Range(range) => range_error(range),
            ReportError::Store(store) => store.into(),
        })?);
    }
    Ok(reports)
}

/// The CSV's lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvTable {
    /// One line per shop and period.
    Periods,
    /// One line per shop and ShaQ region.
    Regions,
}

fn rate(value: Option<f64>) -> String {
    value.map_or_else(String::new, |v| format!("{v:.4}"))
}

fn number(value: Option<f64>) -> String {
    value.map_or_else(String::new, |v| format!("{v:.2}"))
}

/// The reports as CSV (rates as fractions with 4 decimals; amounts exact; one line per
/// currency when a period has several).
pub fn to_csv(reports: &[Report], table: CsvTable) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    match table {
        CsvTable::Periods => {
            writer.write_record([
                "shop",
                "first_day",
                "last_day",
                "received",
                "asked",
                "confirmed",
                "confirmation_rate",
                "median_minutes_to_confirm",
                "declined",
                "expired",
                "cancelled",
                "shipped",
                "delivered",
                "returned",
                "return_rate",
                "amount_changed",
                "currency",
                "cod_expected",
                "cod_collected",
                "cod_outstanding",
            ])?;
            for report in reports {
                for p in &report.periods {
                    let counts = [
                        report.shop.to_string(),
                        p.first_day.to_string(),
                        p.last_day.to_string(),
                        p.received.to_string(),
                        p.asked.to_string(),
                        p.confirmed.to_string(),
                        rate(p.confirmation_rate),
                        number(p.median_minutes_to_confirm),
                        p.declined.to_string(),
                        p.expired.to_string(),
                        p.cancelled.to_string(),
                        p.shipped.to_string(),
                        p.delivered.to_string(),
                        p.returned.to_string(),
                        rate(p.return_rate),
                        p.amount_changed.to_string(),
                    ];
                    if p.cash.is_empty() {
                        let mut line = counts.to_vec();
                        line.extend([String::new(), String::new(), String::new(), String::new()]);
                        writer.write_record(&line)?;
                    }
                    for cash in &p.cash {
                        let mut line = counts.to_vec();
                        line.extend([
                            cash.currency.clone(),
                            cash.expected.to_string(),
                            cash.collected.to_string(),
                            cash.outstanding.to_string(),
                        ]);
                        writer.write_record(&line)?;
                    }
                }
            }
        }
        CsvTable::Regions => {
            writer.write_record([
                "shop",
                "from",
                "to",
                "region",
                "shipped",
                "delivered",
                "returned",
                "delivery_success_rate",
                "median_days_to_deliver",
            ])?;
            for report in reports {
                for r in &report.regions {
                    writer.write_record([
                        report.shop.to_string(),
                        report.from.to_string(),
                        report.to.to_string(),
                        r.region
                            .clone()
                            .unwrap_or_else(|| "(not located)".to_owned()),
                        r.shipped.to_string(),
                        r.delivered.to_string(),
                        r.returned.to_string(),
                        rate(r.delivery_success_rate),
                        number(r.median_days_to_deliver),
                    ])?;
                }
            }
        }
    }
    writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}

/// The chart's size, in SVG units (it scales to the page's width).
const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 44.0;
const BOTTOM: f64 = 28.0;
const TOP: f64 = 12.0;
const RIGHT: f64 = 44.0;

/// One series of bars.
struct Series {
    name: &'static str,
    class: &'static str,
    value: fn(&bridge_core::reports::PeriodFigures) -> u64,
}

const BARS: [Series; 4] = [
    Series {
        name: "received",
        class: "received",
        value: |p| p.received,
    },
    Series {
        name: "confirmed",
        class: "confirmed",
        value: |p| p.confirmed,
    },
    Series {
        name: "delivered",
        class: "delivered",
        value: |p| p.delivered,
    },
    Series {
        name: "returned",
        class: "returned",
        value: |p| p.returned,
    },
];

/// A bar chart of orders per period (received, confirmed, delivered, returned) with the
/// confirmation and return rates as lines on a 0–100 % axis at the right.
pub fn chart_svg(report: &Report, label: &str) -> String {
    let periods = &report.periods;
    let count = periods.len().max(1) as f64;
    let plot_width = WIDTH - LEFT - RIGHT;
    let plot_height = HEIGHT - TOP - BOTTOM;
    let highest = periods.iter().map(|p| p.received).max().unwrap_or(0).max(1) as f64;
    let slot = plot_width / count;
    let bar = (slot * 0.8 / BARS.len() as f64).max(0.5);
    let y_of = |value: f64| TOP + plot_height * (1.0 - value / highest);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{label}">"#,
        label = escape_attribute(label),
    );
    // Axes and the left scale (orders).
    let _ = write!(
        svg,
        r#"<line class="axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{b}"/><line class="axis" x1="{LEFT}" y1="{b}" x2="{r}" y2="{b}"/>"#,
        b = TOP + plot_height,
        r = WIDTH - RIGHT,
    );
    for tick in [0.0, 0.5, 1.0] {
        let value = (highest * tick).round();
        let _ = write!(
            svg,
            r#"<text class="tick" x="{x}" y="{y:.1}" text-anchor="end">{value}</text><text class="tick" x="{rx}" y="{y:.1}">{pct}%</text>"#,
            x = LEFT - 4.0,
            y = y_of(value) + 4.0,
            rx = WIDTH - RIGHT + 4.0,
            pct = (tick * 100.0) as u32,
        );
    }
    for (index, period) in periods.iter().enumerate() {
        let x0 = LEFT + slot * index as f64 + slot * 0.1;
        for (n, series) in BARS.iter().enumerate() {
            let value = (series.value)(period) as f64;
            let y = y_of(value);
            let _ = write!(
                svg,
                r#"<rect class="{class}" x="{x:.1}" y="{y:.1}" width="{bar:.1}" height="{h:.1}"><title>{day}: {value} {name}</title></rect>"#,
                class = series.class,
                x = x0 + bar * n as f64,
                h = TOP + plot_height - y,
                day = period.first_day,
                name = series.name,
            );
        }
        // Label every period when they fit, else about ten of them.
        let every = (periods.len() / 10).max(1);
        if index % every == 0 {
            let label = match report.by {
                Granularity::Month => period.first_day.format("%Y-%m").to_string(),
                _ => period.first_day.format("%m-%d").to_string(),
            };
            let _ = write!(
                svg,
                r#"<text class="tick" x="{x:.1}" y="{y}">{label}</text>"#,
                x = x0,
                y = HEIGHT - 8.0,
            );
        }
    }
    // The rates, where they are defined.
    for (class, rate) in [
        (
            "confirmation-rate",
            (|p| p.confirmation_rate) as fn(&bridge_core::reports::PeriodFigures) -> Option<f64>,
        ),
        ("return-rate", |p| p.return_rate),
    ] {
        let points: Vec<String> = periods
            .iter()
            .enumerate()
            .filter_map(|(index, period)| {
                rate(period).map(|r| {
                    format!(
                        "{:.1},{:.1}",
                        LEFT + slot * (index as f64 + 0.5),
                        TOP + plot_height * (1.0 - r)
                    )
                })
            })
            .collect();
        if !points.is_empty() {
            let _ = write!(
                svg,
                r#"<polyline class="{class}" points="{}"/>"#,
                points.join(" ")
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// Escapes text for an attribute (shop ids are plain, but they come from the settings).
fn escape_attribute(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use bridge_core::reports::{PeriodFigures, RegionFigures};

    fn figures(day: &str, received: u64, confirmed: u64) -> PeriodFigures {
        PeriodFigures {
            first_day: day.parse().unwrap(),
            last_day: day.parse().unwrap(),
            received,
            asked: received,
            confirmed,
            declined: 0,
            expired: 0,
            cancelled: 0,
            shipped: confirmed,
            delivered: confirmed / 2,
            returned: 1,
            amount_changed: 0,
            confirmation_rate: Some(confirmed as f64 / received as f64),
            median_minutes_to_confirm: Some(12.5),
            return_rate: Some(0.25),
            delivery_success_rate: Some(0.75),
            cash: vec![bridge_core::reports::CashFigures {
                currency: "GHS".into(),
                expected: "1200.50".parse().unwrap(),
                collected: "300".parse().unwrap(),
                outstanding: "900.5".parse().unwrap(),
            }],
        }
    }

    fn report() -> Report {
        Report {
            shop: ShopId::new("kente"),
            time_zone: "Africa/Accra".into(),
            from: "2026-11-01".parse().unwrap(),
            to: "2026-11-02".parse().unwrap(),
            by: Granularity::Day,
            periods: vec![figures("2026-11-01", 10, 6), figures("2026-11-02", 4, 2)],
            total: figures("2026-11-01", 14, 8),
            regions: vec![RegionFigures {
                region: Some("Greater Accra".into()),
                shipped: 8,
                delivered: 4,
                returned: 2,
                delivery_success_rate: Some(4.0 / 6.0),
                median_days_to_deliver: Some(1.5),
            }],
        }
    }

    #[test]
    fn the_csv_has_one_line_per_period_and_exact_amounts() {
        let csv = String::from_utf8(to_csv(&[report()], CsvTable::Periods).unwrap()).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("shop,first_day,last_day,received"));
        assert_eq!(
            lines[1],
            "kente,2026-11-01,2026-11-01,10,10,6,0.6000,12.50,0,0,0,6,3,1,0.2500,0,GHS,1200.50,300,900.5"
        );
        let regions = String::from_utf8(to_csv(&[report()], CsvTable::Regions).unwrap()).unwrap();
        assert_eq!(
            regions.lines().nth(1),
            Some("kente,2026-11-01,2026-11-02,Greater Accra,8,4,2,0.6667,1.50")
        );
    }

    #[test]
    fn the_chart_draws_a_bar_per_series_and_period_and_the_rates() {
        let svg = chart_svg(&report(), "Orders of kente per day");
        assert_eq!(svg.matches("<rect ").count(), 8);
        assert_eq!(svg.matches(r#"class="received""#).count(), 2);
        assert!(svg.contains(r#"<polyline class="confirmation-rate""#));
        assert!(svg.contains("<title>2026-11-01: 10 received</title>"));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }
}
