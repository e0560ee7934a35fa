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
    Ranked::new(candidates)
        .eligible(recently_acted, today)
        .into_iter()
        .cloned()
        .collect()
}

/// One candidate list with the rules that depend on the list alone
/// applied (subtasks, headers, assignees) and in offering order, so that
/// what changes from one request to the next (what the user acted on
/// lately, today) costs a few steps, not a walk over the list. Built once
/// per list and kept while integrations says the list is unchanged.
#[derive(Debug, Default)]
pub struct Ranked {
    /// By due day (none last), then priority (highest first), then id.
    candidates: Vec<Candidate>,
    /// Where the undated tasks start (after every dated one).
    undated_from: usize,
}

impl Ranked {
    pub fn new(candidates: Vec<Candidate>) -> Self {
        let parents: HashSet<String> = candidates
            .iter()
            .filter_map(|c| c.parent_id.clone())
            .collect();
        let mut kept: Vec<Candidate> = candidates
            .into_iter()
            .filter(|c| !parents.contains(&c.item_id))
            .filter(|c| !c.title.starts_with("* "))
            .filter(|c| !c.assigned_to_other)
            .collect();
        // Most pressing first, so the cap drops the least pressing: by due
        // day (none last), then priority, then id for a stable order.
        kept.sort_by(|a, b| {
            due_key(a)
                .cmp(&due_key(b))
                .then(b.features.priority.cmp(&a.features.priority))
                .then(a.id.cmp(&b.id))
        });
        let undated_from = kept.partition_point(|c| due_key(c) < Date::MAX);
        Self {
            candidates: kept,
            undated_from,
        }
    }

    /// How many candidates the list keeps before the per-request rules.
    pub fn len(&self) -> usize {
        self.candidates.len()
    }

    pub fn is_empty(&self) -> bool {
        self.candidates.is_empty()
    }

    /// The candidates on offer now, most pressing first, at most
    /// [`MAX_CANDIDATES`] (the rules of [`eligible`]).
    pub fn eligible(&self, recently_acted: &HashSet<String>, today: Date) -> Vec<&Candidate> {
        let fresh = |c: &&Candidate| !recently_acted.contains(&c.id);
        let dated = &self.candidates[..self.undated_from];
        let due_by_today = &dated[..dated.partition_point(|c| due_key(c) <= today)];
        let pressing = due_by_today.iter().any(|c| fresh(&c));
        let on_offer: Box<dyn Iterator<Item = &Candidate>> = if pressing {
            // Future-dated tasks wait: what is due by today, then undated.
            Box::new(
                due_by_today.iter().chain(
                    self.candidates[self.undated_from..]
                        .iter()
                        .filter(|c| c.due.is_none_or(|d| d <= today)),
                ),
            )
        } else {
            Box::new(self.candidates.iter())
        };
        on_offer.filter(fresh).take(MAX_CANDIDATES).collect()
    }
}

/// A candidate's due day for ordering: none sorts last.
fn due_key(c: &Candidate) -> Date {
    c.due.unwrap_or(Date::MAX)
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
    /// The rules as first written (filter, then sort, then cap), against
    /// which the ranked list's shortcut is checked.
    fn reference(
        candidates: Vec<Candidate>,
        recently_acted: &HashSet<String>,
        today: Date,
    ) -> Vec<Candidate> {
        let parents: HashSet<String> = candidates
            .iter()
            .filter_map(|c| c.parent_id.clone())
            .collect();
        let mut kept: Vec<Candidate> = candidates
            .into_iter()
            .filter(|c| !parents.contains(&c.item_id))
            .filter(|c| !c.title.starts_with("* "))
            .filter(|c| !c.assigned_to_other)
            .filter(|c| !recently_acted.contains(&c.id))
            .collect();
        if kept.iter().any(|c| c.due.is_some_and(|d| d <= today)) {
            kept.retain(|c| c.due.is_none_or(|d| d <= today));
        }
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

    #[test]
    fn the_ranked_list_offers_exactly_what_the_rules_say_for_any_acted_set_and_day() {
        // A deterministic mix: overdue, today, future and undated tasks,
        // priorities, a few parents and headers, 0 to 130 tasks.
        let mut seed: u64 = 0x5eed;
        let mut next = move |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        for round in 0..300 {
            let n = next(130) as usize;
            let list: Vec<Candidate> = (0..n)
                .map(|i| {
                    let mut payload = json!({
                        "title": if next(20) == 0 { format!("* Header {i}") } else { format!("Task {i}") },
                        "priority": next(4) + 1,
                    });
                    if next(3) > 0 {
                        payload["due"] = json!({"date": format!("2026-12-{:02}", next(20) + 1)});
                    }
                    if i > 0 && next(10) == 0 {
                        payload["parent_id"] = json!(format!("t{}", next(i as u64)));
                    }
                    task(&format!("t{i}"), payload)
                })
                .collect();
            let acted: HashSet<String> = (0..n)
                .filter(|_| next(4) == 0)
                .map(|i| format!("todoist:t{i}"))
                .collect();
            let day = parse_day(&format!("2026-12-{:02}", next(22) + 1)).unwrap();
            let ranked = Ranked::new(list.clone());
            let got: Vec<Candidate> = ranked.eligible(&acted, day).into_iter().cloned().collect();
            assert_eq!(got, reference(list, &acted, day), "round {round}");
        }
    }
}
