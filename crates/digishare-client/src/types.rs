//! Tickets, thirds, media, pages.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// A ticket to create (the e-commerce field set, plus the optional OpenAPI fields).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewTicket {
    /// Our order reference.
    pub external_id: String,
    /// The account's ticket type.
    pub type_ticket_id: String,
    /// Initial status.
    pub ticket_status_id: String,
    /// Find or create the customer from `information.third`.
    pub create_third_data: bool,
    /// `third` (the customer) and `campaign_data` (template variables).
    pub information: Map<String, Value>,
    /// Subject.
    pub subject: String,
    /// `fr`, `en`, `ar`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// Priority.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority_id: Option<i64>,
    /// Channel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<String>,
    /// When the customer asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub demand_date: Option<String>,
    /// Initial description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Tags.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// An existing contact instead of `create_third_data`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub third_id: Option<String>,
}

impl NewTicket {
    /// A ticket with the required fields.
    pub fn new(
        external_id: &str,
        type_ticket_id: &str,
        ticket_status_id: &str,
        subject: &str,
    ) -> Self {
        NewTicket {
            external_id: external_id.to_owned(),
            type_ticket_id: type_ticket_id.to_owned(),
            ticket_status_id: ticket_status_id.to_owned(),
            create_third_data: true,
            information: Map::new(),
            subject: subject.to_owned(),
            lang: None,
            priority_id: None,
            channel_id: None,
            demand_date: None,
            comment: None,
            tags: Vec::new(),
            third_id: None,
        }
    }

    /// Sets `information.third`.
    pub fn third(mut self, third: &Third) -> Self {
        self.information.insert(
            "third".to_owned(),
            serde_json::to_value(third).unwrap_or_default(),
        );
        self
    }

    /// Sets `information.campaign_data`.
    pub fn campaign_data(mut self, data: Map<String, Value>) -> Self {
        self.information
            .insert("campaign_data".to_owned(), Value::Object(data));
        self
    }
}

/// A contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Third {
    /// Our customer reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ext_ref: Option<String>,
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// WhatsApp id (digits only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wa_id: Option<String>,
    /// Email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Digishare's id (responses).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// A status change (and optional note/information).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TicketUpdate {
    /// The new status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket_status_id: Option<String>,
    /// An internal note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// New information (e.g. refreshed `campaign_data`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub information: Option<Map<String, Value>>,
}

/// A ticket as Digishare returns it.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Ticket {
    /// Hashed id.
    pub id: String,
    /// Our reference.
    #[serde(default)]
    pub external_id: Option<String>,
    /// Status.
    #[serde(default)]
    pub ticket_status_id: Option<String>,
    /// Type.
    #[serde(default)]
    pub type_ticket_id: Option<String>,
    /// Subject.
    #[serde(default)]
    pub subject: Option<String>,
    /// Information (`data` may be `{}` or `[]`).
    #[serde(default, deserialize_with = "object_or_empty")]
    pub information: Map<String, Value>,
    /// Last change (ISO or `YYYY-MM-DD HH:MM:SS`, kept as given).
    #[serde(default)]
    pub updated_at: Option<String>,
    /// Last status change.
    #[serde(default)]
    pub date_status: Option<String>,
}

/// PHP sends an empty object as `[]`.
fn object_or_empty<'de, D: Deserializer<'de>>(d: D) -> Result<Map<String, Value>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Object(map) => map,
        _ => Map::new(),
    })
}

/// Which tickets to list.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TicketFilter {
    /// Page (1-based).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// Per page (1-100).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket_status_id: Option<String>,
    /// Free text (subject, number, customer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub search: Option<String>,
}

/// A page of results (both `meta.*` and `meta.pagination.*` shapes are read).
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// This page.
    pub current_page: u64,
    /// Last page.
    pub total_pages: u64,
}

/// A file to upload as a template media.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaUpload {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// Name without the extension.
    pub file_name: String,
    /// Extension (`pdf`), sent as `file.extension` when set. The guide's body has no such
    /// field; some accounts' API asks for it (`[digishare] media_extension`).
    pub extension: Option<String>,
    /// MIME type (`application/pdf`).
    pub mime_type: String,
}

/// A reference to uploaded media, for `campaign_data`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaRef {
    /// Always `digishare`.
    pub provider: String,
    /// The media id.
    pub id: String,
}
