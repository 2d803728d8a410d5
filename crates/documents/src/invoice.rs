//! The order's invoice: one A4 page the customer receives with their confirmation message —
//! who sells, what was bought, what it costs and what the rider collects — in the customer's
//! language. Every word arrives translated (the bridge's catalogues); this module only places
//! them, mirrored for a right-to-left language.

use krilla::Document;
use krilla::geom::{PathBuilder, Rect};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;

use crate::DocumentError;
use crate::text::{Direction, Line, Style};

/// A4, in points.
const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 48.0;
const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;

/// What the invoice says, every word already in the customer's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoice {
    /// Which way the language reads.
    pub direction: Direction,
    /// Its BCP 47 tag (`ar`, `fr`, `en`), recorded in the PDF for screen readers.
    pub language: String,
    /// "Invoice".
    pub title: String,
    /// The shop's name, then its address lines.
    pub seller: Vec<String>,
    /// Labelled facts: order number, date, payment.
    pub facts: Vec<(String, String)>,
    /// "Deliver to".
    pub customer_heading: String,
    /// The customer's name, then the delivery address lines.
    pub customer: Vec<String>,
    /// The item table's headings: item, quantity, unit price, amount.
    pub columns: [String; 4],
    /// The items.
    pub items: Vec<InvoiceItem>,
    /// Labelled totals (subtotal, shipping, discount, total).
    pub totals: Vec<(String, String)>,
    /// What the rider collects, set apart ("Cash to collect on delivery", "300.00 GHS"); `None`
    /// for a paid order.
    pub to_collect: Option<(String, String)>,
    /// A closing line.
    pub footer: Option<String>,
}

/// One line of the item table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceItem {
    /// What it is.
    pub name: String,
    /// How many.
    pub quantity: String,
    /// The price of one, with its currency.
    pub unit_price: String,
    /// Quantity × price.
    pub amount: String,
}

/// Where a piece of text sits in its box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Align {
    /// Where the language starts a line: left, or right in Arabic.
    Start,
    /// Where it ends: numbers line up there.
    End,
}

/// A page whose boxes are given left to right and mirrored for a right-to-left language.
struct Sheet<'a, 'b> {
    surface: &'a mut Surface<'b>,
    direction: Direction,
}

impl Sheet<'_, '_> {
    /// The left edge of a box given as `x` from the start margin, `width` wide.
    fn left_of(&self, x: f32, width: f32) -> f32 {
        match self.direction {
            Direction::Ltr => MARGIN + x,
            Direction::Rtl => PAGE_WIDTH - MARGIN - x - width,
        }
    }

    /// Writes `text` in the box at `x` (from the start margin), `width` wide, on `baseline`:
    /// placed by the page's direction, read in its own (an amount stays `411.00 GHS` on an
    /// Arabic page).
    fn put(&mut self, text: &str, style: Style, x: f32, width: f32, baseline: f32, align: Align) {
        let line = Line::fitted(text, style, Direction::of(text, self.direction), width);
        let left = self.left_of(x, width);
        let at_left = match (self.direction, align) {
            (Direction::Ltr, Align::Start) | (Direction::Rtl, Align::End) => left,
            (Direction::Ltr, Align::End) | (Direction::Rtl, Align::Start) => {
                left + width - line.width
            }
        };
        line.draw(self.surface, at_left, baseline);
    }

    /// A thin rule across the content width.
    fn rule(&mut self, y: f32) {
        let mut path = PathBuilder::new();
        path.move_to(MARGIN, y);
        path.line_to(PAGE_WIDTH - MARGIN, y);
        if let Some(path) = path.finish() {
            self.surface.set_fill(None);
            self.surface.set_stroke(Some(Stroke {
                width: 0.6,
                ..Stroke::default()
            }));
            self.surface.draw_path(&path);
            self.surface.set_stroke(None);
            self.surface.set_fill(Some(Fill::default()));
        }
    }

    /// A light band behind a row (the amount to collect).
    fn band(&mut self, top: f32, height: f32) {
        let mut path = PathBuilder::new();
        if let Some(rect) = Rect::from_xywh(MARGIN, top, CONTENT_WIDTH, height) {
            path.push_rect(rect);
        }
        if let Some(path) = path.finish() {
            self.surface.set_fill(Some(Fill {
                paint: krilla::color::rgb::Color::new(235, 240, 235).into(),
                ..Fill::default()
            }));
            self.surface.draw_path(&path);
            self.surface.set_fill(Some(Fill::default()));
        }
    }
}

/// The columns of the item table, from the start margin: x and width.
const ITEM_COLUMNS: [(f32, f32); 4] = [
    (0.0, 255.0),
    (260.0, 40.0),
    (305.0, 92.0),
    (402.0, CONTENT_WIDTH - 402.0),
];

/// The invoice as a one-page PDF (more pages when the items do not fit on one).
pub fn render(invoice: &Invoice) -> Result<Vec<u8>, DocumentError> {
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(invoice.title.clone())
            .language(invoice.language.clone())
            .creator("shaq-bridge".to_owned()),
    );
    let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).ok_or(DocumentError::Layout)?;
    let mut items = invoice.items.iter().peekable();
    let mut first = true;
    loop {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        let mut sheet = Sheet {
            surface: &mut surface,
            direction: invoice.direction,
        };
        let mut y = MARGIN;
        if first {
            y = heading(&mut sheet, invoice, y);
        }
        y = item_table(&mut sheet, invoice, &mut items, y);
        let done = items.peek().is_none();
        if done {
            closing(&mut sheet, invoice, y);
        }
        surface.finish();
        page.finish();
        first = false;
        if done {
            break;
        }
    }
    Ok(document.finish()?)
}

/// Title, seller, facts and customer; returns where the item table starts.
fn heading(sheet: &mut Sheet<'_, '_>, invoice: &Invoice, top: f32) -> f32 {
    let half = CONTENT_WIDTH / 2.0 - 10.0;
    let mut y = top + 22.0;
    sheet.put(
        &invoice.title,
        Style::bold(22.0),
        0.0,
        half,
        y,
        Align::Start,
    );
    // The seller faces the title, on the end side.
    let mut seller_y = top + 12.0;
    for (index, line) in invoice.seller.iter().enumerate() {
        let style = if index == 0 {
            Style::bold(12.0)
        } else {
            Style::regular(9.5)
        };
        sheet.put(line, style, half + 20.0, half, seller_y, Align::End);
        seller_y += if index == 0 { 16.0 } else { 13.0 };
    }
    y += 26.0;
    for (label, value) in &invoice.facts {
        sheet.put(label, Style::bold(9.5), 0.0, 90.0, y, Align::Start);
        sheet.put(
            value,
            Style::regular(9.5),
            95.0,
            half - 75.0,
            y,
            Align::Start,
        );
        y += 14.0;
    }
    y = y.max(seller_y) + 12.0;
    sheet.put(
        &invoice.customer_heading,
        Style::bold(10.5),
        0.0,
        CONTENT_WIDTH,
        y,
        Align::Start,
    );
    y += 15.0;
    for line in &invoice.customer {
        sheet.put(
            line,
            Style::regular(9.5),
            0.0,
            CONTENT_WIDTH,
            y,
            Align::Start,
        );
        y += 13.0;
    }
    y + 18.0
}

/// The item table's heading and as many items as fit; returns the y below the last.
fn item_table<'i>(
    sheet: &mut Sheet<'_, '_>,
    invoice: &Invoice,
    items: &mut std::iter::Peekable<impl Iterator<Item = &'i InvoiceItem>>,
    top: f32,
) -> f32 {
    let mut y = top;
    for ((x, width), (title, align)) in ITEM_COLUMNS.iter().zip(invoice.columns.iter().zip([
        Align::Start,
        Align::End,
        Align::End,
        Align::End,
    ])) {
        sheet.put(title, Style::bold(9.5), *x, *width, y, align);
    }
    sheet.rule(y + 5.0);
    y += 20.0;
    // Leave room for the totals below the last item.
    let bottom = PAGE_HEIGHT - MARGIN - 150.0;
    while let Some(item) = items.peek() {
        if y > bottom {
            break;
        }
        let cells = [
            (&item.name, Align::Start),
            (&item.quantity, Align::End),
            (&item.unit_price, Align::End),
            (&item.amount, Align::End),
        ];
        for ((x, width), (text, align)) in ITEM_COLUMNS.iter().zip(cells) {
            sheet.put(text, Style::regular(9.5), *x, *width, y, align);
        }
        y += 16.0;
        items.next();
    }
    sheet.rule(y - 8.0);
    y
}

/// Totals, the amount to collect, and the footer.
fn closing(sheet: &mut Sheet<'_, '_>, invoice: &Invoice, top: f32) {
    let mut y = top + 8.0;
    let (label_x, label_width) = (ITEM_COLUMNS[2].0 - 120.0, 212.0);
    let (value_x, value_width) = ITEM_COLUMNS[3];
    for (label, value) in &invoice.totals {
        sheet.put(
            label,
            Style::regular(9.5),
            label_x,
            label_width,
            y,
            Align::End,
        );
        sheet.put(value, Style::bold(9.5), value_x, value_width, y, Align::End);
        y += 15.0;
    }
    if let Some((label, value)) = &invoice.to_collect {
        y += 8.0;
        sheet.band(y - 14.0, 22.0);
        sheet.put(label, Style::bold(11.0), 6.0, 330.0, y + 1.0, Align::Start);
        sheet.put(
            value,
            Style::bold(12.0),
            value_x - 40.0,
            value_width + 34.0,
            y + 1.0,
            Align::End,
        );
        y += 22.0;
    }
    if let Some(footer) = &invoice.footer {
        sheet.put(
            footer,
            Style::regular(9.0),
            0.0,
            CONTENT_WIDTH,
            (y + 30.0).min(PAGE_HEIGHT - MARGIN),
            Align::Start,
        );
    }
}
