//! Todoist API v1 shapes, lenient on input: unknown fields are ignored and
//! most known ones may be missing.

use serde::{Deserialize, Serialize};

/// An active task (`GET /api/v1/tasks`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    pub id: String,
    #[serde(default)]
    pub user_id: Option<String>,
    #[serde(default)]
    pub project_id: Option<String>,
    #[serde(default)]
    pub section_id: Option<String>,
    #[serde(default)]
    pub parent_id: Option<String>,
    pub content: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub labels: Vec<String>,
    /// 1 normal … 4 urgent.
    #[serde(default = "normal_priority")]
    pub priority: u8,
    #[serde(default)]
    pub due: Option<Due>,
    #[serde(default)]
    pub deadline: Option<TaskDeadline>,
    #[serde(default)]
    pub duration: Option<TaskDuration>,
    #[serde(default)]
    pub checked: bool,
    #[serde(default)]
    pub is_deleted: bool,
    #[serde(default)]
    pub child_order: Option<i64>,
    #[serde(default)]
    pub day_order: Option<i64>,
    #[serde(default)]
    pub note_count: Option<i64>,
    /// Who added the task.
    #[serde(default)]
    pub added_by_uid: Option<String>,
    /// Who the task is assigned to, in a shared project (`null` when no one).
    #[serde(default)]
    pub responsible_uid: Option<String>,
    #[serde(default)]
    pub added_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(default)]
    pub completed_at: Option<String>,
}

fn normal_priority() -> u8 {
    1
}

impl Task {
    /// The task's page in Todoist's web app (the API has no `url`).
    pub fn web_url(&self) -> String {
        format!("https://app.todoist.com/app/task/{}", self.id)
    }

    /// Whether closing it only moves it to its next occurrence.
    pub fn is_recurring(&self) -> bool {
        self.due.as_ref().is_some_and(|d| d.is_recurring)
    }

    /// True when the task is assigned to someone other than its owner.
    pub fn assigned_to_other(&self) -> bool {
        match (&self.responsible_uid, &self.user_id) {
            (Some(responsible), Some(owner)) => responsible != owner,
            (Some(_), None) => true,
            (None, _) => false,
        }
    }

    /// Its estimated duration in minutes (a day is 1440).
    pub fn duration_minutes(&self) -> Option<i64> {
        let d = self.duration.as_ref()?;
        match d.unit.as_str() {
            "minute" => Some(d.amount),
            "day" => Some(d.amount.saturating_mul(24 * 60)),
            _ => None,
        }
    }
}

/// The answer to `POST /api/v1/sync` with commands: each command's uuid
/// maps to `"ok"` or an error object.
#[derive(Debug, Deserialize)]
pub(crate) struct SyncAnswer {
    #[serde(default)]
    pub sync_status: std::collections::HashMap<String, serde_json::Value>,
}

/// A due date, kept whole: the wire contract's type, so the object the
/// recommender gets back at close time is the one an undo sends Todoist.
pub type Due = shared_types::integrations::TaskDue;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskDeadline {
    pub date: String,
    #[serde(default)]
    pub lang: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskDuration {
    pub amount: i64,
    /// `minute` or `day`.
    pub unit: String,
}

/// One page of a listing.
#[derive(Debug, Deserialize)]
pub(crate) struct Page<T> {
    pub results: Vec<T>,
    #[serde(default)]
    pub next_cursor: Option<String>,
}
