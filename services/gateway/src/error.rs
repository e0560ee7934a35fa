//! The gateway's errors, and the one place they become HTTP answers.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use shared_types::ErrorBody;

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("no route")]
    NotFound,
    #[error("not signed in")]
    Unauthorized,
    #[error("cross-site request refused")]
    CrossSite,
    #[error("upstream {0} unavailable")]
    Upstream(&'static str),
    #[error("upstream {0} timed out")]
    UpstreamTimeout(&'static str),
    /// Over a rate limit: try again after this long.
    #[error("rate limited")]
    RateLimited(std::time::Duration),
    /// A request body over the configured limit.
    #[error("request body too large")]
    BodyTooLarge(usize),
    /// The revoked-session list is stale and auth cannot check a session.
    #[error("sessions cannot be checked")]
    SessionCheckUnavailable,
}

impl IntoResponse for GatewayError {
    fn into_response(self) -> Response {
        let (status, code, message) = match &self {
            Self::NotFound => (
                StatusCode::NOT_FOUND,
                "not_found",
                "No such resource.".to_owned(),
            ),
            Self::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Not signed in.".to_owned(),
            ),
            Self::CrossSite => (
                StatusCode::FORBIDDEN,
                "cross_site",
                "Requests from another site may not change anything here.".to_owned(),
            ),
            Self::Upstream(name) => (
                StatusCode::BAD_GATEWAY,
                "bad_gateway",
                format!("The {name} service is unavailable."),
            ),
            Self::UpstreamTimeout(name) => (
                StatusCode::GATEWAY_TIMEOUT,
                "gateway_timeout",
                format!("The {name} service did not answer in time."),
            ),
            Self::RateLimited(wait) => {
                // Whole seconds, rounded up: never 0, which reads as "now".
                let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                let mut response = (
                    StatusCode::TOO_MANY_REQUESTS,
                    Json(ErrorBody::new(
                        "rate_limited",
                        format!("Too many requests; try again in {} s.", secs.max(1)),
                    )),
                )
                    .into_response();
                response.headers_mut().insert(
                    http::header::RETRY_AFTER,
                    http::HeaderValue::from(secs.max(1)),
                );
                return response;
            }
            Self::BodyTooLarge(limit) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                format!("The request body is larger than {limit} bytes."),
            ),
            Self::SessionCheckUnavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "session_check_unavailable",
                "Sessions cannot be checked right now; try again shortly.".to_owned(),
            ),
        };
        (status, Json(ErrorBody::new(code, message))).into_response()
    }
}
