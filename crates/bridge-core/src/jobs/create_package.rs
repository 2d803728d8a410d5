//! `create_package`: the ShaQ package for an order, created once whatever happens (a retry after
//! a lost answer adopts the package the first attempt made).

use shaq_client::CreateOutcome;

use super::JobError;
use super::package_request::new_package;
use super::services::Services;
use crate::domain::RegionRules;
use crate::workflow::DeliveryWindow;
use crate::workflow::{JobNews, TrackedOrder};

pub(super) const CALLS: &str =
    "ShaQ GET /setup/regions (cached), POST /packages (or in a bulk batch: POST /packages/bulk)";

pub(super) async fn run(
    services: &Services,
    order: &TrackedOrder,
    rules: &RegionRules,
) -> Result<JobNews, JobError> {
    let shop = services.shop(order.shop_id())?;
    let regions = services.regions().await?;
    let package = match new_package(order, &shop.shaq_settings, rules, &regions) {
        Ok(package) => package,
        Err(reason) => return Ok(JobNews::Unshippable(reason)),
    };
    if let Some(bulk) = &shop.bulk
        && let super::bulk::Bulked::Created(created) = bulk.create(package.clone()).await
    {
        return Ok(JobNews::PackageCreated {
            tracking_number: crate::domain::TrackingNumber::new(created.tracking_number.clone()),
            status: created.status.clone(),
            adopted: false,
            amount_to_collect: package.amount_to_collect,
            eta: created.eta.as_ref().map(DeliveryWindow::from),
            tracking_url: created.tracking_url.clone(),
        });
    }
    let outcome = shop.shaq.create_package_idempotent(&package).await?;
    let adopted = matches!(outcome, CreateOutcome::AlreadyExisted(_));
    let created = outcome.package();
    Ok(JobNews::PackageCreated {
        tracking_number: crate::domain::TrackingNumber::new(created.tracking_number.clone()),
        status: created.status.clone(),
        adopted,
        amount_to_collect: package.amount_to_collect,
        eta: created.eta.as_ref().map(DeliveryWindow::from),
        tracking_url: created.tracking_url.clone(),
    })
}
