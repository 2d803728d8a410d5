//! `handover`: gather a shop's ready packages, wait for the running bridge to make the ShaQ
//! shipment, and save its PDF.

use std::path::PathBuf;

use anyhow::Context;
use bridge_core::domain::ShopId;

use super::{Actor, operations};
use crate::configuration::Settings;

/// `shaq-bridge handover`: gather, then wait for the running bridge's workers to make the
/// shipment, and write its PDF.
pub(super) async fn handover(
    settings: Settings,
    shop: &str,
    by: &Actor,
    out: Option<PathBuf>,
    wait: u64,
) -> anyhow::Result<()> {
    let store = super::open_existing(&settings).await?;
    let rules = settings.rules();
    let shop = ShopId::new(shop);
    let Some(shipment) = operations(&store, &rules)
        .hand_over(&shop, &by.operator())
        .await?
    else {
        println!("nothing of `{shop}` is waiting to be handed over");
        return Ok(());
    };
    println!(
        "{} package(s) of `{shop}` gathered in shipment {}; waiting for the running bridge to make it at ShaQ…",
        shipment.packages, shipment.id
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(wait);
    loop {
        if let Some(pdf) = store.shipment_pdf(shipment.id).await? {
            let ready = store
                .shipment(shipment.id)
                .await?
                .context("the shipment disappeared")?;
            let reference = ready.reference.unwrap_or_else(|| "shipment".to_owned());
            let path = out.unwrap_or_else(|| {
                PathBuf::from(format!(
                    "handover-{shop}-{}.pdf",
                    reference.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "_")
                ))
            });
            std::fs::write(&path, pdf).with_context(|| format!("writing {}", path.display()))?;
            println!(
                "ShaQ shipment {reference}: manifest and labels in {}",
                path.display()
            );
            return Ok(());
        }
        if std::time::Instant::now() >= deadline {
            let now = store.shipment(shipment.id).await?;
            let why = now
                .and_then(|s| s.last_error)
                .map(|e| format!(" ({e})"))
                .unwrap_or_default();
            anyhow::bail!(
                "shipment {} is not ready after {wait} s{why}: is `shaq-bridge serve` running? \
                 Its PDF will be in the console (Handover) and at /api/shipments/{}/pdf",
                shipment.id,
                shipment.id
            );
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
}
