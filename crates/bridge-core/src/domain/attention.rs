//! Why an order waits for a person: a reason the code can act on, with the sentence a person
//! reads.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{CountryCode, PhoneError};

/// Why the bridge cannot send an order to ShaQ as it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Unshippable {
    /// No phone number at all.
    NoPhone,
    /// A phone number that cannot be used (invalid, or a fixed line WhatsApp cannot reach).
    UnusablePhone {
        /// Why.
        problem: PhoneError,
    },
    /// Neither a street nor a city.
    NoAddress,
    /// The destination country is not one ShaQ serves.
    OutsideServiceArea {
        /// The order's country.
        country: CountryCode,
    },
    /// The address names no region, and none could be found from it.
    NoRegion {
        /// What was read, and why it named no region.
        #[serde(default)]
        read: AddressRead,
    },
    /// The region field is not a region, and nothing else in the address names a place.
    UnknownRegion {
        /// The region as the shop wrote it.
        region: String,
        /// What else was read.
        #[serde(default)]
        read: AddressRead,
    },
    /// ShaQ's region list has no such region.
    RegionNotServed {
        /// The region found for the address.
        region: String,
    },
    /// The shop sent the order with a field that cannot be used (an amount of 8e25, a name of
    /// 100 000 characters…): it is fixed in the shop, whose next webhook brings it back.
    ShopSentUnusable {
        /// The field, as the shop names it.
        field: String,
        /// What is wrong with it.
        message: String,
    },
}

/// What was read of an address in which no region was found: each part and why it named none,
/// so that a person reads it in their language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum AddressRead {
    /// Each part, as read.
    Parts(Vec<ReadPart>),
    /// A sentence, as an earlier version of the bridge recorded it.
    Recorded(String),
}

impl Default for AddressRead {
    fn default() -> Self {
        AddressRead::Parts(Vec::new())
    }
}

impl AddressRead {
    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        match self {
            AddressRead::Parts(parts) => parts.is_empty(),
            AddressRead::Recorded(sentence) => sentence.is_empty(),
        }
    }
}

impl fmt::Display for AddressRead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AddressRead::Parts(parts) => {
                for (index, part) in parts.iter().enumerate() {
                    if index > 0 {
                        f.write_str("; ")?;
                    }
                    part.fmt(f)?;
                }
                Ok(())
            }
            AddressRead::Recorded(sentence) => f.write_str(sentence),
        }
    }
}

/// One part of an address as read, and why it named no region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "part", rename_all = "snake_case")]
pub enum ReadPart {
    /// The region field names a region split in 2019.
    SplitRegion {
        /// As written.
        field: String,
        /// The regions it became.
        successors: Vec<String>,
    },
    /// The region field is not a region of Ghana.
    NotARegion {
        /// As written.
        field: String,
    },
    /// The region field is empty.
    NoRegionField,
    /// The city is empty.
    NoCity,
    /// The city is not a place the bridge knows.
    UnknownCity {
        /// As written.
        city: String,
    },
    /// The address lines name no known place and no GhanaPost GPS address.
    NoPlaceInLines,
}

impl fmt::Display for ReadPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadPart::SplitRegion { field, successors } => write!(
                f,
                "`{field}` was split in 2019 into {}: name one",
                successors.join(", ")
            ),
            ReadPart::NotARegion { field } => {
                write!(f, "the region field `{field}` is not a region of Ghana")
            }
            ReadPart::NoRegionField => f.write_str("the region field is empty"),
            ReadPart::NoCity => f.write_str("the city is empty"),
            ReadPart::UnknownCity { city } => {
                write!(f, "the city `{city}` is not a place the bridge knows")
            }
            ReadPart::NoPlaceInLines => {
                f.write_str("the address lines name no known place and no GhanaPost GPS address")
            }
        }
    }
}

impl fmt::Display for Unshippable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unshippable::NoPhone => f.write_str("no usable phone number"),
            Unshippable::UnusablePhone { problem } => {
                write!(f, "no usable phone number: {problem}")
            }
            Unshippable::NoAddress => f.write_str("no delivery address"),
            Unshippable::OutsideServiceArea { country } => {
                write!(
                    f,
                    "destination country {country} is outside the service area"
                )
            }
            Unshippable::NoRegion { read } => {
                write!(f, "no region found for the delivery address")?;
                if !read.is_empty() {
                    write!(f, " ({read})")?;
                }
                f.write_str(": add the region (e.g. Greater Accra) or a GhanaPost GPS address")
            }
            Unshippable::UnknownRegion { region, read } => {
                write!(f, "region `{region}` is not one of ShaQ's regions")?;
                if !read.is_empty() {
                    write!(f, " ({read})")?;
                }
                Ok(())
            }
            Unshippable::RegionNotServed { region } => {
                write!(f, "ShaQ's region list has no region `{region}`")
            }
            Unshippable::ShopSentUnusable { field, message } => write!(
                f,
                "the shop sent the order with an unusable {field} ({message}): fix the order in \
                 the shop, its next update brings it back"
            ),
        }
    }
}

/// Why an order is in `needs_attention`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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
            region: "Atlantis".to_owned(),
            read: AddressRead::default(),
        });
        assert_eq!(
            unknown.to_string(),
            "region `Atlantis` is not one of ShaQ's regions"
        );
        let stored = serde_json::to_string(&unknown).expect("serializes");
        assert_eq!(
            stored,
            r#"{"kind":"unshippable","reason":"unknown_region","region":"Atlantis","read":[]}"#
        );
        // What an earlier version recorded as a sentence reads back as that sentence.
        let recorded = r#"{"kind":"unshippable","reason":"no_region","read":"the city is empty"}"#;
        assert_eq!(
            serde_json::from_str::<Attention>(recorded).expect("reads"),
            Attention::Unshippable(Unshippable::NoRegion {
                read: AddressRead::Recorded("the city is empty".to_owned())
            })
        );
        let parts = Attention::from(Unshippable::NoRegion {
            read: AddressRead::Parts(vec![
                ReadPart::NoRegionField,
                ReadPart::UnknownCity {
                    city: "Xyz".to_owned(),
                },
            ]),
        });
        let stored_parts = serde_json::to_string(&parts).expect("serializes");
        assert_eq!(
            serde_json::from_str::<Attention>(&stored_parts).expect("reads back"),
            parts
        );
        assert!(parts.to_string().contains(
            "(the region field is empty; the city `Xyz` is not a place the bridge knows)"
        ));
        let earlier = r#"{"kind":"unshippable","reason":"no_region"}"#;
        assert!(matches!(
            serde_json::from_str::<Attention>(earlier),
            Ok(Attention::Unshippable(Unshippable::NoRegion { .. }))
        ));
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
