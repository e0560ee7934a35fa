//! The gateway's JSON API as web sees it. Today only the fleet's health;
//! the tip and connector calls join it as those pages become real.

use std::time::Duration;

use axum::http::{HeaderValue, StatusCode};
use shared_types::HealthReport;

/// Above the gateway's own 3 s per-check timeout, so a slow component shows
/// up as a red row rather than as an unreachable gateway; short enough that
/// the page still answers well within its 5 s refresh.
const TIMEOUT: Duration = Duration::from_secs(4);

/// Why no report could be had. Logged, never shown: the page says only that
/// the gateway is unreachable.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("no answer: {0}")]
    Unreachable(&'static str),
    #[error("answered {0}")]
    Status(StatusCode),
    #[error("answered a body that is not a health report")]
    Garbage,
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
        let response = request.send().await.map_err(|e| {
            // The error's own text carries the URL; say only what kind it was.
            GatewayError::Unreachable(if e.is_timeout() {
                "timed out"
            } else if e.is_connect() {
                "connection refused"
            } else {
                "request failed"
            })
        })?;
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
}
