//! Which region of Ghana an address is in, read the way a Ghanaian courier reads one.
//!
//! Shops rarely give the region as ShaQ names it: Shopify's Ghana checkout has no region field,
//! WooCommerce sends codes (`AA`), plugins their own (`GRA`), customers write the suburb
//! (`East Legon`) or a GhanaPost GPS digital address (`GA-183-8164`). [`locate`] tries, in order:
//!
//! 1. the region field, when it names one of Ghana's 16 regions (case, accents, spacing and a
//!    trailing "Region" ignored);
//! 2. the region field as a code (ISO 3166-2 / WooCommerce's `AA`, `GH-AA`) or an alias from
//!    the settings (`[shaq.region_aliases]`, e.g. `GRA = "Greater Accra"`);
//! 3. a GhanaPost GPS digital address anywhere in the address, by its region letter;
//! 4. the built-in list of Ghanaian cities, towns and suburbs (`gh_places.csv`), matched on the
//!    region field, the city and the address lines;
//! 5. the shop's `default_region`, when it sets one.
//!
//! ShaQ's own list (`GET /setup/regions`) stays the authority for ids: [`shaq_destination`]
//! matches the region found against it.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};
use shaq_client::{Destination, Region};

use super::{Address, AddressRead, ReadPart, Unshippable};

/// Ghana's regions since the 2019 reorganisation.
pub const GHANA_REGIONS: [&str; 16] = [
    "Ahafo",
    "Ashanti",
    "Bono",
    "Bono East",
    "Central",
    "Eastern",
    "Greater Accra",
    "North East",
    "Northern",
    "Oti",
    "Savannah",
    "Upper East",
    "Upper West",
    "Volta",
    "Western",
    "Western North",
];

/// The ISO 3166-2:GH codes, which WooCommerce core uses for Ghana's states
/// (woocommerce/woocommerce `plugins/woocommerce/i18n/states.php`; Debian iso-codes 4.15
/// `iso_3166-2.json`). WooCommerce also keeps `BA`, Brong-Ahafo, which is a former region.
const REGION_CODES: [(&str, &str); 16] = [
    ("AF", "Ahafo"),
    ("AH", "Ashanti"),
    ("BO", "Bono"),
    ("BE", "Bono East"),
    ("CP", "Central"),
    ("EP", "Eastern"),
    ("AA", "Greater Accra"),
    ("NE", "North East"),
    ("NP", "Northern"),
    ("OT", "Oti"),
    ("SV", "Savannah"),
    ("UE", "Upper East"),
    ("UW", "Upper West"),
    ("TV", "Volta"),
    ("WP", "Western"),
    ("WN", "Western North"),
];

/// The codes of the GeoNames-based WooCommerce checkout plugins ("States, Cities, and Places";
/// RicherYang/RY-WC-City-Select and DPDromania/woocomerce `states/GH.php`). Their `AH` (Ahafo)
/// is left out: WooCommerce core and ISO read `AH` as Ashanti.
const PLUGIN_CODES: [(&str, &str); 14] = [
    ("GRACRE", "Greater Accra"),
    ("ASRE", "Ashanti"),
    ("CERE", "Central"),
    ("EARE", "Eastern"),
    ("NORE", "Northern"),
    ("NOEA", "North East"),
    ("UPEARE", "Upper East"),
    ("UPWERE", "Upper West"),
    ("VORE", "Volta"),
    ("WERE", "Western"),
    ("WENO", "Western North"),
    ("BOEA", "Bono East"),
    ("SA", "Savannah"),
    ("BAMUDI", "Upper East"),
];

/// Region names (and WooCommerce's code) from before 2019, which shops and customers still
/// write. Each split region is only a hint: its successors are told apart by the city, or by
/// the merchant.
const FORMER_REGIONS: [(&str, &[&str]); 2] = [
    ("Brong Ahafo", &["Bono", "Bono East", "Ahafo"]),
    ("BA", &["Bono", "Bono East", "Ahafo"]),
];

/// The first letter of a GhanaPost GPS digital address names the region it was issued in, the
/// second its district (https://en.wikipedia.org/wiki/Postal_codes_in_Ghana; Shopify/worldwide
/// `db/data/regions/GH.yml` allows the letters A B C E G N U V W X). The letters were given
/// before the 2019 split, so only those that still name one region are read: B (Bono, Bono East,
/// Ahafo), N (Northern, Savannah, North East), V (Volta, Oti) and W (Western, Western North)
/// are not.
const GPS_LETTERS: [(char, &str); 6] = [
    ('G', "Greater Accra"),
    ('A', "Ashanti"),
    ('C', "Central"),
    ('E', "Eastern"),
    ('U', "Upper East"),
    ('X', "Upper West"),
];

/// The built-in gazetteer: normalized place name → region.
static PLACES: LazyLock<HashMap<String, &'static str>> = LazyLock::new(|| {
    include_str!("gh_places.csv")
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .skip(1)
        .filter_map(|line| {
            let (name, region) = line.rsplit_once(',')?;
            let region = GHANA_REGIONS.iter().find(|r| **r == region.trim())?;
            Some((normalize(name), *region))
        })
        .collect()
});

/// The longest place name, in words (bounds the search through address lines).
static LONGEST_PLACE: LazyLock<usize> = LazyLock::new(|| {
    PLACES
        .keys()
        .map(|name| name.split(' ').count())
        .max()
        .unwrap_or(1)
});

/// How a shop's addresses are read, from the settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegionRules {
    /// Region aliases (`GRA` → `Greater Accra`), keyed by their normalized form.
    aliases: BTreeMap<String, String>,
    /// The region of an address that names none (off unless the shop sets it).
    default_region: Option<String>,
}

impl RegionRules {
    /// Rules with these aliases (as written in the settings) and default region.
    pub fn new(aliases: &BTreeMap<String, String>, default_region: Option<String>) -> Self {
        RegionRules {
            aliases: aliases
                .iter()
                .map(|(alias, region)| (normalize(alias), region.clone()))
                .collect(),
            default_region,
        }
    }
}

/// Which part of the address named the place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AddressPart {
    /// The region or province field.
    RegionField,
    /// The city.
    City,
    /// The first address line.
    Line1,
    /// The second address line.
    Line2,
}

impl fmt::Display for AddressPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AddressPart::RegionField => "the region field",
            AddressPart::City => "city",
            AddressPart::Line1 => "address line 1",
            AddressPart::Line2 => "address line 2",
        })
    }
}

/// How the region was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum RegionSource {
    /// The region field names it.
    RegionField,
    /// The region field holds its code.
    Code {
        /// The code.
        code: String,
    },
    /// The region field holds one of the settings' aliases.
    Alias {
        /// The alias.
        alias: String,
    },
    /// A GhanaPost GPS digital address in the address.
    GhanaPostGps {
        /// The digital address.
        address: String,
    },
    /// A place of the built-in list.
    Place {
        /// Where it was written.
        part: AddressPart,
        /// The place as written.
        name: String,
    },
    /// The shop's `default_region`.
    ShopDefault,
    /// A person chose it (console, admin API or CLI).
    Chosen,
}

/// A region found for an address, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Located {
    /// The region (one of [`GHANA_REGIONS`] for Ghana; as written or aliased elsewhere).
    pub region: String,
    /// How it was found.
    pub source: RegionSource,
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let region = &self.region;
        match &self.source {
            RegionSource::RegionField => write!(f, "region {region} from the region field"),
            RegionSource::Code { code } => {
                write!(f, "region {region} from the region code `{code}`")
            }
            RegionSource::Alias { alias } => write!(f, "region {region} from the alias `{alias}`"),
            RegionSource::GhanaPostGps { address } => {
                write!(
                    f,
                    "region {region} from the GhanaPost GPS address `{address}`"
                )
            }
            RegionSource::Place { part, name } => write!(f, "region {region} from {part} `{name}`"),
            RegionSource::ShopDefault => write!(f, "region {region}: the shop's default_region"),
            RegionSource::Chosen => write!(f, "region {region}: chosen by a person"),
        }
    }
}

/// Lowercase ASCII words: accents transliterated (`Tégbi` → `tegbi`), punctuation dropped, a
/// trailing "region" removed.
fn normalize(text: &str) -> String {
    let ascii = deunicode::deunicode(text).to_lowercase();
    let words: Vec<&str> = ascii
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let words = match words.split_last() {
        Some((&"region", rest)) if !rest.is_empty() => rest,
        _ => &words[..],
    };
    words.join(" ")
}

/// The region of Ghana this name is, if it is one.
fn ghana_region(name: &str) -> Option<&'static str> {
    let wanted = normalize(name);
    GHANA_REGIONS
        .iter()
        .find(|region| normalize(region) == wanted)
        .copied()
}

fn region_code(raw: &str) -> Option<&'static str> {
    let code = raw.trim().to_ascii_uppercase();
    let code = code.strip_prefix("GH-").unwrap_or(&code);
    REGION_CODES
        .iter()
        .chain(PLUGIN_CODES.iter())
        .find(|(known, _)| *known == code)
        .map(|(_, region)| *region)
}

/// A GhanaPost GPS digital address (`GA-183-8164`, `AK4851234`, `ga 183 8164`, `A2-1234-5678`)
/// in the text: a letter, a letter or digit, then a 3 to 5 digit area and a 4 digit number.
fn ghana_post_gps(text: &str) -> Option<(String, &'static str)> {
    let upper = text.to_ascii_uppercase();
    let chars: Vec<char> = upper.chars().collect();
    (0..chars.len()).find_map(|start| {
        let starts_word = start == 0 || !chars[start - 1].is_ascii_alphanumeric();
        if !starts_word || !chars[start].is_ascii_alphabetic() {
            return None;
        }
        let prefix: String = chars.get(start..start + 2)?.iter().collect();
        if !prefix.chars().all(|c| c.is_ascii_alphanumeric()) {
            return None;
        }
        let mut digits = String::new();
        let mut end = start + 2;
        while end < chars.len() && digits.len() < 9 {
            match chars[end] {
                c if c.is_ascii_digit() => digits.push(c),
                '-' | ' ' => {}
                _ => break,
            }
            end += 1;
        }
        let ends_word = chars.get(end).is_none_or(|c| !c.is_ascii_alphanumeric());
        if !(7..=9).contains(&digits.len()) || !ends_word {
            return None;
        }
        let letter = prefix.chars().next()?;
        let region = GPS_LETTERS
            .iter()
            .find(|(known, _)| *known == letter)
            .map(|(_, region)| *region)?;
        let (a, b) = digits.split_at(digits.len() - 4);
        Some((format!("{prefix}-{a}-{b}"), region))
    })
}

/// The first known place in `text`: the whole text, else its longest run of words that names
/// one (`12 Lagos Avenue, East Legon` → `East Legon`).
fn place_in(text: &str) -> Option<(String, &'static str)> {
    let normalized = normalize(text);
    if let Some(region) = PLACES.get(&normalized) {
        return Some((text.trim().to_owned(), region));
    }
    let words: Vec<&str> = normalized.split(' ').filter(|w| !w.is_empty()).collect();
    for size in (1..=(*LONGEST_PLACE).min(words.len())).rev() {
        for window in words.windows(size) {
            let candidate = window.join(" ");
            // A lone number or a two-letter word is a house number or a code, not a place.
            if candidate.len() < 3 || candidate.chars().all(|c| c.is_ascii_digit()) {
                continue;
            }
            if let Some(region) = PLACES.get(&candidate) {
                return Some((candidate, region));
            }
        }
    }
    None
}

/// The region of an address, or why none could be found (saying what was tried, so the
/// merchant knows what to add).
pub fn locate(address: &Address, rules: &RegionRules) -> Result<Located, Unshippable> {
    let located = |region: &str, source: RegionSource| Located {
        region: region.to_owned(),
        source,
    };
    let in_ghana = address
        .country_iso2
        .as_ref()
        .is_none_or(|c| c.as_str() == "GH");
    let field = address
        .region
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    if let Some(field) = field {
        if let Some(region) = ghana_region(field).filter(|_| in_ghana) {
            return Ok(located(region, RegionSource::RegionField));
        }
        if let Some(region) = region_code(field).filter(|_| in_ghana) {
            return Ok(located(
                region,
                RegionSource::Code {
                    code: field.to_owned(),
                },
            ));
        }
        if let Some(region) = rules.aliases.get(&normalize(field)) {
            return Ok(located(
                region,
                RegionSource::Alias {
                    alias: field.to_owned(),
                },
            ));
        }
        if !in_ghana {
            return Ok(located(field, RegionSource::RegionField));
        }
    }
    if in_ghana {
        // Shopify's Ghana form puts the digital address in the postal code field.
        let parts = [
            (
                AddressPart::Line1,
                address.postal_code.as_deref().unwrap_or(""),
            ),
            (AddressPart::Line1, address.line1.as_str()),
            (AddressPart::Line2, address.line2.as_deref().unwrap_or("")),
            (AddressPart::City, address.city.as_str()),
        ];
        if let Some((code, region)) = parts.iter().find_map(|(_, text)| ghana_post_gps(text)) {
            return Ok(located(
                region,
                RegionSource::GhanaPostGps { address: code },
            ));
        }
        // A former region's name (`Brong Ahafo`) would be read as its namesake successor.
        let field_as_place = field.filter(|f| former_successors(f).is_none());
        let searched = [
            (AddressPart::RegionField, field_as_place.unwrap_or("")),
            (AddressPart::City, address.city.as_str()),
            (AddressPart::Line2, address.line2.as_deref().unwrap_or("")),
            (AddressPart::Line1, address.line1.as_str()),
        ];
        if let Some((part, (name, region))) = searched
            .iter()
            .find_map(|(part, text)| place_in(text).map(|found| (*part, found)))
        {
            return Ok(located(region, RegionSource::Place { part, name }));
        }
    }
    if let Some(region) = &rules.default_region {
        return Ok(located(region, RegionSource::ShopDefault));
    }
    Err(no_region(address, field))
}

/// The reason an address has no region, naming what was read.
fn no_region(address: &Address, field: Option<&str>) -> Unshippable {
    let city = address.city.trim();
    let mut read = Vec::new();
    match field {
        Some(field) => match former_successors(field) {
            Some(successors) => read.push(ReadPart::SplitRegion {
                field: field.to_owned(),
                successors: successors.iter().map(|s| (*s).to_owned()).collect(),
            }),
            None => read.push(ReadPart::NotARegion {
                field: field.to_owned(),
            }),
        },
        None => read.push(ReadPart::NoRegionField),
    }
    if city.is_empty() {
        read.push(ReadPart::NoCity);
    } else {
        read.push(ReadPart::UnknownCity {
            city: city.to_owned(),
        });
    }
    read.push(ReadPart::NoPlaceInLines);
    let read = AddressRead::Parts(read);
    match field {
        Some(field) if former_successors(field).is_none() => Unshippable::UnknownRegion {
            region: field.to_owned(),
            read,
        },
        _ => Unshippable::NoRegion { read },
    }
}

/// The regions a pre-2019 region was split into, if `name` is one.
fn former_successors(name: &str) -> Option<&'static [&'static str]> {
    FORMER_REGIONS
        .iter()
        .find(|(former, _)| normalize(former) == normalize(name))
        .map(|(_, successors)| *successors)
}

/// The region ShaQ knows for a region found by [`locate`]: matched loosely against ShaQ's list,
/// then through the region it was part of before 2019 (should ShaQ's list still use the old
/// names). With no list (ShaQ gave none), the name is sent as it is.
pub fn shaq_destination(region: &str, shaq_regions: &[Region]) -> Result<Destination, Unshippable> {
    if shaq_regions.is_empty() {
        return Ok(Destination::RegionName(region.to_owned()));
    }
    let find = |name: &str| {
        shaq_regions
            .iter()
            .find(|r| normalize(&r.name) == normalize(name))
            .map(|r| Destination::RegionId(r.id))
    };
    find(region)
        .or_else(|| former_region(region).and_then(find))
        .ok_or_else(|| Unshippable::RegionNotServed {
            region: region.to_owned(),
        })
}

/// The pre-2019 region a region was carved out of.
fn former_region(region: &str) -> Option<&'static str> {
    match region {
        "Bono" | "Bono East" | "Ahafo" => Some("Brong Ahafo"),
        "Savannah" | "North East" => Some("Northern"),
        "Oti" => Some("Volta"),
        "Western North" => Some("Western"),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
