//! The client against a local HTTP double.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use digishare_client::{
    Auth, DigishareClient, DigishareConfig, DigishareError, HttpError, MediaUpload, NewTicket,
    Third, TicketUpdate, UpdateMethod,
};
use serde_json::{Map, json};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

fn client(server: &MockServer, auth: Auth, update_method: UpdateMethod) -> DigishareClient {
    DigishareClient::new(DigishareConfig {
        base_url: format!("{}/v1", server.uri()),
        auth,
        timeout: Duration::from_millis(800),
        connect_timeout: Duration::from_secs(2),
        requests_per_second: None,
        max_in_flight: None,
        update_method,
    })
    .unwrap()
}

fn pat(server: &MockServer) -> DigishareClient {
    client(
        server,
        Auth::PersonalAccessToken("pat-123".to_owned().into()),
        UpdateMethod::Put,
    )
}

fn oauth(server: &MockServer) -> DigishareClient {
    client(
        server,
        Auth::ClientCredentials {
            client_id: "cid".to_owned(),
            client_secret: "csecret".to_owned().into(),
        },
        UpdateMethod::Patch,
    )
}

struct Tokens(Arc<AtomicUsize>);

impl Respond for Tokens {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        ResponseTemplate::new(200)
            .set_body_json(json!({"token_type": "Bearer", "expires_in": 31_536_000, "access_token": format!("jwt-{n}")}))
            .set_delay(Duration::from_millis(50))
    }
}

async fn mount_oauth(server: &MockServer) -> Arc<AtomicUsize> {
    let count = Arc::new(AtomicUsize::new(0));
    Mock::given(method("POST"))
        .and(path("/v1/oauth/token"))
        .and(body_json(json!({"grant_type": "client_credentials", "client_id": "cid", "client_secret": "csecret"})))
        .respond_with(Tokens(count.clone()))
        .mount(server)
        .await;
    count
}

#[tokio::test]
async fn create_ticket_sends_the_ecommerce_field_set_and_reads_either_shape() {
    let server = MockServer::start().await;
    let mut campaign = Map::new();
    campaign.insert("order_id".to_owned(), json!("12345"));
    Mock::given(method("POST"))
        .and(path("/v1/tickets"))
        .and(header("authorization", "Bearer pat-123"))
        .and(body_json(json!({
            "external_id": "ORDER-12345", "type_ticket_id": "npvrxamq9l94y8dz", "ticket_status_id": "x9q3wrlv0m7vzea8",
            "create_third_data": true, "subject": "Order Confirmation", "lang": "fr",
            "information": {"third": {"ext_ref": "CUSTOMER-67890", "name": "Ahmed Alami", "wa_id": "212600000000"},
                            "campaign_data": {"order_id": "12345"}}
        })))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"data": {"id": "tkt-hash", "ticket_status_id": "x9q3wrlv0m7vzea8", "information": []}})))
        .expect(1)
        .mount(&server)
        .await;
    let mut ticket = NewTicket::new(
        "ORDER-12345",
        "npvrxamq9l94y8dz",
        "x9q3wrlv0m7vzea8",
        "Order Confirmation",
    )
    .third(&Third {
        ext_ref: Some("CUSTOMER-67890".to_owned()),
        name: Some("Ahmed Alami".to_owned()),
        wa_id: Some("212600000000".to_owned()),
        email: None,
        id: None,
    })
    .campaign_data(campaign);
    ticket.lang = Some("fr".to_owned());
    let created = pat(&server).create_ticket(&ticket).await.unwrap();
    assert_eq!(created.id, "tkt-hash");
    assert!(
        created.information.is_empty(),
        "`[]` read as an empty object"
    );
}

#[tokio::test]
async fn fifty_concurrent_calls_fetch_one_oauth_token() {
    let server = MockServer::start().await;
    let tokens = mount_oauth(&server).await;
    Mock::given(method("GET"))
        .and(path("/v1/user/profile"))
        .and(header("authorization", "Bearer jwt-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": {"id": "u"}})))
        .mount(&server)
        .await;
    let client = oauth(&server);
    let calls = (0..50).map(|_| client.verify_credentials());
    for result in futures::future::join_all(calls).await {
        result.unwrap();
    }
    assert_eq!(tokens.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_401_reissues_the_token_once_and_replays() {
    let server = MockServer::start().await;
    let tokens = mount_oauth(&server).await;
    Mock::given(method("GET"))
        .and(path("/v1/user/profile"))
        .and(header("authorization", "Bearer jwt-1"))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(json!({"message": "Unauthenticated."})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/user/profile"))
        .and(header("authorization", "Bearer jwt-2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": {"id": "u"}})))
        .mount(&server)
        .await;
    oauth(&server).verify_credentials().await.unwrap();
    assert_eq!(tokens.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn status_updates_use_the_configured_method() {
    let server = MockServer::start().await;
    mount_oauth(&server).await;
    Mock::given(method("PATCH"))
        .and(path("/v1/tickets/tkt-1"))
        .and(body_json(json!({"ticket_status_id": "yqdwrbka7kz69v8e"})))
        .respond_with(ResponseTemplate::new(200).set_body_string(""))
        .expect(1)
        .mount(&server)
        .await;
    let update = TicketUpdate {
        ticket_status_id: Some("yqdwrbka7kz69v8e".to_owned()),
        ..TicketUpdate::default()
    };
    assert_eq!(
        oauth(&server)
            .update_ticket("tkt-1", &update)
            .await
            .unwrap(),
        None,
        "an empty answer is still a success"
    );
}

#[tokio::test]
async fn errors_are_sorted_for_the_job_queue() {
    let server = MockServer::start().await;
    let responses = [
        (
            "/v1/tickets/a",
            ResponseTemplate::new(429).insert_header("Retry-After", "3"),
        ),
        (
            "/v1/tickets/b",
            ResponseTemplate::new(422).set_body_json(json!({"message": "invalid", "errors": {"ticket_status_id": ["The selected ticket status id is invalid."]}})),
        ),
        (
            "/v1/tickets/c",
            ResponseTemplate::new(502).insert_header("x-request-id", "req-9"),
        ),
        (
            "/v1/tickets/d",
            ResponseTemplate::new(200).set_delay(Duration::from_secs(3)),
        ),
        (
            "/v1/tickets/e",
            ResponseTemplate::new(200).set_body_string("<html>oops"),
        ),
    ];
    for (p, response) in responses {
        Mock::given(method("PUT"))
            .and(path(p))
            .respond_with(response)
            .mount(&server)
            .await;
    }
    let client = pat(&server);
    let update = TicketUpdate::default();
    let limited = client.update_ticket("a", &update).await.unwrap_err();
    assert_eq!(limited.retry_after(), Some(Duration::from_secs(3)));
    assert!(limited.is_retryable());
    let invalid = client.update_ticket("b", &update).await.unwrap_err();
    assert!(
        matches!(&invalid, DigishareError::Http(HttpError::Validation { errors, .. }) if errors.contains_key("ticket_status_id"))
    );
    assert!(!invalid.is_retryable());
    let server_error = client.update_ticket("c", &update).await.unwrap_err();
    assert!(
        matches!(&server_error, DigishareError::Http(HttpError::Server { request_id: Some(id), .. }) if id == "req-9")
    );
    assert!(matches!(
        client.update_ticket("d", &update).await.unwrap_err(),
        DigishareError::Http(HttpError::NoAnswer { .. })
    ));
    assert!(matches!(
        client.update_ticket("e", &update).await.unwrap_err(),
        DigishareError::Http(HttpError::Decode { .. })
    ));
}

#[tokio::test]
async fn find_by_external_id_searches_and_checks_each_result() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/tickets"))
        .and(query_param("search", "kente-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [{"id": "t-10", "external_id": "kente-10"}, {"id": "t-1", "external_id": "kente-1", "ticket_status_id": "s"}],
            "meta": {"pagination": {"current_page": 1, "total_pages": 1}}})))
        .mount(&server)
        .await;
    let found = pat(&server)
        .find_ticket_by_external_id("kente-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        found.id, "t-1",
        "kente-10 matches the search too but is not ours"
    );
}

/// The guide's body exactly (`type`, `category`, `file.{base64, file_name, mime_type}`), and
/// `file.extension` only for an account that asks for it.
#[tokio::test]
async fn media_upload_sends_the_guides_body_and_refuses_names_with_extensions() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/messagesTemplates"))
        .and(body_json(
            json!({"type": "file", "category": "document", "file": {
            "base64": "data:application/pdf;base64,JVBERg==", "file_name": "invoice-1",
            "mime_type": "application/pdf"}}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": {"id": "media-1"}})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/messagesTemplates"))
        .and(body_json(
            json!({"type": "file", "category": "document", "file": {
            "base64": "data:application/pdf;base64,JVBERg==", "file_name": "label-1",
            "mime_type": "application/pdf", "extension": "pdf"}}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "media-2"})))
        .expect(1)
        .mount(&server)
        .await;
    let client = pat(&server);
    let upload = MediaUpload {
        bytes: b"%PDF".to_vec(),
        file_name: "invoice-1".to_owned(),
        extension: None,
        mime_type: "application/pdf".to_owned(),
    };
    let with_extension = MediaUpload {
        file_name: "label-1".to_owned(),
        extension: Some("pdf".to_owned()),
        ..upload.clone()
    };
    assert_eq!(
        client.upload_media(&with_extension).await.unwrap().id,
        "media-2"
    );
    let media = client.upload_media(&upload).await.unwrap();
    assert_eq!(
        (media.provider.as_str(), media.id.as_str()),
        ("digishare", "media-1")
    );
    let bad = MediaUpload {
        file_name: "label-1.pdf".to_owned(),
        ..upload
    };
    assert!(matches!(
        client.upload_media(&bad).await.unwrap_err(),
        DigishareError::Invalid(_)
    ));
}

#[tokio::test]
async fn thirds_and_plain_pagination_meta() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/thirds"))
        .and(body_json(json!({"name": "Ama", "wa_id": "233244123456"})))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(
                json!({"data": {"id": "th-1", "name": "Ama", "wa_id": "233244123456"}}),
            ),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path("/v1/thirds/th-1"))
        .and(body_json(json!({"name": "Ama Mensah"})))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": {"id": "th-1", "name": "Ama Mensah"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/thirds/th-1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": {"id": "th-1", "name": "Ama Mensah"}})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/thirds"))
        .and(query_param("search", "2332441"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": [{"id": "th-1", "name": "Ama Mensah"}]})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/tickets"))
        .and(query_param("page", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [{"id": "t"}],
            "meta": {"total": 30, "count": 1, "per_page": 25, "current_page": 2, "total_pages": 2, "links": null}})))
        .mount(&server)
        .await;
    let client = pat(&server);
    let created = client
        .create_third(&Third {
            ext_ref: None,
            name: Some("Ama".to_owned()),
            wa_id: Some("233244123456".to_owned()),
            email: None,
            id: None,
        })
        .await
        .unwrap();
    assert_eq!(created.id.as_deref(), Some("th-1"));
    let renamed = client
        .update_third(
            "th-1",
            &Third {
                ext_ref: None,
                name: Some("Ama Mensah".to_owned()),
                wa_id: None,
                email: None,
                id: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(renamed.name.as_deref(), Some("Ama Mensah"));
    assert_eq!(
        client.get_third("th-1").await.unwrap().name.as_deref(),
        Some("Ama Mensah")
    );
    assert_eq!(client.search_thirds("2332441").await.unwrap().len(), 1);
    let page = client
        .list_tickets(&digishare_client::TicketFilter {
            page: Some(2),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!((page.current_page, page.total_pages), (2, 2));
}
