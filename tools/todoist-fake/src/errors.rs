//! The error body of API v1 (`{"error", "error_code", "error_extra",
//! "error_tag", "http_code"}`) and the one place errors become HTTP.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// An error answer of the fake, shaped like Todoist's.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: StatusCode,
    pub error: &'static str,
    pub error_code: i64,
    pub error_tag: &'static str,
    pub error_extra: Extra,
    /// OAuth errors also carry RFC 6749's `error_description`.
    pub description: Option<&'static str>,
    /// Seconds to put in a `Retry-After` header, when there is one.
    pub retry_after_header: Option<u64>,
}

/// What `error_extra` holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extra {
    Empty,
    /// `{"retry_after": seconds}`
    RetryAfter(u64),
    /// `{"argument": name}`
    Argument(&'static str),
}

impl Extra {
    fn to_json(self) -> Value {
        match self {
            Extra::Empty => json!({}),
            Extra::RetryAfter(secs) => json!({ "retry_after": secs }),
            Extra::Argument(name) => json!({ "argument": name }),
        }
    }
}

impl ApiError {
    fn new(status: StatusCode, error: &'static str, code: i64, tag: &'static str) -> Self {
        Self {
            status,
            error,
            error_code: code,
            error_tag: tag,
            error_extra: Extra::Empty,
            description: None,
            retry_after_header: None,
        }
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "Invalid token",
            401,
            "AUTH_INVALID_TOKEN",
        )
    }

    pub fn insufficient_scope() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "Insufficient token scope",
            403,
            "AUTH_INSUFFICIENT_TOKEN_SCOPE",
        )
    }

    pub fn task_not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "Task not found", 478, "NOT_FOUND")
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "Not found", 404, "NOT_FOUND")
    }

    /// 429 `LIMITS_REACHED`; `retry_after` goes in `error_extra` and/or the
    /// `Retry-After` header, as asked.
    pub fn limits_reached(retry_after: u64, in_body: bool, in_header: bool) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many requests. Limits reached. Try again later",
            35,
            "LIMITS_REACHED",
        );
        if in_body {
            e.error_extra = Extra::RetryAfter(retry_after);
        }
        e.retry_after_header = in_header.then_some(retry_after);
        e
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal server error",
            500,
            "INTERNAL_SERVER_ERROR",
        )
    }

    pub fn unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "Service unavailable",
            503,
            "SERVICE_UNAVAILABLE",
        )
    }

    pub fn gone() -> Self {
        Self::new(
            StatusCode::GONE,
            "This API has been shut down: use the unified API v1 at /api/v1",
            410,
            "DEPRECATED_ENDPOINT",
        )
    }

    /// 400 for a bad query or body argument, naming it.
    pub fn invalid_argument(argument: &'static str) -> Self {
        let mut e = Self::new(
            StatusCode::BAD_REQUEST,
            "Invalid argument value",
            20,
            "INVALID_ARGUMENT_VALUE",
        );
        e.error_extra = Extra::Argument(argument);
        e
    }

    /// The fake's own strictness: one `X-Request-Id` reused for another write.
    pub fn request_id_reused() -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "X-Request-Id already used for another request",
            409,
            "REQUEST_ID_REUSED",
        )
    }

    /// Any other status, for injected faults.
    pub fn status(status: StatusCode) -> Self {
        let reason = status.canonical_reason().unwrap_or("Error");
        Self::new(status, reason, i64::from(status.as_u16()), "FAULT_INJECTED")
    }

    /// An OAuth error (RFC 6749 §5.2): `error` is the OAuth code, and the
    /// Todoist fields are there too.
    pub fn oauth(status: StatusCode, code: &'static str, description: &'static str) -> Self {
        let mut e = Self::new(status, code, i64::from(status.as_u16()), oauth_tag(code));
        e.description = Some(description);
        e
    }

    pub fn body(&self) -> Value {
        let mut body = json!({
            "error": self.error,
            "error_code": self.error_code,
            "error_extra": self.error_extra.to_json(),
            "error_tag": self.error_tag,
            "http_code": self.status.as_u16(),
        });
        if let Some(description) = &self.description {
            body["error_description"] = json!(description);
        }
        body
    }
}

fn oauth_tag(code: &str) -> &'static str {
    match code {
        "invalid_client" => "INVALID_CLIENT",
        "invalid_grant" => "INVALID_GRANT",
        "unsupported_grant_type" => "UNSUPPORTED_GRANT_TYPE",
        _ => "INVALID_REQUEST",
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body())).into_response();
        if let Some(secs) = self.retry_after_header {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"todoist\""),
            );
        }
        response
    }
}
