//! What the templates show, already in words: the templates only lay it out.

use bridge_core::domain::{Attention, PhoneE164, Unshippable, mask, mask_digit_runs};
use bridge_core::jobs::JobRecord;
use bridge_core::lifecycle::OrderState;
use bridge_core::store::{InboundEventRecord, TimelineRecord};
use bridge_core::workflow::TrackedOrder;
use chrono::{DateTime, Utc};
use serde_json::Value;

use super::words::{t, t_count, t_with};

/// A CSV for people: a UTF-8 byte order mark first, so Excel on Windows reads Arabic names
/// and accents as written (it assumes the local code page otherwise). Machines reading the
/// API's CSV get it without.
pub fn for_spreadsheets(body: Vec<u8>) -> Vec<u8> {
    let mut marked = Vec::with_capacity(body.len() + 3);
    marked.extend_from_slice("\u{feff}".as_bytes());
    marked.extend(body);
    marked
}

/// A path segment, percent-encoded (order ids may hold any character).
pub fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A query-string value, percent-encoded.
pub fn encode_query(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// The console's address of an order.
pub fn order_href(order: &TrackedOrder) -> String {
    format!(
        "/console/orders/{}/{}",
        encode_segment(order.shop_id().as_str()),
        encode_segment(order.order().platform_order_id.as_str())
    )
}

/// A time as people read it here: `2026-11-23 14:05 UTC`.
pub fn when(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// A time in the shop's zone, the zone named: `2026-11-23 14:05 (Africa/Accra)`.
pub fn when_in(at: DateTime<Utc>, zone: chrono_tz::Tz) -> String {
    format!(
        "{} ({})",
        at.with_timezone(&zone).format("%Y-%m-%d %H:%M"),
        zone.name()
    )
}

/// How long ago, roughly: `5 min ago`, `3 h ago`, `2 days ago`, in the page's language.
pub fn ago(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let seconds = (now - at).num_seconds().max(0).unsigned_abs();
    match seconds {
        0..60 => t("ago-now"),
        60..3600 => t_count("ago-minutes", seconds / 60),
        3600..172_800 => t_count("ago-hours", seconds / 3600),
        _ => t_count("ago-days", seconds / 86_400),
    }
}

/// A duration in words, to the largest whole unit: `1 day`, `36 hours`, `5 minutes`.
pub fn duration_words(duration: std::time::Duration) -> String {
    let seconds = duration.as_secs();
    match seconds {
        0..60 => t_count("duration-seconds", seconds),
        60..3600 => t_count("duration-minutes", seconds / 60),
        3600..86_400 => t_count("duration-hours", seconds / 3600),
        _ if seconds.is_multiple_of(86_400) || seconds >= 7 * 86_400 => {
            t_count("duration-days", seconds / 86_400)
        }
        _ => t_count("duration-hours", seconds / 3600),
    }
}

/// A phone number's problem, in the page's language.
pub fn phone_problem(problem: &bridge_core::domain::PhoneError) -> String {
    use bridge_core::domain::PhoneError;
    t(match problem {
        PhoneError::Empty => "phone-empty",
        PhoneError::NotDigits => "phone-not-digits",
        PhoneError::NoCountry => "phone-no-country",
        PhoneError::WrongLength => "phone-wrong-length",
        PhoneError::FixedLine => "phone-fixed-line",
    })
}

/// Why a corrected field cannot be used, in the page's language.
pub fn field_problem(kind: &crate::operations::ProblemKind) -> String {
    use crate::operations::ProblemKind;
    match kind {
        ProblemKind::Empty => t("problem-empty"),
        ProblemKind::TooLong(max) => t_count("problem-too-long", *max as u64),
        ProblemKind::UnknownRegion(name) => {
            t_with("reason-unknown-region", &[("region", name.as_str().into())])
        }
        ProblemKind::Phone(problem) => phone_problem(problem),
        ProblemKind::NotANumber => t("problem-not-a-number"),
        ProblemKind::AmountOutOfRange => t("problem-amount-range"),
    }
}

/// Why a person's action is refused, in the page's language.
pub fn refusal(refusal: &bridge_core::workflow::operator::Refusal) -> String {
    use bridge_core::workflow::operator::Refusal;
    match refusal {
        Refusal::NothingToCorrect => t("refusal-nothing-to-correct"),
        Refusal::Finished(state) => {
            t_with("refusal-finished", &[("state", state_label(*state).into())])
        }
        Refusal::PickedUp => t("refusal-picked-up"),
        Refusal::NotWaiting(state) => t_with(
            "refusal-not-waiting",
            &[("state", state_label(*state).into())],
        ),
        Refusal::HasPackage => t("refusal-has-package"),
        Refusal::StillUnshippable(unshippable) => t_with(
            "refusal-still-unshippable",
            &[(
                "reason",
                reason(&Attention::Unshippable(unshippable.clone())).into(),
            )],
        ),
        Refusal::NotDelivered(state) => t_with(
            "refusal-not-delivered",
            &[("state", state_label(*state).into())],
        ),
        Refusal::AfterSaleUnderway(what) => t_with(
            "refusal-after-sale-underway",
            &[("what", what.as_str().into())],
        ),
        Refusal::AfterSaleBeingBooked => t("refusal-after-sale-being-booked"),
    }
}

/// Where an order's region came from, in words: `Ashanti (chosen by a person)`.
pub fn located(located: &bridge_core::domain::Located) -> String {
    use bridge_core::domain::RegionSource;
    let how = match &located.source {
        RegionSource::RegionField => t("region-source-field"),
        RegionSource::Code { code } => {
            t_with("region-source-code", &[("code", code.as_str().into())])
        }
        RegionSource::Alias { alias } => {
            t_with("region-source-alias", &[("alias", alias.as_str().into())])
        }
        RegionSource::GhanaPostGps { address } => {
            t_with("region-source-gps", &[("address", address.as_str().into())])
        }
        RegionSource::Place { name, .. } => {
            t_with("region-source-place", &[("place", name.as_str().into())])
        }
        RegionSource::ShopDefault => t("region-source-default"),
        RegionSource::Chosen => t("region-source-chosen"),
    };
    format!("{} ({how})", located.region)
}

/// A state's name for people.
pub fn state_label(state: OrderState) -> String {
    t(&format!("state-{}", state.as_str()))
}

/// A job kind's name for people.
pub fn job_label(kind: &str) -> String {
    t(&format!("job-{kind}"))
}

/// Why an order waits for a person, in the page's language. What the bridge read from the
/// address (`read`) and the phone's problem are shown as they were recorded.
pub fn reason(attention: &Attention) -> String {
    match attention {
        Attention::ConfirmationTimedOut => t("reason-confirmation-timed-out"),
        // A sentence an earlier version recorded, in English.
        Attention::Earlier { text } => super::words::isolated_on_rtl(text),
        Attention::Unshippable(unshippable) => match unshippable {
            Unshippable::NoPhone => t("reason-no-phone"),
            Unshippable::UnusablePhone { problem } => t_with(
                "reason-unusable-phone",
                &[("problem", phone_problem(problem).into())],
            ),
            Unshippable::NoAddress => t("reason-no-address"),
            Unshippable::OutsideServiceArea { country } => t_with(
                "reason-outside-service-area",
                &[("country", country.to_string().into())],
            ),
            Unshippable::NoRegion { .. } => t("reason-no-region"),
            Unshippable::UnknownRegion { region, .. } => t_with(
                "reason-unknown-region",
                &[("region", region.as_str().into())],
            ),
            Unshippable::RegionNotServed { region } => t_with(
                "reason-region-not-served",
                &[("region", region.as_str().into())],
            ),
            Unshippable::ShopSentUnusable { field, message } => t_with(
                "reason-shop-sent-unusable",
                &[
                    ("field", field.as_str().into()),
                    ("problem", message.as_str().into()),
                ],
            ),
        },
    }
}

/// What the bridge read from the address when it found no region, part by part in the page's
/// language (a sentence an earlier version recorded is shown as it was, quotes instead of
/// backticks): shown apart from the reason, isolated, so it never scrambles a right-to-left page.
pub fn reason_detail(attention: &Attention) -> String {
    use bridge_core::domain::{AddressRead, ReadPart};
    let read = match attention {
        Attention::Unshippable(
            Unshippable::NoRegion { read } | Unshippable::UnknownRegion { read, .. },
        ) => read,
        _ => return String::new(),
    };
    match read {
        AddressRead::Recorded(sentence) => sentence.replace('`', "\""),
        AddressRead::Parts(parts) => parts
            .iter()
            .map(|part| match part {
                ReadPart::SplitRegion { field, successors } => t_with(
                    "reason-read-split-region",
                    &[
                        ("field", field.as_str().into()),
                        ("successors", successors.join(&t("line-separator")).into()),
                    ],
                ),
                ReadPart::NotARegion { field } => t_with(
                    "reason-read-not-a-region",
                    &[("field", field.as_str().into())],
                ),
                ReadPart::NoRegionField => t("reason-read-no-region-field"),
                ReadPart::NoCity => t("reason-read-no-city"),
                ReadPart::UnknownCity { city } => t_with(
                    "reason-read-unknown-city",
                    &[("city", city.as_str().into())],
                ),
                ReadPart::NoPlaceInLines => t("reason-read-no-place-in-lines"),
            })
            .collect::<Vec<_>>()
            .join(&t("reason-read-separator")),
    }
}

/// The CSS class of a state's badge.
pub fn state_class(state: OrderState) -> &'static str {
    match state {
        OrderState::NeedsAttention => "bad",
        OrderState::DeliveryProblem | OrderState::Returning => "warn",
        OrderState::Delivered => "good",
        OrderState::Cancelled | OrderState::Returned => "muted",
        _ => "info",
    }
}

/// An order in a list.
pub struct OrderRow {
    pub href: String,
    pub name: String,
    pub shop: String,
    pub state: String,
    pub state_class: &'static str,
    pub customer: String,
    pub phone: String,
    pub received: String,
    pub reason: String,
    pub tracking: String,
    pub collect: String,
}

impl OrderRow {
    pub fn of(order: &TrackedOrder, now: DateTime<Utc>) -> OrderRow {
        let shop_order = order.order();
        OrderRow {
            href: order_href(order),
            name: shop_order.order_ref.clone(),
            shop: order.shop_id().to_string(),
            state: state_label(order.state()),
            state_class: state_class(order.state()),
            customer: shop_order.recipient.name.clone(),
            phone: shop_order
                .recipient
                .phone
                .as_ref()
                .map_or_else(|| "—".to_owned(), PhoneE164::masked),
            received: ago(order.created_at(), now),
            reason: order.attention().map(reason).unwrap_or_default(),
            tracking: order
                .tracking_number()
                .map(|t| t.as_str().to_owned())
                .unwrap_or_default(),
            collect: format!("{} {}", order.collect().amount, order.collect().currency),
        }
    }
}

/// A dead job, with what to do about it.
pub struct DeadJob {
    pub id: i64,
    pub kind: String,
    pub order: String,
    pub order_href: String,
    pub error: String,
    pub when: String,
}

impl DeadJob {
    pub fn of(job: &JobRecord, now: DateTime<Utc>) -> DeadJob {
        let (shop, id) = job
            .order_key
            .as_str()
            .split_once('/')
            .unwrap_or((job.order_key.as_str(), ""));
        DeadJob {
            id: job.id,
            kind: job_label(job.kind().as_str()),
            order: job.order_key.to_string(),
            order_href: format!(
                "/console/orders/{}/{}",
                encode_segment(shop),
                encode_segment(id)
            ),
            error: mask_digit_runs(job.last_error.as_deref().unwrap_or("")),
            when: ago(job.updated_at, now),
        }
    }
}

/// One line of an order's journey.
pub struct Step {
    pub when: String,
    pub kind: &'static str,
    pub kind_label: String,
    pub summary: String,
    pub operator: String,
    pub call: String,
}

impl Step {
    pub fn of(line: &TimelineRecord, zone: chrono_tz::Tz) -> Step {
        let details = &line.entry.details;
        let mut call = Vec::new();
        if let Some(job) = details["job"].as_str() {
            call.push(job.to_owned());
        }
        if let Some(calls) = details["calls"].as_str() {
            call.push(calls.to_owned());
        }
        if let Some(ms) = details["duration_ms"].as_u64() {
            call.push(format!("{ms} ms"));
        }
        if let Some(attempt) = details["attempt"].as_i64().filter(|a| *a > 1) {
            call.push(t_count("order-attempt", attempt.unsigned_abs()));
        }
        let operator = details["operator"].as_str().unwrap_or("").to_owned();
        Step {
            when: when_in(line.entry.at, zone),
            kind: line.entry.kind.as_str(),
            kind_label: t(&format!("kind-{}", line.entry.kind.as_str())),
            // The summary often names the person already (`resumed by ama`): not twice.
            operator: if !operator.is_empty() && line.entry.summary.contains(&operator) {
                String::new()
            } else {
                operator
            },
            summary: said(line),
            call: call.join(" · "),
        }
    }
}

/// A message the customer was sent: the ticket status that sent it, the ticket's language,
/// and the template's variables as sent (phones masked).
pub struct Sent {
    pub when: String,
    pub status: String,
    pub language: String,
    pub variables: Vec<(String, String)>,
}

impl Sent {
    /// The message a ticket timeline line records; `None` for other lines. Lines written
    /// before the variables were kept show their sentence alone.
    pub fn of(line: &TimelineRecord, zone: chrono_tz::Tz) -> Option<Sent> {
        if line.entry.kind != bridge_core::store::TimelineKind::Ticket {
            return None;
        }
        let sent = &line.entry.details["sent"];
        let Some(status) = sent["status"].as_str() else {
            return Some(Sent {
                when: when_in(line.entry.at, zone),
                status: line.entry.summary.clone(),
                language: String::new(),
                variables: Vec::new(),
            });
        };
        let mut variables = sent["variables"].clone();
        mask_phones(&mut variables, false);
        let variables = variables
            .as_object()
            .map(|all| {
                all.iter()
                    .map(|(name, value)| {
                        let text = match value {
                            Value::String(text) => text.clone(),
                            other => other.to_string(),
                        };
                        (name.clone(), text)
                    })
                    .collect()
            })
            .unwrap_or_default();
        let status_id = format!("ticket-status-{status}");
        Some(Sent {
            when: when_in(line.entry.at, zone),
            status: if catalogue::has(&status_id) {
                t(&status_id)
            } else {
                status.to_owned()
            },
            language: sent["language"]
                .as_str()
                .map(|tag| t(&format!("language-{tag}")))
                .unwrap_or_default(),
            variables,
        })
    }
}

/// A journey line in the page's language: a message sent names its status; a line with its
/// catalogue words is said in them; a line written before the bridge kept them reads as it
/// was recorded (a change of state still names its states).
fn said(line: &TimelineRecord) -> String {
    use bridge_core::store::TimelineKind;
    let details = &line.entry.details;
    let sent = line.entry.kind == TimelineKind::Ticket && details["sent"]["status"].is_string();
    if let Some(words) = line.entry.words.as_ref().filter(|_| !sent)
        && let Some(text) = words.render(super::words::locale(), &word)
    {
        return text;
    }
    let state = |name: &str| {
        details[name]
            .as_str()
            .and_then(|s| s.parse::<OrderState>().ok())
    };
    match line.entry.kind {
        TimelineKind::State => match (state("from"), state("to")) {
            (Some(from), Some(to)) => format!("{} → {}", state_label(from), state_label(to)),
            _ => line.entry.summary.clone(),
        },
        TimelineKind::Ticket => match details["sent"]["status"].as_str() {
            Some(status) => {
                let id = format!("ticket-status-{status}");
                let status = if catalogue::has(&id) {
                    t(&id)
                } else {
                    status.to_owned()
                };
                t_with("journey-ticket-sent", &[("status", status.into())])
            }
            None => line.entry.summary.clone(),
        },
        _ => line.entry.summary.clone(),
    }
}

/// A value of a journey line in the page's language: states, reasons, refusals, regions,
/// jobs and statuses by their names, text as written; `None` for the parts the catalogue says
/// itself.
fn word(word: &bridge_core::workflow::Word) -> Option<String> {
    use bridge_core::workflow::Word;
    let named = |prefix: &str, name: &str| {
        let id = format!("{prefix}-{name}");
        if catalogue::has(&id) {
            t(&id)
        } else {
            super::words::isolated_on_rtl(name)
        }
    };
    Some(match word {
        // On a right-to-left page, isolated (FSI … PDI): a Latin name, a reference or ShaQ's
        // comment ending in punctuation keeps its order inside an Arabic sentence.
        Word::Text(text) => super::words::isolated_on_rtl(text),
        Word::State(state) => state_label(*state),
        Word::Attention(attention) => reason(attention),
        Word::Refusal(why) => refusal(why),
        Word::Located(where_from) => located(where_from),
        Word::Job(kind) => job_label(kind.as_str()),
        Word::TicketStatus(status) => named("ticket-status", status),
        Word::CourierStatus(status) => named("shaq-status", status),
        Word::Count(_) | Word::Said(_) | Word::List(_) => return None,
    })
}

/// A job of the order.
pub struct JobLine {
    pub id: i64,
    pub kind: String,
    pub state: String,
    pub attempts: i64,
    pub error: String,
    pub dead: bool,
}

impl JobLine {
    pub fn of(job: &JobRecord) -> JobLine {
        JobLine {
            id: job.id,
            kind: job_label(job.kind().as_str()),
            state: t(&format!("job-state-{}", job.state.as_str())),
            attempts: job.attempts,
            error: mask_digit_runs(job.last_error.as_deref().unwrap_or("")),
            dead: job.state == bridge_core::jobs::JobState::Dead,
        }
    }
}

/// A webhook about the order, its body with phones masked.
pub struct EventLine {
    pub id: i64,
    pub source: String,
    pub when: String,
    pub outcome: String,
    pub body: String,
}

impl EventLine {
    pub fn of(event: &InboundEventRecord, zone: chrono_tz::Tz) -> EventLine {
        let body = if event.body.is_empty() {
            t("order-body-removed")
        } else {
            match serde_json::from_slice::<Value>(&event.body) {
                Ok(mut json) => {
                    mask_phones(&mut json, false);
                    serde_json::to_string_pretty(&json).unwrap_or_default()
                }
                Err(_) => mask_digit_runs(&String::from_utf8_lossy(&event.body)),
            }
        };
        EventLine {
            id: event.id,
            source: event.source.clone(),
            when: when_in(event.received_at, zone),
            outcome: event.outcome.clone(),
            body,
        }
    }
}

/// Hides phone numbers in a webhook body: every value under a key that names a phone, and long
/// runs of digits in any text.
pub fn mask_phones(value: &mut Value, phone_key: bool) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                let key = key.to_ascii_lowercase();
                let names_phone = ["phone", "mobile", "wa_id", "whatsapp", "msisdn", "tel"]
                    .iter()
                    .any(|word| key.contains(word));
                mask_phones(inner, names_phone);
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| mask_phones(item, phone_key)),
        Value::String(text) if phone_key && !text.is_empty() => *text = mask(text),
        Value::String(text) => *text = mask_digit_runs(text),
        Value::Number(number) if phone_key => *value = Value::String(mask(&number.to_string())),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn phones_in_webhook_bodies_are_hidden_and_ids_kept() {
        let mut body = json!({
            "id": 5123456789u64,
            "billing": { "phone": "024 412 3456", "first_name": "Ama" },
            "customer": { "mobile": 233244123456u64 },
            "note": "call me on +233244123456 please",
        });
        mask_phones(&mut body, false);
        let text = body.to_string();
        assert!(
            !text.contains("412 3456") && !text.contains("244123456"),
            "{text}"
        );
        assert_eq!(body["id"], 5123456789u64, "ids stay readable");
        assert_eq!(body["billing"]["first_name"], "Ama");
    }

    #[test]
    fn reasons_refusals_and_field_problems_read_in_the_operators_language() {
        use super::super::words::in_locale;
        use bridge_core::domain::PhoneError;
        use bridge_core::workflow::operator::Refusal;
        use catalogue::Locale;

        let french = in_locale(Locale::Fr, || {
            field_problem(&crate::operations::ProblemKind::Phone(
                PhoneError::FixedLine,
            ))
        });
        assert!(french.contains("ligne fixe"), "{french}");
        let unknown = Attention::Unshippable(Unshippable::UnknownRegion {
            region: "Upcountry".to_owned(),
            read: bridge_core::domain::AddressRead::Parts(vec![
                bridge_core::domain::ReadPart::UnknownCity {
                    city: "Xyz".to_owned(),
                },
            ]),
        });
        let arabic = in_locale(Locale::Ar, || reason(&unknown));
        assert!(arabic.contains("Upcountry"), "{arabic}");
        assert!(
            arabic
                .chars()
                .any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)),
            "{arabic}"
        );
        assert!(
            !arabic.contains("Xyz"),
            "the resolver's detail is shown apart"
        );
        assert_eq!(
            in_locale(Locale::En, || reason_detail(&unknown)),
            "the city “Xyz” is not a place the bridge knows"
        );
        let arabic_detail = in_locale(Locale::Ar, || reason_detail(&unknown));
        assert!(
            arabic_detail.contains("Xyz") && !arabic_detail.contains("the city"),
            "{arabic_detail}"
        );
        // What an earlier version recorded reads as recorded.
        let recorded = Attention::Unshippable(Unshippable::NoRegion {
            read: bridge_core::domain::AddressRead::Recorded(
                "the city `Xyz` is not a place".to_owned(),
            ),
        });
        assert_eq!(reason_detail(&recorded), "the city \"Xyz\" is not a place");
        let refused = in_locale(Locale::En, || {
            refusal(&Refusal::NotWaiting(OrderState::Shipping))
        });
        assert_eq!(
            refused,
            "The order is “Being shipped”, not waiting for a person."
        );
        assert_eq!(
            in_locale(Locale::Ar, || t_count("reports-parcels", 2)),
            catalogue::text_with(Locale::Ar, "reports-parcels", &[("count", 2u64.into())])
        );
    }

    #[test]
    fn state_and_message_lines_of_the_journey_read_in_the_operators_language() {
        use super::super::words::in_locale;
        use bridge_core::domain::OrderKey;
        use bridge_core::store::{TimelineEntry, TimelineKind};
        use catalogue::Locale;

        let line = |kind, summary: &str, details: Value| TimelineRecord {
            id: 1,
            entry: TimelineEntry {
                order_key: OrderKey::new("kente/1"),
                at: chrono::Utc::now(),
                kind,
                summary: summary.to_owned(),
                words: None,
                details,
            },
        };
        let moved = line(
            TimelineKind::State,
            "needs_attention → shipping",
            json!({"from": "needs_attention", "to": "shipping"}),
        );
        assert_eq!(
            in_locale(Locale::En, || said(&moved)),
            "Needs a person → Being shipped"
        );
        let french = in_locale(Locale::Fr, || said(&moved));
        assert!(!french.contains("needs_attention"), "{french}");
        let sent = line(
            TimelineKind::Ticket,
            "Digishare ticket moved to delivered",
            json!({"sent": {"status": "delivered", "language": "fr", "variables": {}}}),
        );
        assert!(in_locale(Locale::En, || said(&sent)).contains("“Delivered”"));
        // A line written before the words were kept reads as it was recorded.
        let old = line(TimelineKind::State, "received → shipping", Value::Null);
        assert_eq!(said(&old), "received → shipping");
        // A line with its words is said in the page's language, its states and reasons by
        // their names there.
        use bridge_core::domain::{Attention, Unshippable};
        use bridge_core::workflow::{Said, Word, timeline};
        let with_words = |kind, words: Said| TimelineRecord {
            id: 2,
            entry: timeline(&OrderKey::new("kente/1"), chrono::Utc::now(), kind, words),
        };
        let moved = with_words(
            TimelineKind::State,
            Said::new("line-state-moved")
                .with("from", OrderState::NeedsAttention)
                .with("to", OrderState::Shipping),
        );
        assert_eq!(moved.entry.summary, "needs_attention → shipping");
        assert_eq!(
            in_locale(Locale::En, || said(&moved)),
            "Needs a person → Being shipped"
        );
        let stopped = with_words(
            TimelineKind::Attention,
            Said::new("line-needs-attention")
                .with("reason", Attention::Unshippable(Unshippable::NoPhone)),
        );
        let arabic = in_locale(Locale::Ar, || said(&stopped));
        assert!(
            arabic.contains(&in_locale(Locale::Ar, || t("reason-no-phone"))),
            "{arabic}"
        );
        let corrected = with_words(
            TimelineKind::Operator,
            Said::new("line-corrected").text("by", "ama").with(
                "changes",
                Word::List(vec![
                    Said::new("line-corrected-region")
                        .text("value", "Ashanti")
                        .into(),
                ]),
            ),
        );
        let french = in_locale(Locale::Fr, || said(&corrected));
        assert!(
            french.contains("ama") && french.contains("Ashanti"),
            "{french}"
        );
        assert!(!french.contains("corrected by"), "{french}");
        // In Arabic, names and values are isolated inside the sentence.
        let arabic = in_locale(Locale::Ar, || said(&corrected));
        assert!(arabic.contains("\u{2068}ama\u{2069}"), "{arabic}");
    }

    #[test]
    fn segments_are_encoded_for_paths() {
        assert_eq!(encode_segment("#1047"), "%231047");
        assert_eq!(encode_segment("a/b c"), "a%2Fb%20c");
        assert_eq!(encode_segment("kente-1047"), "kente-1047");
    }
}
