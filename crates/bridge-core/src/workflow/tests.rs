//! The workflow read as the spec: given an order in a state, when news arrives, then…

use std::collections::HashMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use rust_decimal::Decimal;
use shaq_client::PackageStatus;

use super::TimelineKind;
use super::confirmation::{ConfirmationPolicy, NoAnswer};
use super::courier::{on_amount_changed, on_courier_status, on_tracking_history};
use super::guards::{Precheck, precheck};
use super::outcomes::on_job_news;
use super::shop::on_shop_news;
use super::ticket::{on_confirmation_deadline, on_reminder, on_ticket_status};
use super::*;
use super::{Job, JobKind, MoveTicket, OrderJob};
use crate::domain::{
    Address, Attention, CountryCode, Item, Language, Order, Payment, PhoneE164, PlatformOrderId,
    Recipient, RegionRules, ShopId, TicketId, TicketStatusId, TrackingNumber, Unshippable,
};

fn at(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 10, minute, 0)
        .single()
        .expect("valid time")
}

/// Order #1047 of the Kente shop: cash on delivery, 300 GHS, to Osu, Accra.
fn shop_order(cod: bool, version: u32) -> Order {
    Order {
        shop_id: ShopId::new("kente"),
        platform_order_id: PlatformOrderId::new("1047"),
        order_ref: "#1047".to_owned(),
        version: Some(at(version)),
        cancelled: false,
        payment: if cod {
            Payment::CashOnDelivery {
                amount_to_collect: Decimal::new(30000, 2),
            }
        } else {
            Payment::Prepaid
        },
        total: Decimal::new(30000, 2),
        currency: "GHS".to_owned(),
        recipient: Recipient {
            name: "Ama Mensah".to_owned(),
            phone: Some(PhoneE164::parse("024 412 3456", Some("GH")).expect("valid phone")),
            phone_problem: None,
            email: None,
        },
        address: Address {
            line1: "12 Oxford Street".to_owned(),
            line2: None,
            city: "Accra".to_owned(),
            region: Some("Greater Accra".to_owned()),
            postal_code: None,
            country_iso2: CountryCode::parse("GH"),
        },
        items: vec![Item {
            name: "Kente scarf".to_owned(),
            sku: None,
            quantity: 1,
            unit_price: Decimal::new(30000, 2),
        }],
        note: None,
        language: Language::En,
    }
}

/// The order with its ticket, waiting in `state`.
fn order(state: OrderState) -> TrackedOrder {
    let mut order = TrackedOrder::for_tests(shop_order(true, 0), state, at(0));
    order.set_ticket(TicketId::new("tkt1"));
    order.set_ticket_status(TicketStatusId::new("st-await"));
    order
}

/// The order with a package ShaQ reports as `status`.
fn shipped(state: OrderState, status: &str) -> TrackedOrder {
    let mut order = order(state);
    order.set_package(TrackingNumber::new("SHQ1"));
    order.set_courier(CourierProgress {
        status: status.parse().expect("infallible"),
        at: at(1),
    });
    order
}

fn courier(status: &str, minute: u32) -> CourierNews {
    CourierNews {
        event_id: format!("evt-{status}-{minute}"),
        occurred_at: at(minute),
        status: status.parse().expect("infallible"),
        description: None,
        comment: None,
        proof_url: None,
        package: None,
    }
}

fn kinds(decision: &Decision) -> Vec<JobKind> {
    decision.jobs.iter().map(|job| job.job().kind()).collect()
}

fn ticket_key(decision: &Decision) -> Option<String> {
    decision.jobs.iter().find_map(|job| match job.job() {
        Job::Order(OrderJob::MoveTicket(MoveTicket { status_key, .. })) => {
            status_key.as_ref().map(|k| k.as_str().to_owned())
        }
        _ => None,
    })
}

fn statuses() -> TicketStatuses {
    TicketStatuses(
        [
            ("awaiting_confirmation", "st-await"),
            ("received", "st-received"),
            ("confirmed", "st-yes"),
            ("cancelled", "st-no"),
            ("delivered", "st-done"),
            ("package_created", "st-created"),
        ]
        .into_iter()
        .map(|(k, v)| (TicketKey::new(k), TicketStatusId::new(v)))
        .collect(),
    )
}

fn ticket_news(status: &str, changed_at: Option<DateTime<Utc>>) -> TicketNews {
    TicketNews {
        ticket_id: TicketId::new("tkt1"),
        status_id: TicketStatusId::new(status),
        changed_at,
    }
}

fn policy(flow: Flow) -> ShopPolicy {
    ShopPolicy {
        flow,
        prepaid_skips_confirmation: true,
        confirmation: ConfirmationPolicy {
            confirm_within: Some(std::time::Duration::from_secs(24 * 3600)),
            ..ConfirmationPolicy::default()
        },
        service_countries: vec![CountryCode::parse("GH").expect("valid")],
        write_back: Some(ShopMilestone::ALL.to_vec()),
        regions: RegionRules::default(),
        statuses: statuses(),
    }
}

fn rules(attach_label: bool) -> Rules {
    Rules {
        shops: HashMap::from([(ShopId::new("kente"), policy(Flow::ConfirmFirst))]),
        mapping: CourierMapping::default(),
        attach_label,
    }
}

/// A shop webhook carrying `incoming`, for an order stored as `existing`.
fn from_shop(existing: Option<&TrackedOrder>, incoming: Order, flow: Flow, now: u32) -> Decision {
    on_shop_news(
        existing,
        ShopNews::Order(Box::new(incoming)),
        &policy(flow),
        at(now),
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
        assert_eq!(next.state(), state, "{status}");
        assert_eq!(next.courier_status().map(|s| s.as_str()), Some(status));
        assert_eq!(ticket_key(&decision).as_deref(), Some(key), "{status}");
    }
}

#[test]
fn given_a_cod_order_out_for_delivery_when_shaq_reports_delivered_then_the_shop_hears_it() {
    let mut current = shipped(OrderState::OutForDelivery, "dispatched");
    current.set_courier(CourierProgress {
        status: PackageStatus::Dispatched,
        at: at(10),
    });
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
    assert_eq!(
        decision.jobs[1].job(),
        &OrderJob::WriteBackToShop {
            milestone: ShopMilestone::Delivered
        }
    );
    assert_eq!(
        decision.jobs[1].dedupe_key(),
        "write_back_to_shop:kente/1047:delivered"
    );
}

#[test]
fn an_older_courier_event_changes_nothing() {
    let mut current = shipped(OrderState::Delivered, "delivered");
    current.set_courier(CourierProgress {
        status: PackageStatus::Delivered,
        at: at(30),
    });
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
    let mut current = shipped(OrderState::OutForDelivery, "dispatched");
    current.set_courier(CourierProgress {
        status: PackageStatus::Dispatched,
        at: at(10),
    });
    let decision = on_courier_status(
        &current,
        &courier("in_transit", 15),
        &CourierMapping::default(),
        at(16),
    );
    assert_eq!(
        decision.order.as_ref().map(TrackedOrder::state),
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
    assert_eq!(
        next.courier_status().map(|s| s.as_str()),
        Some("teleported")
    );
    assert_eq!(next.state(), OrderState::InTransit);
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
        new_amount: Decimal::new(25000, 2),
        currency: Some("GHS".to_owned()),
        reason: Some("customer returned one item".to_owned()),
        package: None,
    };
    let decision = on_amount_changed(&order(OrderState::OutForDelivery), &news, at(6));
    assert_eq!(
        decision.order.as_ref().map(|o| o.collect().amount),
        Some(Decimal::new(25000, 2))
    );
    assert_eq!(kinds(&decision), [JobKind::MoveTicket]);
    assert_eq!(ticket_key(&decision), None, "data refresh only");
}

#[test]
fn customer_confirmation_ships_a_waiting_order() {
    let decision = on_ticket_status(
        &order(OrderState::AwaitingConfirmation),
        &ticket_news("st-yes", None),
        &statuses(),
        at(5),
    );
    assert_eq!(
        decision.order.as_ref().map(TrackedOrder::state),
        Some(OrderState::Shipping)
    );
    assert_eq!(
        kinds(&decision),
        [JobKind::CreatePackage, JobKind::WriteBackToShop]
    );
}

#[test]
fn customer_decline_cancels_the_order_in_the_shop() {
    let decision = on_ticket_status(
        &order(OrderState::AwaitingConfirmation),
        &ticket_news("st-no", None),
        &statuses(),
        at(5),
    );
    assert_eq!(
        decision.order.as_ref().map(TrackedOrder::state),
        Some(OrderState::Cancelled)
    );
    assert_eq!(
        kinds(&decision),
        [JobKind::CancelPackage, JobKind::WriteBackToShop]
    );
    assert_eq!(
        decision.jobs[1].job(),
        &OrderJob::WriteBackToShop {
            milestone: ShopMilestone::Cancelled
        }
    );
}

#[test]
fn the_echo_of_our_own_ticket_move_is_ignored() {
    let mut current = order(OrderState::Delivered);
    current.set_ticket_status(TicketStatusId::new("st-done"));
    let decision = on_ticket_status(&current, &ticket_news("st-done", None), &statuses(), at(5));
    assert!(decision.order.is_none());
    assert!(decision.jobs.is_empty());
}

#[test]
fn confirming_twice_ships_once() {
    let news = ticket_news("st-yes", None);
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

#[test]
fn confirm_first_sends_a_ticket_and_waits() {
    let decision = from_shop(None, shop_order(true, 0), Flow::ConfirmFirst, 1);
    assert_eq!(
        decision.order.as_ref().map(TrackedOrder::state),
        Some(OrderState::AwaitingConfirmation)
    );
    assert_eq!(
        kinds(&decision),
        [JobKind::CreateTicket, JobKind::ExpireConfirmation]
    );
    assert_eq!(
        decision.jobs[0].job(),
        &OrderJob::CreateTicket {
            status_key: TicketKey::AWAITING_CONFIRMATION
        }
    );
    assert_eq!(
        decision.jobs[1].not_before(),
        Some(at(1) + Duration::hours(24))
    );
}

#[test]
fn prepaid_orders_may_skip_confirmation() {
    let decision = from_shop(None, shop_order(false, 0), Flow::ConfirmFirst, 1);
    assert_eq!(
        decision.order.as_ref().map(TrackedOrder::state),
        Some(OrderState::Shipping)
    );
    assert_eq!(
        kinds(&decision),
        [JobKind::CreateTicket, JobKind::CreatePackage]
    );
}

#[test]
fn ship_immediately_creates_ticket_and_package() {
    let decision = from_shop(None, shop_order(true, 0), Flow::ShipImmediately, 1);
    assert_eq!(
        decision.order.as_ref().map(TrackedOrder::state),
        Some(OrderState::Shipping)
    );
    assert_eq!(
        kinds(&decision),
        [JobKind::CreateTicket, JobKind::CreatePackage]
    );
    assert_eq!(
        decision.jobs[0].job(),
        &OrderJob::CreateTicket {
            status_key: TicketKey::RECEIVED
        }
    );
}

#[test]
fn an_unshippable_order_needs_attention_and_recovers_when_fixed() {
    let mut broken = shop_order(true, 0);
    broken.recipient.phone = None;
    let first = from_shop(None, broken, Flow::ShipImmediately, 1);
    let stored = first.order.expect("stored");
    assert_eq!(stored.state(), OrderState::NeedsAttention);
    assert_eq!(
        stored.attention(),
        Some(&Attention::Unshippable(Unshippable::NoPhone))
    );
    assert!(first.jobs.is_empty());

    let second = from_shop(
        Some(&stored),
        shop_order(true, 9),
        Flow::ShipImmediately,
        10,
    );
    let fixed = second.order.as_ref().expect("applied");
    assert_eq!(fixed.state(), OrderState::Shipping);
    assert_eq!(fixed.attention(), None);
    assert_eq!(
        kinds(&second),
        [JobKind::CreateTicket, JobKind::CreatePackage]
    );
}

#[test]
fn an_order_outside_the_service_area_needs_attention() {
    let mut abroad = shop_order(true, 0);
    abroad.address.country_iso2 = CountryCode::parse("TG");
    let decision = from_shop(None, abroad, Flow::ShipImmediately, 1);
    let stored = decision.order.expect("stored");
    assert_eq!(
        stored.attention().map(ToString::to_string).as_deref(),
        Some("destination country TG is outside the service area")
    );
}

#[test]
fn an_older_or_repeated_shop_version_is_ignored() {
    let stored = order(OrderState::Shipping);
    let decision = from_shop(Some(&stored), shop_order(true, 0), Flow::ShipImmediately, 5);
    assert!(decision.order.is_none());
    assert!(decision.outcome.starts_with("ignored"));
}

#[test]
fn shop_cancel_before_pickup_cancels_package_and_ticket() {
    let stored = shipped(OrderState::Shipping, "pending");
    let mut cancel = shop_order(true, 9);
    cancel.cancelled = true;
    let decision = from_shop(Some(&stored), cancel, Flow::ShipImmediately, 10);
    assert_eq!(
        decision.order.as_ref().map(TrackedOrder::state),
        Some(OrderState::Cancelled)
    );
    assert_eq!(
        kinds(&decision),
        [JobKind::CancelPackage, JobKind::MoveTicket]
    );
    assert_eq!(ticket_key(&decision).as_deref(), Some("cancelled"));
}

#[test]
fn a_deleted_order_is_cancelled_as_stored() {
    let stored = order(OrderState::AwaitingConfirmation);
    let deleted = ShopNews::Deleted {
        shop: ShopId::new("kente"),
        platform_order_id: PlatformOrderId::new("1047"),
    };
    let decision = on_shop_news(Some(&stored), deleted, &policy(Flow::ConfirmFirst), at(10));
    let next = decision.order.as_ref().expect("applied");
    assert_eq!(next.state(), OrderState::Cancelled);
    assert_eq!(next.order().version, stored.order().version, "version kept");
    assert_eq!(ticket_key(&decision).as_deref(), Some("cancelled"));
    let unknown = ShopNews::Deleted {
        shop: ShopId::new("kente"),
        platform_order_id: PlatformOrderId::new("9"),
    };
    let decision = on_shop_news(None, unknown, &policy(Flow::ConfirmFirst), at(10));
    assert!(decision.outcome.starts_with("ignored"));
}

#[test]
fn shop_cancel_after_pickup_asks_shaq_and_keeps_following_the_package() {
    let stored = shipped(OrderState::InTransit, "received");
    let mut cancel = shop_order(true, 9);
    cancel.cancelled = true;
    let decision = from_shop(Some(&stored), cancel, Flow::ShipImmediately, 10);
    assert_eq!(
        decision.order.as_ref().map(TrackedOrder::state),
        Some(OrderState::InTransit)
    );
    assert_eq!(kinds(&decision), [JobKind::CancelPackage]);
}

#[test]
fn an_address_change_while_pending_patches_the_package() {
    let mut changed = shop_order(true, 9);
    changed.address.line1 = "5 Ring Road".to_owned();
    let pending = shipped(OrderState::Shipping, "pending");
    let decision = from_shop(Some(&pending), changed.clone(), Flow::ShipImmediately, 10);
    assert_eq!(kinds(&decision), [JobKind::UpdatePackage]);

    // Once picked up, ShaQ is not patched; a person is told.
    let picked_up = shipped(OrderState::InTransit, "received");
    let decision = from_shop(Some(&picked_up), changed, Flow::ShipImmediately, 10);
    assert!(decision.jobs.is_empty());
    assert!(
        decision
            .timeline
            .iter()
            .any(|l| l.kind == TimelineKind::Attention)
    );
}

#[test]
fn a_repeated_status_does_not_message_the_customer_again() {
    let current = shipped(OrderState::Shipping, "pending");
    let decision = on_courier_status(
        &current,
        &courier("pending", 2),
        &CourierMapping::default(),
        at(3),
    );
    assert!(decision.jobs.is_empty());
    assert_eq!(
        decision.order.and_then(|o| o.courier().map(|c| c.at)),
        Some(at(2))
    );
}

#[test]
fn the_echo_of_a_write_back_changes_nothing() {
    let stored = shipped(OrderState::InTransit, "received");
    let decision = from_shop(
        Some(&stored),
        shop_order(true, 9),
        Flow::ShipImmediately,
        10,
    );
    assert!(decision.jobs.is_empty());
    assert!(decision.outcome.contains("echo"), "{}", decision.outcome);
    assert_eq!(
        decision.order.map(|o| o.state()),
        Some(OrderState::InTransit)
    );
}

#[test]
fn a_late_cancel_does_not_undo_a_newer_confirmation() {
    let shipped = on_ticket_status(
        &order(OrderState::AwaitingConfirmation),
        &ticket_news("st-yes", Some(at(10))),
        &statuses(),
        at(11),
    )
    .order
    .expect("applied");
    assert_eq!(shipped.ticket_status_at(), Some(at(10)));
    let decision = on_ticket_status(
        &shipped,
        &ticket_news("st-no", Some(at(9))),
        &statuses(),
        at(12),
    );
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
    stored.set_attention(Some(Attention::Unshippable(Unshippable::UnknownRegion {
        region: "Atlantis".to_owned(),
        read: String::new(),
    })));
    let mut fixed = shop_order(true, 9);
    fixed.address.region = Some("Ashanti".to_owned());
    let decision = from_shop(Some(&stored), fixed, Flow::ShipImmediately, 10);
    let create = decision
        .jobs
        .iter()
        .find(|j| j.job() == &OrderJob::CreatePackage)
        .expect("a new create");
    assert_ne!(
        create.dedupe_key(),
        "create_package:kente/1047",
        "not swallowed by the first one"
    );
    assert_eq!(
        decision.order.map(|o| o.state()),
        Some(OrderState::Shipping)
    );
}

#[test]
fn a_confirmation_after_the_timeout_still_ships() {
    let timed_out = on_confirmation_deadline(
        &order(OrderState::AwaitingConfirmation),
        NoAnswer::NeedsAttention,
        at(3),
    )
    .order
    .expect("flagged");
    assert_eq!(timed_out.state(), OrderState::NeedsAttention);
    assert_eq!(
        timed_out.attention(),
        Some(&Attention::ConfirmationTimedOut)
    );
    let decision = on_ticket_status(&timed_out, &ticket_news("st-yes", None), &statuses(), at(5));
    let next = decision.order.as_ref().expect("applied");
    assert_eq!(next.state(), OrderState::Shipping);
    assert_eq!(next.attention(), None);
    assert_eq!(
        kinds(&decision),
        [JobKind::CreatePackage, JobKind::WriteBackToShop]
    );
}

#[test]
fn the_paid_echo_of_a_delivered_cod_order_raises_no_alarm() {
    let stored = shipped(OrderState::Delivered, "delivered");
    let decision = from_shop(
        Some(&stored),
        shop_order(false, 20),
        Flow::ShipImmediately,
        21,
    );
    assert!(decision.jobs.is_empty());
    assert!(
        !decision
            .timeline
            .iter()
            .any(|l| l.kind == TimelineKind::Attention)
    );
}

#[test]
fn a_customer_paying_before_pickup_updates_the_amount_to_collect() {
    let stored = shipped(OrderState::Shipping, "pending");
    let decision = from_shop(
        Some(&stored),
        shop_order(false, 9),
        Flow::ShipImmediately,
        10,
    );
    assert_eq!(kinds(&decision), [JobKind::UpdatePackage]);
    assert_eq!(
        decision.order.map(|o| o.collect().amount),
        Some(Decimal::ZERO),
        "before pickup the shop's amount is the truth"
    );
}

#[test]
fn a_created_package_moves_the_ticket_and_tells_the_shop() {
    for attach_label in [false, true] {
        let news = JobNews::PackageCreated {
            tracking_number: TrackingNumber::new("SHQ1"),
            status: PackageStatus::Pending,
            adopted: false,
            amount_to_collect: Decimal::new(30000, 2),
        };
        let decision = on_job_news(
            &rules(attach_label),
            &order(OrderState::Shipping),
            news,
            at(2),
        );
        let next = decision.order.as_ref().expect("stored");
        assert_eq!(next.tracking_number().map(|t| t.as_str()), Some("SHQ1"));
        assert!(next.package_is_pending());
        let mut expected = vec![JobKind::MoveTicket, JobKind::WriteBackToShop];
        if attach_label {
            expected.push(JobKind::AttachLabel);
        }
        assert_eq!(kinds(&decision), expected);
        assert_eq!(ticket_key(&decision).as_deref(), Some("package_created"));
        assert_eq!(
            decision.timeline[0].summary,
            "ShaQ package SHQ1 created (collect 300.00 GHS)"
        );
    }
}

#[test]
fn an_order_shaq_cannot_take_needs_a_person() {
    let news = JobNews::Unshippable(Unshippable::RegionNotServed {
        region: "Volta".to_owned(),
    });
    let decision = on_job_news(&rules(false), &order(OrderState::Shipping), news, at(2));
    let next = decision.order.expect("flagged");
    assert_eq!(next.state(), OrderState::NeedsAttention);
    assert_eq!(
        decision.timeline[0].summary,
        "needs attention: ShaQ's region list has no region `Volta`"
    );
}

#[test]
fn a_created_or_moved_ticket_is_remembered() {
    let fresh =
        TrackedOrder::for_tests(shop_order(true, 0), OrderState::AwaitingConfirmation, at(0));
    let created = on_job_news(
        &rules(false),
        &fresh,
        JobNews::TicketCreated {
            ticket_id: TicketId::new("tkt9"),
            status_id: TicketStatusId::new("st-await"),
            status_key: TicketKey::AWAITING_CONFIRMATION,
            adopted: true,
        },
        at(2),
    );
    let next = created.order.expect("stored");
    assert_eq!(next.ticket_id().map(|t| t.as_str()), Some("tkt9"));
    assert!(created.timeline[0].summary.contains("adopted"));
    let moved = on_job_news(
        &rules(false),
        &next,
        JobNews::TicketMoved(Some((TicketKey::CONFIRMED, TicketStatusId::new("st-yes")))),
        at(3),
    );
    assert_eq!(
        moved.order.and_then(|o| o.ticket_status().cloned()),
        Some(TicketStatusId::new("st-yes"))
    );
}

#[test]
fn reconciliation_applies_only_the_steps_after_the_last_one_known() {
    let known = shipped(OrderState::InTransit, "received");
    let step = |status: &str, minute: u32| TrackingStep {
        status: status.parse().expect("infallible"),
        description: None,
        at: at(minute),
    };
    // The known step, then two missed ones sharing a minute, listed out of order.
    let history = vec![
        step("delivered", 5),
        step("received", 1),
        step("dispatched", 5),
    ];
    let decision = on_tracking_history(&known, history, &CourierMapping::default(), at(9));
    assert_eq!(
        decision.order.as_ref().map(TrackedOrder::state),
        Some(OrderState::Delivered)
    );
    assert_eq!(
        decision.timeline.last().map(|l| l.summary.as_str()),
        Some("reconciliation applied 2 missed courier status(es)")
    );
    let nothing_new = on_tracking_history(
        &decision.order.expect("applied"),
        vec![step("delivered", 5)],
        &CourierMapping::default(),
        at(10),
    );
    assert!(nothing_new.order.is_none() && nothing_new.jobs.is_empty());
}

#[test]
fn jobs_whose_work_is_done_or_moot_make_no_call() {
    let rules = rules(false);
    let cases = [
        (
            OrderJob::CreatePackage,
            shipped(OrderState::Shipping, "pending"),
            "nothing",
        ),
        (
            OrderJob::CreatePackage,
            order(OrderState::Cancelled),
            "ignored",
        ),
        (
            OrderJob::UpdatePackage,
            shipped(OrderState::InTransit, "received"),
            "ignored",
        ),
        (
            OrderJob::ExpireConfirmation,
            order(OrderState::Shipping),
            "nothing",
        ),
        (
            OrderJob::CreateTicket {
                status_key: TicketKey::RECEIVED,
            },
            order(OrderState::Shipping),
            "nothing",
        ),
        (
            OrderJob::MoveTicket(MoveTicket::to(TicketKey::new("unmapped"))),
            order(OrderState::Shipping),
            "ignored",
        ),
        (
            OrderJob::CreatePackage,
            order(OrderState::Shipping),
            "proceed",
        ),
        (
            OrderJob::ExpireConfirmation,
            order(OrderState::AwaitingConfirmation),
            "proceed",
        ),
    ];
    for (job, current, expected) in cases {
        let verdict = match precheck(&job, &current, &rules, at(5)) {
            Precheck::Proceed => "proceed",
            Precheck::Skip(decision) if decision.timeline.is_empty() => "nothing",
            Precheck::Skip(decision) if decision.outcome.starts_with("ignored") => "ignored",
            Precheck::Skip(_) => "skip",
            Precheck::Fail(_) => "fail",
        };
        assert_eq!(verdict, expected, "{job:?} on a {} order", current.state());
    }
    let no_ticket = TrackedOrder::for_tests(shop_order(true, 0), OrderState::Shipping, at(0));
    assert!(matches!(
        precheck(&OrderJob::AttachLabel, &no_ticket, &rules, at(5)),
        Precheck::Fail(_)
    ));
}

#[test]
fn a_pending_package_is_deleted_and_one_shaq_holds_is_asked_back() {
    use super::courier::{CancelBy, cancel_by};
    assert_eq!(cancel_by(&PackageStatus::Pending), CancelBy::Deleting);
    assert_eq!(cancel_by(&PackageStatus::InTransit), CancelBy::AskingShaq);
}

mod operator_requests {
    use super::*;
    use crate::workflow::operator::{
        ChosenRegion, Correction, Operator, OperatorAction, OperatorRequest, Refusal, check,
        on_request,
    };

    fn asks(action: OperatorAction, minute: u32) -> OperatorRequest {
        OperatorRequest {
            by: Operator::new("ama"),
            action,
            at: at(minute),
        }
    }

    /// #1047 with a region nobody can place: waiting for a person.
    fn lost_order() -> TrackedOrder {
        let mut lost = shop_order(true, 0);
        lost.address.region = Some("Upcountry".to_owned());
        lost.address.city = "Nowhere-ville".to_owned();
        lost.address.line1 = "Behind the big tree".to_owned();
        let first = from_shop(None, lost, Flow::ShipImmediately, 1);
        let stored = first.order.expect("stored");
        assert_eq!(stored.state(), OrderState::NeedsAttention);
        stored
    }

    fn to_ashanti() -> Correction {
        Correction {
            region: ChosenRegion::parse("Ashanti"),
            city: Some("Kumasi".to_owned()),
            ..Correction::default()
        }
    }

    #[test]
    fn a_corrected_region_lets_a_waiting_order_resume_with_fresh_job_keys() {
        let policy = policy(Flow::ShipImmediately);
        let lost = lost_order();
        assert!(matches!(
            check(&lost, &OperatorAction::Resume, &policy),
            Err(Refusal::StillUnshippable(_))
        ));

        let corrected = on_request(
            &lost,
            asks(OperatorAction::Correct(to_ashanti()), 2),
            &policy,
            at(2),
        );
        let fixed = corrected.order.expect("corrected");
        assert_eq!(
            fixed.state(),
            OrderState::NeedsAttention,
            "a fix alone does not ship"
        );
        assert_eq!(fixed.order().address.city, "Kumasi");
        assert_eq!(fixed.region().map(|r| r.region.as_str()), Some("Ashanti"));
        assert_eq!(fixed.corrections(), Some(&to_ashanti()));
        let line = &corrected.timeline[0];
        assert_eq!(line.kind, TimelineKind::Operator);
        assert_eq!(
            line.summary,
            "corrected by ama: region → Ashanti, city → Kumasi"
        );
        assert_eq!(line.details["operator"], "ama");

        let resumed = on_request(&fixed, asks(OperatorAction::Resume, 3), &policy, at(3));
        let moving = resumed.order.as_ref().expect("resumed");
        assert_eq!(moving.state(), OrderState::Shipping);
        assert_eq!(moving.attention(), None);
        assert_eq!(
            kinds(&resumed),
            [JobKind::CreateTicket, JobKind::CreatePackage]
        );
        assert!(
            resumed
                .jobs
                .iter()
                .all(|job| job.dedupe_key().contains(":resume-")),
            "fresh keys: {:?}",
            resumed
                .jobs
                .iter()
                .map(NewJob::dedupe_key)
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_correction_outlives_later_versions_from_the_shop() {
        let policy = policy(Flow::ShipImmediately);
        let corrected = on_request(
            &lost_order(),
            asks(OperatorAction::Correct(to_ashanti()), 2),
            &policy,
            at(2),
        )
        .order
        .expect("corrected");
        // The shop sends its (still unplaceable) order again, with a new note.
        let mut again = shop_order(true, 5);
        again.address.region = Some("Upcountry".to_owned());
        again.note = Some("call before".to_owned());
        let decision = from_shop(Some(&corrected), again, Flow::ShipImmediately, 6);
        let after = decision.order.expect("applied");
        assert_eq!(after.order().address.city, "Kumasi");
        assert_eq!(after.order().note.as_deref(), Some("call before"));
        // A shop update of an order waiting for a person tries again: the chosen region holds.
        assert_eq!(after.state(), OrderState::Shipping);
        assert_eq!(after.region().map(|r| r.region.as_str()), Some("Ashanti"));
    }

    #[test]
    fn a_corrected_amount_and_phone_reach_the_pending_package() {
        let policy = policy(Flow::ShipImmediately);
        let pending = shipped(OrderState::Shipping, "pending");
        let correction = Correction {
            phone: Some(PhoneE164::parse("0550001111", Some("GH")).expect("valid")),
            amount_to_collect: Some(Decimal::new(25000, 2)),
            ..Correction::default()
        };
        let decision = on_request(
            &pending,
            asks(OperatorAction::Correct(correction), 4),
            &policy,
            at(4),
        );
        let next = decision.order.as_ref().expect("corrected");
        assert_eq!(next.collect().amount, Decimal::new(25000, 2));
        assert_eq!(next.amount_for_courier(), Decimal::new(25000, 2));
        assert_eq!(
            kinds(&decision),
            [JobKind::UpdatePackage, JobKind::MoveTicket]
        );
        assert!(
            !decision.timeline[0].summary.contains("0550001111")
                && !decision.timeline[0].summary.contains("233550001111"),
            "phones are masked: {}",
            decision.timeline[0].summary
        );
    }

    #[test]
    fn what_a_person_asks_too_late_is_refused_and_noted() {
        let policy = policy(Flow::ShipImmediately);
        let on_the_road = shipped(OrderState::InTransit, "in_transit");
        let correct = OperatorAction::Correct(to_ashanti());
        assert_eq!(
            check(&on_the_road, &correct, &policy),
            Err(Refusal::PickedUp)
        );
        assert_eq!(
            check(&on_the_road, &OperatorAction::Resume, &policy),
            Err(Refusal::NotWaiting(OrderState::InTransit))
        );
        let delivered = shipped(OrderState::Delivered, "delivered");
        assert_eq!(
            check(&delivered, &OperatorAction::Cancel, &policy),
            Err(Refusal::Finished(OrderState::Delivered))
        );
        assert_eq!(
            check(
                &order(OrderState::NeedsAttention),
                &OperatorAction::Correct(Correction::default()),
                &policy
            ),
            Err(Refusal::NothingToCorrect)
        );
        // Queued while it was possible, run when it no longer is: noted, nothing changes.
        let decision = on_request(&on_the_road, asks(correct, 5), &policy, at(5));
        assert!(decision.order.is_none() && decision.jobs.is_empty());
        assert!(
            decision.timeline[0]
                .summary
                .starts_with("correction by ama refused: ShaQ has picked the parcel up")
        );
    }

    #[test]
    fn a_person_cancels_package_ticket_and_shop_order() {
        let policy = policy(Flow::ShipImmediately);
        let decision = on_request(
            &shipped(OrderState::Shipping, "pending"),
            asks(OperatorAction::Cancel, 6),
            &policy,
            at(6),
        );
        assert_eq!(
            decision.order.as_ref().map(TrackedOrder::state),
            Some(OrderState::Cancelled)
        );
        assert_eq!(
            kinds(&decision),
            [
                JobKind::CancelPackage,
                JobKind::MoveTicket,
                JobKind::WriteBackToShop
            ]
        );
        assert_eq!(ticket_key(&decision).as_deref(), Some("cancelled"));
    }

    #[test]
    fn a_replay_runs_the_event_again_under_a_new_key() {
        let policy = policy(Flow::ShipImmediately);
        let decision = on_request(
            &order(OrderState::AwaitingConfirmation),
            asks(OperatorAction::Replay { event_id: 41 }, 7),
            &policy,
            at(7),
        );
        assert_eq!(kinds(&decision), [JobKind::ApplyInboundEvent]);
        assert!(decision.jobs[0].dedupe_key().contains(":replay-"));
        assert_eq!(
            decision.timeline[0].summary,
            "inbound event 41 replayed by ama"
        );
    }

    #[test]
    fn each_request_is_its_own_job() {
        let key = order(OrderState::NeedsAttention).key();
        let first = crate::workflow::operator::request(&key, asks(OperatorAction::Resume, 8));
        let second = crate::workflow::operator::request(&key, asks(OperatorAction::Resume, 9));
        assert_ne!(first.dedupe_key(), second.dedupe_key());
        assert_eq!(first.job().kind(), JobKind::Operator);
        let stored = Job::from_stored("operator", &first.job().payload().to_string());
        assert_eq!(stored.as_ref(), Ok(first.job()));
    }
}

/// A shop that reminds twice, cancels unconfirmed orders after a day, and sends nothing
/// between 21:00 and 08:00 (Accra: UTC all year).
fn reminding_policy() -> ShopPolicy {
    ShopPolicy {
        confirmation: ConfirmationPolicy {
            reminders: vec![
                std::time::Duration::from_secs(2 * 3600),
                std::time::Duration::from_secs(20 * 3600),
            ],
            confirm_within: Some(std::time::Duration::from_secs(24 * 3600)),
            on_no_answer: NoAnswer::Cancel,
            quiet_hours: Some("21:00-08:00".parse().expect("valid")),
            time_zone: chrono_tz::Africa::Accra,
        },
        ..policy(Flow::ConfirmFirst)
    }
}

fn utc(text: &str) -> DateTime<Utc> {
    text.parse().expect("a time")
}

#[test]
fn a_confirm_first_order_gets_its_reminders_and_deadline_as_timers_out_of_quiet_hours() {
    // Ordered at 20:00: reminder 1 (22:00) waits for 08:00, reminder 2 (16:00 next day) goes,
    // the deadline (20:00 next day) cancels at once (outside quiet hours).
    let decision = on_shop_news(
        None,
        ShopNews::Order(Box::new(shop_order(true, 0))),
        &reminding_policy(),
        utc("2026-11-24T20:00:00Z"),
    );
    assert_eq!(
        kinds(&decision),
        [
            JobKind::CreateTicket,
            JobKind::RemindConfirmation,
            JobKind::RemindConfirmation,
            JobKind::ExpireConfirmation
        ]
    );
    let timers: Vec<(OrderJob, Option<DateTime<Utc>>)> = decision.jobs[1..]
        .iter()
        .filter_map(|job| match job.job() {
            Job::Order(order_job) => Some((order_job.clone(), job.not_before())),
            _ => None,
        })
        .collect();
    assert_eq!(
        timers,
        [
            (
                OrderJob::RemindConfirmation {
                    number: 1,
                    of: 2,
                    held: true
                },
                Some(utc("2026-11-25T08:00:00Z"))
            ),
            (
                OrderJob::RemindConfirmation {
                    number: 2,
                    of: 2,
                    held: false
                },
                Some(utc("2026-11-25T16:00:00Z"))
            ),
            (
                OrderJob::ExpireConfirmation,
                Some(utc("2026-11-25T20:00:00Z"))
            ),
        ]
    );
    let keys: std::collections::HashSet<&str> =
        decision.jobs.iter().map(|job| job.dedupe_key()).collect();
    assert_eq!(keys.len(), 4, "each timer has its own key");
}

#[test]
fn a_reminder_moves_the_ticket_and_says_so_on_the_timeline() {
    let waiting = order(OrderState::AwaitingConfirmation);
    let quiet = reminding_policy().confirmation.quiet_hours;
    let decision = on_reminder(&waiting, 1, 2, true, quiet, at(30));
    assert_eq!(ticket_key(&decision).as_deref(), Some("reminder_1"));
    assert_eq!(
        decision.timeline[0].summary,
        "reminder 1 of 2: ticket moved to reminder_1 (its Digishare automation messages the \
         customer); it waited for the end of quiet hours (21:00-08:00)"
    );
    // Through the job's news, with the shop's rules.
    let mut rules = rules(false);
    rules.shops.insert(ShopId::new("kente"), reminding_policy());
    let decided = on_job_news(
        &rules,
        &waiting,
        JobNews::ReminderDue {
            number: 2,
            of: 2,
            held: false,
        },
        at(31),
    );
    assert_eq!(ticket_key(&decided).as_deref(), Some("reminder_2"));
    assert!(!decided.timeline[0].summary.contains("quiet hours"));
}

#[test]
fn an_answer_stops_the_schedule() {
    let rules = rules(false);
    for state in [
        OrderState::Shipping,
        OrderState::Cancelled,
        OrderState::NeedsAttention,
    ] {
        for job in [
            OrderJob::RemindConfirmation {
                number: 1,
                of: 2,
                held: false,
            },
            OrderJob::ExpireConfirmation,
        ] {
            match precheck(&job, &order(state), &rules, at(5)) {
                Precheck::Skip(decision) => {
                    assert!(decision.jobs.is_empty() && decision.timeline.is_empty());
                }
                _ => panic!("{job:?} on a {state} order should do nothing"),
            }
        }
    }
    assert!(matches!(
        precheck(
            &OrderJob::RemindConfirmation {
                number: 1,
                of: 1,
                held: false
            },
            &order(OrderState::AwaitingConfirmation),
            &rules,
            at(5)
        ),
        Precheck::Proceed
    ));
}

#[test]
fn no_answer_in_time_cancels_and_a_late_confirmation_is_flagged_not_shipped() {
    let cancelled = on_confirmation_deadline(
        &order(OrderState::AwaitingConfirmation),
        NoAnswer::Cancel,
        at(3),
    );
    assert_eq!(
        kinds(&cancelled),
        [JobKind::MoveTicket, JobKind::WriteBackToShop]
    );
    assert_eq!(ticket_key(&cancelled).as_deref(), Some("cancelled"));
    assert_eq!(
        cancelled.jobs[1].job(),
        &OrderJob::WriteBackToShop {
            milestone: ShopMilestone::Cancelled
        }
    );
    let stored = cancelled.order.expect("cancelled");
    assert_eq!(stored.state(), OrderState::Cancelled);

    let late = on_ticket_status(&stored, &ticket_news("st-yes", None), &statuses(), at(9));
    assert!(late.jobs.is_empty(), "nothing ships: {:?}", kinds(&late));
    assert_eq!(
        late.order.as_ref().map(TrackedOrder::state),
        Some(OrderState::Cancelled)
    );
    assert!(
        late.timeline
            .iter()
            .any(|line| line.kind == TimelineKind::Attention
                && line
                    .summary
                    .contains("confirmed after the order was cancelled")),
        "{:?}",
        late.timeline
    );
}

#[test]
fn each_step_the_reports_count_is_recorded_once_when_it_first_happens() {
    let asked = from_shop(None, shop_order(true, 0), Flow::ConfirmFirst, 1)
        .order
        .expect("stored");
    assert_eq!(asked.milestones().asked_at, Some(at(1)));

    let mut waiting = asked.clone();
    waiting.set_ticket(TicketId::new("tkt1"));
    let confirmed = on_ticket_status(&waiting, &ticket_news("st-yes", None), &statuses(), at(5))
        .order
        .expect("confirmed");
    assert_eq!(confirmed.milestones().confirmed_at, Some(at(5)));
    assert_eq!(confirmed.milestones().declined_at, None);

    let news = JobNews::PackageCreated {
        tracking_number: TrackingNumber::new("SHQ1"),
        status: PackageStatus::Pending,
        adopted: false,
        amount_to_collect: Decimal::new(30000, 2),
    };
    let created = on_job_news(&rules(false), &confirmed, news, at(6))
        .order
        .expect("created");
    assert_eq!(created.milestones().shipped_at, Some(at(6)));

    let delivered = on_courier_status(
        &created,
        &courier("delivered", 40),
        &CourierMapping::default(),
        at(41),
    )
    .order
    .expect("delivered");
    assert_eq!(delivered.milestones().delivered_at, Some(at(41)));
    // The same news again moves nothing, and the first times stay.
    let again = on_courier_status(
        &delivered,
        &courier("delivered", 42),
        &CourierMapping::default(),
        at(43),
    );
    if let Some(order) = again.order {
        assert_eq!(order.milestones().delivered_at, Some(at(41)));
    }
    assert_eq!(delivered.milestones().asked_at, Some(at(1)));
    assert_eq!(delivered.milestones().confirmed_at, Some(at(5)));

    // A decline is a decline only before a confirmation; no answer is an expiry.
    let declined = on_ticket_status(&waiting, &ticket_news("st-no", None), &statuses(), at(7))
        .order
        .expect("declined");
    assert_eq!(declined.milestones().declined_at, Some(at(7)));
    assert_eq!(declined.milestones().cancelled_at, Some(at(7)));
    let expired = on_confirmation_deadline(&waiting, NoAnswer::Cancel, at(8))
        .order
        .expect("expired");
    assert_eq!(expired.milestones().expired_at, Some(at(8)));
    assert_eq!(expired.milestones().cancelled_at, Some(at(8)));
    assert_eq!(expired.milestones().declined_at, None);
    let flagged = on_confirmation_deadline(&waiting, NoAnswer::NeedsAttention, at(8))
        .order
        .expect("flagged");
    assert_eq!(flagged.milestones().expired_at, Some(at(8)));
    assert_eq!(flagged.milestones().cancelled_at, None);
}

fn after_sale(order: &TrackedOrder, kind: super::returns::AfterSale, minute: u32) -> Decision {
    super::operator::on_request(
        order,
        super::operator::OperatorRequest {
            by: super::operator::Operator::new("ama"),
            action: super::operator::OperatorAction::AfterSale { after_sale: kind },
            at: at(minute),
        },
        &policy(Flow::ConfirmFirst),
        at(minute),
    )
}

fn rules_with_return_statuses() -> Rules {
    let mut rules = rules(false);
    let policy = rules.shops.get_mut(&ShopId::new("kente")).expect("kente");
    for key in [
        "return_requested",
        "return_collected",
        "replacement_delivered",
    ] {
        policy.statuses.0.insert(
            TicketKey::new(key),
            TicketStatusId::new(format!("st-{key}")),
        );
    }
    rules
}

#[test]
fn a_return_needs_a_delivered_order_and_makes_no_call_otherwise() {
    use super::returns::AfterSale;
    let on_the_road = shipped(OrderState::InTransit, "in_transit");
    let refused = after_sale(&on_the_road, AfterSale::Return, 9);
    assert!(refused.jobs.is_empty(), "no call: {:?}", kinds(&refused));
    assert!(
        refused.timeline[0]
            .summary
            .contains("return by ama refused: the order is in_transit"),
        "{:?}",
        refused.timeline
    );

    let delivered = shipped(OrderState::Delivered, "delivered");
    let asked = after_sale(&delivered, AfterSale::Exchange, 9);
    assert_eq!(
        asked
            .jobs
            .iter()
            .map(|j| j.job().clone())
            .collect::<Vec<_>>(),
        vec![OrderJob::CreateReplacement {
            after_sale: AfterSale::Exchange,
            number: 1
        }]
    );
    assert!(
        asked.timeline[0]
            .summary
            .starts_with("exchange asked by ama")
    );
}

#[test]
fn linked_packages_tell_the_customer_and_leave_the_delivered_order_alone() {
    use super::returns::{AfterSale, LinkedPackage};
    use shaq_client::ReplacementAction;
    let rules = rules_with_return_statuses();
    let delivered = shipped(OrderState::Delivered, "delivered");
    let packages = vec![
        LinkedPackage {
            kind: AfterSale::Exchange,
            action: ReplacementAction::Return,
            number: 1,
            partner_ref: "kente-1047-R1".into(),
            tracking_number: Some("SHQR1".into()),
            status: Some(PackageStatus::Pending),
            status_at: None,
        },
        LinkedPackage {
            kind: AfterSale::Exchange,
            action: ReplacementAction::Deliver,
            number: 1,
            partner_ref: "kente-1047-D1".into(),
            tracking_number: Some("SHQD1".into()),
            status: Some(PackageStatus::Pending),
            status_at: None,
        },
    ];
    let created = on_job_news(
        &rules,
        &delivered,
        JobNews::ReplacementCreated {
            kind: AfterSale::Exchange,
            packages,
        },
        at(10),
    );
    assert_eq!(ticket_key(&created).as_deref(), Some("return_requested"));
    assert!(
        created.timeline[0]
            .summary
            .contains("ShaQ return package SHQR1 created for the exchange"),
        "{:?}",
        created.timeline
    );
    let linked = created.order.expect("linked");
    assert_eq!(linked.linked().len(), 2);
    // Another request waits for this one.
    let second = after_sale(&linked, AfterSale::Return, 11);
    assert!(second.jobs.is_empty());
    assert!(
        second.timeline[0]
            .summary
            .contains("still on its way (kente-1047-R1)")
    );

    let mut picked = courier("return_picked", 20);
    picked.package = Some("kente-1047-R1".into());
    let decision = super::decide_inbound(
        &rules,
        &linked.key(),
        Some(&linked),
        InboundNews::CourierStatus(picked.clone()),
        at(21),
    )
    .expect("decided");
    let after = decision.order.clone().expect("updated");
    assert_eq!(
        after.state(),
        OrderState::Delivered,
        "the order does not move"
    );
    assert_eq!(after.courier_status(), Some(&PackageStatus::Delivered));
    assert_eq!(after.linked()[0].status, Some(PackageStatus::ReturnPicked));
    assert_eq!(ticket_key(&decision).as_deref(), Some("return_collected"));
    // The same news again is older than what is known: nothing.
    let again = super::decide_inbound(
        &rules,
        &after.key(),
        Some(&after),
        InboundNews::CourierStatus(picked),
        at(22),
    )
    .expect("decided");
    assert!(again.order.is_none() && again.jobs.is_empty());
}

#[test]
fn a_request_after_a_refused_one_is_its_own_job_and_linked_amounts_are_not_the_orders() {
    use super::returns::{AfterSale, LinkedPackage};
    use shaq_client::ReplacementAction;
    let delivered = shipped(OrderState::Delivered, "delivered");
    let first = after_sale(&delivered, AfterSale::Return, 9);
    let refused = on_job_news(
        &rules(false),
        &delivered,
        JobNews::ReplacementRefused {
            kind: AfterSale::Return,
            reason: "422: not today".into(),
        },
        at(10),
    );
    assert!(
        refused.timeline[0]
            .summary
            .contains("ShaQ refused the return")
    );
    let second = after_sale(&delivered, AfterSale::Return, 11);
    assert_eq!(
        first.jobs[0].job(),
        second.jobs[0].job(),
        "both are request 1"
    );
    assert_ne!(
        first.jobs[0].dedupe_key(),
        second.jobs[0].dedupe_key(),
        "but each is its own job, so the second runs"
    );

    let mut linked = delivered.clone();
    linked.link_package(LinkedPackage {
        kind: AfterSale::Return,
        action: ReplacementAction::Return,
        number: 1,
        partner_ref: "kente-1047-R1".into(),
        tracking_number: Some("SHQR1".into()),
        status: None,
        status_at: None,
    });
    let news = AmountNews {
        event_id: "evt-amt-r1".to_owned(),
        occurred_at: at(12),
        new_amount: Decimal::new(5000, 2),
        currency: Some("GHS".to_owned()),
        reason: None,
        package: Some("kente-1047-R1".into()),
    };
    let decision = super::decide_inbound(
        &rules(false),
        &linked.key(),
        Some(&linked),
        InboundNews::AmountChanged(news),
        at(13),
    )
    .expect("decided");
    assert!(decision.order.is_none() && decision.jobs.is_empty());
    assert!(
        decision.outcome.starts_with("ignored"),
        "{}",
        decision.outcome
    );
}
