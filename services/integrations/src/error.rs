//! The integrations service's errors, and the one place they become HTTP
//! answers. Messages are for people; internal causes are logged, not sent.

use std::time::Duration;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use shared_types::ErrorBody;

use crate::connector::ConnectorError;
use crate::todoist::error::retry_after_secs;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("no connector named like that")]
    UnknownConnector,
    #[error("not connected")]
    NotConnected,
    #[error("the connection must be made again")]
    ReconnectRequired,
    #[error("no such item")]
    NotFound,
    #[error("invalid {0}")]
    Invalid(&'static str),
    #[error("the Idempotency-Key header is missing or malformed")]
    IdempotencyKey,
    #[error("the body is not valid JSON of the expected shape")]
    InvalidBody,
    #[error("rate limited")]
    RateLimited(Duration),
    /// A write the provider could not take now (5xx, timeout): the
    /// caller may try again after the wait.
    #[error("the provider is unavailable")]
    Unavailable(Duration),
    #[error("undo is not available for this item")]
    UndoUnavailable,
    /// The service's own database is out of reach: the same call may work
    /// shortly, so it is a 503 with `Retry-After`, not a 500.
    #[error("the database is unreachable")]
    DatabaseUnavailable(#[source] ConnectorError),
    #[error("the provider failed")]
    Upstream(#[source] ConnectorError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<ConnectorError> for ApiError {
    fn from(e: ConnectorError) -> Self {
        match e {
            ConnectorError::NotConnected(_) => Self::NotConnected,
            ConnectorError::Reconnect(_) | ConnectorError::InsufficientScope(_) => {
                Self::ReconnectRequired
            }
            ConnectorError::NotFound => Self::NotFound,
            ConnectorError::UndoUnavailable { provider, reason } => {
                tracing::info!(provider, reason = %reason, "undo refused by the provider");
                Self::UndoUnavailable
            }
            ConnectorError::RateLimited { retry_after } => Self::RateLimited(retry_after),
            ConnectorError::UnknownState
            | ConnectorError::ExpiredState
            | ConnectorError::ForeignState
            | ConnectorError::WrongProvider => Self::Invalid("state"),
            ConnectorError::CodeRejected { .. } => Self::Invalid("code"),
            e @ ConnectorError::Upstream { .. } => Self::Upstream(e),
            ConnectorError::Store(e) if e.is_unavailable() => {
                Self::DatabaseUnavailable(ConnectorError::Store(e))
            }
            e @ (ConnectorError::Store(_) | ConnectorError::Vault(_)) => {
                Self::Internal(anyhow::Error::new(e))
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message) = match &self {
            Self::UnknownConnector => (
                StatusCode::NOT_FOUND,
                "unknown_connector",
                "There is no connector of that name.",
            ),
            Self::NotConnected => (
                StatusCode::CONFLICT,
                "not_connected",
                "This service is not connected yet.",
            ),
            Self::ReconnectRequired => (
                StatusCode::CONFLICT,
                "reconnect_required",
                "The connection no longer works: connect again.",
            ),
            Self::NotFound => (StatusCode::NOT_FOUND, "not_found", "No such item."),
            Self::Invalid(_) => (
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "The request is not valid.",
            ),
            Self::IdempotencyKey => (
                StatusCode::BAD_REQUEST,
                "invalid_idempotency_key",
                "An Idempotency-Key header of 1 to 64 visible ASCII characters is required.",
            ),
            Self::InvalidBody => (
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "The body must be a JSON object of the documented shape.",
            ),
            Self::RateLimited(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "rate_limited",
                "The service asks us to slow down: try again shortly.",
            ),
            Self::Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "The connected service did not answer: try again shortly.",
            ),
            Self::UndoUnavailable => (
                StatusCode::CONFLICT,
                "undo_unavailable",
                "This task cannot be undone: Todoist would not put its date back. Change it in Todoist.",
            ),
            Self::DatabaseUnavailable(e) => {
                tracing::warn!(error = %format_chain(e), "database unavailable");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "The service cannot reach its database: try again shortly.",
                )
            }
            Self::Upstream(e) => {
                tracing::warn!(error = %format_chain(e), "provider call failed");
                (
                    StatusCode::BAD_GATEWAY,
                    "upstream",
                    "The connected service did not answer properly.",
                )
            }
            Self::Internal(e) => {
                tracing::error!(error = %format!("{e:#}"), "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Something went wrong.",
                )
            }
        };
        let wait = match self {
            Self::RateLimited(wait) | Self::Unavailable(wait) => Some(wait),
            Self::DatabaseUnavailable(_) => Some(DATABASE_RETRY_AFTER),
            _ => None,
        };
        let mut response = (status, Json(ErrorBody::new(code, message))).into_response();
        if let Some(wait) = wait {
            let wait = wait.min(crate::todoist::http::MAX_WAIT);
            let secs = retry_after_secs(wait).max(1);
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from_str(&secs.to_string()).expect("digits are a header value"),
            );
        }
        response
    }
}

/// An error and its causes on one line.
fn format_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

/// How long to ask a caller to wait when the database is out of reach (as
/// the recommender and profile say).
const DATABASE_RETRY_AFTER: Duration = Duration::from_secs(5);

/// How long to ask a caller to wait after a provider failed a write.
pub const WRITE_RETRY_AFTER: Duration = Duration::from_secs(5);

impl ApiError {
    /// A write's failure: a provider that failed or timed out is "try
    /// again" (503 with `Retry-After`), not a bad gateway, so the caller
    /// can tell the user so.
    pub fn from_write(e: ConnectorError) -> Self {
        match e {
            e @ ConnectorError::Upstream { .. } => {
                tracing::warn!(error = %format_chain(&e), "provider write failed");
                Self::Unavailable(WRITE_RETRY_AFTER)
            }
            other => other.into(),
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
