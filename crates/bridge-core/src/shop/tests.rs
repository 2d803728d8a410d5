//! Shop adapters: signatures and normalization, platform by platform.

use http::HeaderMap;
use rust_decimal::Decimal;
use serde_json::json;

use super::*;
use secrecy::SecretString;

use crate::domain::{Language, Payment, ShopId};
use crate::workflow::Flow;

fn shop(platform: Platform, secrets: &[&str]) -> ShopSettings {
    ShopSettings {
        id: ShopId::new("kente"),
        platform,
        flow: Flow::ConfirmFirst,
        webhook_secrets: secrets
            .iter()
            .map(|s| SecretString::from((*s).to_owned()))
            .collect(),
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

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.insert(
            http::HeaderName::from_bytes(name.as_bytes()).expect("name"),
            value.parse().expect("value"),
        );
    }
    map
}

pub(crate) fn shopify_cod_order() -> serde_json::Value {
    json!({
        "id": 5_127_389_001_u64, "name": "#1047", "email": "ama@example.com",
        "updated_at": "2026-11-23T10:00:00+00:00", "cancelled_at": null,
        "financial_status": "pending", "payment_gateway_names": ["Cash on Delivery (COD)"],
        "total_price": "450.00", "total_outstanding": "450.00",
        "currency": "GHS", "presentment_currency": "GHS", "customer_locale": "en",
        "shipping_address": {"name": "Ama Mensah", "phone": "024 412 3456", "address1": "12 Oxford Street",
            "address2": "GA-123-4567", "city": "Accra", "province": "Greater Accra", "zip": null, "country_code": "GH"},
        "line_items": [
            {"title": "Kente scarf", "variant_title": "Gold", "sku": "KS-1", "quantity": 2, "price": "200.00", "requires_shipping": true},
            {"title": "Gift card", "sku": "", "quantity": 1, "price": "50.00", "requires_shipping": false}
        ],
        "note": "Call before delivery"
    })
}

#[test]
fn shopify_signatures_verify_with_either_rotation_secret() {
    let body = shopify_cod_order().to_string();
    let settings = shop(Platform::Shopify, &["old-secret", "new-secret"]);
    for secret in ["old-secret", "new-secret"] {
        let signature = sign(secret, body.as_bytes(), SignatureEncoding::Base64);
        let h = headers(&[("x-shopify-hmac-sha256", &signature)]);
        assert_eq!(verify(&settings, &h, body.as_bytes()), Ok(()), "{secret}");
    }
    let forged = sign("attacker", body.as_bytes(), SignatureEncoding::Base64);
    assert!(
        verify(
            &settings,
            &headers(&[("x-shopify-hmac-sha256", &forged)]),
            body.as_bytes()
        )
        .is_err()
    );
    assert!(
        verify(&settings, &HeaderMap::new(), body.as_bytes()).is_err(),
        "missing header"
    );
    // A valid signature replayed with a changed body is refused.
    let signature = sign("new-secret", body.as_bytes(), SignatureEncoding::Base64);
    let changed = body.replace("450.00", "1.00");
    assert!(
        verify(
            &settings,
            &headers(&[("x-shopify-hmac-sha256", &signature)]),
            changed.as_bytes()
        )
        .is_err()
    );
}

#[test]
fn given_a_cod_shopify_order_the_adapter_normalizes_it() {
    let body = shopify_cod_order().to_string();
    let settings = shop(Platform::Shopify, &["s"]);
    let h = headers(&[
        ("x-shopify-topic", "orders/create"),
        ("x-shopify-webhook-id", "wh-1"),
    ]);
    let ShopWebhook::Order(event) = parse(&settings, &h, body.as_bytes()).expect("parses") else {
        panic!("an order");
    };
    let order = event.order;
    assert_eq!(event.dedupe_key, "orders/create:wh-1");
    assert_eq!(order.platform_order_id.as_str(), "5127389001");
    assert_eq!(order.order_ref, "#1047");
    assert_eq!(order.partner_ref().as_str(), "kente-5127389001");
    assert_eq!(
        order.payment,
        Payment::CashOnDelivery {
            amount_to_collect: Decimal::new(45000, 2)
        }
    );
    assert_eq!(
        order.recipient.phone.as_ref().map(|p| p.expose()),
        Some("+233244123456")
    );
    assert_eq!(order.recipient.name, "Ama Mensah");
    assert_eq!(order.address.region.as_deref(), Some("Greater Accra"));
    assert_eq!(order.items.len(), 1, "the gift card does not ship");
    assert_eq!(order.items[0].name, "Kente scarf - Gold");
    assert_eq!(order.language, Language::En);
    assert!(!order.cancelled);
}

/// What ShaQ's rider uses besides the first phone: the billing phone when it differs
/// (`customer_phone_2`) and the point the checkout pinned (`latitude`/`longitude`).
#[test]
fn a_second_phone_and_the_pinned_point_are_kept() {
    let mut order = shopify_cod_order();
    order["billing_address"] = json!({"phone": "+233 20 555 0101"});
    order["shipping_address"]["latitude"] = json!(5.6037168);
    order["shipping_address"]["longitude"] = json!("-0.1869644");
    let settings = shop(Platform::Shopify, &["s"]);
    let h = headers(&[
        ("x-shopify-topic", "orders/create"),
        ("x-shopify-webhook-id", "wh-2"),
    ]);
    let ShopWebhook::Order(event) =
        parse(&settings, &h, order.to_string().as_bytes()).expect("parses")
    else {
        panic!("an order");
    };
    let parsed = event.order;
    assert_eq!(
        parsed.recipient.phone_2.as_ref().map(|p| p.expose()),
        Some("+233205550101")
    );
    let point = parsed.address.coordinates.expect("pinned");
    assert_eq!(point.latitude.to_string(), "5.6037168");
    assert_eq!(point.longitude.to_string(), "-0.1869644");
    // The same number twice is one phone; a latitude past 90 is no point.
    order["billing_address"] = json!({"phone": "024 412 3456"});
    order["shipping_address"]["latitude"] = json!(95);
    let ShopWebhook::Order(event) =
        parse(&settings, &h, order.to_string().as_bytes()).expect("parses")
    else {
        panic!("an order");
    };
    assert_eq!(event.order.recipient.phone_2, None);
    assert_eq!(event.order.address.coordinates, None);
}

#[test]
fn shopify_prepaid_cancelled_and_odd_gateways() {
    let settings = shop(Platform::Shopify, &["s"]);
    let h = headers(&[
        ("x-shopify-topic", "orders/updated"),
        ("x-shopify-webhook-id", "wh-2"),
    ]);
    let mut paid = shopify_cod_order();
    paid["financial_status"] = json!("paid");
    paid["payment_gateway_names"] = json!(["shopify_payments"]);
    paid["cancelled_at"] = json!("2026-11-23T11:00:00+00:00");
    let ShopWebhook::Order(event) =
        parse(&settings, &h, paid.to_string().as_bytes()).expect("parses")
    else {
        panic!("an order");
    };
    assert_eq!(event.order.payment, Payment::Prepaid);
    assert!(event.order.cancelled);
    let mut barcode = shopify_cod_order();
    barcode["payment_gateway_names"] = json!(["Barcode pay"]);
    let ShopWebhook::Order(event) =
        parse(&settings, &h, barcode.to_string().as_bytes()).expect("parses")
    else {
        panic!("an order");
    };
    assert_eq!(
        event.order.payment,
        Payment::Prepaid,
        "`cod` must be a word"
    );
}

#[test]
fn shopify_bad_bodies_name_the_problem() {
    let settings = shop(Platform::Shopify, &["s"]);
    let h = headers(&[("x-shopify-topic", "orders/create")]);
    assert!(matches!(
        parse(&settings, &h, b"{oops"),
        Err(ShopError::Malformed(_))
    ));
    let mut no_id = shopify_cod_order();
    no_id.as_object_mut().expect("object").remove("id");
    assert_eq!(
        parse(&settings, &h, no_id.to_string().as_bytes()),
        Err(ShopError::field("id", "is required"))
    );
    // An order whose id can be read is kept, whatever else is wrong: it waits for a person.
    let mut bad_items = shopify_cod_order();
    bad_items["line_items"] = json!("nope");
    assert!(matches!(
        parse(&settings, &h, bad_items.to_string().as_bytes()),
        Ok(ShopWebhook::Unusable { field, order_ref, .. }) if field == "line_items" && order_ref == "#1047"
    ));
    let other = headers(&[("x-shopify-topic", "products/update")]);
    assert!(matches!(
        parse(&settings, &other, b"{}"),
        Ok(ShopWebhook::Ignored(_))
    ));
}

fn woo_order() -> serde_json::Value {
    json!({
        "id": 727, "number": "727", "status": "processing", "currency": "MAD", "total": "349.00",
        "payment_method": "cod", "date_paid": null, "date_modified_gmt": "2026-11-23T10:00:00",
        "billing": {"first_name": "Youssef", "last_name": "El Amrani", "phone": "06 61 23 45 67", "email": "y@example.ma",
            "address_1": "Bd Zerktouni 10", "city": "Casablanca", "state": "", "postcode": "20000", "country": "MA"},
        "shipping": {"first_name": "", "last_name": "", "phone": "", "address_1": "", "city": "", "country": ""},
        "line_items": [{"name": "Caftan", "sku": "CF-1", "quantity": 1, "price": 349, "total": "349.00"}],
        "customer_note": "Après 18h"
    })
}

#[test]
fn woocommerce_cod_order_reads_from_billing_and_pings_are_recognised() {
    let settings = shop(Platform::Woocommerce, &["woo-secret"]);
    let body = woo_order().to_string();
    let signature = sign("woo-secret", body.as_bytes(), SignatureEncoding::Base64);
    let h = headers(&[
        ("x-wc-webhook-topic", "order.created"),
        ("x-wc-webhook-signature", &signature),
    ]);
    assert_eq!(verify(&settings, &h, body.as_bytes()), Ok(()));
    let ShopWebhook::Order(event) = parse(&settings, &h, body.as_bytes()).expect("parses") else {
        panic!("an order");
    };
    assert_eq!(
        event.order.recipient.phone.as_ref().map(|p| p.expose()),
        Some("+212661234567")
    );
    assert_eq!(event.order.recipient.name, "Youssef El Amrani");
    assert_eq!(event.order.language, Language::Fr);
    assert_eq!(
        event.order.payment.amount_to_collect(),
        Decimal::new(34900, 2)
    );
    assert_eq!(event.dedupe_key, "order.created:727:2026-11-23T10:00:00");

    let ping = b"webhook_id=17";
    assert_eq!(
        verify(&settings, &HeaderMap::new(), ping),
        Ok(()),
        "pings are unsigned"
    );
    assert_eq!(
        parse(&settings, &HeaderMap::new(), ping),
        Ok(ShopWebhook::Ping)
    );
    let mut cancelled = woo_order();
    cancelled["status"] = json!("cancelled");
    let ShopWebhook::Order(event) =
        parse(&settings, &h, cancelled.to_string().as_bytes()).expect("parses")
    else {
        panic!("an order");
    };
    assert!(event.order.cancelled);
}

#[test]
fn a_trashed_woocommerce_order_is_a_deletion() {
    let settings = shop(Platform::Woocommerce, &["woo-secret"]);
    let h = headers(&[("x-wc-webhook-topic", "order.deleted")]);
    assert_eq!(
        parse(&settings, &h, br#"{"id": 727}"#),
        Ok(ShopWebhook::Deleted {
            platform_order_id: "727".to_owned(),
            dedupe_key: "order.deleted:727".to_owned()
        })
    );
    let mut trashed = woo_order();
    trashed["status"] = json!("trash");
    assert!(matches!(
        parse(&settings, &h, trashed.to_string().as_bytes()),
        Ok(ShopWebhook::Deleted { .. })
    ));
}

/// The topic header is not signed: a live order's signed body replayed as `order.deleted`
/// cancels nothing.
#[test]
fn a_live_order_replayed_under_the_deleted_topic_is_not_a_deletion() {
    let settings = shop(Platform::Woocommerce, &["woo-secret"]);
    let h = headers(&[("x-wc-webhook-topic", "order.deleted")]);
    let live = woo_order().to_string();
    assert!(matches!(
        parse(&settings, &h, live.as_bytes()),
        Ok(ShopWebhook::Ignored(_))
    ));
}

#[test]
fn youcan_signatures_are_hex_and_orders_parse() {
    let settings = shop(Platform::Youcan, &["yc-secret"]);
    let body = json!({
        "id": "9b2c1f2e-uuid", "ref": "025", "total": 299, "currency": "MAD", "status": 1,
        "created_at": "2026-11-23 10:00:00",
        "customer": {"first_name": "Salma", "last_name": "Bennani", "phone": "0612345678", "country_code": "MA"},
        "variants": [{"price": 299, "quantity": 1, "variant": {"sku": "BAG-1", "product": {"name": "Sac"}}}],
        "payment": {"status": -1, "status_text": "unpaid", "payload": {"gateway": "cod"}}
    })
    .to_string();
    let signature = sign("yc-secret", body.as_bytes(), SignatureEncoding::Hex);
    let h = headers(&[("x-youcan-signature", &signature)]);
    assert_eq!(verify(&settings, &h, body.as_bytes()), Ok(()));
    let ShopWebhook::Order(event) = parse(&settings, &h, body.as_bytes()).expect("parses") else {
        panic!("an order");
    };
    assert!(event.order.payment.is_cash_on_delivery());
    assert_eq!(event.order.items[0].name, "Sac");
}

#[test]
fn generic_orders_are_strict_and_name_fields() {
    let mut settings = shop(Platform::Generic, &["g-secret"]);
    settings.generic.prefix = Some("sha256=".to_owned());
    let body = json!({"topic": "created", "order": {"id": "5127", "ref": "#5127", "payment": "cod",
        "total": "450.00", "currency": "GHS",
        "customer": {"name": "Kofi Boateng", "phone": "020 555 0198"},
        "address": {"line1": "5 Ring Road", "city": "Kumasi", "region": "Ashanti", "country": "GH"},
        "items": [{"name": "Shea butter", "quantity": 3, "unit_price": "150.00"}]}})
    .to_string();
    let signature = format!(
        "sha256={}",
        sign("g-secret", body.as_bytes(), SignatureEncoding::Hex)
    );
    let h = headers(&[("x-signature", &signature)]);
    assert_eq!(verify(&settings, &h, body.as_bytes()), Ok(()));
    let ShopWebhook::Order(event) = parse(&settings, &h, body.as_bytes()).expect("parses") else {
        panic!("an order");
    };
    assert_eq!(event.order.units(), 3);
    let bad = json!({"topic": "created", "order": {"id": "1", "payment": "cash", "total": "1", "currency": "GHS"}}).to_string();
    assert!(matches!(
        parse(&settings, &h, bad.as_bytes()),
        Ok(ShopWebhook::Unusable { field, message, .. })
            if field == "order.payment" && message == "must be cod or prepaid"
    ));
    let bad_phone = json!({"topic": "created", "order": {"id": "1", "payment": "cod", "total": "1", "currency": "GHS",
        "customer": {"phone": "call me"}}}).to_string();
    assert!(matches!(
        parse(&settings, &h, bad_phone.as_bytes()),
        Ok(ShopWebhook::Unusable { field, .. }) if field == "order.customer.phone"
    ));
    // Without an id nothing can be kept: refused, naming the field (a long id too).
    let no_id =
        json!({"topic": "created", "order": {"payment": "cod", "total": "1", "currency": "GHS"}})
            .to_string();
    assert_eq!(
        parse(&settings, &h, no_id.as_bytes()),
        Err(ShopError::field("order.id", "is required"))
    );
    let long_id = json!({"topic": "created", "order": {"id": "9".repeat(65), "payment": "cod", "total": "1", "currency": "GHS"}}).to_string();
    assert_eq!(
        parse(&settings, &h, long_id.as_bytes()),
        Err(ShopError::field(
            "order.id",
            "must be at most 64 characters"
        ))
    );
}

/// What intake refuses or cleans, whatever the platform: negative amounts, absurd quantities,
/// ids longer than the references allow, and invisible characters in text sent upstream.
#[test]
fn intake_refuses_nonsense_and_cleans_text() {
    let settings = shop(Platform::Shopify, &["s"]);
    let h = headers(&[("x-shopify-topic", "orders/create")]);
    let parse_with = |change: &dyn Fn(&mut serde_json::Value)| {
        let mut order = shopify_cod_order();
        change(&mut order);
        parse(&settings, &h, order.to_string().as_bytes())
    };
    // Refused (no id), or kept for a person (an id, an unusable field): named either way.
    let field_of = |result: Result<ShopWebhook, ShopError>| match result {
        Err(ShopError::Field { field, message })
        | Ok(ShopWebhook::Unusable { field, message, .. }) => format!("{field}: {message}"),
        other => format!("{other:?}"),
    };
    assert_eq!(
        field_of(parse_with(&|o| o["total_outstanding"] = json!("-625.00"))),
        "total_outstanding: must not be negative"
    );
    assert_eq!(
        field_of(parse_with(&|o| o["line_items"][0]["price"] = json!("-1"))),
        "line_items[0].price: must not be negative"
    );
    assert_eq!(
        field_of(parse_with(
            &|o| o["line_items"][0]["quantity"] = json!(4_294_967_295u64)
        )),
        "line_items[0].quantity: must be at most 10000"
    );
    assert_eq!(
        field_of(parse_with(&|o| o["id"] = json!("9".repeat(100)))),
        "id: must be at most 64 characters"
    );
    // Amounts past any real one (and past what arithmetic on them survives) are named.
    assert_eq!(
        field_of(parse_with(
            &|o| o["total_price"] = json!("80000000000000000000000000")
        )),
        "total_price: 80000000000000000000000000 is not a real amount (at most 1000000000000)"
    );
    assert!(
        field_of(parse_with(&|o| o["total_price"] = json!("8e25")))
            .ends_with("is not a real amount (at most 1000000000000)")
    );
    assert_eq!(
        field_of(parse_with(
            &|o| o["total_price"] = json!("79228162514264337593543950336")
        )),
        "total_price: must be a decimal amount"
    );
    // Texts past their bound: the order is kept under its id, waiting for a person.
    let long_name = parse_with(&|o| o["name"] = json!("#".repeat(100_000)));
    assert!(
        matches!(&long_name, Ok(ShopWebhook::Unusable { field, order_ref, .. })
            if field == "order_ref" && order_ref == "5127389001"),
        "{long_name:?}"
    );
    assert_eq!(
        field_of(parse_with(
            &|o| o["shipping_address"]["name"] = json!("A".repeat(600))
        )),
        "customer name: must be at most 500 characters"
    );
    let Ok(ShopWebhook::Order(event)) = parse_with(&|o| {
        o["shipping_address"]["address1"] = json!("12 Oxford\u{202E}teertS\u{0000} Street\n");
        o["note"] = json!("Call\u{200F} me");
    }) else {
        panic!("parses");
    };
    assert_eq!(event.order.address.line1, "12 OxfordteertS Street");
    assert_eq!(event.order.note.as_deref(), Some("Call me"));
}

#[test]
fn settings_validation_names_keys() {
    let mut settings = shop(Platform::Shopify, &[]);
    settings.id = ShopId::new("Bad Id");
    settings.write_back.enabled = true;
    let mut problems = Vec::new();
    settings.validate(3, &mut problems);
    let text = problems.join("\n");
    assert!(text.contains("shops[3].id"), "{text}");
    assert!(text.contains("shops[3].webhook_secrets is empty"), "{text}");
    assert!(text.contains("shops[3].write_back"), "{text}");
    let mut settings = shop(Platform::Shopify, &[" padded-secret-0123456 ", "short"]);
    settings.write_back.token = Some(SecretString::from("shpat_x\n".to_owned()));
    let mut problems = Vec::new();
    settings.validate(0, &mut problems);
    let text = problems.join("\n");
    assert!(
        text.contains("shops[0].webhook_secrets has spaces or line breaks around it"),
        "{text}"
    );
    assert!(
        text.contains("shops[0].webhook_secrets must be at least 16 characters"),
        "{text}"
    );
    assert!(
        text.contains("shops[0].write_back.token has spaces"),
        "{text}"
    );
}

#[test]
fn a_return_approved_in_shopify_names_its_order_and_whether_it_is_an_exchange() {
    use crate::workflow::returns::AfterSale;
    let settings = shop(Platform::Shopify, &["shopify-secret"]);
    let h = headers(&[
        ("x-shopify-topic", "returns/approve"),
        ("x-shopify-webhook-id", "w-1"),
    ]);
    let body = json!({
        "id": 7001, "name": "#1001-R1",
        "order": {"id": 450789469},
        "return_line_items": [{"id": 1, "quantity": 1}],
        "exchange_line_items": [{"id": 2, "quantity": 1}],
    });
    assert_eq!(
        parse(&settings, &h, body.to_string().as_bytes()),
        Ok(ShopWebhook::AfterSale {
            platform_order_id: "450789469".to_owned(),
            kind: AfterSale::Exchange,
            reference: "#1001-R1".to_owned(),
            dedupe_key: "returns/approve:w-1".to_owned(),
        })
    );
    let plain = json!({"id": 7002, "order_id": "450789470", "return_line_items": []});
    assert!(matches!(
        parse(&settings, &h, plain.to_string().as_bytes()),
        Ok(ShopWebhook::AfterSale { kind: AfterSale::Return, ref reference, .. }) if reference == "return 7002"
    ));
    assert!(matches!(
        parse(&settings, &h, br#"{"id": 7003}"#),
        Err(ShopError::Field { .. })
    ));
}

#[test]
fn a_woocommerce_order_set_to_the_return_status_asks_for_a_return_once() {
    use crate::workflow::returns::AfterSale;
    let mut settings = shop(Platform::Woocommerce, &["woo-secret"]);
    let h = headers(&[("x-wc-webhook-topic", "order.updated")]);
    let mut order = woo_order();
    order["status"] = json!("return-requested");
    // Not configured: an ordinary update.
    assert!(matches!(
        parse(&settings, &h, order.to_string().as_bytes()),
        Ok(ShopWebhook::Order(_))
    ));
    settings.returns.status = Some("wc-return-requested".to_owned());
    let first = parse(&settings, &h, order.to_string().as_bytes());
    order["date_modified_gmt"] = json!("2026-11-24T10:00:00");
    let again = parse(&settings, &h, order.to_string().as_bytes());
    let Ok(ShopWebhook::AfterSale {
        platform_order_id,
        kind,
        dedupe_key,
        ..
    }) = first
    else {
        panic!("{first:?}");
    };
    assert_eq!(
        (platform_order_id.as_str(), kind),
        ("727", AfterSale::Return)
    );
    assert!(
        matches!(again, Ok(ShopWebhook::AfterSale { dedupe_key: ref later, .. }) if *later == dedupe_key),
        "a later update in the same status has the same key: booked once"
    );
}

#[test]
fn the_generic_shape_carries_returns_replacements_and_exchanges() {
    use crate::workflow::returns::AfterSale;
    let settings = shop(Platform::Generic, &["g-secret"]);
    let h = headers(&[]);
    let body =
        json!({"topic": "return", "order_id": "5127", "kind": "exchange", "reference": "RMA-12"});
    assert_eq!(
        parse(&settings, &h, body.to_string().as_bytes()),
        Ok(ShopWebhook::AfterSale {
            platform_order_id: "5127".to_owned(),
            kind: AfterSale::Exchange,
            reference: "RMA-12".to_owned(),
            dedupe_key: "return:5127:RMA-12".to_owned(),
        })
    );
    let wrong = json!({"topic": "return", "order_id": "5127", "kind": "refund"});
    assert!(matches!(
        parse(&settings, &h, wrong.to_string().as_bytes()),
        Err(ShopError::Field { ref field, .. }) if field == "kind"
    ));
    let missing = json!({"topic": "return", "kind": "return"});
    assert!(matches!(
        parse(&settings, &h, missing.to_string().as_bytes()),
        Err(ShopError::Field { ref field, .. }) if field == "order_id"
    ));
}
