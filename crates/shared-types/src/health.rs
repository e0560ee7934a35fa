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
