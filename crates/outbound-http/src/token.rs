//! A bearer token shared by every caller of one upstream.

use std::future::Future;
use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Mutex;

use crate::Unauthorized;

struct Cached {
    value: SecretString,
    obtained: Instant,
}

/// Holds one token. The first caller fetches it while the others wait on the same fetch (50
/// concurrent calls make one login); a token older than `max_age` is fetched again; after a 401
/// the token that was refused is dropped and fetched again once.
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
    pub async fn get<E, Fut>(&self, fetch: impl FnOnce() -> Fut) -> Result<SecretString, E>
    where
        Fut: Future<Output = Result<SecretString, E>>,
    {
        let mut slot = self.slot.lock().await;
        if let Some(cached) = slot.as_ref()
            && self
                .max_age
                .is_none_or(|max| cached.obtained.elapsed() < max)
        {
            return Ok(cached.value.clone());
        }
        let value = fetch().await?;
        *slot = Some(Cached {
            value: value.clone(),
            obtained: Instant::now(),
        });
        Ok(value)
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
    pub async fn authorized<T, E, Fetch, FetchFut, Call, CallFut>(
        &self,
        fetch: Fetch,
        call: Call,
    ) -> Result<T, E>
    where
        E: Unauthorized,
        Fetch: Fn() -> FetchFut,
        FetchFut: Future<Output = Result<SecretString, E>>,
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
}
