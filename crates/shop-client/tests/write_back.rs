//! Each platform's write-back against a local HTTP double: what is sent, and how answers are
//! sorted into done, retry later and give up.

#![allow(clippy::unwrap_used)]

use rust_decimal::Decimal;
use serde_json::{Value, json};
use shop_client::signature::{SignatureEncoding, sign};
use shop_client::{
    Classify, Disposition, Milestone, ShopClient, ShopUpdate, ShopifyAccess, Tags, Timeouts,
};
use wiremock::matchers::{body_partial_json, header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn update(milestone: Milestone) -> ShopUpdate<'static> {
    ShopUpdate {
        milestone,
        platform_order_id: "5127",
        order_ref: "#1047",
        tracking_number: Some("SHQ1"),
        tracking_url: Some("https://shaqexpress.com/track/SHQ1"),
        cash_on_delivery: true,
        amount_to_collect: Some(Decimal::new(30000, 2)),
        currency: Some("GHS"),
        previous_amount: None,
        delivery_window: None,
    }
}

#[tokio::test]
async fn the_callback_is_signed_over_the_exact_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/hook"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let shop = ShopClient::callback(
        &format!("{}/hook", server.uri()),
        "cb-secret".to_owned().into(),
        &Timeouts::default(),
    )
    .unwrap();
    let written = shop.write(&update(Milestone::Delivered)).await.unwrap();
    assert_eq!(written.as_deref(), Some("callback sent"));
    let received: Vec<Request> = server.received_requests().await.unwrap();
    let body = &received[0].body;
    let signature = received[0].headers["x-signature"].to_str().unwrap();
    assert_eq!(signature, sign("cb-secret", body, SignatureEncoding::Hex));
    let sent: Value = serde_json::from_slice(body).unwrap();
    assert_eq!(
        sent,
        json!({"milestone": "delivered", "order_id": "5127", "order_ref": "#1047",
               "tracking_number": "SHQ1", "tracking_url": "https://shaqexpress.com/track/SHQ1",
               "amount_to_collect": "300.00", "currency": "GHS",
               "previous_amount_to_collect": null, "eta": null})
    );
}

#[tokio::test]
async fn youcan_treats_an_already_fulfilled_order_as_done_and_shows_nothing_for_transit() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/orders/5127/fulfill"))
        .and(header("authorization", "Bearer yc-token"))
        .respond_with(
            ResponseTemplate::new(422)
                .set_body_json(json!({"message": "ORDER-ALREADY-FULFILLED", "errors": {}})),
        )
        .mount(&server)
        .await;
    let shop = ShopClient::youcan(
        Some(&server.uri()),
        "yc-token".to_owned().into(),
        Some("processed".to_owned()),
        &Timeouts::default(),
    )
    .unwrap();
    let written = shop
        .write(&update(Milestone::PackageCreated))
        .await
        .unwrap();
    assert_eq!(written.as_deref(), Some("fulfilled (already)"));
    assert_eq!(
        shop.write(&update(Milestone::InTransit)).await.unwrap(),
        None
    );
}

#[tokio::test]
async fn shopify_user_errors_are_final_and_throttling_is_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/admin/api/2026-10/graphql.json"))
        .and(header("x-shopify-access-token", "shpat_x"))
        .and(body_partial_json(json!({"variables": {"tags": ["COD-Confirmed"]}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": {"tagsAdd": {"userErrors": [{"field": ["id"], "message": "Order not found"}]}}})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/admin/api/2026-10/graphql.json"))
        .and(body_partial_json(
            json!({"variables": {"tags": ["Returned-To-Shop"]}}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}]})))
        .mount(&server)
        .await;
    let shop = ShopClient::shopify(
        &server.uri(),
        ShopifyAccess::Token("shpat_x".to_owned().into()),
        None,
        Tags {
            returned: "Returned-To-Shop".to_owned(),
            ..Tags::default()
        },
        &Timeouts::default(),
    )
    .unwrap();
    let refused = shop.write(&update(Milestone::Confirmed)).await.unwrap_err();
    assert_eq!(refused.disposition(), Disposition::Reject);
    assert!(refused.to_string().contains("Order not found"));
    let throttled = shop.write(&update(Milestone::Returned)).await.unwrap_err();
    assert!(matches!(throttled.disposition(), Disposition::Retry { .. }));
}

#[tokio::test]
async fn woocommerce_completes_a_delivered_order_with_its_rest_keys() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/wp-json/wc/v3/orders/5127"))
        .and(header("authorization", "Basic Y2tfeDpjc194"))
        .and(body_partial_json(json!({"status": "completed"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 5127})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/wp-json/wc/v3/orders/5127"))
        .and(body_partial_json(json!({"status": "cancelled"})))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let shop = ShopClient::woocommerce(
        &server.uri(),
        "ck_x".to_owned(),
        "cs_x".to_owned().into(),
        &Timeouts::default(),
    )
    .unwrap();
    assert_eq!(
        shop.write(&update(Milestone::Delivered))
            .await
            .unwrap()
            .as_deref(),
        Some("status completed")
    );
    let down = shop.write(&update(Milestone::Cancelled)).await.unwrap_err();
    assert!(matches!(down.disposition(), Disposition::Retry { .. }));
}

/// YouCan is told of the confirmation through its order status (`PUT /orders/{id}/status`,
/// YouCan's `processed`, or the merchant's own slug); without a slug nothing is written.
#[tokio::test]
async fn a_youcan_confirmation_sets_the_orders_status() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/orders/5127/status"))
        .and(header("authorization", "Bearer yc-token"))
        .and(body_partial_json(json!({"status": "processed"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"status": 200, "detail": "Status is successfully updated", "meta": []}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let shop = |slug: Option<&str>| {
        ShopClient::youcan(
            Some(&server.uri()),
            "yc-token".to_owned().into(),
            slug.map(str::to_owned),
            &Timeouts::default(),
        )
        .unwrap()
    };
    let written = shop(Some("processed"))
        .write(&update(Milestone::Confirmed))
        .await
        .unwrap();
    assert_eq!(written.as_deref(), Some("status set for the confirmation"));
    assert_eq!(
        shop(None)
            .write(&update(Milestone::Confirmed))
            .await
            .unwrap(),
        None
    );
    // YouCan has no call for a note: an amount change shows nothing there.
    assert_eq!(
        shop(Some("processed"))
            .write(&update(Milestone::AmountChanged))
            .await
            .unwrap(),
        None
    );
}

/// ShaQ's own tracking page replaces the fulfilment's link (`fulfillmentTrackingInfoUpdate`,
/// without e-mailing the customer again).
#[tokio::test]
async fn shopify_follows_shaqs_tracking_page() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(body_partial_json(
            json!({"variables": {"id": "gid://shopify/Order/5127"}}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": {"order": {"fulfillments": [{"id": "gid://shopify/Fulfillment/9"}]}}})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(body_partial_json(json!({"variables": {
            "fulfillmentId": "gid://shopify/Fulfillment/9",
            "trackingInfoInput": {"number": "SHQ1", "url": "https://shaqexpress.com/track/SHQ1"}}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": {"fulfillmentTrackingInfoUpdate": {"fulfillment": {"id": "gid://shopify/Fulfillment/9"}, "userErrors": []}}})))
        .expect(1)
        .mount(&server)
        .await;
    let shop = ShopClient::shopify(
        &server.uri(),
        ShopifyAccess::Token("shpat_x".to_owned().into()),
        None,
        Tags::default(),
        &Timeouts::default(),
    )
    .unwrap();
    let written = shop.write(&update(Milestone::TrackingLink)).await.unwrap();
    assert_eq!(written.as_deref(), Some("tracking link updated"));
}

/// A Dev Dashboard app: the client credentials grant gives a token that lives `expires_in`
/// seconds; the client fetches one, reuses it, and fetches another when Shopify refuses it.
#[tokio::test]
async fn a_dev_dashboard_app_exchanges_its_client_credentials_and_fetches_again_after_a_401() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let server = MockServer::start().await;
    let grants = Arc::new(AtomicUsize::new(0));
    let counter = grants.clone();
    Mock::given(method("POST"))
        .and(path("/admin/oauth/access_token"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .respond_with(move |request: &Request| {
            let form = String::from_utf8_lossy(&request.body).into_owned();
            assert!(form.contains("grant_type=client_credentials"), "{form}");
            assert!(form.contains("client_id=app-id"), "{form}");
            assert!(form.contains("client_secret=app-secret"), "{form}");
            let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
            ResponseTemplate::new(200).set_body_json(json!({
                "access_token": format!("granted-{n}"),
                "scope": "write_orders,read_orders",
                "expires_in": 86399}))
        })
        .mount(&server)
        .await;
    // The first token is refused once (revoked, say); the second is accepted.
    Mock::given(method("POST"))
        .and(path("/admin/api/2026-10/graphql.json"))
        .and(header("x-shopify-access-token", "granted-1"))
        .respond_with(
            ResponseTemplate::new(401).set_body_string("[API] Invalid API key or access token"),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/admin/api/2026-10/graphql.json"))
        .and(header("x-shopify-access-token", "granted-2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": {"tagsAdd": {"userErrors": []}}})))
        .expect(2)
        .mount(&server)
        .await;
    let shop = ShopClient::shopify(
        &server.uri(),
        ShopifyAccess::ClientCredentials {
            client_id: "app-id".to_owned(),
            client_secret: "app-secret".to_owned().into(),
        },
        None,
        Tags::default(),
        &Timeouts::default(),
    )
    .unwrap();
    shop.write(&update(Milestone::Confirmed)).await.unwrap();
    shop.write(&update(Milestone::Confirmed)).await.unwrap();
    assert_eq!(
        grants.load(Ordering::SeqCst),
        2,
        "one grant, one more after the 401"
    );
}
