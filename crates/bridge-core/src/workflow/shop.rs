//! A shop's news about an order: created, updated (maybe cancelled), cancelled, deleted.

use chrono::{DateTime, Utc};

use super::correction::Correction;
use super::{
    Collect, Decision, Flow, NewJob, ShopNews, ShopPolicy, TicketKey, TrackedOrder, move_to,
    needs_attention, timeline,
};
use super::{MoveTicket, OrderJob};
use super::{Said, TimelineEntry, TimelineKind};
use rust_decimal::Decimal;

use crate::domain::{
    Address, Attention, Language, Located, Order, OrderKey, Payment, PlatformOrderId, Recipient,
    ShopId, Unshippable, locate,
};
use crate::lifecycle::OrderState;

/// Decides what a shop webhook does to an order.
pub fn on_shop_news(
    existing: Option<&TrackedOrder>,
    news: ShopNews,
    policy: &ShopPolicy,
    now: DateTime<Utc>,
) -> Decision {
    match (news, existing) {
        (ShopNews::Order(order), None) => on_new_order(*order, policy, now),
        (ShopNews::Order(order), Some(stored)) => on_known_order(stored, *order, policy, now),
        (ShopNews::Deleted { .. }, Some(stored)) => {
            // The shop sends only the id: cancel the order as stored.
            let mut deleted = stored.order().clone();
            deleted.cancelled = true;
            on_changed_order(stored, deleted, policy, now)
        }
        (
            ShopNews::Deleted {
                shop,
                platform_order_id,
            },
            None,
        ) => Decision::ignored(
            &OrderKey::of(&shop, &platform_order_id),
            Said::new("line-deleted-unseen"),
            now,
        ),
        (
            ShopNews::AfterSale {
                kind, reference, ..
            },
            Some(stored),
        ) => super::returns::on_shop_after_sale(stored, kind, &reference, now),
        (
            ShopNews::Unusable {
                shop,
                platform_order_id,
                order_ref,
                problem,
            },
            stored,
        ) => on_unusable(stored, (shop, platform_order_id, order_ref), problem, now),
        (
            ShopNews::AfterSale {
                shop,
                platform_order_id,
                reference,
                ..
            },
            None,
        ) => Decision::ignored(
            &OrderKey::of(&shop, &platform_order_id),
            Said::new("line-after-sale-unknown-order").text("reference", reference),
            now,
        ),
    }
}

/// The shop sent an order with a field that cannot be used. A new order is kept as far as it
/// could be read, waiting for a person; a known one not picked up yet waits for a person with
/// the reason (its stored details stay: nothing unusable reaches ShaQ); one ShaQ has already is
/// left to the courier, with a line saying the shop's change could not be read.
fn on_unusable(
    stored: Option<&TrackedOrder>,
    (shop, platform_order_id, order_ref): (ShopId, PlatformOrderId, String),
    problem: Unshippable,
    now: DateTime<Utc>,
) -> Decision {
    let key = OrderKey::of(&shop, &platform_order_id);
    let Some(stored) = stored else {
        let placeholder = Order {
            shop_id: shop,
            platform_order_id,
            order_ref: order_ref.clone(),
            version: None,
            cancelled: false,
            payment: Payment::Prepaid,
            total: Decimal::ZERO,
            currency: String::new(),
            recipient: Recipient {
                name: String::new(),
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
        let mut lines = vec![timeline(
            &key,
            now,
            TimelineKind::Shop,
            Said::new("line-order-partly-read").text("order", &order_ref),
        )];
        let mut tracked = TrackedOrder::received(placeholder, now);
        needs_attention(&mut tracked, problem.into(), now, &mut lines);
        return Decision::decided(tracked, Vec::new(), lines, "applied: needs attention");
    };
    if stored.tracking_number().is_some() && !stored.package_is_pending()
        || stored.state().is_final()
    {
        return Decision::ignored(
            &key,
            Said::new("line-change-unreadable").with("problem", Attention::from(problem)),
            now,
        );
    }
    let mut next = stored.clone();
    let mut lines = Vec::new();
    needs_attention(&mut next, problem.into(), now, &mut lines);
    Decision::decided(next, Vec::new(), lines, "applied: needs attention")
}

fn on_new_order(order: Order, policy: &ShopPolicy, now: DateTime<Utc>) -> Decision {
    let key = order.order_key();
    let mut lines = vec![timeline(
        &key,
        now,
        TimelineKind::Shop,
        Said::new("line-order-received").text("order", &order.order_ref),
    )];
    let cancelled = order.cancelled;
    let shippable = where_to(&order, policy, None);
    let mut tracked = TrackedOrder::received(order, now);
    if cancelled {
        tracked.set_state(OrderState::Cancelled, now);
        lines.push(timeline(
            &key,
            now,
            TimelineKind::State,
            Said::new("line-cancelled-before"),
        ));
        return Decision::decided(tracked, Vec::new(), lines, "recorded: already cancelled");
    }
    match shippable {
        Err(reason) => {
            needs_attention(&mut tracked, reason.into(), now, &mut lines);
            return Decision::decided(tracked, Vec::new(), lines, "applied: needs attention");
        }
        Ok(located) => locate_at(&mut tracked, located, now, &mut lines),
    }
    let (state, jobs) = start(&tracked, policy, now, None);
    tracked.set_state(state, now);
    lines.push(timeline(
        &key,
        now,
        TimelineKind::State,
        Said::new("line-received-to").with("state", state),
    ));
    Decision::decided(tracked, jobs, lines, "applied")
}

/// The first steps of a shippable order, per flow. `again` tags the jobs of a second start
/// (after the merchant fixed an order that needed attention): job keys are unique forever, so
/// the first start's jobs, already run, would otherwise swallow the new ones.
pub(super) fn start(
    order: &TrackedOrder,
    policy: &ShopPolicy,
    now: DateTime<Utc>,
    again: Option<&str>,
) -> (OrderState, Vec<NewJob>) {
    let key = order.key();
    let job = |job: OrderJob| NewJob::new(job, &key, again);
    // The invoice goes on the ticket when it is created; a failing upload holds the ticket
    // back this long at most.
    let invoice_until = policy
        .invoice_wait
        .and_then(|wait| chrono::Duration::from_std(wait).ok())
        .map(|wait| now + wait);
    let confirm = policy.flow == Flow::ConfirmFirst
        && (order.order().payment.is_cash_on_delivery() || !policy.prepaid_skips_confirmation);
    if confirm {
        let mut jobs = vec![job(OrderJob::CreateTicket {
            status_key: TicketKey::AWAITING_CONFIRMATION,
            invoice_until,
        })];
        // The schedule is set now, as timers: they survive restarts, run once across replicas,
        // and do nothing once the customer has answered (see `guards`).
        let reminders = policy.confirmation.reminder_timers(now);
        let of = u8::try_from(reminders.len()).unwrap_or(u8::MAX);
        for (index, timer) in reminders.into_iter().enumerate() {
            let number = u8::try_from(index + 1).unwrap_or(u8::MAX);
            let discriminator = match again {
                Some(again) => format!("{again}-{number}"),
                None => number.to_string(),
            };
            jobs.push(
                NewJob::new(
                    OrderJob::RemindConfirmation {
                        number,
                        of,
                        held: timer.held,
                    },
                    &key,
                    Some(&discriminator),
                )
                .run_at(timer.at),
            );
        }
        if let Some(deadline) = policy.confirmation.deadline(now) {
            jobs.push(job(OrderJob::ExpireConfirmation).run_at(deadline.at));
        }
        (OrderState::AwaitingConfirmation, jobs)
    } else {
        (
            OrderState::Shipping,
            vec![
                job(OrderJob::CreateTicket {
                    status_key: TicketKey::RECEIVED,
                    invoice_until,
                }),
                job(OrderJob::CreatePackage),
            ],
        )
    }
}

fn on_known_order(
    stored: &TrackedOrder,
    incoming: Order,
    policy: &ShopPolicy,
    now: DateTime<Utc>,
) -> Decision {
    if let (Some(stored_version), Some(incoming_version)) =
        (stored.order().version, incoming.version)
        && incoming_version <= stored_version
    {
        return Decision::ignored(
            &stored.key(),
            Said::new("line-shop-version-old")
                .text("incoming", incoming_version)
                .text("stored", stored_version),
            now,
        );
    }
    on_changed_order(stored, incoming, policy, now)
}

fn on_changed_order(
    stored: &TrackedOrder,
    incoming: Order,
    policy: &ShopPolicy,
    now: DateTime<Utc>,
) -> Decision {
    let key = stored.key();
    let mut lines = vec![timeline(
        &key,
        now,
        TimelineKind::Shop,
        Said::new("line-order-updated").text("order", &incoming.order_ref),
    )];
    // What a person corrected in the bridge stays corrected whatever the shop sends.
    let incoming = match stored.corrections() {
        Some(corrections) => corrections.apply(incoming),
        None => incoming,
    };
    let shipping_changed = stored.order().shipping_fingerprint() != incoming.shipping_fingerprint();
    let collect_changed =
        stored.order().payment.amount_to_collect() != incoming.payment.amount_to_collect();
    let shippable = where_to(&incoming, policy, stored.corrections());
    let cancelled = incoming.cancelled;
    let mut next = stored.clone();
    let amount_corrected = stored
        .corrections()
        .is_some_and(|c| c.amount_to_collect.is_some());
    if stored.shop_owns_amounts() && !amount_corrected {
        next.set_collect(Collect {
            amount: incoming.payment.amount_to_collect(),
            currency: incoming.currency.clone(),
        });
    }
    next.replace_order(incoming);
    next.touch(now);

    if cancelled {
        return cancel(stored, next, lines, now);
    }
    let retrying =
        stored.state() == OrderState::NeedsAttention && stored.tracking_number().is_none();
    if !retrying && !shipping_changed && !collect_changed {
        // The bridge's own write-backs (fulfilment, tags, notes) come back as updates: keep the
        // newer version, act on nothing.
        return Decision::decided(
            next,
            Vec::new(),
            lines,
            "recorded: nothing the courier needs changed (often the echo of a write-back)",
        );
    }
    let mut jobs = Vec::new();
    let before_package = stored.tracking_number().is_none();
    if retrying || (shipping_changed && (before_package || stored.package_is_pending())) {
        match shippable {
            Ok(located) if next.region() != Some(&located) => {
                locate_at(&mut next, located, now, &mut lines);
            }
            Ok(_) => {}
            // A pending package keeps its address; the update job says why it cannot change.
            Err(_) if !before_package => {}
            // The merchant fixed the order in the shop (added a phone, an address) but not
            // enough yet; a change that breaks an order not yet shipped is caught here too.
            Err(reason) => {
                needs_attention(&mut next, reason.into(), now, &mut lines);
                return Decision::decided(next, Vec::new(), lines, "applied: needs attention");
            }
        }
    }
    if retrying {
        // The merchant fixed the order in the shop: try again.
        let again = format!("again-{}", now.timestamp_millis());
        let (state, start_jobs) = start(&next, policy, now, Some(&again));
        next.set_attention(None);
        move_to(&mut next, state, now, &mut lines);
        jobs.extend(start_jobs);
    } else if stored.tracking_number().is_some() {
        if stored.package_is_pending() {
            let version = next
                .order()
                .version
                .map_or_else(|| "unversioned".to_owned(), |v| v.to_rfc3339());
            jobs.push(NewJob::new(OrderJob::UpdatePackage, &key, Some(&version)));
        } else if shipping_changed {
            // A changed amount after pickup is ShaQ's to handle (it reports it back);
            // a changed address is a person's.
            lines.push(timeline(
                &key,
                now,
                TimelineKind::Attention,
                Said::new("line-changed-after-pickup"),
            ));
        }
    }
    Decision::decided(next, jobs, lines, "applied")
}

/// Where the order goes, or why it cannot be shipped as it is: a phone, an address in a
/// country ShaQ serves, and a region found for it (`domain::region`).
/// A region a person chose (a correction) is taken as it is.
pub(super) fn where_to(
    order: &Order,
    policy: &ShopPolicy,
    corrections: Option<&Correction>,
) -> Result<Located, Unshippable> {
    if let Some(reason) = order.unshippable_reason(&policy.service_countries) {
        return Err(reason);
    }
    match corrections.and_then(Correction::located) {
        Some(chosen) => Ok(chosen),
        None => locate(&order.address, &policy.regions),
    }
}

/// Records the region found, and how, on the order and its timeline.
fn locate_at(
    order: &mut TrackedOrder,
    located: Located,
    now: DateTime<Utc>,
    lines: &mut Vec<TimelineEntry>,
) {
    lines.push(timeline(
        &order.key(),
        now,
        TimelineKind::Address,
        Said::new("line-address").with("located", located.clone()),
    ));
    order.set_region(Some(located));
}

fn cancel(
    stored: &TrackedOrder,
    mut next: TrackedOrder,
    mut lines: Vec<TimelineEntry>,
    now: DateTime<Utc>,
) -> Decision {
    let key = stored.key();
    if stored.state() == OrderState::Cancelled {
        return Decision::decided(next, Vec::new(), lines, "applied: already cancelled");
    }
    if stored.state().is_final() {
        lines.push(timeline(
            &key,
            now,
            TimelineKind::Attention,
            Said::new("line-shop-cancelled-final").with("state", stored.state()),
        ));
        return Decision::decided(next, Vec::new(), lines, "applied: too late to cancel");
    }
    let mut jobs = vec![NewJob::new(OrderJob::CancelPackage, &key, None)];
    if stored.state().is_before_pickup() || stored.state() == OrderState::NeedsAttention {
        jobs.push(NewJob::new(
            OrderJob::MoveTicket(MoveTicket::to(TicketKey::CANCELLED)),
            &key,
            Some("shop-cancel"),
        ));
        move_to(&mut next, OrderState::Cancelled, now, &mut lines);
    } else {
        lines.push(timeline(
            &key,
            now,
            TimelineKind::Attention,
            Said::new("line-shop-cancelled-after-pickup"),
        ));
    }
    Decision::decided(next, jobs, lines, "applied: cancelled")
}
