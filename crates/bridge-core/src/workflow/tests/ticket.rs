//! The customer's answers on WhatsApp, and the echoes of our own moves.

use super::*;

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
