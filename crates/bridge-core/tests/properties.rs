//! Property tests: arbitrary input never panics a parser; normalizations round-trip.

#![allow(clippy::unwrap_used)]

use bridge_core::domain::{PhoneE164, parse_amount};
use bridge_core::shop::{
    self, GenericSignature, Platform, ShopSettings, SignatureEncoding, WriteBackSettings,
};
use bridge_core::workflow::Flow;
use http::HeaderMap;
use proptest::prelude::*;
use rust_decimal::Decimal;

fn shop(platform: Platform) -> ShopSettings {
    ShopSettings {
        id: bridge_core::domain::ShopId::new("kente"),
        platform,
        flow: Flow::ShipImmediately,
        webhook_secrets: vec!["secret".to_owned().into()],
        default_country: Some("GH".to_owned()),
        prepaid_skips_confirmation: true,
        cod_gateways: Vec::new(),
        generic: GenericSignature::default(),
        write_back: WriteBackSettings::default(),
        default_region: None,
        language: Default::default(),
        default_language: None,
        time_zone: "Africa/Accra".to_owned(),
        shaq: Default::default(),
        digishare: Default::default(),
        backfill: Default::default(),
        confirmation: Default::default(),
        handover: Default::default(),
        returns: Default::default(),
        invoice: Default::default(),
    }
}

fn headers_for(platform: Platform) -> HeaderMap {
    let mut headers = HeaderMap::new();
    match platform {
        Platform::Shopify => {
            headers.insert("x-shopify-topic", "orders/create".parse().unwrap());
        }
        Platform::Woocommerce => {
            headers.insert("x-wc-webhook-topic", "order.created".parse().unwrap());
        }
        _ => {}
    }
    headers
}

/// JSON-ish bodies: real keys with random values, so parsers get past the first check.
fn jsonish() -> impl Strategy<Value = Vec<u8>> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(|n| serde_json::json!(n)),
        ".{0,12}".prop_map(serde_json::Value::String),
    ];
    let value = leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
            prop::collection::btree_map(
                prop::sample::select(vec![
                    "id",
                    "name",
                    "total",
                    "total_price",
                    "line_items",
                    "items",
                    "order",
                    "shipping_address",
                    "phone",
                    "payment",
                    "topic",
                    "currency",
                    "quantity",
                    "price",
                    "billing",
                    "status",
                    "variants",
                    "customer",
                ])
                .prop_map(str::to_owned),
                inner,
                0..6
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    });
    value.prop_map(|v| v.to_string().into_bytes())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn shop_parsers_never_panic_on_bytes(body in prop::collection::vec(any::<u8>(), 0..512)) {
        for platform in [Platform::Shopify, Platform::Woocommerce, Platform::Youcan, Platform::Generic] {
            let _ = shop::parse(&shop(platform), &headers_for(platform), &body);
            let _ = shop::verify(&shop(platform), &headers_for(platform), &body);
        }
    }

    #[test]
    fn shop_parsers_never_panic_on_json_shapes(body in jsonish()) {
        for platform in [Platform::Shopify, Platform::Woocommerce, Platform::Youcan, Platform::Generic] {
            let _ = shop::parse(&shop(platform), &headers_for(platform), &body);
        }
    }

    #[test]
    fn webhook_envelopes_never_panic(body in prop::collection::vec(any::<u8>(), 0..512), shaped in jsonish()) {
        let _ = shaq_client::webhook::parse(&body);
        let _ = shaq_client::webhook::parse(&shaped);
        let _ = digishare_client::webhook::parse(&body);
        let _ = digishare_client::webhook::parse(&shaped);
    }

    #[test]
    fn phone_parsing_never_panics_and_normal_forms_round_trip(raw in ".{0,24}", country in prop::sample::select(vec!["GH", "MA", "NG", "FR", "ZZ"])) {
        if let Ok(phone) = PhoneE164::parse(&raw, Some(country)) {
            let again = PhoneE164::parse(phone.expose(), None).unwrap();
            prop_assert_eq!(&again, &phone);
            prop_assert!(phone.expose().starts_with('+'));
            prop_assert!(phone.wa_id().chars().all(|c| c.is_ascii_digit()));
            prop_assert!(!phone.to_string().contains(&phone.expose()[5..phone.expose().len() - 2]));
        }
    }

    /// Any number of Ghana's mobile operators (MTN 24/54/55/59, Telecel 20/50, AirtelTigo
    /// 26/27/56/57), as customers write it locally, normalizes.
    #[test]
    fn ghanaian_local_mobile_numbers_always_normalize(
        operator in prop::sample::select(vec!["24", "54", "55", "20", "50", "26", "27", "56", "57"]),
        rest in "[0-9]{7}",
    ) {
        let digits = format!("{operator}{rest}");
        let local = format!("0{} {} {}", &digits[..2], &digits[2..5], &digits[5..]);
        let phone = PhoneE164::parse(&local, Some("GH")).unwrap();
        prop_assert_eq!(phone.expose(), format!("+233{digits}"));
    }

    #[test]
    fn money_round_trips_as_number_and_string(units in any::<i64>(), scale in 0u32..4) {
        let amount = Decimal::new(units, scale);
        let as_string = serde_json::json!(amount.to_string());
        prop_assert_eq!(parse_amount(&as_string), Some(amount));
    }

    #[test]
    fn signatures_verify_only_the_signed_body(body in prop::collection::vec(any::<u8>(), 1..256), flip in any::<usize>()) {
        let settings = shop(Platform::Youcan);
        let signature = shop::sign("secret", &body, SignatureEncoding::Hex);
        let mut headers = HeaderMap::new();
        headers.insert("x-youcan-signature", signature.parse().unwrap());
        prop_assert!(shop::verify(&settings, &headers, &body).is_ok());
        let mut changed = body.clone();
        let at = flip % changed.len();
        changed[at] ^= 0x01;
        prop_assert!(shop::verify(&settings, &headers, &changed).is_err());
    }
}
