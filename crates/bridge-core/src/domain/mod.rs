//! The domain's values: the normalized order every shop adapter produces, the identifiers it
//! has in each system, phone numbers, regions, and the reasons an order waits for a person.
//! Parsed once at the edge (intake, store); past it the types guarantee their validity.

mod attention;
mod ids;
mod order;
mod phone;
mod region;
pub mod wording;

/// A stored name (a state, a kind, a reason) that this version does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown name `{0}`")]
pub struct UnknownName(pub String);

pub use attention::{AddressRead, Attention, ReadPart, Unshippable};
pub use ids::{
    CountryCode, MediaId, OrderKey, PartnerRef, PlatformOrderId, ShopId, TicketId, TicketStatusId,
    TrackingNumber,
};
pub use order::{
    Address, Coordinates, Item, Language, LanguageChoice, MAX_AMOUNT, Order, Payment, Recipient,
    parse_amount,
};
pub use phone::{PhoneE164, PhoneError, mask, mask_digit_runs};
pub use region::{
    AddressPart, GHANA_REGIONS, Located, RegionRules, RegionSource, locate, shaq_destination,
};
