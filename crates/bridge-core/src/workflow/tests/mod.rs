//! The workflow read as the spec: given an order in a state, when news arrives, then… One
//! file per source of news, sharing the fixtures below.

mod courier;
mod operator;
mod outcomes;
mod reminders;
mod returns;
mod shop;
mod ticket;

use std::collections::HashMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use rust_decimal::Decimal;
use shaq_client::PackageStatus;

use super::TimelineKind;
use super::confirmation::{ConfirmationPolicy, NoAnswer};
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
use crate::workflow::courier::{on_amount_changed, on_courier_status, on_tracking_history};

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
            phone_2: None,
        },
        address: Address {
            line1: "12 Oxford Street".to_owned(),
            line2: None,
            city: "Accra".to_owned(),
            region: Some("Greater Accra".to_owned()),
            postal_code: None,
            country_iso2: CountryCode::parse("GH"),
            coordinates: None,
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
    CourierNews::status_only(
        format!("evt-{status}-{minute}"),
        status.parse().expect("infallible"),
        at(minute),
    )
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
        invoice_wait: None,
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
