//! A parcel label on a 4 × 6 inch page, the size of a thermal label printer's roll: the
//! carrier, the tracking number as large as the width allows (what the rider reads), and a few
//! lines below, in a frame. The ShaQ simulator hands these out where ShaQ hands out its own
//! label files, so the handover's merging is tried on a real page that prints something.

use krilla::Document;
use krilla::geom::Rect;
use krilla::metadata::Metadata;
use krilla::page::PageSettings;

use crate::DocumentError;
use crate::lines::{frame, rule};
use crate::text::{Direction, Line, Style};

/// 4 × 6 inches, in points.
pub const LABEL_WIDTH: f32 = 288.0;
/// 4 × 6 inches, in points.
pub const LABEL_HEIGHT: f32 = 432.0;
/// From the page's edge to the frame.
const INSET: f32 = 12.0;
/// From the frame to the text.
const PADDING: f32 = 12.0;
const TEXT_WIDTH: f32 = LABEL_WIDTH - 2.0 * (INSET + PADDING);
/// The tracking number's size when it fits the width; a longer one is set smaller.
const TRACKING_NUMBER_SIZE: f32 = 30.0;

/// What a label says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParcelLabel {
    /// Who delivers it (`ShaQ Express`).
    pub carrier: String,
    /// The parcel's tracking number, printed large.
    pub tracking_number: String,
    /// Lines under it (the recipient, a note).
    pub lines: Vec<String>,
}

/// The label as a one-page PDF.
pub fn render(label: &ParcelLabel) -> Result<Vec<u8>, DocumentError> {
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(label.tracking_number.clone())
            .creator("shaq-bridge".to_owned()),
    );
    let settings = PageSettings::from_wh(LABEL_WIDTH, LABEL_HEIGHT).ok_or(DocumentError::Layout)?;
    let mut page = document.start_page_with(settings);
    let mut surface = page.surface();
    let outline = Rect::from_xywh(
        INSET,
        INSET,
        LABEL_WIDTH - 2.0 * INSET,
        LABEL_HEIGHT - 2.0 * INSET,
    )
    .ok_or(DocumentError::Layout)?;
    frame(&mut surface, outline, 2.0);
    let left = INSET + PADDING;
    let mut y = INSET + PADDING + 18.0;
    let carrier = Line::fitted(
        &label.carrier,
        Style::bold(16.0),
        Direction::of(&label.carrier, Direction::Ltr),
        TEXT_WIDTH,
    );
    carrier.draw(&mut surface, left, y);
    y += 14.0;
    rule(&mut surface, INSET, LABEL_WIDTH - INSET, y, 1.5);
    y += 16.0 + TRACKING_NUMBER_SIZE;
    tracking_number(&label.tracking_number).draw(&mut surface, left, y);
    y += 18.0;
    rule(&mut surface, INSET, LABEL_WIDTH - INSET, y, 1.5);
    y += 24.0;
    for text in &label.lines {
        let style = Style::regular(11.0);
        for line in Line::wrapped(text, style, Direction::of(text, Direction::Ltr), TEXT_WIDTH) {
            line.draw(&mut surface, left, y);
            y += 15.0;
        }
    }
    surface.finish();
    page.finish();
    Ok(document.finish()?)
}

/// The tracking number across the label's width: at its full size if it fits, smaller if not
/// (never cut: every character of it is needed).
fn tracking_number(text: &str) -> Line {
    let full = Line::new(text, Style::bold(TRACKING_NUMBER_SIZE), Direction::Ltr);
    if full.width <= TEXT_WIDTH {
        return full;
    }
    let size = TRACKING_NUMBER_SIZE * TEXT_WIDTH / full.width;
    Line::new(text, Style::bold(size), Direction::Ltr)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page_texts;
    use crate::rasterized::{Area, dark_fraction, dark_fraction_in};

    fn sandbox_label() -> ParcelLabel {
        ParcelLabel {
            carrier: "ShaQ Express (sandbox)".to_owned(),
            tracking_number: "SB20261124000101".to_owned(),
            lines: vec!["SANDBOX LABEL SB20261124000101".to_owned()],
        }
    }

    #[test]
    fn a_label_is_a_4_by_6_inch_page_with_its_text_on_it() {
        let pdf = render(&sandbox_label()).unwrap();
        let read = hayro_syntax::Pdf::new(pdf.clone()).unwrap();
        assert_eq!(read.pages().len(), 1);
        assert_eq!(read.pages()[0].render_dimensions(), (288.0, 432.0));
        let pages = page_texts(&pdf).unwrap();
        assert_eq!(pages.len(), 1);
        for expected in ["ShaQ Express (sandbox)", "SANDBOX LABEL SB20261124000101"] {
            assert!(pages[0].contains(expected), "{expected} in {}", pages[0]);
        }
        // Drawn where a printer prints: the old label's text sat above the page, and the page
        // came out of the printer blank.
        let dark = dark_fraction(&pdf, 1);
        assert!(dark > 0.005, "{:.3}% of the label is dark", dark * 100.0);
        // Inside the frame, between the rules: the tracking number alone.
        let band = Area {
            left: 0.1,
            top: 65.0 / f64::from(LABEL_HEIGHT),
            right: 0.9,
            bottom: 110.0 / f64::from(LABEL_HEIGHT),
        };
        let tracking_number = dark_fraction_in(&pdf, 1, band);
        assert!(
            tracking_number > 0.05,
            "{:.3}% of the tracking number's band is dark",
            tracking_number * 100.0
        );
    }

    #[test]
    fn a_long_tracking_number_is_set_smaller_not_cut() {
        let line = tracking_number("SHAQ-EXPRESS-2026-11-24-000000000101");
        assert!(line.width <= TEXT_WIDTH + 0.01, "{}", line.width);
        let short = tracking_number("SB1");
        assert!(short.width < TEXT_WIDTH);
    }
}
