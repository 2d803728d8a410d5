//! What the customer reads: amounts, dates and courier statuses in their language, for the
//! ticket's template variables (Digishare's WhatsApp templates show them as they are).
//!
//! Choices (documented in docs/configuration.md):
//! - amounts keep two decimals; English writes `625.00 GHS`, French and Arabic `625,00 GHS`;
//!   the Moroccan dirham is `MAD` in English, `DH` in French and `د.م.` in Arabic, the West
//!   African franc `FCFA` in French; other currencies keep their ISO code. Digits stay Latin
//!   (as Moroccan and Ghanaian merchants write them).
//! - dates are in the shop's time zone: `23 Nov 2026, 14:05` (en), `23/11/2026 14:05` (fr, ar).
//! - courier statuses are the catalogue's words (`crates/catalogue/locales/*/customer.ftl`),
//!   never ShaQ's English description.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use shaq_client::PackageStatus;

use super::Language;

/// An amount with its currency, as the customer reads it.
pub fn amount(value: Decimal, currency: &str, language: Language) -> String {
    let fixed = value.round_dp(2);
    let text = format!("{fixed:.2}");
    let text = match language {
        Language::En => text,
        Language::Fr | Language::Ar => text.replace('.', ","),
    };
    let symbol = match (currency, language) {
        ("MAD", Language::Fr) => "DH",
        ("MAD", Language::Ar) => "د.م.",
        ("XOF", Language::Fr) => "FCFA",
        (code, _) => code,
    };
    format!("{text} {symbol}")
}

/// A time in the shop's time zone, as the customer reads it.
pub fn date(at: DateTime<Utc>, zone: Tz, language: Language) -> String {
    let local = at.with_timezone(&zone);
    match language {
        Language::En => local.format("%-d %b %Y, %H:%M").to_string(),
        Language::Fr | Language::Ar => local.format("%d/%m/%Y %H:%M").to_string(),
    }
}

/// A day, as the customer reads it: `20 Apr 2026` (en), `20/04/2026` (fr, ar).
pub fn day(day: chrono::NaiveDate, language: Language) -> String {
    match language {
        Language::En => day.format("%-d %b %Y").to_string(),
        Language::Fr | Language::Ar => day.format("%d/%m/%Y").to_string(),
    }
}

/// A courier status in the customer's language (an unknown status keeps its slug).
pub fn courier_status(status: &PackageStatus, language: Language) -> String {
    use PackageStatus as S;
    let id = match status {
        S::Pending => "courier-pending",
        S::Received | S::Collected | S::WarehouseReceived => "courier-received",
        S::Shipped | S::Assigned | S::InTransit => "courier-on-the-way",
        S::Dispatched => "courier-dispatched",
        S::ReadyForPickup => "courier-ready-for-pickup",
        S::Confirmed => "courier-confirmed",
        S::Delivered => "courier-delivered",
        S::NotDelivered => "courier-not-delivered",
        S::Rescheduled => "courier-rescheduled",
        S::CustomerHold => "courier-customer-hold",
        S::CustomerUnreachable => "courier-customer-unreachable",
        S::SuspectedScam => "courier-suspected-scam",
        S::ReturnPicked | S::ReturnInProgress | S::ReturnToCentral => "courier-returning",
        S::ReturnedToSender => "courier-returned",
        S::Unknown(slug) => return slug.replace('_', " "),
    };
    catalogue::text(language.into(), id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_as_each_language_writes_them() {
        let amount_of =
            |value: i64, currency, language| amount(Decimal::new(value, 2), currency, language);
        assert_eq!(amount_of(62500, "GHS", Language::En), "625.00 GHS");
        assert_eq!(amount_of(62500, "GHS", Language::Fr), "625,00 GHS");
        assert_eq!(amount_of(62500, "MAD", Language::Fr), "625,00 DH");
        assert_eq!(amount_of(62500, "MAD", Language::Ar), "625,00 د.م.");
        assert_eq!(amount_of(625, "XOF", Language::Fr), "6,25 FCFA");
        assert_eq!(
            amount(Decimal::new(30, 0), "GHS", Language::En),
            "30.00 GHS"
        );
    }

    #[test]
    fn dates_are_in_the_shops_time_zone() {
        let at = DateTime::parse_from_rfc3339("2026-11-23T23:30:00Z")
            .expect("valid")
            .with_timezone(&Utc);
        assert_eq!(
            date(at, chrono_tz::Africa::Accra, Language::En),
            "23 Nov 2026, 23:30"
        );
        assert_eq!(
            date(at, chrono_tz::Africa::Casablanca, Language::Fr),
            "24/11/2026 00:30"
        );
    }

    #[test]
    fn every_courier_status_has_words_in_every_language() {
        for status in PackageStatus::all() {
            for language in [Language::En, Language::Fr, Language::Ar] {
                let text = courier_status(&status, language);
                assert!(
                    !text.is_empty() && !text.contains('_'),
                    "{status} {language:?}"
                );
            }
        }
        assert_eq!(
            courier_status(&PackageStatus::Delivered, Language::Fr),
            "Votre colis a été livré"
        );
        assert_eq!(
            courier_status(
                &PackageStatus::Unknown("lost_in_space".to_owned()),
                Language::En
            ),
            "lost in space"
        );
    }
}
