//! What a job's call found out, and whether a job still needs to call.

use super::*;

#[test]
fn a_created_package_moves_the_ticket_and_tells_the_shop() {
    for attach_label in [false, true] {
        let news = JobNews::PackageCreated {
            tracking_number: TrackingNumber::new("SHQ1"),
            status: PackageStatus::Pending,
            adopted: false,
            amount_to_collect: Decimal::new(30000, 2),
            eta: None,
            tracking_url: None,
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
fn an_adopted_package_that_moved_on_tells_the_customer_of_its_step_once() {
    // The bridge stopped between ShaQ's answer and storing it; ShaQ picked the parcel up
    // meanwhile; the job ran again and found the package.
    let news = JobNews::PackageCreated {
        tracking_number: TrackingNumber::new("SHQ1"),
        status: PackageStatus::Received,
        adopted: true,
        amount_to_collect: Decimal::new(30000, 2),
        eta: None,
        tracking_url: None,
    };
    let decision = on_job_news(&rules(false), &order(OrderState::Shipping), news, at(5));
    let next = decision.order.clone().expect("stored");
    assert_eq!(next.state(), OrderState::InTransit);
    assert_eq!(next.courier_status(), Some(&PackageStatus::Received));
    let moves: Vec<Option<String>> = decision
        .jobs
        .iter()
        .filter_map(|job| match job.job() {
            Job::Order(OrderJob::MoveTicket(moved)) => {
                Some(moved.status_key.as_ref().map(|key| key.as_str().to_owned()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        moves.len(),
        2,
        "package created, then the courier's step: {moves:?}"
    );
    assert_eq!(moves[0].as_deref(), Some("package_created"));
    assert!(
        decision.timeline[0]
            .summary
            .starts_with("ShaQ package SHQ1 adopted")
    );
    assert!(
        decision
            .timeline
            .iter()
            .any(|line| line.summary == "ShaQ: received"),
        "{:?}",
        decision.timeline
    );
    // ShaQ's webhook for that step, older than the adoption, changes nothing twice.
    let webhook = courier("received", 3);
    let late = on_courier_status(&next, &webhook, &rules(false).mapping, at(6));
    assert!(late.jobs.is_empty(), "{:?}", late.jobs);
    // A package adopted while still pending is only created.
    let pending = on_job_news(
        &rules(false),
        &order(OrderState::Shipping),
        JobNews::PackageCreated {
            tracking_number: TrackingNumber::new("SHQ2"),
            status: PackageStatus::Pending,
            adopted: true,
            amount_to_collect: Decimal::new(30000, 2),
            eta: None,
            tracking_url: None,
        },
        at(5),
    );
    assert_eq!(
        kinds(&pending),
        vec![JobKind::MoveTicket, JobKind::WriteBackToShop]
    );
    assert_eq!(pending.order.expect("stored").state(), OrderState::Shipping);
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
fn an_adopted_ticket_the_customer_already_answered_ships_the_order_once() {
    // The bridge stopped before storing the ticket it made; the customer confirmed meanwhile;
    // the job ran again and found the ticket, confirmed.
    let fresh =
        TrackedOrder::for_tests(shop_order(true, 0), OrderState::AwaitingConfirmation, at(0));
    let created = on_job_news(
        &rules(false),
        &fresh,
        JobNews::TicketCreated {
            ticket_id: TicketId::new("tkt9"),
            status_id: TicketStatusId::new("st-yes"),
            status_key: TicketKey::AWAITING_CONFIRMATION,
            adopted: true,
            invoice: crate::workflow::InvoiceOnTicket::NotAsked,
            sent: None,
        },
        at(2),
    );
    let next = created.order.clone().expect("stored");
    assert_eq!(next.state(), OrderState::Shipping, "{:?}", created.timeline);
    assert_eq!(next.ticket_status().map(|s| s.as_str()), Some("st-yes"));
    assert!(kinds(&created).contains(&JobKind::CreatePackage));
    // Digishare's webhook for that answer changes nothing twice.
    let webhook = TicketNews {
        ticket_id: TicketId::new("tkt9"),
        status_id: TicketStatusId::new("st-yes"),
        changed_at: None,
    };
    let late = on_ticket_status(
        &next,
        &webhook,
        &rules(false).shop(next.shop_id()).unwrap().statuses,
        at(3),
    );
    assert!(late.jobs.is_empty(), "{:?}", late.jobs);
    assert!(late.order.is_none());
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
            invoice: crate::workflow::InvoiceOnTicket::NotAsked,
            sent: None,
        },
        at(2),
    );
    let next = created.order.expect("stored");
    assert_eq!(next.ticket_id().map(|t| t.as_str()), Some("tkt9"));
    assert!(created.timeline[0].summary.contains("adopted"));
    let moved = on_job_news(
        &rules(false),
        &next,
        JobNews::TicketMoved {
            moved: Some((TicketKey::CONFIRMED, TicketStatusId::new("st-yes"))),
            sent: crate::workflow::SentToCustomer {
                language: "fr".to_owned(),
                variables: serde_json::json!({"status_text": "Commande confirmée"})
                    .as_object()
                    .cloned()
                    .unwrap_or_default(),
            },
        },
        at(3),
    );
    // The journey keeps what the customer's message was made of.
    assert_eq!(
        moved.timeline[0].details["sent"],
        serde_json::json!({"status": "confirmed", "language": "fr",
            "variables": {"status_text": "Commande confirmée"}})
    );
    assert_eq!(
        moved.order.and_then(|o| o.ticket_status().cloned()),
        Some(TicketStatusId::new("st-yes"))
    );
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
                invoice_until: None,
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
