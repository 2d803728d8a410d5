//! Realistic Ghanaian addresses, as Shopify, WooCommerce, YouCan and custom shops send them,
//! and the region a courier would read from each.

use std::collections::BTreeMap;

use super::*;
use crate::domain::CountryCode;

struct Case {
    /// What the shop sent: first line, second line, city, region field.
    line1: &'static str,
    line2: Option<&'static str>,
    city: &'static str,
    region: Option<&'static str>,
    /// The region expected, or `None` when a person must be asked.
    expected: Option<&'static str>,
}

const fn case(
    line1: &'static str,
    line2: Option<&'static str>,
    city: &'static str,
    region: Option<&'static str>,
    expected: Option<&'static str>,
) -> Case {
    Case {
        line1,
        line2,
        city,
        region,
        expected,
    }
}

const GA: Option<&str> = Some("Greater Accra");
const ASH: Option<&str> = Some("Ashanti");

/// At least sixty addresses, most of them without a usable region field.
const CASES: &[Case] = &[
    // Shopify: Ghana's checkout has no province, so the region is null.
    case("12 Lagos Avenue", None, "East Legon", None, GA),
    case("Hse 5, Boundary Rd", None, "Accra", None, GA),
    case("Near Shell filling station", None, "Madina", None, GA),
    case("Adenta Housing Down", None, "Adenta", None, GA),
    case("14 Oxford Street", Some("Osu"), "Accra", None, GA),
    case("Spintex Road, Baatsona", None, "Accra", None, GA),
    case("Community 25", None, "Tema", None, GA),
    case("Zongo junction", None, "Ashaiman", None, GA),
    case("Teshie Nungua Estates", None, "Teshie", None, GA),
    case("Dansoman Last Stop", None, "Dansoman", None, GA),
    case("Achimota Mall area", None, "Achimota", None, GA),
    case("Haatso Atomic Road", None, "Haatso", None, GA),
    case("Dome Pillar 2", None, "Dome", None, GA),
    case("Kwabenya", None, "Accra", None, GA),
    case("Lapaz", None, "Accra", None, GA),
    case("Cantonments, 3rd Circular Rd", None, "Accra", None, GA),
    case("Weija SCC", None, "Weija", None, GA),
    case("Amasaman", None, "Amasaman", None, GA),
    case("Adum, near Kejetia", None, "Kumasi", None, ASH),
    case("Santasi roundabout", None, "Kumasi", None, ASH),
    case("Suame Magazine", None, "Suame", None, ASH),
    case("Ahodwo", None, "Kumasi", None, ASH),
    case("Bantama", None, "Bantama", None, ASH),
    case("Ejisu main road", None, "Ejisu", None, ASH),
    case("Obuasi", None, "Obuasi", None, ASH),
    case("Market Circle", None, "Takoradi", None, Some("Western")),
    case("Sekondi", None, "Sekondi-Takoradi", None, Some("Western")),
    case("Tarkwa mines road", None, "Tarkwa", None, Some("Western")),
    case("Kotokuraba", None, "Cape Coast", None, Some("Central")),
    case("Kasoa new market", None, "Kasoa", None, Some("Central")),
    case("Winneba", None, "Winneba", None, Some("Central")),
    case(
        "Tamale Central Mosque",
        None,
        "Tamale",
        None,
        Some("Northern"),
    ),
    case("Yendi", None, "Yendi", None, Some("Northern")),
    case("Ho Central", None, "Ho", None, Some("Volta")),
    case("Hohoe", None, "Hohoe", None, Some("Volta")),
    case(
        "Koforidua Jackson Park",
        None,
        "Koforidua",
        None,
        Some("Eastern"),
    ),
    case("Nkawkaw", None, "Nkawkaw", None, Some("Eastern")),
    case("Sunyani", None, "Sunyani", None, Some("Bono")),
    case("Techiman market", None, "Techiman", None, Some("Bono East")),
    case("Goaso", None, "Goaso", None, Some("Ahafo")),
    case("Bolgatanga", None, "Bolgatanga", None, Some("Upper East")),
    case("Wa", None, "Wa", None, Some("Upper West")),
    case("Damongo", None, "Damongo", None, Some("Savannah")),
    case("Nalerigu", None, "Nalerigu", None, Some("North East")),
    case("Dambai", None, "Dambai", None, Some("Oti")),
    case(
        "Sefwi Wiawso",
        None,
        "Sefwi Wiawso",
        None,
        Some("Western North"),
    ),
    // Misspellings and spacing as customers type them.
    case("", None, "Kumasi ", None, ASH),
    case("", None, "ACCRA", None, GA),
    case("", None, "east legon", None, GA),
    case("", None, "Tema ", None, GA),
    // The region field, written loosely.
    case(
        "12 High Street",
        None,
        "Somewhere",
        Some("Greater Accra Region"),
        GA,
    ),
    case(
        "12 High Street",
        None,
        "Somewhere",
        Some("greater accra"),
        GA,
    ),
    case("PO Box 5", None, "Mampong", Some("ASHANTI"), ASH),
    case(
        "Main road",
        None,
        "Anloga",
        Some("Volta Region"),
        Some("Volta"),
    ),
    // WooCommerce core's state codes, ISO codes, and a plugin code from the alias table.
    case("House 4", None, "Accra", Some("AA"), GA),
    case("House 4", None, "Kumasi", Some("AH"), ASH),
    case("House 4", None, "Ho", Some("TV"), Some("Volta")),
    case("House 4", None, "Sunyani", Some("GH-BO"), Some("Bono")),
    case("House 4", None, "Accra", Some("GRA"), GA),
    // The region field names a city: a courier reads it as a place.
    case("House 4", None, "", Some("Accra"), GA),
    case("House 4", None, "", Some("Kumasi"), ASH),
    // A GhanaPost GPS digital address in the address lines, with no city known.
    case("GA-183-8164", None, "Abc", None, GA),
    case("Digital address: AK-485-9323", None, "", None, ASH),
    case(
        "House 3",
        Some("GPS CC-012-3456"),
        "",
        None,
        Some("Central"),
    ),
    case("gt0123456", None, "", None, GA),
    case("House 9", None, "", Some("GRACRE"), GA),
    case("House 9", None, "", Some("UPWERE"), Some("Upper West")),
    case("House 9", None, "Techiman", Some("BA"), Some("Bono East")),
    case("Plot 7, X2-0123-4567", None, "", None, Some("Upper West")),
    // A former region, told apart by the city.
    case(
        "House 4",
        None,
        "Techiman",
        Some("Brong Ahafo"),
        Some("Bono East"),
    ),
    // Nothing names a place in Ghana: a person must ask.
    case("House 4", None, "", None, None),
    case("Behind the big tree", None, "Xyzzy", None, None),
    case("House 4", None, "Xyzzy", Some("Brong Ahafo"), None),
    case("House 4", None, "Xyzzy", Some("BA"), None),
    // A V or W digital address may be in either of two regions since 2019: not read.
    case("VH-123-4567", None, "Xyzzy", None, None),
    case("House 4", None, "", Some("Atlantis"), None),
];

fn address(case: &Case) -> Address {
    Address {
        line1: case.line1.to_owned(),
        line2: case.line2.map(str::to_owned),
        city: case.city.to_owned(),
        region: case.region.map(str::to_owned),
        postal_code: None,
        country_iso2: CountryCode::parse("GH"),
        coordinates: None,
    }
}

fn rules() -> RegionRules {
    RegionRules::new(
        &BTreeMap::from([("GRA".to_owned(), "Greater Accra".to_owned())]),
        None,
    )
}

#[test]
fn realistic_ghanaian_addresses_find_their_region() {
    assert!(CASES.len() >= 60, "{} cases", CASES.len());
    let rules = rules();
    let mut wrong = Vec::new();
    for case in CASES {
        let found = locate(&address(case), &rules).ok().map(|l| l.region);
        if found.as_deref() != case.expected {
            wrong.push(format!(
                "{:?} / {:?} / {:?} / {:?}: expected {:?}, found {found:?}",
                case.line1, case.line2, case.city, case.region, case.expected
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_timeline_says_where_the_region_came_from() {
    let rules = rules();
    let said = |line1: &str, city: &str, region: Option<&str>| {
        let case = Case {
            line1: "",
            line2: None,
            city: "",
            region: None,
            expected: None,
        };
        let mut address = address(&case);
        address.line1 = line1.to_owned();
        address.city = city.to_owned();
        address.region = region.map(str::to_owned);
        locate(&address, &rules).map(|l| l.to_string())
    };
    assert_eq!(
        said("12 Lagos Avenue", "East Legon", None).as_deref(),
        Ok("region Greater Accra from city `East Legon`")
    );
    assert_eq!(
        said("House 4", "Accra", Some("AA")).as_deref(),
        Ok("region Greater Accra from the region code `AA`")
    );
    assert_eq!(
        said("House 4", "Accra", Some("GRA")).as_deref(),
        Ok("region Greater Accra from the alias `GRA`")
    );
    assert_eq!(
        said("ga 183 8164", "", None).as_deref(),
        Ok("region Greater Accra from the GhanaPost GPS address `GA-183-8164`")
    );
    assert_eq!(
        said("Greater Accra", "", Some("Greater Accra Region")).as_deref(),
        Ok("region Greater Accra from the region field")
    );
}

#[test]
fn shopifys_postal_code_field_carries_the_digital_address() {
    let located = locate(
        &Address {
            line1: "House 4".to_owned(),
            postal_code: Some("GA-120-9182".to_owned()),
            country_iso2: CountryCode::parse("GH"),
            ..Address::default()
        },
        &rules(),
    )
    .expect("from the postal code");
    assert_eq!(located.region, "Greater Accra");
}

#[test]
fn a_reason_tells_the_merchant_what_to_add() {
    let rules = rules();
    let unknown = locate(
        &Address {
            city: "Xyzzy".to_owned(),
            country_iso2: CountryCode::parse("GH"),
            ..Address::default()
        },
        &rules,
    )
    .expect_err("no place");
    let text = unknown.to_string();
    assert!(text.contains("the region field is empty"), "{text}");
    assert!(text.contains("the city `Xyzzy` is not a place"), "{text}");
    assert!(text.contains("add the region"), "{text}");
    let split = locate(
        &Address {
            region: Some("Brong-Ahafo".to_owned()),
            country_iso2: CountryCode::parse("GH"),
            ..Address::default()
        },
        &rules,
    )
    .expect_err("split region");
    assert!(
        split
            .to_string()
            .contains("split in 2019 into Bono, Bono East, Ahafo"),
        "{split}"
    );
}

#[test]
fn a_shop_default_region_is_the_last_resort() {
    let rules = RegionRules::new(&BTreeMap::new(), Some("Greater Accra".to_owned()));
    let located = locate(
        &Address {
            line1: "Behind the big tree".to_owned(),
            country_iso2: CountryCode::parse("GH"),
            ..Address::default()
        },
        &rules,
    )
    .expect("the default");
    assert_eq!(located.source, RegionSource::ShopDefault);
    let kumasi = locate(
        &Address {
            city: "Kumasi".to_owned(),
            country_iso2: CountryCode::parse("GH"),
            ..Address::default()
        },
        &rules,
    )
    .expect("a place");
    assert_eq!(
        kumasi.region, "Ashanti",
        "the address wins over the default"
    );
}

#[test]
fn shaq_ids_come_from_shaqs_list_with_former_names_as_a_fallback() {
    let list = vec![
        Region {
            id: 1,
            name: "Greater Accra Region".to_owned(),
        },
        Region {
            id: 7,
            name: "Brong Ahafo".to_owned(),
        },
    ];
    assert_eq!(
        shaq_destination("Greater Accra", &list),
        Ok(Destination::RegionId(1))
    );
    assert_eq!(
        shaq_destination("Bono East", &list),
        Ok(Destination::RegionId(7))
    );
    assert_eq!(
        shaq_destination("Volta", &list),
        Err(Unshippable::RegionNotServed {
            region: "Volta".to_owned()
        })
    );
    assert_eq!(
        shaq_destination("Volta", &[]),
        Ok(Destination::RegionName("Volta".to_owned()))
    );
}

#[test]
fn outside_ghana_the_region_field_is_taken_as_written() {
    let located = locate(
        &Address {
            city: "Lome".to_owned(),
            region: Some("Maritime".to_owned()),
            country_iso2: CountryCode::parse("TG"),
            ..Address::default()
        },
        &rules(),
    )
    .expect("as written");
    assert_eq!(located.region, "Maritime");
}
