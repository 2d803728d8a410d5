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

/// A value bound to a search statement.
enum Bound {
    Text(String),
    Number(i64),
}

/// What the text search looks for in one statement: the identifiers people quote (each on its
/// own index), or, when none matched, a piece of the customer's name.
enum Looking<'a> {
    Everything,
    Identifiers(&'a TextTerms),
    Name(&'a str),
}

/// The `FROM … WHERE …` of a search and its values, with only the conditions that apply: a
/// condition that is always true (`$1 IS NULL OR …`) would hide the indexes from the planner,
/// and a million orders would be read for every search.
fn search_where(
    query: &OrderQuery,
    looking: &Looking<'_>,
    backend: super::Backend,
) -> (String, Vec<Bound>) {
    let mut binds: Vec<Bound> = Vec::new();
    let mut next = |value: Bound| {
        binds.push(value);
        format!("${}", binds.len())
    };
    let mut conditions: Vec<String> = Vec::new();
    if let Some(shop) = &query.shop_id {
        conditions.push(format!("shop_id = {}", next(Bound::Text(shop.to_string()))));
    }
    if let Some(state) = query.state {
        conditions.push(format!(
            "state = {}",
            next(Bound::Text(state.as_str().to_owned()))
        ));
    }
    if let Some(from) = query.received_from {
        conditions.push(format!(
            "created_at >= {}",
            next(Bound::Number(to_millis(from)))
        ));
    }
    if let Some(before) = query.received_before {
        conditions.push(format!(
            "created_at < {}",
            next(Bound::Number(to_millis(before)))
        ));
    }
    match looking {
        Looking::Everything => {}
        Looking::Identifiers(terms) => {
            let exact = next(Bound::Text(terms.exact.clone()));
            let other = next(Bound::Text(terms.other_name.clone()));
            let tracking = next(Bound::Text(terms.tracking.clone()));
            let mut any = format!(
                "order_ref = {exact} OR order_ref = {other} OR platform_order_id = {exact} \
                 OR partner_ref = {exact} OR tracking_number = {tracking} OR tracking_number = {exact}"
            );
            if let Some(phone) = &terms.phone {
                any.push_str(&format!(" OR phone = {}", next(Bound::Text(phone.clone()))));
            }
            conditions.push(format!("({any})"));
        }
        // Both through a trigram index: PostgreSQL's pg_trgm on the column, SQLite's FTS5
        // table `orders_names` (which takes no ESCAPE: a `%` or `_` a person typed is dropped).
        Looking::Name(like) => conditions.push(match backend {
            super::Backend::Postgres => format!(
                "name_folded LIKE {} ESCAPE '\\'",
                next(Bound::Text((*like).to_owned()))
            ),
            super::Backend::Sqlite => {
                let bare: String = like
                    .trim_matches('%')
                    .replace("\\%", "")
                    .replace("\\_", "")
                    .replace("\\\\", "\\");
                format!(
                    "rowid IN (SELECT rowid FROM orders_names WHERE name_folded LIKE {})",
                    next(Bound::Text(format!("%{bare}%")))
                )
            }
        }),
    }
    let mut sql = " FROM orders".to_owned();
    if !conditions.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&conditions.join(" AND "));
    }
    (sql, binds)
}

impl Store {
    /// Orders matching `query`, newest first, one page of them.
    pub async fn search_orders(&self, query: &OrderQuery) -> StoreResult<OrderPage> {
        let terms = query.text.as_deref().and_then(TextTerms::of);
        let limit = match query.limit {
            0 => 50,
            limit => limit.min(MAX_PAGE),
        };
        // The identifiers people quote first (the order's name, a phone, a tracking number),
        // each found by its index; a piece of a name only when none of them matched.
        let (mut total, mut rows) = match &terms {
            None => self.search_page(query, &Looking::Everything, limit).await?,
            Some(terms) => {
                self.search_page(query, &Looking::Identifiers(terms), limit)
                    .await?
            }
        };
        if total == 0
            && let Some(like) = terms.as_ref().and_then(|t| t.name_like.as_deref())
        {
            (total, rows) = self.search_page(query, &Looking::Name(like), limit).await?;
        }
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

    /// One statement's count and page.
    async fn search_page(
        &self,
        query: &OrderQuery,
        looking: &Looking<'_>,
        limit: u32,
    ) -> StoreResult<(i64, Vec<OrderRow>)> {
        let (from_where, binds) = search_where(query, looking, self.backend());
        let count_sql = format!("SELECT COUNT(*){from_where}");
        let mut count = sqlx::query_as::<_, (i64,)>(sqlx::AssertSqlSafe(count_sql));
        for value in &binds {
            count = match value {
                Bound::Text(text) => count.bind(text.clone()),
                Bound::Number(number) => count.bind(*number),
            };
        }
        let (total,) = count.fetch_one(&self.pool).await?;
        if total == 0 {
            return Ok((0, Vec::new()));
        }
        let (limit_at, offset_at) = (binds.len() + 1, binds.len() + 2);
        let page_sql = match looking {
            Looking::Everything => format!(
                "SELECT {}{from_where} ORDER BY created_at DESC, order_key \
                 LIMIT ${limit_at} OFFSET ${offset_at}",
                order_columns!()
            ),
            // The few orders a text matches are found first, by their indexes, then sorted:
            // left to itself, a planner may walk every order newest first looking for them.
            Looking::Identifiers(_) | Looking::Name(_) => format!(
                "WITH hits AS MATERIALIZED (SELECT {}{from_where}) SELECT * FROM hits \
                 ORDER BY created_at DESC, order_key LIMIT ${limit_at} OFFSET ${offset_at}",
                order_columns!()
            ),
        };
        let mut page = sqlx::query_as::<_, OrderRow>(sqlx::AssertSqlSafe(page_sql));
        for value in &binds {
            page = match value {
                Bound::Text(text) => page.bind(text.clone()),
                Bound::Number(number) => page.bind(*number),
            };
        }
        let rows = page
            .bind(i64::from(limit))
            .bind(i64::from(query.offset))
            .fetch_all(&self.pool)
            .await?;
        Ok((total, rows))
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
