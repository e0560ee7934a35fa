//! The gateway's JSON API as web sees it: the fleet's health and the
//! signed-in user's profile; the tip and connector calls join it as those
//! pages become real.
//!
//! Calls made for a user carry the `Authorization: Bearer` header the
//! gateway forwarded to web, passed on as it came. Web never sees, reads or
//! sends the session cookies.

use std::time::Duration;

use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderValue, StatusCode};
use serde::Deserialize;
use shared_types::HealthReport;

/// Above the gateway's own 3 s per-check timeout, so a slow component shows
/// up as a red row rather than as an unreachable gateway; short enough that
/// the page still answers well within its 5 s refresh.
const TIMEOUT: Duration = Duration::from_secs(4);

/// Every page waits for the user before it renders: keep that short.
const ME_TIMEOUT: Duration = Duration::from_secs(3);

/// Why no report could be had. Logged, never shown: the page says only that
/// the gateway is unreachable.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("no answer: {0}")]
    Unreachable(&'static str),
    #[error("answered {0}")]
    Status(StatusCode),
    #[error("answered a body that is not what was asked for")]
    Garbage,
}

/// The part of the profile (`GET /api/me`) the pages show.
#[derive(Debug, Clone, Deserialize)]
pub struct Me {
    pub email: String,
    pub name: Option<String>,
}

impl Me {
    /// The name when there is one, the email address otherwise.
    pub fn display_name(&self) -> &str {
        self.name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .unwrap_or(&self.email)
    }
}

fn unreachable(e: &reqwest::Error) -> GatewayError {
    // The error's own text carries the URL; say only what kind it was.
    GatewayError::Unreachable(if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection refused"
    } else {
        "request failed"
    })
}

/// A client for the gateway at one base URL.
pub struct GatewayClient {
    base: String,
    http: reqwest::Client,
}

impl GatewayClient {
    pub fn new(base: &str) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
            http: platform::client::http_client(TIMEOUT),
        }
    }

    /// `GET /health`, passing on the request id so that one id follows the
    /// check through every service it touches.
    #[tracing::instrument(skip_all)]
    pub async fn health(
        &self,
        request_id: Option<&HeaderValue>,
    ) -> Result<HealthReport, GatewayError> {
        let mut request = self.http.get(format!("{}/health", self.base));
        if let Some(id) = request_id {
            request = request.header(platform::http::REQUEST_ID, id.clone());
        }
        let response = request.send().await.map_err(|e| unreachable(&e))?;
        let status = response.status();
        // 503 is the gateway saying "degraded": it still carries the report.
        if status != StatusCode::OK && status != StatusCode::SERVICE_UNAVAILABLE {
            return Err(GatewayError::Status(status));
        }
        response
            .json::<HealthReport>()
            .await
            .map_err(|_| GatewayError::Garbage)
    }

    /// `GET /api/me` with the caller's `Authorization` header, as the
    /// gateway forwarded it. `Ok(None)` when the gateway or profile says
    /// 401: the token is not (or no longer) good, so the page is signed out.
    #[tracing::instrument(skip_all)]
    pub async fn me(
        &self,
        authorization: &HeaderValue,
        request_id: Option<&HeaderValue>,
    ) -> Result<Option<Me>, GatewayError> {
        let mut request = self
            .http
            .get(format!("{}/api/me", self.base))
            .header(AUTHORIZATION, authorization.clone())
            .timeout(ME_TIMEOUT);
        if let Some(id) = request_id {
            request = request.header(platform::http::REQUEST_ID, id.clone());
        }
        let response = request.send().await.map_err(|e| unreachable(&e))?;
        match response.status() {
            StatusCode::OK => {}
            StatusCode::UNAUTHORIZED => return Ok(None),
            status => return Err(GatewayError::Status(status)),
        }
        response
            .json::<Me>()
            .await
            .map(Some)
            .map_err(|_| GatewayError::Garbage)
    }
}
