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
    #[error("not signed in")]
    Unauthorized,
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
    #[error("rate limited")]
    RateLimited(Duration),
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
            ConnectorError::RateLimited { retry_after } => Self::RateLimited(retry_after),
            ConnectorError::UnknownState
            | ConnectorError::ExpiredState
            | ConnectorError::ForeignState
            | ConnectorError::WrongProvider => Self::Invalid("state"),
            ConnectorError::CodeRejected { .. } => Self::Invalid("code"),
            e @ ConnectorError::Upstream { .. } => Self::Upstream(e),
            e @ (ConnectorError::Store(_) | ConnectorError::Vault(_)) => {
                Self::Internal(anyhow::Error::new(e))
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message) = match &self {
            Self::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized", "Not signed in."),
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
            Self::RateLimited(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "rate_limited",
                "The service asks us to slow down: try again shortly.",
            ),
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
        let mut response = (status, Json(ErrorBody::new(code, message))).into_response();
        if let Self::RateLimited(wait) = self {
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

pub type ApiResult<T> = Result<T, ApiError>;
