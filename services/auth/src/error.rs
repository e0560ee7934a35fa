//! The auth service's errors, and the one place they become HTTP answers:
//! the domain's [`SessionError`] and [`SignInError`] are mapped here, and
//! nowhere else. Client errors say what was wrong in general terms;
//! internal causes are logged (never a token) and answered as a bare 500,
//! or a 503 when the database is out of reach.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use shared_types::ErrorBody;

use crate::sessions::SessionError;
use crate::signin::SignInError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A sign-in that cannot finish: unknown, reused or expired state, a
    /// refused code, an ID token that fails a check.
    #[error("sign-in failed: {0}")]
    SignIn(&'static str),
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    #[error("not signed in")]
    Unauthorized,
    #[error("not found")]
    NotFound,
    /// Google or profile did not answer as expected.
    #[error("upstream {0} failed")]
    Upstream(&'static str),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<SessionError> for ApiError {
    fn from(e: SessionError) -> Self {
        match e {
            SessionError::NotLive => Self::Unauthorized,
            SessionError::Store(e) => Self::Internal(e),
        }
    }
}

impl From<SignInError> for ApiError {
    fn from(e: SignInError) -> Self {
        match e {
            SignInError::Refused(why) => Self::SignIn(why),
            SignInError::NotConfigured => Self::NotFound,
            SignInError::InvalidEmail => Self::BadRequest("a valid email address is required"),
            SignInError::Upstream(name) => Self::Upstream(name),
            SignInError::Session(e) => e.into(),
            SignInError::Internal(e) => Self::Internal(e),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message) = match &self {
            Self::SignIn(why) => (
                StatusCode::BAD_REQUEST,
                "sign_in_failed",
                format!("Sign-in failed: {why}."),
            ),
            Self::BadRequest(why) => (
                StatusCode::BAD_REQUEST,
                "invalid_request",
                format!("{why}."),
            ),
            // The 401 every service gives.
            Self::Unauthorized => {
                return platform::identity::Unauthenticated.into_response();
            }
            Self::NotFound => (
                StatusCode::NOT_FOUND,
                "not_found",
                "No such resource.".to_owned(),
            ),
            Self::Upstream(name) => (
                StatusCode::BAD_GATEWAY,
                "bad_gateway",
                format!("The {name} service did not answer as expected."),
            ),
            // 503 when the database is out of reach, 500 otherwise: the
            // one rule every service answers by.
            Self::Internal(e) => return platform::http::internal_error(e),
        };
        if let Self::SignIn(why) = &self {
            tracing::info!(reason = why, "sign-in refused");
        }
        (status, Json(ErrorBody::new(code, message))).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
