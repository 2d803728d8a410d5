//! The timeline: everything that happened to an order, one readable line each. The workflow
//! writes it as it decides; the store keeps it.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use catalogue::{Arg, Locale};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::JobKind;
use super::refusal::Refusal;
use crate::domain::{Attention, Located, OrderKey, UnknownName};
use crate::lifecycle::OrderState;

/// What a timeline line is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimelineKind {
    /// The shop sent or changed the order.
    Shop,
    /// The order moved to another state.
    State,
    /// A person should look.
    Attention,
    /// How the delivery address was read (its region, and from what).
    Address,
    /// News that changed nothing, and why.
    Ignored,
    /// ShaQ's news about the package.
    Courier,
    /// A courier status the table does not map.
    Unmapped,
    /// The ticket (Digishare's news, or the bridge's moves).
    Ticket,
    /// A call to ShaQ and what it did.
    Call,
    /// What the shop was told.
    WriteBack,
    /// What reconciliation found.
    Reconcile,
    /// A job failed (it will be retried, or is dead).
    Error,
    /// A person acted (console, admin API, CLI); `details.operator` names them.
    Operator,
}

impl TimelineKind {
    /// Every kind.
    pub const ALL: [TimelineKind; 13] = [
        TimelineKind::Shop,
        TimelineKind::State,
        TimelineKind::Attention,
        TimelineKind::Address,
        TimelineKind::Ignored,
        TimelineKind::Courier,
        TimelineKind::Unmapped,
        TimelineKind::Ticket,
        TimelineKind::Call,
        TimelineKind::WriteBack,
        TimelineKind::Reconcile,
        TimelineKind::Error,
        TimelineKind::Operator,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            TimelineKind::Shop => "shop",
            TimelineKind::State => "state",
            TimelineKind::Attention => "attention",
            TimelineKind::Address => "address",
            TimelineKind::Ignored => "ignored",
            TimelineKind::Courier => "courier",
            TimelineKind::Unmapped => "unmapped",
            TimelineKind::Ticket => "ticket",
            TimelineKind::Call => "call",
            TimelineKind::WriteBack => "write_back",
            TimelineKind::Reconcile => "reconcile",
            TimelineKind::Error => "error",
            TimelineKind::Operator => "operator",
        }
    }
}

impl fmt::Display for TimelineKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TimelineKind {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TimelineKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == s)
            .ok_or_else(|| UnknownName(s.to_owned()))
    }
}

/// One timeline line to write.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TimelineEntry {
    /// The order.
    pub order_key: OrderKey,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// What it is about.
    pub kind: TimelineKind,
    /// One readable line, in English.
    pub summary: String,
    /// The same line as words of the catalogue, for other languages (lines written before
    /// the bridge kept them have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub words: Option<Said>,
    /// Structured details, phones masked.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

/// One timeline line, saying `said`.
pub fn timeline(
    order_key: &OrderKey,
    at: DateTime<Utc>,
    kind: TimelineKind,
    said: Said,
) -> TimelineEntry {
    TimelineEntry {
        order_key: order_key.clone(),
        at,
        kind,
        summary: said.english(),
        words: Some(said),
        details: serde_json::Value::Null,
    }
}

/// What a line says, as words of the catalogue (`journey.ftl`): a message and its values, kept
/// with the line so that the console says it in the operator's language. The stored `summary`
/// is the same line in English, for logs, the CLI and the API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Said {
    /// The message's id.
    pub id: String,
    /// Its values, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schema(value_type = Object)]
    pub args: BTreeMap<String, Word>,
}

/// A value in a line: text as written, or a thing each language names in its own words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Word {
    /// As written: a name, a reference, an amount, ShaQ's comment.
    Text(String),
    /// A number that chooses a plural form.
    Count(u64),
    /// An order state.
    State(OrderState),
    /// Why an order waits for a person.
    Attention(Attention),
    /// Why a request was refused.
    Refusal(Refusal),
    /// Where the region came from.
    Located(Located),
    /// A kind of job.
    Job(JobKind),
    /// A ticket status (its key).
    TicketStatus(String),
    /// A courier status (ShaQ's name).
    CourierStatus(String),
    /// A part that is a message of its own.
    Said(Box<Said>),
    /// Parts said one after another (`region → Ashanti, city → Kumasi`).
    List(Vec<Word>),
}

impl Said {
    /// The message `id`, without values yet.
    pub fn new(id: &str) -> Said {
        Said {
            id: id.to_owned(),
            args: BTreeMap::new(),
        }
    }

    /// With a value.
    pub fn with(mut self, name: &str, word: impl Into<Word>) -> Said {
        self.args.insert(name.to_owned(), word.into());
        self
    }

    /// With a text value.
    pub fn text(self, name: &str, text: impl fmt::Display) -> Said {
        self.with(name, Word::Text(text.to_string()))
    }

    /// The line in `locale`, each value said by `say` (the console names states, reasons and
    /// statuses in its language); a message the catalogue no longer has is `None`.
    pub fn render(&self, locale: Locale, say: &dyn Fn(&Word) -> Option<String>) -> Option<String> {
        if !catalogue::has(&self.id) {
            return None;
        }
        let args: Vec<(&str, Arg<'_>)> = self
            .args
            .iter()
            .map(|(name, word)| {
                let value = match word {
                    Word::Count(count) => Arg::Count(*count),
                    word => Arg::from(
                        say(word).unwrap_or_else(|| word.render(locale, say).unwrap_or_default()),
                    ),
                };
                (name.as_str(), value)
            })
            .collect();
        Some(catalogue::text_with(locale, &self.id, &args))
    }

    /// The line in English, values by their stored names.
    pub fn english(&self) -> String {
        debug_assert!(
            catalogue::has(&self.id),
            "`{}` is not a message of the catalogue",
            self.id
        );
        self.render(Locale::En, &|_| None)
            .unwrap_or_else(|| self.id.clone())
    }
}

impl Word {
    /// The value in `locale` where `say` has no words for it: text as written, things by their
    /// stored names (English).
    fn render(&self, locale: Locale, say: &dyn Fn(&Word) -> Option<String>) -> Option<String> {
        Some(match self {
            Word::Text(text) => text.clone(),
            Word::Count(count) => count.to_string(),
            Word::State(state) => state.as_str().to_owned(),
            Word::Attention(attention) => attention.to_string(),
            Word::Refusal(refusal) => refusal.to_string(),
            Word::Located(located) => located.to_string(),
            Word::Job(kind) => kind.as_str().to_owned(),
            Word::TicketStatus(status) | Word::CourierStatus(status) => status.clone(),
            Word::Said(said) => said.render(locale, say)?,
            Word::List(words) => words
                .iter()
                .map(|word| {
                    say(word)
                        .or_else(|| word.render(locale, say))
                        .unwrap_or_default()
                })
                .collect::<Vec<_>>()
                .join(&catalogue::text(locale, "line-separator")),
        })
    }
}

impl From<Said> for Word {
    fn from(said: Said) -> Self {
        Word::Said(Box::new(said))
    }
}

impl From<OrderState> for Word {
    fn from(state: OrderState) -> Self {
        Word::State(state)
    }
}

impl From<Attention> for Word {
    fn from(attention: Attention) -> Self {
        Word::Attention(attention)
    }
}

impl From<Refusal> for Word {
    fn from(refusal: Refusal) -> Self {
        Word::Refusal(refusal)
    }
}

impl From<Located> for Word {
    fn from(located: Located) -> Self {
        Word::Located(located)
    }
}

impl From<JobKind> for Word {
    fn from(kind: JobKind) -> Self {
        Word::Job(kind)
    }
}

impl From<u64> for Word {
    fn from(count: u64) -> Self {
        Word::Count(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corrected() -> Said {
        Said::new("line-corrected").text("by", "ama").with(
            "changes",
            Word::List(vec![
                Said::new("line-corrected-region")
                    .text("value", "Ashanti")
                    .into(),
                Said::new("line-corrected-city")
                    .text("value", "Kumasi")
                    .into(),
            ]),
        )
    }

    #[test]
    fn a_line_is_stored_in_english_and_said_in_each_language() {
        let said = corrected();
        assert_eq!(
            said.english(),
            "corrected by ama: region → Ashanti, city → Kumasi"
        );
        let french = said.render(Locale::Fr, &|_| None).unwrap();
        assert!(
            french.contains("ama") && french.contains("Kumasi"),
            "{french}"
        );
        assert!(!french.contains("corrected by"), "{french}");
        let arabic = said.render(Locale::Ar, &|_| None).unwrap();
        assert!(
            arabic.contains("، "),
            "Arabic lists use the Arabic comma: {arabic}"
        );
        // Kept as JSON with the line, and read back the same.
        let stored = serde_json::to_value(&said).unwrap();
        assert_eq!(serde_json::from_value::<Said>(stored).unwrap(), said);
    }

    #[test]
    fn named_things_are_said_by_the_caller_or_by_their_stored_names() {
        let said = Said::new("line-state-moved")
            .with("from", OrderState::AwaitingConfirmation)
            .with("to", OrderState::Shipping);
        assert_eq!(said.english(), "awaiting_confirmation → shipping");
        let named = said
            .render(Locale::En, &|word| match word {
                Word::State(state) => Some(format!("<{state}>")),
                _ => None,
            })
            .unwrap();
        assert_eq!(named, "<awaiting_confirmation> → <shipping>");
        let line = timeline(
            &OrderKey::new("kente/1"),
            Utc::now(),
            TimelineKind::State,
            said,
        );
        assert_eq!(line.summary, "awaiting_confirmation → shipping");
        assert!(line.words.is_some());
    }

    /// Every literal id given to `Said::new` in the crate's sources, and every id the code builds
    /// from a name.
    #[test]
    fn every_line_the_code_writes_is_a_message_of_the_catalogue() {
        fn sources(dir: &std::path::Path, found: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    sources(&path, found);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    found.push(std::fs::read_to_string(&path).unwrap());
                }
            }
        }
        let mut texts = Vec::new();
        sources(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut texts,
        );
        let mut ids: Vec<String> = texts
            .iter()
            .flat_map(|text| text.split("Said::new(\"").skip(1))
            .filter_map(|rest| rest.split_once('"').map(|(id, _)| id.to_owned()))
            // The test's own example of a message that is gone.
            .filter(|id| id != "line-no-longer-written")
            .collect();
        assert!(ids.len() > 80, "{} ids found", ids.len());
        for action in ["correction", "resume", "replay", "cancel"] {
            ids.push(format!("line-action-{action}"));
        }
        for kind in ["return", "replace", "exchange"] {
            ids.push(format!("line-after-sale-{kind}"));
            ids.push(format!("line-after-sale-{kind}-described"));
        }
        for verb in ["created", "adopted"] {
            for with in ["", "-with-invoice", "-invoice-later"] {
                ids.push(format!("line-ticket-{verb}{with}"));
            }
        }
        for field in ["region", "line1", "line2", "city", "phone", "amount"] {
            ids.push(format!("line-corrected-{field}"));
        }
        let missing: Vec<&String> = ids.iter().filter(|id| !catalogue::has(id)).collect();
        assert!(missing.is_empty(), "not in the catalogue: {missing:?}");
    }

    #[test]
    fn a_message_the_catalogue_no_longer_has_is_not_said() {
        let gone = Said {
            id: "line-no-longer-written".to_owned(),
            args: BTreeMap::new(),
        };
        assert_eq!(gone.render(Locale::Fr, &|_| None), None);
    }

    #[test]
    fn plurals_follow_each_language() {
        let one = Said::new("line-handed-over")
            .text("reference", "SHP-1")
            .with("count", 1u64);
        assert_eq!(
            one.english(),
            "handed over to ShaQ in shipment SHP-1 (1 package)"
        );
        let three = Said::new("line-handed-over")
            .text("reference", "SHP-1")
            .with("count", 3u64);
        assert_eq!(
            three.english(),
            "handed over to ShaQ in shipment SHP-1 (3 packages)"
        );
        let two_in_arabic = Said::new("line-handed-over")
            .text("reference", "SHP-1")
            .with("count", 2u64)
            .render(Locale::Ar, &|_| None)
            .unwrap();
        assert!(
            !two_in_arabic.contains('2'),
            "Arabic's dual names no number: {two_in_arabic}"
        );
    }
}
