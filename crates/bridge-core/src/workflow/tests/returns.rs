//! After delivery: returns, replacements and exchanges, and the news of their packages.

use super::*;

fn after_sale(
    order: &TrackedOrder,
    kind: crate::workflow::returns::AfterSale,
    minute: u32,
) -> Decision {
    crate::workflow::operator::on_request(
        order,
        crate::workflow::operator::OperatorRequest {
            by: crate::workflow::operator::Operator::new("ama"),
            action: crate::workflow::operator::OperatorAction::AfterSale { after_sale: kind },
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
    use crate::workflow::returns::AfterSale;
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
    use crate::workflow::returns::{AfterSale, LinkedPackage};
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
    use crate::workflow::returns::{AfterSale, LinkedPackage};
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
