//! The printable handover: one PDF with a manifest (what was handed to ShaQ's rider, what they
//! must collect) followed by every package's label, ready to print before the rider comes.
//!
//! The manifest is typeset like the invoice, with the embedded fonts: a customer or a city
//! prints as written (`محمد العلوي` shaped and right to left, `Éloïse` with its accents), so
//! the rider and the shop read the same name as the parcel's label and the customer's phone.
//!
//! ShaQ's labels are merged page by page with krilla's own PDF embedding (krilla 0.8's `pdf`
//! feature, `Document::embed_pdf_pages`, built on `hayro-write`): each page of a label file
//! becomes a page of the handover, at its own size, with its fonts and images, and attributes
//! it inherits from its page tree carried over. One library writes the whole file, so a second
//! PDF library (lopdf, which made the old Helvetica handover) and the gluing of two writers'
//! object numbers are gone. A label that cannot be read becomes a page saying where to print
//! it from.

use std::sync::Arc;

use krilla::configure::{Configuration, ConfigurationBuilder, PdfVersion};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::pdf::{Pdf, PdfDocument};
use krilla::surface::Surface;
use krilla::{Document, SerializeSettings};

use crate::DocumentError;
use crate::lines::rule;
use crate::text::{Direction, Line, Style};

/// A4, in points.
const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 40.0;
const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
/// From one table row's baseline to the next.
const ROW_HEIGHT: f32 = 14.0;
/// Room the last page keeps below the table for the total and the signatures.
const CLOSING_HEIGHT: f32 = 70.0;

/// What the manifest page says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// The shop's name.
    pub shop: String,
    /// ShaQ's shipment reference.
    pub reference: String,
    /// When it was handed over, as the shop reads it (`2026-11-24 16:00 (Africa/Accra)`).
    pub date: String,
    /// One line per package.
    pub lines: Vec<ManifestLine>,
    /// Cash to collect on the whole shipment, per currency (`1 234.50 GHS`).
    pub totals: Vec<String>,
}

/// One package of the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestLine {
    /// The shop's order name (`#1047`).
    pub order_ref: String,
    /// ShaQ's tracking number.
    pub tracking_number: String,
    /// The customer, as they wrote their name.
    pub customer: String,
    /// Where it goes.
    pub city: String,
    /// What the rider collects (`300.00 GHS`, `prepaid`).
    pub to_collect: String,
}

/// A package's label as ShaQ gave it, or where it could not be read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Label {
    /// ShaQ's label PDF.
    Pdf {
        /// The package.
        tracking_number: String,
        /// The file.
        bytes: Vec<u8>,
    },
    /// Not available: a page says so and where to print it from.
    Missing {
        /// The package.
        tracking_number: String,
        /// Why, and where to find it.
        note: String,
    },
}

/// Every word the handover prints. `{name}` marks where a value goes (`{shop}`, `{reference}`,
/// `{date}`, `{count}`, `{totals}`, `{tracking_number}`). The bridge fills this from its
/// catalogues; [`ManifestWords::english`] is the fallback of [`render`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestWords {
    /// `ShaQ handover - {shop}`.
    pub title: String,
    /// `Shipment {reference}`.
    pub shipment: String,
    /// `Handed over {date}`.
    pub handed_over: String,
    /// `{count} package(s); cash to collect: {totals}`.
    pub summary: String,
    /// `Shipment {reference} (continued)`.
    pub continued: String,
    /// What there is to collect when nothing is.
    pub nothing: String,
    /// The table's columns: number, order, tracking number, customer, city, to collect.
    pub columns: [String; 6],
    /// `Total to collect: {totals}`.
    pub total: String,
    /// The signatures line.
    pub signatures: String,
    /// `Label {tracking_number} missing`.
    pub label_missing: String,
    /// The note on a label file that is not a readable PDF.
    pub label_unreadable: String,
    /// Whether the words read right to left (Arabic): the pages are mirrored, the table's
    /// first column on the right.
    pub right_to_left: bool,
}

impl ManifestWords {
    /// The English words.
    pub fn english() -> ManifestWords {
        ManifestWords {
            title: "ShaQ handover - {shop}".to_owned(),
            shipment: "Shipment {reference}".to_owned(),
            handed_over: "Handed over {date}".to_owned(),
            summary: "{count} package(s); cash to collect: {totals}".to_owned(),
            continued: "Shipment {reference} (continued)".to_owned(),
            nothing: "nothing".to_owned(),
            columns: [
                "#".to_owned(),
                "Order".to_owned(),
                "Tracking number".to_owned(),
                "Customer".to_owned(),
                "City".to_owned(),
                "To collect".to_owned(),
            ],
            total: "Total to collect: {totals}".to_owned(),
            signatures: "Handed over by: ______________________    Received by (ShaQ rider): ______________________".to_owned(),
            label_missing: "Label {tracking_number} missing".to_owned(),
            label_unreadable: "ShaQ's label file is not a readable PDF: print it from ShaQ's portal"
                .to_owned(),
            right_to_left: false,
        }
    }
}

type Words = ManifestWords;

/// `template` with each `{name}` replaced by its value, in one pass: a value that happens to
/// contain braces (a shop called `{kente}`) is printed as it is.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut filled = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        filled.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            values
                .iter()
                .find(|(known, _)| *known == name)
                .map(|(_, value)| (*value, close))
        });
        match value {
            Some((value, close)) => {
                filled.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                filled.push('{');
                rest = after;
            }
        }
    }
    filled.push_str(rest);
    filled
}

/// Where a cell's text sits in its column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Align {
    Left,
    /// Amounts line up on their right edge.
    Right,
}

/// Which way a page reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    LeftToRight,
    /// Mirrored: columns from the right margin, text from their right edge.
    RightToLeft,
}

impl Reading {
    fn of(words: &Words) -> Reading {
        if words.right_to_left {
            Reading::RightToLeft
        } else {
            Reading::LeftToRight
        }
    }

    /// The direction of text with no strong letters of its own (a number, `#`).
    fn base(self) -> Direction {
        match self {
            Reading::LeftToRight => Direction::Ltr,
            Reading::RightToLeft => Direction::Rtl,
        }
    }

    /// A column (x from the left margin, width, alignment) as this page places it. Mirrored,
    /// text starts from the column's right edge; amounts, written left to right on every page,
    /// keep lining up on their last digit.
    fn place(self, (x, width, align): (f32, f32, Align)) -> (f32, f32, Align) {
        match self {
            Reading::LeftToRight => (x, width, align),
            Reading::RightToLeft => (CONTENT_WIDTH - x - width, width, Align::Right),
        }
    }
}

/// The table's columns: x from the left margin, width, alignment.
const COLUMNS: [(f32, f32, Align); 6] = [
    (0.0, 20.0, Align::Left),
    (24.0, 60.0, Align::Left),
    (88.0, 120.0, Align::Left),
    (212.0, 140.0, Align::Left),
    (356.0, 83.0, Align::Left),
    (443.0, CONTENT_WIDTH - 443.0, Align::Right),
];

/// Writes `text` in the column at `x` (from the left margin), `width` wide, on `baseline`,
/// read in its own direction (an Arabic name right to left, a tracking number left to right)
/// and shortened with an ellipsis if it does not fit.
fn put(
    surface: &mut Surface<'_>,
    text: &str,
    style: Style,
    column: (f32, f32, Align),
    baseline: f32,
    reading: Reading,
) {
    let (x, width, align) = reading.place(column);
    let line = Line::fitted(text, style, Direction::of(text, reading.base()), width);
    let left = match align {
        Align::Left => MARGIN + x,
        Align::Right => MARGIN + x + width - line.width,
    };
    line.draw(surface, left, baseline);
}

/// A line across the whole content width.
fn full_width(
    text: &str,
    style: Style,
    baseline: f32,
    surface: &mut Surface<'_>,
    reading: Reading,
) {
    put(
        surface,
        text,
        style,
        (0.0, CONTENT_WIDTH, Align::Left),
        baseline,
        reading,
    );
}

fn totals_text(manifest: &Manifest, words: &Words) -> String {
    if manifest.totals.is_empty() {
        words.nothing.clone()
    } else {
        manifest.totals.join(", ")
    }
}

/// The table's heading row at `baseline`, with its rule; returns the first row's baseline.
fn table_heading(surface: &mut Surface<'_>, words: &Words, baseline: f32) -> f32 {
    for (title, column) in words.columns.iter().zip(COLUMNS) {
        put(
            surface,
            title,
            Style::bold(9.0),
            column,
            baseline,
            Reading::of(words),
        );
    }
    rule(surface, MARGIN, PAGE_WIDTH - MARGIN, baseline + 5.0, 0.6);
    baseline + ROW_HEIGHT + 4.0
}

/// Title, shipment, date and summary; returns where the table's heading goes.
fn first_page_heading(surface: &mut Surface<'_>, manifest: &Manifest, words: &Words) -> f32 {
    let totals = totals_text(manifest, words);
    let count = manifest.lines.len().to_string();
    let reading = Reading::of(words);
    let mut y = MARGIN + 16.0;
    full_width(
        &fill(&words.title, &[("shop", &manifest.shop)]),
        Style::bold(16.0),
        y,
        surface,
        reading,
    );
    y += 24.0;
    for line in [
        fill(&words.shipment, &[("reference", &manifest.reference)]),
        fill(&words.handed_over, &[("date", &manifest.date)]),
        fill(&words.summary, &[("count", &count), ("totals", &totals)]),
    ] {
        full_width(&line, Style::regular(10.0), y, surface, reading);
        y += 14.0;
    }
    y + 10.0
}

/// Rows `rows` of the manifest (numbered from 1 across pages), the first on baseline `top`;
/// returns the baseline below the last.
fn table_rows(
    surface: &mut Surface<'_>,
    lines: &[ManifestLine],
    rows: std::ops::Range<usize>,
    top: f32,
    reading: Reading,
) -> f32 {
    let mut y = top;
    for (index, line) in lines.iter().enumerate().take(rows.end).skip(rows.start) {
        let number = (index + 1).to_string();
        let cells = [
            number.as_str(),
            &line.order_ref,
            &line.tracking_number,
            &line.customer,
            &line.city,
            &line.to_collect,
        ];
        for (cell, column) in cells.into_iter().zip(COLUMNS) {
            put(surface, cell, Style::regular(9.0), column, y, reading);
        }
        y += ROW_HEIGHT;
    }
    y
}

/// How many rows fit from baseline `top` down to `bottom`.
fn rows_between(top: f32, bottom: f32) -> usize {
    if bottom < top {
        0
    } else {
        ((bottom - top) / ROW_HEIGHT).floor() as usize + 1
    }
}

/// The total and the signature lines below the table's last row.
fn closing(surface: &mut Surface<'_>, manifest: &Manifest, words: &Words, below: f32) {
    rule(
        surface,
        MARGIN,
        PAGE_WIDTH - MARGIN,
        below - ROW_HEIGHT + 5.0,
        0.6,
    );
    let totals = totals_text(manifest, words);
    let reading = Reading::of(words);
    let y = below + 6.0;
    full_width(
        &fill(&words.total, &[("totals", &totals)]),
        Style::bold(10.0),
        y,
        surface,
        reading,
    );
    full_width(
        &words.signatures,
        Style::regular(10.0),
        (y + 40.0).min(PAGE_HEIGHT - MARGIN),
        surface,
        reading,
    );
}

/// The manifest's pages: the heading, as many rows as fit on each page (the table's heading
/// repeated on every page), then the total and the signatures.
fn manifest_pages(
    document: &mut Document,
    manifest: &Manifest,
    words: &Words,
) -> Result<(), DocumentError> {
    let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).ok_or(DocumentError::Layout)?;
    let mut next = 0;
    loop {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        let top = if next == 0 {
            first_page_heading(&mut surface, manifest, words)
        } else {
            let y = MARGIN + 10.0;
            full_width(
                &fill(&words.continued, &[("reference", &manifest.reference)]),
                Style::regular(9.0),
                y,
                &mut surface,
                Reading::of(words),
            );
            y + 22.0
        };
        let first_row = table_heading(&mut surface, words, top);
        let remaining = manifest.lines.len() - next;
        let with_closing = rows_between(first_row, PAGE_HEIGHT - MARGIN - CLOSING_HEIGHT);
        let done = remaining <= with_closing;
        // A page that cannot also hold the closing fills to the margin, keeping at least one
        // row for the last page, so the total never stands alone under an empty table.
        let rows = if done {
            remaining
        } else {
            rows_between(first_row, PAGE_HEIGHT - MARGIN)
                .min(remaining - 1)
                .max(1)
        };
        let below = table_rows(
            &mut surface,
            &manifest.lines,
            next..next + rows,
            first_row,
            Reading::of(words),
        );
        next += rows;
        if done {
            closing(&mut surface, manifest, words, below);
        }
        surface.finish();
        page.finish();
        if done {
            return Ok(());
        }
    }
}

/// A page saying a label is missing, why, and where to print it from.
fn missing_label_page(
    document: &mut Document,
    words: &Words,
    tracking_number: &str,
    note: &str,
) -> Result<(), DocumentError> {
    let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).ok_or(DocumentError::Layout)?;
    let mut page = document.start_page_with(settings);
    let mut surface = page.surface();
    let mut y = MARGIN + 16.0;
    full_width(
        &fill(
            &words.label_missing,
            &[("tracking_number", tracking_number)],
        ),
        Style::bold(14.0),
        y,
        &mut surface,
        Reading::of(words),
    );
    y += 24.0;
    let style = Style::regular(10.0);
    let reading = Reading::of(words);
    for line in Line::wrapped(
        note,
        style,
        Direction::of(note, reading.base()),
        CONTENT_WIDTH,
    ) {
        let left = match reading {
            Reading::LeftToRight => MARGIN,
            Reading::RightToLeft => MARGIN + CONTENT_WIDTH - line.width,
        };
        line.draw(&mut surface, left, y);
        y += 14.0;
    }
    surface.finish();
    page.finish();
    Ok(())
}

/// A label as it goes into the handover: its pages, or the page saying why not.
enum LabelPages<'a> {
    Readable {
        pdf: PdfDocument,
        pages: usize,
    },
    Missing {
        tracking_number: &'a str,
        note: &'a str,
    },
}

/// Reads ShaQ's label file; `None` if it is not a PDF with at least one page.
fn readable(bytes: &[u8]) -> Option<(Arc<Pdf>, usize)> {
    let pdf = Pdf::new(bytes.to_vec()).ok()?;
    let pages = pdf.pages().len();
    (pages > 0).then(|| (Arc::new(pdf), pages))
}

/// The handover's PDF version: 1.7, or 2.0 when a label is a PDF 2.0 file (an embedded page
/// cannot be newer than the document around it, and krilla refuses the whole document then).
fn version_for(labels: &[(Arc<Pdf>, usize)]) -> PdfVersion {
    if labels
        .iter()
        .any(|(pdf, _)| pdf.version() > hayro_syntax::PdfVersion::Pdf17)
    {
        PdfVersion::Pdf20
    } else {
        PdfVersion::Pdf17
    }
}

fn configuration(version: PdfVersion) -> Result<Configuration, DocumentError> {
    ConfigurationBuilder::new()
        .with_version(version)
        .finish()
        .map_err(|error| DocumentError::Pdf(format!("{error:?}")))
}

/// The handover PDF: the manifest, then every label (a page saying so for a missing or
/// unreadable one), in the order given.
pub fn render(manifest: &Manifest, labels: &[Label]) -> Result<Vec<u8>, DocumentError> {
    render_in(manifest, labels, &ManifestWords::english())
}

/// As [`render`], in `words`.
pub fn render_in(
    manifest: &Manifest,
    labels: &[Label],
    words: &ManifestWords,
) -> Result<Vec<u8>, DocumentError> {
    let mut readable_labels = Vec::new();
    let pages: Vec<LabelPages<'_>> = labels
        .iter()
        .map(|label| match label {
            Label::Pdf {
                tracking_number,
                bytes,
            } => match readable(bytes) {
                Some((pdf, pages)) => {
                    readable_labels.push((Arc::clone(&pdf), pages));
                    LabelPages::Readable {
                        pdf: PdfDocument::new(pdf),
                        pages,
                    }
                }
                None => LabelPages::Missing {
                    tracking_number,
                    note: &words.label_unreadable,
                },
            },
            Label::Missing {
                tracking_number,
                note,
            } => LabelPages::Missing {
                tracking_number,
                note,
            },
        })
        .collect();
    let mut document = Document::new_with(SerializeSettings {
        configuration: configuration(version_for(&readable_labels))?,
        ..SerializeSettings::default()
    });
    document.set_metadata(
        Metadata::new()
            .title(fill(&words.shipment, &[("reference", &manifest.reference)]))
            .language("en".to_owned())
            .creator("shaq-bridge".to_owned()),
    );
    manifest_pages(&mut document, manifest, words)?;
    for label in pages {
        match label {
            LabelPages::Readable { pdf, pages } => {
                let all: Vec<usize> = (0..pages).collect();
                document.embed_pdf_pages(&pdf, &all);
            }
            LabelPages::Missing {
                tracking_number,
                note,
            } => missing_label_page(&mut document, words, tracking_number, note)?,
        }
    }
    Ok(document.finish()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parcel_label::{self, ParcelLabel};
    use crate::rasterized::{Area, dark_fraction, dark_fraction_in};
    use crate::{extracted_text, page_texts};

    fn line(index: usize, customer: &str, city: &str) -> ManifestLine {
        ManifestLine {
            order_ref: format!("#{}", 1000 + index),
            tracking_number: format!("SHQ{index:06}"),
            customer: customer.to_owned(),
            city: city.to_owned(),
            to_collect: "300.00 GHS".to_owned(),
        }
    }

    fn manifest(lines: Vec<ManifestLine>) -> Manifest {
        Manifest {
            shop: "kente".to_owned(),
            reference: "SAAM-20261124160000".to_owned(),
            date: "2026-11-24 16:00 (Africa/Accra)".to_owned(),
            totals: vec![format!("{}.00 GHS", 300 * lines.len())],
            lines,
        }
    }

    fn two_customers() -> Manifest {
        manifest(vec![
            line(0, "محمد العلوي", "الدار البيضاء"),
            line(1, "Éloïse Benali", "Kumasi"),
        ])
    }

    fn sandbox_label(tracking_number: &str) -> Vec<u8> {
        parcel_label::render(&ParcelLabel {
            carrier: "ShaQ Express (sandbox)".to_owned(),
            tracking_number: tracking_number.to_owned(),
            lines: vec![format!("SANDBOX LABEL {tracking_number}")],
        })
        .unwrap()
    }

    /// A label as another generator writes it: PDF `version`, Helvetica, and the page's size
    /// and fonts on the page tree (inherited), which the merge must carry onto the page.
    fn foreign_label(version: &str, text: &str) -> Vec<u8> {
        let content = format!("BT /F1 14 Tf 20 400 Td ({text}) Tj ET");
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 288 432] \
             /Resources << /Font << /F1 5 0 R >> >> >>"
                .to_owned(),
            "<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>".to_owned(),
            format!(
                "<< /Length {} >>\nstream\n{content}\nendstream",
                content.len()
            ),
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold >>".to_owned(),
        ];
        let mut pdf = format!("%PDF-{version}\n");
        let mut offsets = Vec::new();
        for (index, object) in objects.iter().enumerate() {
            offsets.push(pdf.len());
            pdf.push_str(&format!("{} 0 obj\n{object}\nendobj\n", index + 1));
        }
        let xref = pdf.len();
        pdf.push_str(&format!(
            "xref\n0 {}\n0000000000 65535 f \n",
            objects.len() + 1
        ));
        for offset in offsets {
            pdf.push_str(&format!("{offset:010} 00000 n \n"));
        }
        pdf.push_str(&format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        ));
        pdf.into_bytes()
    }

    #[test]
    fn a_template_is_filled_once_whatever_the_values_hold() {
        assert_eq!(
            fill(
                "{count} package(s); cash to collect: {totals}",
                &[("count", "2"), ("totals", "{count} GHS")]
            ),
            "2 package(s); cash to collect: {count} GHS"
        );
        assert_eq!(fill("{unknown} {", &[]), "{unknown} {");
    }

    #[test]
    fn names_and_cities_print_as_written() {
        let pdf = render(&two_customers(), &[]).unwrap();
        let text = extracted_text(&pdf).unwrap();
        for expected in [
            "محمد العلوي",
            "الدار البيضاء",
            "Éloïse Benali",
            "Kumasi",
            "SHQ000000",
            "SHQ000001",
            "SAAM-20261124160000",
            "Total to collect: 600.00 GHS",
        ] {
            assert!(text.contains(expected), "{expected} in {text}");
        }
        // Nothing transliterated for a font without the letters, as the old manifest did.
        assert!(!text.contains("mHmd") && !text.contains("Eloise"), "{text}");
    }

    #[test]
    fn the_manifest_is_followed_by_every_label_in_order() {
        let labels = [
            Label::Pdf {
                tracking_number: "SHQ000000".to_owned(),
                bytes: sandbox_label("SHQ000000"),
            },
            Label::Missing {
                tracking_number: "SHQ000001".to_owned(),
                note: "not ready at ShaQ".to_owned(),
            },
            Label::Pdf {
                tracking_number: "SHQ000002".to_owned(),
                bytes: b"%PDF-1.4 nonsense".to_vec(),
            },
            Label::Pdf {
                tracking_number: "SHQ000003".to_owned(),
                bytes: foreign_label("1.4", "FOREIGN LABEL SHQ000003"),
            },
        ];
        let mut lines = two_customers().lines;
        lines.extend([line(2, "Kofi", "Accra"), line(3, "Ama", "Tema")]);
        let pdf = render(&manifest(lines), &labels).unwrap();
        let pages = page_texts(&pdf).unwrap();
        assert_eq!(pages.len(), 5, "{pages:?}");
        assert!(
            pages[0].contains("Total to collect: 1200.00 GHS"),
            "{}",
            pages[0]
        );
        assert!(pages[1].contains("SANDBOX LABEL SHQ000000"), "{}", pages[1]);
        assert!(pages[2].contains("Label SHQ000001 missing"), "{}", pages[2]);
        assert!(pages[2].contains("not ready at ShaQ"), "{}", pages[2]);
        assert!(pages[3].contains("Label SHQ000002 missing"), "{}", pages[3]);
        assert!(
            pages[3].contains("print it from ShaQ's portal"),
            "{}",
            pages[3]
        );
        assert!(pages[4].contains("FOREIGN LABEL SHQ000003"), "{}", pages[4]);
        // Each label keeps its own size, its text on the page.
        assert!(dark_fraction(&pdf, 2) > 0.005);
        assert!(dark_fraction(&pdf, 5) > 0.002);
    }

    #[test]
    fn a_pdf_2_label_makes_a_pdf_2_handover_rather_than_a_missing_page() {
        let pdf = render(
            &two_customers(),
            &[Label::Pdf {
                tracking_number: "SHQ000000".to_owned(),
                bytes: foreign_label("2.0", "NEWER LABEL SHQ000000"),
            }],
        )
        .unwrap();
        assert!(pdf.starts_with(b"%PDF-2.0"));
        let pages = page_texts(&pdf).unwrap();
        assert_eq!(pages.len(), 2, "{pages:?}");
        assert!(pages[1].contains("NEWER LABEL SHQ000000"), "{}", pages[1]);
    }

    #[test]
    fn a_long_manifest_continues_on_more_pages() {
        let lines = (0..120)
            .map(|i| line(i, &format!("Customer {i}"), "Kumasi"))
            .collect();
        let pdf = render(&manifest(lines), &[]).unwrap();
        let pages = page_texts(&pdf).unwrap();
        assert!(pages.len() >= 3, "{}", pages.len());
        let all = pages.join("\n");
        for i in 0..120 {
            assert_eq!(all.matches(&format!("SHQ{i:06}")).count(), 1, "line {i}");
        }
        assert!(pages[1].contains("Shipment SAAM-20261124160000 (continued)"));
        let last = pages.last().unwrap();
        assert!(last.contains("SHQ000119") && last.contains("Total to collect: 36000.00 GHS"));
        assert!(last.contains("Received by (ShaQ rider)"), "{last}");
    }

    #[test]
    fn an_arabic_manifest_reads_from_the_right() {
        let band = |left: f64, right: f64| Area {
            left,
            top: f64::from(MARGIN) / f64::from(PAGE_HEIGHT),
            right,
            bottom: f64::from(MARGIN + 20.0) / f64::from(PAGE_HEIGHT),
        };
        let english = render(&two_customers(), &[]).unwrap();
        let arabic_words = ManifestWords {
            title: "تسليم ShaQ - {shop}".to_owned(),
            right_to_left: true,
            ..ManifestWords::english()
        };
        let arabic = render_in(&two_customers(), &[], &arabic_words).unwrap();
        // The title starts at the left margin in English and at the right one in Arabic.
        for (pdf, inked, blank) in [
            (&english, band(0.0, 0.3), band(0.7, 1.0)),
            (&arabic, band(0.7, 1.0), band(0.0, 0.3)),
        ] {
            assert!(dark_fraction_in(pdf, 1, inked) > 0.01);
            assert!(dark_fraction_in(pdf, 1, blank) < 0.001);
        }
        let text = crate::extracted_text(&arabic).unwrap();
        assert!(text.contains("تسليم"), "{text}");
    }

    #[test]
    fn the_manifest_prints_on_its_page() {
        let pdf = render(&two_customers(), &[]).unwrap();
        let dark = dark_fraction(&pdf, 1);
        assert!(dark > 0.005, "{:.3}% of the page is dark", dark * 100.0);
        // The table's rows, below its heading: the names are drawn, not only the rules.
        let rows = Area {
            left: 0.3,
            top: 155.0 / f64::from(PAGE_HEIGHT),
            right: 0.75,
            bottom: 185.0 / f64::from(PAGE_HEIGHT),
        };
        let names = dark_fraction_in(&pdf, 1, rows);
        assert!(
            names > 0.01,
            "{:.3}% of the rows' band is dark",
            names * 100.0
        );
    }
}
