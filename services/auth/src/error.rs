//! The auth service's errors, and the one place they become HTTP answers.
//! Client errors say what was wrong in general terms; internal causes are
//! logged (never a token) and answered as a bare 500.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use shared_types::ErrorBody;

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
            Self::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Not signed in.".to_owned(),
            ),
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
            Self::Internal(e) if platform::health::is_database_unavailable(e) => {
                tracing::warn!(error = %format!("{e:#}"), "database unavailable");
                let mut response = (
                    StatusCode::SERVICE_UNAVAILABLE,
                    Json(ErrorBody::new(
                        "unavailable",
                        "The service cannot reach its database; try again shortly.",
                    )),
                )
                    .into_response();
                response
                    .headers_mut()
                    .insert(http::header::RETRY_AFTER, http::HeaderValue::from(5));
                return response;
            }
            Self::Internal(e) => {
                tracing::error!(error = %format!("{e:#}"), "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Something went wrong.".to_owned(),
                )
            }
        };
        if let Self::SignIn(why) = &self {
            tracing::info!(reason = why, "sign-in refused");
        }
        (status, Json(ErrorBody::new(code, message))).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
