//! The Reports page: confirmation, delivery, returns and cash per shop and period, with its
//! chart; and its CSV.

use bridge_core::reports::Granularity;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;

use crate::state::AppState;

use super::chrome::{Chrome, chrome, html, message, signed_in, storage_down};
use super::views::encode_query;
use super::words::{t, t_count, t_with};
use crate::reports::ReportsQuery;

/// A report as the Reports page shows it: figures formatted, the chart drawn.
pub struct ReportView {
    pub shop: String,
    /// `2026-10-13 – 2026-12-07`.
    pub range: String,
    pub time_zone: String,
    pub received: u64,
    pub declined: u64,
    pub expired: u64,
    pub delivered: u64,
    pub confirmation_rate: String,
    /// `12 of 15 asked · median 25 min`.
    pub confirmed_detail: String,
    /// `of 20 shipped`.
    pub delivered_detail: String,
    /// `3 parcels`.
    pub returned_detail: String,
    pub return_rate: String,
    pub cash: Vec<CashLine>,
    pub chart: String,
    pub periods: Vec<PeriodRow>,
    pub regions: Vec<RegionRow>,
}

/// Cash on delivery in one currency, as people read money (two decimals at least).
pub struct CashLine {
    /// `Cash on delivery (GHS)`.
    pub title: String,
    pub collected: String,
    /// `collected of 1 200.00; 300.00 on the road`.
    pub detail: String,
}

fn money(amount: rust_decimal::Decimal) -> String {
    if amount.scale() <= 2 {
        format!("{amount:.2}")
    } else {
        amount.to_string()
    }
}

pub struct PeriodRow {
    pub label: String,
    pub received: u64,
    pub confirmed: u64,
    pub confirmation_rate: String,
    pub median_to_confirm: String,
    pub declined: u64,
    pub expired: u64,
    pub shipped: u64,
    pub delivered: u64,
    pub returned: u64,
    pub return_rate: String,
    pub amount_changed: u64,
    pub collected: String,
    pub outstanding: String,
}

pub struct RegionRow {
    pub region: String,
    pub shipped: u64,
    pub delivered: u64,
    pub returned: u64,
    pub success: String,
    pub median_days: String,
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "–".to_owned(), |r| format!("{:.1} %", r * 100.0))
}

fn minutes(value: Option<f64>) -> String {
    match value {
        None => "–".to_owned(),
        Some(m) if m < 120.0 => t_with("reports-minutes", &[("value", format!("{m:.0}").into())]),
        Some(m) => t_with(
            "reports-hours",
            &[("value", format!("{:.1}", m / 60.0).into())],
        ),
    }
}

fn amounts(
    cash: &[bridge_core::reports::CashFigures],
    pick: fn(&bridge_core::reports::CashFigures) -> String,
) -> String {
    if cash.is_empty() {
        return "–".to_owned();
    }
    cash.iter()
        .map(|c| format!("{} {}", pick(c), c.currency))
        .collect::<Vec<_>>()
        .join(", ")
}

impl ReportView {
    fn of(report: &bridge_core::reports::Report) -> ReportView {
        let total = &report.total;
        let median = minutes(total.median_minutes_to_confirm);
        ReportView {
            shop: report.shop.to_string(),
            range: format!("{} – {}", report.from, report.to),
            time_zone: report.time_zone.clone(),
            received: total.received,
            declined: total.declined,
            expired: total.expired,
            delivered: total.delivered,
            confirmation_rate: percent(total.confirmation_rate),
            confirmed_detail: t_with(
                "reports-confirmed-detail",
                &[
                    ("confirmed", total.confirmed.into()),
                    ("asked", total.asked.into()),
                    ("median", median.into()),
                ],
            ),
            delivered_detail: t_with("reports-of-shipped", &[("count", total.shipped.into())]),
            returned_detail: t_count("reports-parcels", total.returned),
            return_rate: percent(total.return_rate),
            cash: total
                .cash
                .iter()
                .map(|c| CashLine {
                    title: t_with(
                        "reports-cash-title",
                        &[("currency", c.currency.as_str().into())],
                    ),
                    collected: money(c.collected),
                    detail: t_with(
                        "reports-cash-detail",
                        &[
                            ("expected", money(c.expected).into()),
                            ("outstanding", money(c.outstanding).into()),
                        ],
                    ),
                })
                .collect(),
            chart: crate::reports::chart_svg(
                report,
                &t_with(
                    "reports-chart-label",
                    &[
                        ("shop", report.shop.as_str().into()),
                        (
                            "by",
                            t(&format!("granularity-{}", report.by.as_str())).into(),
                        ),
                    ],
                ),
            ),
            // The newest period first: what a person opens the page for.
            periods: report
                .periods
                .iter()
                .rev()
                .map(|p| PeriodRow {
                    label: if p.first_day == p.last_day {
                        p.first_day.to_string()
                    } else {
                        format!("{} – {}", p.first_day, p.last_day)
                    },
                    received: p.received,
                    confirmed: p.confirmed,
                    confirmation_rate: percent(p.confirmation_rate),
                    median_to_confirm: minutes(p.median_minutes_to_confirm),
                    declined: p.declined,
                    expired: p.expired,
                    shipped: p.shipped,
                    delivered: p.delivered,
                    returned: p.returned,
                    return_rate: percent(p.return_rate),
                    amount_changed: p.amount_changed,
                    collected: amounts(&p.cash, |c| money(c.collected)),
                    outstanding: amounts(&p.cash, |c| money(c.outstanding)),
                })
                .collect(),
            regions: report
                .regions
                .iter()
                .map(|r| RegionRow {
                    region: r.region.clone().unwrap_or_else(|| t("reports-not-located")),
                    shipped: r.shipped,
                    delivered: r.delivered,
                    returned: r.returned,
                    success: percent(r.delivery_success_rate),
                    median_days: r
                        .median_days_to_deliver
                        .map_or_else(|| "–".to_owned(), |d| format!("{d:.1}")),
                })
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "console/reports.html")]
struct ReportsPage {
    chrome: Chrome,
    shops: Vec<String>,
    selected_shop: String,
    from: String,
    to: String,
    by: String,
    /// Each granularity's name in the query and for people.
    granularities: Vec<(&'static str, String)>,
    query: String,
    reports: Vec<ReportView>,
}

fn reports_query_string(query: &ReportsQuery) -> String {
    [
        ("shop", &query.shop),
        ("from", &query.from),
        ("to", &query.to),
        ("by", &query.by),
    ]
    .into_iter()
    .filter_map(|(key, value)| {
        value
            .as_deref()
            .filter(|v| !v.is_empty())
            .map(|v| format!("{key}={}", encode_query(v)))
    })
    .collect::<Vec<_>>()
    .join("&")
}

/// `/console/reports`: confirmation, delivery and cash per shop and period, with charts.
pub async fn reports(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(mut query): Query<ReportsQuery>,
) -> Response {
    // Opened without a choice: the last 8 weeks, week by week.
    if query.by.as_deref().is_none_or(str::is_empty) {
        query.by = Some("week".to_owned());
        if query.from.as_deref().is_none_or(str::is_empty) {
            query.from = Some((Utc::now().date_naive() - chrono::Days::new(55)).to_string());
        }
    }
    let here = format!("/console/reports?{}", reports_query_string(&query));
    let session = match signed_in(&state, &headers, &here).await {
        Ok(session) => session,
        Err(response) => return response,
    };
    let mut page_chrome = chrome(&session, "reports");
    let mut views = Vec::new();
    let (mut from, mut to) = (String::new(), String::new());
    match query.requests(&state.settings, &state.rules, Utc::now()) {
        Ok(requests) => {
            if let Some(first) = requests.first() {
                from = first.from.to_string();
                to = first.to.to_string();
            }
            match crate::reports::make(&state.store, &requests).await {
                Ok(reports) => views = reports.iter().map(ReportView::of).collect(),
                Err(error) => page_chrome.error = Some(error.to_string()),
            }
        }
        Err(error) => page_chrome.error = Some(error.to_string()),
    }
    html(
        StatusCode::OK,
        &ReportsPage {
            chrome: page_chrome,
            shops: state
                .settings
                .shops
                .iter()
                .map(|s| s.id.to_string())
                .collect(),
            selected_shop: query.shop.clone().unwrap_or_default(),
            from,
            to,
            by: query
                .by
                .clone()
                .filter(|b| !b.is_empty())
                .unwrap_or_else(|| "week".to_owned()),
            granularities: Granularity::ALL
                .iter()
                .map(|g| (g.as_str(), t(&format!("granularity-{}", g.as_str()))))
                .collect(),
            query: reports_query_string(&query),
            reports: views,
        },
    )
}

/// `/console/reports.csv`: the Reports page's figures as CSV.
pub async fn reports_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<ReportsQuery>,
) -> Response {
    if let Err(response) = signed_in(&state, &headers, "/console/reports").await {
        return response;
    }
    let made = async {
        let table = query.table()?;
        let requests = query.requests(&state.settings, &state.rules, Utc::now())?;
        let reports = crate::reports::make(&state.store, &requests).await?;
        crate::reports::to_csv(&reports, table)
            .map_err(|e| crate::error::ApiError::Internal(format!("report CSV: {e}")))
    };
    match made.await {
        Ok(body) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/csv; charset=utf-8"),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    HeaderValue::from_static("attachment; filename=\"shaq-bridge-report.csv\""),
                ),
            ],
            super::views::for_spreadsheets(body),
        )
            .into_response(),
        Err(error @ crate::error::ApiError::Unavailable(_)) => storage_down(&error),
        Err(error) => message(
            StatusCode::UNPROCESSABLE_ENTITY,
            "message-refused",
            error.to_string(),
        ),
    }
}
