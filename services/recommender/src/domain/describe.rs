//! The words on a tip: `meta.reason`, one short true line about the item
//! ("2 days overdue · P1"), and `meta.why`, honest about how it was picked.

use shared_types::TipKind;

use super::Candidate;

/// One line about the item, from its features.
pub fn reason(candidate: &Candidate) -> String {
    if candidate.kind == TipKind::Advice {
        return "A small thing worth doing".into();
    }
    let f = &candidate.features;
    let mut parts: Vec<String> = Vec::new();
    match (f.overdue_days, f.due_today, f.due_in_days) {
        (1, _, _) => parts.push("1 day overdue".into()),
        (n, _, _) if n > 1 => parts.push(format!("{n} days overdue")),
        (_, 1, _) => parts.push("due today".into()),
        (_, _, Some(1)) => parts.push("due tomorrow".into()),
        (_, _, Some(n)) => parts.push(format!("due in {n} days")),
        _ => {}
    }
    match f.deadline_in_days {
        Some(d) if d < 0 => parts.push("deadline passed".into()),
        Some(0) => parts.push("deadline today".into()),
        Some(1) => parts.push("deadline tomorrow".into()),
        Some(d) if d <= 14 => parts.push(format!("deadline in {d} days")),
        _ => {}
    }
    // Todoist's API priority 4 is the one its app shows as P1.
    if f.priority > 1 {
        parts.push(format!("P{}", 5 - f.priority));
    }
    if f.is_recurring == 1
        && let Some(rule) = candidate
            .due_string
            .as_deref()
            .filter(|s| !s.trim().is_empty())
    {
        parts.push(rule.trim().to_owned());
    }
    if parts.is_empty() {
        parts.push(if f.age_days > 1 {
            format!("on your list for {} days", f.age_days)
        } else {
            "on your list".into()
        });
    }
    parts.join(" · ")
}

/// "tasks" or "advice cards", counted.
pub fn counted(n: usize, kind: TipKind) -> String {
    match (kind, n) {
        (TipKind::Todo, 1) => "1 task".into(),
        (TipKind::Todo, n) => format!("{n} tasks"),
        (TipKind::Advice, 1) => "1 advice card".into(),
        (TipKind::Advice, n) => format!("{n} advice cards"),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::domain::candidate::parse_day;

    fn candidate(payload: serde_json::Value) -> Candidate {
        let event = shared_types::NormalizedEvent {
            id: uuid::Uuid::now_v7(),
            user_id: uuid::Uuid::nil(),
            source: "todoist".into(),
            kind: "task.open".into(),
            subject_id: "t".into(),
            occurred_at: "2026-12-01T00:00:00Z".into(),
            trace_id: None,
            payload,
        };
        Candidate::from_event(&event, parse_day("2026-12-10").unwrap()).unwrap()
    }

    #[test]
    fn the_reason_says_what_is_true_of_the_task() {
        let c = candidate(json!({"title": "x", "priority": 4, "due": {"date": "2026-12-08"}}));
        assert_eq!(reason(&c), "2 days overdue · P1");
        let c = candidate(json!({"title": "x", "priority": 1, "due": {"date": "2026-12-10"}}));
        assert_eq!(reason(&c), "due today");
        let c = candidate(
            json!({"title": "x", "priority": 2, "deadline": "2026-12-13",
            "due": {"date": "2026-12-11", "string": "every day", "is_recurring": true},
            "is_recurring": true}),
        );
        assert_eq!(
            reason(&c),
            "due tomorrow · deadline in 3 days · P3 · every day"
        );
        let c = candidate(json!({"title": "x", "added_at": "2026-12-01T00:00:00Z"}));
        assert_eq!(reason(&c), "on your list for 9 days");
    }
}
