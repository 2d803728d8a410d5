//! The ShaQ Express data types: statuses, money, dates, packages, regions, tracking.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A package status. ShaQ has changed its list before and moves statuses backwards, so an
/// unknown status is kept as [`PackageStatus::Unknown`], never an error.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PackageStatus {
    /// Not yet received from the partner.
    Pending,
    /// Received from the partner.
    Received,
    /// At a regional warehouse.
    WarehouseReceived,
    /// Collected from the partner by ShaQ.
    Collected,
    /// Waiting for the customer to pick it up.
    ReadyForPickup,
    /// Shipped by the partner.
    Shipped,
    /// Assigned to a rider.
    Assigned,
    /// Moving to the nearest warehouse.
    InTransit,
    /// Out for delivery.
    Dispatched,
    /// The customer confirmed delivery by phone.
    Confirmed,
    /// Delivered.
    Delivered,
    /// Attempted, not delivered.
    NotDelivered,
    /// Rescheduled.
    Rescheduled,
    /// On hold at the customer's request.
    CustomerHold,
    /// On hold: the customer cannot be reached.
    CustomerUnreachable,
    /// On hold: suspected fraud.
    SuspectedScam,
    /// Picked up from the customer to return.
    ReturnPicked,
    /// Being prepared to go back.
    ReturnInProgress,
    /// Back with the partner (final).
    ReturnedToSender,
    /// Going back to ShaQ's central warehouse after failed attempts.
    ReturnToCentral,
    /// A status this version does not know.
    Unknown(String),
}

impl PackageStatus {
    /// Every status the partner document lists, in its order: the one list the workflow's
    /// mapping, the configuration checks and the documentation tests read.
    pub const ALL: [PackageStatus; 20] = [
        PackageStatus::Pending,
        PackageStatus::Received,
        PackageStatus::WarehouseReceived,
        PackageStatus::Collected,
        PackageStatus::ReadyForPickup,
        PackageStatus::Shipped,
        PackageStatus::Assigned,
        PackageStatus::InTransit,
        PackageStatus::Dispatched,
        PackageStatus::Confirmed,
        PackageStatus::Delivered,
        PackageStatus::NotDelivered,
        PackageStatus::Rescheduled,
        PackageStatus::CustomerHold,
        PackageStatus::CustomerUnreachable,
        PackageStatus::SuspectedScam,
        PackageStatus::ReturnPicked,
        PackageStatus::ReturnInProgress,
        PackageStatus::ReturnedToSender,
        PackageStatus::ReturnToCentral,
    ];

    /// Every documented status.
    pub fn all() -> impl Iterator<Item = PackageStatus> {
        PackageStatus::ALL.into_iter()
    }

    /// The slug ShaQ uses.
    pub fn as_str(&self) -> &str {
        match self {
            PackageStatus::Pending => "pending",
            PackageStatus::Received => "received",
            PackageStatus::WarehouseReceived => "warehouse_received",
            PackageStatus::Collected => "collected",
            PackageStatus::ReadyForPickup => "ready_for_pickup",
            PackageStatus::Shipped => "shipped",
            PackageStatus::Assigned => "assigned",
            PackageStatus::InTransit => "in_transit",
            PackageStatus::Dispatched => "dispatched",
            PackageStatus::Confirmed => "confirmed",
            PackageStatus::Delivered => "delivered",
            PackageStatus::NotDelivered => "not_delivered",
            PackageStatus::Rescheduled => "rescheduled",
            PackageStatus::CustomerHold => "customer_hold",
            PackageStatus::CustomerUnreachable => "customer_unreachable",
            PackageStatus::SuspectedScam => "suspected_scam",
            PackageStatus::ReturnPicked => "return_picked",
            PackageStatus::ReturnInProgress => "return_in_progress",
            PackageStatus::ReturnedToSender => "returned_to_sender",
            PackageStatus::ReturnToCentral => "return_to_central",
            PackageStatus::Unknown(s) => s,
        }
    }
}

impl FromStr for PackageStatus {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let slug = s.trim().to_ascii_lowercase();
        Ok(PackageStatus::ALL
            .into_iter()
            .find(|known| known.as_str() == slug)
            .unwrap_or_else(|| PackageStatus::Unknown(s.trim().to_owned())))
    }
}

impl fmt::Display for PackageStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for PackageStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for PackageStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Ok(raw.parse().unwrap_or(PackageStatus::Unknown(raw)))
    }
}

/// `parcel` or `box`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PackageType {
    /// A parcel.
    Parcel,
    /// A box.
    Box,
}

/// `normal` or `fragile`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Handling {
    /// Normal.
    Normal,
    /// Fragile.
    Fragile,
}

/// Who collects the money from the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PaymentCollector {
    /// ShaQ's rider.
    Shaq,
    /// The partner.
    Partner,
}

/// Money as ShaQ sends it: `300` or `"300.00"`. Deserializes both; never through `f64`.
pub mod money {
    use super::*;

    /// Deserializes a decimal from a number or a string.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        parse(&value).ok_or_else(|| serde::de::Error::custom(format!("not an amount: {value}")))
    }

    /// As [`deserialize`], for optional fields (null or absent → `None`).
    pub fn deserialize_option<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Decimal>, D::Error> {
        let value = Option::<serde_json::Value>::deserialize(d)?;
        match value {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(v) => parse(&v)
                .map(Some)
                .ok_or_else(|| serde::de::Error::custom(format!("not an amount: {v}"))),
        }
    }

    fn parse(value: &serde_json::Value) -> Option<Decimal> {
        match value {
            serde_json::Value::String(s) => s.trim().parse().ok(),
            serde_json::Value::Number(n) => n.to_string().parse().ok(),
            _ => None,
        }
    }
}

/// Dates as ShaQ sends them: `"2025-04-10 11:15"` (zoneless, read as UTC) or ISO 8601.
pub fn parse_date(raw: &str) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Some(t.with_timezone(&Utc));
    }
    [
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S%.f",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(raw, f).ok())
    .map(|t| t.and_utc())
}

/// Serde helper for optional ShaQ dates.
pub mod date_option {
    use super::*;

    /// Deserializes an optional date in either form; an unreadable date becomes `None`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        Ok(Option::<String>::deserialize(d)?.and_then(|s| parse_date(&s)))
    }
}

/// Serde helper: an optional day (`2026-04-21`, or a date-time whose day is taken); an
/// unreadable one is `None` (ShaQ's document shows `rescheduledDate` only as `null`).
pub fn day_option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<chrono::NaiveDate>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.and_then(|s| {
        let s = s.trim();
        chrono::NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d").ok()
    }))
}

/// An estimated delivery window: `"2026-04-20 - 2026-04-22"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Eta {
    /// Earliest day.
    pub from: chrono::NaiveDate,
    /// Latest day.
    pub to: chrono::NaiveDate,
}

impl Eta {
    /// Parses `from - to` (or a single day).
    pub fn parse(raw: &str) -> Option<Eta> {
        let day = |s: &str| chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
        match raw.split_once(" - ") {
            Some((from, to)) => Some(Eta {
                from: day(from)?,
                to: day(to)?,
            }),
            None => day(raw).map(|d| Eta { from: d, to: d }),
        }
    }
}

/// Serde helper: an optional `eta` (`"2026-04-20 - 2026-04-22"`); an unreadable one is `None`.
pub fn eta_option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Eta>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.and_then(|s| Eta::parse(&s)))
}

/// What the courier collects. COD is ShaQ's default (`amount_to_collect` defaults to `value`),
/// so the caller must say which it is: a prepaid order sends 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collection {
    /// Collect this amount on delivery.
    CashOnDelivery(Decimal),
    /// Already paid: collect nothing.
    Prepaid,
}

impl Collection {
    /// The `amount_to_collect` to send.
    pub fn amount(self) -> Decimal {
        match self {
            Collection::CashOnDelivery(amount) => amount,
            Collection::Prepaid => Decimal::ZERO,
        }
    }
}

/// A line of a package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// Product name.
    pub name: String,
    /// How many.
    pub quantity: u32,
}

/// Where a package goes: a ShaQ region id, or a region name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// `region_id`.
    RegionId(i64),
    /// `destination_region`.
    RegionName(String),
}

/// A package to create (request fields in snake_case, as ShaQ wants them).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewPackage {
    /// Our unique reference.
    pub partner_ref: String,
    /// Recipient.
    pub customer_name: String,
    /// Recipient phone.
    pub customer_phone_1: String,
    /// Second phone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_phone_2: Option<String>,
    /// Pickup country.
    pub source_country_iso2: String,
    /// Pickup address.
    pub source_address_line_1: String,
    /// Pickup address, second line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_address_line_2: Option<String>,
    /// Destination country.
    pub destination_country_iso2: String,
    /// Region by id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region_id: Option<i64>,
    /// Region by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_region: Option<String>,
    /// City.
    pub destination_city: String,
    /// Street.
    pub destination_address_line_1: String,
    /// Second line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_address_line_2: Option<String>,
    /// Postal code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_postal_code: Option<String>,
    /// A landmark the rider can find ("blue gate opposite the Total station"): in the
    /// document's replacement table and in its creation answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub landmark: Option<String>,
    /// Where the shop's checkout pinned the address (degrees).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latitude: Option<f64>,
    /// Where the shop's checkout pinned the address (degrees).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub longitude: Option<f64>,
    /// Contents.
    pub description: String,
    /// Pieces.
    pub units: u32,
    /// Type.
    #[serde(rename = "type")]
    pub package_type: PackageType,
    /// Handling.
    pub handling: Handling,
    /// Declared value.
    #[serde(with = "rust_decimal::serde::str")]
    pub value: Decimal,
    /// What the rider collects (always sent: 0 for prepaid).
    #[serde(with = "rust_decimal::serde::str")]
    pub amount_to_collect: Decimal,
    /// Lines.
    pub items: Vec<Item>,
    /// Notes for the rider.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub special_instructions: Option<String>,
}

/// The fields every new package needs; the rest are optional.
#[derive(Debug, Clone, PartialEq)]
pub struct PackageBasics {
    /// Our unique reference.
    pub partner_ref: String,
    /// Recipient.
    pub customer_name: String,
    /// Recipient phone.
    pub customer_phone: String,
    /// Pickup country and address line.
    pub source: (String, String),
    /// Destination country.
    pub destination_country_iso2: String,
    /// Region.
    pub destination: Destination,
    /// City and street.
    pub city_and_street: (String, String),
    /// Contents.
    pub description: String,
    /// Declared value.
    pub value: Decimal,
}

impl NewPackage {
    /// A package with the required fields; `collection` must be chosen explicitly.
    pub fn new(basics: PackageBasics, collection: Collection, items: Vec<Item>) -> NewPackage {
        let (region_id, destination_region) = match basics.destination {
            Destination::RegionId(id) => (Some(id), None),
            Destination::RegionName(name) => (None, Some(name)),
        };
        NewPackage {
            partner_ref: basics.partner_ref,
            customer_name: basics.customer_name,
            customer_phone_1: basics.customer_phone,
            customer_phone_2: None,
            source_country_iso2: basics.source.0,
            source_address_line_1: basics.source.1,
            source_address_line_2: None,
            destination_country_iso2: basics.destination_country_iso2,
            region_id,
            destination_region,
            destination_city: basics.city_and_street.0,
            destination_address_line_1: basics.city_and_street.1,
            destination_address_line_2: None,
            destination_postal_code: None,
            landmark: None,
            latitude: None,
            longitude: None,
            description: basics.description,
            units: items.iter().map(|i| i.quantity).sum::<u32>().max(1),
            package_type: PackageType::Box,
            handling: Handling::Normal,
            value: basics.value,
            amount_to_collect: collection.amount(),
            items,
            special_instructions: None,
        }
    }
}

/// Changes to a package: only the fields set are sent.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PackageUpdate {
    /// Recipient.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_name: Option<String>,
    /// Recipient phone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_phone_1: Option<String>,
    /// Second phone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_phone_2: Option<String>,
    /// Region by name: the update table lists `destination_region`, not `region_id` (a
    /// corrected region sent by id might be ignored without an error).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_region: Option<String>,
    /// City.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_city: Option<String>,
    /// Street.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_address_line_1: Option<String>,
    /// Second line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_address_line_2: Option<String>,
    /// Contents.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Pieces.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub units: Option<u32>,
    /// Declared value.
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "rust_decimal::serde::str_option"
    )]
    pub value: Option<Decimal>,
    /// What the rider collects.
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "rust_decimal::serde::str_option"
    )]
    pub amount_to_collect: Option<Decimal>,
    /// Lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<Item>>,
    /// Notes for the rider.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub special_instructions: Option<String>,
}

/// One step of a package's history (`trackingHistory` uses `name`, `/tracking` uses `status`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct HistoryStep {
    /// The status.
    #[serde(alias = "name")]
    pub status: PackageStatus,
    /// ShaQ's words.
    #[serde(default)]
    pub description: Option<String>,
    /// When.
    #[serde(default, deserialize_with = "date_option::deserialize")]
    pub date: Option<DateTime<Utc>>,
    /// A comment.
    #[serde(default)]
    pub comment: Option<String>,
}

/// A package as ShaQ returns it (camelCase).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Package {
    /// Our reference.
    pub partner_ref: String,
    /// ShaQ's tracking number.
    pub tracking_number: String,
    /// Current status.
    pub status: PackageStatus,
    /// Its description.
    #[serde(default)]
    pub status_description: Option<String>,
    /// Recipient.
    #[serde(default)]
    pub customer_name: Option<String>,
    /// Declared value.
    #[serde(default, deserialize_with = "money::deserialize_option")]
    pub value: Option<Decimal>,
    /// What the rider collects.
    #[serde(default, deserialize_with = "money::deserialize_option")]
    pub amount_to_collect: Option<Decimal>,
    /// The label, when ready.
    #[serde(default)]
    pub label_url: Option<String>,
    /// Created.
    #[serde(default, deserialize_with = "date_option::deserialize")]
    pub date_created: Option<DateTime<Utc>>,
    /// Estimated delivery.
    #[serde(default, deserialize_with = "eta_option")]
    pub eta: Option<Eta>,
    /// ShaQ's public tracking page (`trackingUrl`; the document shows it on a shipment's
    /// packages).
    #[serde(default)]
    pub tracking_url: Option<String>,
    /// The new delivery day after a failed attempt (`rescheduledDate`).
    #[serde(default, deserialize_with = "day_option")]
    pub rescheduled_date: Option<chrono::NaiveDate>,
    /// History, newest first (get-one only).
    #[serde(default)]
    pub tracking_history: Vec<HistoryStep>,
    /// The handover shipment it went in (`SAAM-…`), when ShaQ says (a peer reads it from the
    /// package record; undocumented).
    #[serde(default)]
    pub shipment_reference: Option<String>,
}

/// A ShaQ region.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Region {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
}

/// `GET /tracking/{trackingNumber}`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Tracking {
    /// Our reference.
    #[serde(default)]
    pub partner_ref: Option<String>,
    /// Tracking number.
    pub tracking_number: String,
    /// Current status.
    pub status: PackageStatus,
    /// History.
    #[serde(default)]
    pub tracking: Vec<HistoryStep>,
}

/// One page of packages.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct PackagePage {
    /// The packages.
    pub list: Vec<Package>,
    /// Where this page is.
    pub meta: PageMeta,
}

/// Pagination.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PageMeta {
    /// All packages.
    pub total: u64,
    /// Per page.
    pub per_page: u64,
    /// This page.
    pub current_page: u64,
    /// Last page.
    pub last_page: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn statuses_round_trip_and_unknown_ones_survive() {
        for status in PackageStatus::all() {
            assert_eq!(status.as_str().parse::<PackageStatus>(), Ok(status.clone()));
        }
        assert_eq!(PackageStatus::all().count(), 20);
        let odd: PackageStatus = serde_json::from_value(json!("processing")).expect("never fails");
        assert_eq!(odd, PackageStatus::Unknown("processing".to_owned()));
        assert_eq!(odd.as_str(), "processing");
    }

    #[test]
    fn packages_parse_with_both_value_and_date_forms() {
        let package: Package = serde_json::from_value(json!({
            "partnerRef": "FGVHKJ567", "trackingNumber": "20250410X51DIQ", "status": "pending",
            "value": "300.00", "amountToCollect": 300, "dateCreated": "2025-04-10 11:15",
            "eta": "2026-04-20 - 2026-04-22",
            "trackingHistory": [{"name": "pending", "description": "…", "date": "2025-11-26T14:25:07.000+00:00", "comment": null}]
        }))
        .expect("parses");
        assert_eq!(package.value, Some(Decimal::new(30000, 2)));
        assert_eq!(package.amount_to_collect, Some(Decimal::new(300, 0)));
        assert_eq!(
            package.date_created.map(|d| d.to_rfc3339()).as_deref(),
            Some("2025-04-10T11:15:00+00:00")
        );
        assert_eq!(
            package.eta.map(|e| e.to.to_string()).as_deref(),
            Some("2026-04-22")
        );
        assert_eq!(package.tracking_history[0].status, PackageStatus::Pending);
    }

    #[test]
    fn prepaid_packages_send_zero_to_collect() {
        let basics = PackageBasics {
            partner_ref: "kente-1".to_owned(),
            customer_name: "Ama".to_owned(),
            customer_phone: "+233244123456".to_owned(),
            source: ("GH".to_owned(), "Osu".to_owned()),
            destination_country_iso2: "GH".to_owned(),
            destination: Destination::RegionId(16),
            city_and_street: ("Accra".to_owned(), "12 Oxford St".to_owned()),
            description: "Order #1".to_owned(),
            value: Decimal::new(45000, 2),
        };
        let items = vec![Item {
            name: "Scarf".to_owned(),
            quantity: 2,
        }];
        let prepaid = NewPackage::new(basics.clone(), Collection::Prepaid, items.clone());
        let body = serde_json::to_value(&prepaid).expect("serializes");
        assert_eq!(body["amount_to_collect"], "0");
        assert_eq!(body["value"], "450.00");
        assert_eq!(body["region_id"], 16);
        assert!(body.get("destination_region").is_none());
        let cod = NewPackage::new(
            basics,
            Collection::CashOnDelivery(Decimal::new(45000, 2)),
            items,
        );
        assert_eq!(
            serde_json::to_value(&cod).expect("serializes")["amount_to_collect"],
            "450.00"
        );
    }

    #[test]
    fn update_sends_only_the_fields_set() {
        let update = PackageUpdate {
            destination_city: Some("Kumasi".to_owned()),
            ..PackageUpdate::default()
        };
        assert_eq!(
            serde_json::to_value(&update).expect("serializes"),
            json!({"destination_city": "Kumasi"})
        );
    }
}
