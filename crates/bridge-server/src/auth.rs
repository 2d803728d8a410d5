//! The admin bearer token, checked by an extractor so admin handlers read like their rule.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use secrecy::ExposeSecret;
use subtle::ConstantTimeEq;

use bridge_core::workflow::operator::Operator;

use crate::error::ApiError;
use crate::state::AppState;

/// Proof that the request carried the configured admin token, and who acts with it: `admin`,
/// or the name an `X-Operator` header gives (letters, digits, spaces, `.-_@`) for the order's
/// timeline.
pub struct Admin {
    /// Who acts.
    pub actor: Operator,
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Some(expected) = &state.settings.server.admin_token else {
            return Err(ApiError::Unavailable(
                "the admin API is disabled: set server.admin_token".to_owned(),
            ));
        };
        let presented = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| ApiError::Unauthorized("missing bearer token".to_owned()))?;
        if bool::from(
            presented
                .as_bytes()
                .ct_eq(expected.expose_secret().as_bytes()),
        ) {
            Ok(Admin {
                actor: actor_of(&parts.headers),
            })
        } else {
            Err(ApiError::Unauthorized("wrong bearer token".to_owned()))
        }
    }
}

/// The person named by `X-Operator`, else `admin`.
fn actor_of(headers: &axum::http::HeaderMap) -> Operator {
    headers
        .get("x-operator")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|name| {
            !name.is_empty()
                && name.len() <= 64
                && name
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '.' | '-' | '_' | '@'))
        })
        .map_or_else(|| Operator::new("admin"), Operator::new)
}
