//! A candidate: one item a policy may pick, with the features it is scored
//! by. Features are computed once, when the decision is made, and stored
//! with it, so a later policy can be evaluated on what this one saw.

use serde::{Deserialize, Serialize};
use shared_types::integrations::TaskPayload;
use shared_types::{NormalizedEvent, Tip, TipKind, recommender::TipMeta};
use time::Date;

use super::advice::Advice;

/// What a policy scores. Absent values are left out of the stored JSON
/// (Vowpal Wabbit reads a missing feature as zero; a `null` it refuses).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Features {
    /// `todo` or `advice`.
    pub kind: String,
    pub source: String,
    /// Todoist's API priority, 1 normal … 4 urgent (advice: 1).
    pub priority: u8,
    /// Days past the due date (0 when not overdue).
    pub overdue_days: i64,
    /// 1 when due today.
    pub due_today: u8,
    /// Days until a future due date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_in_days: Option<i64>,
    /// Days until the deadline (negative: passed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_in_days: Option<i64>,
    /// Days since the task was added.
    pub age_days: i64,
    pub is_recurring: u8,
    /// Estimated minutes, when the task says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_minutes: Option<i64>,
}

/// One item on offer.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// `todoist:<id>` or `advice:<slug>`.
    pub id: String,
    /// The connector (`todoist`) or `onetip`.
    pub source: String,
    /// The id at the source (the Todoist task id, the advice slug).
    pub item_id: String,
    pub kind: TipKind,
    pub title: String,
    pub body: String,
    pub deep_link: Option<String>,
    /// The parent task, for the open-subtasks rule.
    pub parent_id: Option<String>,
    pub assigned_to_other: bool,
    /// The due date (the calendar day), when there is one.
    pub due: Option<Date>,
    /// How the user wrote the due date (`every day`), for the reason line.
    pub due_string: Option<String>,
    pub features: Features,
}

impl Candidate {
    /// A `task.open` event from integrations, as seen on `today`. `None`
    /// when its payload is not a task.
    pub fn from_event(event: &NormalizedEvent, today: Date) -> Option<Self> {
        let task: TaskPayload = serde_json::from_value(event.payload.clone()).ok()?;
        let due = task.due.as_ref().and_then(|d| parse_day(&d.date));
        let deadline = task.deadline.as_deref().and_then(parse_day);
        let added = task.added_at.as_deref().and_then(parse_day);
        let days_from_today = |d: Date| (d - today).whole_days();
        let overdue_days = due.map_or(0, |d| (-days_from_today(d)).max(0));
        let features = Features {
            kind: "todo".into(),
            source: event.source.clone(),
            priority: task.priority.clamp(1, 4),
            overdue_days,
            due_today: u8::from(due == Some(today)),
            due_in_days: due.map(days_from_today).filter(|d| *d > 0),
            deadline_in_days: deadline.map(days_from_today),
            age_days: added.map_or(0, |a| (-days_from_today(a)).max(0)),
            is_recurring: u8::from(task.is_recurring),
            duration_minutes: task.duration_minutes,
        };
        Some(Self {
            id: format!("{}:{}", event.source, event.subject_id),
            source: event.source.clone(),
            item_id: event.subject_id.clone(),
            kind: TipKind::Todo,
            title: task.title,
            body: task.description,
            deep_link: task.deep_link,
            parent_id: task.parent_id,
            assigned_to_other: task.assigned_to_other,
            due,
            due_string: task.due.and_then(|d| d.string),
            features,
        })
    }

    /// An advice card as a candidate.
    pub fn from_advice(advice: &Advice) -> Self {
        Self {
            id: format!("advice:{}", advice.slug),
            source: shared_types::events::SOURCE_ONETIP.into(),
            item_id: advice.slug.into(),
            kind: TipKind::Advice,
            title: advice.title.into(),
            body: advice.body.into(),
            deep_link: None,
            parent_id: None,
            assigned_to_other: false,
            due: None,
            due_string: None,
            features: Features {
                kind: "advice".into(),
                source: shared_types::events::SOURCE_ONETIP.into(),
                priority: 1,
                ..Features::default()
            },
        }
    }

    /// The tip this candidate becomes, with its reason and why lines.
    pub fn to_tip(&self, reason: String, why: String) -> Tip {
        Tip {
            id: self.id.clone(),
            kind: self.kind,
            title: self.title.clone(),
            body: self.body.clone(),
            source: self.source.clone(),
            deep_link: self.deep_link.clone(),
            meta: TipMeta { reason, why },
        }
    }
}

/// The calendar day of a Todoist date: `YYYY-MM-DD`, with or without a time.
pub fn parse_day(text: &str) -> Option<Date> {
    let day = text.get(..10)?;
    let mut parts = day.split('-');
    let year: i32 = parts.next()?.parse().ok()?;
    let month: u8 = parts.next()?.parse().ok()?;
    let day: u8 = parts.next()?.parse().ok()?;
    Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    pub(crate) fn task_event(id: &str, payload: serde_json::Value) -> NormalizedEvent {
        NormalizedEvent {
            id: uuid::Uuid::now_v7(),
            user_id: uuid::Uuid::nil(),
            source: "todoist".into(),
            kind: "task.open".into(),
            subject_id: id.into(),
            occurred_at: "2026-12-01T00:00:00Z".into(),
            trace_id: None,
            payload,
        }
    }

    #[test]
    fn features_are_counted_in_days_from_today() {
        let today = parse_day("2026-12-10").unwrap();
        let e = task_event(
            "t1",
            json!({"title": "Call the plumber", "priority": 4,
                   "due": {"date": "2026-12-08", "is_recurring": false},
                   "deadline": "2026-12-12", "added_at": "2026-11-30T09:00:00.000000Z"}),
        );
        let c = Candidate::from_event(&e, today).unwrap();
        assert_eq!(c.id, "todoist:t1");
        assert_eq!(c.features.overdue_days, 2);
        assert_eq!(c.features.due_today, 0);
        assert_eq!(c.features.due_in_days, None);
        assert_eq!(c.features.deadline_in_days, Some(2));
        assert_eq!(c.features.age_days, 10);
        assert_eq!(c.features.priority, 4);
        let e = task_event(
            "t2",
            json!({"title": "Later", "due": {"date": "2026-12-13T10:00:00"}}),
        );
        let c = Candidate::from_event(&e, today).unwrap();
        assert_eq!(c.features.due_in_days, Some(3));
        assert_eq!(c.features.priority, 1);
    }

    #[test]
    fn absent_features_are_left_out_of_the_stored_json() {
        let c = Candidate::from_event(
            &task_event("t", json!({"title": "x"})),
            parse_day("2026-01-01").unwrap(),
        )
        .unwrap();
        let stored = serde_json::to_value(&c.features).unwrap();
        assert!(stored.get("due_in_days").is_none());
        assert!(stored.as_object().unwrap().values().all(|v| !v.is_null()));
    }
}
