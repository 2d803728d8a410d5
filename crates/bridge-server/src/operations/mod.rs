//! One way in: everything a person can do — correct an order, resume, replay, cancel, book a
//! return or an exchange, retry one or every dead job, hand the day's parcels over — goes
//! through [`Operations`], whichever door it came through. The console, the admin API and the
//! CLI parse their input into a typed request ([`OrderRequest`], a job id, a shop), call one
//! method here, and render the answer; none of them implements an action.
//!
//! An order request is checked against the order as it is (so a refusal comes back at once,
//! as a 409 naming the reason), then queued on the order as an `operator` job; the workflow
//! decides it in the order's turn and writes it on the timeline with the person's name. The
//! other actions are written on the timeline the same way, in the transaction that makes them.

pub mod correction;

use std::time::Duration;

use bridge_core::domain::{OrderKey, PlatformOrderId, ShopId};
use bridge_core::jobs::{JobRecord, JobState};
use bridge_core::store::{OrderQuery, Shipment, Store, StoreError};
use bridge_core::worker::JobWaker;
use bridge_core::workflow::operator::{
    self, Operator, OperatorAction, OperatorRequest, Refusal, check,
};
use bridge_core::workflow::returns::AfterSale;
use bridge_core::workflow::{Rules, TrackedOrder};
use chrono::Utc;

pub use correction::{CorrectionInput, FieldProblem, ProblemKind};

/// Why a person's request was not done.
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
    /// A field of the request cannot be used.
    #[error("{}: {}", .0.field, .0.message)]
    Invalid(FieldProblem),
    /// A correction that changes nothing, without a resume.
    #[error(
        "nothing to correct: give at least one of region, line1, line2, city, phone, \
         amount_to_collect"
    )]
    NothingToCorrect,
    /// The order, as it is, does not allow it.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// Nothing to replay.
    #[error("the bridge holds no webhook about this order")]
    NothingToReplay,
    /// No dead job with this id.
    #[error("job {0} does not exist or is not dead")]
    NoDeadJob(i64),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a person asks of one order.
#[derive(Debug, Clone)]
pub enum OrderRequest {
    /// Correct the delivery details (fields as typed, checked here against the order's
    /// country), then resume it when `then_resume`.
    Correct {
        /// The fields to change.
        changes: CorrectionInput,
        /// Resume the order once corrected (the console's *Save and resume*).
        then_resume: bool,
    },
    /// Start a waiting order's first steps again.
    Resume,
    /// Run one of the order's webhooks through the workflow again (`None`: its last).
    Replay {
        /// An inbound event of this order.
        event_id: Option<i64>,
    },
    /// Cancel the order at ShaQ, Digishare and the shop.
    Cancel,
    /// After delivery: a return, a replacement or an exchange.
    AfterSale(AfterSale),
}

/// What became of an order request.
#[derive(Debug, Clone)]
pub struct Decided {
    /// The order.
    pub order_key: OrderKey,
    /// The (last) operator job that carries the request.
    pub job_id: i64,
    /// `Done` once decided; `Queued` or `Running` while the order's earlier jobs still run.
    pub job_state: JobState,
    /// The order's last timeline line (what the workflow decided).
    pub decided: Option<String>,
    /// The order as it is now.
    pub order: Option<TrackedOrder>,
}

impl Decided {
    /// Whether the workflow has not decided it yet (the order's earlier jobs still run).
    pub fn is_pending(&self) -> bool {
        matches!(self.job_state, JobState::Queued | JobState::Running)
    }
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

impl Operations<'_> {
    /// The order `reference` names in `shop`: its platform id (`5123456789`), or the name
    /// merchant and customer use (`#1047`, with or without `#`).
    pub async fn find(
        &self,
        shop: &ShopId,
        reference: &str,
    ) -> Result<TrackedOrder, OperationError> {
        find_order(self.store, shop, reference).await
    }

    /// Checks `request` against the order `reference` names in `shop`, queues it, and waits
    /// up to `wait` for the workflow to decide it.
    pub async fn request(
        &self,
        shop: &ShopId,
        reference: &str,
        by: Operator,
        request: OrderRequest,
        wait: Duration,
    ) -> Result<Decided, OperationError> {
        let order = self.find(shop, reference).await?;
        self.request_on(&order, by, request, wait).await
    }

    /// [`Operations::request`] for an order already found.
    pub async fn request_on(
        &self,
        order: &TrackedOrder,
        by: Operator,
        request: OrderRequest,
        wait: Duration,
    ) -> Result<Decided, OperationError> {
        let actions = self.actions(order, request).await?;
        let job_id = self.submit_all(order, by, actions).await?;
        let job = self.settle(job_id, wait).await?;
        let key = order.key();
        let decided = self
            .store
            .timeline(&key)
            .await?
            .pop()
            .map(|line| line.entry.summary);
        Ok(Decided {
            order: self.store.order(&key).await?,
            order_key: key,
            job_id,
            job_state: job.map_or(JobState::Done, |j| j.state),
            decided,
        })
    }

    /// The workflow's actions a request stands for, each field parsed.
    async fn actions(
        &self,
        order: &TrackedOrder,
        request: OrderRequest,
    ) -> Result<Vec<OperatorAction>, OperationError> {
        Ok(match request {
            OrderRequest::Correct {
                changes,
                then_resume,
            } => {
                let mut actions = Vec::new();
                if !changes.is_empty() {
                    // A local phone number is read in the order's country.
                    let country = order
                        .order()
                        .address
                        .country_iso2
                        .as_ref()
                        .map_or("GH", |c| c.as_str());
                    let correction = changes.parse(country).map_err(OperationError::Invalid)?;
                    actions.push(OperatorAction::Correct(correction));
                }
                if then_resume {
                    actions.push(OperatorAction::Resume);
                }
                if actions.is_empty() {
                    return Err(OperationError::NothingToCorrect);
                }
                actions
            }
            OrderRequest::Resume => vec![OperatorAction::Resume],
            OrderRequest::Replay { event_id } => {
                vec![OperatorAction::Replay {
                    event_id: self.event_to_replay(order, event_id).await?,
                }]
            }
            OrderRequest::Cancel => vec![OperatorAction::Cancel],
            OrderRequest::AfterSale(after_sale) => vec![OperatorAction::AfterSale { after_sale }],
        })
    }

    /// Checks each action against the order as the ones before it leave it (a resume after a
    /// correction is checked against the corrected order), then queues them all, in order, in
    /// one transaction. Returns the last one's job id.
    async fn submit_all(
        &self,
        order: &TrackedOrder,
        by: Operator,
        actions: Vec<OperatorAction>,
    ) -> Result<i64, OperationError> {
        let policy = self
            .rules
            .shop(order.shop_id())
            .map_err(|_| OperationError::UnknownShop(order.shop_id().clone()))?;
        let now = Utc::now();
        let mut as_it_will_be = order.clone();
        let mut jobs = Vec::new();
        for action in actions {
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
            jobs.push(operator::request(order, request));
        }
        let queued = self.store.enqueue(&jobs, now).await?;
        if queued < jobs.len() as u64 {
            // Only a booking after delivery has a key two requests can share: the same return
            // asked twice at once, or again while the first is being booked.
            return Err(Refusal::AfterSaleBeingBooked.into());
        }
        self.wake();
        let last = jobs
            .last()
            .ok_or_else(|| StoreError::Corrupt("nothing was queued".to_owned()))?;
        let record = self
            .store
            .job_by_key(last.dedupe_key())
            .await?
            .ok_or_else(|| StoreError::Corrupt("a queued request vanished".to_owned()))?;
        Ok(record.id)
    }

    /// The webhook a replay runs again: the order's last (`None`), or one of its own.
    async fn event_to_replay(
        &self,
        order: &TrackedOrder,
        event_id: Option<i64>,
    ) -> Result<i64, OperationError> {
        match event_id {
            None | Some(0) => {
                let last = self.store.inbound_events_of(&order.key(), 1).await?;
                Ok(last.first().ok_or(OperationError::NothingToReplay)?.id)
            }
            Some(event_id) => {
                let event = self.store.inbound_event(event_id).await?;
                if event.and_then(|e| e.order_key) != Some(order.key()) {
                    return Err(OperationError::NothingToReplay);
                }
                Ok(event_id)
            }
        }
    }

    /// Waits up to `within` for a queued request to be decided; the job as it is then.
    async fn settle(
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

    /// Puts a dead job back in the queue, noted on its order's timeline with the person's name.
    pub async fn retry_job(&self, id: i64, by: &Operator) -> Result<JobRecord, OperationError> {
        let now = Utc::now();
        let job = self
            .store
            .revive_job(id, now, |job| {
                operator::job_retried(&job.order_key.order(), job.kind(), job.id, by, now)
            })
            .await?
            .ok_or(OperationError::NoDeadJob(id))?;
        tracing::info!(job_id = id, operator = %by, "dead job retried");
        self.wake();
        Ok(job)
    }

    /// Puts every dead job back in the queue, each noted on its order's timeline; how many.
    pub async fn retry_all_dead(&self, by: &Operator) -> Result<u64, OperationError> {
        let now = Utc::now();
        let revived = self
            .store
            .revive_dead_jobs(now, |job| {
                operator::job_retried(&job.order_key.order(), job.kind(), job.id, by, now)
            })
            .await?;
        tracing::info!(revived, operator = %by, "every dead job retried");
        self.wake();
        Ok(revived)
    }

    /// Gathers the packages of `shop` ready to hand over into one ShaQ shipment and queues it
    /// (`None`: nothing is ready). `by` names who asked, on the shipment and on each order's
    /// timeline once ShaQ has it.
    pub async fn hand_over(
        &self,
        shop: &ShopId,
        by: &Operator,
    ) -> Result<Option<Shipment>, OperationError> {
        if !self.rules.shops.contains_key(shop) {
            return Err(OperationError::UnknownShop(shop.clone()));
        }
        let shipment = self
            .store
            .gather_handover(shop, by.as_str(), None, Utc::now())
            .await?;
        if let Some(shipment) = &shipment {
            tracing::info!(shop = %shop, shipment = shipment.id, operator = %by, "handover gathered");
            self.wake();
        }
        Ok(shipment)
    }

    fn wake(&self) {
        if let Some(waker) = self.waker {
            waker.wake();
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
