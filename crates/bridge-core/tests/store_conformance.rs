//! The storage and job-queue contract, run against both backends.
//!
//! SQLite always runs. PostgreSQL runs when `BRIDGE_TEST_POSTGRES_URL` is set at build time
//! (`.ci/run` sets it); otherwise its tests show as ignored, with the reason.

#![allow(clippy::unwrap_used)]

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use bridge_core::domain::{
    Address, Language, Located, Order, OrderKey, Payment, PhoneE164, PlatformOrderId, Recipient,
    RegionRules, RegionSource, ShopId, TrackingNumber,
};
use bridge_core::jobs::{Job, JobKind, JobRecord, JobState, MoveTicket, OrderJob, SystemJob};
use bridge_core::lifecycle::OrderState;
use bridge_core::maintenance::{RetentionSettings, apply_retention};
use bridge_core::reports::{Granularity, ReportRequest};
use bridge_core::store::{
    CompletionWriter, Intake, JobEffects, JobFilter, NewInboundEvent, OrderPage, OrderQuery,
    ShipmentState, Store, StoreError, TimelineEntry, TimelineKind,
};
use bridge_core::testing::{TestBackend, TestDatabase};
use bridge_core::worker::{
    JobError, JobExecutor, JobOutcome, JobWaker, WorkerPool, WorkerSettings,
};
use bridge_core::workflow::operator::{
    ChosenRegion, Correction, Operator, OperatorAction, OperatorRequest, on_request,
};
use bridge_core::workflow::outcomes::on_job_news;
use bridge_core::workflow::{
    CourierMapping, Flow, JobNews, Milestones, NewJob, Rules, Said, ShopPolicy, TicketStatuses,
    TrackedOrder, Word, timeline,
};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::json;
use tokio_util::sync::CancellationToken;

const LEASE: Duration = Duration::from_secs(60);

/// A job tagged with `name` (carried in a field the store does not look at).
fn job(order: &str, name: &str) -> NewJob {
    NewJob::for_tests(
        OrderJob::MoveTicket(MoveTicket {
            comment: Some(name.to_owned()),
            ..MoveTicket::default()
        }),
        order,
        &format!("move_ticket:{order}:{name}"),
    )
}

/// The tag of a job made by [`job`].
fn name_of(job: &Job) -> Option<&str> {
    match job {
        Job::Order(OrderJob::MoveTicket(MoveTicket { comment, .. })) => comment.as_deref(),
        _ => None,
    }
}

fn later(now: DateTime<Utc>, secs: i64) -> DateTime<Utc> {
    now + chrono::Duration::seconds(secs)
}

fn event(dedupe_key: &str) -> NewInboundEvent {
    NewInboundEvent {
        source: "shop:kente".to_owned(),
        dedupe_key: dedupe_key.to_owned(),
        order_key: Some(key("kente/1")),
        headers: json!({ "x-shopify-topic": "orders/create" }),
        body: br#"{"id":1}"#.to_vec(),
        received_at: Utc::now(),
    }
}

/// Order `kente/{id}` in `state`.
fn order_record(id: &str, state: OrderState) -> TrackedOrder {
    let order = Order {
        shop_id: ShopId::new("kente"),
        platform_order_id: PlatformOrderId::new(id),
        order_ref: "#1001".to_owned(),
        version: None,
        cancelled: false,
        payment: Payment::CashOnDelivery {
            amount_to_collect: Decimal::new(30000, 2),
        },
        total: Decimal::new(30000, 2),
        currency: "GHS".to_owned(),
        recipient: Recipient {
            name: "Ama".to_owned(),
            phone: None,
            phone_problem: None,
            email: None,
            phone_2: None,
        },
        address: Address::default(),
        items: Vec::new(),
        note: None,
        language: Language::En,
    };
    TrackedOrder::for_tests(order, state, Utc::now())
}

/// A module `$module` with `$test` (which takes the whole [`TestDatabase`]) on each backend.
macro_rules! on_both_backends {
    ($module:ident, $test:ident) => {
        mod $module {
            use super::*;

            #[tokio::test]
            async fn sqlite() {
                $test(TestDatabase::new(TestBackend::Sqlite).await).await;
            }

            #[tokio::test]
            #[cfg_attr(
                not(postgres_tests),
                ignore = "PostgreSQL suite not run: set BRIDGE_TEST_POSTGRES_URL"
            )]
            async fn postgres() {
                $test(TestDatabase::new(TestBackend::Postgres).await).await;
            }
        }
    };
}

fn key(value: &str) -> OrderKey {
    OrderKey::new(value)
}

async fn enqueue_dedupes_on_key_whatever_the_state(store: Store) {
    let now = Utc::now();
    assert_eq!(store.enqueue(&[job("kente/1", "a")], now).await.unwrap(), 1);
    assert_eq!(store.enqueue(&[job("kente/1", "a")], now).await.unwrap(), 0);
    let claimed = store.claim_jobs(10, LEASE, now).await.unwrap();
    assert_eq!(claimed.len(), 1);
    store
        .complete_job(&claimed[0], &JobEffects::default(), now)
        .await
        .unwrap();
    assert_eq!(store.enqueue(&[job("kente/1", "a")], now).await.unwrap(), 0);
    let counts = store.job_counts().await.unwrap();
    assert_eq!((counts.done, counts.queued), (1, 0));
}

async fn inbound_event_and_its_jobs_are_stored_once(store: Store) {
    let first = store
        .accept_inbound(&event("wh-1"), |id| {
            vec![job("kente/1", &format!("ev{id}"))]
        })
        .await
        .unwrap();
    let Intake::Accepted { event_id } = first else {
        panic!("first delivery must be accepted");
    };
    let second = store
        .accept_inbound(&event("wh-1"), |_| vec![job("kente/1", "other")])
        .await
        .unwrap();
    assert_eq!(second, Intake::Duplicate);
    let jobs = store.list_jobs(&JobFilter::default()).await.unwrap();
    assert_eq!(jobs.len(), 1, "the duplicate enqueued nothing");
    assert_eq!(
        name_of(&jobs[0].job),
        Some(format!("ev{event_id}").as_str())
    );
    let stored = store.inbound_event(event_id).await.unwrap().unwrap();
    assert_eq!(stored.body, br#"{"id":1}"#.to_vec());
    assert_eq!(stored.source, "shop:kente");
}

async fn claim_leases_and_expired_leases_are_reclaimed(store: Store) {
    let now = Utc::now();
    store.enqueue(&[job("kente/1", "a")], now).await.unwrap();
    let first = store.claim_jobs(10, LEASE, now).await.unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].job.state, JobState::Running);
    assert_eq!(first[0].job.attempts, 1);
    assert!(
        store
            .claim_jobs(10, LEASE, later(now, 30))
            .await
            .unwrap()
            .is_empty()
    );

    // The first worker died: after the lease, the job is claimable again.
    let second = store.claim_jobs(10, LEASE, later(now, 61)).await.unwrap();
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].job.attempts, 2);

    // The first worker comes back: it cannot finish a job it no longer owns.
    let stale = store
        .complete_job(&first[0], &JobEffects::default(), later(now, 62))
        .await;
    assert!(matches!(stale, Err(StoreError::LeaseLost { .. })));
    store
        .complete_job(&second[0], &JobEffects::default(), later(now, 62))
        .await
        .unwrap();
    assert_eq!(
        store.job(second[0].id()).await.unwrap().unwrap().state,
        JobState::Done
    );
}

async fn retries_wait_for_their_time(store: Store) {
    let now = Utc::now();
    store.enqueue(&[job("kente/1", "a")], now).await.unwrap();
    let claimed = store.claim_jobs(1, LEASE, now).await.unwrap();
    store
        .retry_job(&claimed[0], later(now, 300), "503 from ShaQ", &[], now)
        .await
        .unwrap();
    let stored = store.job(claimed[0].id()).await.unwrap().unwrap();
    assert_eq!(stored.state, JobState::Queued);
    assert_eq!(stored.last_error.as_deref(), Some("503 from ShaQ"));
    assert!(
        store
            .claim_jobs(1, LEASE, later(now, 299))
            .await
            .unwrap()
            .is_empty()
    );
    let again = store.claim_jobs(1, LEASE, later(now, 300)).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].job.attempts, 2);
}

async fn dead_jobs_keep_their_reason_and_can_be_revived(store: Store) {
    let now = Utc::now();
    store.enqueue(&[job("kente/1", "a")], now).await.unwrap();
    let claimed = store.claim_jobs(1, LEASE, now).await.unwrap();
    store
        .bury_job(&claimed[0], "422: destination_region is invalid", &[], now)
        .await
        .unwrap();
    let dead = store
        .list_jobs(&JobFilter {
            state: Some(JobState::Dead),
            ..JobFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(
        dead[0].last_error.as_deref(),
        Some("422: destination_region is invalid")
    );
    let note = |job: &JobRecord| {
        bridge_core::workflow::operator::job_retried(
            &job.order_key,
            job.kind(),
            job.id,
            &Operator::new("ama"),
            now,
        )
    };
    let revived = store.revive_job(dead[0].id, now, note).await.unwrap();
    assert_eq!(revived.map(|job| job.state), Some(JobState::Queued));
    assert!(
        store
            .revive_job(dead[0].id, now, note)
            .await
            .unwrap()
            .is_none(),
        "no longer dead"
    );
    let noted = store.timeline(&dead[0].order_key).await.unwrap();
    assert!(
        noted
            .iter()
            .any(|line| line.entry.kind == TimelineKind::Operator
                && line.entry.summary == format!("move_ticket job {} retried by ama", dead[0].id)
                && line.entry.details["operator"] == "ama"),
        "the retry is on the order's timeline, in the same transaction: {noted:?}"
    );
    let revived = store.claim_jobs(1, LEASE, now).await.unwrap();
    assert_eq!(
        revived[0].job.attempts, 1,
        "a revived job starts a fresh set of attempts"
    );
}

/// A write-back waiting for a retry (a shop that keeps failing) holds back none of its order's
/// other jobs: it runs in the order's write-back lane, and the order's own queue goes on.
async fn a_failing_write_back_holds_back_none_of_the_orders_other_jobs(store: Store) {
    let now = Utc::now();
    let order = bridge_core::domain::OrderKey::new("kente/1");
    let lane = order.write_back_lane();
    store
        .enqueue(
            &[
                job(lane.as_str(), "told"),
                job(order.as_str(), "moved"),
                job(order.as_str(), "moved-again"),
                job(lane.as_str(), "told-again"),
            ],
            now,
        )
        .await
        .unwrap();
    let first = store.claim_jobs(10, LEASE, now).await.unwrap();
    let mut names: Vec<&str> = first.iter().filter_map(|c| name_of(&c.job.job)).collect();
    names.sort_unstable();
    assert_eq!(names, ["moved", "told"], "one of each queue at a time");
    // The shop fails: the write-back waits an hour for its retry…
    let told = first
        .iter()
        .find(|c| name_of(&c.job.job) == Some("told"))
        .unwrap();
    store
        .retry_job(told, later(now, 3600), "the shop answered 503", &[], now)
        .await
        .unwrap();
    let moved = first
        .iter()
        .find(|c| name_of(&c.job.job) == Some("moved"))
        .unwrap();
    store
        .complete_job(moved, &JobEffects::default(), now)
        .await
        .unwrap();
    // …while the order's next job runs at once, and the next write-back waits its turn.
    let next = store.claim_jobs(10, LEASE, later(now, 1)).await.unwrap();
    let names: Vec<&str> = next.iter().filter_map(|c| name_of(&c.job.job)).collect();
    assert_eq!(names, ["moved-again"]);
    // The order's jobs, lane included, are listed together.
    let listed = store
        .list_jobs(&JobFilter {
            order_key: Some(order.clone()),
            ..JobFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(listed.len(), 4);
}

async fn jobs_of_one_order_run_one_at_a_time_in_order(store: Store) {
    let now = Utc::now();
    store
        .enqueue(
            &[
                job("kente/1", "a1"),
                job("kente/1", "a2"),
                job("kente/2", "b1"),
            ],
            now,
        )
        .await
        .unwrap();
    let names = |claimed: &[bridge_core::jobs::ClaimedJob]| {
        let mut names: Vec<String> = claimed
            .iter()
            .map(|c| name_of(&c.job.job).unwrap().to_owned())
            .collect();
        names.sort();
        names
    };
    let first = store.claim_jobs(10, LEASE, now).await.unwrap();
    assert_eq!(names(&first), ["a1", "b1"]);
    assert!(
        store.claim_jobs(10, LEASE, now).await.unwrap().is_empty(),
        "a2 waits for a1"
    );

    // a1 fails and waits for a retry: a2 still waits (a cancel must not overtake a create).
    let a1 = first
        .iter()
        .find(|c| name_of(&c.job.job) == Some("a1"))
        .unwrap();
    store
        .retry_job(a1, later(now, 60), "timeout", &[], now)
        .await
        .unwrap();
    assert!(store.claim_jobs(10, LEASE, now).await.unwrap().is_empty());

    let a1_again = store.claim_jobs(10, LEASE, later(now, 60)).await.unwrap();
    assert_eq!(names(&a1_again), ["a1"]);
    store
        .complete_job(&a1_again[0], &JobEffects::default(), later(now, 60))
        .await
        .unwrap();
    assert_eq!(
        names(&store.claim_jobs(10, LEASE, later(now, 60)).await.unwrap()),
        ["a2"]
    );
}

async fn a_timer_for_later_does_not_hold_back_the_order(store: Store) {
    let now = Utc::now();
    let timer = job("kente/1", "timer").run_at(later(now, 3600));
    store
        .enqueue(&[timer, job("kente/1", "next")], now)
        .await
        .unwrap();
    let claimed = store.claim_jobs(10, LEASE, now).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(name_of(&claimed[0].job.job), Some("next"));
}

/// An outage: every order's first job fails and waits for its retry while the order's next job
/// is due. More orders than a claim looks at in one go must not hide the retries behind the jobs
/// they hold back.
async fn a_long_outage_does_not_stall_the_queue(store: Store) {
    let now = Utc::now();
    let orders = 700;
    let jobs: Vec<NewJob> = (0..orders)
        .flat_map(|i| {
            let order = format!("kente/{i}");
            [job(&order, "first"), job(&order, "second")]
        })
        .collect();
    store.enqueue(&jobs, now).await.unwrap();
    let mut failed = 0;
    loop {
        let claimed = store.claim_jobs(100, LEASE, now).await.unwrap();
        if claimed.is_empty() {
            break;
        }
        for claimed in &claimed {
            assert_eq!(name_of(&claimed.job.job), Some("first"));
            store
                .retry_job(claimed, later(now, 60), "503 from ShaQ", &[], now)
                .await
                .unwrap();
            failed += 1;
        }
    }
    assert_eq!(failed, orders, "every order's first job ran once");
    assert!(!store.is_idle(now).await.unwrap());

    // The upstream is back: every first job, then every second one, runs.
    let after = later(now, 60);
    let mut ran: Vec<String> = Vec::new();
    loop {
        let claimed = store.claim_jobs(100, LEASE, after).await.unwrap();
        if claimed.is_empty() {
            break;
        }
        for claimed in &claimed {
            ran.push(name_of(&claimed.job.job).unwrap().to_owned());
            store
                .complete_job(claimed, &JobEffects::default(), after)
                .await
                .unwrap();
        }
    }
    assert_eq!(ran.iter().filter(|n| *n == "first").count(), orders);
    assert_eq!(ran.iter().filter(|n| *n == "second").count(), orders);
    assert!(store.is_idle(after).await.unwrap());
    assert_eq!(store.job_counts().await.unwrap().done, 2 * orders as i64);
}

/// The pages PostgreSQL touched for a claim's search (the top node's buffers: its children's
/// included), from `EXPLAIN (ANALYZE, BUFFERS)`.
fn pages_touched(plan: &str) -> u64 {
    let line = plan
        .lines()
        .find(|line| line.trim_start().starts_with("Buffers:"))
        .unwrap_or_else(|| panic!("no buffers in the plan:\n{plan}"));
    line.split_whitespace()
        .filter_map(|part| part.split_once('='))
        .filter(|(what, _)| ["hit", "read"].contains(what))
        .map(|(_, n)| n.parse::<u64>().unwrap())
        .sum()
}

/// A claim's cost does not grow with the backlog (issue: a claim used to read every queued
/// job, so a backlog slowed every claim and the bridge nearly stopped). Measured by what the
/// database does rather than by a clock: SQLite's plan reaches `jobs` only through indexes
/// (any full pass is over the bounded window), PostgreSQL touches at most three times the
/// pages with eleven times the jobs queued (2,200 orders against 200).
async fn a_claim_costs_the_same_whatever_the_backlog(store: Store) {
    let now = Utc::now();
    let enqueue = |from: usize, to: usize| {
        let jobs: Vec<NewJob> = (from..to)
            .flat_map(|i| {
                let order = format!("kente/{i}");
                [job(&order, "first"), job(&order, "second")]
            })
            .collect();
        let store = store.clone();
        async move { store.enqueue(&jobs, now).await.unwrap() }
    };
    enqueue(0, 200).await;
    let small = store.explain_claim(now, 8).await.unwrap();
    enqueue(200, 2200).await;
    let large = store.explain_claim(now, 8).await.unwrap();
    if large.contains("Buffers:") {
        let (small_pages, large_pages) = (pages_touched(&small), pages_touched(&large));
        assert!(
            // Eleven times the jobs: a claim reading them all would touch ten times the pages
            // or more; walking indexes costs a level or two more per lookup.
            large_pages <= 3 * small_pages,
            "a claim touched {small_pages} pages with 200 orders queued, {large_pages} with 2,200:\n{large}"
        );
    } else {
        for plan in [&small, &large] {
            for step in plan.lines() {
                let step = step.trim();
                assert!(
                    !step.starts_with("SCAN jobs") && !step.starts_with("SCAN e"),
                    "a full pass over the jobs:\n{plan}"
                );
                if step.starts_with("SEARCH") {
                    assert!(
                        step.contains("INDEX") || step.contains("PRIMARY KEY"),
                        "a search without an index:\n{plan}"
                    );
                }
                assert!(
                    !step.contains("TEMP B-TREE"),
                    "the window is sorted, not read lazily in index order:\n{plan}"
                );
            }
            assert!(plan.contains("jobs_ready"), "{plan}");
            assert!(plan.contains("jobs_order"), "{plan}");
        }
    }
    println!("claim plan with 2,200 orders queued:\n{large}");
}

async fn two_workers_never_claim_the_same_job(db: TestDatabase) {
    // A second connection pool on the same database: as a second process or replica would.
    let other = Store::connect(&db.settings).await.unwrap();
    let now = Utc::now();
    let jobs: Vec<NewJob> = (0..60).map(|i| job(&format!("kente/{i}"), "x")).collect();
    db.store.enqueue(&jobs, now).await.unwrap();
    let worker = |store: Store| async move {
        let mut ids = Vec::new();
        loop {
            let claimed = store.claim_jobs(3, LEASE, Utc::now()).await.unwrap();
            if claimed.is_empty() {
                return ids;
            }
            ids.extend(claimed.iter().map(|c| c.id()));
        }
    };
    let (a, b) = tokio::join!(worker(db.store.clone()), worker(other));
    let all: HashSet<i64> = a.iter().chain(&b).copied().collect();
    assert_eq!(a.len() + b.len(), 60, "every job claimed exactly once");
    assert_eq!(all.len(), 60);
}

async fn job_effects_commit_with_the_completion(store: Store) {
    let now = Utc::now();
    store.enqueue(&[job("kente/1", "a")], now).await.unwrap();
    let claimed = store.claim_jobs(1, LEASE, now).await.unwrap();
    let rules = Rules {
        shops: Default::default(),
        mapping: CourierMapping::default(),
        attach_label: false,
    };
    let news = JobNews::PackageCreated {
        tracking_number: TrackingNumber::new("SHQ123"),
        status: "pending".parse().unwrap(),
        adopted: false,
        amount_to_collect: Decimal::new(30000, 2),
        eta: None,
        tracking_url: None,
    };
    let order = on_job_news(&rules, &order_record("1", OrderState::Shipping), news, now)
        .order
        .unwrap();
    let effects = JobEffects {
        order: Some(order.clone()),
        jobs: vec![job("kente/1", "follow-up")],
        timeline: vec![
            TimelineEntry {
                order_key: key("kente/1"),
                at: now,
                kind: TimelineKind::Call,
                summary: "POST /packages → 201".to_owned(),
                words: None,
                details: json!({ "status": 201 }),
            },
            TimelineEntry {
                details: json!({ "operator": "ama" }),
                ..timeline(
                    &key("kente/1"),
                    now,
                    TimelineKind::Operator,
                    Said::new("line-corrected").text("by", "ama").with(
                        "changes",
                        Word::List(vec![
                            Said::new("line-corrected-region")
                                .text("value", "Ashanti")
                                .into(),
                        ]),
                    ),
                )
            },
        ],
        inbound_outcome: None,
    };
    store
        .complete_job(&claimed[0], &effects, now)
        .await
        .unwrap();
    let stored = store.order(&key("kente/1")).await.unwrap().unwrap();
    assert_eq!(
        stored.order(),
        order.order(),
        "the shop's order reads back whole"
    );
    assert_eq!(stored.collect(), order.collect());
    assert_eq!(stored.courier_status(), order.courier_status());
    assert_eq!(stored.state(), OrderState::Shipping);
    assert_eq!(stored.tracking_number().map(|t| t.as_str()), Some("SHQ123"));
    assert_eq!(
        store
            .order_by_package("SHQ123")
            .await
            .unwrap()
            .unwrap()
            .key(),
        key("kente/1")
    );
    for reference in ["SHQ123", stored.partner_ref().as_str()] {
        assert_eq!(
            store.order_key_by_package(reference).await.unwrap(),
            Some(key("kente/1")),
            "{reference}"
        );
    }
    assert_eq!(store.order_key_by_package("SHQ999").await.unwrap(), None);
    let lines = store.timeline(&key("kente/1")).await.unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(
        lines[0].entry.words, None,
        "a line without words reads without"
    );
    assert_eq!(lines[0].entry.details, json!({ "status": 201 }));
    // A line's words read back beside its details, for the console to say in any language.
    assert_eq!(lines[1].entry.summary, "corrected by ama: region → Ashanti");
    assert_eq!(lines[1].entry.words, effects.timeline[1].words);
    assert_eq!(lines[1].entry.details, json!({ "operator": "ama" }));
    assert_eq!(
        store.job_counts().await.unwrap().queued,
        1,
        "the follow-up job"
    );

    // A lost lease commits none of the effects.
    store.enqueue(&[job("kente/9", "z")], now).await.unwrap();
    let claimed = store.claim_jobs(1, LEASE, now).await.unwrap();
    let _thief = store.claim_jobs(1, LEASE, later(now, 61)).await.unwrap();
    let effects = JobEffects {
        order: Some(order_record("9", OrderState::Delivered)),
        ..JobEffects::default()
    };
    assert!(
        store
            .complete_job(&claimed[0], &effects, later(now, 62))
            .await
            .is_err()
    );
    assert!(store.order(&key("kente/9")).await.unwrap().is_none());
}

/// Stores `order` as a job's effect would.
async fn save(store: &Store, order: &TrackedOrder, at: DateTime<Utc>) {
    let name = format!("save-{}", at.timestamp_micros());
    store
        .enqueue(&[job(order.key().as_str(), &name)], at)
        .await
        .unwrap();
    let claimed = store.claim_jobs(1, LEASE, at).await.unwrap();
    let effects = JobEffects {
        order: Some(order.clone()),
        ..JobEffects::default()
    };
    store.complete_job(&claimed[0], &effects, at).await.unwrap();
}

/// Order `kente/{id}` named `name`, for `customer` at `phone`, received at `at`.
fn customer_order(
    id: &str,
    name: &str,
    customer: &str,
    phone: &str,
    at: DateTime<Utc>,
) -> TrackedOrder {
    let mut order = order_record(id, OrderState::NeedsAttention).order().clone();
    order.order_ref = name.to_owned();
    order.recipient.name = customer.to_owned();
    order.recipient.phone = Some(PhoneE164::parse(phone, Some("GH")).unwrap());
    TrackedOrder::for_tests(order, OrderState::NeedsAttention, at)
}

async fn orders_are_found_by_every_name_people_use(store: Store) {
    let now = Utc::now();
    let ama = customer_order(
        "5001",
        "#1047",
        "Ama Bóateng",
        "024 412 3456",
        later(now, -30),
    );
    let kofi = customer_order(
        "5002",
        "#1048",
        "Kofi Mensah",
        "+233 20 111 2222",
        later(now, -20),
    );
    let news = JobNews::PackageCreated {
        tracking_number: TrackingNumber::new("SHQ777"),
        status: "pending".parse().unwrap(),
        adopted: false,
        amount_to_collect: Decimal::new(30000, 2),
        eta: None,
        tracking_url: None,
    };
    let rules = Rules {
        shops: Default::default(),
        mapping: CourierMapping::default(),
        attach_label: false,
    };
    let kofi = on_job_news(&rules, &kofi, news, now).order.unwrap();
    save(&store, &ama, later(now, -30)).await;
    save(&store, &kofi, later(now, -20)).await;

    let find = |text: &str| OrderQuery {
        text: Some(text.to_owned()),
        ..OrderQuery::default()
    };
    let ids = |page: OrderPage| -> Vec<String> {
        page.orders
            .iter()
            .map(|o| o.key().as_str().to_owned())
            .collect()
    };
    for (text, expected) in [
        ("#1047", vec!["kente/5001"]),
        ("1047", vec!["kente/5001"]),
        ("5002", vec!["kente/5002"]),
        ("0244123456", vec!["kente/5001"]),
        ("+233 24 412 3456", vec!["kente/5001"]),
        ("shq777", vec!["kente/5002"]),
        ("boateng", vec!["kente/5001"]),
        ("MENSAH", vec!["kente/5002"]),
        ("nobody", vec![]),
        ("%", vec![]),
    ] {
        assert_eq!(
            ids(store.search_orders(&find(text)).await.unwrap()),
            expected,
            "search `{text}`"
        );
    }

    // Newest first, paged, with the total; filters combine.
    let all = store
        .search_orders(&OrderQuery {
            limit: 1,
            ..OrderQuery::default()
        })
        .await
        .unwrap();
    assert_eq!((all.total, ids(all)), (2, vec!["kente/5002".to_owned()]));
    let second = store
        .search_orders(&OrderQuery {
            limit: 1,
            offset: 1,
            ..OrderQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(ids(second), ["kente/5001"]);
    let older = store
        .search_orders(&OrderQuery {
            received_before: Some(later(now, -25)),
            state: Some(OrderState::NeedsAttention),
            shop_id: Some(ShopId::new("kente")),
            ..OrderQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(ids(older), ["kente/5001"]);
    let counts = store.order_counts().await.unwrap();
    assert!(
        counts.contains(&(OrderState::NeedsAttention, 2)),
        "{counts:?}"
    );
}

async fn a_persons_correction_is_stored_with_the_order(store: Store) {
    let now = Utc::now();
    let lost = customer_order("6001", "#2001", "Esi", "024 412 3456", now);
    save(&store, &lost, now).await;
    let policy = ShopPolicy {
        invoice_wait: None,
        flow: Flow::ShipImmediately,
        prepaid_skips_confirmation: true,
        confirmation: bridge_core::workflow::confirmation::ConfirmationPolicy::default(),
        service_countries: Vec::new(),
        write_back: None,
        regions: RegionRules::default(),
        statuses: TicketStatuses::default(),
    };
    let correction = Correction {
        region: ChosenRegion::parse("Volta"),
        line2: Some("near the lorry station".to_owned()),
        amount_to_collect: Some(Decimal::new(12550, 2)),
        ..Correction::default()
    };
    let request = OperatorRequest {
        by: Operator::new("ama"),
        action: OperatorAction::Correct(correction.clone()),
        at: now,
    };
    let corrected = on_request(&lost, request, &policy, now).order.unwrap();
    save(&store, &corrected, later(now, 1)).await;
    let stored = store.order(&key("kente/6001")).await.unwrap().unwrap();
    assert_eq!(stored.corrections(), Some(&correction));
    assert_eq!(stored.region(), corrected.region());
    assert_eq!(stored.collect().amount, Decimal::new(12550, 2));
}

/// Runs the queued `notify` jobs as the runner would: post, then done, or retried at `retry_at`.
async fn post_notices(
    store: &Store,
    poster: &bridge_core::notify::NoticePoster,
    now: DateTime<Utc>,
    retry_at: DateTime<Utc>,
) -> (u32, u32) {
    let (mut sent, mut failed) = (0, 0);
    for claimed in store.claim_jobs(50, LEASE, now).await.unwrap() {
        let Job::System(SystemJob::Notify {
            order_key,
            reason,
            text,
        }) = &claimed.job.job
        else {
            panic!("only notices are queued here: {:?}", claimed.job.job);
        };
        match poster.post(order_key, reason, text).await {
            Ok(()) => {
                store
                    .complete_job(&claimed, &JobEffects::default(), now)
                    .await
                    .unwrap();
                sent += 1;
            }
            Err(error) => {
                assert!(matches!(error, JobError::Retryable { .. }), "{error}");
                store
                    .retry_job(&claimed, retry_at, &error.to_string(), &[], now)
                    .await
                    .unwrap();
                failed += 1;
            }
        }
    }
    (sent, failed)
}

/// Notices are `notify` jobs: queued once per order and reason however many rounds see them,
/// under a key of their own (never holding the order's jobs back), retried like any job, and a
/// notice that could not be posted is not announced by another notice.
async fn notices_are_posted_once_per_order_and_reason(store: Store) {
    use bridge_core::notify::{NoticePoster, Notifier};
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let now = Utc::now();
    let stuck = customer_order("7001", "#1047", "Ama", "024 412 3456", now);
    save(&store, &stuck, now).await;
    store
        .enqueue(&[job("kente/7002", "doomed")], now)
        .await
        .unwrap();
    let claimed = store.claim_jobs(1, LEASE, now).await.unwrap();
    store
        .bury_job(&claimed[0], "422: destination_region is invalid", &[], now)
        .await
        .unwrap();

    let receiver = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/hooks/ops"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&receiver)
        .await;
    let notifier = Notifier::new(
        store.clone(),
        Some("https://bridge.example".to_owned()),
        JobWaker::new(),
    );
    let poster = NoticePoster::new(format!("{}/hooks/ops", receiver.uri()).into()).unwrap();
    assert_eq!(notifier.round(now).await.unwrap(), 2);
    let notices = store
        .list_jobs(&JobFilter {
            kind: Some(JobKind::Notify),
            ..JobFilter::default()
        })
        .await
        .unwrap();
    assert!(
        notices
            .iter()
            .all(|n| n.order_key.as_str().starts_with("notice/kente/")),
        "beside the order, not in its queue: {notices:?}"
    );
    assert_eq!(post_notices(&store, &poster, now, now).await, (2, 0));
    assert_eq!(
        notifier.round(later(now, 60)).await.unwrap(),
        0,
        "once per order and reason"
    );
    let posted = receiver.received_requests().await.unwrap();
    let bodies: Vec<serde_json::Value> = posted
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    let texts: Vec<&str> = bodies.iter().filter_map(|b| b["text"].as_str()).collect();
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("Order #1047 (kente) needs a person")
                && t.ends_with("https://bridge.example/console/orders/kente/7001")),
        "{texts:?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("Job move_ticket of order kente/7002 gave up: 422")),
        "{texts:?}"
    );
    assert!(
        bodies
            .iter()
            .any(|b| b["order_key"] == "kente/7002" && b["reason"] == "dead:move_ticket"),
        "{bodies:?}"
    );

    // An endpoint that fails is tried again, by the queue's retry.
    let failing = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&failing)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&failing)
        .await;
    let other = customer_order("7003", "#1049", "Kofi", "020 111 2222", now);
    save(&store, &other, now).await;
    let poster = NoticePoster::new(failing.uri().into()).unwrap();
    let at = later(now, 120);
    assert_eq!(notifier.round(at).await.unwrap(), 1);
    assert_eq!(
        post_notices(&store, &poster, at, later(now, 300)).await,
        (0, 1)
    );
    assert_eq!(
        post_notices(&store, &poster, later(now, 200), at).await,
        (0, 0),
        "not before its retry"
    );
    assert_eq!(
        post_notices(&store, &poster, later(now, 400), at).await,
        (1, 0)
    );

    // A notice that gave up is in the dead-job list, and is not itself announced.
    store
        .enqueue(&[job("kente/7004", "doomed")], later(now, 500))
        .await
        .unwrap();
    let claimed = store.claim_jobs(1, LEASE, later(now, 500)).await.unwrap();
    store
        .bury_job(&claimed[0], "422", &[], later(now, 500))
        .await
        .unwrap();
    assert_eq!(notifier.round(later(now, 500)).await.unwrap(), 1);
    let claimed = store.claim_jobs(1, LEASE, later(now, 500)).await.unwrap();
    store
        .bury_job(
            &claimed[0],
            "notify_url failed (HTTP 500)",
            &[],
            later(now, 500),
        )
        .await
        .unwrap();
    assert_eq!(
        notifier.round(later(now, 600)).await.unwrap(),
        0,
        "a dead notice makes no notice"
    );
}

/// A job whose lease was lost and which its new claimer already finished, at the same
/// instant: the stale completion in a batch is still refused, and its effects are not written.
async fn a_stale_completion_is_refused_after_the_new_claimer_finished(store: Store) {
    let now = Utc::now();
    store
        .enqueue(&[job("kente/1", "a"), job("kente/2", "b")], now)
        .await
        .unwrap();
    let claimed = store.claim_jobs(2, LEASE, now).await.unwrap();
    assert_eq!(claimed.len(), 2);
    let stale = claimed[1].clone();
    store.release_job(&claimed[1], now).await.unwrap();
    let thief = store.claim_jobs(1, LEASE, now).await.unwrap();
    assert_eq!(thief.len(), 1);
    assert_eq!(thief[0].id(), stale.id());
    store
        .complete_job(&thief[0], &JobEffects::default(), now)
        .await
        .unwrap();
    let kept = JobEffects {
        order: Some(order_record("1", OrderState::Shipping)),
        ..JobEffects::default()
    };
    let lost = JobEffects {
        order: Some(order_record("2", OrderState::Delivered)),
        ..JobEffects::default()
    };
    let results = store
        .complete_jobs(&[(&claimed[0], &kept), (&stale, &lost)], now)
        .await;
    assert!(results[0].is_ok(), "{:?}", results[0]);
    assert!(
        matches!(results[1], Err(StoreError::LeaseLost { .. })),
        "{:?}",
        results[1]
    );
    assert!(
        store.order(&key("kente/2")).await.unwrap().is_none(),
        "nothing of the stale completion"
    );
}

async fn completions_commit_together_each_on_its_own(store: Store) {
    let now = Utc::now();
    store
        .enqueue(&[job("kente/1", "a"), job("kente/2", "b")], now)
        .await
        .unwrap();
    let claimed = store.claim_jobs(2, LEASE, now).await.unwrap();
    assert_eq!(claimed.len(), 2);
    // The second job's lease is taken over: its completion must commit nothing.
    let stale = claimed[1].clone();
    store.release_job(&claimed[1], now).await.unwrap();
    let _thief = store.claim_jobs(1, LEASE, now).await.unwrap();
    let kept = JobEffects {
        order: Some(order_record("1", OrderState::Shipping)),
        ..JobEffects::default()
    };
    let lost = JobEffects {
        order: Some(order_record("2", OrderState::Delivered)),
        ..JobEffects::default()
    };
    let results = store
        .complete_jobs(&[(&claimed[0], &kept), (&stale, &lost)], now)
        .await;
    assert!(results[0].is_ok(), "{:?}", results[0]);
    assert!(
        matches!(results[1], Err(StoreError::LeaseLost { .. })),
        "{:?}",
        results[1]
    );
    assert!(store.order(&key("kente/1")).await.unwrap().is_some());
    assert!(
        store.order(&key("kente/2")).await.unwrap().is_none(),
        "nothing of the lost job"
    );
    assert_eq!(
        store.job(claimed[0].id()).await.unwrap().unwrap().state,
        JobState::Done
    );
}

async fn a_completion_that_cannot_be_stored_leaves_its_batch_intact(store: Store) {
    let now = Utc::now();
    // Order 3 is stored; job 2's effects give order 2 order 3's partner reference, which the
    // store refuses (it is unique): job 2 fails alone, jobs 1 and 3 of the batch commit.
    save(&store, &order_record("3", OrderState::Shipping), now).await;
    store
        .enqueue(
            &[
                job("kente/1", "a"),
                job("kente/2", "b"),
                job("kente/3", "c"),
            ],
            now,
        )
        .await
        .unwrap();
    let claimed = store.claim_jobs(3, LEASE, now).await.unwrap();
    assert_eq!(claimed.len(), 3);
    let taken = order_record("3", OrderState::Shipping).partner_ref();
    let effects = [
        JobEffects {
            order: Some(order_record("1", OrderState::Shipping)),
            ..JobEffects::default()
        },
        JobEffects {
            order: Some(order_record("2", OrderState::Shipping).with_partner_ref_for_tests(taken)),
            ..JobEffects::default()
        },
        JobEffects {
            jobs: vec![job("kente/3", "next")],
            ..JobEffects::default()
        },
    ];
    let pairs: Vec<_> = claimed.iter().zip(effects.iter()).collect();
    let (results, follow_ups) = store
        .complete_jobs_and_claim(&pairs, Some((10, LEASE)), now)
        .await;
    assert!(results[0].is_ok(), "{:?}", results[0]);
    assert!(
        matches!(results[1], Err(StoreError::Database(_))),
        "{:?}",
        results[1]
    );
    assert!(results[2].is_ok(), "{:?}", results[2]);
    assert!(store.order(&key("kente/1")).await.unwrap().is_some());
    assert!(
        store.order(&key("kente/2")).await.unwrap().is_none(),
        "nothing of the failed job"
    );
    let states: Vec<JobState> =
        futures::future::join_all(claimed.iter().map(|c| store.job(c.id())))
            .await
            .into_iter()
            .map(|j| j.unwrap().unwrap().state)
            .collect();
    assert_eq!(
        states,
        [JobState::Done, JobState::Running, JobState::Done],
        "the failed job is still its worker's, to retry"
    );
    // The claim in the same transaction saw the follow-up job 3 queued.
    let follow_ups = follow_ups.unwrap();
    assert_eq!(follow_ups.len(), 1, "{follow_ups:?}");
    assert_eq!(name_of(&follow_ups[0].job.job), Some("next"));
    assert_eq!(
        store.job(follow_ups[0].id()).await.unwrap().unwrap().state,
        JobState::Running,
        "claimed and committed with the completions"
    );
}

async fn a_finished_job_brings_its_workers_next_job(store: Store) {
    let now = Utc::now();
    store
        .enqueue(&[job("kente/1", "first"), job("kente/2", "other")], now)
        .await
        .unwrap();
    let claimed = store.claim_jobs(1, LEASE, now).await.unwrap();
    assert_eq!(name_of(&claimed[0].job.job), Some("first"));
    let writer = CompletionWriter::spawn(store.clone(), 16);
    // The job's follow-up is queued behind it; the worker asks for its next job with the
    // completion and gets one in the same transaction: the oldest due one nothing holds back.
    let effects = JobEffects {
        order: Some(order_record("1", OrderState::Shipping)),
        jobs: vec![job("kente/1", "second")],
        ..JobEffects::default()
    };
    let (stored, next) = writer
        .complete(claimed[0].clone(), effects, Some(LEASE))
        .await;
    stored.unwrap();
    let next = next.expect("a next job for the same slot");
    assert_eq!(name_of(&next.job.job), Some("other"));
    assert_eq!(
        store.job(next.id()).await.unwrap().unwrap().state,
        JobState::Running,
        "claimed and committed with the completion"
    );
    assert!(store.order(&key("kente/1")).await.unwrap().is_some());
    // Its own order's follow-up comes next, with the next completion.
    let (stored, after) = writer
        .complete(next, JobEffects::default(), Some(LEASE))
        .await;
    stored.unwrap();
    let after = after.expect("the follow-up");
    assert_eq!(name_of(&after.job.job), Some("second"));
    // Nothing left: the slot is handed back. Without asking, nothing is claimed.
    let (stored, none) = writer
        .complete(after.clone(), JobEffects::default(), Some(LEASE))
        .await;
    stored.unwrap();
    assert!(none.is_none());
    store
        .enqueue(&[job("kente/3", "later")], now)
        .await
        .unwrap();
    let (stored, none) = writer.complete(after, JobEffects::default(), None).await;
    assert!(
        matches!(stored, Err(StoreError::LeaseLost { .. })),
        "a second completion of a done job: {stored:?}"
    );
    assert!(none.is_none(), "not asked for");
    assert_eq!(store.job_counts().await.unwrap().queued, 1);
}

/// A claim reads each job's order and webhook in its own transaction, so a job starts without
/// a round trip per job — and reads them after the completions it is batched with.
async fn a_claim_reads_what_each_job_starts_from(store: Store) {
    let now = Utc::now();
    let stored = order_record("1", OrderState::NeedsAttention);
    save(&store, &stored, now).await;
    let Intake::Accepted { event_id } = store
        .accept_inbound(&event("wh-1"), |id| {
            vec![NewJob::for_tests(
                Job::ApplyInboundEvent { event_id: id },
                "kente/1",
                &format!("apply:{id}"),
            )]
        })
        .await
        .unwrap()
    else {
        panic!("a first delivery is accepted");
    };
    store
        .enqueue(&[job("kente/2", "no order yet")], now)
        .await
        .unwrap();
    // The webhook's job is due from its arrival, just after `now`.
    let claimed = store.claim_jobs(10, LEASE, Utc::now()).await.unwrap();
    assert_eq!(claimed.len(), 2);
    let apply = claimed
        .iter()
        .find(|c| c.job.job == Job::ApplyInboundEvent { event_id })
        .expect("the webhook's job");
    let inputs = apply.inputs.as_ref().expect("read with the claim");
    let as_stored = store.order(&key("kente/1")).await.unwrap();
    assert!(as_stored.is_some());
    assert_eq!(
        inputs.order, as_stored,
        "the order as a read of it finds it"
    );
    let webhook = inputs.event.as_ref().expect("its webhook");
    assert_eq!(webhook.id, event_id);
    assert_eq!(webhook.body, br#"{"id":1}"#.to_vec());
    assert_eq!(webhook.source, "shop:kente");
    let other = claimed.iter().find(|c| c.id() != apply.id()).unwrap();
    let inputs = other.inputs.as_ref().expect("read with the claim");
    assert_eq!(inputs.order, None, "kente/2 is not stored");
    assert_eq!(inputs.event, None, "not a webhook's job");

    // The next job, claimed with the completion that changes its order, sees the change.
    let changed = order_record("1", OrderState::Shipping);
    let writer = CompletionWriter::spawn(store.clone(), 16);
    let effects = JobEffects {
        order: Some(changed.clone()),
        jobs: vec![job("kente/1", "follow-up")],
        ..JobEffects::default()
    };
    let (done, next) = writer.complete(apply.clone(), effects, Some(LEASE)).await;
    done.unwrap();
    let next = next.expect("the follow-up, claimed with the completion");
    assert_eq!(name_of(&next.job.job), Some("follow-up"));
    let inputs = next.inputs.as_ref().expect("read with the claim");
    assert_eq!(
        inputs.order.as_ref().map(TrackedOrder::state),
        Some(OrderState::Shipping)
    );
    assert_eq!(inputs.order, store.order(&key("kente/1")).await.unwrap());
}

async fn webhooks_and_completions_share_one_transaction(store: Store) {
    let now = Utc::now();
    store.enqueue(&[job("kente/1", "a")], now).await.unwrap();
    let claimed = store.claim_jobs(1, LEASE, now).await.unwrap();
    let effects = JobEffects {
        order: Some(order_record("1", OrderState::Shipping)),
        ..JobEffects::default()
    };
    // Two webhooks (the second a redelivery of the first) stored in the completion's
    // transaction; the claim in it sees the job the first one queued.
    let intake: Vec<(NewInboundEvent, bridge_core::store::JobsFor)> = vec![
        (
            event("wh-1"),
            Box::new(|id| vec![job("kente/2", &format!("event-{id}"))]),
        ),
        (event("wh-1"), Box::new(|_| vec![job("kente/2", "again")])),
    ];
    let written = store
        .write_batch(
            &[(&claimed[0], &effects)],
            intake,
            Some((10, LEASE)),
            later(now, 1),
        )
        .await;
    assert!(written.completions[0].is_ok(), "{:?}", written.completions);
    let intakes = written.intake.unwrap();
    let Intake::Accepted { event_id } = intakes[0] else {
        panic!("the first webhook is stored: {intakes:?}");
    };
    assert_eq!(
        intakes[1],
        Intake::Duplicate,
        "the redelivery is recognised"
    );
    let claimed_now = written.claimed.unwrap();
    assert_eq!(claimed_now.len(), 1, "{claimed_now:?}");
    let expected = format!("event-{event_id}");
    assert_eq!(name_of(&claimed_now[0].job.job), Some(expected.as_str()));
    assert!(store.inbound_event(event_id).await.unwrap().is_some());
    assert!(store.order(&key("kente/1")).await.unwrap().is_some());
    assert_eq!(
        store.job(claimed[0].id()).await.unwrap().unwrap().state,
        JobState::Done
    );
}

/// A batch of webhooks is stored in two statements; a copy in the same batch, or of one stored
/// before, is a duplicate and enqueues nothing, and each webhook's jobs carry its own id and
/// arrival.
async fn a_batch_of_webhooks_keeps_the_first_of_each_key(store: Store) {
    let stored_before = store
        .accept_inbound(&event("wh-0"), |_| vec![job("kente/0", "before")])
        .await
        .unwrap();
    assert!(matches!(stored_before, Intake::Accepted { .. }));
    let arrived = Utc::now() - chrono::Duration::seconds(30);
    let batch: Vec<(NewInboundEvent, bridge_core::store::JobsFor)> =
        ["wh-1", "wh-0", "wh-2", "wh-1"]
            .into_iter()
            .enumerate()
            .map(|(position, key)| {
                let mut webhook = event(key);
                webhook.received_at = arrived + chrono::Duration::seconds(position as i64);
                let jobs: bridge_core::store::JobsFor = Box::new(move |id| {
                    vec![job(&format!("kente/{id}"), &format!("{key} at {position}"))]
                });
                (webhook, jobs)
            })
            .collect();
    let written = store.write_batch(&[], batch, None, Utc::now()).await;
    let intakes = written.intake.unwrap();
    let [first, known, second, copy] = intakes[..] else {
        panic!("one answer per webhook: {intakes:?}");
    };
    let (Intake::Accepted { event_id: first }, Intake::Accepted { event_id: second }) =
        (first, second)
    else {
        panic!("new keys are accepted: {intakes:?}");
    };
    assert_ne!(first, second);
    assert_eq!(known, Intake::Duplicate, "stored before");
    assert_eq!(copy, Intake::Duplicate, "a copy later in the same batch");
    let jobs = store.list_jobs(&JobFilter::default()).await.unwrap();
    let mut names: Vec<(String, &str)> = jobs
        .iter()
        .map(|job| {
            (
                job.order_key.as_str().to_owned(),
                name_of(&job.job).unwrap(),
            )
        })
        .collect();
    names.sort();
    let mut expected = vec![
        ("kente/0".to_owned(), "before"),
        (format!("kente/{first}"), "wh-1 at 0"),
        (format!("kente/{second}"), "wh-2 at 2"),
    ];
    expected.sort();
    assert_eq!(names, expected);
    let first_job = jobs
        .iter()
        .find(|job| job.order_key.as_str() == format!("kente/{first}"))
        .unwrap();
    assert_eq!(
        first_job.run_at.timestamp_millis(),
        arrived.timestamp_millis(),
        "due from its webhook's arrival"
    );
    let second_job = jobs
        .iter()
        .find(|job| job.order_key.as_str() == format!("kente/{second}"))
        .unwrap();
    assert_eq!(
        second_job.run_at.timestamp_millis(),
        (arrived + chrono::Duration::seconds(2)).timestamp_millis()
    );
    assert_eq!(
        store
            .inbound_event(second)
            .await
            .unwrap()
            .unwrap()
            .dedupe_key,
        "wh-2"
    );
}

/// A batch that panics (here a webhook's job-maker) loses its own answers, not the writer: the
/// next webhook is stored.
async fn a_panicking_batch_does_not_stop_the_writer(store: Store) {
    let writer = store.intake_writer();
    let panics: bridge_core::store::JobsFor = Box::new(|_| panic!("a job-maker's bug"));
    let refused = writer.accept(event("wh-panic"), panics).await;
    assert!(
        refused.is_err(),
        "no answer for the panicked batch: {refused:?}"
    );
    let jobs: bridge_core::store::JobsFor = Box::new(|_| vec![job("kente/1", "after")]);
    let stored = writer.accept(event("wh-after"), jobs).await.unwrap();
    assert!(matches!(stored, Intake::Accepted { .. }));
    assert_eq!(store.job_counts().await.unwrap().queued, 1);
}

async fn group_commit_stores_each_webhook_once(store: Store) {
    let writer = bridge_core::store::IntakeWriter::spawn(store.clone(), 1024, 16);
    let accepts = (0..60).map(|i| {
        let writer = writer.clone();
        async move {
            // Every webhook is sent twice: the second copy must be recognised in the same batch
            // or a later one.
            let key = format!("wh-{}", i % 30);
            let jobs: bridge_core::store::JobsFor =
                Box::new(move |id| vec![job(&format!("kente/{id}"), "x")]);
            writer.accept(event(&key), jobs).await.unwrap()
        }
    });
    let intakes = futures::future::join_all(accepts).await;
    let accepted = intakes
        .iter()
        .filter(|i| matches!(i, Intake::Accepted { .. }))
        .count();
    assert_eq!(accepted, 30);
    assert_eq!(intakes.len() - accepted, 30, "the copies are duplicates");
    assert_eq!(store.job_counts().await.unwrap().queued, 30);
}

/// Counts runs; fails permanently on jobs named `poison`, and transiently the first time on
/// jobs named `flaky`.
#[derive(Default)]
struct ScriptedExecutor {
    runs: AtomicUsize,
    flaky_failures: AtomicUsize,
    delay: Option<Duration>,
}

#[async_trait]
impl JobExecutor for ScriptedExecutor {
    async fn execute(&self, job: &JobRecord) -> Result<JobEffects, JobError> {
        self.runs.fetch_add(1, Ordering::SeqCst);
        if let Some(delay) = self.delay {
            tokio::time::sleep(delay).await;
        }
        match name_of(&job.job) {
            Some("poison") => Err(JobError::permanent("422: bad field")),
            Some("flaky") if self.flaky_failures.fetch_add(1, Ordering::SeqCst) == 0 => {
                Err(JobError::Retryable {
                    message: "503".to_owned(),
                    retry_after: Some(Duration::from_secs(120)),
                })
            }
            _ => Ok(JobEffects::default()),
        }
    }
}

async fn worker_pool_finishes_retries_and_buries(store: Store) {
    let executor = Arc::new(ScriptedExecutor::default());
    let pool = WorkerPool::new(
        store.clone(),
        executor.clone(),
        WorkerSettings::default(),
        JobWaker::new(),
    );
    let now = Utc::now();
    store
        .enqueue(
            &[
                job("a/1", "fine"),
                job("b/1", "poison"),
                job("c/1", "flaky"),
            ],
            now,
        )
        .await
        .unwrap();
    assert_eq!(pool.drain().await.unwrap(), 3);
    let counts = store.job_counts().await.unwrap();
    assert_eq!((counts.done, counts.dead, counts.queued), (1, 1, 1));
    let flaky = store
        .list_jobs(&JobFilter {
            state: Some(JobState::Queued),
            ..JobFilter::default()
        })
        .await
        .unwrap();
    let wait = flaky[0].run_at - now;
    assert!(
        wait >= chrono::Duration::seconds(119),
        "Retry-After honoured: {wait}"
    );
    assert_eq!(
        executor.runs.load(Ordering::SeqCst),
        3,
        "no retry storm for the poison job"
    );
}

/// A job whose earlier runs never recorded their end (the process died mid-job, or storing its
/// result kept failing) is claimed again at every lease expiry: once its attempts are used up it
/// is buried with the reason instead of running forever.
async fn a_job_whose_lease_keeps_expiring_ends_dead(store: Store) {
    let executor = Arc::new(ScriptedExecutor::default());
    let settings = WorkerSettings::default();
    let max = i64::from(settings.retry.max_attempts);
    let pool = WorkerPool::new(store.clone(), executor.clone(), settings, JobWaker::new());
    let start = Utc::now();
    store.enqueue(&[job("a/1", "fine")], start).await.unwrap();
    let mut at = start;
    let mut last = Vec::new();
    for _ in 0..=max {
        // Each claim's lease expires without an end: as after a crash.
        last = store.claim_jobs(1, LEASE, at).await.unwrap();
        assert_eq!(last.len(), 1);
        at = later(at, 61);
    }
    assert_eq!(last[0].job.attempts, max + 1);
    assert_eq!(pool.run_claimed(&last[0]).await, JobOutcome::Dead);
    assert_eq!(executor.runs.load(Ordering::SeqCst), 0, "not run again");
    let dead = store.job(last[0].id()).await.unwrap().unwrap();
    assert_eq!(dead.state, JobState::Dead);
    assert!(
        dead.last_error
            .as_deref()
            .unwrap_or("")
            .contains("never finished"),
        "{:?}",
        dead.last_error
    );
}

/// Runs the queued `forget_customer` jobs as the runner would: the workflow decides against
/// the order as stored, and the decision is committed with the job.
async fn forget_customers(store: &Store, rules: &Rules, now: DateTime<Utc>) -> usize {
    let claimed = store.claim_jobs(50, LEASE, now).await.unwrap();
    for job in &claimed {
        assert_eq!(job.job.job, OrderJob::ForgetCustomer);
        let order = store.order(&job.job.order_key).await.unwrap().unwrap();
        let decision = bridge_core::workflow::decide(rules, &order, JobNews::RetentionDue, now);
        let effects = JobEffects {
            order: decision.order,
            jobs: decision.jobs,
            timeline: decision.timeline,
            inbound_outcome: None,
        };
        store.complete_job(job, &effects, now).await.unwrap();
    }
    claimed.len()
}

/// Retention forgets the customers of orders finished long ago, in each order's turn (a
/// `forget_customer` job decided by the workflow), keeping the time the order last changed;
/// it deletes their old jobs; orders still on the road keep everything.
async fn retention_forgets_finished_customers_and_their_old_jobs(store: Store) {
    let now = Utc::now();
    let long_ago = now - chrono::Duration::days(100);
    for (id, state) in [("1", OrderState::Delivered), ("2", OrderState::InTransit)] {
        let key = format!("kente/{id}");
        store.enqueue(&[job(&key, "a")], long_ago).await.unwrap();
        let claimed = store.claim_jobs(1, LEASE, long_ago).await.unwrap();
        // The customer's data, as a shop sends it.
        let mut shop_order = order_record(id, state).order().clone();
        shop_order.address.line1 = "12 Oxford Street".to_owned();
        shop_order.address.city = "Accra".to_owned();
        shop_order.note = Some("Call first".to_owned());
        let effects = JobEffects {
            order: Some(TrackedOrder::for_tests(shop_order, state, long_ago)),
            ..JobEffects::default()
        };
        store
            .complete_job(&claimed[0], &effects, long_ago)
            .await
            .unwrap();
    }
    let before = store.order(&key("kente/1")).await.unwrap().unwrap();
    let settings = RetentionSettings {
        inbound_bodies: Duration::from_secs(30 * 24 * 3600),
        customer_data: Some(Duration::from_secs(30 * 24 * 3600)),
        done_jobs: Some(Duration::from_secs(30 * 24 * 3600)),
    };
    let done = apply_retention(&store, &settings, now).await.unwrap();
    assert_eq!((done.customers_to_forget, done.jobs_deleted), (1, 1));
    let again = apply_retention(&store, &settings, now).await.unwrap();
    assert_eq!(
        (again.customers_to_forget, again.jobs_deleted),
        (0, 0),
        "one job per order, however many passes find it"
    );
    let untouched = store.order(&key("kente/1")).await.unwrap().unwrap();
    assert_eq!(
        untouched.order().recipient.name,
        before.order().recipient.name,
        "only the order's own turn changes it"
    );

    let rules = Rules {
        shops: Default::default(),
        mapping: CourierMapping::default(),
        attach_label: false,
    };
    assert_eq!(forget_customers(&store, &rules, now).await, 1);
    let forgotten = store.order(&key("kente/1")).await.unwrap().unwrap();
    assert_eq!(forgotten.order().recipient.name, "[removed]");
    assert_eq!(forgotten.order().address.line1, "");
    assert_eq!(forgotten.order().note, None);
    assert_eq!(
        forgotten.order().address.city,
        "Accra",
        "what the numbers need stays"
    );
    assert_eq!(forgotten.state(), OrderState::Delivered);
    assert_eq!(
        forgotten.forgotten_at().map(|at| at.timestamp_millis()),
        Some(now.timestamp_millis())
    );
    assert_eq!(
        forgotten.updated_at(),
        before.updated_at(),
        "forgetting is not activity: the order keeps its last change"
    );
    let lines = store.timeline(&key("kente/1")).await.unwrap();
    assert!(
        lines
            .iter()
            .any(|l| l.entry.summary.contains("removed (retention settings)")),
        "{lines:?}"
    );
    let active = store.order(&key("kente/2")).await.unwrap().unwrap();
    assert_eq!(active.order().address.line1, "12 Oxford Street");
    assert_eq!(active.forgotten_at(), None);
    let after = apply_retention(&store, &settings, later(now, 1))
        .await
        .unwrap();
    assert_eq!(after.customers_to_forget, 0, "forgotten once");
}

async fn worker_pool_wakes_on_enqueue_and_drains_at_shutdown(store: Store) {
    let executor = Arc::new(ScriptedExecutor {
        delay: Some(Duration::from_millis(300)),
        ..ScriptedExecutor::default()
    });
    let waker = JobWaker::new();
    let settings = WorkerSettings {
        poll_interval: Duration::from_secs(3600),
        ..WorkerSettings::default()
    };
    let pool = WorkerPool::new(store.clone(), executor.clone(), settings, waker.clone());
    let shutdown = CancellationToken::new();
    let running = tokio::spawn(pool.run_until_stopped(shutdown.clone()));

    store
        .enqueue(&[job("a/1", "one")], Utc::now())
        .await
        .unwrap();
    waker.wake();
    // Without the wake-up the job would wait for the hour-long poll.
    for _ in 0..500 {
        if executor.runs.load(Ordering::SeqCst) == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(executor.runs.load(Ordering::SeqCst), 1, "woken, not polled");
    // Shut down while the job runs: it is allowed to finish.
    shutdown.cancel();
    running.await.unwrap();
    assert_eq!(store.job_counts().await.unwrap().done, 1);
}

async fn shutdown_gives_back_jobs_that_outlive_the_grace(store: Store) {
    let executor = Arc::new(ScriptedExecutor {
        delay: Some(Duration::from_secs(30)),
        ..ScriptedExecutor::default()
    });
    let waker = JobWaker::new();
    let settings = WorkerSettings {
        shutdown_grace: Duration::from_millis(200),
        ..WorkerSettings::default()
    };
    let pool = WorkerPool::new(store.clone(), executor.clone(), settings, waker.clone());
    store
        .enqueue(&[job("a/1", "slow")], Utc::now())
        .await
        .unwrap();
    let shutdown = CancellationToken::new();
    let running = tokio::spawn(pool.run_until_stopped(shutdown.clone()));
    for _ in 0..500 {
        if executor.runs.load(Ordering::SeqCst) == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(executor.runs.load(Ordering::SeqCst), 1, "the job started");
    shutdown.cancel();
    running.await.unwrap();
    let jobs = store.list_jobs(&JobFilter::default()).await.unwrap();
    assert_eq!(jobs[0].state, JobState::Queued, "re-queued, not lost");
    assert_eq!(
        jobs[0].attempts, 1,
        "the interrupted attempt counts: its call may have been made, so the next run looks first"
    );
}

async fn drain_reports_outcomes(store: Store) {
    let pool = WorkerPool::new(
        store.clone(),
        Arc::new(ScriptedExecutor::default()),
        WorkerSettings::default(),
        JobWaker::new(),
    );
    store
        .enqueue(&[job("a/1", "poison")], Utc::now())
        .await
        .unwrap();
    let claimed = store.claim_jobs(1, LEASE, Utc::now()).await.unwrap();
    assert_eq!(pool.run_claimed(&claimed[0]).await, JobOutcome::Dead);
}

/// One seeded order of [`reports_count_a_known_history_exactly`]: when it came and what
/// happened to it, in minutes after it came.
struct Seeded {
    id: usize,
    shop: &'static str,
    received: DateTime<Utc>,
    asked: bool,
    confirmed_after: Option<i64>,
    declined: bool,
    expired: bool,
    shipped_after: Option<i64>,
    delivered_after: Option<i64>,
    returned: bool,
    region: Option<&'static str>,
    amount_cents: i64,
}

/// A history with every outcome, drawn from a fixed pseudo-random sequence.
fn seeded_history(start: DateTime<Utc>) -> Vec<Seeded> {
    let mut state: u64 = 0x5eed;
    let mut next = move |n: u64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % n
    };
    let regions = [
        Some("Greater Accra"),
        Some("Ashanti"),
        Some("Northern"),
        None,
    ];
    (0..1_200)
        .map(|id| {
            let received = start + chrono::Duration::minutes((next(10 * 24 * 60)) as i64);
            let asked = next(10) < 8;
            let answer = next(10);
            let confirmed_after = (asked && answer < 6).then(|| 1 + next(600) as i64);
            let declined = asked && (6..8).contains(&answer);
            let expired = asked && answer >= 8;
            let shipped_after = if asked {
                confirmed_after.map(|m| m + 1)
            } else {
                Some(1)
            };
            let outcome = next(10);
            let delivered_after = shipped_after
                .filter(|_| outcome < 6)
                .map(|m| m + 60 * (1 + next(96) as i64));
            let returned = shipped_after.is_some() && (6..8).contains(&outcome);
            Seeded {
                id,
                shop: if id % 17 == 0 { "other" } else { "kente" },
                received,
                asked,
                confirmed_after,
                declined,
                expired,
                shipped_after,
                delivered_after,
                returned,
                region: regions[next(4) as usize],
                amount_cents: 1_000 + next(50_000) as i64,
            }
        })
        .collect()
}

fn seeded_record(seed: &Seeded) -> TrackedOrder {
    let mut order = order_record(&seed.id.to_string(), OrderState::Received)
        .order()
        .clone();
    order.shop_id = ShopId::new(seed.shop);
    order.payment = Payment::CashOnDelivery {
        amount_to_collect: Decimal::new(seed.amount_cents, 2),
    };
    let after = |minutes: i64| seed.received + chrono::Duration::minutes(minutes);
    let state = match (seed.delivered_after, seed.returned, seed.shipped_after) {
        (Some(_), _, _) => OrderState::Delivered,
        (None, true, _) => OrderState::Returned,
        (None, false, Some(_)) => OrderState::InTransit,
        (None, false, None) => OrderState::Cancelled,
    };
    let milestones = Milestones {
        asked_at: seed.asked.then_some(seed.received),
        confirmed_at: seed.confirmed_after.map(after),
        declined_at: seed.declined.then(|| after(30)),
        expired_at: seed.expired.then(|| after(48 * 60)),
        shipped_at: seed.shipped_after.map(after),
        delivered_at: seed.delivered_after.map(after),
        returned_at: seed.returned.then(|| after(10 * 24 * 60)),
        cancelled_at: (state == OrderState::Cancelled).then(|| after(48 * 60)),
    };
    let region = seed.region.map(|region| Located {
        region: region.to_owned(),
        source: RegionSource::RegionField,
    });
    TrackedOrder::for_tests(order, state, seed.received)
        .with_milestones_for_tests(milestones, region)
}

/// The median of whole numbers, as the report computes it.
fn median_of(mut values: Vec<i64>) -> Option<f64> {
    values.sort_unstable();
    let n = values.len();
    (n > 0).then(|| (values[(n - 1) / 2] + values[n / 2]) as f64 / 2.0)
}

async fn reports_count_a_known_history_exactly(store: Store) {
    let start: DateTime<Utc> = "2026-11-01T00:00:00Z".parse().unwrap();
    let history = seeded_history(start);
    for seed in &history {
        save(&store, &seeded_record(seed), seed.received).await;
    }
    let request = ReportRequest {
        shop: ShopId::new("kente"),
        from: "2026-11-01".parse().unwrap(),
        to: "2026-11-10".parse().unwrap(),
        by: Granularity::Day,
        time_zone: chrono_tz::Africa::Accra,
    };
    let report = store.report(&request).await.unwrap();
    assert_eq!(report.periods.len(), 10);

    // The oracle: the same figures counted one order at a time.
    let kente: Vec<&Seeded> = history.iter().filter(|s| s.shop == "kente").collect();
    assert_eq!(report.total.received, kente.len() as u64);
    assert_eq!(report.total.received, 1_129);
    for (day, figures) in report.periods.iter().enumerate() {
        let of_day: Vec<&&Seeded> = kente
            .iter()
            .filter(|s| (s.received - start).num_days() == day as i64)
            .collect();
        let count = |f: &dyn Fn(&Seeded) -> bool| of_day.iter().filter(|s| f(s)).count() as u64;
        let asked = count(&|s| s.asked);
        let confirmed = count(&|s| s.confirmed_after.is_some());
        let delivered = count(&|s| s.delivered_after.is_some());
        let returned = count(&|s| s.returned);
        assert_eq!(figures.received, of_day.len() as u64, "day {day}");
        assert_eq!(figures.asked, asked, "day {day}");
        assert_eq!(figures.confirmed, confirmed, "day {day}");
        assert_eq!(figures.declined, count(&|s| s.declined), "day {day}");
        assert_eq!(figures.expired, count(&|s| s.expired), "day {day}");
        assert_eq!(figures.shipped, count(&|s| s.shipped_after.is_some()));
        assert_eq!(figures.delivered, delivered, "day {day}");
        assert_eq!(figures.returned, returned, "day {day}");
        assert_eq!(
            figures.cancelled,
            count(&|s| s.shipped_after.is_none()),
            "day {day}"
        );
        assert_eq!(
            figures.confirmation_rate,
            Some(confirmed as f64 / asked as f64)
        );
        assert_eq!(
            figures.return_rate,
            Some(returned as f64 / (delivered + returned) as f64)
        );
        assert_eq!(
            figures.median_minutes_to_confirm,
            median_of(of_day.iter().filter_map(|s| s.confirmed_after).collect()),
            "day {day}"
        );
        let cents = |f: &dyn Fn(&Seeded) -> bool| -> Decimal {
            Decimal::new(
                of_day.iter().filter(|s| f(s)).map(|s| s.amount_cents).sum(),
                2,
            )
        };
        let cash = &figures.cash[0];
        assert_eq!(cash.currency, "GHS");
        assert_eq!(cash.expected, cents(&|s| s.shipped_after.is_some()));
        assert_eq!(cash.collected, cents(&|s| s.delivered_after.is_some()));
        assert_eq!(
            cash.outstanding,
            cents(&|s| s.shipped_after.is_some() && s.delivered_after.is_none() && !s.returned)
        );
    }
    for region in &report.regions {
        let of_region: Vec<&&Seeded> = kente
            .iter()
            .filter(|s| s.region == region.region.as_deref())
            .collect();
        let delivered: Vec<i64> = of_region
            .iter()
            .filter_map(|s| Some(s.delivered_after? - s.shipped_after?))
            .collect();
        let returned = of_region.iter().filter(|s| s.returned).count() as u64;
        assert_eq!(region.delivered, delivered.len() as u64);
        assert_eq!(region.returned, returned);
        assert_eq!(
            region.delivery_success_rate,
            Some(delivered.len() as f64 / (delivered.len() as u64 + returned) as f64)
        );
        // Seeded deliveries take whole hours: the hour-resolution median is exact.
        assert_eq!(
            region.median_days_to_deliver,
            median_of(delivered.iter().map(|m| m / 60).collect()).map(|h| h / 24.0)
        );
    }
    assert_eq!(report.regions.len(), 4);

    // Weeks add up to the same total; a shop whose day starts an hour earlier counts the
    // orders of 23:00–24:00 UTC in the next day.
    let weekly = store
        .report(&ReportRequest {
            by: Granularity::Week,
            ..request.clone()
        })
        .await
        .unwrap();
    assert_eq!(weekly.total, report.total);
    assert_eq!(
        weekly.periods.iter().map(|p| p.received).sum::<u64>(),
        1_129
    );
    // Months are told apart by their ends rather than a division: the same total.
    let monthly = store
        .report(&ReportRequest {
            by: Granularity::Month,
            to: "2026-12-31".parse().unwrap(),
            ..request.clone()
        })
        .await
        .unwrap();
    assert_eq!(monthly.periods.len(), 2);
    assert_eq!(monthly.periods[0].received, 1_129);
    assert_eq!(monthly.periods[1].received, 0);
    assert_eq!(monthly.total.confirmed, report.total.confirmed);
    assert_eq!(monthly.regions, report.regions);
    let lagos = store
        .report(&ReportRequest {
            time_zone: chrono_tz::Africa::Lagos,
            ..request.clone()
        })
        .await
        .unwrap();
    // Lagos (UTC+1): its 1 November runs from 23:00 UTC the day before to 23:00 UTC.
    let received_between = |from_hour: i64, to_hour: i64| {
        kente
            .iter()
            .filter(|s| {
                (from_hour * 60..to_hour * 60).contains(&(s.received - start).num_minutes())
            })
            .count() as u64
    };
    assert_eq!(lagos.periods[0].received, received_between(0, 23));
    assert_eq!(lagos.periods[1].received, received_between(23, 47));
}

/// Orders stored before the reports existed: migration 8 reads their steps back from the state
/// lines and package line of their timelines, their region and amount from their row.
async fn older_orders_get_their_steps_from_their_timelines(db: TestDatabase, migration: &str) {
    use sqlx::Executor as _;
    let store = &db.store;
    let received: DateTime<Utc> = "2026-11-01T10:00:00Z".parse().unwrap();
    let minutes = |m: i64| received + chrono::Duration::minutes(m);
    let order = TrackedOrder::for_tests(
        order_record("7001", OrderState::Delivered).order().clone(),
        OrderState::Delivered,
        received,
    )
    .with_milestones_for_tests(
        Milestones::default(),
        Some(Located {
            region: "Ashanti".to_owned(),
            source: RegionSource::RegionField,
        }),
    );
    store.seed_orders_for_tests(&[order]).await.unwrap();
    let line = |m: i64, kind: TimelineKind, summary: &str| TimelineEntry {
        order_key: key("kente/7001"),
        at: minutes(m),
        kind,
        summary: summary.to_owned(),
        words: None,
        details: serde_json::Value::Null,
    };
    store
        .append_timeline(&[
            line(0, TimelineKind::Shop, "order #1001 received"),
            line(0, TimelineKind::State, "received → awaiting_confirmation"),
            line(
                25,
                TimelineKind::Ticket,
                "Digishare: ticket moved to confirmed",
            ),
            line(25, TimelineKind::State, "awaiting_confirmation → shipping"),
            line(
                26,
                TimelineKind::Call,
                "ShaQ package SHQ1 created (collect 300.00 GHS)",
            ),
            line(900, TimelineKind::State, "shipping → in_transit"),
            line(
                2 * 24 * 60,
                TimelineKind::State,
                "out_for_delivery → delivered",
            ),
        ])
        .await
        .unwrap();
    // An order cancelled for want of an answer: expired, not declined.
    let silent = TrackedOrder::for_tests(
        order_record("7002", OrderState::Cancelled).order().clone(),
        OrderState::Cancelled,
        received,
    );
    store.seed_orders_for_tests(&[silent]).await.unwrap();
    let silent_line = |m: i64, kind: TimelineKind, summary: &str| TimelineEntry {
        order_key: key("kente/7002"),
        at: minutes(m),
        kind,
        summary: summary.to_owned(),
        words: None,
        details: serde_json::Value::Null,
    };
    store
        .append_timeline(&[
            silent_line(0, TimelineKind::State, "received → awaiting_confirmation"),
            silent_line(
                48 * 60,
                TimelineKind::State,
                "no answer from the customer in time: the order is cancelled (on_no_answer = cancel)",
            ),
            silent_line(48 * 60, TimelineKind::State, "awaiting_confirmation → cancelled"),
        ])
        .await
        .unwrap();
    // The rows as version 7 left them, then the migration's backfill.
    let pool = sqlx::AnyPool::connect(&db.settings.url).await.unwrap();
    pool.execute(
        "UPDATE orders SET asked_at = NULL, confirmed_at = NULL, declined_at = NULL, \
         expired_at = NULL, shipped_at = NULL, delivered_at = NULL, returned_at = NULL, \
         cancelled_at = NULL, region_name = NULL, collect_milli = NULL",
    )
    .await
    .unwrap();
    let start = migration.find("UPDATE orders SET").unwrap();
    let end = start + migration[start..].find(';').unwrap();
    pool.execute(sqlx::AssertSqlSafe(migration[start..end].to_owned()))
        .await
        .unwrap();

    let stored = store.order(&key("kente/7001")).await.unwrap().unwrap();
    let steps = stored.milestones();
    assert_eq!(steps.asked_at, Some(minutes(0)));
    assert_eq!(steps.confirmed_at, Some(minutes(25)));
    assert_eq!(steps.shipped_at, Some(minutes(26)));
    assert_eq!(steps.delivered_at, Some(minutes(2 * 24 * 60)));
    assert_eq!(
        (steps.declined_at, steps.returned_at, steps.cancelled_at),
        (None, None, None)
    );
    let silent = store.order(&key("kente/7002")).await.unwrap().unwrap();
    assert_eq!(silent.milestones().expired_at, Some(minutes(48 * 60)));
    assert_eq!(silent.milestones().declined_at, None);
    let report = store
        .report(&ReportRequest {
            shop: ShopId::new("kente"),
            from: "2026-11-01".parse().unwrap(),
            to: "2026-11-01".parse().unwrap(),
            by: Granularity::Day,
            time_zone: chrono_tz::Africa::Accra,
        })
        .await
        .unwrap();
    assert_eq!(report.total.median_minutes_to_confirm, Some(25.0));
    assert_eq!(report.total.cash[0].collected, Decimal::new(300, 0));
    assert_eq!(report.regions[0].region.as_deref(), Some("Ashanti"));
}

mod backfill {
    use super::*;

    #[tokio::test]
    async fn sqlite() {
        older_orders_get_their_steps_from_their_timelines(
            TestDatabase::new(TestBackend::Sqlite).await,
            include_str!("../../../migrations/sqlite/20261125000008_report_milestones.sql"),
        )
        .await;
    }

    #[tokio::test]
    #[cfg_attr(
        not(postgres_tests),
        ignore = "PostgreSQL suite not run: set BRIDGE_TEST_POSTGRES_URL"
    )]
    async fn postgres() {
        older_orders_get_their_steps_from_their_timelines(
            TestDatabase::new(TestBackend::Postgres).await,
            include_str!("../../../migrations/postgres/20261125000008_report_milestones.sql"),
        )
        .await;
    }
}

/// The job path's orders teach the store which order each package and ticket reference
/// belongs to, so intake's lookups of them need no database read: here the row itself is gone
/// and they still resolve, where a store without that memory finds nothing.
async fn references_of_orders_the_job_path_stored_resolve_from_memory(db: TestDatabase) {
    use sqlx::Executor as _;
    let store = db.store.clone();
    let now = Utc::now();
    let rules = Rules {
        shops: Default::default(),
        mapping: CourierMapping::default(),
        attach_label: false,
    };
    let ticketed = on_job_news(
        &rules,
        &order_record("1", OrderState::Shipping),
        JobNews::TicketCreated {
            ticket_id: bridge_core::domain::TicketId::new("tkt-77"),
            status_id: bridge_core::domain::TicketStatusId::new("st-received"),
            status_key: bridge_core::workflow::TicketKey::RECEIVED,
            adopted: false,
            invoice: bridge_core::workflow::InvoiceOnTicket::NotAsked,
            sent: None,
        },
        now,
    )
    .order
    .unwrap();
    let shipped = on_job_news(
        &rules,
        &ticketed,
        JobNews::PackageCreated {
            tracking_number: TrackingNumber::new("SHQ77"),
            status: "pending".parse().unwrap(),
            adopted: false,
            amount_to_collect: Decimal::new(30000, 2),
            eta: None,
            tracking_url: None,
        },
        now,
    )
    .order
    .unwrap();
    let partner_ref = shipped.partner_ref().as_str().to_owned();
    store.enqueue(&[job("kente/1", "a")], now).await.unwrap();
    let claimed = store.claim_jobs(1, LEASE, now).await.unwrap();
    let effects = JobEffects {
        order: Some(shipped),
        ..JobEffects::default()
    };
    store
        .complete_job(&claimed[0], &effects, now)
        .await
        .unwrap();

    let pool = sqlx::AnyPool::connect(&db.settings.url).await.unwrap();
    pool.execute("DELETE FROM orders WHERE order_key = 'kente/1'")
        .await
        .unwrap();
    pool.close().await;
    let kente_1 = Some(key("kente/1"));
    assert_eq!(store.order_key_by_ticket("tkt-77").await.unwrap(), kente_1);
    assert_eq!(
        store.order_key_by_ticket(&partner_ref).await.unwrap(),
        kente_1
    );
    assert_eq!(store.order_key_by_package("SHQ77").await.unwrap(), kente_1);
    assert_eq!(
        store.order_key_by_package(&partner_ref).await.unwrap(),
        kente_1
    );
    let forgetful = Store::connect(&db.settings).await.unwrap();
    assert_eq!(forgetful.order_key_by_ticket("tkt-77").await.unwrap(), None);
    assert_eq!(forgetful.order_key_by_package("SHQ77").await.unwrap(), None);
    assert_eq!(
        store.order_key_by_package("SHQ-unknown").await.unwrap(),
        None
    );
}

on_both_backends!(
    references_from_memory,
    references_of_orders_the_job_path_stored_resolve_from_memory
);

/// An order row that no longer reads (a hand edit, a rolled-back upgrade) fails its own job,
/// not the claim: the other jobs claimed with it still start from what the claim read.
async fn an_unreadable_order_fails_its_job_not_the_claim(db: TestDatabase) {
    use sqlx::Executor as _;
    let store = db.store.clone();
    let now = Utc::now();
    save(&store, &order_record("1", OrderState::NeedsAttention), now).await;
    save(&store, &order_record("2", OrderState::NeedsAttention), now).await;
    let pool = sqlx::AnyPool::connect(&db.settings.url).await.unwrap();
    pool.execute("UPDATE orders SET order_json = 'not json' WHERE order_key = 'kente/1'")
        .await
        .unwrap();
    pool.close().await;
    store
        .enqueue(&[job("kente/1", "bad"), job("kente/2", "good")], now)
        .await
        .unwrap();
    let claimed = store.claim_jobs(10, LEASE, Utc::now()).await.unwrap();
    assert_eq!(claimed.len(), 2, "both claimed: {claimed:?}");
    let bad = claimed
        .iter()
        .find(|c| name_of(&c.job.job) == Some("bad"))
        .unwrap();
    assert!(
        bad.inputs.is_none(),
        "left to the job, which reads it and fails alone"
    );
    assert!(matches!(
        store.order(&key("kente/1")).await,
        Err(StoreError::Corrupt(_))
    ));
    let good = claimed
        .iter()
        .find(|c| name_of(&c.job.job) == Some("good"))
        .unwrap();
    let order = good
        .inputs
        .as_ref()
        .and_then(|inputs| inputs.order.as_ref());
    assert_eq!(
        order.map(|o| o.key().to_string()),
        Some("kente/2".to_owned())
    );
}

on_both_backends!(
    unreadable_order,
    an_unreadable_order_fails_its_job_not_the_claim
);

/// An order of shop `kente` with a ShaQ package in `status`, in `state`.
fn with_package(id: &str, state: OrderState, status: &str) -> TrackedOrder {
    order_record(id, state).with_package_for_tests(
        TrackingNumber::new(format!("SHQ{id}")),
        status.parse().unwrap(),
    )
}

async fn a_package_is_handed_over_once_whatever_the_requests(store: Store) {
    let now = Utc::now();
    let kente = ShopId::new("kente");
    let mut orders = Vec::new();
    for n in 0..30 {
        orders.push(with_package(
            &format!("h{n}"),
            OrderState::Shipping,
            "pending",
        ));
    }
    orders.push(with_package("picked", OrderState::InTransit, "received"));
    orders.push(with_package("gone", OrderState::Cancelled, "pending"));
    orders.push(with_package(
        "flagged",
        OrderState::NeedsAttention,
        "pending",
    ));
    orders.push(with_package("collected", OrderState::Shipping, "collected"));
    orders.push(order_record("nopackage", OrderState::Shipping));
    store.seed_orders_for_tests(&orders).await.unwrap();
    // The store gathers by the workflow's one rule.
    let ready = orders
        .iter()
        .filter(|order| bridge_core::workflow::handover::is_ready(order))
        .count();
    assert_eq!(ready, 30);
    assert_eq!(
        store.ready_for_handover().await.unwrap(),
        vec![(kente.clone(), 30)]
    );

    // Three requests at once (two replicas and a double click): 30 packages, each once.
    let (a, b, c) = tokio::join!(
        store.gather_handover(&kente, "ama", None, now),
        store.gather_handover(&kente, "kofi", None, now),
        store.gather_handover(&kente, "schedule", None, now),
    );
    let gathered: Vec<_> = [a, b, c].into_iter().filter_map(|r| r.unwrap()).collect();
    assert_eq!(gathered.iter().map(|s| s.packages).sum::<u64>(), 30);
    let mut keys = Vec::new();
    for shipment in &gathered {
        let orders = store.shipment_orders(shipment.id).await.unwrap();
        assert_eq!(orders.len() as u64, shipment.packages);
        keys.extend(orders.iter().map(|o| o.key()));
        let job = store
            .job_by_key(&format!("handover:handover/kente:{}", shipment.id))
            .await
            .unwrap();
        assert!(
            job.is_some(),
            "the handover of shipment {} is queued",
            shipment.id
        );
    }
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 30);
    // A gathered order knows its shipment (a cancellation then asks ShaQ, never deletes).
    let gathered_order = store.order(&key("kente/h0")).await.unwrap().unwrap();
    assert!(gathered_order.shipment_id().is_some());
    let left = store.order(&key("kente/picked")).await.unwrap().unwrap();
    assert_eq!(left.shipment_id(), None);
    assert!(!keys.contains(&key("kente/picked")) && !keys.contains(&key("kente/gone")));
    assert!(store.ready_for_handover().await.unwrap().is_empty());
    assert!(
        store
            .gather_handover(&kente, "ama", None, now)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store.shipments(Some(&kente), 10).await.unwrap().len(),
        gathered.len()
    );

    // A scheduled day runs once, even when a later package is ready by then.
    let day: chrono::NaiveDate = "2026-11-24".parse().unwrap();
    store
        .seed_orders_for_tests(&[with_package("late", OrderState::Shipping, "pending")])
        .await
        .unwrap();
    let first = store
        .gather_handover(&kente, "schedule", Some(day), now)
        .await
        .unwrap();
    assert_eq!(first.map(|s| s.packages), Some(1));
    store
        .seed_orders_for_tests(&[with_package("later", OrderState::Shipping, "pending")])
        .await
        .unwrap();
    assert!(
        store
            .gather_handover(&kente, "schedule", Some(day), now)
            .await
            .unwrap()
            .is_none(),
        "the day's handover already ran"
    );
    // ShaQ refuses that one: its package is ready again, and goes in the next.
    let shipment = store.shipments(Some(&kente), 1).await.unwrap().remove(0);
    store
        .refuse_shipment(shipment.id, "422: not today", now)
        .await
        .unwrap();
    let refused = store.shipment(shipment.id).await.unwrap().unwrap();
    assert_eq!(refused.state, ShipmentState::Refused);
    assert_eq!(refused.last_error.as_deref(), Some("422: not today"));
    assert_eq!(
        store.ready_for_handover().await.unwrap(),
        vec![(kente.clone(), 2)],
        "the refused package and the later one"
    );
    let next = store
        .gather_handover(&kente, "ama", None, now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(next.packages, 2);
    let shipment = store.shipments(Some(&kente), 1).await.unwrap().remove(0);
    assert_eq!(shipment.id, next.id);
    store
        .set_shipment_reference(shipment.id, "SAAM-1", now)
        .await
        .unwrap();
    assert!(store.shipment_pdf(shipment.id).await.unwrap().is_none());
    store
        .save_shipment_pdf(shipment.id, b"%PDF-1.5", now)
        .await
        .unwrap();
    let ready = store.shipment(shipment.id).await.unwrap().unwrap();
    assert_eq!(ready.state, ShipmentState::Ready);
    assert_eq!(ready.reference.as_deref(), Some("SAAM-1"));
    assert_eq!(
        store.shipment_pdf(shipment.id).await.unwrap().as_deref(),
        Some(&b"%PDF-1.5"[..])
    );
}

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(super::TestDatabase::new(super::TestBackend::Sqlite).await.store).await;
                }
            )*
            #[tokio::test]
            async fn two_workers_never_claim_the_same_job() {
                super::two_workers_never_claim_the_same_job(
                    super::TestDatabase::new(super::TestBackend::Sqlite).await,
                )
                .await;
            }
        }
        mod postgres {
            $(
                #[tokio::test]
                #[cfg_attr(not(postgres_tests), ignore = "PostgreSQL suite not run: set BRIDGE_TEST_POSTGRES_URL")]
                async fn $name() {
                    super::$name(super::TestDatabase::new(super::TestBackend::Postgres).await.store).await;
                }
            )*
            #[tokio::test]
            #[cfg_attr(not(postgres_tests), ignore = "PostgreSQL suite not run: set BRIDGE_TEST_POSTGRES_URL")]
            async fn two_workers_never_claim_the_same_job() {
                super::two_workers_never_claim_the_same_job(
                    super::TestDatabase::new(super::TestBackend::Postgres).await,
                )
                .await;
            }
        }
    };
}

conformance!(
    enqueue_dedupes_on_key_whatever_the_state,
    inbound_event_and_its_jobs_are_stored_once,
    claim_leases_and_expired_leases_are_reclaimed,
    retries_wait_for_their_time,
    dead_jobs_keep_their_reason_and_can_be_revived,
    jobs_of_one_order_run_one_at_a_time_in_order,
    a_failing_write_back_holds_back_none_of_the_orders_other_jobs,
    a_timer_for_later_does_not_hold_back_the_order,
    job_effects_commit_with_the_completion,
    worker_pool_finishes_retries_and_buries,
    a_job_whose_lease_keeps_expiring_ends_dead,
    retention_forgets_finished_customers_and_their_old_jobs,
    worker_pool_wakes_on_enqueue_and_drains_at_shutdown,
    shutdown_gives_back_jobs_that_outlive_the_grace,
    drain_reports_outcomes,
    group_commit_stores_each_webhook_once,
    a_batch_of_webhooks_keeps_the_first_of_each_key,
    a_stale_completion_is_refused_after_the_new_claimer_finished,
    a_panicking_batch_does_not_stop_the_writer,
    orders_are_found_by_every_name_people_use,
    a_persons_correction_is_stored_with_the_order,
    notices_are_posted_once_per_order_and_reason,
    completions_commit_together_each_on_its_own,
    a_completion_that_cannot_be_stored_leaves_its_batch_intact,
    a_finished_job_brings_its_workers_next_job,
    a_claim_reads_what_each_job_starts_from,
    webhooks_and_completions_share_one_transaction,
    a_long_outage_does_not_stall_the_queue,
    a_claim_costs_the_same_whatever_the_backlog,
    reports_count_a_known_history_exactly,
    a_package_is_handed_over_once_whatever_the_requests,
);

/// The database holds customers' details: only the bridge's user may read its file.
#[cfg(unix)]
#[tokio::test]
async fn the_sqlite_file_is_private_to_its_owner() {
    use std::os::unix::fs::PermissionsExt as _;
    let db = TestDatabase::new(TestBackend::Sqlite).await;
    let path = db.settings.url.trim_start_matches("sqlite://").to_owned();
    db.store
        .enqueue(&[job("kente/1", "a")], Utc::now())
        .await
        .unwrap();
    for file in [path.clone(), format!("{path}-wal")] {
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{file} has mode {mode:o}");
    }
}
