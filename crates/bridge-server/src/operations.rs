//! What a person can do to an order, shared by the console, the admin API and the CLI: find it
//! by the name people use, and queue a correction, resume, replay or cancel.
//!
//! The request is checked against the order as it is (so a refusal comes back at once, as a
//! 409 naming the reason), then queued on the order as an `operator` job; the workflow decides
//! it in the order's turn. [`Operations::settle`] waits a moment for that, so a person usually
//! sees the result on the next page.

use std::time::Duration;

use bridge_core::domain::{
    GHANA_REGIONS, OrderKey, PhoneE164, PlatformOrderId, ShopId, parse_amount,
};
use bridge_core::jobs::{JobRecord, JobState};
use bridge_core::shop::clean_text;
use bridge_core::store::{OrderQuery, Store, StoreError};
use bridge_core::worker::JobWaker;
use bridge_core::workflow::operator::{
    self, ChosenRegion, Correction, Operator, OperatorAction, OperatorRequest, Refusal, check,
};
use bridge_core::workflow::{Rules, TrackedOrder};
use chrono::Utc;

/// Why a person's request was not queued.
#[derive(Debug, thiserror::Error)]
pub enum OperationError {
    /// No such order.
    #[error("no order `{reference}` in shop `{shop}`")]
    NoOrder {
        /// The shop asked for.
        shop: ShopId,
        /// The reference asked for.
        reference: String,
    },
    /// The shop is not (or no longer) configured.
    #[error("shop `{0}` is not configured")]
    UnknownShop(ShopId),
    /// The order, as it is, does not allow it.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// Nothing to replay.
    #[error("the bridge holds no webhook about this order")]
    NothingToReplay,
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A queued request.
#[derive(Debug, Clone)]
pub struct Queued {
    /// The order.
    pub order_key: OrderKey,
    /// The operator job's id.
    pub job_id: i64,
}

/// The store, the rules and the workers' wake-up, for people's requests.
pub struct Operations<'a> {
    /// The database.
    pub store: &'a Store,
    /// The workflow's rules (for the checks).
    pub rules: &'a Rules,
    /// Wakes the workers (`None` from the CLI: the running bridge polls).
    pub waker: Option<&'a JobWaker>,
}

impl<'a> Operations<'a> {
    /// The operations of a running bridge (its store, rules and workers' wake-up).
    pub fn of(state: &'a crate::startup::AppState) -> Operations<'a> {
        Operations {
            store: &state.store,
            rules: &state.rules,
            waker: Some(&state.waker),
        }
    }
}

impl Operations<'_> {
    /// Gathers the packages of `shop` ready to hand over into one ShaQ shipment and queues it
    /// (`None`: nothing is ready). `by` names who asked, on the shipment.
    pub async fn hand_over(
        &self,
        shop: &ShopId,
        by: &Operator,
    ) -> Result<Option<bridge_core::store::Shipment>, OperationError> {
        if !self.rules.shops.contains_key(shop) {
            return Err(OperationError::UnknownShop(shop.clone()));
        }
        let shipment = self
            .store
            .gather_handover(shop, by.as_str(), None, Utc::now())
            .await?;
        if shipment.is_some()
            && let Some(waker) = self.waker
        {
            waker.wake();
        }
        Ok(shipment)
    }

    /// The order `reference` names in `shop`: its platform id (`5123456789`), or the name
    /// merchant and customer use (`#1047`, with or without `#`).
    pub async fn find(
        &self,
        shop: &ShopId,
        reference: &str,
    ) -> Result<TrackedOrder, OperationError> {
        find_order(self.store, shop, reference).await
    }

    /// Checks `action` against the order and queues it. Replay with `event_id` 0 replays the
    /// order's last webhook.
    pub async fn submit(
        &self,
        order: &TrackedOrder,
        by: Operator,
        action: OperatorAction,
    ) -> Result<Queued, OperationError> {
        let mut queued = self.submit_all(order, by, vec![action]).await?;
        queued
            .pop()
            .ok_or_else(|| StoreError::Corrupt("nothing was queued".to_owned()).into())
    }

    /// Checks each action against the order as the ones before it leave it (a resume after a
    /// correction is checked against the corrected order), then queues them all, in order, in
    /// one transaction.
    pub async fn submit_all(
        &self,
        order: &TrackedOrder,
        by: Operator,
        actions: Vec<OperatorAction>,
    ) -> Result<Vec<Queued>, OperationError> {
        let policy = self
            .rules
            .shop(order.shop_id())
            .map_err(|_| OperationError::UnknownShop(order.shop_id().clone()))?;
        let now = Utc::now();
        let mut as_it_will_be = order.clone();
        let mut jobs = Vec::new();
        for action in actions {
            let action = self.resolve_replay(order, action).await?;
            check(&as_it_will_be, &action, policy)?;
            tracing::info!(
                order_key = %order.key(),
                operator = %by,
                action = action.name(),
                "operator request queued"
            );
            let request = OperatorRequest {
                by: by.clone(),
                action,
                at: now,
            };
            if let Some(next) =
                operator::on_request(&as_it_will_be, request.clone(), policy, now).order
            {
                as_it_will_be = next;
            }
            jobs.push(operator::request(&order.key(), request));
        }
        self.store.enqueue(&jobs, now).await?;
        if let Some(waker) = self.waker {
            waker.wake();
        }
        let mut queued = Vec::with_capacity(jobs.len());
        for job in &jobs {
            let record = self
                .store
                .job_by_key(job.dedupe_key())
                .await?
                .ok_or_else(|| StoreError::Corrupt("a queued request vanished".to_owned()))?;
            queued.push(Queued {
                order_key: order.key(),
                job_id: record.id,
            });
        }
        Ok(queued)
    }

    /// A replay of event 0 is a replay of the order's last webhook; any other event must be
    /// the order's.
    async fn resolve_replay(
        &self,
        order: &TrackedOrder,
        action: OperatorAction,
    ) -> Result<OperatorAction, OperationError> {
        Ok(match action {
            OperatorAction::Replay { event_id: 0 } => {
                let last = self.store.inbound_events_of(&order.key(), 1).await?;
                let event = last.first().ok_or(OperationError::NothingToReplay)?;
                OperatorAction::Replay { event_id: event.id }
            }
            OperatorAction::Replay { event_id } => {
                let event = self.store.inbound_event(event_id).await?;
                if event.and_then(|e| e.order_key) != Some(order.key()) {
                    return Err(OperationError::NothingToReplay);
                }
                OperatorAction::Replay { event_id }
            }
            other => other,
        })
    }

    /// Waits up to `within` for a queued request to be decided; the job as it is then.
    pub async fn settle(
        &self,
        job_id: i64,
        within: Duration,
    ) -> Result<Option<JobRecord>, OperationError> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let job = self.store.job(job_id).await?;
            let finished = job
                .as_ref()
                .is_none_or(|j| matches!(j.state, JobState::Done | JobState::Dead));
            if finished || tokio::time::Instant::now() >= deadline {
                return Ok(job);
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

/// The order `reference` names in `shop` (see [`Operations::find`]).
pub async fn find_order(
    store: &Store,
    shop: &ShopId,
    reference: &str,
) -> Result<TrackedOrder, OperationError> {
    let reference = reference.trim();
    let not_found = || OperationError::NoOrder {
        shop: shop.clone(),
        reference: reference.to_owned(),
    };
    if reference.is_empty() {
        return Err(not_found());
    }
    let by_id = OrderKey::of(shop, &PlatformOrderId::new(reference));
    if let Some(order) = store.order(&by_id).await? {
        return Ok(order);
    }
    let page = store
        .search_orders(&OrderQuery {
            text: Some(reference.to_owned()),
            shop_id: Some(shop.clone()),
            limit: 20,
            ..OrderQuery::default()
        })
        .await?;
    let bare = reference.trim_start_matches('#');
    page.orders
        .into_iter()
        .find(|order| order.order().order_ref.trim_start_matches('#') == bare)
        .ok_or_else(not_found)
}

/// A correction as a person sends it (JSON to the admin API, a form in the console): every
/// field optional, as text; [`CorrectionInput::parse`] checks each one.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectionInput {
    /// One of ShaQ's regions (`Ashanti`, `Greater Accra`…).
    #[schema(example = "Ashanti")]
    pub region: Option<String>,
    /// Street and house.
    pub line1: Option<String>,
    /// Second address line; an empty string clears it.
    pub line2: Option<String>,
    /// City or town.
    pub city: Option<String>,
    /// The customer's mobile number, in any usual format (`024 412 3456`, `+233…`).
    #[schema(example = "024 412 3456")]
    pub phone: Option<String>,
    /// What the courier collects, as a decimal string or number (`0`: nothing).
    #[schema(value_type = Option<String>, example = "150.00")]
    pub amount_to_collect: Option<serde_json::Value>,
}

/// A field of a correction that cannot be used, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    /// The field.
    pub field: &'static str,
    /// Why.
    pub message: String,
}

const MAX_LINE: usize = 200;

impl CorrectionInput {
    /// The correction, or the first field that cannot be used. A local phone number is read in
    /// `phone_country` (the order's country).
    pub fn parse(&self, phone_country: &str) -> Result<Correction, FieldProblem> {
        let problem = |field: &'static str, message: String| FieldProblem { field, message };
        let text = |field: &'static str,
                    value: &Option<String>,
                    required: bool|
         -> Result<Option<String>, FieldProblem> {
            let Some(raw) = value else { return Ok(None) };
            let cleaned = clean_text(raw);
            if required && cleaned.is_empty() {
                return Err(problem(field, "must not be empty".to_owned()));
            }
            if cleaned.chars().count() > MAX_LINE {
                return Err(problem(field, format!("at most {MAX_LINE} characters")));
            }
            Ok(Some(cleaned))
        };
        let region = match self.region.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(name) => Some(ChosenRegion::parse(name).ok_or_else(|| {
                problem(
                    "region",
                    format!(
                        "`{name}` is not one of ShaQ's regions ({})",
                        GHANA_REGIONS.join(", ")
                    ),
                )
            })?),
        };
        let phone = match self.phone.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => Some(
                PhoneE164::parse(raw, Some(phone_country))
                    .map_err(|e| problem("phone", e.to_string()))?,
            ),
        };
        let amount_to_collect = match &self.amount_to_collect {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(s)) if s.trim().is_empty() => None,
            Some(value) => {
                let amount = parse_amount(value).ok_or_else(|| {
                    problem("amount_to_collect", "must be a decimal number".to_owned())
                })?;
                if amount.is_sign_negative() || amount.scale() > 2 {
                    return Err(problem(
                        "amount_to_collect",
                        "must be zero or more, with at most two decimals".to_owned(),
                    ));
                }
                // Written with two decimals, as money is (`150.5` → `150.50`).
                let mut amount = amount;
                amount.rescale(2);
                Some(amount)
            }
        };
        let correction = Correction {
            region,
            line1: text("line1", &self.line1, true)?,
            line2: text("line2", &self.line2, false)?,
            city: text("city", &self.city, true)?,
            phone,
            amount_to_collect,
        };
        if correction.is_empty() {
            return Err(problem(
                "region",
                "nothing to correct: give at least one of region, line1, line2, city, phone, \
                 amount_to_collect"
                    .to_owned(),
            ));
        }
        Ok(correction)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_field_is_checked_and_named() {
        let input = |json: serde_json::Value| -> CorrectionInput {
            serde_json::from_value(json).expect("shape")
        };
        let ok = input(serde_json::json!({
            "region": "ashanti", "city": " Kumasi ", "phone": "024 412 3456",
            "amount_to_collect": "150.5"
        }))
        .parse("GH")
        .expect("valid");
        assert_eq!(ok.region, ChosenRegion::parse("Ashanti"));
        assert_eq!(ok.city.as_deref(), Some("Kumasi"));
        assert_eq!(
            ok.phone.map(|p| p.expose().to_owned()).as_deref(),
            Some("+233244123456")
        );
        assert_eq!(
            ok.amount_to_collect.map(|a| a.to_string()).as_deref(),
            Some("150.50")
        );

        for (json, field) in [
            (serde_json::json!({ "region": "Atlantis" }), "region"),
            (serde_json::json!({ "phone": "0302 123456" }), "phone"),
            (
                serde_json::json!({ "amount_to_collect": "-3" }),
                "amount_to_collect",
            ),
            (
                serde_json::json!({ "amount_to_collect": "1.005" }),
                "amount_to_collect",
            ),
            (serde_json::json!({ "city": "   " }), "city"),
            (serde_json::json!({}), "region"),
        ] {
            assert_eq!(
                input(json.clone()).parse("GH").map_err(|p| p.field),
                Err(field),
                "{json}"
            );
        }
        assert!(
            serde_json::from_value::<CorrectionInput>(serde_json::json!({ "zip": "1" })).is_err()
        );
    }
}
