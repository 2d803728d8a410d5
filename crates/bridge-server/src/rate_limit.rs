//! Limits on the webhook endpoints, built so that nobody can make the bridge refuse a real
//! sender:
//!
//! - **signed senders are never refused for rate.** A shop, ShaQ or Digishare whose signature
//!   or secret checked out is always stored: durable intake takes thousands a second, and a
//!   refused courier update is lost for good after ShaQ's 3 retries. A source above
//!   `per_second`/`burst` is only counted (`bridge_webhook_over_rate_total`) and logged.
//!   Overload protection is the writer's bounded queue: when it is full, intake answers 503 and
//!   senders retry (Shopify 8 times over 4 hours, ShaQ 3 times; WooCommerce never, which is why
//!   the queue is large and only a stalled database fills it).
//! - **per client address, for refusals**: an address whose requests keep being refused (bad
//!   signature, unknown shop, malformed body) goes into a penalty box, where its *refusals* are
//!   answered 429 (with `Retry-After`) — but its requests are still checked, so a real sender
//!   sharing the address with forgers (behind one NAT, or a proxy without
//!   `trusted_proxy_header`) gets every signed webhook through. Bodies are capped, so checking a
//!   signature costs little. The client's address is `client_address.rs`'s.

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
    /// When each source was last logged above its rate.
    over_rate_logged: Arc<Mutex<HashMap<String, Instant>>>,
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
            over_rate_logged: Arc::default(),
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

    /// Counts a signed request of `path`'s source. Above the source's rate it is counted and
    /// logged (once a second at most per source), never refused.
    pub fn observe(&self, path: &str) {
        let Some(sources) = &self.sources else {
            return;
        };
        let source = self.source_of(path);
        if sources.check_key(&source).is_err() {
            metrics::counter!("bridge_webhook_over_rate_total", "source" => source.clone())
                .increment(1);
            let now = Instant::now();
            let mut logged = self
                .over_rate_logged
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            let due = logged
                .get(&source)
                .is_none_or(|at| now.duration_since(*at) >= Duration::from_secs(1));
            if due {
                tracing::warn!(source = %source, "a signed source is above its webhook rate: taken anyway");
                logged.insert(source, now);
            }
        }
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

/// The middleware: each refusal (401, 404, 400, 413, 415, 422) spends from its address's
/// budget; an address over it is in the penalty box, where its refusals are answered 429 —
/// its requests are still checked, and a signed one is taken.
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
    let penalised = address.and_then(|a| limiter.blocked_for(a));
    let response = next.run(request).await;
    let refused = matches!(
        response.status().as_u16(),
        400 | 401 | 404 | 413 | 415 | 422
    );
    if !refused {
        return response;
    }
    if let Some(address) = address {
        limiter.refused(address);
    }
    match penalised {
        Some(wait) => ApiError::RateLimited {
            retry_after_secs: wait.as_secs().max(1),
        }
        .into_response(),
        None => response,
    }
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
    fn signed_sources_are_observed_and_refusals_fill_the_penalty_box() {
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
        // Signed senders are only observed: over the burst, nothing is refused.
        for _ in 0..5 {
            limiter.observe("/webhooks/shops/kente");
        }
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
