//! Why an order waits for a person: a reason the code can act on, with the sentence a person
//! reads.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::CountryCode;

/// Why the bridge cannot send an order to ShaQ as it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Unshippable {
    /// No phone number the courier and WhatsApp can use.
    NoPhone,
    /// Neither a street nor a city.
    NoAddress,
    /// The destination country is not one ShaQ serves.
    OutsideServiceArea {
        /// The order's country.
        country: CountryCode,
    },
    /// The address names no region, and none could be found from it.
    NoRegion,
    /// The address names a region ShaQ does not know.
    UnknownRegion {
        /// The region as the shop wrote it.
        region: String,
    },
}

impl fmt::Display for Unshippable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unshippable::NoPhone => f.write_str("no usable phone number"),
            Unshippable::NoAddress => f.write_str("no delivery address"),
            Unshippable::OutsideServiceArea { country } => {
                write!(
                    f,
                    "destination country {country} is outside the service area"
                )
            }
            Unshippable::NoRegion => f.write_str("no region in the delivery address"),
            Unshippable::UnknownRegion { region } => {
                write!(f, "region `{region}` is not one of ShaQ's regions")
            }
        }
    }
}

/// Why an order is in `needs_attention`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Attention {
    /// It cannot be shipped as it is.
    Unshippable(Unshippable),
    /// The customer did not answer the confirmation message in time. A late "confirmed" still
    /// ships it.
    ConfirmationTimedOut,
    /// A reason stored by an older version, as its sentence.
    Earlier {
        /// The sentence.
        text: String,
    },
}

impl Attention {
    /// Reads a reason stored as a sentence by an older version (before reasons were typed).
    pub fn from_sentence(text: &str) -> Attention {
        if text == Attention::ConfirmationTimedOut.to_string() {
            Attention::ConfirmationTimedOut
        } else {
            Attention::Earlier {
                text: text.to_owned(),
            }
        }
    }
}

impl fmt::Display for Attention {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Attention::Unshippable(reason) => reason.fmt(f),
            Attention::ConfirmationTimedOut => f.write_str("the customer did not confirm in time"),
            Attention::Earlier { text } => f.write_str(text),
        }
    }
}

impl From<Unshippable> for Attention {
    fn from(reason: Unshippable) -> Self {
        Attention::Unshippable(reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_read_as_sentences_and_round_trip_as_data() {
        let unknown = Attention::from(Unshippable::UnknownRegion {
            region: "AA".to_owned(),
        });
        assert_eq!(
            unknown.to_string(),
            "region `AA` is not one of ShaQ's regions"
        );
        let stored = serde_json::to_string(&unknown).expect("serializes");
        assert_eq!(
            stored,
            r#"{"kind":"unshippable","reason":"unknown_region","region":"AA"}"#
        );
        assert_eq!(
            serde_json::from_str::<Attention>(&stored).expect("reads back"),
            unknown
        );
        assert_eq!(
            Attention::from_sentence("the customer did not confirm in time"),
            Attention::ConfirmationTimedOut
        );
        assert!(matches!(
            Attention::from_sentence("no usable phone number"),
            Attention::Earlier { .. }
        ));
    }
}
