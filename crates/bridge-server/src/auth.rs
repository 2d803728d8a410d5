//! Who calls the admin API: the bearer token names them (`server.admin_token`: `admin`, role
//! `admin`; `[[server.api_tokens]]`: each its own name and role), checked by an extractor so
//! handlers read like their rule. What they do is recorded under that name — never a name the
//! request itself claims. The tokens and the throttle on wrong ones are
//! [`crate::api_credentials`].

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use bridge_core::workflow::operator::Operator;

use crate::configuration::Role;
use crate::error::ApiError;
use crate::state::AppState;

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
        let (name, role) = state.api_credentials.holder_of(parts)?;
        Ok(ApiUser {
            actor: Operator::new(&name),
            role,
        })
    }
}
