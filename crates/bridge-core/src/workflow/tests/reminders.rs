//! The confirmation schedule: reminders, quiet hours, the deadline; and the milestones the reports count.

use super::*;

/// A shop that reminds twice, cancels unconfirmed orders after a day, and sends nothing
/// between 21:00 and 08:00 (Accra: UTC all year).
fn reminding_policy() -> ShopPolicy {
    ShopPolicy {
        invoice_wait: None,
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
        eta: None,
        tracking_url: None,
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
