#![no_main]
//! ShaQ and Digishare webhook envelopes on arbitrary bytes.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    let _ = shaq_client::webhook::parse(body);
    let _ = digishare_client::webhook::parse(body);
});
