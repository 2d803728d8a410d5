//! `cancel_package`: delete the package while it is pending, or ask ShaQ to cancel one it has.

use shaq_client::PackageStatus;

use super::JobError;
use super::services::Services;
use crate::domain::TrackingNumber;
use crate::workflow::courier::{CancelBy, cancel_by};
use crate::workflow::{Cancellation, JobNews, TrackedOrder};

pub(super) const CALLS: &str = "ShaQ DELETE /packages/{partner_ref} or POST cancel";

pub(super) async fn run(services: &Services, order: &TrackedOrder) -> Result<JobNews, JobError> {
    let shop = services.shop(order.shop_id())?;
    let partner_ref = order.partner_ref().to_string();
    // A create whose answer was lost may still have made a package: look before giving up.
    let package = match order.tracking_number() {
        Some(tracking) => Some((
            tracking.clone(),
            order
                .courier_status()
                .cloned()
                .unwrap_or(PackageStatus::Unknown(String::new())),
        )),
        None => shop
            .shaq
            .find_package(&partner_ref)
            .await?
            .map(|p| (TrackingNumber::new(p.tracking_number), p.status)),
    };
    let Some((tracking, status)) = package else {
        return Ok(JobNews::PackageCancelled(Cancellation::NoPackage));
    };
    let cancellation = match cancel_by(&status, order.shipment_id().is_some()) {
        CancelBy::Deleting => match shop.shaq.delete_package(&partner_ref).await {
            Ok(()) => Cancellation::Deleted(tracking),
            Err(error) if error.is_not_found() => Cancellation::AlreadyGone(tracking),
            Err(error) => return Err(error.into()),
        },
        CancelBy::AskingShaq => {
            shop.shaq.cancel_order(&partner_ref).await?;
            Cancellation::Requested {
                tracking_number: tracking,
                status,
            }
        }
    };
    Ok(JobNews::PackageCancelled(cancellation))
}
