//! The source documents' own flows, end to end over HTTP against the simulators, on SQLite and
//! PostgreSQL: the invoice on the ticket (Digishare's e-commerce guide), ShaQ's delivery window,
//! new day and comments, a changed amount to collect, and statuses that step back. The
//! operations each document names, and the test covering each, are listed in
//! docs/conformance.md.

use std::time::Duration;

use bridge_core::domain::OrderKey;
use bridge_core::testing::TestBackend;
use bridge_sandbox::SandboxConfig;
use bridge_sandbox::shops::woocommerce_order;
use bridge_sandbox::wait_for;
use serde_json::Value;

use crate::journeys::{Journey, LIMIT, cod_spec, timeline_of};

/// The ticket's template variables.
fn campaign_data(ticket: &Value) -> &Value {
    &ticket["information"]["campaign_data"]
}

/// The `atlas` (WooCommerce) and `kente` (Shopify) shops send invoices, as merchants with an
/// address on file would.
fn with_invoices(settings: &mut bridge_server::configuration::Settings, wait: Duration) {
    for shop in &mut settings.shops {
        if ["atlas", "kente"].contains(&shop.id.as_str()) {
            shop.invoice.seller_name = Some("Atlas Wax Prints".to_owned());
            shop.invoice.seller_address = vec!["14 Kejetia Road".to_owned(), "Kumasi".to_owned()];
            shop.invoice.wait = wait;
        }
    }
}

/// The guide's headline flow: the invoice is uploaded (`POST /messagesTemplates` with the
/// guide's body) and named in the ticket's creation (`campaign_data.invoice_document`); the
/// PDF Digishare holds reads back in the customer's language — Arabic for a customer who writes
/// in Arabic, English for a Ghanaian one, French for a Moroccan Shopify customer (`fr-MA`).
async fn a_new_ticket_carries_the_invoice_in_the_customers_language(backend: TestBackend) {
    const TOKEN: &str = "seed-admin-token-0123456789";
    let journey = Journey::start_with(backend, SandboxConfig::default(), |settings| {
        with_invoices(settings, Duration::from_secs(120));
        settings.server.admin_token = Some(TOKEN.to_owned().into());
    })
    .await;
    let (sender, url) = journey.woo();
    let mut arabic = woocommerce_order(&cod_spec(3102));
    for part in ["billing", "shipping"] {
        arabic[part]["first_name"] = Value::from("محمد");
        arabic[part]["last_name"] = Value::from("العلوي");
    }
    assert_eq!(
        sender
            .send(&url, "order.created", &woocommerce_order(&cod_spec(3101)))
            .await
            .status,
        200
    );
    assert_eq!(
        sender.send(&url, "order.created", &arabic).await.status,
        200
    );
    for (reference, words) in [
        ("atlas-3101", ["Invoice", "Deliver to", "Atlas Wax Prints"]),
        // (Words without the lam-alef ligatures: poppler's pdftotext turns a ligature's
        // characters around in right-to-left text — `لا` reads `ال` — though the PDF maps
        // them in order; `documents` checks the same words by their glyphs.)
        (
            "atlas-3102",
            ["فاتورة", "المبلغ المطلوب عند التسليم", "محمد العلوي"],
        ),
    ] {
        let ticket = journey.ticket(reference).await;
        let invoice = &campaign_data(&ticket)["invoice_document"];
        assert_eq!(invoice["provider"], "digishare", "{ticket}");
        let id = invoice["id"].as_str().expect("an invoice id on creation");
        let pdf = journey
            .sandbox
            .digishare
            .media_file(id)
            .expect("Digishare holds the upload");
        let text = documents::extracted_text(&pdf).unwrap();
        for word in words {
            assert!(text.contains(word), "{reference}: {word} in {text}");
        }
        assert!(text.contains("14 Kejetia Road"), "{text}");
    }
    // Exactly the guide's body: no `extension`, category `document`.
    for upload in journey.sandbox.digishare.media() {
        assert_eq!(upload["category"], "document", "{upload}");
        assert!(upload["extension"].is_null(), "{upload}");
        assert!(
            upload["file_name"]
                .as_str()
                .unwrap()
                .starts_with("invoice-"),
            "{upload}"
        );
    }
    journey.settle().await;
    let order = journey
        .store
        .order(&OrderKey::new("atlas/3102"))
        .await
        .unwrap()
        .unwrap();
    assert!(order.ticket_media().invoice.is_some());
    // The same invoice from the admin API (and the console's order page).
    let download = reqwest::Client::new()
        .get(format!(
            "{}/api/orders/atlas/3102/invoice.pdf",
            journey.bridge
        ))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), 200);
    assert_eq!(download.headers()["content-type"], "application/pdf");
    let text = documents::extracted_text(&download.bytes().await.unwrap()).unwrap();
    assert!(text.contains("محمد العلوي"), "{text}");
    assert!(
        timeline_of(&journey, "atlas/3102")
            .await
            .iter()
            .any(|line| line.contains("with its invoice")),
    );
    journey.stop().await;
}

/// Digishare refuses the upload: the ticket waits `[shops.invoice] wait`, then is created
/// without it (the customer is not kept waiting), and the invoice is attached once Digishare
/// takes it.
async fn a_failing_upload_delays_the_ticket_a_bounded_time_then_the_invoice_follows(
    backend: TestBackend,
) {
    let journey = Journey::start_with(backend, SandboxConfig::default(), |settings| {
        with_invoices(settings, Duration::from_secs(1));
    })
    .await;
    journey
        .sandbox
        .digishare
        .faults
        .set_plan(bridge_sandbox::faults::FaultPlan {
            server_error: 1.0,
            paths: vec!["/v1/messagesTemplates".to_owned()],
            ..Default::default()
        });
    let (sender, url) = journey.woo();
    sender
        .send(&url, "order.created", &woocommerce_order(&cod_spec(3111)))
        .await;
    let ticket = journey.ticket("atlas-3111").await;
    assert!(
        campaign_data(&ticket)["invoice_document"].is_null(),
        "created without it: {ticket}"
    );
    let key = OrderKey::new("atlas/3111");
    wait_for("the timeline to say so", LIMIT, || async {
        timeline_of(&journey, "atlas/3111")
            .await
            .into_iter()
            .find(|line| line.contains("without its invoice for now"))
    })
    .await
    .unwrap();
    journey
        .sandbox
        .digishare
        .faults
        .set_plan(bridge_sandbox::faults::FaultPlan::default());
    let attached = wait_for("the invoice to be attached", LIMIT, || async {
        journey
            .store
            .order(&key)
            .await
            .ok()
            .flatten()?
            .ticket_media()
            .invoice
            .clone()
    })
    .await
    .unwrap();
    let ticket = journey.ticket("atlas-3111").await;
    assert_eq!(
        campaign_data(&ticket)["invoice_document"]["id"],
        attached.as_str()
    );
    journey.stop().await;
}

/// ShaQ's delivery window (from the package's creation), the new day after a failed attempt
/// (read from the package record, which the webhook does not carry) and the step's comment all
/// reach the customer's ticket in their words.
async fn shaqs_window_new_day_and_comment_reach_the_ticket(backend: TestBackend) {
    let journey = Journey::start(backend, SandboxConfig::default()).await;
    let package = journey.ship_woo(3201).await;
    let ticket = journey.ticket("atlas-3201").await;
    let data = campaign_data(&ticket);
    assert!(data["eta_from"].is_string(), "{data}");
    assert!(
        data["eta_text"]
            .as_str()
            .unwrap_or_default()
            .starts_with("Expected between "),
        "{data}"
    );
    let new_day = (chrono::Utc::now() + chrono::Duration::days(3)).date_naive();
    let comment =
        "Customer was unreachable upon arrival. Package rescheduled for 2nd delivery attempt.";
    journey
        .sandbox
        .shaq
        .advance_with(
            package.partner_ref(),
            "rescheduled",
            Some(comment),
            Some(new_day),
        )
        .unwrap();
    let data = wait_for("the new day on the ticket", LIMIT, || async {
        let ticket = journey
            .sandbox
            .digishare
            .ticket_by_external_id("atlas-3201")?;
        let data = campaign_data(&ticket).clone();
        (data["rescheduled_date"] == new_day.to_string() && data["status"] == "rescheduled")
            .then_some(data)
    })
    .await
    .unwrap();
    assert_eq!(data["status_comment"], comment, "{data}");
    assert!(
        data["rescheduled_text"]
            .as_str()
            .unwrap_or_default()
            .starts_with("New delivery date: "),
        "{data}"
    );
    journey.stop().await;
}

/// ShaQ changes the amount to collect at the customer's request: the customer is told (the
/// ticket moves to `amount_updated`, with the old and new amounts), so is the shop (a private
/// note in WooCommerce), and the timeline says it.
async fn a_changed_amount_reaches_customer_and_shop(backend: TestBackend) {
    let journey = Journey::start(backend, SandboxConfig::default()).await;
    journey.ship_woo(3301).await;
    let client = reqwest::Client::new();
    let answer = client
        .post(format!(
            "{}/_sandbox/packages/atlas-3301/amount",
            journey.sandbox.shaq_url().trim_end_matches("/api/v1")
        ))
        .json(&serde_json::json!({"amount": "95.50", "reason": "Items changed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200, "{}", answer.text().await.unwrap());
    let amount_updated = journey.status_id("amount_updated");
    let ticket = wait_for("the ticket to move", LIMIT, || async {
        let ticket = journey
            .sandbox
            .digishare
            .ticket_by_external_id("atlas-3301")?;
        (ticket["ticket_status_id"] == amount_updated.as_str()).then_some(ticket)
    })
    .await
    .unwrap();
    let data = campaign_data(&ticket);
    assert_eq!(data["amount_to_collect"], "95.50", "{data}");
    assert!(
        data["amount_change_text"]
            .as_str()
            .unwrap_or_default()
            .contains("95.50 GHS"),
        "{data}"
    );
    journey.settle().await;
    let notes: Vec<String> = journey
        .sandbox
        .shops
        .received()
        .iter()
        .filter(|r| r.order_id.as_deref() == Some("3301"))
        .map(|r| r.body.to_string())
        .collect();
    assert!(
        notes
            .iter()
            .any(|note| note.contains("changed the amount to collect") && note.contains("95.50")),
        "{notes:?}"
    );
    assert!(
        timeline_of(&journey, "atlas/3301")
            .await
            .iter()
            .any(|line| line.contains("→ 95.50 GHS (Items changed)")),
    );
    // The shop's report counts it.
    let today = chrono::Utc::now().date_naive();
    let report = journey
        .store
        .report(&bridge_core::reports::ReportRequest {
            shop: bridge_core::domain::ShopId::new("atlas"),
            from: today - chrono::Duration::days(1),
            to: today + chrono::Duration::days(1),
            by: bridge_core::reports::Granularity::Day,
            time_zone: chrono_tz::UTC,
        })
        .await
        .unwrap();
    assert_eq!(report.total.amount_changed, 1);
    journey.stop().await;
}

/// ShaQ's own history goes `shipped → pending → shipped`: the customer hears "in transit" once,
/// and nothing for the step back or the step forward again.
async fn a_step_back_and_forth_sends_the_customer_nothing_new(backend: TestBackend) {
    let journey = Journey::start(backend, SandboxConfig::default()).await;
    journey.ship_woo(3401).await;
    journey.courier("atlas-3401", "atlas/3401", "shipped").await;
    let moves = || async {
        journey
            .sandbox
            .digishare
            .recorder
            .matching("PUT", "/v1/tickets/")
            .len()
    };
    let before = moves().await;
    journey
        .sandbox
        .shaq
        .advance("atlas-3401", "pending")
        .unwrap();
    wait_for("the step back on the timeline", LIMIT, || async {
        timeline_of(&journey, "atlas/3401")
            .await
            .into_iter()
            .find(|line| line.contains("went back from shipped to pending"))
    })
    .await
    .unwrap();
    journey
        .sandbox
        .shaq
        .advance("atlas-3401", "shipped")
        .unwrap();
    wait_for("the repeat on the timeline", LIMIT, || async {
        timeline_of(&journey, "atlas/3401")
            .await
            .into_iter()
            .find(|line| line.contains("status unchanged"))
    })
    .await
    .unwrap();
    journey.settle().await;
    assert_eq!(moves().await, before, "no ticket update for either step");
    let ticket = journey.ticket("atlas-3401").await;
    assert_eq!(ticket["ticket_status_id"], journey.status_id("in_transit"));
    journey.stop().await;
}

on_both_backends!(
    a_new_ticket_carries_the_invoice_in_the_customers_language,
    a_failing_upload_delays_the_ticket_a_bounded_time_then_the_invoice_follows,
    shaqs_window_new_day_and_comment_reach_the_ticket,
    a_changed_amount_reaches_customer_and_shop,
    a_step_back_and_forth_sends_the_customer_nothing_new,
);
