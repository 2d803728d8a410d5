//! The normalized order every shop adapter produces, and the value types it is made of.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{
    CountryCode, OrderKey, PartnerRef, PhoneE164, PhoneError, PlatformOrderId, ShopId, Unshippable,
};

/// The language of the customer's messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Arabic.
    Ar,
    /// French.
    Fr,
    /// English.
    En,
}

impl Language {
    /// From the customer's locale (`fr-MA`, `ar`), else the shipping country.
    pub fn guess(locale: Option<&str>, country_iso2: Option<&str>) -> Language {
        let locale = locale.map(|l| l.to_ascii_lowercase());
        match locale
            .as_deref()
            .map(|l| l.split(['-', '_']).next().unwrap_or(l))
        {
            Some("ar") => Language::Ar,
            Some("fr") => Language::Fr,
            Some("en") => Language::En,
            _ => match country_iso2.map(str::to_ascii_uppercase).as_deref() {
                Some("MA" | "DZ" | "TN" | "SN" | "CI" | "FR" | "BJ" | "TG") => Language::Fr,
                Some("EG" | "SA" | "AE" | "QA" | "KW" | "JO") => Language::Ar,
                _ => Language::En,
            },
        }
    }

    /// The language of a locale (`fr-MA`, `ar`, `en_GB`), if it is one of the bridge's.
    pub fn from_locale(locale: &str) -> Option<Language> {
        let locale = locale.trim().to_ascii_lowercase();
        match locale.split(['-', '_']).next().unwrap_or(&locale) {
            "ar" => Some(Language::Ar),
            "fr" => Some(Language::Fr),
            "en" => Some(Language::En),
            _ => None,
        }
    }

    /// Arabic when the customer wrote in Arabic script (their name, address or note), the one
    /// signal an order without a locale carries.
    pub fn from_script<'t>(texts: impl IntoIterator<Item = &'t str>) -> Option<Language> {
        let arabic = |c: char| {
            ('\u{0600}'..='\u{06FF}').contains(&c) || ('\u{0750}'..='\u{077F}').contains(&c)
        };
        texts
            .into_iter()
            .any(|text| text.chars().any(arabic))
            .then_some(Language::Ar)
    }

    /// The code Digishare expects.
    pub fn code(self) -> &'static str {
        match self {
            Language::Ar => "ar",
            Language::Fr => "fr",
            Language::En => "en",
        }
    }
}

impl From<Language> for catalogue::Locale {
    fn from(language: Language) -> Self {
        match language {
            Language::Ar => catalogue::Locale::Ar,
            Language::Fr => catalogue::Locale::Fr,
            Language::En => catalogue::Locale::En,
        }
    }
}

/// How a shop chooses the language of its customers' messages (`language` in its settings).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LanguageChoice {
    /// The order's locale; else the script the customer wrote in; else the shop's
    /// `default_language`; else a guess from the country.
    #[default]
    Auto,
    /// Always Arabic.
    Ar,
    /// Always French.
    Fr,
    /// Always English.
    En,
}

impl LanguageChoice {
    /// The language of an order: `locale` from the platform, `texts` the customer wrote,
    /// `default` the shop's, `country` the shipping country.
    pub fn pick<'t>(
        self,
        locale: Option<&str>,
        texts: impl IntoIterator<Item = &'t str>,
        default: Option<Language>,
        country: Option<&str>,
    ) -> Language {
        match self {
            LanguageChoice::Ar => Language::Ar,
            LanguageChoice::Fr => Language::Fr,
            LanguageChoice::En => Language::En,
            LanguageChoice::Auto => locale
                .and_then(Language::from_locale)
                .or_else(|| Language::from_script(texts))
                .or(default)
                .unwrap_or_else(|| Language::guess(None, country)),
        }
    }
}

/// How the order is paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Payment {
    /// The courier collects this amount on delivery.
    CashOnDelivery {
        /// What to collect.
        amount_to_collect: Decimal,
    },
    /// Already paid: the courier collects nothing.
    Prepaid,
}

impl Payment {
    /// What the courier collects (0 when prepaid).
    pub fn amount_to_collect(&self) -> Decimal {
        match self {
            Payment::CashOnDelivery { amount_to_collect } => *amount_to_collect,
            Payment::Prepaid => Decimal::ZERO,
        }
    }

    /// Cash on delivery?
    pub fn is_cash_on_delivery(&self) -> bool {
        matches!(self, Payment::CashOnDelivery { .. })
    }
}

/// Who receives the parcel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Recipient {
    /// Full name.
    pub name: String,
    /// Phone, when the shop gave a usable one.
    pub phone: Option<PhoneE164>,
    /// Why the number the shop gave cannot be used, when it gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_problem: Option<PhoneError>,
    /// Email.
    pub email: Option<String>,
    /// Another number the shop has for them (the billing phone when it differs): what ShaQ's
    /// rider tries when the first does not answer (`customer_phone_2`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_2: Option<PhoneE164>,
}

/// Where the parcel goes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Address {
    /// Street, house.
    pub line1: String,
    /// Second line (Ghana: often the GhanaPost GPS code).
    pub line2: Option<String>,
    /// City.
    pub city: String,
    /// Region or province, as the shop wrote it.
    pub region: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// The country.
    pub country_iso2: Option<CountryCode>,
    /// Where the shop's checkout pinned it, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coordinates: Option<Coordinates>,
}

/// A point on the map, in degrees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Coordinates {
    /// North–south.
    pub latitude: Decimal,
    /// East–west.
    pub longitude: Decimal,
}

impl Address {
    /// One line for messages (`Bd Zerktouni, Casablanca`).
    pub fn one_line(&self) -> String {
        [
            Some(self.line1.as_str()),
            self.line2.as_deref(),
            Some(self.city.as_str()),
            self.region.as_deref(),
        ]
        .into_iter()
        .flatten()
        .filter(|part| !part.trim().is_empty())
        .collect::<Vec<_>>()
        .join(", ")
    }
}

/// One line of the order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Item {
    /// Product (and variant) name.
    pub name: String,
    /// Stock keeping unit.
    pub sku: Option<String>,
    /// How many.
    pub quantity: u32,
    /// Price of one.
    pub unit_price: Decimal,
}

/// An order as every part of the bridge sees it, whatever the shop platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Order {
    /// The configured shop.
    pub shop_id: ShopId,
    /// The platform's id of the order.
    pub platform_order_id: PlatformOrderId,
    /// What merchant and customer call it (`#1047`).
    pub order_ref: String,
    /// The platform's last change time, to ignore older deliveries.
    pub version: Option<DateTime<Utc>>,
    /// The shop cancelled it.
    pub cancelled: bool,
    /// Cash on delivery or prepaid.
    pub payment: Payment,
    /// Order total.
    pub total: Decimal,
    /// ISO 4217 currency of the amounts.
    pub currency: String,
    /// Who receives it.
    pub recipient: Recipient,
    /// Where it goes.
    pub address: Address,
    /// What is in it.
    pub items: Vec<Item>,
    /// The customer's note.
    pub note: Option<String>,
    /// The language of the customer's messages.
    pub language: Language,
}

impl Order {
    /// `shop_id/platform_order_id`: the key of the order everywhere in the bridge.
    pub fn order_key(&self) -> OrderKey {
        OrderKey::of(&self.shop_id, &self.platform_order_id)
    }

    /// The reference used at ShaQ (`partner_ref`) and Digishare (`external_id`).
    pub fn partner_ref(&self) -> PartnerRef {
        PartnerRef::of(&self.shop_id, &self.platform_order_id)
    }

    /// Pieces in the parcel.
    pub fn units(&self) -> u32 {
        self.items
            .iter()
            .fold(0u32, |units, item| units.saturating_add(item.quantity))
            .max(1)
    }

    /// Why the bridge cannot ship this order, if it cannot (the region is checked against
    /// ShaQ's list when the package is created).
    pub fn unshippable_reason(&self, service_countries: &[CountryCode]) -> Option<Unshippable> {
        if self.recipient.phone.is_none() {
            return Some(match self.recipient.phone_problem {
                Some(problem) => Unshippable::UnusablePhone { problem },
                None => Unshippable::NoPhone,
            });
        }
        if self.address.line1.trim().is_empty() && self.address.city.trim().is_empty() {
            return Some(Unshippable::NoAddress);
        }
        match &self.address.country_iso2 {
            Some(country) if !service_countries.contains(country) => {
                Some(Unshippable::OutsideServiceArea {
                    country: country.clone(),
                })
            }
            _ => None,
        }
    }

    /// A hash of where the parcel goes and what is in it (recipient, address, items): when it
    /// changes while the package is pending, the package is updated; after pickup a person is
    /// told. The amount to collect is compared separately (ShaQ owns it once it has the parcel).
    pub fn shipping_fingerprint(&self) -> String {
        let relevant = serde_json::json!({
            "recipient": self.recipient,
            "address": self.address,
            "items": self.items,
        });
        hex::encode(Sha256::digest(relevant.to_string().as_bytes()))
    }
}

/// The largest amount the bridge takes anywhere (a shop's total or price, ShaQ's amount to
/// collect, a person's correction): a trillion. Beyond it an amount is a mistake or an attack,
/// and sums and conversions of it could overflow.
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(0xD4A5_1000, 0xE8, 0, false, 0);

/// Parses an amount written as a number or a string (`300`, `"300.00"`); never through f64.
pub fn parse_amount(value: &serde_json::Value) -> Option<Decimal> {
    match value {
        serde_json::Value::String(s) => s.trim().parse().ok(),
        serde_json::Value::Number(n) => n.to_string().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_largest_amount_is_a_trillion() {
        assert_eq!(MAX_AMOUNT.to_string(), "1000000000000");
    }

    #[test]
    fn amounts_parse_from_numbers_and_strings_exactly() {
        assert_eq!(parse_amount(&json!("300.00")), Some(Decimal::new(30000, 2)));
        assert_eq!(parse_amount(&json!(300)), Some(Decimal::new(300, 0)));
        assert_eq!(parse_amount(&json!(0.1)), Some(Decimal::new(1, 1)));
        assert_eq!(parse_amount(&json!("abc")), None);
        assert_eq!(parse_amount(&json!(null)), None);
    }

    #[test]
    fn auto_reads_the_locale_then_the_script_then_the_shop_default() {
        let auto = LanguageChoice::Auto;
        assert_eq!(
            auto.pick(Some("fr-MA"), ["Salma"], None, Some("MA")),
            Language::Fr
        );
        assert_eq!(
            auto.pick(None, ["سلمى بناني", "Casablanca"], None, Some("MA")),
            Language::Ar
        );
        assert_eq!(
            auto.pick(
                None,
                ["Salma", "Casablanca"],
                Some(Language::Ar),
                Some("MA")
            ),
            Language::Ar
        );
        assert_eq!(auto.pick(None, ["Salma"], None, Some("MA")), Language::Fr);
        assert_eq!(
            LanguageChoice::En.pick(Some("fr"), ["سلمى"], None, Some("MA")),
            Language::En
        );
    }

    #[test]
    fn language_follows_locale_then_country() {
        assert_eq!(Language::guess(Some("ar-MA"), Some("MA")), Language::Ar);
        assert_eq!(Language::guess(None, Some("MA")), Language::Fr);
        assert_eq!(Language::guess(None, Some("GH")), Language::En);
        assert_eq!(Language::guess(Some("fr_FR"), Some("GH")), Language::Fr);
    }

    #[test]
    fn prepaid_collects_nothing() {
        assert_eq!(Payment::Prepaid.amount_to_collect(), Decimal::ZERO);
        let cod = Payment::CashOnDelivery {
            amount_to_collect: Decimal::new(45000, 2),
        };
        assert_eq!(cod.amount_to_collect(), Decimal::new(45000, 2));
    }
}
