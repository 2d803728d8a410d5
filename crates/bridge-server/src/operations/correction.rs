//! A correction as a person types it, checked field by field: the one parser behind the
//! console's fix form, the admin API's `PATCH` and the CLI's `orders correct`.

use bridge_core::domain::{GHANA_REGIONS, MAX_AMOUNT, PhoneE164, parse_amount};
use bridge_core::shop::clean_text;
use bridge_core::workflow::operator::{ChosenRegion, Correction};

/// A correction as a person sends it (JSON to the admin API, a form in the console): every
/// field optional, as text; [`CorrectionInput::parse`] checks each one.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectionInput {
    /// One of ShaQ's regions (`Ashanti`, `Greater Accra`…).
    #[schema(example = "Ashanti")]
    pub region: Option<String>,
    /// Street and house.
    pub line1: Option<String>,
    /// Second address line; an empty string clears it.
    pub line2: Option<String>,
    /// City or town.
    pub city: Option<String>,
    /// The customer's mobile number, in any usual format (`024 412 3456`, `+233…`).
    #[schema(example = "024 412 3456")]
    pub phone: Option<String>,
    /// What the courier collects, as a decimal string or number (`0`: nothing).
    #[schema(value_type = Option<String>, example = "150.00")]
    pub amount_to_collect: Option<serde_json::Value>,
}

/// A field of a correction that cannot be used, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    /// The field.
    pub field: &'static str,
    /// Why, in English (the API's and the command line's words).
    pub message: String,
    /// Why, typed: each door says it in its own words (the console in the operator's language).
    pub kind: ProblemKind,
}

/// Why a corrected field cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    /// A required text left empty.
    Empty,
    /// Longer than this many characters.
    TooLong(usize),
    /// Not one of ShaQ's regions.
    UnknownRegion(String),
    /// A phone number that cannot be used.
    Phone(bridge_core::domain::PhoneError),
    /// Not a decimal number.
    NotANumber,
    /// Negative, too large, or more than two decimals.
    AmountOutOfRange,
}

const MAX_LINE: usize = 200;

impl CorrectionInput {
    /// Whether no field is given (a correction of nothing).
    pub fn is_empty(&self) -> bool {
        let blank = |value: &Option<String>| value.as_deref().is_none_or(|v| v.trim().is_empty());
        blank(&self.region)
            && self.line1.is_none()
            && self.line2.is_none()
            && self.city.is_none()
            && blank(&self.phone)
            && match &self.amount_to_collect {
                None | Some(serde_json::Value::Null) => true,
                Some(serde_json::Value::String(s)) => s.trim().is_empty(),
                Some(_) => false,
            }
    }

    /// The correction, or the first field that cannot be used. A local phone number is read in
    /// `phone_country` (the order's country). An empty correction is for the caller to refuse
    /// ([`super::OperationError::NothingToCorrect`]).
    pub fn parse(&self, phone_country: &str) -> Result<Correction, FieldProblem> {
        let problem = |field: &'static str, message: String, kind: ProblemKind| FieldProblem {
            field,
            message,
            kind,
        };
        let text = |field: &'static str,
                    value: &Option<String>,
                    required: bool|
         -> Result<Option<String>, FieldProblem> {
            let Some(raw) = value else { return Ok(None) };
            let cleaned = clean_text(raw);
            if required && cleaned.is_empty() {
                return Err(problem(
                    field,
                    "must not be empty".to_owned(),
                    ProblemKind::Empty,
                ));
            }
            if cleaned.chars().count() > MAX_LINE {
                return Err(problem(
                    field,
                    format!("at most {MAX_LINE} characters"),
                    ProblemKind::TooLong(MAX_LINE),
                ));
            }
            Ok(Some(cleaned))
        };
        let region = match self.region.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(name) => Some(ChosenRegion::parse(name).ok_or_else(|| {
                problem(
                    "region",
                    format!(
                        "`{name}` is not one of ShaQ's regions ({})",
                        GHANA_REGIONS.join(", ")
                    ),
                    ProblemKind::UnknownRegion(name.to_owned()),
                )
            })?),
        };
        let phone = match self.phone.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => Some(
                PhoneE164::parse(raw, Some(phone_country))
                    .map_err(|e| problem("phone", e.to_string(), ProblemKind::Phone(e)))?,
            ),
        };
        let amount_to_collect = match &self.amount_to_collect {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(s)) if s.trim().is_empty() => None,
            Some(value) => {
                let amount = parse_amount(value).ok_or_else(|| {
                    problem(
                        "amount_to_collect",
                        "must be a decimal number".to_owned(),
                        ProblemKind::NotANumber,
                    )
                })?;
                if amount.is_sign_negative() || amount.scale() > 2 || amount > MAX_AMOUNT {
                    return Err(problem(
                        "amount_to_collect",
                        format!(
                            "must be zero or more, at most {MAX_AMOUNT}, with at most two decimals"
                        ),
                        ProblemKind::AmountOutOfRange,
                    ));
                }
                // Written with two decimals, as money is (`150.5` → `150.50`).
                let mut amount = amount;
                amount.rescale(2);
                Some(amount)
            }
        };
        let correction = Correction {
            region,
            line1: text("line1", &self.line1, true)?,
            line2: text("line2", &self.line2, false)?,
            city: text("city", &self.city, true)?,
            phone,
            amount_to_collect,
        };
        Ok(correction)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_field_is_checked_and_named() {
        let input = |json: serde_json::Value| -> CorrectionInput {
            serde_json::from_value(json).expect("shape")
        };
        let ok = input(serde_json::json!({
            "region": "ashanti", "city": " Kumasi ", "phone": "024 412 3456",
            "amount_to_collect": "150.5"
        }))
        .parse("GH")
        .expect("valid");
        assert_eq!(ok.region, ChosenRegion::parse("Ashanti"));
        assert_eq!(ok.city.as_deref(), Some("Kumasi"));
        assert_eq!(
            ok.phone.map(|p| p.expose().to_owned()).as_deref(),
            Some("+233244123456")
        );
        assert_eq!(
            ok.amount_to_collect.map(|a| a.to_string()).as_deref(),
            Some("150.50")
        );

        for (json, field) in [
            (serde_json::json!({ "region": "Atlantis" }), "region"),
            (serde_json::json!({ "phone": "0302 123456" }), "phone"),
            (
                serde_json::json!({ "amount_to_collect": "-3" }),
                "amount_to_collect",
            ),
            (
                serde_json::json!({ "amount_to_collect": "1.005" }),
                "amount_to_collect",
            ),
            (
                serde_json::json!({ "amount_to_collect": "80000000000000000000000000" }),
                "amount_to_collect",
            ),
            (serde_json::json!({ "city": "   " }), "city"),
        ] {
            assert_eq!(
                input(json.clone()).parse("GH").map_err(|p| p.field),
                Err(field),
                "{json}"
            );
        }
        assert!(input(serde_json::json!({})).is_empty());
        assert!(input(serde_json::json!({ "region": "", "phone": " " })).is_empty());
        assert!(
            !input(serde_json::json!({ "line2": "" })).is_empty(),
            "clears line 2"
        );
        assert!(
            serde_json::from_value::<CorrectionInput>(serde_json::json!({ "zip": "1" })).is_err()
        );
    }
}
