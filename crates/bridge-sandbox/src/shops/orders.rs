//! Realistic generated orders, in each platform's webhook shape.

use chrono::Utc;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

/// What kind of order to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderSpec {
    /// The platform's order id.
    pub id: u64,
    /// Cash on delivery (else prepaid).
    pub cod: bool,
    /// `GH` or `MA`.
    pub country: &'static str,
    /// The phone as the customer typed it (`None`: no phone).
    pub phone: Option<String>,
    /// The region as the shop has it.
    pub region: Option<String>,
}

const GH_NAMES: [&str; 6] = [
    "Ama Mensah",
    "Kofi Boateng",
    "Akosua Owusu",
    "Kwame Asante",
    "Efua Quartey",
    "Yaw Darko",
];
const MA_NAMES: [&str; 6] = [
    "Youssef El Amrani",
    "Salma Bennani",
    "فاطمة الزهراء",
    "محمد العلوي",
    "Hamza Tazi",
    "Imane Chraibi",
];
const GH_CITIES: [(&str, &str); 4] = [
    ("Accra", "Greater Accra"),
    ("Kumasi", "Ashanti"),
    ("Tamale", "Northern"),
    ("Cape Coast", "Central"),
];
const PRODUCTS: [(&str, &str, &str); 5] = [
    ("Kente scarf", "KS-1", "200.00"),
    ("Shea butter 250g", "SB-250", "45.00"),
    ("Black soap", "BS-1", "25.50"),
    ("Adinkra print shirt", "AP-M", "180.00"),
    ("Caftan", "CF-1", "349.00"),
];

impl OrderSpec {
    /// A random but reproducible order for `seed`: a Ghanaian or Moroccan customer, a local
    /// phone format, COD or prepaid.
    pub fn generated(id: u64, seed: u64) -> OrderSpec {
        let mut rng = StdRng::seed_from_u64(seed ^ id);
        let ghana = rng.random_bool(0.7);
        let phone = if ghana {
            let formats = [
                "024 {a} {b}",
                "+233 24 {a} {b}",
                "0244{a}{b}",
                "(024) {a}-{b}",
            ];
            let a = rng.random_range(100..999);
            let b = rng.random_range(1000..9999);
            Some(
                formats[rng.random_range(0..formats.len())]
                    .replace("{a}", &a.to_string())
                    .replace("{b}", &b.to_string()),
            )
        } else {
            Some(format!(
                "06 {} {} {} {}",
                rng.random_range(10..99),
                rng.random_range(10..99),
                rng.random_range(10..99),
                rng.random_range(10..99)
            ))
        };
        OrderSpec {
            id,
            cod: rng.random_bool(0.8),
            country: if ghana { "GH" } else { "MA" },
            phone,
            region: ghana.then(|| GH_CITIES[rng.random_range(0..GH_CITIES.len())].1.to_owned()),
        }
    }

    fn name(&self) -> &'static str {
        let names = if self.country == "GH" {
            &GH_NAMES
        } else {
            &MA_NAMES
        };
        names[(self.id % names.len() as u64) as usize]
    }

    fn city(&self) -> &'static str {
        match self.country {
            "GH" => GH_CITIES
                .iter()
                .find(|(_, region)| Some(*region) == self.region.as_deref())
                .map_or("Accra", |(city, _)| city),
            _ => "Casablanca",
        }
    }

    fn lines(&self) -> Vec<(&'static str, &'static str, &'static str, u32)> {
        let first = PRODUCTS[(self.id % 5) as usize];
        let second = PRODUCTS[((self.id + 2) % 5) as usize];
        vec![
            (first.0, first.1, first.2, 1 + (self.id % 2) as u32),
            (second.0, second.1, second.2, 1),
        ]
    }

    fn total(&self) -> rust_decimal::Decimal {
        self.lines()
            .iter()
            .map(|(_, _, price, qty)| {
                price.parse::<rust_decimal::Decimal>().unwrap_or_default()
                    * rust_decimal::Decimal::from(*qty)
            })
            .sum()
    }
}

/// A Shopify order payload (REST Order resource) for the spec.
pub fn shopify_order(spec: &OrderSpec) -> Value {
    let total = format!("{:.2}", spec.total());
    let (first, last) = spec.name().split_once(' ').unwrap_or((spec.name(), ""));
    json!({
        "id": spec.id, "admin_graphql_api_id": format!("gid://shopify/Order/{}", spec.id),
        "name": format!("#{}", 1000 + spec.id % 9000), "order_number": 1000 + spec.id % 9000,
        "email": format!("customer{}@example.com", spec.id), "phone": null,
        "created_at": Utc::now().to_rfc3339(), "updated_at": Utc::now().to_rfc3339(), "cancelled_at": null,
        "currency": if spec.country == "GH" { "GHS" } else { "MAD" },
        "presentment_currency": if spec.country == "GH" { "GHS" } else { "MAD" },
        "financial_status": if spec.cod { "pending" } else { "paid" },
        "payment_gateway_names": if spec.cod { json!(["Cash on Delivery (COD)"]) } else { json!(["shopify_payments"]) },
        "total_price": total, "total_outstanding": if spec.cod { total.clone() } else { "0.00".to_owned() },
        "customer_locale": if spec.country == "GH" { "en" } else { "fr-MA" },
        "shipping_address": {
            "first_name": first, "last_name": last, "name": spec.name(), "phone": spec.phone,
            "address1": if spec.country == "GH" { "12 Oxford Street" } else { "Bd Zerktouni 10" },
            "address2": if spec.country == "GH" { "GA-123-4567" } else { "" },
            "city": spec.city(), "province": spec.region, "zip": null, "country": spec.country, "country_code": spec.country,
        },
        "line_items": spec.lines().iter().enumerate().map(|(i, (title, sku, price, qty))| json!({
            "id": spec.id * 10 + i as u64, "title": title, "variant_title": null, "sku": sku,
            "quantity": qty, "price": price, "grams": 300, "requires_shipping": true,
        })).collect::<Vec<_>>(),
        "note": "Call before delivery", "tags": "",
    })
}

/// A WooCommerce REST v3 order payload for the spec.
pub fn woocommerce_order(spec: &OrderSpec) -> Value {
    let (first, last) = spec.name().split_once(' ').unwrap_or((spec.name(), ""));
    json!({
        "id": spec.id, "number": spec.id.to_string(), "status": "processing",
        "currency": if spec.country == "GH" { "GHS" } else { "MAD" }, "total": format!("{:.2}", spec.total()),
        "payment_method": if spec.cod { "cod" } else { "stripe" }, "payment_method_title": "Paiement à la livraison",
        "date_paid": if spec.cod { Value::Null } else { json!(Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string()) },
        "date_modified_gmt": Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string(),
        "billing": { "first_name": first, "last_name": last, "phone": spec.phone, "email": format!("c{}@example.ma", spec.id),
            "address_1": "Bd Zerktouni 10", "city": spec.city(), "state": spec.region, "postcode": "", "country": spec.country },
        "shipping": { "first_name": "", "last_name": "", "phone": "", "address_1": "", "city": "", "state": "", "country": "" },
        "line_items": spec.lines().iter().map(|(name, sku, price, qty)| json!({
            "name": name, "sku": sku, "quantity": qty, "price": price.parse::<f64>().unwrap_or(0.0), "total": price,
        })).collect::<Vec<_>>(),
        "customer_note": "",
    })
}

/// A YouCan `order.create` payload for the spec.
pub fn youcan_order(spec: &OrderSpec) -> Value {
    let (first, last) = spec.name().split_once(' ').unwrap_or((spec.name(), ""));
    json!({
        "id": format!("{:08x}-yc", spec.id), "ref": format!("{:03}", spec.id % 1000),
        "total": spec.total(), "currency": if spec.country == "GH" { "GHS" } else { "MAD" },
        "status": 1, "payment_status": if spec.cod { -1 } else { 1 },
        "created_at": Utc::now().format("%Y-%m-%d %H:%M:%S").to_string(),
        "customer": { "id": format!("c{}", spec.id), "first_name": first, "last_name": last,
                      "email": null, "phone": spec.phone, "country_code": spec.country, "city": spec.city() },
        "variants": spec.lines().iter().map(|(name, sku, price, qty)| json!({
            "id": sku, "price": price, "quantity": qty, "variant": { "sku": sku, "product": { "name": name, "slug": sku } }
        })).collect::<Vec<_>>(),
        "payment": { "status": if spec.cod { -1 } else { 1 }, "status_text": if spec.cod { "unpaid" } else { "paid" },
                     "payload": { "gateway": if spec.cod { "cod" } else { "card" } } },
        "shipping": { "address": { "first_name": first, "last_name": last, "phone": spec.phone,
            "first_line": "Bd Zerktouni 10", "city": spec.city(), "region": spec.region, "country_code": spec.country } },
    })
}

/// An order in the bridge's generic JSON shape for the spec.
pub fn generic_order(spec: &OrderSpec) -> Value {
    json!({
        "id": spec.id.to_string(), "ref": format!("G-{}", spec.id),
        "updated_at": Utc::now().to_rfc3339(), "payment": if spec.cod { "cod" } else { "prepaid" },
        "total": format!("{:.2}", spec.total()), "currency": if spec.country == "GH" { "GHS" } else { "MAD" },
        "customer": { "name": spec.name(), "phone": spec.phone, "locale": if spec.country == "GH" { "en" } else { "ar" } },
        "address": { "line1": "5 Ring Road", "city": spec.city(), "region": spec.region, "country": spec.country },
        "items": spec.lines().iter().map(|(name, sku, price, qty)| json!({
            "name": name, "sku": sku, "quantity": qty, "unit_price": price
        })).collect::<Vec<_>>(),
        "note": "Leave at the gate",
    })
}
