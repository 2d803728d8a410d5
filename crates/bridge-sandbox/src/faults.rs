//! Fault injection for any simulator: errors, rate limits, latency, hangs (before or after the
//! request is applied) and dropped connections, at configured rates, deterministic under a seed.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

/// What to inject, as probabilities per request (their sum should stay ≤ 1).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultPlan {
    /// Answer 500/502/503 without doing anything.
    pub server_error: f64,
    /// Answer 429 with `Retry-After: 1`.
    pub rate_limited: f64,
    /// Apply the request, then hang past the client's timeout (the answer is lost: the hard
    /// case for idempotency).
    pub hang_after_apply: f64,
    /// Hang before doing anything.
    pub hang_before_apply: f64,
    /// Apply the request, then drop the connection mid-answer (the client sees a broken
    /// connection, not a status).
    pub drop_connection: f64,
    /// Added latency on every request.
    #[serde(with = "millis")]
    pub latency: Duration,
    /// How long a hang lasts.
    #[serde(with = "millis")]
    pub hang: Duration,
    /// Only requests whose path starts with one of these (empty: all, except `/_sandbox`).
    pub paths: Vec<String>,
    /// Seed of the random choices.
    pub seed: u64,
}

mod millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_millis() as u64)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        Ok(Duration::from_millis(u64::deserialize(d)?))
    }
}

/// Counts of what was injected.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FaultCounts {
    /// Requests seen.
    pub requests: u64,
    /// 5xx answers.
    pub server_errors: u64,
    /// 429 answers.
    pub rate_limited: u64,
    /// Hangs after applying.
    pub hangs_after_apply: u64,
    /// Hangs before applying.
    pub hangs_before_apply: u64,
    /// Connections dropped after applying.
    pub dropped_connections: u64,
}

#[derive(Debug)]
struct Inner {
    plan: FaultPlan,
    rng: StdRng,
    counts: FaultCounts,
}

/// The injector shared by a simulator's routes.
#[derive(Debug, Clone)]
pub struct Faults(Arc<Mutex<Inner>>);

impl Default for Faults {
    fn default() -> Self {
        Faults::new(FaultPlan::default())
    }
}

enum Fault {
    None,
    ServerError(StatusCode),
    RateLimited,
    HangBefore,
    HangAfter,
    Drop,
}

impl Faults {
    /// An injector following `plan`.
    pub fn new(plan: FaultPlan) -> Self {
        let rng = StdRng::seed_from_u64(plan.seed);
        Faults(Arc::new(Mutex::new(Inner {
            plan,
            rng,
            counts: FaultCounts::default(),
        })))
    }

    /// Replaces the plan (and reseeds).
    pub fn set_plan(&self, plan: FaultPlan) {
        let mut inner = self.0.lock().unwrap_or_else(|e| e.into_inner());
        inner.rng = StdRng::seed_from_u64(plan.seed);
        inner.plan = plan;
    }

    /// What was injected so far.
    pub fn counts(&self) -> FaultCounts {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .counts
            .clone()
    }

    fn draw(&self, path: &str) -> (Fault, Duration, Duration) {
        let mut inner = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let plan = inner.plan.clone();
        let applies = !path.starts_with("/_sandbox")
            && (plan.paths.is_empty() || plan.paths.iter().any(|p| path.starts_with(p)));
        if !applies {
            return (Fault::None, Duration::ZERO, plan.hang);
        }
        inner.counts.requests += 1;
        let roll: f64 = inner.rng.random();
        let mut edge = plan.server_error;
        let fault = if roll < edge {
            inner.counts.server_errors += 1;
            let code = [500, 502, 503][inner.rng.random_range(0..3)];
            Fault::ServerError(
                StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            )
        } else if roll < {
            edge += plan.rate_limited;
            edge
        } {
            inner.counts.rate_limited += 1;
            Fault::RateLimited
        } else if roll < {
            edge += plan.hang_after_apply;
            edge
        } {
            inner.counts.hangs_after_apply += 1;
            Fault::HangAfter
        } else if roll < {
            edge += plan.hang_before_apply;
            edge
        } {
            inner.counts.hangs_before_apply += 1;
            Fault::HangBefore
        } else if roll < {
            edge += plan.drop_connection;
            edge
        } {
            inner.counts.dropped_connections += 1;
            Fault::Drop
        } else {
            Fault::None
        };
        (fault, plan.latency, plan.hang)
    }
}

/// The middleware.
pub async fn inject(State(faults): State<Faults>, request: Request, next: Next) -> Response {
    let (fault, latency, hang) = faults.draw(request.uri().path());
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match fault {
        Fault::None => next.run(request).await,
        Fault::ServerError(code) => (code, "injected failure").into_response(),
        Fault::RateLimited => {
            let mut response = (StatusCode::TOO_MANY_REQUESTS, "slow down").into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            response
        }
        Fault::HangBefore => {
            tokio::time::sleep(hang).await;
            (StatusCode::GATEWAY_TIMEOUT, "hung").into_response()
        }
        Fault::HangAfter => {
            let response = next.run(request).await;
            tokio::time::sleep(hang).await;
            response
        }
        Fault::Drop => {
            let response = next.run(request).await;
            // A body that fails after the headers makes the server abort the connection.
            let broken = futures::stream::once(async {
                Err::<axum::body::Bytes, std::io::Error>(std::io::Error::other(
                    "dropped by the sandbox",
                ))
            });
            let (mut parts, _) = response.into_parts();
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, axum::body::Body::from_stream(broken))
        }
    }
}
