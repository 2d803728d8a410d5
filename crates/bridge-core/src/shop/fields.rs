//! Reading fields out of a shop's JSON, with errors that name the field.

use chrono::{DateTime, NaiveDateTime, Utc};
use rust_decimal::Decimal;
use serde_json::Value;

use crate::domain::{MAX_AMOUNT, Order, PhoneE164, PhoneError, parse_amount};

/// Why a shop webhook could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShopError {
    /// Not JSON (or not UTF-8): a 400.
    #[error("{0}")]
    Malformed(String),
    /// A field is missing or has the wrong type: a 422 naming it.
    #[error("{field}: {message}")]
    Field {
        /// The field path (`shipping_address.phone`).
        field: String,
        /// What is wrong.
        message: String,
    },
}

impl ShopError {
    /// A field error.
    pub fn field(field: &str, message: &str) -> Self {
        ShopError::Field {
            field: field.to_owned(),
            message: message.to_owned(),
        }
    }
}

/// The body as a JSON object.
pub(super) fn object(body: &[u8]) -> Result<Value, ShopError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| ShopError::Malformed("the body is not valid UTF-8".to_owned()))?;
    let value: Value = serde_json::from_str(text)
        .map_err(|e| ShopError::Malformed(format!("the body is not valid JSON: {e}")))?;
    if value.is_object() {
        Ok(value)
    } else {
        Err(ShopError::Malformed(
            "the body must be a JSON object".to_owned(),
        ))
    }
}

/// The value at a dotted path (`shipping_address.phone`), if present and not null.
pub(super) fn at<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    let mut current = value;
    for key in path.split('.') {
        current = current.get(key)?;
    }
    (!current.is_null()).then_some(current)
}

/// A non-empty string (numbers are written as strings), without control characters and
/// without the invisible direction marks that can make text read otherwise than it is (`NUL`,
/// right-to-left overrides): everything read from a shop goes on to ShaQ, Digishare and logs.
pub(super) fn text(value: &Value, path: &str) -> Option<String> {
    match at(value, path)? {
        Value::String(s) => {
            let clean = clean_text(s);
            (!clean.is_empty()).then_some(clean)
        }
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Text with control characters (but line breaks, as spaces) and bidirectional formatting
/// characters removed, trimmed.
pub fn clean_text(raw: &str) -> String {
    let bidi = |c: char| matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{061C}');
    raw.chars()
        .map(|c| {
            if c == '\n' || c == '\r' || c == '\t' {
                ' '
            } else {
                c
            }
        })
        .filter(|c| !c.is_control() && !bidi(*c))
        .collect::<String>()
        .trim()
        .to_owned()
}

/// The longest id the bridge takes (an order id is part of the references it sends upstream).
pub const MAX_ID_LEN: usize = 64;

/// The longest order name (`#1047`) kept: it goes into ticket and package references.
pub const MAX_REF_LEN: usize = 64;

/// The longest text kept in a name, an address part or an item's name; a note may be longer.
pub const MAX_TEXT_LEN: usize = 500;

/// The longest customer's note kept.
pub const MAX_NOTE_LEN: usize = 4000;

/// The most lines one order may have.
pub const MAX_LINES: usize = 500;

/// A required id: a string or an integer, at most [`MAX_ID_LEN`] characters.
pub(super) fn id(value: &Value, path: &str) -> Result<String, ShopError> {
    match at(value, path) {
        Some(Value::String(s)) if s.trim().chars().count() > MAX_ID_LEN => Err(ShopError::field(
            path,
            &format!("must be at most {MAX_ID_LEN} characters"),
        )),
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_owned()),
        Some(Value::Number(n)) if n.is_u64() || n.is_i64() => Ok(n.to_string()),
        Some(_) => Err(ShopError::field(path, "must be a string or an integer")),
        None => Err(ShopError::field(path, "is required")),
    }
}

/// An amount, if present: a decimal of at least 0 (a negative total or price would only be
/// refused later, by ShaQ).
pub(super) fn amount(value: &Value, path: &str) -> Result<Option<Decimal>, ShopError> {
    match at(value, path) {
        None => Ok(None),
        Some(v) => match parse_amount(v) {
            Some(amount) if amount.is_sign_negative() && !amount.is_zero() => {
                Err(ShopError::field(path, "must not be negative"))
            }
            Some(amount) if amount > MAX_AMOUNT => Err(ShopError::field(
                path,
                &format!("{amount} is not a real amount (at most {MAX_AMOUNT})"),
            )),
            Some(amount) => Ok(Some(amount)),
            None => Err(ShopError::field(path, "must be a decimal amount")),
        },
    }
}

/// A required amount.
pub(super) fn required_amount(value: &Value, path: &str) -> Result<Decimal, ShopError> {
    amount(value, path)?.ok_or_else(|| ShopError::field(path, "is required"))
}

/// An array (missing counts as empty; another type is an error).
pub(super) fn array<'v>(value: &'v Value, path: &str) -> Result<&'v [Value], ShopError> {
    match at(value, path) {
        None => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(ShopError::field(path, "must be an array")),
    }
}

/// The most pieces one order line may ask for: beyond it a quantity is a mistake or an attack.
pub const MAX_QUANTITY: u32 = 10_000;

/// A quantity: a non-negative integer (as number or string), at most [`MAX_QUANTITY`].
pub(super) fn quantity(value: &Value, path: &str) -> Result<u32, ShopError> {
    let parsed = match at(value, path) {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        None => Some(1),
        _ => None,
    };
    let quantity = parsed
        .and_then(|q| u32::try_from(q).ok())
        .ok_or_else(|| ShopError::field(path, "must be a non-negative integer"))?;
    if quantity > MAX_QUANTITY {
        return Err(ShopError::field(
            path,
            &format!("must be at most {MAX_QUANTITY}"),
        ));
    }
    Ok(quantity)
}

/// A time: RFC 3339, or `YYYY-MM-DDTHH:MM:SS` / `YYYY-MM-DD HH:MM:SS` without a zone (read as UTC).
pub(super) fn time(value: &Value, path: &str) -> Option<DateTime<Utc>> {
    let raw = text(value, path)?;
    if let Ok(t) = DateTime::parse_from_rfc3339(&raw) {
        return Some(t.with_timezone(&Utc));
    }
    [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S%.f",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(&raw, f).ok())
    .map(|t| t.and_utc())
}

/// The first non-empty text among several paths.
pub(super) fn first_text(value: &Value, paths: &[&str]) -> Option<String> {
    paths.iter().find_map(|p| text(value, p))
}

/// `first last` from two optional parts.
pub(super) fn full_name(first: Option<String>, last: Option<String>) -> Option<String> {
    let name = [first, last]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    (!name.trim().is_empty()).then_some(name)
}

/// A line's quantity and unit price (missing price: 0), errors naming `{list}[{i}].{key}`.
pub(super) fn line_numbers(
    line: &Value,
    list: &str,
    i: usize,
    price_key: &str,
) -> Result<(u32, Decimal), ShopError> {
    let relabel = |key: &str| {
        let field = format!("{list}[{i}].{key}");
        move |error: ShopError| match error {
            ShopError::Field { message, .. } => ShopError::Field { field, message },
            other => other,
        }
    };
    let quantity = quantity(line, "quantity").map_err(relabel("quantity"))?;
    let price = amount(line, price_key)
        .map_err(relabel(price_key))?
        .unwrap_or(Decimal::ZERO);
    Ok((quantity, price))
}

/// The customer's phone: the first of `paths` that is a usable number (read in `country` when
/// local); when none is, why the first one given is not.
pub(super) fn phone(
    value: &Value,
    paths: &[&str],
    country: Option<&str>,
) -> (Option<PhoneE164>, Option<PhoneError>) {
    let mut problem = None;
    for raw in paths.iter().filter_map(|p| text(value, p)) {
        match PhoneE164::parse(&raw, country) {
            Ok(phone) => return (Some(phone), None),
            Err(error) => {
                problem.get_or_insert(error);
            }
        }
    }
    (None, problem)
}

/// Another valid number among `paths` than `first` (a billing phone that differs from the
/// shipping one): ShaQ's `customer_phone_2`, what its rider tries next.
pub(super) fn second_phone(
    value: &Value,
    paths: &[&str],
    country: Option<&str>,
    first: Option<&PhoneE164>,
) -> Option<PhoneE164> {
    let first = first?;
    paths
        .iter()
        .filter_map(|p| text(value, p))
        .filter_map(|raw| PhoneE164::parse(&raw, country).ok())
        .find(|phone| phone != first)
}

/// A point as the shop's checkout pinned it (`latitude`, `longitude` under `prefix`), when both
/// read as degrees within range.
pub(super) fn coordinates(value: &Value, prefix: &str) -> Option<crate::domain::Coordinates> {
    let degrees = |key: &str, limit: i64| {
        let raw = value.pointer(&format!("/{}/{key}", prefix.replace('.', "/")))?;
        let number = match raw {
            Value::Number(n) => n.to_string(),
            Value::String(s) => s.trim().to_owned(),
            _ => return None,
        };
        let parsed: rust_decimal::Decimal = number.parse().ok()?;
        (parsed.abs() <= rust_decimal::Decimal::from(limit)).then_some(parsed.round_dp(7))
    };
    Some(crate::domain::Coordinates {
        latitude: degrees("latitude", 90)?,
        longitude: degrees("longitude", 180)?,
    })
}

/// A value of WooCommerce's `meta_data` list (`[{ "key": …, "value": … }]`), by key.
pub(super) fn meta(value: &Value, keys: &[&str]) -> Option<String> {
    array(value, "meta_data").ok()?.iter().find_map(|entry| {
        let key = entry.get("key")?.as_str()?;
        keys.contains(&key).then(|| text(entry, "value")).flatten()
    })
}

/// Every text of a parsed order within its bound (a 100 000-character order name would be
/// refused by Digishare and ShaQ later, leaving the order without a ticket or a package): the
/// first one over it, named as the order's field.
pub(super) fn check_lengths(order: &Order) -> Result<(), ShopError> {
    let over = |field: &str, value: &str, max: usize| -> Result<(), ShopError> {
        if value.chars().count() > max {
            return Err(ShopError::field(
                field,
                &format!("must be at most {max} characters"),
            ));
        }
        Ok(())
    };
    over("order_ref", &order.order_ref, MAX_REF_LEN)?;
    over("customer name", &order.recipient.name, MAX_TEXT_LEN)?;
    over(
        "email",
        order.recipient.email.as_deref().unwrap_or(""),
        MAX_TEXT_LEN,
    )?;
    let address = &order.address;
    over("address line 1", &address.line1, MAX_TEXT_LEN)?;
    over(
        "address line 2",
        address.line2.as_deref().unwrap_or(""),
        MAX_TEXT_LEN,
    )?;
    over("city", &address.city, MAX_TEXT_LEN)?;
    over(
        "region",
        address.region.as_deref().unwrap_or(""),
        MAX_TEXT_LEN,
    )?;
    over(
        "postal code",
        address.postal_code.as_deref().unwrap_or(""),
        MAX_TEXT_LEN,
    )?;
    over("note", order.note.as_deref().unwrap_or(""), MAX_NOTE_LEN)?;
    over("currency", &order.currency, 3)?;
    if order.items.len() > MAX_LINES {
        return Err(ShopError::field(
            "items",
            &format!("at most {MAX_LINES} lines"),
        ));
    }
    for (i, item) in order.items.iter().enumerate() {
        over(&format!("items[{i}].name"), &item.name, MAX_TEXT_LEN)?;
        over(
            &format!("items[{i}].sku"),
            item.sku.as_deref().unwrap_or(""),
            MAX_TEXT_LEN,
        )?;
    }
    Ok(())
}
