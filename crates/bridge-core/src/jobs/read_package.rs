//! `read_package`: what ShaQ's package record says beyond its status — the new delivery day
//! after a failed attempt (`rescheduledDate`), the delivery window (`eta`), its tracking page
//! (`trackingUrl`) — which ShaQ's status webhooks do not carry.

use super::JobError;
use super::services::Services;
use crate::workflow::{DeliveryWindow, JobNews, TrackedOrder};

pub(super) const CALLS: &str = "ShaQ GET /packages/{partner_ref}";

pub(super) async fn run(services: &Services, order: &TrackedOrder) -> Result<JobNews, JobError> {
    let shop = services.shop(order.shop_id())?;
    let package = shop.shaq.get_package(order.partner_ref().as_str()).await?;
    Ok(JobNews::PackageRead {
        eta: package.eta.as_ref().map(DeliveryWindow::from),
        tracking_url: package.tracking_url,
        rescheduled_to: package.rescheduled_date,
    })
}
