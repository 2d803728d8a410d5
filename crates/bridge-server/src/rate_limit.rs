//! Rate limiting of the webhook endpoints, in two parts, so that nobody can spend a real
//! sender's budget:
//!
//! - **per source, after authentication**: a shop, ShaQ or Digishare sending more than its quota
//!   gets 429 with `Retry-After`; only requests whose signature or secret checked out count;
//! - **per client address, for refusals**: an address whose requests keep being refused (bad
//!   signature, unknown shop, malformed body) is answered 429 before any work is done. Behind a
//!   reverse proxy, `trusted_proxy_header` names the header carrying the client's address.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::configuration::RateLimitSettings;
use crate::error::ApiError;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

type KeyedLimiter<K> = RateLimiter<K, DefaultKeyedStateStore<K>, DefaultClock>;

/// The limiters shared by the webhook routes.
#[derive(Clone)]
pub struct WebhookRateLimiter {
    sources: Option<Arc<KeyedLimiter<String>>>,
    refusals: Option<Arc<KeyedLimiter<IpAddr>>>,
    known_shops: Arc<HashSet<String>>,
    proxy_header: Option<String>,
    clock: DefaultClock,
    checks: Arc<AtomicU64>,
    /// Addresses over their refusal budget, and until when.
    blocked: Arc<Mutex<HashMap<IpAddr, Instant>>>,
}

impl WebhookRateLimiter {
    /// Limiters for the configured shops (unknown shop ids share one key, so random ids cannot
    /// grow the table).
    pub fn new(settings: &RateLimitSettings, shop_ids: impl IntoIterator<Item = String>) -> Self {
        let sources = settings.enabled.then(|| {
            let per_second = NonZeroU32::new(settings.per_second).unwrap_or(NonZeroU32::MIN);
            let burst = NonZeroU32::new(settings.burst).unwrap_or(NonZeroU32::MIN);
            Arc::new(RateLimiter::keyed(
                Quota::per_second(per_second).allow_burst(burst),
            ))
        });
        let refusals = settings.enabled.then(|| {
            let per_minute =
                NonZeroU32::new(settings.refusals_per_minute).unwrap_or(NonZeroU32::MIN);
            Arc::new(RateLimiter::keyed(Quota::per_minute(per_minute)))
        });
        WebhookRateLimiter {
            sources,
            refusals,
            known_shops: Arc::new(shop_ids.into_iter().collect()),
            proxy_header: settings.trusted_proxy_header.clone(),
            clock: DefaultClock::default(),
            checks: Arc::default(),
            blocked: Arc::default(),
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

    /// Counts an authenticated request of `path`'s source: `Err` once the source is over its
    /// quota (the request is refused before it is stored).
    pub fn admit(&self, path: &str) -> Result<(), ApiError> {
        let Some(sources) = &self.sources else {
            return Ok(());
        };
        let source = self.source_of(path);
        sources.check_key(&source).map_err(|not_until| {
            tracing::warn!(source = %source, "webhook rate limit exceeded");
            ApiError::RateLimited {
                retry_after_secs: not_until.wait_time_from(self.clock.now()).as_secs().max(1),
            }
        })
    }

    fn client_address(&self, request: &Request) -> Option<IpAddr> {
        crate::client_address::client_address(
            request.headers(),
            request.extensions(),
            self.proxy_header.as_deref(),
        )
    }

    /// How long `address` is still refused, if it is.
    fn blocked_for(&self, address: IpAddr) -> Option<Duration> {
        let blocked = self.blocked.lock().unwrap_or_else(|e| e.into_inner());
        blocked
            .get(&address)
            .and_then(|until| until.checked_duration_since(Instant::now()))
    }

    /// Spends one refusal of `address`; over budget, the address is refused for the wait.
    fn refused(&self, address: IpAddr) {
        let Some(refusals) = &self.refusals else {
            return;
        };
        if let Err(not_until) = refusals.check_key(&address) {
            let wait = not_until.wait_time_from(self.clock.now());
            tracing::warn!(address = %address, "too many refused webhooks from one address");
            self.blocked
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(address, Instant::now() + wait);
        }
    }

    /// Forgets addresses not seen for a while, now and then, so a scan of many addresses
    /// cannot grow the tables without bound.
    fn tidy(&self) {
        if !self
            .checks
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(1024)
        {
            return;
        }
        if let Some(refusals) = &self.refusals {
            refusals.retain_recent();
            refusals.shrink_to_fit();
        }
        let now = Instant::now();
        self.blocked
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, until| *until > now);
    }
}

/// The middleware: an address whose requests keep being refused is answered 429 before any
/// work; each refusal (401, 404, 400, 413, 415, 422) spends from its address's budget.
pub async fn limit(
    State(limiter): State<WebhookRateLimiter>,
    request: Request,
    next: Next,
) -> Response {
    if limiter.refusals.is_none() {
        return next.run(request).await;
    }
    limiter.tidy();
    let address = limiter.client_address(&request);
    if let Some(wait) = address.and_then(|a| limiter.blocked_for(a)) {
        return ApiError::RateLimited {
            retry_after_secs: wait.as_secs().max(1),
        }
        .into_response();
    }
    let response = next.run(request).await;
    let refused = matches!(
        response.status().as_u16(),
        400 | 401 | 404 | 413 | 415 | 422
    );
    if refused && let Some(address) = address {
        limiter.refused(address);
    }
    response
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
                refusals_per_minute: 1,
                trusted_proxy_header: None,
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
                refusals_per_minute: 2,
                trusted_proxy_header: None,
            },
            ["kente".to_owned(), "atlas".to_owned()],
        );
        assert!(limiter.admit("/webhooks/shops/kente").is_ok());
        assert!(limiter.admit("/webhooks/shops/kente").is_ok());
        assert!(
            limiter.admit("/webhooks/shops/kente").is_err(),
            "burst of 2 used up"
        );
        assert!(limiter.admit("/webhooks/shops/atlas").is_ok());
        let forger: IpAddr = "203.0.113.9".parse().expect("an address");
        let shopify: IpAddr = "198.51.100.4".parse().expect("an address");
        limiter.refused(forger);
        limiter.refused(forger);
        assert!(
            limiter.blocked_for(forger).is_none(),
            "two refusals allowed"
        );
        limiter.refused(forger);
        assert!(limiter.blocked_for(forger).is_some(), "the third blocks it");
        assert!(
            limiter.blocked_for(shopify).is_none(),
            "others are untouched"
        );
    }
}
