//! A bearer token shared by every caller of one upstream.

use std::future::Future;
use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Mutex;

use crate::Unauthorized;

struct Cached {
    value: SecretString,
    /// When the token is fetched again before use (`None`: only once refused).
    renew_at: Option<Instant>,
}

/// A fetched token and how long the issuer says it lives (Shopify's client credentials grant
/// answers `expires_in`; other logins say nothing and are trusted for the cache's `max_age`).
#[derive(Debug, Clone)]
pub struct Lease {
    /// The token.
    pub value: SecretString,
    /// Its lifetime from now, when the issuer gives one.
    pub lifetime: Option<Duration>,
}

impl From<SecretString> for Lease {
    fn from(value: SecretString) -> Self {
        Lease {
            value,
            lifetime: None,
        }
    }
}

/// How long before a leased token's end it is renewed: a tenth of its life, at most five
/// minutes (a day-long Shopify token is renewed 5 minutes early; a clock skew or a slow call
/// never meets an expired token).
fn renew_margin(lifetime: Duration) -> Duration {
    (lifetime / 10).min(Duration::from_secs(300))
}

/// Holds one token. The first caller fetches it while the others wait on the same fetch (50
/// concurrent calls make one login); a token older than `max_age`, or near the end of the
/// lifetime its issuer gave ([`Lease`]), is fetched again; after a 401 the token that was
/// refused is dropped and fetched again once.
pub struct TokenCache {
    slot: Mutex<Option<Cached>>,
    max_age: Option<Duration>,
}

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenCache")
            .field("max_age", &self.max_age)
            .finish_non_exhaustive()
    }
}

impl TokenCache {
    /// A cache whose tokens are trusted for `max_age` (`None`: until refused).
    pub fn new(max_age: Option<Duration>) -> Self {
        TokenCache {
            slot: Mutex::new(None),
            max_age,
        }
    }

    /// The cached token, or a fresh one from `fetch`.
    pub async fn get<E, L, Fut>(&self, fetch: impl FnOnce() -> Fut) -> Result<SecretString, E>
    where
        L: Into<Lease>,
        Fut: Future<Output = Result<L, E>>,
    {
        let mut slot = self.slot.lock().await;
        if let Some(cached) = slot.as_ref()
            && cached.renew_at.is_none_or(|at| Instant::now() < at)
        {
            return Ok(cached.value.clone());
        }
        let lease: Lease = fetch().await?.into();
        let obtained = Instant::now();
        let by_age = self.max_age.map(|max| obtained + max);
        let by_lifetime = lease
            .lifetime
            .map(|life| obtained + life.saturating_sub(renew_margin(life)));
        let renew_at = match (by_age, by_lifetime) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        *slot = Some(Cached {
            value: lease.value.clone(),
            renew_at,
        });
        Ok(lease.value)
    }

    /// Drops `used` if it is still the cached token (another caller may have replaced it).
    pub async fn forget(&self, used: &SecretString) {
        let mut slot = self.slot.lock().await;
        if slot
            .as_ref()
            .is_some_and(|cached| cached.value.expose_secret() == used.expose_secret())
        {
            *slot = None;
        }
    }

    /// Runs `call` with the token; if it answers 401, fetches a new token once and runs it again.
    pub async fn authorized<T, E, L, Fetch, FetchFut, Call, CallFut>(
        &self,
        fetch: Fetch,
        call: Call,
    ) -> Result<T, E>
    where
        E: Unauthorized,
        L: Into<Lease>,
        Fetch: Fn() -> FetchFut,
        FetchFut: Future<Output = Result<L, E>>,
        Call: Fn(SecretString) -> CallFut,
        CallFut: Future<Output = Result<T, E>>,
    {
        let token = self.get(&fetch).await?;
        match call(token.clone()).await {
            Err(error) if error.is_unauthorized() => {
                self.forget(&token).await;
                let token = self.get(&fetch).await?;
                call(token).await
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[derive(Debug, PartialEq)]
    struct Refused(bool);

    impl Unauthorized for Refused {
        fn is_unauthorized(&self) -> bool {
            self.0
        }
    }

    #[tokio::test]
    async fn concurrent_callers_share_one_fetch_and_a_401_fetches_once_more() {
        let cache = Arc::new(TokenCache::new(None));
        let fetches = Arc::new(AtomicUsize::new(0));
        let fetch = {
            let fetches = fetches.clone();
            move || {
                let fetches = fetches.clone();
                async move {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    let n = fetches.fetch_add(1, Ordering::SeqCst) + 1;
                    Ok::<_, Refused>(SecretString::from(format!("token-{n}")))
                }
            }
        };
        let callers = (0..20).map(|_| {
            let cache = cache.clone();
            let fetch = fetch.clone();
            async move { cache.get(fetch).await }
        });
        for token in futures::future::join_all(callers).await {
            assert_eq!(token.expect("fetched").expose_secret(), "token-1");
        }
        let answer = cache
            .authorized(&fetch, |token| async move {
                if token.expose_secret() == "token-1" {
                    Err(Refused(true))
                } else {
                    Ok(token.expose_secret().to_owned())
                }
            })
            .await;
        assert_eq!(answer, Ok("token-2".to_owned()));
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn an_old_token_is_fetched_again() {
        let cache = TokenCache::new(Some(Duration::ZERO));
        let first = cache
            .get(|| async { Ok::<_, Refused>(SecretString::from("a")) })
            .await
            .expect("fetched");
        let second = cache
            .get(|| async { Ok::<_, Refused>(SecretString::from("b")) })
            .await
            .expect("fetched");
        assert_eq!((first.expose_secret(), second.expose_secret()), ("a", "b"));
    }

    #[tokio::test]
    async fn a_leased_token_is_renewed_before_its_issuer_says_it_ends() {
        let cache = TokenCache::new(None);
        let lease = |value: &'static str, seconds: u64| {
            move || async move {
                Ok::<_, Refused>(Lease {
                    value: SecretString::from(value),
                    lifetime: Some(Duration::from_secs(seconds)),
                })
            }
        };
        let first = cache.get(lease("day", 86_399)).await.expect("fetched");
        let still = cache.get(lease("other", 86_399)).await.expect("cached");
        assert_eq!(
            (first.expose_secret(), still.expose_secret()),
            ("day", "day")
        );
        assert_eq!(
            renew_margin(Duration::from_secs(86_399)),
            Duration::from_secs(300)
        );
        assert_eq!(
            renew_margin(Duration::from_secs(10)),
            Duration::from_secs(1)
        );

        let short = TokenCache::new(None);
        short.get(lease("short", 0)).await.expect("fetched");
        let renewed = short.get(lease("next", 0)).await.expect("fetched again");
        assert_eq!(renewed.expose_secret(), "next");
    }
}
