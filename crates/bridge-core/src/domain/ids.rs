//! The identifiers of an order in every system it passes through, each its own type so one
//! cannot be passed where another is meant (a ticket id where a tracking number goes).

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

macro_rules! text_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps a value already read from a trusted place (a parsed webhook, the store).
            pub fn new(value: impl Into<String>) -> Self {
                $name(value.into())
            }

            /// The value.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

text_id!(
    /// A configured shop (`kente`): lowercase letters, digits, `-` and `_` (checked with the
    /// settings).
    ShopId
);
text_id!(
    /// The shop platform's id of an order (`5127389001`, a YouCan UUID…).
    PlatformOrderId
);
text_id!(
    /// The key of an order everywhere in the bridge: `shop_id/platform_order_id`. Jobs of one
    /// key run one at a time, in order.
    OrderKey
);
text_id!(
    /// Our reference for an order at ShaQ (`partner_ref`) and Digishare (`external_id`).
    PartnerRef
);
text_id!(
    /// ShaQ's tracking number of a package.
    TrackingNumber
);
text_id!(
    /// Digishare's id of a ticket.
    TicketId
);
text_id!(
    /// A file uploaded to Digishare (`POST /messagesTemplates`), put on a ticket by its id.
    MediaId
);
text_id!(
    /// One of the Digishare account's ticket status ids (hashed, `x9q3wrlv0m7vzea8`).
    TicketStatusId
);

impl OrderKey {
    /// `shop_id/platform_order_id`.
    pub fn of(shop: &ShopId, order: &PlatformOrderId) -> OrderKey {
        OrderKey(format!("{shop}/{order}"))
    }

    /// The key under which news about a package the bridge does not know is kept.
    pub fn unmatched(reference: &str) -> OrderKey {
        OrderKey(format!("unmatched/{reference}"))
    }

    /// The queue lane of the order's write-backs to its shop: they run one at a time and in
    /// order among themselves, beside the order's other jobs, so a shop that keeps failing
    /// holds back none of them.
    pub fn write_back_lane(&self) -> OrderKey {
        OrderKey(format!("{WRITE_BACK_LANE}{}", self.0))
    }

    /// The order a queue key belongs to: the order's own key, or a lane's order.
    pub fn order(&self) -> OrderKey {
        match self.0.strip_prefix(WRITE_BACK_LANE) {
            Some(order) => OrderKey(order.to_owned()),
            None => self.clone(),
        }
    }
}

/// The prefix of the write-back lane's keys.
const WRITE_BACK_LANE: &str = "write-back/";

impl PartnerRef {
    /// The longest reference the bridge sends; longer ones are hashed.
    pub const MAX_LEN: usize = 100;

    /// `{shop_id}-{platform order id}` in ShaQ's characters (`[A-Za-z0-9_-]`: it answers 404 for
    /// refs with `#` or `/`), and never the same for two different orders: letters and digits
    /// stay (and `-` in the order id), every other byte becomes `_` and two hex digits
    /// (`#1047/b` → `_231047_2fb`; a shop id's `-` too), so the first `-` separates the shop
    /// from the order. A reference longer than [`Self::MAX_LEN`] is `_h` and a SHA-256 of both
    /// parts. Deterministic, so a retry finds the same ref; tidy ids read as before
    /// (`kente-5127389001`, `souk-9b2c-4f1e`).
    pub fn of(shop: &ShopId, order: &PlatformOrderId) -> PartnerRef {
        let reference = format!(
            "{}-{}",
            escape(shop.as_str(), false),
            escape(order.as_str(), true)
        );
        if reference.len() <= Self::MAX_LEN {
            return PartnerRef(reference);
        }
        let digest = Sha256::digest(format!("{shop}\0{order}").as_bytes());
        PartnerRef(format!("_h{}", &hex::encode(digest)[..40]))
    }
}

/// Letters and digits (and `-` when `keep_dash`) as they are; every other byte `_` and two
/// lowercase hex digits. No `_` is followed by anything but hex, so the escaping cannot be
/// ambiguous; without `keep_dash` no `-` comes out.
fn escape(part: &str, keep_dash: bool) -> String {
    let mut out = String::with_capacity(part.len());
    for byte in part.bytes() {
        if byte.is_ascii_alphanumeric() || (keep_dash && byte == b'-') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("_{byte:02x}"));
        }
    }
    out
}

/// An ISO 3166-1 alpha-2 country code, uppercase (`GH`).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String", into = "String")]
pub struct CountryCode(String);

impl CountryCode {
    /// Two ASCII letters, in either case; anything else is not a country code.
    pub fn parse(raw: &str) -> Option<CountryCode> {
        let raw = raw.trim();
        (raw.len() == 2 && raw.chars().all(|c| c.is_ascii_alphabetic()))
            .then(|| CountryCode(raw.to_ascii_uppercase()))
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CountryCode {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        CountryCode::parse(&value)
            .ok_or_else(|| format!("`{value}` is not a two-letter country code"))
    }
}

impl From<CountryCode> for String {
    fn from(code: CountryCode) -> String {
        code.0
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CountryCode({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partner_ref_is_deterministic_and_safe() {
        let ref_of = |shop: &str, order: &str| {
            PartnerRef::of(&ShopId::new(shop), &PlatformOrderId::new(order))
        };
        assert_eq!(ref_of("kente", "5127").as_str(), "kente-5127");
        assert_eq!(ref_of("atlas", "#1047/b").as_str(), "atlas-_231047_2fb");
        assert_eq!(ref_of("youcan", "9b2c-uuid").as_str(), "youcan-9b2c-uuid");
        // Orders that used to share a reference no longer do.
        assert_ne!(
            ref_of("kente", "920011/evil"),
            ref_of("kente", "920011_evil")
        );
        assert_ne!(ref_of("souk", "ma-1"), ref_of("souk-ma", "1"));
        let long = ref_of("kente", &"9".repeat(150));
        assert!(long.as_str().len() <= PartnerRef::MAX_LEN);
        assert!(long.as_str().starts_with("_h"));
        for reference in [ref_of("a-b", "é#/ x"), long] {
            assert!(
                reference
                    .as_str()
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'),
                "{reference}"
            );
        }
    }

    #[test]
    fn order_keys_join_shop_and_order() {
        let key = OrderKey::of(&ShopId::new("kente"), &PlatformOrderId::new("1047"));
        assert_eq!(key.as_str(), "kente/1047");
        assert_eq!(OrderKey::unmatched("T1").as_str(), "unmatched/T1");
    }

    #[test]
    fn country_codes_are_two_letters_uppercased() {
        assert_eq!(
            CountryCode::parse(" gh ").map(String::from).as_deref(),
            Some("GH")
        );
        assert_eq!(CountryCode::parse("Ghana"), None);
        assert_eq!(CountryCode::parse("G1"), None);
        assert!(serde_json::from_str::<CountryCode>("\"GHA\"").is_err());
    }
}
