//! The profile service's errors, and the one place they become HTTP answers.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use shared_types::ErrorBody;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A field that does not parse: names the field and why.
    #[error("invalid {field}: {reason}")]
    Invalid {
        field: &'static str,
        reason: &'static str,
    },
    #[error("malformed request")]
    Malformed(String),
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message) = match &self {
            Self::Invalid { field, reason } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_field",
                format!("{field}: {reason}."),
            ),
            Self::Malformed(why) => (StatusCode::BAD_REQUEST, "invalid_request", why.clone()),
            Self::NotFound => (
                StatusCode::NOT_FOUND,
                "not_found",
                "No such resource.".to_owned(),
            ),
            // 503 when the database is out of reach, 500 otherwise: the
            // one rule every service answers by.
            Self::Internal(e) => return platform::http::internal_error(e),
        };
        (status, Json(ErrorBody::new(code, message))).into_response()
    }
}

impl From<axum::extract::rejection::JsonRejection> for ApiError {
    fn from(r: axum::extract::rejection::JsonRejection) -> Self {
        // The rejection's text describes the shape, never echoes secrets.
        Self::Malformed(r.body_text())
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
