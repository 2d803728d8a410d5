//! Writes a sample Arabic invoice to the path given (for looking at the layout):
//! `cargo run -p documents --example invoice -- /tmp/invoice.pdf`.

use documents::{Direction, Invoice, InvoiceItem};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "invoice.pdf".to_owned());
    let invoice = Invoice {
        direction: Direction::Rtl,
        language: "ar".to_owned(),
        title: "فاتورة".to_owned(),
        seller: vec![
            "Kente & Cocoa".to_owned(),
            "12 Oxford Street, Osu, Accra".to_owned(),
        ],
        facts: vec![
            ("رقم الطلب".to_owned(), "#1047".to_owned()),
            (
                "التاريخ".to_owned(),
                "2026-12-07 14:03 (Africa/Accra)".to_owned(),
            ),
            ("الدفع".to_owned(), "الدفع عند الاستلام".to_owned()),
        ],
        customer_heading: "التسليم إلى".to_owned(),
        customer: vec![
            "محمد العلوي".to_owned(),
            "Adum, near the blue gate, Kumasi".to_owned(),
        ],
        columns: ["المنتج", "الكمية", "سعر الوحدة", "المبلغ"].map(str::to_owned),
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
        totals: vec![
            ("المجموع الفرعي".to_owned(), "411.00 GHS".to_owned()),
            ("الشحن".to_owned(), "20.00 GHS".to_owned()),
            ("المجموع".to_owned(), "431.00 GHS".to_owned()),
        ],
        to_collect: Some((
            "المبلغ المطلوب عند التسليم".to_owned(),
            "431.00 GHS".to_owned(),
        )),
        footer: Some("شكرا لطلبك".to_owned()),
    };
    std::fs::write(&path, documents::invoice::render(&invoice)?)?;
    println!("wrote {path}");
    Ok(())
}
