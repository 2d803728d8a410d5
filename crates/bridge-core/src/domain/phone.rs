//! Phone numbers in E.164, parsed from the free text shops collect.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Country calling codes and national number lengths of the countries the bridge serves.
const COUNTRIES: [(&str, &str, usize); 8] = [
    ("GH", "233", 9),
    ("MA", "212", 9),
    ("NG", "234", 10),
    ("CI", "225", 10),
    ("SN", "221", 9),
    ("FR", "33", 9),
    ("TG", "228", 8),
    ("BJ", "229", 10),
];

/// A phone number in E.164 form (`+233244123456`). `Debug` and `Display` mask the middle digits
/// so a number never reaches a log in clear; [`PhoneE164::expose`] gives the full value.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PhoneE164(String);

/// Why a phone number was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
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
    /// Too short or too long for its country, or for any country.
    #[error("the phone number has the wrong length")]
    WrongLength,
}

impl PhoneE164 {
    /// Parses `024 412 3456` (local, with `default_country` = `GH`), `+233 24 412 3456`,
    /// `00233244123456` or `233244123456`.
    pub fn parse(raw: &str, default_country: Option<&str>) -> Result<PhoneE164, PhoneError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(PhoneError::Empty);
        }
        let international = trimmed.starts_with('+') || trimmed.starts_with("00");
        let mut digits = String::with_capacity(trimmed.len());
        for (i, c) in trimmed.chars().enumerate() {
            match c {
                '0'..='9' => digits.push(c),
                '+' if i == 0 => {}
                ' ' | '-' | '.' | '(' | ')' | '/' | '\u{a0}' => {}
                _ => return Err(PhoneError::NotDigits),
            }
        }
        if trimmed.starts_with("00") {
            digits.drain(..2);
        }
        if international {
            return Self::from_international(&digits);
        }
        // A number already carrying its country code, without `+` (`233244123456`).
        if let Some(phone) = COUNTRIES.iter().find_map(|(_, code, len)| {
            (digits.starts_with(code) && digits.len() == code.len() + len)
                .then(|| PhoneE164(format!("+{digits}")))
        }) {
            return Ok(phone);
        }
        let country = default_country.ok_or(PhoneError::NoCountry)?;
        let (_, code, len) = COUNTRIES
            .iter()
            .find(|(iso, _, _)| iso.eq_ignore_ascii_case(country))
            .ok_or(PhoneError::NoCountry)?;
        let national = digits.strip_prefix('0').unwrap_or(&digits);
        if national.len() != *len {
            return Err(PhoneError::WrongLength);
        }
        Ok(PhoneE164(format!("+{code}{national}")))
    }

    fn from_international(digits: &str) -> Result<PhoneE164, PhoneError> {
        if let Some((_, code, len)) = COUNTRIES
            .iter()
            .find(|(_, code, _)| digits.starts_with(code))
        {
            // Some write `+233 0244…`: drop the trunk zero after the country code.
            let rest = &digits[code.len()..];
            let rest = if rest.len() == len + 1 {
                rest.strip_prefix('0').unwrap_or(rest)
            } else {
                rest
            };
            return if rest.len() == *len {
                Ok(PhoneE164(format!("+{code}{rest}")))
            } else {
                Err(PhoneError::WrongLength)
            };
        }
        // Another country: E.164 allows 8 to 15 digits.
        if (8..=15).contains(&digits.len()) {
            Ok(PhoneE164(format!("+{digits}")))
        } else {
            Err(PhoneError::WrongLength)
        }
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
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        PhoneE164::parse(&raw, None).map_err(serde::de::Error::custom)
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
            ("+44 20 7946 0958", None, "+442079460958"),
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
