//! The tokens the admin API takes (`server.admin_token`, `[[server.api_tokens]]`) and the
//! throttle on wrong ones: per client address, like console sign-ins, since the same secret
//! signs in there. Held by the application state; read by [`crate::auth`]'s extractor.

use std::net::IpAddr;
use std::num::NonZeroU32;

use axum::http::header;
use axum::http::request::Parts;
use governor::clock::DefaultClock;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use secrecy::ExposeSecret;
use subtle::ConstantTimeEq;

use crate::configuration::{Role, Settings};
use crate::error::ApiError;

/// Wrong tokens one address may present per minute before it is answered 429.
const WRONG_TOKENS_PER_MINUTE: u32 = 10;

/// The tokens the admin API takes, and the throttle on wrong ones.
pub struct ApiCredentials {
    tokens: Vec<(String, String, Role)>,
    throttle: RateLimiter<IpAddr, DefaultKeyedStateStore<IpAddr>, DefaultClock>,
    proxy_header: Option<String>,
}

impl ApiCredentials {
    /// The credentials of these settings.
    pub fn from_settings(settings: &Settings) -> ApiCredentials {
        let mut tokens: Vec<(String, String, Role)> = settings
            .server
            .admin_token
            .iter()
            .map(|t| {
                (
                    "admin".to_owned(),
                    t.expose_secret().to_owned(),
                    Role::Admin,
                )
            })
            .collect();
        tokens.extend(
            settings
                .server
                .api_tokens
                .iter()
                .map(|t| (t.name.clone(), t.token.expose_secret().to_owned(), t.role)),
        );
        let per_minute = NonZeroU32::new(WRONG_TOKENS_PER_MINUTE).unwrap_or(NonZeroU32::MIN);
        ApiCredentials {
            tokens,
            throttle: RateLimiter::keyed(Quota::per_minute(per_minute)),
            proxy_header: settings
                .server
                .webhook_rate_limit
                .trusted_proxy_header
                .clone(),
        }
    }

    /// The name and role of a presented token (compared in constant time with each).
    fn holder(&self, presented: &str) -> Option<(&str, Role)> {
        let mut found = None;
        for (name, token, role) in &self.tokens {
            if bool::from(presented.as_bytes().ct_eq(token.as_bytes())) {
                found = Some((name.as_str(), *role));
            }
        }
        found
    }

    /// The name and role of the request's bearer token: 503 when the API has no token, 401 for
    /// a missing or wrong one, 429 once its address has presented too many wrong ones.
    pub fn holder_of(&self, parts: &Parts) -> Result<(String, Role), ApiError> {
        let credentials = self;
        if credentials.tokens.is_empty() {
            return Err(ApiError::Unavailable(
                "the admin API is disabled: set server.admin_token or server.api_tokens".to_owned(),
            ));
        }
        let address = crate::client_address::client_address(
            &parts.headers,
            &parts.extensions,
            credentials.proxy_header.as_deref(),
        );
        let refuse = |message: &str| match address {
            Some(address) if credentials.throttle.check_key(&address).is_err() => {
                tracing::warn!(client = %address, "too many wrong admin API tokens");
                ApiError::RateLimited {
                    retry_after_secs: 60,
                }
            }
            _ => ApiError::Unauthorized(message.to_owned()),
        };
        let presented = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| refuse("missing bearer token"))?;
        let (name, role) = credentials
            .holder(presented)
            .ok_or_else(|| refuse("wrong bearer token"))?;
        Ok((name.to_owned(), role))
    }
}
