//! What can go wrong talking to Todoist, typed so callers can act on it
//! (reconnect, wait, show "not found"). Never carries a token or a body.

use std::time::Duration;

/// One Todoist call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TodoistError {
    /// 401: the access token is invalid or expired.
    #[error("Todoist refused the token (401)")]
    Unauthorized,
    /// 403: the token lacks a scope (`AUTH_INSUFFICIENT_TOKEN_SCOPE`).
    #[error("the Todoist token lacks a scope (403 {0})")]
    Forbidden(String),
    /// 404: the task (or other id) does not exist.
    #[error("Todoist does not know this id (404)")]
    NotFound,
    /// 429, or our own per-user budget: come back after `retry_after`.
    #[error("rate limited by {by}, retry after {} s", retry_after_secs(*.retry_after))]
    RateLimited {
        retry_after: Duration,
        by: RateLimiter,
    },
    /// 5xx after every allowed attempt, or another unexpected status.
    #[error("Todoist answered {status}")]
    Upstream { status: u16 },
    /// No answer in time after every allowed attempt.
    #[error("Todoist did not answer in time")]
    Timeout,
    /// The connection failed after every allowed attempt.
    #[error("could not reach Todoist: {0}")]
    Transport(String),
    /// The answer was not what the contract says.
    #[error("Todoist's answer is malformed: {0}")]
    InvalidResponse(String),
    /// A Sync command was refused (its `sync_status` entry is an error):
    /// the tag Todoist gave, and its message.
    #[error("Todoist refused the command ({tag}: {message})")]
    CommandRefused { tag: String, message: String },
    /// The token endpoint refused the grant (`invalid_grant`, …).
    #[error("Todoist refused the grant: {0}")]
    GrantRefused(String),
    /// Our configuration is unusable (a bad URL).
    #[error("Todoist client configuration: {0}")]
    Config(String),
}

/// Who said "slow down".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateLimiter {
    Todoist,
    OurBudget,
}

impl std::fmt::Display for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Todoist => "Todoist",
            Self::OurBudget => "the per-user budget",
        })
    }
}

/// Whole seconds, rounded up (what a `Retry-After` header carries).
pub fn retry_after_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

impl TodoistError {
    /// The wait to advertise when this error is a rate limit.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after, .. } => Some(*retry_after),
            _ => None,
        }
    }
}
