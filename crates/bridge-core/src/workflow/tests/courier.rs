//! ShaQ's news: statuses, older and repeated events, amounts, reconciliation, cancelling at ShaQ.

use super::*;

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
    // The shop is told in a lane of its own: a shop that keeps failing holds back none of the
    // order's other jobs (the ticket move beside it is queued under the order).
    assert_eq!(
        decision.jobs[1].order_key().as_str(),
        "write-back/kente/1047"
    );
    assert_eq!(decision.jobs[1].order_key().order().as_str(), "kente/1047");
    assert_eq!(decision.jobs[0].order_key().as_str(), "kente/1047");
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

/// ShaQ's own history steps back (`shipped → pending → shipped`): a newer status of an
/// earlier stage is recorded, and neither the order nor the customer's ticket goes back.
#[test]
fn a_newer_backward_status_moves_neither_the_ticket_nor_the_order() {
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
    assert!(
        decision.jobs.is_empty(),
        "no ticket move, no write-back: {:?}",
        kinds(&decision)
    );
    assert!(
        decision.timeline[0]
            .summary
            .contains("went back from dispatched to in_transit"),
        "{:?}",
        decision.timeline
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
fn amount_change_is_kept_told_to_the_customer_and_to_the_shop() {
    let news = AmountNews {
        event_id: "evt-amt".to_owned(),
        occurred_at: at(5),
        new_amount: Decimal::new(25000, 2),
        currency: Some("GHS".to_owned()),
        reason: Some("customer returned one item".to_owned()),
        package: None,
    };
    let before = order(OrderState::OutForDelivery);
    let previous = before.collect().amount;
    let without_status = TicketStatuses::default();
    let decision = on_amount_changed(&before, &news, &without_status, at(6));
    let changed = decision.order.as_ref().expect("changed");
    assert_eq!(changed.collect().amount, Decimal::new(25000, 2));
    let change = changed
        .courier_details()
        .amount_change
        .as_ref()
        .expect("the change is kept");
    assert_eq!((change.from, change.to), (previous, Decimal::new(25000, 2)));
    assert_eq!(
        kinds(&decision),
        [JobKind::MoveTicket, JobKind::WriteBackToShop]
    );
    assert_eq!(
        ticket_key(&decision),
        None,
        "without an `amount_updated` status: the ticket's data is refreshed"
    );
    // With the status, the customer is messaged.
    let mut with_status = TicketStatuses::default();
    with_status.0.insert(
        TicketKey::AMOUNT_UPDATED,
        crate::domain::TicketStatusId::new("st-amount"),
    );
    let told = on_amount_changed(&before, &news, &with_status, at(6));
    assert_eq!(ticket_key(&told).as_deref(), Some("amount_updated"));
    // The same amount again changes nothing.
    let same = on_amount_changed(changed, &news, &with_status, at(7));
    assert!(same.jobs.is_empty() && same.order.is_none());
}

/// Every pair of consecutive statuses in the histories of ShaQ's document, in order: the
/// customer's ticket moves forward only, and the document's `shipped → pending → shipped`
/// messages the customer once.
#[test]
fn the_documents_histories_move_the_ticket_forward_only() {
    let mapping = CourierMapping::default();
    // (history, the ticket moves expected for each step after the first)
    let histories: [(&[&str], &[bool]); 3] = [
        // `GET /packages/{ref}`: pending → received → confirmed → dispatched → not_delivered.
        (
            &[
                "pending",
                "received",
                "confirmed",
                "dispatched",
                "not_delivered",
            ],
            &[true, true, true, true],
        ),
        // `GET /tracking/{n}`: pending → shipped → shipped → pending → shipped.
        (
            &["pending", "shipped", "shipped", "pending", "shipped"],
            &[true, false, false, false],
        ),
        // A failed attempt, then out again, then delivered.
        (
            &[
                "dispatched",
                "not_delivered",
                "rescheduled",
                "dispatched",
                "delivered",
            ],
            &[true, true, true, true],
        ),
    ];
    for (history, moves) in histories {
        let mut current = shipped(OrderState::Shipping, history[0]);
        for (index, status) in history.iter().enumerate().skip(1) {
            let decision = on_courier_status(
                &current,
                &courier(status, u32::try_from(index).unwrap() + 10),
                &mapping,
                at(30),
            );
            let moved = decision
                .jobs
                .iter()
                .any(|job| job.job().kind() == JobKind::MoveTicket);
            assert_eq!(
                moved,
                moves[index - 1],
                "{history:?}: step {index} ({status}): {:?}",
                decision.timeline
            );
            if let Some(next) = decision.order {
                current = next;
            }
        }
    }
    // `confirmed` is on the way, not the end: `dispatched` after it writes the shop's
    // out-for-delivery milestone.
    let confirmed = on_courier_status(
        &shipped(OrderState::InTransit, "received"),
        &courier("confirmed", 40),
        &mapping,
        at(41),
    );
    let confirmed = confirmed.order.expect("applied");
    assert_eq!(confirmed.state(), OrderState::InTransit);
    let out = on_courier_status(&confirmed, &courier("dispatched", 42), &mapping, at(43));
    assert!(
        out.jobs
            .iter()
            .any(|job| job.job().kind() == JobKind::WriteBackToShop),
        "{:?}",
        kinds(&out)
    );
}

#[test]
fn reconciliation_applies_only_the_steps_after_the_last_one_known() {
    let known = shipped(OrderState::InTransit, "received");
    let step = |status: &str, minute: u32| TrackingStep {
        status: status.parse().expect("infallible"),
        description: None,
        comment: None,
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
fn a_pending_package_is_deleted_and_one_shaq_holds_is_asked_back() {
    use crate::workflow::courier::{CancelBy, cancel_by};
    assert_eq!(
        cancel_by(&PackageStatus::Pending, false),
        CancelBy::Deleting
    );
    assert_eq!(
        cancel_by(&PackageStatus::InTransit, false),
        CancelBy::AskingShaq
    );
    // On a printed manifest, in the rider's hands: asked back, never deleted.
    assert_eq!(
        cancel_by(&PackageStatus::Pending, true),
        CancelBy::AskingShaq
    );
}

/// Courier news is placed only on an order that has its package (or is having it made): a
/// webhook naming an unconfirmed order's reference moves nothing and messages nobody, and one
/// naming another order's package is not taken for this order's.
#[test]
fn courier_news_the_order_cannot_place_changes_nothing() {
    let rules = rules(false);
    let waiting = order(OrderState::AwaitingConfirmation);
    let own_ref = waiting.partner_ref().as_str().to_owned();
    let news = |package: &str| CourierNews {
        package: Some(package.to_owned()),
        ..courier("in_transit", 5)
    };
    let key = waiting.key();
    let refused = super::super::decide_inbound(
        &rules,
        &key,
        Some(&waiting),
        InboundNews::CourierStatus(news(&own_ref)),
        at(5),
    )
    .expect("decided");
    assert_eq!(refused.order, None);
    assert!(refused.jobs.is_empty(), "no ticket move, no write-back");
    assert!(
        refused.outcome.contains("has no ShaQ package"),
        "{}",
        refused.outcome
    );

    let on_the_road = shipped(OrderState::InTransit, "in_transit");
    let other = super::super::decide_inbound(
        &rules,
        &key,
        Some(&on_the_road),
        InboundNews::CourierStatus(news("kente-9999")),
        at(6),
    )
    .expect("decided");
    assert!(other.jobs.is_empty() && other.order.is_none());
    assert!(
        other.outcome.contains("not this order's"),
        "{}",
        other.outcome
    );

    // Shipping, the creation's answer not stored yet: ShaQ's news of its own package is placed.
    let being_shipped = order(OrderState::Shipping);
    let placed = super::super::decide_inbound(
        &rules,
        &key,
        Some(&being_shipped),
        InboundNews::CourierStatus(news(&own_ref)),
        at(7),
    )
    .expect("decided");
    assert_eq!(
        placed.order.as_ref().map(TrackedOrder::state),
        Some(OrderState::InTransit)
    );
}
