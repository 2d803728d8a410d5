//! Finding orders the way people name them: the number the customer quotes (`#1047`), the
//! platform's id, the phone in any format, the tracking number, a piece of the customer's name.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::orders::{OrderRow, fold_name};
use super::{Store, StoreResult, to_millis};
use crate::domain::{PhoneE164, ShopId};
use crate::lifecycle::OrderState;
use crate::workflow::TrackedOrder;

/// The most orders one page holds.
pub const MAX_PAGE: u32 = 500;

/// Which orders to find. Every part is optional; they combine with AND.
#[derive(Debug, Clone, Default)]
pub struct OrderQuery {
    /// What a person typed: matched against the order name (with or without `#`), the platform
    /// id, our partner reference, the tracking number, the phone (read as a Ghanaian number
    /// when it has no country code) and the customer's name (a part of it, accents ignored).
    pub text: Option<String>,
    /// Only this shop.
    pub shop_id: Option<ShopId>,
    /// Only orders in this state.
    pub state: Option<OrderState>,
    /// Received at or after.
    pub received_from: Option<DateTime<Utc>>,
    /// Received before.
    pub received_before: Option<DateTime<Utc>>,
    /// Page size (at most [`MAX_PAGE`]; 0 means 50).
    pub limit: u32,
    /// Orders to skip.
    pub offset: u32,
}

/// One page of orders, newest first, and how many match in all.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrderPage {
    /// The orders.
    pub orders: Vec<TrackedOrder>,
    /// How many orders match the query.
    pub total: u64,
    /// The page size used.
    pub limit: u32,
    /// Orders skipped.
    pub offset: u32,
}

/// The bind values of a query's text.
struct TextTerms {
    exact: String,
    other_name: String,
    tracking: String,
    phone: Option<String>,
    name_like: Option<String>,
}

impl TextTerms {
    fn of(text: &str) -> Option<TextTerms> {
        let exact = text.trim();
        if exact.is_empty() {
            return None;
        }
        let other_name = match exact.strip_prefix('#') {
            Some(bare) => bare.to_owned(),
            None => format!("#{exact}"),
        };
        let phone = PhoneE164::parse(exact, Some("GH"))
            .ok()
            .map(|phone| phone.expose().to_owned());
        let folded = fold_name(exact);
        let name_like = (folded.chars().filter(|c| c.is_alphabetic()).count() >= 2).then(|| {
            let escaped: String = folded
                .chars()
                .flat_map(|c| match c {
                    '%' | '_' | '\\' => vec!['\\', c],
                    c => vec![c],
                })
                .collect();
            format!("%{escaped}%")
        });
        Some(TextTerms {
            exact: exact.to_owned(),
            other_name,
            tracking: exact.to_ascii_uppercase(),
            phone,
            name_like,
        })
    }
}

macro_rules! order_search_where {
    () => {
        " FROM orders WHERE ($1 IS NULL OR shop_id = $1) AND ($2 IS NULL OR state = $2) \
         AND ($3 IS NULL OR created_at >= $3) AND ($4 IS NULL OR created_at < $4) \
         AND ($5 IS NULL OR order_ref = $5 OR order_ref = $6 OR platform_order_id = $5 \
              OR partner_ref = $5 OR UPPER(tracking_number) = $7 OR phone = $8 \
              OR name_folded LIKE $9 ESCAPE '\\')"
    };
}

impl Store {
    /// Orders matching `query`, newest first, one page of them.
    pub async fn search_orders(&self, query: &OrderQuery) -> StoreResult<OrderPage> {
        let terms = query.text.as_deref().and_then(TextTerms::of);
        let limit = match query.limit {
            0 => 50,
            limit => limit.min(MAX_PAGE),
        };
        macro_rules! bind_filters {
            ($q:expr) => {
                $q.bind(query.shop_id.as_ref().map(ShopId::as_str))
                    .bind(query.state.map(OrderState::as_str))
                    .bind(query.received_from.map(to_millis))
                    .bind(query.received_before.map(to_millis))
                    .bind(terms.as_ref().map(|t| t.exact.clone()))
                    .bind(terms.as_ref().map(|t| t.other_name.clone()))
                    .bind(terms.as_ref().map(|t| t.tracking.clone()))
                    .bind(terms.as_ref().and_then(|t| t.phone.clone()))
                    .bind(terms.as_ref().and_then(|t| t.name_like.clone()))
            };
        }
        let (total,): (i64,) = bind_filters!(sqlx::query_as(concat!(
            "SELECT COUNT(*)",
            order_search_where!()
        )))
        .fetch_one(&self.pool)
        .await?;
        let rows: Vec<OrderRow> = bind_filters!(sqlx::query_as(concat!(
            "SELECT ",
            order_columns!(),
            order_search_where!(),
            " ORDER BY created_at DESC, order_key LIMIT $10 OFFSET $11"
        )))
        .bind(i64::from(limit))
        .bind(i64::from(query.offset))
        .fetch_all(&self.pool)
        .await?;
        Ok(OrderPage {
            orders: rows
                .into_iter()
                .map(TrackedOrder::try_from)
                .collect::<StoreResult<_>>()?,
            total: u64::try_from(total).unwrap_or(0),
            limit,
            offset: query.offset,
        })
    }

    /// How many orders are in each state (states without orders are left out).
    pub async fn order_counts(&self) -> StoreResult<Vec<(OrderState, u64)>> {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT state, COUNT(*) FROM orders GROUP BY state")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(state, count)| {
                Some((state.parse().ok()?, u64::try_from(count).unwrap_or(0)))
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fold_to_lowercase_ascii_words() {
        assert_eq!(
            fold_name("  Adwoa  Nkrumah-Bóateng "),
            "adwoa nkrumah-boateng"
        );
        assert_eq!(fold_name("Kwame\tMENSAH"), "kwame mensah");
    }

    #[test]
    fn the_text_is_read_as_every_kind_of_key_at_once() {
        let terms = TextTerms::of(" #1047 ").expect("terms");
        assert_eq!(terms.exact, "#1047");
        assert_eq!(terms.other_name, "1047");
        assert_eq!(terms.name_like, None);
        let terms = TextTerms::of("024 412 3456").expect("terms");
        assert_eq!(terms.phone.as_deref(), Some("+233244123456"));
        let terms = TextTerms::of("50%_off").expect("terms");
        assert_eq!(terms.name_like.as_deref(), Some("%50\\%\\_off%"));
        assert!(TextTerms::of("   ").is_none());
    }
}
