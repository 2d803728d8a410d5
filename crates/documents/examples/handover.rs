//! Writes a sample handover PDF (the picture in docs/operations.md comes from its first page):
//!
//! ```sh
//! cargo run -p documents --example handover -- /tmp/handover-sample.pdf
//! pdftoppm -png -r 70 -f 1 -l 1 -singlefile /tmp/handover-sample.pdf docs/images/handover-manifest
//! ```

use documents::{Label, Manifest, ManifestLine, ParcelLabel, parcel_label, shipment};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "handover-sample.pdf".to_owned());
    let customers = [
        ("Ama Mensah", "Kumasi", "250.00"),
        ("Kofi Boateng", "Accra", "120.50"),
        ("محمد العلوي", "الدار البيضاء", "89.00"),
        ("Yaw Owusu", "Takoradi", "310.00"),
        ("Éloïse Benali", "Cape Coast", "75.00"),
        ("Kwame Nkrumah Jnr", "Tamale", "199.99"),
        ("Abena Ofori", "Ho", "64.00"),
        ("Kojo Antwi", "Koforidua", "142.00"),
        ("Adjoa Sarpong", "Sunyani", "0"),
        ("Esi Quaye", "East Legon, Accra", "455.00"),
    ];
    let mut total = 0.0;
    let lines: Vec<ManifestLine> = customers
        .iter()
        .enumerate()
        .map(|(i, (name, city, amount))| {
            let amount: f64 = amount.parse().unwrap_or(0.0);
            total += amount;
            ManifestLine {
                order_ref: format!("#{}", 1047 + i),
                tracking_number: format!("SB20261124{:06}", 101 + i),
                customer: (*name).to_owned(),
                city: (*city).to_owned(),
                to_collect: if amount == 0.0 {
                    "prepaid".to_owned()
                } else {
                    format!("{amount:.2} GHS")
                },
            }
        })
        .collect();
    let labels = lines
        .iter()
        .map(|line| {
            Ok(Label::Pdf {
                tracking_number: line.tracking_number.clone(),
                bytes: parcel_label::render(&ParcelLabel {
                    carrier: "ShaQ Express (sandbox)".to_owned(),
                    tracking_number: line.tracking_number.clone(),
                    lines: vec![format!("SANDBOX LABEL {}", line.tracking_number)],
                })?,
            })
        })
        .collect::<Result<Vec<_>, documents::DocumentError>>()?;
    let manifest = Manifest {
        shop: "kente".to_owned(),
        reference: "SAAM-20261124160000".to_owned(),
        date: "2026-11-24 16:00 (Africa/Accra)".to_owned(),
        lines,
        totals: vec![format!("{total:.2} GHS")],
    };
    std::fs::write(&path, shipment::render(&manifest, &labels)?)?;
    println!("{path}");
    Ok(())
}
