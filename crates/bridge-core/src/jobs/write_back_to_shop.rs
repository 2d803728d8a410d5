//! `write_back_to_shop`: show a milestone in the shop (fulfilment with tracking, paid, cancelled,
//! notes or tags, as each platform can).

use shop_client::ShopUpdate;

use super::JobError;
use super::services::Services;
use crate::workflow::{JobNews, ShopMilestone, TrackedOrder};

pub(super) const CALLS: &str = "shop admin API";

pub(super) async fn run(
    services: &Services,
    order: &TrackedOrder,
    milestone: ShopMilestone,
) -> Result<JobNews, JobError> {
    let shop = services.shop(order.shop_id())?;
    let client = shop.writer.as_ref().ok_or_else(|| {
        JobError::permanent(format!(
            "shop `{}` has no write-back credentials",
            order.shop_id()
        ))
    })?;
    let shop_order = order.order();
    let details = order.courier_details();
    // ShaQ's own tracking page when it gave one; the configured template otherwise.
    let tracking_url = details.tracking_url.clone().or_else(|| {
        order
            .tracking_number()
            .and_then(|t| shop.shaq_settings.tracking_url(t.as_str()))
    });
    let update = ShopUpdate {
        milestone,
        platform_order_id: shop_order.platform_order_id.as_str(),
        order_ref: &shop_order.order_ref,
        tracking_number: order.tracking_number().map(|t| t.as_str()),
        tracking_url: tracking_url.as_deref(),
        cash_on_delivery: shop_order.payment.is_cash_on_delivery(),
        amount_to_collect: Some(order.collect().amount),
        currency: Some(&order.collect().currency),
        previous_amount: details.amount_change.as_ref().map(|change| change.from),
        delivery_window: details.eta.map(|eta| (eta.from, eta.to)),
    };
    let summary = client.write(&update).await?;
    Ok(JobNews::WrittenBack { milestone, summary })
}
