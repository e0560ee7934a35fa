//! Outbound calls to Todoist: a timeout on every attempt, at most
//! `max_attempts` attempts, retries only where repeating is safe, capped
//! exponential backoff with jitter, `Retry-After` (seconds or HTTP date) and
//! `error_extra.retry_after` honoured, and a rate-limit error instead of a
//! wait that would outlast the caller's deadline.

use std::time::{Duration, SystemTime};

use reqwest::{RequestBuilder, Response, StatusCode};
use serde::Deserialize;
use tokio::time::Instant;

use super::TodoistClient;
use super::error::{RateLimiter, TodoistError};
use crate::domain::UserId;

/// How failed attempts are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (at most 3 by policy).
    pub max_attempts: u32,
    /// The first backoff; doubles each attempt.
    pub base: Duration,
    /// No backoff is longer than this.
    pub cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base: Duration::from_millis(250),
            cap: Duration::from_secs(4),
        }
    }
}

impl RetryPolicy {
    /// The wait before attempt `attempt + 1`: `base * 2^(attempt-1)`, capped,
    /// then "equal jitter" (half fixed, half random) so clients spread out.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .base
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
            .min(self.cap);
        let half = exp / 2;
        let nanos = half.as_nanos() as u64;
        let jitter = if nanos == 0 {
            0
        } else {
            u64::from_le_bytes(platform::secrets::random_bytes::<8>()) % nanos
        };
        half + Duration::from_nanos(jitter)
    }
}

/// Whether a request may be sent again after a failure whose outcome is
/// unknown (a timeout, a 5xx).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Safety {
    /// GETs, and writes that carry the same `X-Request-Id` every time.
    Repeatable,
    /// Everything else: one attempt.
    Once,
}

/// Todoist's error body.
#[derive(Debug, Default, Deserialize)]
struct TodoistErrorBody {
    #[serde(default)]
    error_tag: Option<String>,
    #[serde(default)]
    error_extra: Option<ErrorExtra>,
}

#[derive(Debug, Default, Deserialize)]
struct ErrorExtra {
    #[serde(default)]
    retry_after: Option<f64>,
}

/// The longest wait any hint may ask for. A provider asking for more
/// (`Retry-After: 18446744073709551615`) is rate-limiting us: the wait is
/// capped here, so no `Instant + Duration` can overflow downstream.
pub const MAX_WAIT: Duration = Duration::from_secs(60 * 60);

/// `Retry-After` as seconds or an HTTP date, relative to `now`, capped at
/// [`MAX_WAIT`].
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Any run of digits is seconds, however many (saturating).
        let secs = value.parse::<u64>().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(secs).min(MAX_WAIT));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(now)
            .unwrap_or(Duration::ZERO)
            .min(MAX_WAIT),
    )
}

/// Whether waiting `wait` from now ends before `deadline` (an overflow
/// never does).
fn ends_before(wait: Duration, deadline: Instant) -> bool {
    Instant::now()
        .checked_add(wait)
        .is_some_and(|end| end < deadline)
}

/// The longest wait any hint of the answer asks for.
fn retry_hint(
    response_headers: &reqwest::header::HeaderMap,
    body: &TodoistErrorBody,
) -> Option<Duration> {
    let header = response_headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, SystemTime::now()));
    let extra = body
        .error_extra
        .as_ref()
        .and_then(|e| e.retry_after)
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(|s| Duration::from_secs_f64(s.min(MAX_WAIT.as_secs_f64())));
    header.into_iter().chain(extra).max()
}

impl TodoistClient {
    /// Sends the request `build` makes, as often as the policy allows, and
    /// returns the first 2xx answer.
    pub(crate) async fn send(
        &self,
        user: Option<&UserId>,
        safety: Safety,
        deadline: Instant,
        build: impl Fn() -> RequestBuilder,
    ) -> Result<Response, TodoistError> {
        let policy = self.config.retry;
        let max_attempts = match safety {
            Safety::Repeatable => policy.max_attempts.clamp(1, 3),
            Safety::Once => 1,
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            if let Some(user) = user {
                self.spend_budget(user, deadline).await?;
            }
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(TodoistError::Timeout);
            }
            let last = attempt >= max_attempts;
            let outcome = build()
                .headers(platform::trace::headers())
                .timeout(self.config.timeout.min(remaining))
                .send()
                .await;
            let failure = match outcome {
                Ok(response) if response.status().is_success() => return Ok(response),
                Ok(response) => {
                    let status = response.status();
                    let headers = response.headers().clone();
                    let body: TodoistErrorBody = response.json().await.unwrap_or_default();
                    match status {
                        StatusCode::UNAUTHORIZED => return Err(TodoistError::Unauthorized),
                        StatusCode::FORBIDDEN => {
                            return Err(TodoistError::Forbidden(
                                body.error_tag.unwrap_or_else(|| "FORBIDDEN".into()),
                            ));
                        }
                        StatusCode::NOT_FOUND => return Err(TodoistError::NotFound),
                        StatusCode::TOO_MANY_REQUESTS => {
                            // Not processed: safe to send again whatever it was.
                            let wait = retry_hint(&headers, &body)
                                .unwrap_or_else(|| policy.backoff(attempt));
                            let limited = TodoistError::RateLimited {
                                retry_after: wait,
                                by: RateLimiter::Todoist,
                            };
                            if last || !ends_before(wait, deadline) {
                                return Err(limited);
                            }
                            tracing::info!(
                                attempt,
                                wait_ms = wait.as_millis() as u64,
                                "Todoist said 429; waiting"
                            );
                            tokio::time::sleep(wait).await;
                            continue;
                        }
                        s if s.is_server_error() => {
                            let hint = retry_hint(&headers, &body);
                            (TodoistError::Upstream { status: s.as_u16() }, hint)
                        }
                        s => return Err(TodoistError::Upstream { status: s.as_u16() }),
                    }
                }
                Err(e) if e.is_timeout() => (TodoistError::Timeout, None),
                Err(e) => (TodoistError::Transport(describe(&e)), None),
            };
            let (error, hint) = failure;
            if last {
                return Err(error);
            }
            let wait = hint.unwrap_or_default().max(policy.backoff(attempt));
            if !ends_before(wait, deadline) {
                // A 503 that names its wait is a rate limit by another name.
                return Err(match hint {
                    Some(retry_after) => TodoistError::RateLimited {
                        retry_after,
                        by: RateLimiter::Todoist,
                    },
                    None => error,
                });
            }
            tracing::info!(attempt, error = %error, wait_ms = wait.as_millis() as u64, "Todoist call failed; retrying");
            tokio::time::sleep(wait).await;
        }
    }

    /// Takes one call from the user's budget, waiting for it when the wait
    /// fits before the deadline.
    async fn spend_budget(&self, user: &UserId, deadline: Instant) -> Result<(), TodoistError> {
        loop {
            match self.budget.take(user) {
                Ok(()) => return Ok(()),
                Err(wait) if ends_before(wait, deadline) => tokio::time::sleep(wait).await,
                Err(wait) => {
                    return Err(TodoistError::RateLimited {
                        retry_after: wait.min(MAX_WAIT),
                        by: RateLimiter::OurBudget,
                    });
                }
            }
        }
    }
}

/// A transport error in a few words, without the URL (it may carry ids).
pub(crate) fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "connection failed".into()
    } else if e.is_decode() {
        "could not decode the answer".into()
    } else if e.is_body() {
        "the body failed".into()
    } else {
        "request failed".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
        assert_eq!(
            parse_retry_after(&later, now),
            Some(Duration::from_secs(30))
        );
        let past = httpdate::fmt_http_date(now - Duration::from_secs(30));
        assert_eq!(parse_retry_after(&past, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn a_huge_retry_after_is_capped_at_an_hour() {
        let now = SystemTime::now();
        for huge in ["18446744073709551615", "99999999999999999999999999", "3601"] {
            assert_eq!(parse_retry_after(huge, now), Some(MAX_WAIT), "{huge}");
        }
        let far = httpdate::fmt_http_date(now + Duration::from_secs(400 * 86_400));
        assert_eq!(parse_retry_after(&far, now), Some(MAX_WAIT));
        assert!(!ends_before(
            Duration::MAX,
            Instant::now() + Duration::from_secs(5)
        ));
    }

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        let policy = RetryPolicy {
            max_attempts: 3,
            base: Duration::from_millis(100),
            cap: Duration::from_millis(300),
        };
        for _ in 0..100 {
            let first = policy.backoff(1);
            assert!(first >= Duration::from_millis(50) && first < Duration::from_millis(100));
            let second = policy.backoff(2);
            assert!(second >= Duration::from_millis(100) && second < Duration::from_millis(200));
            let capped = policy.backoff(10);
            assert!(capped >= Duration::from_millis(150) && capped < Duration::from_millis(300));
        }
    }
}
