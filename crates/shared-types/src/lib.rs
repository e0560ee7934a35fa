//! Wire types that cross service boundaries, one module per owner.
//!
//! Everything here is plain data with `serde` and `utoipa` derives, so the
//! services, the web app, the tools and the generated clients agree on one
//! shape. This crate depends on neither axum nor sqlx.

pub mod auth;
pub mod events;
pub mod health;
pub mod integrations;
pub mod profile;
pub mod recommender;

pub use events::NormalizedEvent;
pub use health::{Check, HealthReport, Liveness, Readiness, Status};
pub use profile::UserId;
pub use recommender::{Tip, TipKind};

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
