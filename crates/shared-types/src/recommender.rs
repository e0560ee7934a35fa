//! The recommender's API: the one tip, why it was picked, and what the
//! user did with it.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::integrations::SourceReport;

/// What the recommender shows: one task or one advice card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Tip {
    /// `todoist:<task id>` or `advice:<slug>`.
    pub id: String,
    pub kind: TipKind,
    pub title: String,
    pub body: String,
    /// `todoist`, or `onetip` for advice.
    pub source: String,
    pub deep_link: Option<String>,
    /// `reason`: one true line about the item ("2 days overdue · P1");
    /// `why`: how the policy picked it ("picked at random from 14 tasks").
    pub meta: TipMeta,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TipMeta {
    pub reason: String,
    pub why: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TipKind {
    Todo,
    Advice,
}

/// `POST /api/recommend`'s body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecommendRequest {
    /// Must be the access token's subject.
    #[schema(value_type = String, format = Uuid)]
    pub user_id: crate::UserId,
    /// Free-form context for the policy (a JSON object, at most 16 KiB).
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub context: Option<serde_json::Value>,
    /// Supersede the open decision and draw again.
    #[serde(default)]
    pub new: bool,
}

/// Why an answer is degraded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DegradedReason {
    /// No source is connected: an advice card.
    NotConnected,
    /// A source must be connected again: an advice card or what it had.
    ReconnectRequired,
    /// Sources answered, but no task is eligible now: an advice card.
    NoEligibleTasks,
    /// Every source failed or was too slow: an advice card.
    SourcesFailed,
    /// A source is failing; its last good list was used.
    Stale,
}

/// `POST /api/recommend`'s answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Recommendation {
    pub decision_id: uuid::Uuid,
    pub tip: Tip,
    /// True when the open decision was returned again (no new draw).
    pub reused: bool,
    pub degraded: bool,
    pub degraded_reason: Option<DegradedReason>,
    /// How each source answered when the decision was drawn.
    pub sources: Vec<SourceReport>,
    /// The user's last done tip while it can still be undone.
    #[serde(default)]
    pub undo: Option<UndoOffer>,
}

/// A done tip that can still be undone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UndoOffer {
    pub decision_id: uuid::Uuid,
    pub title: String,
    /// RFC 3339, UTC.
    pub undo_until: String,
}

/// A decision's life: `pending` while a done is being written to the
/// provider, then `done`; `undone` after an undo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DecisionStatus {
    Open,
    Pending,
    Done,
    Skipped,
    Undone,
    Superseded,
    Expired,
}

impl DecisionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Pending => "pending",
            Self::Done => "done",
            Self::Skipped => "skipped",
            Self::Undone => "undone",
            Self::Superseded => "superseded",
            Self::Expired => "expired",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Open,
            Self::Pending,
            Self::Done,
            Self::Skipped,
            Self::Undone,
            Self::Superseded,
            Self::Expired,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// `POST /api/tips/{decision_id}/skip`'s body (optional).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SkipRequest {
    #[serde(default)]
    pub reason: Option<SkipReason>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    NotNow,
    TooBig,
    Blocked,
    NotRelevant,
    Other,
}

impl SkipReason {
    pub const ALL: [SkipReason; 5] = [
        Self::NotNow,
        Self::TooBig,
        Self::Blocked,
        Self::NotRelevant,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotNow => "not_now",
            Self::TooBig => "too_big",
            Self::Blocked => "blocked",
            Self::NotRelevant => "not_relevant",
            Self::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == text)
    }

    /// How a person reads it.
    pub fn label(self) -> &'static str {
        match self {
            Self::NotNow => "Not now",
            Self::TooBig => "Too big",
            Self::Blocked => "Blocked",
            Self::NotRelevant => "Not relevant",
            Self::Other => "Other",
        }
    }
}

/// The answer of done, skip and undo.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TipActionAnswer {
    /// The decision's status after the action.
    pub status: DecisionStatus,
    /// After done: until when undo is offered (RFC 3339, UTC).
    pub undo_until: Option<String>,
    /// The next recommendation; `null` after an undo of a task that is the
    /// tip again (then `next` is that decision).
    pub next: Option<Recommendation>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recommend_request_carries_the_user_id_as_plain_uuid_text() {
        let text =
            r#"{"user_id":"0190c0de-7b1a-7cc2-9d1e-3c5e2a1b4f00","context":null,"new":false}"#;
        let request: RecommendRequest = serde_json::from_str(text).unwrap();
        assert_eq!(
            request.user_id,
            uuid::Uuid::parse_str("0190c0de-7b1a-7cc2-9d1e-3c5e2a1b4f00").unwrap()
        );
        assert_eq!(serde_json::to_string(&request).unwrap(), text);
        let short = r#"{"user_id":"0190c0de-7b1a-7cc2-9d1e-3c5e2a1b4f00"}"#;
        assert!(!serde_json::from_str::<RecommendRequest>(short).unwrap().new);
        for refused in [
            r#"{"user_id":"not-a-uuid"}"#,
            r#"{"user_id":42}"#,
            r#"{"user_id":"0190c0de-7b1a-7cc2-9d1e-3c5e2a1b4f00","extra":1}"#,
        ] {
            assert!(
                serde_json::from_str::<RecommendRequest>(refused).is_err(),
                "{refused}"
            );
        }
    }
}
