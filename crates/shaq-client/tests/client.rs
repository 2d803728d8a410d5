//! The client against a local HTTP double: exact requests, token lifecycle, errors, adoption.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rust_decimal::Decimal;
use serde_json::{Value, json};
use shaq_client::{
    Collection, CreateOutcome, Destination, HttpError, Item, LabelOutcome, NewPackage, Original,
    PackageBasics, PackageStatus, PackageUpdate, ReplacementAction, ReplacementPackage,
    ReplacementRule, ShaqClient, ShaqConfig, ShaqError, ShaqPaths,
};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

fn client(server: &MockServer) -> ShaqClient {
    client_with(server, Duration::from_secs(5), Duration::from_secs(3600))
}

fn client_with(server: &MockServer, timeout: Duration, margin: Duration) -> ShaqClient {
    ShaqClient::new(ShaqConfig {
        base_url: format!("{}/api/v1", server.uri()),
        identifier: "partner".to_owned(),
        secret: "s3cret".to_owned().into(),
        timeout,
        connect_timeout: Duration::from_secs(2),
        token_renew_margin: margin,
        requests_per_second: None,
        max_in_flight: None,
        paths: ShaqPaths::default(),
    })
    .unwrap()
}

/// Counts logins and hands out numbered tokens.
struct Logins(Arc<AtomicUsize>);

impl Respond for Logins {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        ResponseTemplate::new(200)
            .set_body_json(
                json!({"message": "Request successful", "data": {"token": format!("token-{n}")}}),
            )
            .set_delay(Duration::from_millis(50))
    }
}

async fn mount_login(server: &MockServer) -> Arc<AtomicUsize> {
    let count = Arc::new(AtomicUsize::new(0));
    Mock::given(method("POST"))
        .and(path("/api/v1/auth/login"))
        .and(body_json(
            json!({"identifier": "partner", "secret": "s3cret"}),
        ))
        .respond_with(Logins(count.clone()))
        .mount(server)
        .await;
    count
}

fn package_json(partner_ref: &str) -> Value {
    json!({"partnerRef": partner_ref, "trackingNumber": "20250410X51DIQ", "status": "pending",
           "value": "300.00", "amountToCollect": "300.00", "dateCreated": "2025-04-10 11:15"})
}

fn new_package(collection: Collection) -> NewPackage {
    NewPackage::new(
        PackageBasics {
            partner_ref: "kente-1047".to_owned(),
            customer_name: "Ama Mensah".to_owned(),
            customer_phone: "+233244123456".to_owned(),
            source: ("GH".to_owned(), "12 Oxford St".to_owned()),
            destination_country_iso2: "GH".to_owned(),
            destination: Destination::RegionId(1),
            city_and_street: ("Accra".to_owned(), "5 Ring Road".to_owned()),
            description: "Order #1047".to_owned(),
            value: Decimal::new(30000, 2),
        },
        collection,
        vec![Item {
            name: "Kente scarf".to_owned(),
            quantity: 2,
        }],
    )
}

#[tokio::test]
async fn create_sends_the_documented_body_with_the_bearer_token() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("POST"))
        .and(path("/api/v1/packages"))
        .and(header("authorization", "Bearer token-1"))
        .and(header("accept", "application/json"))
        .and(body_json(json!({
            "partner_ref": "kente-1047", "customer_name": "Ama Mensah", "customer_phone_1": "+233244123456",
            "source_country_iso2": "GH", "source_address_line_1": "12 Oxford St", "destination_country_iso2": "GH",
            "region_id": 1, "destination_city": "Accra", "destination_address_line_1": "5 Ring Road",
            "description": "Order #1047", "units": 2, "type": "box", "handling": "normal",
            "value": "300.00", "amount_to_collect": "0", "items": [{"name": "Kente scarf", "quantity": 2}]
        })))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"message": "Package created successfully", "data": package_json("kente-1047")})))
        .expect(1)
        .mount(&server)
        .await;
    let package = client(&server)
        .create_package(&new_package(Collection::Prepaid))
        .await
        .unwrap();
    assert_eq!(package.tracking_number, "20250410X51DIQ");
    assert_eq!(package.status, PackageStatus::Pending);
    let user_agent = server.received_requests().await.unwrap()[0]
        .headers
        .get("user-agent")
        .map(|v| v.to_str().unwrap().to_owned());
    assert!(user_agent.unwrap().starts_with("shaq-bridge/"));
}

#[tokio::test]
async fn fifty_concurrent_calls_share_one_login() {
    let server = MockServer::start().await;
    let logins = mount_login(&server).await;
    Mock::given(method("GET"))
        .and(path("/api/v1/setup/regions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"message": "ok", "data": [{"id": 16, "name": "Western North"}, {"id": 15, "name": "Ashanti"}]})))
        .mount(&server)
        .await;
    let client = client(&server);
    let calls = (0..50).map(|_| client.regions());
    for regions in futures::future::join_all(calls).await {
        assert_eq!(regions.unwrap()[1].name, "Ashanti");
    }
    assert_eq!(logins.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_401_logs_in_again_once_and_replays() {
    let server = MockServer::start().await;
    let logins = mount_login(&server).await;
    Mock::given(method("GET"))
        .and(path("/api/v1/packages/kente-1"))
        .and(header("authorization", "Bearer token-1"))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(json!({"message": "Unauthenticated."})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/packages/kente-1"))
        .and(header("authorization", "Bearer token-2"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"message": "ok", "data": package_json("kente-1")})),
        )
        .mount(&server)
        .await;
    let package = client(&server).get_package("kente-1").await.unwrap();
    assert_eq!(package.partner_ref, "kente-1");
    assert_eq!(logins.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn the_token_is_renewed_before_it_expires() {
    let server = MockServer::start().await;
    let logins = mount_login(&server).await;
    Mock::given(method("GET"))
        .and(path("/api/v1/setup/regions"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"message": "ok", "data": []})),
        )
        .mount(&server)
        .await;
    // A margin of the whole 7 days: every call finds the token due for renewal.
    let client = client_with(
        &server,
        Duration::from_secs(5),
        Duration::from_secs(7 * 24 * 3600),
    );
    client.regions().await.unwrap();
    client.regions().await.unwrap();
    assert_eq!(logins.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_taken_partner_ref_is_adopted() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("POST"))
        .and(path("/api/v1/packages"))
        .respond_with(ResponseTemplate::new(422).set_body_json(json!({
            "message": "The partner ref has already been taken.",
            "errors": {"partner_ref": ["The partner ref has already been taken."]}})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/packages/kente-1047"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"message": "ok", "data": package_json("kente-1047")})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let outcome = client(&server)
        .create_package_idempotent(&new_package(Collection::CashOnDelivery(Decimal::new(
            300, 0,
        ))))
        .await
        .unwrap();
    assert!(matches!(outcome, CreateOutcome::AlreadyExisted(_)));
}

#[tokio::test]
async fn a_lost_answer_is_recovered_by_looking_the_package_up() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("POST"))
        .and(path("/api/v1/packages"))
        .respond_with(ResponseTemplate::new(201).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/packages/kente-1047"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"message": "ok", "data": package_json("kente-1047")})),
        )
        .mount(&server)
        .await;
    let client = client_with(
        &server,
        Duration::from_millis(500),
        Duration::from_secs(3600),
    );
    let outcome = client
        .create_package_idempotent(&new_package(Collection::Prepaid))
        .await
        .unwrap();
    assert!(matches!(outcome, CreateOutcome::AlreadyExisted(_)));
}

#[tokio::test]
async fn validation_errors_keep_their_fields() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("POST"))
        .and(path("/api/v1/packages"))
        .respond_with(ResponseTemplate::new(422).set_body_json(json!({
            "message": "The selected region id is invalid.", "errors": {"region_id": ["The selected region id is invalid."]}})))
        .mount(&server)
        .await;
    let error = client(&server)
        .create_package(&new_package(Collection::Prepaid))
        .await
        .unwrap_err();
    let ShaqError::Http(HttpError::Validation { errors, .. }) = &error else {
        panic!("validation, got {error:?}");
    };
    assert!(errors.contains_key("region_id"));
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn rate_limits_and_server_errors_are_retryable() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("GET"))
        .and(path("/api/v1/tracking/T1"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "7"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/tracking/T2"))
        .respond_with(ResponseTemplate::new(503).set_body_string("down"))
        .mount(&server)
        .await;
    let client = client(&server);
    let limited = client.track("T1").await.unwrap_err();
    assert_eq!(limited.retry_after(), Some(Duration::from_secs(7)));
    assert!(limited.is_retryable());
    assert!(client.track("T2").await.unwrap_err().is_retryable());
}

#[tokio::test]
async fn pages_are_followed_to_the_last_one() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    for page in 1..=3 {
        Mock::given(method("GET"))
            .and(path("/api/v1/packages"))
            .and(query_param("page", page.to_string()))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"message": "ok", "data": {
                "list": [package_json(&format!("p{page}"))],
                "meta": {"total": 3, "perPage": 1, "currentPage": page, "lastPage": 3}}}),
            ))
            .expect(1)
            .mount(&server)
            .await;
    }
    let all = client(&server).all_packages().await.unwrap();
    let refs: Vec<&str> = all.iter().map(|p| p.partner_ref.as_str()).collect();
    assert_eq!(refs, ["p1", "p2", "p3"]);
}

#[tokio::test]
async fn labels_not_ready_yet_are_a_distinct_result() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("GET"))
        .and(path("/api/v1/packages/a/label"))
        .respond_with(
            ResponseTemplate::new(202)
                .set_body_json(json!({"message": "Label is being generated"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/packages/b/label"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"message": "Label ready", "data": {"url": "https://x/label.pdf"}}),
        ))
        .mount(&server)
        .await;
    let client = client(&server);
    assert_eq!(client.label("a").await.unwrap(), LabelOutcome::NotReady);
    assert_eq!(
        client.label("b").await.unwrap(),
        LabelOutcome::Ready("https://x/label.pdf".to_owned())
    );
}

#[tokio::test]
async fn updates_send_only_what_changed_and_replacement_rules_are_checked_first() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("PATCH"))
        .and(path("/api/v1/packages/kente-1"))
        .and(body_json(json!({"destination_city": "Kumasi"})))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"message": "ok", "data": package_json("kente-1")})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/packages/replacement"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let client = client(&server);
    let update = PackageUpdate {
        destination_city: Some("Kumasi".to_owned()),
        ..PackageUpdate::default()
    };
    client.update_package("kente-1", &update).await.unwrap();
    let one = ReplacementPackage {
        action: ReplacementAction::Deliver,
        package: new_package(Collection::Prepaid),
    };
    let original = Original {
        partner_ref: "kente-1",
        tracking_number: "SHQ1",
    };
    let refused = client
        .replacement(
            &original,
            ReplacementRule::ReturnDeliver,
            std::slice::from_ref(&one),
        )
        .await
        .unwrap_err();
    assert!(matches!(refused, ShaqError::Invalid(_)));
    let wrong_action = client
        .replacement(&original, ReplacementRule::Return, &[one])
        .await
        .unwrap_err();
    assert!(matches!(wrong_action, ShaqError::Invalid(_)));
}

#[tokio::test]
async fn delete_cancel_track_bulk_and_shipments_hit_their_paths() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("DELETE"))
        .and(path("/api/v1/packages/kente-1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"message": "Package deleted successfully", "data": null})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/packages/kente-2/cancel"))
        .and(body_json(json!({"partner_ref": "kente-2"})))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"message": "ok", "data": null})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/tracking/SB1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"message": "ok", "data": {
            "partnerRef": "kente-1", "trackingNumber": "SB1", "status": "dispatched",
            "tracking": [{"status": "pending", "description": "x", "date": "2025-04-10 11:15"},
                         {"status": "dispatched", "description": "y", "date": "2025-04-11T09:00:00Z"}]}})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/packages/bulk"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"message": "ok", "data": [package_json("kente-1047")]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/shipments"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"message": "ok", "data": {"reference": "SAAM-20260322053800", "packages": []}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/shipments/SAAM-20260322053800"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({"message": "ok", "data": {"reference": "SAAM-20260322053800"}}),
            ),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    client.delete_package("kente-1").await.unwrap();
    client.cancel_order("kente-2").await.unwrap();
    let tracking = client.track("SB1").await.unwrap();
    assert_eq!(tracking.tracking[1].status, PackageStatus::Dispatched);
    assert!(
        tracking.tracking.iter().all(|step| step.date.is_some()),
        "both date forms"
    );
    let package = new_package(Collection::Prepaid);
    assert_eq!(
        client
            .bulk_create(std::slice::from_ref(&package))
            .await
            .unwrap()
            .len(),
        1
    );
    let shipment = client.create_shipment(&[package]).await.unwrap();
    assert_eq!(shipment["reference"], "SAAM-20260322053800");
    client.get_shipment("SAAM-20260322053800").await.unwrap();
    let bulk_body: Value = serde_json::from_slice(
        &server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .find(|r| r.url.path() == "/api/v1/packages/bulk")
            .unwrap()
            .body,
    )
    .unwrap();
    assert_eq!(bulk_body["packages"][0]["amount_to_collect"], "0");
}

#[tokio::test]
async fn an_odd_ref_is_found_by_paging_the_list() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("GET"))
        .and(path("/api/v1/packages/%231047"))
        .respond_with(
            ResponseTemplate::new(404).set_body_json(json!({"message": "Package not found"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/packages"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"message": "ok", "data": {
            "list": [package_json("#1047")], "meta": {"total": 1, "perPage": 50, "currentPage": 1, "lastPage": 1}}})))
        .mount(&server)
        .await;
    let found = client(&server).find_package("#1047").await.unwrap();
    assert_eq!(found.map(|p| p.partner_ref), Some("#1047".to_owned()));
}

#[tokio::test]
async fn a_valid_replacement_names_its_original_and_is_sent_with_its_rule_and_actions() {
    let server = MockServer::start().await;
    mount_login(&server).await;
    Mock::given(method("POST"))
        .and(path("/api/v1/packages/kente-1047/replacement"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"message": "ok", "data": [package_json("r-1"), package_json("r-2")]}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let with_action = |action, partner_ref: &str| {
        let mut package = new_package(Collection::Prepaid);
        package.partner_ref = partner_ref.to_owned();
        ReplacementPackage { action, package }
    };
    let created = client(&server)
        .replacement(
            &Original {
                partner_ref: "kente-1047",
                tracking_number: "SHQ1",
            },
            ReplacementRule::ReturnDeliver,
            &[
                with_action(ReplacementAction::Return, "r-1"),
                with_action(ReplacementAction::Deliver, "r-2"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(created.len(), 2);
    let sent: Value = serde_json::from_slice(
        &server
            .received_requests()
            .await
            .unwrap()
            .last()
            .unwrap()
            .body,
    )
    .unwrap();
    assert_eq!(sent["rule"], "return_deliver");
    assert_eq!(sent["packages"][0]["action"], "return");
    assert_eq!(sent["packages"][1]["partner_ref"], "r-2");
}
