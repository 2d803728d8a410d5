//! A person's requests: checked at once, decided in the order's turn.

use super::*;

use crate::workflow::operator::{
    ChosenRegion, Correction, Operator, OperatorAction, OperatorRequest, Refusal, check, on_request,
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
    let waiting = order(OrderState::NeedsAttention);
    let first = crate::workflow::operator::request(&waiting, asks(OperatorAction::Resume, 8));
    let second = crate::workflow::operator::request(&waiting, asks(OperatorAction::Resume, 9));
    assert_ne!(first.dedupe_key(), second.dedupe_key());
    // A return asked twice (two people at once, a double click) is one booking.
    let delivered = shipped(OrderState::Delivered, "delivered");
    let return_by = |minute| {
        crate::workflow::operator::request(
            &delivered,
            asks(
                OperatorAction::AfterSale {
                    after_sale: crate::workflow::returns::AfterSale::Return,
                },
                minute,
            ),
        )
    };
    assert_eq!(return_by(10).dedupe_key(), return_by(11).dedupe_key());
    assert_eq!(first.job().kind(), JobKind::Operator);
    let stored = Job::from_stored("operator", &first.job().payload().to_string());
    assert_eq!(stored.as_ref(), Ok(first.job()));
}
