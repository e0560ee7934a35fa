//! Faults on demand: the next N answers of a route replaced by an error
//! status (with Todoist's error body) and/or delayed, for tests of clients'
//! retries, backoff and timeouts.

use std::time::Duration;

use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::errors::ApiError;
use crate::state::{Shared, lock};

/// The routes faults can target; `*` is any of them.
/// `item_update_date_complete` is not an HTTP route: a fault on it makes
/// the sync command refused in `sync_status` (the HTTP answer stays 200),
/// as Todoist refuses an undo it cannot do.
pub const ROUTES: [&str; 10] = [
    "*",
    "authorize",
    "token",
    "revoke",
    "tasks",
    "task",
    "close",
    "reopen",
    "sync",
    "item_update_date_complete",
];

/// The fault route of a matched path.
pub(crate) fn route_of(path: &str) -> &'static str {
    match path {
        "/oauth/authorize" => "authorize",
        "/oauth/access_token" => "token",
        "/api/v1/revoke" | "/api/v1/access_tokens" => "revoke",
        "/api/v1/tasks" | "/api/v1/tasks/filter" => "tasks",
        "/api/v1/tasks/{id}" => "task",
        "/api/v1/tasks/{id}/close" => "close",
        "/api/v1/tasks/{id}/reopen" => "reopen",
        "/api/v1/sync" => "sync",
        _ => "other",
    }
}

/// Where a 429's `retry_after` is given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RetryAfterIn {
    /// Both the `Retry-After` header and `error_extra.retry_after`.
    #[default]
    Both,
    Header,
    Body,
}

/// One fault to queue: `POST /__fake/faults` takes it as JSON, e.g.
/// `{"route": "tasks", "status": 429, "retry_after": 7, "times": 2}` or
/// `{"route": "close", "delay_ms": 3000}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultSpec {
    /// One of [`ROUTES`].
    pub route: String,
    /// The status to answer instead (400–599); none to answer normally.
    #[serde(default)]
    pub status: Option<u16>,
    /// Wait this long before answering (faulted or not).
    #[serde(default)]
    pub delay_ms: Option<u64>,
    /// For a 429 (default 1 second) or a 503 (none by default).
    #[serde(default)]
    pub retry_after: Option<u64>,
    #[serde(default)]
    pub retry_after_in: RetryAfterIn,
    /// How many answers in a row; 1 by default.
    #[serde(default = "one")]
    pub times: u32,
}

fn one() -> u32 {
    1
}

impl FaultSpec {
    /// The next answer of `route` has `status`.
    pub fn status(route: &str, status: u16) -> Self {
        Self {
            route: route.to_owned(),
            status: Some(status),
            delay_ms: None,
            retry_after: None,
            retry_after_in: RetryAfterIn::Both,
            times: 1,
        }
    }

    /// The next answer of `route` is a 429 asking to wait `secs`.
    pub fn rate_limited(route: &str, secs: u64, given_in: RetryAfterIn) -> Self {
        Self {
            retry_after: Some(secs),
            retry_after_in: given_in,
            ..Self::status(route, 429)
        }
    }

    /// The next answer of `route` comes after `ms` milliseconds.
    pub fn delay(route: &str, ms: u64) -> Self {
        Self {
            status: None,
            delay_ms: Some(ms),
            ..Self::status(route, 200)
        }
    }

    /// The same fault for the next `n` answers.
    pub fn times(mut self, n: u32) -> Self {
        self.times = n;
        self
    }

    pub(crate) fn validate(&self) -> Result<(), String> {
        if !ROUTES.contains(&self.route.as_str()) {
            return Err(format!("unknown route {:?}: one of {ROUTES:?}", self.route));
        }
        if self.status.is_some_and(|s| !(400..=599).contains(&s)) {
            return Err("status must be 400–599".to_owned());
        }
        if self.status.is_none() && self.delay_ms.is_none() {
            return Err("give a status, a delay_ms or both".to_owned());
        }
        if self.times == 0 {
            return Err("times must be at least 1".to_owned());
        }
        Ok(())
    }

    /// The error answer this fault gives, if any.
    pub(crate) fn error(&self) -> Option<ApiError> {
        let status = StatusCode::from_u16(self.status?).ok()?;
        let (body, header) = match self.retry_after_in {
            RetryAfterIn::Both => (true, true),
            RetryAfterIn::Header => (false, true),
            RetryAfterIn::Body => (true, false),
        };
        let mut error = match status.as_u16() {
            401 => ApiError::unauthorized(),
            403 => ApiError::insufficient_scope(),
            404 => ApiError::task_not_found(),
            429 => {
                return Some(ApiError::limits_reached(
                    self.retry_after.unwrap_or(1),
                    body,
                    header,
                ));
            }
            500 => ApiError::internal(),
            503 => ApiError::unavailable(),
            _ => ApiError::status(status),
        };
        if let Some(secs) = self.retry_after {
            error.retry_after_header = header.then_some(secs);
            if body {
                error.error_extra = crate::errors::Extra::RetryAfter(secs);
            }
        }
        Some(error)
    }
}

/// A queued fault and how many answers it still replaces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueuedFault {
    pub spec: FaultSpec,
    pub remaining: u32,
}

/// Takes the first queued fault for `route`, counting one use of it.
pub(crate) fn take(queue: &mut Vec<QueuedFault>, route: &str) -> Option<FaultSpec> {
    let at = queue
        .iter()
        .position(|f| f.spec.route == route || f.spec.route == "*")?;
    let fault = &mut queue[at];
    fault.remaining -= 1;
    let spec = fault.spec.clone();
    if fault.remaining == 0 {
        queue.remove(at);
    }
    Some(spec)
}

/// Takes the first queued fault named `route` exactly (not `*`).
pub(crate) fn take_exact(queue: &mut Vec<QueuedFault>, route: &str) -> Option<FaultSpec> {
    let at = queue.iter().position(|f| f.spec.route == route)?;
    let fault = &mut queue[at];
    fault.remaining -= 1;
    let spec = fault.spec.clone();
    if fault.remaining == 0 {
        queue.remove(at);
    }
    Some(spec)
}

/// The middleware on every fault route: counts the request, then serves a
/// queued fault instead of the handler when there is one.
pub(crate) async fn inject(State(shared): State<Shared>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("other", |p| route_of(p.as_str()));
    let fault = {
        let mut state = lock(&shared);
        *state.stats.requests.entry(route.to_owned()).or_default() += 1;
        let fault = take(&mut state.faults, route);
        if fault.as_ref().is_some_and(|f| f.status.is_some()) {
            state.stats.faults_served += 1;
        }
        fault
    };
    let Some(fault) = fault else {
        return next.run(req).await;
    };
    if let Some(ms) = fault.delay_ms {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    match fault.error() {
        Some(error) => error.into_response(),
        None => next.run(req).await,
    }
}

/// The `X-Request-Id` the client itself sent (the shared layers make one up
/// when it is missing; idempotency must only see the client's).
#[derive(Debug, Clone, Default)]
pub(crate) struct ClientRequestId(pub Option<String>);

pub(crate) async fn capture_request_id(mut req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty() && v.len() <= 128)
        .map(str::to_owned);
    req.extensions_mut().insert(ClientRequestId(id));
    next.run(req).await
}
