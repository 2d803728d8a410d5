#![no_main]
//! Phone normalization: never panics, and a normalized number parses to itself.

use bridge_core::domain::PhoneE164;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|raw: &str| {
    for country in [Some("GH"), Some("MA"), None] {
        if let Ok(phone) = PhoneE164::parse(raw, country) {
            let again = PhoneE164::parse(phone.expose(), None).expect("a normalized number parses");
            assert_eq!(again, phone);
        }
    }
});
