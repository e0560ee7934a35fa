//! The integrations service's routes, each module beside its handlers, and
//! the signed-in user every `/api` route and the callback need.

pub mod callback;
pub mod connectors;
pub mod items;
pub mod tasks;

use axum::extract::FromRequestParts;
use http::request::Parts;

use crate::AppState;
use crate::domain::UserId;
use crate::error::ApiError;

/// The user an access token (verified again here) names.
#[derive(Debug, Clone, Copy)]
pub struct CurrentUser(pub UserId);

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = platform::secrets::bearer(&parts.headers).ok_or(ApiError::Unauthorized)?;
        let claims = state.verifier.verify(token).await.map_err(|e| {
            tracing::info!(reason = %e, "access token refused");
            ApiError::Unauthorized
        })?;
        UserId::parse(&claims.sub)
            .map(Self)
            .map_err(|_| ApiError::Unauthorized)
    }
}
