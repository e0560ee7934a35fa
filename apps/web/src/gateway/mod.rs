//! The gateway's JSON API as web sees it: the fleet's health, the
//! signed-in user's profile, the connectors (their state, starting and
//! ending a connection, the user's current tasks), signing out, and the tip
//! (see [`tips`]).
//!
//! Calls made for a user carry the `Authorization: Bearer` header the
//! gateway forwarded to web, passed on as it came. Web never sees, reads or
//! sends the session cookies.

use std::time::Duration;

use axum::http::header::{AUTHORIZATION, LOCATION};
use axum::http::{HeaderValue, StatusCode};
use serde::de::DeserializeOwned;
use shared_types::integrations::{Candidates, ConnectStart, TaskPayload};
use shared_types::{HealthReport, NormalizedEvent};

pub mod session;
pub mod tips;

/// The profile (`GET /api/me`) and the connectors' states, as the pages
/// read them: the producers' own types.
pub use shared_types::integrations::ConnectorState;
pub use shared_types::profile::User;

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
    /// 401: the token is not (or no longer) good.
    #[error("refused the token")]
    Unauthorized,
    /// 503: the API asks us to slow down (a provider's rate limit).
    #[error("asks to slow down")]
    RateLimited,
}

/// One of the user's open tasks, as the page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenTask {
    /// The connector it came from: `todoist`.
    pub source: String,
    pub id: String,
    pub title: String,
    /// When it is due, as the provider words it (`every day`, `2025-06-01`).
    pub due: Option<String>,
}

impl OpenTask {
    /// A `task.open` event of `GET /api/integrations/tasks`; its payload is
    /// the shared [`TaskPayload`], read leniently (a page lists what it can).
    fn from_event(event: NormalizedEvent) -> Self {
        let task: Option<TaskPayload> = serde_json::from_value(event.payload).ok();
        let (title, due) = match task {
            Some(t) => (
                t.title,
                t.due
                    .map(|d| d.string.filter(|s| !s.trim().is_empty()).unwrap_or(d.date)),
            ),
            None => (String::new(), None),
        };
        Self {
            source: event.source,
            id: event.subject_id,
            title: Some(title)
                .filter(|t| !t.trim().is_empty())
                .unwrap_or_else(|| "(untitled)".to_owned()),
            due,
        }
    }
}

/// The statuses every user call reads the same way.
fn refused(status: StatusCode) -> GatewayError {
    match status {
        StatusCode::UNAUTHORIZED => GatewayError::Unauthorized,
        StatusCode::SERVICE_UNAVAILABLE => GatewayError::RateLimited,
        status => GatewayError::Status(status),
    }
}

/// Only an absolute http(s) URL is a place to send the browser.
fn is_http_url(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() <= 4096
        && !url.chars().any(|c| c.is_control() || c.is_whitespace())
}

pub(crate) fn unreachable(e: &reqwest::Error) -> GatewayError {
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
    pub(crate) base: String,
    pub(crate) http: reqwest::Client,
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
        let response = request
            .headers(platform::trace::headers())
            .send()
            .await
            .map_err(|e| unreachable(&e))?;
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
    ) -> Result<Option<User>, GatewayError> {
        let mut request = self
            .http
            .get(format!("{}/api/me", self.base))
            .header(AUTHORIZATION, authorization.clone())
            .timeout(ME_TIMEOUT);
        if let Some(id) = request_id {
            request = request.header(platform::http::REQUEST_ID, id.clone());
        }
        let response = request
            .headers(platform::trace::headers())
            .send()
            .await
            .map_err(|e| unreachable(&e))?;
        match response.status() {
            StatusCode::OK => {}
            StatusCode::UNAUTHORIZED => return Ok(None),
            status => return Err(GatewayError::Status(status)),
        }
        response
            .json::<User>()
            .await
            .map(Some)
            .map_err(|_| GatewayError::Garbage)
    }

    /// A call for the user: their `Authorization` header, the request id
    /// and the trace (`traceparent`).
    pub(crate) fn for_user(
        &self,
        request: reqwest::RequestBuilder,
        authorization: &HeaderValue,
        request_id: Option<&HeaderValue>,
    ) -> reqwest::RequestBuilder {
        let request = request
            .header(AUTHORIZATION, authorization.clone())
            .headers(platform::trace::headers());
        match request_id {
            Some(id) => request.header(platform::http::REQUEST_ID, id.clone()),
            None => request,
        }
    }

    /// Sends a call made for the user and reads its `200` answer as `T`;
    /// any other status is read the way every user call reads it.
    pub(crate) async fn send_json<T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
        authorization: &HeaderValue,
        request_id: Option<&HeaderValue>,
    ) -> Result<T, GatewayError> {
        let response = self
            .for_user(request, authorization, request_id)
            .send()
            .await
            .map_err(|e| unreachable(&e))?;
        if response.status() != StatusCode::OK {
            return Err(refused(response.status()));
        }
        response
            .json::<T>()
            .await
            .map_err(|_| GatewayError::Garbage)
    }

    /// `GET /api/connectors`: every connector with the user's state.
    #[tracing::instrument(skip_all)]
    pub async fn connectors(
        &self,
        authorization: &HeaderValue,
        request_id: Option<&HeaderValue>,
    ) -> Result<Vec<ConnectorState>, GatewayError> {
        let request = self.http.get(format!("{}/api/connectors", self.base));
        self.send_json(request, authorization, request_id).await
    }

    /// `POST /api/connectors/{name}/connect`: where to send the user to
    /// approve. The API answers `303` with the URL in `Location` and in the
    /// body; the redirect is never followed here (the client follows none),
    /// it is the browser's to follow.
    #[tracing::instrument(skip_all, fields(connector = %name))]
    pub async fn start_connect(
        &self,
        name: &str,
        authorization: &HeaderValue,
        request_id: Option<&HeaderValue>,
    ) -> Result<String, GatewayError> {
        let request = self
            .http
            .post(format!("{}/api/connectors/{name}/connect", self.base));
        let response = self
            .for_user(request, authorization, request_id)
            .send()
            .await
            .map_err(|e| unreachable(&e))?;
        let status = response.status();
        if !(status == StatusCode::SEE_OTHER || status == StatusCode::FOUND || status.is_success())
        {
            return Err(refused(status));
        }
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let url = match location {
            Some(url) => url,
            None => {
                response
                    .json::<ConnectStart>()
                    .await
                    .map_err(|_| GatewayError::Garbage)?
                    .redirect_url
            }
        };
        if is_http_url(&url) {
            Ok(url)
        } else {
            Err(GatewayError::Garbage)
        }
    }

    /// `DELETE /api/connectors/{name}`: revoke at the provider, forget here.
    #[tracing::instrument(skip_all, fields(connector = %name))]
    pub async fn disconnect(
        &self,
        name: &str,
        authorization: &HeaderValue,
        request_id: Option<&HeaderValue>,
    ) -> Result<(), GatewayError> {
        let request = self
            .http
            .delete(format!("{}/api/connectors/{name}", self.base));
        let response = self
            .for_user(request, authorization, request_id)
            .send()
            .await
            .map_err(|e| unreachable(&e))?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(refused(response.status()))
        }
    }

    /// `GET /api/integrations/tasks`: the user's open tasks from every
    /// connected service (integrations serves them from a short cache).
    #[tracing::instrument(skip_all)]
    pub async fn tasks(
        &self,
        authorization: &HeaderValue,
        request_id: Option<&HeaderValue>,
    ) -> Result<Vec<OpenTask>, GatewayError> {
        let request = self
            .http
            .get(format!("{}/api/integrations/tasks", self.base));
        let candidates: Candidates = self.send_json(request, authorization, request_id).await?;
        Ok(candidates
            .items
            .into_iter()
            .map(OpenTask::from_event)
            .collect())
    }
}
