//! Wire types that cross service boundaries.
//!
//! Everything here is plain data with `serde` and `utoipa` derives, so the
//! services, the web app, the tools and the generated clients agree on one
//! shape. This crate depends on neither axum nor sqlx.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The JSON body of every error answer: a stable machine code and a sentence
/// for people. Never carries internal details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    /// A short, stable code such as `not_found` or `invalid_request`.
    pub error: String,
    /// What went wrong, for a person.
    pub message: String,
}

impl ErrorBody {
    pub fn new(error: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            error: error.into(),
            message: message.into(),
        }
    }
}

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

/// What the recommender shows: one task or one advice card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Tip {
    pub id: String,
    pub kind: TipKind,
    pub title: String,
    pub body: String,
    pub source: String,
    pub deep_link: Option<String>,
    #[schema(value_type = Object)]
    pub meta: serde_json::Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TipKind {
    Todo,
    Advice,
}

/// Something that happened, in one shape whatever its source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NormalizedEvent {
    /// A UUIDv7, so ids sort by time.
    pub id: uuid::Uuid,
    pub user_id: uuid::Uuid,
    /// `todoist`, `onetip`, …
    pub source: String,
    /// `task.completed`, `tip.done`, …
    pub kind: String,
    /// The task or tip the event is about.
    pub subject_id: String,
    /// RFC 3339 in UTC.
    pub occurred_at: String,
    pub trace_id: Option<String>,
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_serialise_in_lowercase_as_the_health_contract_says() {
        assert_eq!(
            serde_json::to_string(&Status::Degraded).unwrap(),
            "\"degraded\""
        );
        assert_eq!(serde_json::to_string(&Status::Down).unwrap(), "\"down\"");
    }

    #[test]
    fn tip_kind_is_todo_or_advice_on_the_wire() {
        let kind: TipKind = serde_json::from_str("\"advice\"").unwrap();
        assert_eq!(kind, TipKind::Advice);
        assert!(serde_json::from_str::<TipKind>("\"other\"").is_err());
    }
}
