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
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Due {
    /// `YYYY-MM-DD`, floating `YYYY-MM-DDTHH:MM:SS`, or UTC `…Z`.
    pub date: String,
    #[serde(default)]
    pub timezone: Option<String>,
    #[serde(default)]
    pub string: Option<String>,
    #[serde(default)]
    pub lang: Option<String>,
    #[serde(default)]
    pub is_recurring: bool,
}

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
