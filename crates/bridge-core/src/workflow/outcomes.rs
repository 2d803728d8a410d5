//! What a job's call found out → what changes: the package or ticket now exists, the order
//! cannot be shipped, the shop was told…

use chrono::{DateTime, Utc};
use shaq_client::PackageStatus;

use super::{
    Cancellation, Collect, CourierNews, CourierProgress, Decision, InvoiceOnTicket, JobNews,
    Milestone, NewJob, Rules, ShopMilestone, TicketKey, TicketNews, TrackedOrder, courier,
    needs_attention, ticket, timeline, write_back,
};
use super::{MoveTicket, OrderJob};
use super::{Said, TimelineKind, Word};

/// Decides what a job's news means for the order.
pub fn on_job_news(
    rules: &Rules,
    order: &TrackedOrder,
    news: JobNews,
    now: DateTime<Utc>,
) -> Decision {
    let key = order.key();
    match news {
        JobNews::RetentionDue => super::retention::on_due(order, now),
        JobNews::PackageCreated {
            tracking_number,
            status,
            adopted,
            amount_to_collect,
            eta,
            tracking_url,
        } => {
            let summary = Said::new(if adopted {
                "line-package-adopted"
            } else {
                "line-package-created"
            })
            .text("tracking", &tracking_number)
            .text(
                "amount",
                format!("{amount_to_collect} {}", order.collect().currency),
            );
            // An adopted package may have moved on since it was made (the bridge stopped between
            // ShaQ's answer and storing it, and ShaQ picked the parcel up meanwhile): the order
            // records it as created, then takes its status as courier news, so the customer
            // hears of the step and its webhook, older, changes nothing twice.
            let moved_on = (adopted && status != PackageStatus::Pending).then(|| status.clone());
            let mut next = order.clone();
            next.set_package(tracking_number.clone());
            next.mark(Milestone::Shipped, now);
            if moved_on.is_none() {
                next.set_courier(CourierProgress {
                    status: status.clone(),
                    at: now,
                });
            }
            next.set_collect(Collect {
                amount: amount_to_collect,
                currency: order.collect().currency.clone(),
            });
            let details = next.courier_details_mut();
            details.eta = eta.or(details.eta);
            details.tracking_url = tracking_url.or(details.tracking_url.take());
            next.touch(now);
            let mut jobs = vec![
                NewJob::new(
                    OrderJob::MoveTicket(MoveTicket {
                        courier_status: Some(status),
                        ..MoveTicket::to(TicketKey::PACKAGE_CREATED)
                    }),
                    &key,
                    Some("package-created"),
                ),
                write_back(&key, ShopMilestone::PackageCreated),
            ];
            if rules.attach_label {
                jobs.push(NewJob::new(OrderJob::AttachLabel, &key, None));
            }
            let mut lines = vec![timeline(&key, now, TimelineKind::Call, summary)];
            if let Some(status) = moved_on {
                let found =
                    CourierNews::status_only(format!("adopted:{tracking_number}"), status, now);
                let step = courier::on_courier_status(&next, &found, &rules.mapping, now);
                if let Some(stepped) = step.order {
                    next = stepped;
                }
                jobs.extend(step.jobs);
                lines.extend(step.timeline);
            }
            Decision::decided(next, jobs, lines, "applied")
        }
        JobNews::Unshippable(reason) => {
            let mut next = order.clone();
            let mut lines = Vec::new();
            needs_attention(&mut next, reason.into(), now, &mut lines);
            Decision::decided(next, Vec::new(), lines, "applied: needs attention")
        }
        JobNews::PackageUpdated => Decision::noted(
            &key,
            now,
            TimelineKind::Call,
            Said::new("line-package-updated"),
        ),
        JobNews::PackageCancelled(cancellation) => {
            let summary = match cancellation {
                Cancellation::NoPackage => Said::new("line-no-package-to-cancel"),
                Cancellation::Deleted(tracking) => {
                    Said::new("line-package-deleted").text("tracking", tracking)
                }
                Cancellation::AlreadyGone(tracking) => {
                    Said::new("line-package-already-gone").text("tracking", tracking)
                }
                Cancellation::Requested {
                    tracking_number,
                    status,
                } => match order.shipment_id() {
                    Some(shipment) => {
                        Said::new("line-cancel-asked-in-shipment").text("shipment", shipment)
                    }
                    None => Said::new("line-cancel-asked"),
                }
                .text("tracking", tracking_number)
                .with("status", Word::CourierStatus(status.to_string())),
            };
            Decision::noted(&key, now, TimelineKind::Call, summary)
        }
        JobNews::LabelAttached(media) => {
            let mut next = order.clone();
            next.ticket_media_mut().label = Some(media);
            next.touch(now);
            Decision::decided(
                next,
                Vec::new(),
                vec![timeline(
                    &key,
                    now,
                    TimelineKind::Ticket,
                    Said::new("line-label-attached"),
                )],
                "applied",
            )
        }
        JobNews::InvoiceAttached(media) => {
            let mut next = order.clone();
            next.ticket_media_mut().invoice = Some(media);
            next.touch(now);
            Decision::decided(
                next,
                Vec::new(),
                vec![timeline(
                    &key,
                    now,
                    TimelineKind::Ticket,
                    Said::new("line-invoice-attached"),
                )],
                "applied",
            )
        }
        JobNews::ReplacementCreated { kind, packages } => {
            super::returns::on_created(rules, order, kind, packages, now)
        }
        JobNews::ReplacementRefused { kind, reason } => {
            super::returns::on_refused(order, kind, &reason, now)
        }
        JobNews::PackageRead {
            eta,
            tracking_url,
            rescheduled_to,
        } => courier::on_package_read(order, eta, tracking_url, rescheduled_to, now),
        JobNews::TrackingHistory(steps) => {
            courier::on_tracking_history(order, steps, &rules.mapping, now)
        }
        JobNews::TicketCreated {
            ticket_id,
            status_id,
            status_key,
            adopted,
            invoice,
            sent,
        } => {
            let verb = if adopted { "adopted" } else { "created" };
            let mut next = order.clone();
            let mut jobs = Vec::new();
            let summary = match invoice {
                InvoiceOnTicket::NotAsked => Said::new(&format!("line-ticket-{verb}")),
                InvoiceOnTicket::Attached(media) => {
                    next.ticket_media_mut().invoice = Some(media);
                    Said::new(&format!("line-ticket-{verb}-with-invoice"))
                }
                InvoiceOnTicket::Missing(why) => {
                    jobs.push(NewJob::new(OrderJob::AttachInvoice, &key, None));
                    Said::new(&format!("line-ticket-{verb}-invoice-later")).text("why", why)
                }
            }
            .text("ticket", &ticket_id)
            .with("status", Word::TicketStatus(status_key.to_string()));
            let mut entry = timeline(&key, now, TimelineKind::Ticket, summary);
            if let Some(sent) = sent {
                entry.details = sent_details(&status_key, &sent);
            }
            // An adopted ticket may have moved on since it was made (the bridge stopped before
            // storing it, and the customer answered meanwhile): the order records it at the
            // status it was made with, then takes its status now as Digishare's news, so the
            // answer is acted on and its webhook, then the same status, changes nothing twice.
            let statuses = rules
                .shop(order.shop_id())
                .ok()
                .map(|policy| &policy.statuses);
            let asked = statuses
                .and_then(|statuses| statuses.id(&status_key))
                .cloned();
            let moved_on = match (adopted, statuses, asked) {
                (true, Some(statuses), Some(asked)) if asked != status_id => {
                    Some((statuses, asked))
                }
                _ => None,
            };
            let mut lines = vec![entry];
            next.set_ticket(ticket_id.clone());
            next.touch(now);
            match moved_on {
                None => next.set_ticket_status(status_id),
                Some((statuses, asked)) => {
                    next.set_ticket_status(asked);
                    let found = TicketNews {
                        ticket_id,
                        status_id,
                        changed_at: None,
                    };
                    let step = ticket::on_ticket_status(&next, &found, statuses, now);
                    if let Some(stepped) = step.order {
                        next = stepped;
                    }
                    jobs.extend(step.jobs);
                    lines.extend(step.timeline);
                }
            }
            Decision::decided(next, jobs, lines, "applied")
        }
        JobNews::TicketMoved { moved, sent } => {
            let mut next = order.clone();
            let entry = match moved {
                Some((status_key, status_id)) => {
                    next.set_ticket_status(status_id);
                    let mut entry = timeline(
                        &key,
                        now,
                        TimelineKind::Ticket,
                        Said::new("line-ticket-moved")
                            .with("status", Word::TicketStatus(status_key.to_string())),
                    );
                    entry.details = sent_details(&status_key, &sent);
                    entry
                }
                None => timeline(
                    &key,
                    now,
                    TimelineKind::Ticket,
                    Said::new("line-ticket-refreshed"),
                ),
            };
            next.touch(now);
            Decision::decided(next, Vec::new(), vec![entry], "applied")
        }
        JobNews::WrittenBack { milestone, summary } => {
            let summary = match summary {
                Some(summary) => Said::new("line-shop-told").text("summary", summary),
                None => Said::new("line-shop-shows-nothing"),
            }
            .text("milestone", milestone);
            Decision::noted(&key, now, TimelineKind::WriteBack, summary)
        }
        JobNews::ConfirmationDeadlinePassed => {
            let on_no_answer = rules
                .shop(order.shop_id())
                .map(|policy| policy.confirmation.on_no_answer)
                .unwrap_or_default();
            ticket::on_confirmation_deadline(order, on_no_answer, now)
        }
        JobNews::ReminderDue { number, of, held } => {
            let quiet_hours = rules
                .shop(order.shop_id())
                .ok()
                .and_then(|policy| policy.confirmation.quiet_hours);
            ticket::on_reminder(order, number, of, held, quiet_hours, now)
        }
    }
}

/// What the timeline keeps of a message to the customer: the status that sent it, the ticket's
/// language and the template's variables as sent (the console shows them, phones masked).
fn sent_details(status_key: &TicketKey, sent: &super::SentToCustomer) -> serde_json::Value {
    serde_json::json!({
        "sent": {
            "status": status_key.as_str(),
            "language": sent.language,
            "variables": sent.variables,
        }
    })
}
