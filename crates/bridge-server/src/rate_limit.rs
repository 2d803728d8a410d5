//! Per-source rate limiting of the webhook endpoints: a flood from one shop (or a forger
//! hammering one URL) is answered 429 with `Retry-After`, and the other sources are untouched.

use std::collections::HashSet;
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

/// `[server.webhook_rate_limit]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitSettings {
    /// Off switch.
    pub enabled: bool,
    /// Sustained requests per second per source.
    pub per_second: u32,
    /// Requests a source may send at once above the sustained rate.
    pub burst: u32,
}

impl RateLimitSettings {
    /// Checks the values, naming the key that is wrong.
    pub fn validate(&self) -> Result<(), String> {
        if self.enabled && (self.per_second == 0 || self.burst == 0) {
            return Err(
                "server.webhook_rate_limit.per_second and burst must be at least 1".to_owned(),
            );
        }
        Ok(())
    }
}

type KeyedLimiter = RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock>;

/// The limiter shared by the webhook routes.
#[derive(Clone)]
pub struct WebhookRateLimiter {
    limiter: Option<Arc<KeyedLimiter>>,
    known_shops: Arc<HashSet<String>>,
    clock: DefaultClock,
}

impl WebhookRateLimiter {
    /// A limiter for the configured shops (unknown shop ids share one key, so random ids cannot
    /// grow the table).
    pub fn new(settings: &RateLimitSettings, shop_ids: impl IntoIterator<Item = String>) -> Self {
        let limiter = settings.enabled.then(|| {
            let per_second = NonZeroU32::new(settings.per_second).unwrap_or(NonZeroU32::MIN);
            let burst = NonZeroU32::new(settings.burst).unwrap_or(NonZeroU32::MIN);
            Arc::new(RateLimiter::keyed(
                Quota::per_second(per_second).allow_burst(burst),
            ))
        });
        WebhookRateLimiter {
            limiter,
            known_shops: Arc::new(shop_ids.into_iter().collect()),
            clock: DefaultClock::default(),
        }
    }

    fn source_of(&self, path: &str) -> String {
        let mut segments = path.trim_start_matches('/').split('/');
        match (segments.next(), segments.next(), segments.next()) {
            (Some("webhooks"), Some("shops"), Some(shop)) if self.known_shops.contains(shop) => {
                format!("shop:{shop}")
            }
            (Some("webhooks"), Some("shops"), _) => "shop:unknown".to_owned(),
            (Some("webhooks"), Some(source), _) => source.to_owned(),
            _ => "other".to_owned(),
        }
    }
}

/// The middleware: 429 with `Retry-After` once a source exceeds its quota.
pub async fn limit(
    State(limiter): State<WebhookRateLimiter>,
    request: Request,
    next: Next,
) -> Response {
    if let Some(inner) = &limiter.limiter {
        let source = limiter.source_of(request.uri().path());
        if let Err(not_until) = inner.check_key(&source) {
            let wait = not_until.wait_time_from(limiter.clock.now());
            tracing::warn!(source = %source, "webhook rate limit exceeded");
            return ApiError::RateLimited {
                retry_after_secs: wait.as_secs().max(1),
            }
            .into_response();
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_keyed_by_configured_shop() {
        let limiter = WebhookRateLimiter::new(
            &RateLimitSettings {
                enabled: true,
                per_second: 1,
                burst: 1,
            },
            ["kente".to_owned()],
        );
        assert_eq!(limiter.source_of("/webhooks/shops/kente"), "shop:kente");
        assert_eq!(
            limiter.source_of("/webhooks/shops/random123"),
            "shop:unknown"
        );
        assert_eq!(limiter.source_of("/webhooks/shaq/s3cret"), "shaq");
        assert_eq!(limiter.source_of("/webhooks/digishare"), "digishare");
    }

    #[test]
    fn a_source_over_its_quota_is_refused_while_others_pass() {
        let limiter = WebhookRateLimiter::new(
            &RateLimitSettings {
                enabled: true,
                per_second: 1,
                burst: 2,
            },
            ["kente".to_owned(), "atlas".to_owned()],
        );
        let inner = limiter.limiter.clone().expect("enabled");
        let kente = "shop:kente".to_owned();
        assert!(inner.check_key(&kente).is_ok());
        assert!(inner.check_key(&kente).is_ok());
        assert!(inner.check_key(&kente).is_err(), "burst of 2 used up");
        assert!(inner.check_key(&"shop:atlas".to_owned()).is_ok());
    }
}
