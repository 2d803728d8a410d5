//! `create_replacement`: the ShaQ packages of a return, replacement or exchange after delivery,
//! made once whatever happens (a retry after a lost answer finds them by their references), and
//! a refusal reported as news for the timeline, not a dead job.

use shaq_client::{Classify, Disposition, ReplacementPackage};

use super::JobError;
use super::package_request::new_package;
use super::services::Services;
use crate::domain::RegionRules;
use crate::workflow::returns::{AfterSale, LinkedPackage};
use crate::workflow::{JobNews, TrackedOrder};

pub(super) const CALLS: &str =
    "ShaQ GET /packages/{ref} (already made?), POST /packages/replacement";

pub(super) async fn run(
    services: &Services,
    order: &TrackedOrder,
    rules: &RegionRules,
    kind: AfterSale,
    number: u32,
) -> Result<JobNews, JobError> {
    let shop = services.shop(order.shop_id())?;
    let regions = services.regions().await?;
    let base = new_package(order, &shop.shaq_settings, rules, &regions).map_err(|reason| {
        JobError::permanent(format!("the order can no longer be sent: {reason}"))
    })?;
    let partner_ref = order.partner_ref().to_string();
    let packages: Vec<ReplacementPackage> = kind
        .actions()
        .iter()
        .map(|action| {
            let mut package = base.clone();
            package.partner_ref = LinkedPackage::reference(&partner_ref, *action, number);
            // Nothing is collected on a return or a replacement: money goes back (or not)
            // through the shop, never through the courier automatically.
            package.amount_to_collect = rust_decimal::Decimal::ZERO;
            package.description = format!("{} of {}", kind.as_str(), package.description);
            ReplacementPackage {
                action: *action,
                package,
            }
        })
        .collect();
    // Made by an earlier attempt whose answer was lost?
    let mut found = Vec::new();
    for package in &packages {
        match shop.shaq.find_package(&package.package.partner_ref).await? {
            Some(existing) => found.push(linked(kind, number, package, &existing)),
            None => break,
        }
    }
    if found.len() == packages.len() {
        return Ok(JobNews::ReplacementCreated {
            kind,
            packages: found,
        });
    }
    let tracking_number = order
        .tracking_number()
        .map(ToString::to_string)
        .unwrap_or_default();
    let original = shaq_client::Original {
        partner_ref: &partner_ref,
        tracking_number: &tracking_number,
    };
    match shop
        .shaq
        .replacement(&original, kind.rule(), &packages)
        .await
    {
        Ok(created) => Ok(JobNews::ReplacementCreated {
            kind,
            // Each package asked for is matched to the one made by its reference (ShaQ's
            // example answer lists them in another order than they were asked), by position
            // only when the answer names none.
            packages: packages
                .iter()
                .enumerate()
                .filter_map(|(index, asked)| {
                    created
                        .iter()
                        .find(|made| made.partner_ref == asked.package.partner_ref)
                        .or_else(|| created.get(index))
                        .map(|made| linked(kind, number, asked, made))
                })
                .collect(),
        }),
        Err(error) if matches!(error.disposition(), Disposition::Retry { .. }) => Err(error.into()),
        Err(error) => Ok(JobNews::ReplacementRefused {
            kind,
            reason: crate::domain::mask_digit_runs(&error.to_string()),
        }),
    }
}

fn linked(
    kind: AfterSale,
    number: u32,
    asked: &ReplacementPackage,
    made: &shaq_client::Package,
) -> LinkedPackage {
    LinkedPackage {
        kind,
        action: asked.action,
        number,
        partner_ref: asked.package.partner_ref.clone(),
        tracking_number: Some(made.tracking_number.clone()).filter(|t| !t.is_empty()),
        status: Some(made.status.clone()),
        status_at: None,
    }
}
