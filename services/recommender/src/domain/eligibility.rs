//! Which candidates may be offered: a pure function of the candidate list,
//! what the user acted on lately, and today. Versioned, because the
//! decision log records which rules produced a candidate set.

use std::collections::HashSet;

use time::Date;

use super::Candidate;

/// Stored on every decision. Bump it when a rule changes.
pub const VERSION: &str = "eligibility-1";

/// The most candidates one decision considers.
pub const MAX_CANDIDATES: usize = 50;

/// How long an item done or skipped stays out of the candidates. A
/// recurring task stays active at Todoist after its close, so without this
/// it would come straight back.
pub const RECENTLY_ACTED: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// The candidates that may be offered, most pressing first, at most
/// [`MAX_CANDIDATES`]:
/// * no task with open subtasks (closing a parent closes its children),
/// * no task whose content starts with `* ` (a header Todoist cannot complete),
/// * no task assigned to someone else,
/// * no item done or skipped lately (`recently_acted` holds candidate ids),
/// * no future-dated task while any task is overdue or due today.
pub fn eligible(
    candidates: Vec<Candidate>,
    recently_acted: &HashSet<String>,
    today: Date,
) -> Vec<Candidate> {
    let parents: HashSet<&str> = candidates
        .iter()
        .filter_map(|c| c.parent_id.as_deref())
        .collect();
    let parents: HashSet<String> = parents.into_iter().map(str::to_owned).collect();
    let mut kept: Vec<Candidate> = candidates
        .into_iter()
        .filter(|c| !parents.contains(&c.item_id))
        .filter(|c| !c.title.starts_with("* "))
        .filter(|c| !c.assigned_to_other)
        .filter(|c| !recently_acted.contains(&c.id))
        .collect();
    let pressing = kept.iter().any(|c| c.due.is_some_and(|d| d <= today));
    if pressing {
        kept.retain(|c| c.due.is_none_or(|d| d <= today));
    }
    // Most pressing first, so the cap drops the least pressing: by due day
    // (none last), then priority, then id for a stable order.
    kept.sort_by(|a, b| {
        let due = |c: &Candidate| c.due.unwrap_or(Date::MAX);
        due(a)
            .cmp(&due(b))
            .then(b.features.priority.cmp(&a.features.priority))
            .then(a.id.cmp(&b.id))
    });
    kept.truncate(MAX_CANDIDATES);
    kept
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::domain::candidate::parse_day;

    fn today() -> Date {
        parse_day("2026-12-10").unwrap()
    }

    fn task(id: &str, payload: serde_json::Value) -> Candidate {
        let event = shared_types::NormalizedEvent {
            id: uuid::Uuid::now_v7(),
            user_id: uuid::Uuid::nil(),
            source: "todoist".into(),
            kind: "task.open".into(),
            subject_id: id.into(),
            occurred_at: "2026-12-01T00:00:00Z".into(),
            trace_id: None,
            payload,
        };
        Candidate::from_event(&event, today()).unwrap()
    }

    fn ids(list: &[Candidate]) -> Vec<&str> {
        list.iter().map(|c| c.item_id.as_str()).collect()
    }

    #[test]
    fn a_parent_with_open_subtasks_is_never_offered_but_its_subtask_is() {
        let list = vec![
            task("parent", json!({"title": "Move house"})),
            task(
                "child",
                json!({"title": "Book the van", "parent_id": "parent"}),
            ),
        ];
        assert_eq!(ids(&eligible(list, &HashSet::new(), today())), ["child"]);
    }

    #[test]
    fn headers_and_tasks_assigned_to_someone_else_are_never_offered() {
        let list = vec![
            task("h", json!({"title": "* Errands"})),
            task(
                "theirs",
                json!({"title": "Review", "assigned_to_other": true}),
            ),
            task("mine", json!({"title": "Buy milk"})),
        ];
        assert_eq!(ids(&eligible(list, &HashSet::new(), today())), ["mine"]);
    }

    #[test]
    fn future_tasks_wait_while_anything_is_overdue_or_due_today() {
        let list = vec![
            task(
                "future",
                json!({"title": "Later", "due": {"date": "2026-12-20"}}),
            ),
            task(
                "overdue",
                json!({"title": "Late", "due": {"date": "2026-12-01"}}),
            ),
            task("undated", json!({"title": "Someday"})),
        ];
        assert_eq!(
            ids(&eligible(list, &HashSet::new(), today())),
            ["overdue", "undated"]
        );
        let list = vec![
            task(
                "future",
                json!({"title": "Later", "due": {"date": "2026-12-20"}}),
            ),
            task("undated", json!({"title": "Someday"})),
        ];
        assert_eq!(
            ids(&eligible(list, &HashSet::new(), today())),
            ["future", "undated"]
        );
    }

    #[test]
    fn a_just_done_recurring_task_is_not_offered_again() {
        let list = vec![
            task(
                "daily",
                json!({"title": "Water plants", "is_recurring": true,
                       "due": {"date": "2026-12-11", "is_recurring": true, "string": "every day"}}),
            ),
            task("other", json!({"title": "Other"})),
        ];
        let acted = HashSet::from(["todoist:daily".to_owned()]);
        assert_eq!(ids(&eligible(list, &acted, today())), ["other"]);
    }

    #[test]
    fn at_most_fifty_candidates_the_most_pressing_kept() {
        let mut list: Vec<Candidate> = (0..80)
            .map(|i| task(&format!("t{i:02}"), json!({"title": format!("Task {i}")})))
            .collect();
        list.push(task(
            "urgent",
            json!({"title": "Now", "due": {"date": "2026-12-10"}}),
        ));
        let kept = eligible(list, &HashSet::new(), today());
        assert_eq!(kept.len(), MAX_CANDIDATES);
        assert_eq!(kept[0].item_id, "urgent");
    }
}
