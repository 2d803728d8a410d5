//! The workflow read as the spec: given an order in a state, when news arrives, then…

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::json;

use super::*;
use crate::jobs::JobKind;
use crate::lifecycle::OrderState;

fn at(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 10, minute, 0)
        .single()
        .expect("valid time")
}

fn order(state: OrderState) -> OrderRecord {
    OrderRecord {
        order_key: "kente/1047".to_owned(),
        shop_id: "kente".to_owned(),
        platform_order_id: "1047".to_owned(),
        order_ref: "#1047".to_owned(),
        state,
        attention_reason: None,
        order: json!({}),
        order_version: Some("2026-11-23T10:00:00+00:00".to_owned()),
        partner_ref: "kente-1047".to_owned(),
        tracking_number: None,
        ticket_id: Some("tkt1".to_owned()),
        courier_status: None,
        courier_status_at: None,
        ticket_status: Some("st-await".to_owned()),
        ticket_status_at: None,
        amount_to_collect: Some("300.00".to_owned()),
        currency: Some("GHS".to_owned()),
        created_at: at(0),
        updated_at: at(0),
    }
}

fn courier(status: &str, minute: u32) -> CourierNews {
    CourierNews {
        event_id: format!("evt-{status}-{minute}"),
        occurred_at: at(minute),
        status: status.to_owned(),
        description: None,
        comment: None,
        proof_url: None,
    }
}

fn kinds(decision: &Decision) -> Vec<JobKind> {
    decision.jobs.iter().map(|job| job.kind).collect()
}

fn ticket_key(decision: &Decision) -> Option<String> {
    decision
        .jobs
        .iter()
        .find(|job| job.kind == JobKind::MoveTicket)
        .and_then(|job| job.payload["status_key"].as_str().map(str::to_owned))
}

fn statuses() -> TicketStatuses {
    TicketStatuses(
        [
            ("awaiting_confirmation", "st-await"),
            ("confirmed", "st-yes"),
            ("cancelled", "st-no"),
            ("delivered", "st-done"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect(),
    )
}

#[test]
fn each_courier_status_moves_the_ticket_as_mapped() {
    let mapping = CourierMapping::default();
    let cases = [
        ("received", OrderState::InTransit, "picked_up"),
        ("dispatched", OrderState::OutForDelivery, "out_for_delivery"),
        ("delivered", OrderState::Delivered, "delivered"),
        (
            "not_delivered",
            OrderState::DeliveryProblem,
            "delivery_problem",
        ),
        ("return_picked", OrderState::Returning, "returning"),
        ("returned_to_sender", OrderState::Returned, "returned"),
    ];
    for (status, state, key) in cases {
        let decision = on_courier_status(
            &order(OrderState::Shipping),
            &courier(status, 5),
            &mapping,
            at(6),
        );
        let next = decision.order.clone().expect("order updated");
        assert_eq!(next.state, state, "{status}");
        assert_eq!(next.courier_status.as_deref(), Some(status));
        assert_eq!(ticket_key(&decision).as_deref(), Some(key), "{status}");
    }
}

#[test]
fn given_a_cod_order_out_for_delivery_when_shaq_reports_delivered_then_the_shop_hears_it() {
    let mut current = order(OrderState::OutForDelivery);
    current.courier_status = Some("dispatched".to_owned());
    current.courier_status_at = Some(at(10));
    let decision = on_courier_status(
        &current,
        &courier("delivered", 20),
        &CourierMapping::default(),
        at(21),
    );
    assert_eq!(
        kinds(&decision),
        [JobKind::MoveTicket, JobKind::WriteBackToShop]
    );
    assert_eq!(decision.jobs[1].payload["milestone"], "delivered");
    assert_eq!(
        decision.jobs[1].dedupe_key,
        "write_back_to_shop:kente/1047:delivered"
    );
}

#[test]
fn an_older_courier_event_changes_nothing() {
    let mut current = order(OrderState::Delivered);
    current.courier_status = Some("delivered".to_owned());
    current.courier_status_at = Some(at(30));
    let decision = on_courier_status(
        &current,
        &courier("dispatched", 20),
        &CourierMapping::default(),
        at(31),
    );
    assert!(decision.order.is_none());
    assert!(decision.jobs.is_empty());
    assert!(
        decision.outcome.starts_with("ignored"),
        "{}",
        decision.outcome
    );
}

#[test]
fn a_newer_backward_status_moves_the_ticket_but_not_the_order() {
    let mut current = order(OrderState::OutForDelivery);
    current.courier_status = Some("dispatched".to_owned());
    current.courier_status_at = Some(at(10));
    let decision = on_courier_status(
        &current,
        &courier("in_transit", 15),
        &CourierMapping::default(),
        at(16),
    );
    assert_eq!(
        decision.order.as_ref().map(|o| o.state),
        Some(OrderState::OutForDelivery)
    );
    assert_eq!(ticket_key(&decision).as_deref(), Some("in_transit"));
    assert_eq!(
        kinds(&decision),
        [JobKind::MoveTicket],
        "no write-back for a step back"
    );
}

#[test]
fn an_unknown_courier_status_is_recorded_not_sent() {
    let decision = on_courier_status(
        &order(OrderState::InTransit),
        &courier("teleported", 5),
        &CourierMapping::default(),
        at(6),
    );
    assert!(decision.jobs.is_empty());
    let next = decision.order.expect("recorded");
    assert_eq!(next.courier_status.as_deref(), Some("teleported"));
    assert_eq!(next.state, OrderState::InTransit);
}

#[test]
fn the_same_courier_event_twice_is_one_ticket_move() {
    let first = on_courier_status(
        &order(OrderState::Shipping),
        &courier("received", 5),
        &CourierMapping::default(),
        at(6),
    );
    let applied = first.order.clone().expect("applied");
    let second = on_courier_status(
        &applied,
        &courier("received", 5),
        &CourierMapping::default(),
        at(7),
    );
    assert!(second.jobs.is_empty());
    assert!(second.outcome.starts_with("ignored"));
}

#[test]
fn amount_change_updates_the_order_and_refreshes_the_ticket() {
    let news = AmountNews {
        event_id: "evt-amt".to_owned(),
        occurred_at: at(5),
        new_amount: "250.00".to_owned(),
        currency: Some("GHS".to_owned()),
        reason: Some("customer returned one item".to_owned()),
    };
    let decision = on_amount_changed(&order(OrderState::OutForDelivery), &news, at(6));
    assert_eq!(
        decision
            .order
            .as_ref()
            .and_then(|o| o.amount_to_collect.clone())
            .as_deref(),
        Some("250.00")
    );
    assert_eq!(kinds(&decision), [JobKind::MoveTicket]);
    assert_eq!(ticket_key(&decision), None, "data refresh only");
}

#[test]
fn customer_confirmation_ships_a_waiting_order() {
    let news = TicketNews {
        ticket_id: "tkt1".to_owned(),
        changed_at: None,
        status_id: "st-yes".to_owned(),
    };
    let decision = on_ticket_status(
        &order(OrderState::AwaitingConfirmation),
        &news,
        &statuses(),
        at(5),
    );
    assert_eq!(
        decision.order.as_ref().map(|o| o.state),
        Some(OrderState::Shipping)
    );
    assert_eq!(
        kinds(&decision),
        [JobKind::CreatePackage, JobKind::WriteBackToShop]
    );
}

#[test]
fn customer_decline_cancels_the_order_in_the_shop() {
    let news = TicketNews {
        ticket_id: "tkt1".to_owned(),
        changed_at: None,
        status_id: "st-no".to_owned(),
    };
    let decision = on_ticket_status(
        &order(OrderState::AwaitingConfirmation),
        &news,
        &statuses(),
        at(5),
    );
    assert_eq!(
        decision.order.as_ref().map(|o| o.state),
        Some(OrderState::Cancelled)
    );
    assert_eq!(
        kinds(&decision),
        [JobKind::CancelPackage, JobKind::WriteBackToShop]
    );
    assert_eq!(decision.jobs[1].payload["milestone"], "cancelled");
}

#[test]
fn the_echo_of_our_own_ticket_move_is_ignored() {
    let mut current = order(OrderState::Delivered);
    current.ticket_status = Some("st-done".to_owned());
    let news = TicketNews {
        ticket_id: "tkt1".to_owned(),
        changed_at: None,
        status_id: "st-done".to_owned(),
    };
    let decision = on_ticket_status(&current, &news, &statuses(), at(5));
    assert!(decision.order.is_none());
    assert!(decision.jobs.is_empty());
}

#[test]
fn confirming_twice_ships_once() {
    let news = TicketNews {
        ticket_id: "tkt1".to_owned(),
        changed_at: None,
        status_id: "st-yes".to_owned(),
    };
    let first = on_ticket_status(
        &order(OrderState::AwaitingConfirmation),
        &news,
        &statuses(),
        at(5),
    );
    let shipped = first.order.expect("applied");
    let second = on_ticket_status(&shipped, &news, &statuses(), at(6));
    assert!(second.jobs.is_empty());
}

fn news(cod: bool) -> ShopOrderNews {
    let mut record = order(OrderState::Received);
    record.ticket_id = None;
    record.ticket_status = None;
    ShopOrderNews {
        record,
        version: Some(at(0)),
        cancelled: false,
        cash_on_delivery: cod,
        unshippable: None,
        shipping_changed: false,
        collect_changed: false,
    }
}

fn policy(flow: Flow) -> ShopPolicy {
    ShopPolicy {
        flow,
        prepaid_skips_confirmation: true,
        confirmation_timeout: Some(std::time::Duration::from_secs(24 * 3600)),
    }
}

#[test]
fn confirm_first_sends_a_ticket_and_waits() {
    let decision = on_shop_order(None, &news(true), &policy(Flow::ConfirmFirst), at(1));
    assert_eq!(
        decision.order.as_ref().map(|o| o.state),
        Some(OrderState::AwaitingConfirmation)
    );
    assert_eq!(
        kinds(&decision),
        [JobKind::CreateTicket, JobKind::ExpireConfirmation]
    );
    assert_eq!(
        decision.jobs[0].payload["status_key"],
        "awaiting_confirmation"
    );
    assert_eq!(decision.jobs[1].run_at, Some(at(1) + Duration::hours(24)));
}

#[test]
fn prepaid_orders_may_skip_confirmation() {
    let decision = on_shop_order(None, &news(false), &policy(Flow::ConfirmFirst), at(1));
    assert_eq!(
        decision.order.as_ref().map(|o| o.state),
        Some(OrderState::Shipping)
    );
    assert_eq!(
        kinds(&decision),
        [JobKind::CreateTicket, JobKind::CreatePackage]
    );
}

#[test]
fn ship_immediately_creates_ticket_and_package() {
    let decision = on_shop_order(None, &news(true), &policy(Flow::ShipImmediately), at(1));
    assert_eq!(
        decision.order.as_ref().map(|o| o.state),
        Some(OrderState::Shipping)
    );
    assert_eq!(
        kinds(&decision),
        [JobKind::CreateTicket, JobKind::CreatePackage]
    );
    assert_eq!(decision.jobs[0].payload["status_key"], "received");
}

#[test]
fn an_unshippable_order_needs_attention_and_recovers_when_fixed() {
    let mut broken = news(true);
    broken.unshippable = Some("no phone number".to_owned());
    let first = on_shop_order(None, &broken, &policy(Flow::ShipImmediately), at(1));
    let stored = first.order.expect("stored");
    assert_eq!(stored.state, OrderState::NeedsAttention);
    assert_eq!(stored.attention_reason.as_deref(), Some("no phone number"));
    assert!(first.jobs.is_empty());

    let mut fixed = news(true);
    fixed.version = Some(at(9));
    fixed.record.order_version = Some(at(9).to_rfc3339());
    let second = on_shop_order(
        Some(&stored),
        &fixed,
        &policy(Flow::ShipImmediately),
        at(10),
    );
    assert_eq!(
        second.order.as_ref().map(|o| o.state),
        Some(OrderState::Shipping)
    );
    assert_eq!(
        kinds(&second),
        [JobKind::CreateTicket, JobKind::CreatePackage]
    );
}

#[test]
fn an_older_or_repeated_shop_version_is_ignored() {
    let stored = order(OrderState::Shipping);
    let mut old = news(true);
    old.version = Some(at(0));
    let decision = on_shop_order(Some(&stored), &old, &policy(Flow::ShipImmediately), at(5));
    assert!(decision.order.is_none());
    assert!(decision.outcome.starts_with("ignored"));
}

#[test]
fn shop_cancel_before_pickup_cancels_package_and_ticket() {
    let mut stored = order(OrderState::Shipping);
    stored.tracking_number = Some("SHQ1".to_owned());
    stored.courier_status = Some("pending".to_owned());
    let mut cancel = news(true);
    cancel.version = Some(at(9));
    cancel.cancelled = true;
    let decision = on_shop_order(
        Some(&stored),
        &cancel,
        &policy(Flow::ShipImmediately),
        at(10),
    );
    assert_eq!(
        decision.order.as_ref().map(|o| o.state),
        Some(OrderState::Cancelled)
    );
    assert_eq!(
        kinds(&decision),
        [JobKind::CancelPackage, JobKind::MoveTicket]
    );
    assert_eq!(ticket_key(&decision).as_deref(), Some("cancelled"));
}

#[test]
fn shop_cancel_after_pickup_asks_shaq_and_keeps_following_the_package() {
    let mut stored = order(OrderState::InTransit);
    stored.tracking_number = Some("SHQ1".to_owned());
    let mut cancel = news(true);
    cancel.version = Some(at(9));
    cancel.cancelled = true;
    let decision = on_shop_order(
        Some(&stored),
        &cancel,
        &policy(Flow::ShipImmediately),
        at(10),
    );
    assert_eq!(
        decision.order.as_ref().map(|o| o.state),
        Some(OrderState::InTransit)
    );
    assert_eq!(kinds(&decision), [JobKind::CancelPackage]);
}

#[test]
fn an_address_change_while_pending_patches_the_package() {
    let mut stored = order(OrderState::Shipping);
    stored.tracking_number = Some("SHQ1".to_owned());
    stored.courier_status = Some("pending".to_owned());
    let mut changed = news(true);
    changed.version = Some(at(9));
    changed.record.order_version = Some(at(9).to_rfc3339());
    changed.shipping_changed = true;
    let decision = on_shop_order(
        Some(&stored),
        &changed,
        &policy(Flow::ShipImmediately),
        at(10),
    );
    assert_eq!(kinds(&decision), [JobKind::UpdatePackage]);

    // Once picked up, ShaQ is not patched; a person is told.
    stored.courier_status = Some("received".to_owned());
    stored.state = OrderState::InTransit;
    let decision = on_shop_order(
        Some(&stored),
        &changed,
        &policy(Flow::ShipImmediately),
        at(10),
    );
    assert!(decision.jobs.is_empty());
    assert!(decision.timeline.iter().any(|l| l.kind == "attention"));
}

#[test]
fn a_repeated_status_does_not_message_the_customer_again() {
    let mut current = order(OrderState::Shipping);
    current.courier_status = Some("pending".to_owned());
    current.courier_status_at = Some(at(1));
    let decision = on_courier_status(
        &current,
        &courier("pending", 2),
        &CourierMapping::default(),
        at(3),
    );
    assert!(decision.jobs.is_empty());
    assert_eq!(
        decision.order.and_then(|o| o.courier_status_at),
        Some(at(2))
    );
}

#[test]
fn the_echo_of_a_write_back_changes_nothing() {
    let mut stored = order(OrderState::InTransit);
    stored.tracking_number = Some("SHQ1".to_owned());
    let mut echo = news(true);
    echo.version = Some(at(9));
    echo.record.order_version = Some(at(9).to_rfc3339());
    let decision = on_shop_order(Some(&stored), &echo, &policy(Flow::ShipImmediately), at(10));
    assert!(decision.jobs.is_empty());
    assert!(decision.outcome.contains("echo"), "{}", decision.outcome);
    assert_eq!(decision.order.map(|o| o.state), Some(OrderState::InTransit));
}

#[test]
fn a_late_cancel_does_not_undo_a_newer_confirmation() {
    let confirm = TicketNews {
        ticket_id: "tkt1".to_owned(),
        status_id: "st-yes".to_owned(),
        changed_at: Some(at(10)),
    };
    let shipped = on_ticket_status(
        &order(OrderState::AwaitingConfirmation),
        &confirm,
        &statuses(),
        at(11),
    )
    .order
    .expect("applied");
    assert_eq!(shipped.ticket_status_at, Some(at(10)));
    let late_cancel = TicketNews {
        ticket_id: "tkt1".to_owned(),
        status_id: "st-no".to_owned(),
        changed_at: Some(at(9)),
    };
    let decision = on_ticket_status(&shipped, &late_cancel, &statuses(), at(12));
    assert!(decision.jobs.is_empty());
    assert!(
        decision.outcome.starts_with("ignored"),
        "{}",
        decision.outcome
    );
}

#[test]
fn fixing_an_order_after_its_jobs_ran_starts_it_again_with_fresh_job_keys() {
    let mut stored = order(OrderState::NeedsAttention);
    stored.attention_reason = Some("region `Atlantis` is not one of ShaQ's regions".to_owned());
    let mut fixed = news(true);
    fixed.version = Some(at(9));
    fixed.record.order_version = Some(at(9).to_rfc3339());
    fixed.shipping_changed = true;
    let decision = on_shop_order(
        Some(&stored),
        &fixed,
        &policy(Flow::ShipImmediately),
        at(10),
    );
    let create = decision
        .jobs
        .iter()
        .find(|j| j.kind == JobKind::CreatePackage)
        .expect("a new create");
    assert_ne!(
        create.dedupe_key, "create_package:kente/1047",
        "not swallowed by the first one"
    );
    assert_eq!(decision.order.map(|o| o.state), Some(OrderState::Shipping));
}

#[test]
fn a_confirmation_after_the_timeout_still_ships() {
    let mut stored = order(OrderState::NeedsAttention);
    stored.attention_reason = Some(CONFIRMATION_TIMED_OUT.to_owned());
    let news = TicketNews {
        ticket_id: "tkt1".to_owned(),
        status_id: "st-yes".to_owned(),
        changed_at: None,
    };
    let decision = on_ticket_status(&stored, &news, &statuses(), at(5));
    assert_eq!(
        decision.order.as_ref().map(|o| o.state),
        Some(OrderState::Shipping)
    );
    assert_eq!(
        kinds(&decision),
        [JobKind::CreatePackage, JobKind::WriteBackToShop]
    );
}

#[test]
fn the_paid_echo_of_a_delivered_cod_order_raises_no_alarm() {
    let mut stored = order(OrderState::Delivered);
    stored.tracking_number = Some("SHQ1".to_owned());
    stored.courier_status = Some("delivered".to_owned());
    let mut paid = news(false);
    paid.version = Some(at(20));
    paid.record.order_version = Some(at(20).to_rfc3339());
    paid.collect_changed = true;
    let decision = on_shop_order(Some(&stored), &paid, &policy(Flow::ShipImmediately), at(21));
    assert!(decision.jobs.is_empty());
    assert!(!decision.timeline.iter().any(|l| l.kind == "attention"));
}

#[test]
fn a_customer_paying_before_pickup_updates_the_amount_to_collect() {
    let mut stored = order(OrderState::Shipping);
    stored.tracking_number = Some("SHQ1".to_owned());
    stored.courier_status = Some("pending".to_owned());
    let mut paid = news(false);
    paid.version = Some(at(9));
    paid.record.order_version = Some(at(9).to_rfc3339());
    paid.collect_changed = true;
    let decision = on_shop_order(Some(&stored), &paid, &policy(Flow::ShipImmediately), at(10));
    assert_eq!(kinds(&decision), [JobKind::UpdatePackage]);
}
