//! Writing milestones back to the shop.

use chrono::Utc;

use super::Pipeline;
use super::convert::is_cash_on_delivery;
use super::ports::ShopUpdate;
use crate::jobs::JobRecord;
use crate::store::JobEffects;
use crate::worker::JobError;
use crate::workflow::{WriteBackToShop, timeline};

impl Pipeline {
    pub(super) async fn write_back(&self, job: &JobRecord) -> Result<JobEffects, JobError> {
        let WriteBackToShop { milestone } = serde_json::from_value(job.payload.clone())
            .map_err(|e| JobError::permanent(format!("bad write_back payload: {e}")))?;
        let order = self.order(job).await?;
        let now = Utc::now();
        let shop = self.shop(&order.shop_id)?;
        let Some(writer) = &shop.writer else {
            return Ok(JobEffects::default());
        };
        if !shop.settings.writes_back(milestone) {
            return Ok(JobEffects::default());
        }
        let update = ShopUpdate {
            milestone,
            order: &order,
            tracking_url: order
                .tracking_number
                .as_deref()
                .and_then(|t| self.shaq.tracking_url(t)),
            cash_on_delivery: is_cash_on_delivery(&order),
        };
        let written = writer.write(&update).await?;
        let summary = match written {
            Some(summary) => format!("shop told `{}`: {summary}", milestone.as_str()),
            None => format!("shop shows nothing for `{}`", milestone.as_str()),
        };
        Ok(JobEffects {
            timeline: vec![timeline(&order.order_key, now, "write_back", summary)],
            ..JobEffects::default()
        })
    }
}
