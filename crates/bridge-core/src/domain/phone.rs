//! Phone numbers in E.164, parsed from the free text shops collect.

use std::fmt;

use phonenumber::country::Id;
use phonenumber::metadata::DATABASE;
use phonenumber::{Mode, PhoneNumber, Type, parse};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A phone number in E.164 form (`+233244123456`). `Debug` and `Display` mask the middle digits
/// so a number never reaches a log in clear; [`PhoneE164::expose`] gives the full value.
#[derive(Clone, PartialEq, Eq, Hash, utoipa::ToSchema)]
#[schema(value_type = String, example = "+233244123456")]
pub struct PhoneE164(String);

/// Why a phone number was refused.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum PhoneError {
    /// Nothing to parse.
    #[error("the phone number is empty")]
    Empty,
    /// Letters or other characters a phone number cannot contain.
    #[error("the phone number contains characters other than digits")]
    NotDigits,
    /// A local number, and no country to read it in.
    #[error("a local phone number needs a country")]
    NoCountry,
    /// Not a number of its country (too short, too long, or a prefix no operator uses).
    #[error("the phone number is not a valid number for its country")]
    WrongLength,
    /// A fixed line: it cannot receive WhatsApp messages.
    #[error("the phone number is a fixed line, which cannot receive WhatsApp messages")]
    FixedLine,
}

impl PhoneE164 {
    /// Parses a number as customers type it: local (`024 412 3456` with `default_country` =
    /// `GH`; `0707123456` in Côte d'Ivoire keeps its leading 0, as its numbering plan says),
    /// international (`+233 24 412 3456`, `00233…`), or with the country code but no `+`
    /// (`233244123456`). Validation follows Google's libphonenumber metadata (the `phonenumber`
    /// crate) for every country; a number the metadata says is a fixed line is refused, since
    /// the customer's messages go to WhatsApp.
    pub fn parse(raw: &str, default_country: Option<&str>) -> Result<PhoneE164, PhoneError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(PhoneError::Empty);
        }
        let allowed = |(i, c): (usize, char)| {
            c.is_ascii_digit()
                || (c == '+' && i == 0)
                || matches!(c, ' ' | '-' | '.' | '(' | ')' | '/' | '\u{a0}')
        };
        if !trimmed.chars().enumerate().all(allowed) {
            return Err(PhoneError::NotDigits);
        }
        let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
        let international = if let Some(rest) = digits.strip_prefix("00") {
            Some(rest.to_owned())
        } else {
            trimmed.starts_with('+').then(|| digits.clone())
        };
        let region = default_country.and_then(|c| c.trim().to_ascii_uppercase().parse::<Id>().ok());
        let candidates: Vec<Option<PhoneNumber>> = match &international {
            Some(digits) => vec![parse(None, format!("+{digits}")).ok()],
            None => vec![
                region.and_then(|region| parse(Some(region), &digits).ok()),
                // The country code written without `+` (`233244123456`).
                parse(None, format!("+{digits}")).ok(),
            ],
        };
        let mut valid = candidates
            .into_iter()
            .flatten()
            .filter(PhoneNumber::is_valid);
        let Some(number) = valid.next() else {
            return Err(if international.is_none() && region.is_none() {
                PhoneError::NoCountry
            } else {
                PhoneError::WrongLength
            });
        };
        if number.number_type(&DATABASE) == Type::FixedLine {
            return Err(PhoneError::FixedLine);
        }
        Ok(PhoneE164(number.format().mode(Mode::E164).to_string()))
    }

    /// The full number, for the APIs that need it. Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// WhatsApp's id: the number without `+` (`233244123456`).
    pub fn wa_id(&self) -> &str {
        &self.0[1..]
    }

    /// The number with the middle digits hidden (`+2332******56`).
    pub fn masked(&self) -> String {
        mask(&self.0)
    }
}

/// Hides all but the first 5 and last 2 characters of a phone-like string.
pub fn mask(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() <= 7 {
        return "*".repeat(chars.len());
    }
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < 5 || i >= chars.len() - 2 {
                *c
            } else {
                '*'
            }
        })
        .collect()
}

/// Masks every run of 8 or more digits (with an optional leading `+`) in free text, so an error
/// message that quotes a phone number can be logged.
pub fn mask_digit_runs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        let digits = run.chars().filter(char::is_ascii_digit).count();
        if digits >= 8 {
            out.push_str(&mask(run));
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() || (c == '+' && run.is_empty()) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

impl fmt::Debug for PhoneE164 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PhoneE164({})", self.masked())
    }
}

impl fmt::Display for PhoneE164 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl Serialize for PhoneE164 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Stored orders need the number back; logs never see this (they use Display).
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for PhoneE164 {
    /// A stored number was validated when it was first read; it is taken back as it is (a
    /// later metadata update must not make stored orders unreadable).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        let well_formed =
            raw.len() > 1 && raw.starts_with('+') && raw[1..].chars().all(|c| c.is_ascii_digit());
        if well_formed {
            Ok(PhoneE164(raw))
        } else {
            PhoneE164::parse(&raw, None).map_err(serde::de::Error::custom)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_and_international_forms_normalize() {
        let cases = [
            ("024 412 3456", Some("GH"), "+233244123456"),
            ("+233 20 555 0198", None, "+233205550198"),
            ("06 61 23 45 67", Some("MA"), "+212661234567"),
            ("0612345678", Some("MA"), "+212612345678"),
            ("+212 6 12 34 56 78", Some("GH"), "+212612345678"),
            ("00233244123456", None, "+233244123456"),
            ("233244123456", Some("MA"), "+233244123456"),
            ("(024) 412-3456", Some("gh"), "+233244123456"),
            ("+233 0244 123 456", None, "+233244123456"),
            ("+44 7911 123456", None, "+447911123456"),
            ("07911 123456", Some("GB"), "+447911123456"),
            ("0707123456", Some("CI"), "+2250707123456"),
            ("+225 07 07 12 34 56", None, "+2250707123456"),
            ("0803 123 4567", Some("NG"), "+2348031234567"),
            ("+234 803 123 4567", Some("GH"), "+2348031234567"),
            ("77 123 45 67", Some("SN"), "+221771234567"),
            ("+221771234567", None, "+221771234567"),
            ("06 12 34 56 78", Some("FR"), "+33612345678"),
            ("0033 6 12 34 56 78", None, "+33612345678"),
            ("055 123 4567", Some("GH"), "+233551234567"),
        ];
        for (raw, country, expected) in cases {
            let phone = PhoneE164::parse(raw, country).unwrap_or_else(|e| panic!("{raw}: {e}"));
            assert_eq!(phone.expose(), expected, "{raw}");
        }
    }

    #[test]
    fn bad_numbers_are_refused_with_a_reason() {
        assert_eq!(PhoneE164::parse("  ", Some("GH")), Err(PhoneError::Empty));
        assert_eq!(
            PhoneE164::parse("call me", Some("GH")),
            Err(PhoneError::NotDigits)
        );
        assert_eq!(
            PhoneE164::parse("0244", Some("GH")),
            Err(PhoneError::WrongLength)
        );
        assert_eq!(
            PhoneE164::parse("0244123456", None),
            Err(PhoneError::NoCountry)
        );
        assert_eq!(
            PhoneE164::parse("0244123456", Some("ZZ")),
            Err(PhoneError::NoCountry)
        );
        assert_eq!(
            PhoneE164::parse("+44 20 7946 0958", None),
            Err(PhoneError::FixedLine),
            "a London landline cannot receive WhatsApp messages"
        );
        assert_eq!(
            PhoneE164::parse("0302 123 456", Some("GH")),
            Err(PhoneError::FixedLine),
            "an Accra landline"
        );
    }

    #[test]
    fn the_number_never_shows_in_debug_or_display() {
        let phone = PhoneE164::parse("024 412 3456", Some("GH")).expect("valid");
        assert_eq!(phone.to_string(), "+2332******56");
        assert!(!format!("{phone:?}").contains("244123456"));
        assert_eq!(phone.wa_id(), "233244123456");
    }

    #[test]
    fn digit_runs_in_free_text_are_masked() {
        assert_eq!(
            mask_digit_runs("customer_phone_1 +233244123456 is invalid (code 422)"),
            "customer_phone_1 +2332******56 is invalid (code 422)"
        );
        assert_eq!(mask_digit_runs("order 5127 of 2026"), "order 5127 of 2026");
    }

    #[test]
    fn serialization_round_trips_the_full_number() {
        let phone = PhoneE164::parse("0661234567", Some("MA")).expect("valid");
        let json = serde_json::to_string(&phone).expect("serializes");
        assert_eq!(json, "\"+212661234567\"");
        let back: PhoneE164 = serde_json::from_str(&json).expect("deserializes");
        assert_eq!(back, phone);
    }
}
