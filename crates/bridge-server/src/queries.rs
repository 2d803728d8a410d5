//! Query parameters shared by the doors: which orders to list (the admin API's `GET
//! /api/orders`, the console's Orders page and CSV, the CLI's `orders list`), each checked
//! with an error naming the parameter.

use bridge_core::domain::ShopId;
use bridge_core::lifecycle::OrderState;
use bridge_core::store::OrderQuery;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::ApiError;

/// The longest search term taken.
pub const MAX_SEARCH_LEN: usize = 200;

/// Which orders to list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrdersQuery {
    /// Order name (`#1047`), platform id, phone in any format, tracking number, or part of the
    /// customer's name.
    pub q: Option<String>,
    /// Only this shop (its configured id).
    pub shop: Option<String>,
    /// Only this state (`needs_attention`, `shipping`, …).
    pub state: Option<String>,
    /// Received on or after this day (`2026-11-01`) or time (RFC 3339).
    pub from: Option<String>,
    /// Received before this day (exclusive) or time.
    pub to: Option<String>,
    /// Page size (default 50, at most 500).
    pub limit: Option<u32>,
    /// Orders to skip.
    pub offset: Option<u32>,
}

impl OrdersQuery {
    /// The store's query, each parameter checked.
    pub fn parse(&self) -> Result<OrderQuery, ApiError> {
        let state = self
            .state
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<OrderState>().map_err(|_| {
                    ApiError::invalid_field("state", format!("unknown order state `{s}`"))
                })
            })
            .transpose()?;
        if let Some(q) = &self.q
            && q.chars().count() > MAX_SEARCH_LEN
        {
            // Order names, phones, tracking numbers and names are short; a longer term is a
            // mistake or an attack (SQLite refuses such a LIKE pattern as too complex).
            return Err(ApiError::invalid_field(
                "q",
                format!("at most {MAX_SEARCH_LEN} characters"),
            ));
        }
        Ok(OrderQuery {
            text: self.q.clone().filter(|q| !q.trim().is_empty()),
            shop_id: self
                .shop
                .as_deref()
                .filter(|s| !s.is_empty())
                .map(ShopId::new),
            state,
            received_from: parse_time("from", self.from.as_deref())?,
            received_before: parse_time("to", self.to.as_deref())?,
            limit: self.limit.unwrap_or(50),
            offset: self.offset.unwrap_or(0),
        })
    }
}

fn parse_time(field: &str, value: Option<&str>) -> Result<Option<DateTime<Utc>>, ApiError> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if let Ok(day) = value.parse::<NaiveDate>() {
        return Ok(day.and_hms_opt(0, 0, 0).map(|t| t.and_utc()));
    }
    DateTime::parse_from_rfc3339(value)
        .map(|t| Some(t.with_timezone(&Utc)))
        .map_err(|_| {
            ApiError::invalid_field(
                field,
                format!("`{value}` is neither a day (2026-11-01) nor an RFC 3339 time"),
            )
        })
}
