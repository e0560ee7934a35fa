//! Todoist tasks as `task.open` events (payload: [`TaskPayload`]), and the
//! patches our own writes make to a cached list.

use shared_types::NormalizedEvent;
use shared_types::events::kinds::TASK_OPEN;
use shared_types::integrations::{TaskDue, TaskPayload};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::NAME;
use crate::domain::UserId;
use crate::todoist::Task;

/// What a policy may score and a page may show about `task`.
pub(super) fn payload(task: &Task) -> TaskPayload {
    TaskPayload {
        title: task.content.clone(),
        description: task.description.clone(),
        priority: task.priority,
        labels: task.labels.clone(),
        project_id: task.project_id.clone(),
        section_id: task.section_id.clone(),
        parent_id: task.parent_id.clone(),
        due: task.due.clone(),
        deadline: task.deadline.as_ref().map(|d| d.date.clone()),
        duration_minutes: task.duration_minutes(),
        is_recurring: task.is_recurring(),
        deep_link: Some(task.web_url()),
        added_at: task.added_at.clone(),
        assigned_to_other: task.assigned_to_other(),
    }
}

/// A task as a `task.open` event.
pub(super) fn to_event(user: &UserId, task: &Task) -> NormalizedEvent {
    let occurred_at = task
        .updated_at
        .clone()
        .or_else(|| task.added_at.clone())
        .unwrap_or_else(|| {
            OffsetDateTime::now_utc()
                .format(&Rfc3339)
                .unwrap_or_default()
        });
    NormalizedEvent {
        id: uuid::Uuid::now_v7(),
        user_id: user.as_uuid(),
        source: NAME.into(),
        kind: TASK_OPEN.into(),
        subject_id: task.id.clone(),
        occurred_at,
        trace_id: None,
        payload: serde_json::to_value(payload(task)).unwrap_or_default(),
    }
}

pub(super) fn changed_since(task: &Task, since: Option<OffsetDateTime>) -> bool {
    let Some(since) = since else {
        return true;
    };
    task.updated_at
        .as_deref()
        .or(task.added_at.as_deref())
        .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok())
        // Unknown times count as changed: better shown than lost.
        .is_none_or(|t| t >= since)
}

/// The list without `id` and its subtasks, at any depth (closing a parent
/// closes its children).
pub(super) fn without_closed(tasks: &[Task], id: &str) -> Vec<Task> {
    let mut closed = vec![id.to_owned()];
    loop {
        let more: Vec<String> = tasks
            .iter()
            .filter(|t| {
                t.parent_id.as_ref().is_some_and(|p| closed.contains(p)) && !closed.contains(&t.id)
            })
            .map(|t| t.id.clone())
            .collect();
        if more.is_empty() {
            break;
        }
        closed.extend(more);
    }
    tasks
        .iter()
        .filter(|t| !closed.contains(&t.id))
        .cloned()
        .collect()
}

/// The list with `id`'s due date replaced.
pub(super) fn with_due(tasks: &[Task], id: &str, due: &TaskDue) -> Vec<Task> {
    tasks
        .iter()
        .map(|t| {
            let mut t = t.clone();
            if t.id == id {
                t.due = Some(due.clone());
            }
            t
        })
        .collect()
}

/// The list with `task` in it (replacing an older copy).
pub(super) fn with_task(tasks: &[Task], task: &Task) -> Vec<Task> {
    let mut out: Vec<Task> = tasks.iter().filter(|t| t.id != task.id).cloned().collect();
    out.push(task.clone());
    out
}
