//! The recommender's client for integrations: the user's candidates
//! (within the candidate budget), and completing or reopening an item.
//! Every call carries the user's own access token and the request id.

use std::time::Duration;

use reqwest::StatusCode;
use shared_types::ErrorBody;
use shared_types::integrations::{
    Candidates, CompleteOutcome, ReopenOutcome, ReopenRequest, TaskDue,
};

/// How long a write (complete, reopen) may take: integrations' own
/// deadline for a Todoist call is longer, but the user is waiting.
const WRITE_TIMEOUT: Duration = Duration::from_secs(8);

/// Why no candidate list could be had.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("no answer within the candidate budget")]
    TimedOut,
    #[error("integrations unreachable: {0}")]
    Unreachable(&'static str),
    #[error("integrations answered {0}")]
    Status(u16),
    #[error("integrations answered a body that is not a candidate list")]
    Garbage,
}

/// What a revalidated candidate call gave.
#[derive(Debug)]
pub enum Fetched {
    /// `304 Not Modified`: the list is still the one the tag names.
    NotModified,
    /// The list, and its `ETag` when integrations gave one.
    List {
        candidates: Candidates,
        etag: Option<String>,
    },
}

/// Why a write did not happen.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The provider failed or asks us to wait: try again in so many seconds.
    #[error("the provider is unavailable")]
    Unavailable { retry_after: u64 },
    /// The provider refused to undo (e.g. a recurring task's date).
    #[error("the provider refused the undo")]
    UndoUnavailable,
    #[error("the item is gone at the provider")]
    NotFound,
    #[error("the source must be connected again")]
    Reconnect,
    #[error("integrations answered {0}")]
    Status(u16),
}

/// A client for integrations at one base URL.
#[derive(Debug, Clone)]
pub struct IntegrationsClient {
    base: String,
    http: reqwest::Client,
}

impl IntegrationsClient {
    pub fn new(base: &str) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
            http: platform::client::http_client(WRITE_TIMEOUT),
        }
    }

    fn request(
        &self,
        request: reqwest::RequestBuilder,
        token: &str,
        request_id: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let request = request
            .bearer_auth(token)
            .headers(platform::trace::headers());
        match request_id {
            Some(id) => request.header(platform::http::REQUEST_ID, id),
            None => request,
        }
    }

    /// `GET /api/integrations/tasks`, answered within `budget` or not at all.
    pub async fn candidates(
        &self,
        token: &str,
        request_id: Option<&str>,
        budget: Duration,
    ) -> Result<Candidates, FetchError> {
        match self
            .candidates_if_changed(token, request_id, budget, None)
            .await?
        {
            Fetched::List { candidates, .. } => Ok(candidates),
            Fetched::NotModified => Err(FetchError::Status(304)),
        }
    }

    /// `GET /api/integrations/tasks` with `If-None-Match: etag` when the
    /// caller holds a list: [`Fetched::NotModified`] while it is still the
    /// one, else the new list and its tag. Answered within `budget` or not
    /// at all.
    #[tracing::instrument(skip_all)]
    pub async fn candidates_if_changed(
        &self,
        token: &str,
        request_id: Option<&str>,
        budget: Duration,
        etag: Option<&str>,
    ) -> Result<Fetched, FetchError> {
        let mut request = self
            .http
            .get(format!("{}/api/integrations/tasks", self.base))
            .timeout(budget);
        if let Some(etag) = etag {
            request = request.header(reqwest::header::IF_NONE_MATCH, etag);
        }
        let call = async {
            let response = self
                .request(request, token, request_id)
                .send()
                .await
                .map_err(|e| unreachable(&e))?;
            match response.status() {
                StatusCode::NOT_MODIFIED if etag.is_some() => return Ok(Fetched::NotModified),
                StatusCode::OK => {}
                other => return Err(FetchError::Status(other.as_u16())),
            }
            let etag = response
                .headers()
                .get(reqwest::header::ETAG)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let candidates = response.json::<Candidates>().await.map_err(|e| {
                if e.is_timeout() {
                    FetchError::TimedOut
                } else {
                    FetchError::Garbage
                }
            })?;
            Ok(Fetched::List { candidates, etag })
        };
        tokio::time::timeout(budget, call)
            .await
            .unwrap_or(Err(FetchError::TimedOut))
    }

    /// `POST /api/integrations/items/{connector}/{item}/complete`.
    #[tracing::instrument(skip_all, fields(connector = %connector))]
    pub async fn complete(
        &self,
        token: &str,
        request_id: Option<&str>,
        connector: &str,
        item: &str,
        key: &str,
        decision: uuid::Uuid,
    ) -> Result<CompleteOutcome, WriteError> {
        let request = self
            .http
            .post(self.item_url(connector, item, "complete"))
            .header("idempotency-key", key)
            .header("x-decision-id", decision.to_string());
        let response = self
            .request(request, token, request_id)
            .send()
            .await
            .map_err(|_| WriteError::Unavailable { retry_after: 5 })?;
        read_write(response).await
    }

    /// `POST /api/integrations/items/{connector}/{item}/reopen`.
    #[allow(clippy::too_many_arguments)]
    #[tracing::instrument(skip_all, fields(connector = %connector))]
    pub async fn reopen(
        &self,
        token: &str,
        request_id: Option<&str>,
        connector: &str,
        item: &str,
        key: &str,
        decision: uuid::Uuid,
        previous_due: Option<TaskDue>,
    ) -> Result<ReopenOutcome, WriteError> {
        let request = self
            .http
            .post(self.item_url(connector, item, "reopen"))
            .header("idempotency-key", key)
            .header("x-decision-id", decision.to_string())
            .json(&ReopenRequest { previous_due });
        let response = self
            .request(request, token, request_id)
            .send()
            .await
            .map_err(|_| WriteError::Unavailable { retry_after: 5 })?;
        read_write(response).await
    }

    fn item_url(&self, connector: &str, item: &str, action: &str) -> String {
        // Both come from our own decision log, but an item id is the
        // provider's text: keep it to one path segment.
        let segment = |s: &str| -> String {
            s.bytes()
                .filter(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
                .map(char::from)
                .collect()
        };
        format!(
            "{}/api/integrations/items/{}/{}/{action}",
            self.base,
            segment(connector),
            segment(item)
        )
    }
}

async fn read_write<T: serde::de::DeserializeOwned>(
    response: reqwest::Response,
) -> Result<T, WriteError> {
    let status = response.status();
    if status.is_success() {
        return response
            .json::<T>()
            .await
            .map_err(|_| WriteError::Status(status.as_u16()));
    }
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(5, |s| s.clamp(1, 3600));
    let code = response
        .json::<ErrorBody>()
        .await
        .map(|b| b.error)
        .unwrap_or_default();
    Err(match (status, code.as_str()) {
        (StatusCode::CONFLICT, "undo_unavailable") => WriteError::UndoUnavailable,
        (StatusCode::CONFLICT, "reconnect_required" | "not_connected") => WriteError::Reconnect,
        (StatusCode::NOT_FOUND, _) => WriteError::NotFound,
        (s, _) if s.is_server_error() || s == StatusCode::TOO_MANY_REQUESTS => {
            WriteError::Unavailable { retry_after }
        }
        (s, _) => WriteError::Status(s.as_u16()),
    })
}

fn unreachable(e: &reqwest::Error) -> FetchError {
    if e.is_timeout() {
        FetchError::TimedOut
    } else if e.is_connect() {
        FetchError::Unreachable("connection refused")
    } else {
        FetchError::Unreachable("request failed")
    }
}
