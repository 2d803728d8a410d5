//! The shop's news: new orders by flow, unshippable ones, changes, cancellations and deletions.

use super::*;

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
            status_key: TicketKey::AWAITING_CONFIRMATION,
            invoice_until: None,
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
            status_key: TicketKey::RECEIVED,
            invoice_until: None,
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
        read: Default::default(),
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

/// The shop sent an order with a field that cannot be used: kept, waiting for a person, with
/// the field named; a known order keeps its details (nothing unusable reaches ShaQ); one ShaQ
/// has already is left alone; the shop's corrected order brings it back.
#[test]
fn an_order_the_shop_sent_unreadable_waits_for_a_person_until_the_shop_fixes_it() {
    let unusable = || ShopNews::Unusable {
        shop: ShopId::new("kente"),
        platform_order_id: PlatformOrderId::new("1047"),
        order_ref: "#1047".to_owned(),
        problem: Unshippable::ShopSentUnusable {
            field: "total".to_owned(),
            message: "80000000000000000000000000 is not a real amount".to_owned(),
        },
    };
    let policy = policy(Flow::ShipImmediately);
    let new = on_shop_news(None, unusable(), &policy, at(1));
    let kept = new.order.expect("kept, not dropped");
    assert_eq!(kept.state(), OrderState::NeedsAttention);
    assert_eq!(kept.order().order_ref, "#1047");
    assert!(
        kept.attention()
            .is_some_and(|a| a.to_string().contains("unusable total")),
        "{:?}",
        kept.attention()
    );
    assert!(new.jobs.is_empty(), "nothing is sent anywhere");

    // The shop fixes it: the order starts.
    let fixed = from_shop(Some(&kept), shop_order(true, 2), Flow::ShipImmediately, 2);
    assert_eq!(
        fixed.order.as_ref().map(TrackedOrder::state),
        Some(OrderState::Shipping)
    );

    // A known order awaiting confirmation keeps its details and waits for a person.
    let waiting = order(OrderState::AwaitingConfirmation);
    let flagged = on_shop_news(Some(&waiting), unusable(), &policy, at(3))
        .order
        .expect("changed");
    assert_eq!(flagged.state(), OrderState::NeedsAttention);
    assert_eq!(flagged.order(), waiting.order(), "its details are kept");

    // ShaQ has the parcel: the courier goes on, a line says why nothing changed.
    let on_the_road = shipped(OrderState::InTransit, "in_transit");
    let decision = on_shop_news(Some(&on_the_road), unusable(), &policy, at(4));
    assert_eq!(decision.order, None);
    assert!(
        decision.outcome.starts_with("ignored"),
        "{}",
        decision.outcome
    );
}
