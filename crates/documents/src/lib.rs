//! The documents shaq-bridge prints for people: the customer's invoice (attached to their
//! WhatsApp ticket), the handover to ShaQ's rider (a manifest, then every parcel's label) and,
//! for the simulator, a parcel label. Text in Arabic (shaped, right to left), French and
//! English, with the fonts embedded (Noto Sans and Noto Sans Arabic, SIL Open Font License:
//! `fonts/OFL.txt`), so a document prints every name as written wherever it is opened.
//!
//! The handover merges ShaQ's own label files with krilla's PDF embedding (its `pdf`
//! feature): see [`shipment`].

pub mod invoice;
mod lines;
pub mod parcel_label;
pub mod shipment;
pub mod text;

#[cfg(test)]
mod rasterized;

pub use invoice::{Invoice, InvoiceItem};
pub use parcel_label::ParcelLabel;
pub use shipment::{Label, Manifest, ManifestLine};
pub use text::Direction;

/// Why a document could not be made.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// krilla refused (a font it could not embed, an invalid document).
    #[error("PDF: {0}")]
    Pdf(String),
    /// A page size krilla does not take.
    #[error("PDF: invalid page layout")]
    Layout,
}

impl From<krilla::error::KrillaError> for DocumentError {
    fn from(error: krilla::error::KrillaError) -> Self {
        DocumentError::Pdf(format!("{error:?}"))
    }
}

/// The text of a PDF's pages as `pdftotext` (poppler-utils) reads it — the check that a
/// document's words are searchable and in reading order — with the bidirectional formatting
/// marks it inserts removed. For tests and checks; needs `pdftotext` on the PATH.
pub fn extracted_text(pdf: &[u8]) -> std::io::Result<String> {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let mut child = Command::new("pdftotext")
        .args(["-enc", "UTF-8", "-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(pdf)?;
    }
    let output = child.wait_with_output()?;
    if !output.status.success() {
        return Err(std::io::Error::other(format!(
            "pdftotext failed: {}",
            String::from_utf8_lossy(&output.stderr)
        )));
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .chars()
        .filter(|c| !matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
        .collect())
}

/// The text of each page, in order, as [`extracted_text`] reads it: what a person finds on
/// page 1, page 2… of a handover. For tests and checks; needs `pdftotext` on the PATH.
pub fn page_texts(pdf: &[u8]) -> std::io::Result<Vec<String>> {
    let text = extracted_text(pdf)?;
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_owned).collect();
    // pdftotext ends every page with a form feed, the last one too.
    if pages.last().is_some_and(|tail| tail.trim().is_empty()) {
        pages.pop();
    }
    Ok(pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invoice(direction: Direction, language: &str) -> Invoice {
        Invoice {
            direction,
            language: language.to_owned(),
            title: if direction == Direction::Rtl {
                "فاتورة"
            } else {
                "Invoice"
            }
            .to_owned(),
            seller: vec![
                "Kente & Cocoa".to_owned(),
                "12 Oxford Street, Osu, Accra".to_owned(),
            ],
            facts: vec![
                ("Order".to_owned(), "#1047".to_owned()),
                (
                    "Date".to_owned(),
                    "2026-12-07 14:03 (Africa/Accra)".to_owned(),
                ),
            ],
            customer_heading: "Deliver to".to_owned(),
            customer: vec![
                "محمد العلوي".to_owned(),
                "Éloïse Ɛsi Mensah".to_owned(),
                "Adum, Kumasi".to_owned(),
            ],
            columns: ["Item", "Qty", "Unit price", "Amount"].map(str::to_owned),
            items: vec![
                InvoiceItem {
                    name: "عباءة مطرزة".to_owned(),
                    quantity: "1".to_owned(),
                    unit_price: "320.00 GHS".to_owned(),
                    amount: "320.00 GHS".to_owned(),
                },
                InvoiceItem {
                    name: "Kente stole, hand-woven".to_owned(),
                    quantity: "2".to_owned(),
                    unit_price: "45.50 GHS".to_owned(),
                    amount: "91.00 GHS".to_owned(),
                },
            ],
            totals: vec![("Total".to_owned(), "411.00 GHS".to_owned())],
            to_collect: Some((
                "Cash to collect on delivery".to_owned(),
                "411.00 GHS".to_owned(),
            )),
            footer: Some("Thank you".to_owned()),
        }
    }

    #[test]
    fn an_invoice_reads_back_as_written_in_both_directions() {
        for (direction, language) in [(Direction::Rtl, "ar"), (Direction::Ltr, "en")] {
            let pdf = invoice::render(&invoice(direction, language)).unwrap();
            assert!(pdf.starts_with(b"%PDF-"));
            let text = extracted_text(&pdf).unwrap();
            for expected in [
                "محمد العلوي",
                "Éloïse Ɛsi Mensah",
                "عباءة مطرزة",
                "#1047",
                "411.00 GHS",
                "Kente & Cocoa",
            ] {
                assert!(text.contains(expected), "{language}: {expected} in {text}");
            }
        }
    }

    #[test]
    fn a_long_order_continues_on_a_second_page() {
        let mut long = invoice(Direction::Ltr, "en");
        long.items = (0..60)
            .map(|i| InvoiceItem {
                name: format!("Item {i}"),
                quantity: "1".to_owned(),
                unit_price: "1.00 GHS".to_owned(),
                amount: "1.00 GHS".to_owned(),
            })
            .collect();
        let pdf = invoice::render(&long).unwrap();
        let text = extracted_text(&pdf).unwrap();
        assert!(text.contains("Item 0") && text.contains("Item 59"));
        assert!(text.contains('\u{c}'), "a page break");
    }
}
