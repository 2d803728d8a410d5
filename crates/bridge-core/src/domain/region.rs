//! Which ShaQ region an address is in.

use shaq_client::{Destination, Region};

use super::{Address, Unshippable};

/// Compares region names loosely: case, spacing, punctuation and a trailing "region" ignored.
fn same_region(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.to_lowercase()
            .replace("region", "")
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect::<String>()
    };
    let (a, b) = (norm(a), norm(b));
    !a.is_empty() && a == b
}

/// The ShaQ region of an address: its region field when it names one of ShaQ's regions, else
/// its city when the city is a region's name (small shops write `Accra` or `Kumasi` there). An
/// address whose region ShaQ does not know cannot be shipped: a person fixes it rather than
/// the bridge sending a doomed request. With no region list (ShaQ gave none), the name is sent
/// as written.
pub fn resolve_region(address: &Address, regions: &[Region]) -> Result<Destination, Unshippable> {
    let named = address.region.clone().or_else(|| {
        regions
            .iter()
            .find(|r| same_region(&r.name, &address.city))
            .map(|r| r.name.clone())
    });
    if regions.is_empty() {
        return Ok(Destination::RegionName(
            named.unwrap_or_else(|| address.city.clone()),
        ));
    }
    let Some(name) = named else {
        return Err(Unshippable::NoRegion);
    };
    regions
        .iter()
        .find(|r| same_region(&r.name, &name))
        .map(|r| Destination::RegionId(r.id))
        .ok_or(Unshippable::UnknownRegion { region: name })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regions() -> Vec<Region> {
        [(1, "Greater Accra"), (2, "Ashanti")]
            .into_iter()
            .map(|(id, name)| Region {
                id,
                name: name.to_owned(),
            })
            .collect()
    }

    fn address(city: &str, region: Option<&str>) -> Address {
        Address {
            city: city.to_owned(),
            region: region.map(str::to_owned),
            ..Address::default()
        }
    }

    #[test]
    fn the_region_field_then_the_city_name_a_region() {
        let regions = regions();
        assert_eq!(
            resolve_region(&address("Osu", Some("greater accra REGION")), &regions),
            Ok(Destination::RegionId(1))
        );
        assert_eq!(
            resolve_region(&address("Ashanti", None), &regions),
            Ok(Destination::RegionId(2))
        );
        assert_eq!(
            resolve_region(&address("Kumasi", None), &regions),
            Err(Unshippable::NoRegion)
        );
        assert_eq!(
            resolve_region(&address("Accra", Some("AA")), &regions),
            Err(Unshippable::UnknownRegion {
                region: "AA".to_owned()
            })
        );
        assert_eq!(
            resolve_region(&address("Accra", None), &[]),
            Ok(Destination::RegionName("Accra".to_owned()))
        );
    }
}
