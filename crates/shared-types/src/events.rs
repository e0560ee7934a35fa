//! The one shape of everything that happens, whatever its source, and the
//! names of the kinds the fleet emits. Events travel through the platform's
//! `EventSink` (HTTP to the recommender today, NATS later).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Something that happened, in one shape whatever its source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NormalizedEvent {
    /// A UUIDv7, so ids sort by time. Receivers store an event once per id.
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

/// The event kinds, written once for producers and consumers alike.
pub mod kinds {
    /// An open item a connector currently holds (the candidate list).
    pub const TASK_OPEN: &str = "task.open";
    /// integrations completed an item at its provider.
    pub const TASK_COMPLETED: &str = "task.completed";
    /// integrations reopened (or restored the due date of) an item.
    pub const TASK_REOPENED: &str = "task.reopened";
    /// A decision's tip was shown (again, on a sticky reload).
    pub const TIP_SHOWN: &str = "tip.shown";
    pub const TIP_DONE: &str = "tip.done";
    pub const TIP_SKIPPED: &str = "tip.skipped";
    pub const TIP_UNDONE: &str = "tip.undone";
    /// An open decision was replaced by a new draw.
    pub const TIP_SUPERSEDED: &str = "tip.superseded";

    /// Every kind the recommender accepts as feedback on a decision.
    pub const TIP_FEEDBACK: [&str; 5] =
        [TIP_SHOWN, TIP_DONE, TIP_SKIPPED, TIP_UNDONE, TIP_SUPERSEDED];
}

/// The source name of events Onetip itself produces.
pub const SOURCE_ONETIP: &str = "onetip";
