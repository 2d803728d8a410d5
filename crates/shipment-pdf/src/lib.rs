//! The printable handover: one PDF with a manifest (what was handed to ShaQ's rider, what they
//! must collect) followed by every package's label, ready to print before the rider comes.
//!
//! The text uses the PDF viewer's built-in Helvetica, so the binary carries no font file and the
//! PDF opens anywhere; that font has Latin letters only, so other scripts are transliterated
//! (`Ama Mensah` stays, `أمينة` prints as `'myn@`…) — the tracking number is what the rider
//! scans. Labels are merged page by page from ShaQ's PDFs; one that cannot be read becomes a page
//! saying where to print it from.

use lopdf::content::{Content, Operation};
use lopdf::{Document, Object, ObjectId, Stream, dictionary};

/// A4, in points.
const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 40.0;
/// Table rows per page below the heading.
const ROW_HEIGHT: f32 = 14.0;

/// Why a PDF could not be made or read.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// lopdf refused.
    #[error("PDF: {0}")]
    Pdf(#[from] lopdf::Error),
    /// Writing the bytes failed.
    #[error("PDF: {0}")]
    Io(#[from] std::io::Error),
}

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
    /// The customer.
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

/// Text the built-in font can show: Latin-1 letters kept, others transliterated.
fn printable(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            if c.is_ascii() && !c.is_ascii_control() {
                vec![c]
            } else if c.is_control() {
                vec![' ']
            } else {
                deunicode::deunicode_char(c)
                    .unwrap_or("?")
                    .chars()
                    .collect()
            }
        })
        .collect()
}

fn clip(text: &str, max: usize) -> String {
    let text = printable(text);
    if text.chars().count() <= max {
        text
    } else {
        let mut clipped: String = text.chars().take(max.saturating_sub(1)).collect();
        clipped.push('~');
        clipped
    }
}

/// Text operations on one page.
struct PageText {
    operations: Vec<Operation>,
}

impl PageText {
    fn new() -> PageText {
        PageText {
            operations: Vec::new(),
        }
    }

    fn text(&mut self, font: &str, size: f32, x: f32, y: f32, text: &str) {
        self.operations.extend([
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec![font.into(), size.into()]),
            Operation::new("Td", vec![x.into(), y.into()]),
            Operation::new("Tj", vec![Object::string_literal(printable(text))]),
            Operation::new("ET", vec![]),
        ]);
    }

    fn rule(&mut self, y: f32) {
        self.operations.extend([
            Operation::new("w", vec![0.5.into()]),
            Operation::new("m", vec![MARGIN.into(), y.into()]),
            Operation::new("l", vec![(PAGE_WIDTH - MARGIN).into(), y.into()]),
            Operation::new("S", vec![]),
        ]);
    }
}

/// The columns of the manifest: heading, x, width in characters.
const COLUMNS: [(&str, f32, usize); 6] = [
    ("#", MARGIN, 4),
    ("Order", 64.0, 12),
    ("Tracking number", 130.0, 22),
    ("Customer", 262.0, 26),
    ("City", 408.0, 16),
    ("To collect", 490.0, 16),
];

fn manifest_pages(manifest: &Manifest) -> Vec<PageText> {
    let mut pages = Vec::new();
    let mut page = PageText::new();
    let mut y = PAGE_HEIGHT - MARGIN - 16.0;
    page.text(
        "F2",
        16.0,
        MARGIN,
        y,
        &format!("ShaQ handover - {}", manifest.shop),
    );
    y -= 22.0;
    for line in [
        format!("Shipment {}", manifest.reference),
        format!("Handed over {}", manifest.date),
        format!(
            "{} package(s); cash to collect: {}",
            manifest.lines.len(),
            if manifest.totals.is_empty() {
                "nothing".to_owned()
            } else {
                manifest.totals.join(", ")
            }
        ),
    ] {
        page.text("F1", 10.0, MARGIN, y, &line);
        y -= 14.0;
    }
    y -= 8.0;
    let heading = |page: &mut PageText, y: f32| {
        for (title, x, _) in COLUMNS {
            page.text("F2", 9.0, x, y, title);
        }
        page.rule(y - 4.0);
    };
    heading(&mut page, y);
    y -= ROW_HEIGHT + 2.0;
    for (index, line) in manifest.lines.iter().enumerate() {
        if y < MARGIN + 60.0 {
            pages.push(page);
            page = PageText::new();
            y = PAGE_HEIGHT - MARGIN - 10.0;
            heading(&mut page, y);
            y -= ROW_HEIGHT + 2.0;
        }
        let cells = [
            (index + 1).to_string(),
            line.order_ref.clone(),
            line.tracking_number.clone(),
            line.customer.clone(),
            line.city.clone(),
            line.to_collect.clone(),
        ];
        for ((_, x, width), cell) in COLUMNS.iter().zip(cells) {
            page.text("F1", 9.0, *x, y, &clip(&cell, *width));
        }
        y -= ROW_HEIGHT;
    }
    page.rule(y + ROW_HEIGHT - 4.0);
    y -= 10.0;
    page.text(
        "F2",
        10.0,
        MARGIN,
        y,
        &format!(
            "Total to collect: {}",
            if manifest.totals.is_empty() {
                "nothing".to_owned()
            } else {
                manifest.totals.join(", ")
            }
        ),
    );
    y -= 36.0;
    page.text(
        "F1",
        10.0,
        MARGIN,
        y.max(MARGIN),
        "Handed over by: ______________________    Received by (ShaQ rider): ______________________",
    );
    pages.push(page);
    pages
}

fn missing_label_page(tracking_number: &str, note: &str) -> PageText {
    let mut page = PageText::new();
    let y = PAGE_HEIGHT - MARGIN - 16.0;
    page.text(
        "F2",
        14.0,
        MARGIN,
        y,
        &format!("Label {tracking_number} missing"),
    );
    page.text("F1", 10.0, MARGIN, y - 22.0, &clip(note, 100));
    page
}

/// A page a label PDF's page needs to stand on its own in another document: the attributes
/// it inherits from its page tree, copied onto it.
fn inherited(document: &Document, page: ObjectId, key: &[u8]) -> Option<Object> {
    let mut current = document.get_dictionary(page).ok()?;
    loop {
        if let Ok(value) = current.get(key) {
            return Some(value.clone());
        }
        let parent = current.get(b"Parent").ok()?.as_reference().ok()?;
        current = document.get_dictionary(parent).ok()?;
    }
}

/// Where text pages go: the page tree and the fonts.
struct TextPages {
    pages: ObjectId,
    resources: ObjectId,
}

impl TextPages {
    fn add(
        &self,
        document: &mut Document,
        kids: &mut Vec<Object>,
        page: PageText,
    ) -> Result<(), PdfError> {
        let content = Content {
            operations: page.operations,
        };
        let stream = document.add_object(Stream::new(dictionary! {}, content.encode()?));
        let media_box: Vec<Object> =
            vec![0.into(), 0.into(), PAGE_WIDTH.into(), PAGE_HEIGHT.into()];
        let id = document.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => self.pages,
            "Contents" => stream,
            "Resources" => self.resources,
            "MediaBox" => media_box,
        });
        kids.push(id.into());
        Ok(())
    }
}

/// The handover PDF: the manifest, then every label (a page saying so for a missing one).
pub fn render(manifest: &Manifest, labels: &[Label]) -> Result<Vec<u8>, PdfError> {
    let mut document = Document::with_version("1.5");
    let pages_id = document.new_object_id();
    let regular = document.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    });
    let bold = document.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica-Bold",
        "Encoding" => "WinAnsiEncoding",
    });
    let resources = document.add_object(dictionary! {
        "Font" => dictionary! { "F1" => regular, "F2" => bold },
    });
    let mut kids: Vec<Object> = Vec::new();
    let target = TextPages {
        pages: pages_id,
        resources,
    };
    for page in manifest_pages(manifest) {
        target.add(&mut document, &mut kids, page)?;
    }
    for label in labels {
        let (tracking_number, bytes) = match label {
            Label::Pdf {
                tracking_number,
                bytes,
            } => (tracking_number, bytes),
            Label::Missing {
                tracking_number,
                note,
            } => {
                target.add(
                    &mut document,
                    &mut kids,
                    missing_label_page(tracking_number, note),
                )?;
                continue;
            }
        };
        let mut label_document = match Document::load_mem(bytes) {
            Ok(parsed) if !parsed.get_pages().is_empty() => parsed,
            _ => {
                target.add(
                    &mut document,
                    &mut kids,
                    missing_label_page(
                        tracking_number,
                        "ShaQ's label file is not a readable PDF: print it from ShaQ's portal",
                    ),
                )?;
                continue;
            }
        };
        label_document.renumber_objects_with(document.max_id + 1);
        let label_pages: Vec<ObjectId> = label_document.get_pages().into_values().collect();
        let mut fixed = Vec::new();
        for page in &label_pages {
            let mut dictionary = label_document.get_dictionary(*page)?.clone();
            for key in [&b"MediaBox"[..], b"Resources", b"CropBox", b"Rotate"] {
                if !dictionary.has(key)
                    && let Some(value) = inherited(&label_document, *page, key)
                {
                    dictionary.set(key, value);
                }
            }
            dictionary.set("Parent", pages_id);
            fixed.push((*page, dictionary));
        }
        document.max_id = document.max_id.max(label_document.max_id);
        for (id, object) in label_document.objects {
            document.objects.insert(id, object);
        }
        for (id, dictionary) in fixed {
            document.objects.insert(id, Object::Dictionary(dictionary));
            kids.push(id.into());
        }
    }
    let count = kids.len() as i64;
    document.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => kids,
            "Count" => count,
        }),
    );
    let catalog = document.add_object(dictionary! {
        "Type" => "Catalog",
        "Pages" => pages_id,
    });
    document.trailer.set("Root", catalog);
    document.compress();
    let mut bytes = Vec::new();
    document.save_to(&mut bytes)?;
    Ok(bytes)
}

/// A one-page PDF with these lines, in the same built-in font: the sandbox's stand-in for
/// ShaQ's labels.
pub fn simple_page(lines: &[String]) -> Result<Vec<u8>, PdfError> {
    let mut page = PageText::new();
    let mut y = PAGE_HEIGHT - MARGIN - 16.0;
    for line in lines {
        page.text("F2", 14.0, MARGIN, y, line);
        y -= 20.0;
    }
    let mut document = Document::with_version("1.5");
    let pages_id = document.new_object_id();
    let font = document.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica-Bold",
        "Encoding" => "WinAnsiEncoding",
    });
    let content = Content {
        operations: page.operations,
    };
    let stream = document.add_object(Stream::new(dictionary! {}, content.encode()?));
    let page_id = document.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "Contents" => stream,
    });
    // Resources and size on the page tree, as many generators do: a merge must carry them.
    document.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => vec![page_id.into()],
            "Count" => 1,
            "Resources" => dictionary! { "Font" => dictionary! { "F2" => font } },
            "MediaBox" => vec![0.into(), 0.into(), 288.into(), 432.into()],
        }),
    );
    let catalog = document.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    document.trailer.set("Root", catalog);
    let mut bytes = Vec::new();
    document.save_to(&mut bytes)?;
    Ok(bytes)
}

/// The text of every page, in order, one string per page (for checks and tests).
pub fn page_texts(pdf: &[u8]) -> Result<Vec<String>, PdfError> {
    let document = Document::load_mem(pdf)?;
    let pages: Vec<u32> = document.get_pages().into_keys().collect();
    pages
        .into_iter()
        .map(|number| Ok(document.extract_text(&[number])?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(lines: usize) -> Manifest {
        Manifest {
            shop: "kente".into(),
            reference: "SAAM-20261124160000".into(),
            date: "2026-11-24 16:00 (Africa/Accra)".into(),
            lines: (0..lines)
                .map(|i| ManifestLine {
                    order_ref: format!("#{}", 1000 + i),
                    tracking_number: format!("SHQ{i:06}"),
                    customer: if i == 0 {
                        "أمينة (Amina) Ɛsi".into()
                    } else {
                        format!("Customer {i}")
                    },
                    city: "Kumasi".into(),
                    to_collect: "300.00 GHS".into(),
                })
                .collect(),
            totals: vec![format!("{}.00 GHS", 300 * lines)],
        }
    }

    #[test]
    fn the_manifest_lists_every_package_and_the_total_then_the_labels() {
        let label = simple_page(&["LABEL SHQ000001".to_owned()]).unwrap();
        let pdf = render(
            &manifest(3),
            &[
                Label::Pdf {
                    tracking_number: "SHQ000001".into(),
                    bytes: label,
                },
                Label::Missing {
                    tracking_number: "SHQ000002".into(),
                    note: "not ready at ShaQ".into(),
                },
                Label::Pdf {
                    tracking_number: "SHQ000003".into(),
                    bytes: b"%PDF-1.4 nonsense".to_vec(),
                },
            ],
        )
        .unwrap();
        let pages = page_texts(&pdf).unwrap();
        assert_eq!(pages.len(), 4, "{pages:?}");
        for tracking in ["SHQ000000", "SHQ000001", "SHQ000002"] {
            assert!(pages[0].contains(tracking), "{}", pages[0]);
        }
        assert!(pages[0].contains("900.00 GHS"));
        assert!(pages[0].contains("SAAM-20261124160000"));
        // Arabic letters are transliterated for the built-in font.
        assert!(pages[0].contains("(Amina)"), "{}", pages[0]);
        assert!(pages[1].contains("LABEL SHQ000001"), "{}", pages[1]);
        assert!(pages[2].contains("SHQ000002 missing"), "{}", pages[2]);
        assert!(pages[3].contains("SHQ000003 missing"), "{}", pages[3]);
    }

    #[test]
    fn a_long_manifest_continues_on_more_pages() {
        let pdf = render(&manifest(120), &[]).unwrap();
        let pages = page_texts(&pdf).unwrap();
        assert!(pages.len() >= 3, "{}", pages.len());
        let all = pages.join("\n");
        for i in 0..120 {
            assert!(all.contains(&format!("SHQ{i:06}")), "line {i}");
        }
        assert!(pages.last().unwrap().contains("Received by (ShaQ rider)"));
    }
}
