//! `update_package`: the shop changed a pending package (address, phone, items, amount).

use super::JobError;
use super::package_request::{new_package, package_update};
use super::services::Services;
use crate::domain::RegionRules;
use crate::workflow::{JobNews, TrackedOrder};

pub(super) const CALLS: &str = "ShaQ PATCH /packages/{partner_ref}";

pub(super) async fn run(
    services: &Services,
    order: &TrackedOrder,
    rules: &RegionRules,
) -> Result<JobNews, JobError> {
    let shop = services.shop(order.shop_id())?;
    let regions = services.regions().await?;
    let package = new_package(order, &shop.shaq_settings, rules, &regions).map_err(|reason| {
        JobError::permanent(format!(
            "the updated order cannot be shipped as it is ({reason}): fix it in the shop"
        ))
    })?;
    shop.shaq
        .update_package(
            order.partner_ref().as_str(),
            &package_update(package, &regions),
        )
        .await?;
    Ok(JobNews::PackageUpdated)
}
