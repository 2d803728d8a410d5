//! Who calls the admin API: the bearer token names them (`server.admin_token`: `admin`, role
//! `admin`; `[[server.api_tokens]]`: each its own name and role), checked by an extractor so
//! handlers read like their rule. What they do is recorded under that name — never a name the
//! request itself claims. Wrong tokens are throttled per client address like console sign-ins:
//! the same secret signs in there.

use std::net::IpAddr;
use std::num::NonZeroU32;

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use bridge_core::workflow::operator::Operator;
use governor::clock::DefaultClock;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use secrecy::ExposeSecret;
use subtle::ConstantTimeEq;

use crate::configuration::{Role, Settings};
use crate::error::ApiError;
use crate::state::AppState;

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
}

/// A caller of the admin API whose token checked out.
pub struct ApiUser {
    /// Who acts (the token's name).
    pub actor: Operator,
    /// What they may do.
    pub role: Role,
}

impl ApiUser {
    /// `Ok` when the caller's role is at least `needed` (403 otherwise).
    pub fn may(&self, needed: Role) -> Result<(), ApiError> {
        if self.role >= needed {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!(
                "the token `{}` has the role {}: this needs {}",
                self.actor,
                self.role.as_str(),
                needed.as_str()
            )))
        }
    }
}

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let credentials = &state.api_credentials;
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
        Ok(ApiUser {
            actor: Operator::new(name),
            role,
        })
    }
}
