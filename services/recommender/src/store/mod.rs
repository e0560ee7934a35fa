//! The recommender's tables, in portable SQL over `AnyPool` (ids as TEXT,
//! times as BIGINT epoch milliseconds, JSON as TEXT):
//!
//! * [`decisions`]: every decision and one row per candidate.
//! * [`events`]: feedback and provider events, once per event id.
//! * [`actions`]: done / skip / undo by idempotency key.

pub mod actions;
pub mod decisions;
pub mod events;

use sqlx::AnyPool;

pub use actions::ActionState;
pub use decisions::{CandidateRow, DecisionRow, NewDecision};

pub use platform::db::StoreError;

/// The service's data, behind one handle.
#[derive(Debug, Clone)]
pub struct Store {
    db: AnyPool,
}

impl Store {
    pub fn new(db: AnyPool) -> Self {
        Self { db }
    }

    pub fn pool(&self) -> &AnyPool {
        &self.db
    }
}

/// A value as JSON text.
fn json_text<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("wire types serialize")
}

/// JSON text back into a value.
fn from_json<T: serde::de::DeserializeOwned>(
    text: &str,
    what: &'static str,
) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|_| StoreError::Corrupt(what))
}
