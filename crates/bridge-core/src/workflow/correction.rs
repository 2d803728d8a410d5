//! What a person corrected on an order (console, admin API, CLI): the region, the address,
//! the phone, the amount to collect. Stored with the order and laid over every later version
//! the shop sends (`workflow::shop`); decided as an operator request (`workflow::operator`).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{Said, Word};
use crate::domain::{GHANA_REGIONS, Located, Order, Payment, PhoneE164, RegionSource};

/// One of ShaQ's delivery regions (one of [`GHANA_REGIONS`]), as a person picked it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String", into = "String")]
pub struct ChosenRegion(String);

impl ChosenRegion {
    /// The region named `name` (case and a trailing "Region" ignored), if it is one.
    pub fn parse(name: &str) -> Option<ChosenRegion> {
        let wanted = name.trim().trim_end_matches(" Region").trim();
        GHANA_REGIONS
            .iter()
            .find(|region| region.eq_ignore_ascii_case(wanted))
            .map(|region| ChosenRegion((*region).to_owned()))
    }

    /// The region's name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ChosenRegion {
    type Error = String;

    fn try_from(name: String) -> Result<Self, Self::Error> {
        ChosenRegion::parse(&name).ok_or_else(|| format!("`{name}` is not one of ShaQ's regions"))
    }
}

impl From<ChosenRegion> for String {
    fn from(region: ChosenRegion) -> Self {
        region.0
    }
}

/// What a person corrected. Each field left out keeps what the order has; the fields are parsed
/// at the edge (a region of ShaQ's list, a mobile number, an amount of zero or more).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Correction {
    /// The delivery region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<ChosenRegion>,
    /// Street and house.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line1: Option<String>,
    /// Second address line (an empty one clears it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    /// City or town.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// The customer's mobile number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<PhoneE164>,
    /// What the courier collects (0: nothing, the order is prepaid).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_to_collect: Option<Decimal>,
}

impl Correction {
    /// Corrects nothing.
    pub fn is_empty(&self) -> bool {
        *self == Correction::default()
    }

    /// This correction with `newer`'s fields laid over it.
    pub(in crate::workflow) fn merged(&self, newer: &Correction) -> Correction {
        Correction {
            region: newer.region.clone().or_else(|| self.region.clone()),
            line1: newer.line1.clone().or_else(|| self.line1.clone()),
            line2: newer.line2.clone().or_else(|| self.line2.clone()),
            city: newer.city.clone().or_else(|| self.city.clone()),
            phone: newer.phone.clone().or_else(|| self.phone.clone()),
            amount_to_collect: newer.amount_to_collect.or(self.amount_to_collect),
        }
    }

    /// The shop's order with these corrections laid over it.
    pub fn apply(&self, mut order: Order) -> Order {
        if let Some(line1) = &self.line1 {
            order.address.line1.clone_from(line1);
        }
        if let Some(line2) = &self.line2 {
            order.address.line2 = (!line2.trim().is_empty()).then(|| line2.clone());
        }
        if let Some(city) = &self.city {
            order.address.city.clone_from(city);
        }
        if let Some(phone) = &self.phone {
            order.recipient.phone = Some(phone.clone());
            order.recipient.phone_problem = None;
        }
        if let Some(amount) = self.amount_to_collect {
            order.payment = if amount.is_zero() {
                Payment::Prepaid
            } else {
                Payment::CashOnDelivery {
                    amount_to_collect: amount,
                }
            };
        }
        order
    }

    /// The region a person chose, as the workflow records a region.
    pub fn located(&self) -> Option<Located> {
        self.region.as_ref().map(|region| Located {
            region: region.as_str().to_owned(),
            source: RegionSource::Chosen,
        })
    }

    /// What changed, for the timeline (phones masked).
    pub(in crate::workflow) fn describe(&self, currency: &str) -> Word {
        let field = |name: &str, value: String| {
            Word::from(Said::new(&format!("line-corrected-{name}")).text("value", value))
        };
        let mut parts = Vec::new();
        if let Some(region) = &self.region {
            parts.push(field("region", region.as_str().to_owned()));
        }
        if let Some(line1) = &self.line1 {
            parts.push(field("line1", line1.clone()));
        }
        if let Some(line2) = &self.line2 {
            parts.push(field("line2", line2.clone()));
        }
        if let Some(city) = &self.city {
            parts.push(field("city", city.clone()));
        }
        if let Some(phone) = &self.phone {
            parts.push(field("phone", phone.masked()));
        }
        if let Some(amount) = self.amount_to_collect {
            parts.push(field("amount", format!("{amount} {currency}")));
        }
        Word::List(parts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_are_read_as_a_person_writes_them() {
        assert_eq!(
            ChosenRegion::parse("ashanti").map(String::from).as_deref(),
            Some("Ashanti")
        );
        assert_eq!(
            ChosenRegion::parse("Greater Accra Region")
                .map(String::from)
                .as_deref(),
            Some("Greater Accra")
        );
        assert_eq!(ChosenRegion::parse("Kumasi"), None);
        let parsed: Result<ChosenRegion, _> = serde_json::from_str("\"Volta\"");
        assert!(parsed.is_ok());
        let refused: Result<ChosenRegion, _> = serde_json::from_str("\"Atlantis\"");
        assert!(refused.is_err());
    }

    #[test]
    fn a_later_correction_keeps_the_earlier_fields_it_does_not_name() {
        let earlier = Correction {
            region: ChosenRegion::parse("Ashanti"),
            city: Some("Kumasi".to_owned()),
            ..Correction::default()
        };
        let later = Correction {
            city: Some("Ejisu".to_owned()),
            ..Correction::default()
        };
        let merged = earlier.merged(&later);
        assert_eq!(merged.region, ChosenRegion::parse("Ashanti"));
        assert_eq!(merged.city.as_deref(), Some("Ejisu"));
    }
}
