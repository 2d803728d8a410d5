#![no_main]
//! Every shop adapter on arbitrary bytes: errors are fine, panics are not.

use bridge_core::shop::{self, GenericSignature, Platform, ShopSettings, WriteBackSettings};
use bridge_core::workflow::Flow;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    for platform in [Platform::Shopify, Platform::Woocommerce, Platform::Youcan, Platform::Generic] {
        let settings = ShopSettings {
            id: "fuzz".to_owned(),
            platform,
            flow: Flow::ShipImmediately,
            webhook_secrets: vec!["secret".to_owned().into()],
            default_country: Some("GH".to_owned()),
            prepaid_skips_confirmation: true,
            cod_gateways: Vec::new(),
            generic: GenericSignature::default(),
            write_back: WriteBackSettings::default(),
        };
        let mut headers = http::HeaderMap::new();
        headers.insert("x-shopify-topic", http::HeaderValue::from_static("orders/create"));
        headers.insert("x-wc-webhook-topic", http::HeaderValue::from_static("order.created"));
        let _ = shop::verify(&settings, &headers, body);
        let _ = shop::parse(&settings, &headers, body);
    }
});
