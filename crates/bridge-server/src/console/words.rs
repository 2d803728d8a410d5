//! The console's words, in the operator's language: every word a page shows comes from the
//! Fluent catalogues (`crates/catalogue/locales/{en,fr,ar}/console.ftl`), never from a template
//! or a Rust string.
//!
//! The language of a request is chosen once, before its handler runs, and held for it in a
//! task-local: the operator's own choice (the switch on every page, a cookie), else their
//! `[[console.operators]] language`, else the browser's `Accept-Language`, else the shops'
//! country (Morocco and its neighbours: French; Arabic-speaking countries: Arabic), else
//! English.

use std::cell::Cell;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use catalogue::{Arg, Locale};

use crate::state::AppState;

tokio::task_local! {
    static LOCALE: Cell<Locale>;
}

/// The cookie that keeps an operator's choice.
const COOKIE: &str = "console_lang";

/// The language of the request being answered (English outside one).
pub fn locale() -> Locale {
    LOCALE.try_with(Cell::get).unwrap_or(Locale::En)
}

/// The message `id` in the request's language.
pub fn t(id: &str) -> String {
    catalogue::text(locale(), id)
}

/// The message `id`, its placeables filled. On a right-to-left page each text placeable is
/// isolated, so a Latin name or amount inside an Arabic sentence keeps the sentence's order,
/// and the sentence reads in the direction of its own words, not of the name it starts with.
pub fn t_with(id: &str, args: &[(&str, Arg<'_>)]) -> String {
    let locale = locale();
    if !locale.is_rtl() {
        return catalogue::text_with(locale, id, args);
    }
    let isolated: Vec<(&str, Arg<'_>)> = args
        .iter()
        .map(|(name, value)| {
            let value = match value {
                Arg::Text(text) => Arg::from(isolate(text)),
                Arg::Count(count) => Arg::Count(*count),
            };
            (*name, value)
        })
        .collect();
    catalogue::text_with(locale, id, &isolated)
}

/// `text` between Unicode's first-strong isolate and pop directional isolate marks: its own
/// direction inside, neutral to the sentence around it.
pub fn isolate(text: &str) -> String {
    format!("\u{2068}{text}\u{2069}")
}

/// `text` isolated on a right-to-left page, as it is on the others.
pub fn isolated_on_rtl(text: &str) -> String {
    if locale().is_rtl() {
        isolate(text)
    } else {
        text.to_owned()
    }
}

/// A count with its plural form (`{ $count }` in the message).
pub fn t_count(id: &str, count: u64) -> String {
    t_with(id, &[("count", Arg::Count(count))])
}

/// What the templates call: `{{ w.t("nav-inbox") }}`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Words;

impl Words {
    /// The message `id`.
    pub fn t(&self, id: &str) -> String {
        t(id)
    }

    /// The message `id` with one text placeable.
    pub fn t1(&self, id: &str, name: &str, value: &str) -> String {
        t_with(id, &[(name, Arg::Text(value.into()))])
    }

    /// The page's `lang`.
    pub fn lang(&self) -> &'static str {
        locale().tag()
    }

    /// The page's direction.
    pub fn dir(&self) -> &'static str {
        if locale().is_rtl() { "rtl" } else { "ltr" }
    }

    /// Whether the page is in this language (the switch marks the current one).
    pub fn is(&self, tag: &str) -> bool {
        locale().tag() == tag
    }
}

/// The operator's language from their settings, once signed in: it wins over the browser's
/// unless they chose with the switch.
pub fn prefer_operator_language(headers: &HeaderMap, setting: Option<Locale>) {
    if chosen(headers).is_none()
        && let Some(locale) = setting
    {
        let _ = LOCALE.try_with(|cell| cell.set(locale));
    }
}

fn chosen(headers: &HeaderMap) -> Option<Locale> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|cookies| cookies.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .and_then(|(_, value)| Locale::parse(value))
}

/// The browser's first language the catalogues speak, by its `q` weight.
fn accepted(headers: &HeaderMap) -> Option<Locale> {
    let header = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
    let mut ranked: Vec<(f32, Locale)> = header
        .split(',')
        .filter_map(|part| {
            let mut pieces = part.split(';');
            let locale = Locale::parse(pieces.next()?)?;
            let weight = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            (weight > 0.0).then_some((weight, locale))
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    ranked.first().map(|(_, locale)| *locale)
}

/// The language the shops' customers speak, by the first shop's country.
fn of_country(country: Option<&str>) -> Option<Locale> {
    match country? {
        "MA" | "DZ" | "TN" | "SN" | "CI" | "FR" | "BE" | "CM" => Some(Locale::Fr),
        "EG" | "SA" | "AE" | "QA" | "KW" | "BH" | "OM" | "JO" | "LB" | "IQ" | "LY" | "SD" => {
            Some(Locale::Ar)
        }
        _ => None,
    }
}

/// Chooses the request's language and answers it in that language.
pub async fn with_language(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let headers = request.headers();
    let country = state
        .settings
        .shops
        .first()
        .and_then(|shop| shop.default_country.as_deref());
    let locale = chosen(headers)
        .or_else(|| accepted(headers))
        .or_else(|| of_country(country))
        .unwrap_or(Locale::En);
    let mut response = LOCALE.scope(Cell::new(locale), next.run(request)).await;
    // Pages differ by language: caches must not mix them.
    response.headers_mut().append(
        header::VARY,
        HeaderValue::from_static("accept-language, cookie"),
    );
    response
}

/// Where the switch sends back to.
#[derive(Debug, serde::Deserialize)]
pub struct Back {
    back: Option<String>,
}

/// `GET /console/language/{tag}?back=/console/…`: keeps the choice a year and goes back.
pub async fn switch(Path(tag): Path<String>, Query(back): Query<Back>) -> Response {
    let back = back
        .back
        .filter(|b| b.starts_with("/console") && !b.starts_with("//"))
        .unwrap_or_else(|| "/console".to_owned());
    let Some(locale) = Locale::parse(&tag) else {
        return Redirect::to(&back).into_response();
    };
    let cookie = format!(
        "{COOKIE}={}; Path=/console; Max-Age=31536000; SameSite=Lax; HttpOnly",
        locale.tag()
    );
    let mut response = Redirect::to(&back).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

/// Runs `f` as if answering a request in `locale` (for tests of the words).
#[cfg(test)]
pub fn in_locale<T>(locale: Locale, f: impl FnOnce() -> T) -> T {
    LOCALE.sync_scope(Cell::new(locale), f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browser_list_is_read_by_weight_and_the_switch_wins() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_static("de-DE, ar-MA;q=0.8, fr;q=0.9"),
        );
        assert_eq!(accepted(&headers), Some(Locale::Fr));
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("session=x; console_lang=ar"),
        );
        assert_eq!(chosen(&headers), Some(Locale::Ar));
        assert_eq!(of_country(Some("MA")), Some(Locale::Fr));
        assert_eq!(of_country(Some("GH")), None);
    }

    #[test]
    fn names_inside_an_arabic_sentence_are_isolated_and_english_is_left_as_it_is() {
        let item = |locale| {
            in_locale(locale, || {
                t_with(
                    "order-item",
                    &[
                        ("count", Arg::Count(2)),
                        ("name", "Black soap".into()),
                        ("price", "25.50".into()),
                    ],
                )
            })
        };
        assert_eq!(item(Locale::En), "2 × Black soap at 25.50");
        let arabic = item(Locale::Ar);
        assert!(
            arabic.contains("\u{2068}Black soap\u{2069}")
                && arabic.contains("\u{2068}25.50\u{2069}"),
            "{arabic:?}"
        );
        // The sentence's first strong letter outside the isolates is Arabic: it reads right to
        // left even though the name comes first.
        let outside: String = arabic
            .split('\u{2068}')
            .map(|part| part.split_once('\u{2069}').map_or(part, |(_, rest)| rest))
            .collect();
        assert!(
            outside
                .chars()
                .find(|c| c.is_alphabetic())
                .is_some_and(|c| ('\u{0600}'..='\u{06FF}').contains(&c)),
            "{outside:?}"
        );
    }
}
