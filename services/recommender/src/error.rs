//! The recommender's errors, and the one place they become HTTP answers.
//! Messages are for people; internal causes are logged, not sent.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use shared_types::ErrorBody;

use crate::service::TipError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("not signed in")]
    Unauthorized,
    #[error("the user is not the token's subject")]
    Forbidden,
    #[error("invalid request: {0}")]
    Invalid(String),
    #[error("the body is too large")]
    TooLarge,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error(transparent)]
    Tip(#[from] TipError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<platform::identity::Unauthenticated> for ApiError {
    fn from(_: platform::identity::Unauthenticated) -> Self {
        Self::Unauthorized
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        Self::Tip(TipError::Store(e))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message): (StatusCode, &str, String) = match &self {
            Self::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Not signed in.".into(),
            ),
            Self::Forbidden => (
                StatusCode::FORBIDDEN,
                "forbidden",
                "You can only ask for your own tips.".into(),
            ),
            Self::Invalid(why) => (StatusCode::BAD_REQUEST, "invalid_request", why.clone()),
            Self::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                "The request body is larger than 16 KiB.".into(),
            ),
            Self::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "This address only takes POST.".into(),
            ),
            Self::Tip(e) => tip_error(e),
            Self::Internal(e) => {
                tracing::error!(error = %format!("{e:#}"), "internal error");
                internal()
            }
        };
        let retry_after = match &self {
            Self::Tip(TipError::Unavailable { retry_after }) => Some(*retry_after),
            Self::Tip(TipError::Store(e)) if e.is_unavailable() => Some(DATABASE_RETRY_AFTER),
            _ => None,
        };
        let mut response = (status, Json(ErrorBody::new(code, message))).into_response();
        if let Some(retry_after) = retry_after {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from_str(&retry_after.max(1).to_string()).expect("digits"),
            );
        }
        if status == StatusCode::METHOD_NOT_ALLOWED {
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("POST"));
        }
        response
    }
}

/// Seconds to wait when the database is out of reach (as profile says).
const DATABASE_RETRY_AFTER: u64 = 5;

fn internal() -> (StatusCode, &'static str, String) {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "Something went wrong.".into(),
    )
}

fn tip_error(e: &TipError) -> (StatusCode, &'static str, String) {
    let conflict = |code, message: &str| (StatusCode::CONFLICT, code, message.to_owned());
    match e {
        TipError::NotFound => (StatusCode::NOT_FOUND, "not_found", "No such tip.".into()),
        TipError::AlreadyDone => conflict("already_done", "This tip is already done."),
        TipError::NotOpen => conflict("not_open", "This tip is no longer open."),
        TipError::NotDone => conflict(
            "not_done",
            "This tip is not done, so there is nothing to undo.",
        ),
        TipError::UndoExpired => conflict("undo_expired", "It is too late to undo this one."),
        TipError::UndoUnavailable => conflict(
            "undo_unavailable",
            "Todoist would not put this task back; reopen it in Todoist if you need it.",
        ),
        TipError::ItemGone => conflict("item_gone", "This task no longer exists in Todoist."),
        TipError::Reconnect => conflict(
            "reconnect_required",
            "Connect Todoist again to finish tasks.",
        ),
        TipError::Unavailable { .. } => (
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "Todoist is not answering right now; nothing was changed. Try again shortly.".into(),
        ),
        TipError::Upstream(cause) => {
            tracing::warn!(error = %cause, "integrations failed");
            (
                StatusCode::BAD_GATEWAY,
                "upstream",
                "The connected service did not answer properly.".into(),
            )
        }
        TipError::Policy(cause) => {
            tracing::error!(error = %cause, "policy failed");
            internal()
        }
        TipError::Store(cause) if cause.is_unavailable() => {
            tracing::warn!(error = %cause, "database unavailable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "The service cannot reach its database; try again shortly.".into(),
            )
        }
        TipError::Store(cause) => {
            tracing::error!(error = %cause, "store failed");
            internal()
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
