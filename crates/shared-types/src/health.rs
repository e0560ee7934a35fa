//! Liveness, readiness and the fleet's health report (`/health`, `/ready`).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Liveness answer of a single service (`GET /health`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Liveness {
    /// Always `ok` when the process answers.
    pub status: String,
    /// The service's name, e.g. `auth`.
    pub service: String,
    /// The service's version.
    pub version: String,
}

/// `ok` or `down` for one component; `ok` or `degraded` overall.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Down,
    Degraded,
}

impl Status {
    pub fn is_ok(self) -> bool {
        self == Status::Ok
    }
}

/// One named check inside a readiness or health report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Check {
    pub name: String,
    pub status: Status,
    pub latency_ms: u64,
    /// Why it is down; `null` when it is fine.
    pub detail: Option<String>,
    /// The events waiting in an outbox, on a check that has one (a
    /// service's `outbox` check, and that service's component in the
    /// fleet's `/health`), whether it is up or down; absent elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outbox: Option<OutboxBacklog>,
}

/// A service's outbox: events written with the change that caused them and
/// not yet handed to the bus. Rows that keep waiting, and an oldest row
/// that keeps ageing, mean events are not flowing (the bus or its receiver
/// is away); nothing is lost while they wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OutboxBacklog {
    /// Rows waiting to be sent.
    pub waiting: u64,
    /// Age of the oldest waiting row, in milliseconds (0 when none waits).
    pub oldest_age_ms: u64,
}

/// Readiness of a single service (`GET /ready`): every dependency it needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Readiness {
    /// `ok` when every check is, `down` otherwise.
    pub status: Status,
    pub service: String,
    pub checks: Vec<Check>,
}

/// The fleet's health, as the gateway answers `GET /health`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct HealthReport {
    /// `ok` when every component is, `degraded` otherwise.
    pub status: Status,
    /// When the checks ran, RFC 3339 in UTC.
    pub checked_at: String,
    pub components: Vec<Check>,
}
