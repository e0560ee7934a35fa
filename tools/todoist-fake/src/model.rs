//! The Task as API v1 shows it (exact snake_case fields of the contract),
//! recurrence, and the date and id helpers around it.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::{Date, Month, OffsetDateTime};

/// One task, field for field as `GET /api/v1/tasks` answers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    pub id: String,
    pub user_id: String,
    pub project_id: String,
    pub section_id: Option<String>,
    pub parent_id: Option<String>,
    pub content: String,
    pub description: String,
    pub labels: Vec<String>,
    /// 1 normal … 4 urgent (shown as p1 in Todoist's apps).
    pub priority: u8,
    pub due: Option<Due>,
    pub deadline: Option<Deadline>,
    pub duration: Option<TaskDuration>,
    pub checked: bool,
    pub is_deleted: bool,
    pub is_collapsed: bool,
    pub child_order: i64,
    pub day_order: i64,
    pub added_by_uid: String,
    pub assigned_by_uid: Option<String>,
    pub responsible_uid: Option<String>,
    pub note_count: u32,
    pub added_at: String,
    pub completed_at: Option<String>,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Due {
    /// `YYYY-MM-DD`, floating `YYYY-MM-DDTHH:MM:SS` or UTC `…Z`.
    pub date: String,
    pub timezone: Option<String>,
    pub string: String,
    pub lang: String,
    pub is_recurring: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deadline {
    pub date: String,
    pub lang: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskDuration {
    pub amount: u32,
    /// `minute` or `day`.
    pub unit: String,
}

/// How a recurring task moves when it is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recurrence {
    EveryDays(u8),
    Weekdays,
    Weekly,
    Monthly,
}

impl Recurrence {
    /// What Todoist shows as `due.string`.
    pub fn phrase(self) -> String {
        match self {
            Self::EveryDays(1) => "every day".to_owned(),
            Self::EveryDays(n) => format!("every {n} days"),
            Self::Weekdays => "every weekday".to_owned(),
            Self::Weekly => "every week".to_owned(),
            Self::Monthly => "every month".to_owned(),
        }
    }

    fn step(self, date: Date) -> Date {
        match self {
            Self::EveryDays(n) => date + time::Duration::days(i64::from(n.max(1))),
            Self::Weekdays => {
                let mut next = date + time::Duration::days(1);
                while matches!(
                    next.weekday(),
                    time::Weekday::Saturday | time::Weekday::Sunday
                ) {
                    next += time::Duration::days(1);
                }
                next
            }
            Self::Weekly => date + time::Duration::days(7),
            Self::Monthly => add_month(date),
        }
    }

    /// The next occurrence after `due` that is also after `today`, as
    /// Todoist does when an overdue recurring task is completed.
    pub fn next(self, due: Date, today: Date) -> Date {
        let mut next = self.step(due);
        while next <= today {
            next = self.step(next);
        }
        next
    }
}

fn add_month(date: Date) -> Date {
    let (year, month) = match date.month() {
        Month::December => (date.year() + 1, Month::January),
        m => (date.year(), m.next()),
    };
    // The 31st of a short month falls back to its last day.
    (1..=date.day())
        .rev()
        .find_map(|day| Date::from_calendar_date(year, month, day).ok())
        .unwrap_or(date)
}

/// `YYYY-MM-DD`.
pub fn format_date(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// The date part of a due date (`YYYY-MM-DD…`).
pub fn parse_date(text: &str) -> Option<Date> {
    let mut parts = text.get(..10)?.splitn(3, '-');
    let year = parts.next()?.parse().ok()?;
    let month = Month::try_from(parts.next()?.parse::<u8>().ok()?).ok()?;
    let day = parts.next()?.parse().ok()?;
    Date::from_calendar_date(year, month, day).ok()
}

/// UTC with microseconds: `2014-09-26T08:25:05.000000Z`.
pub fn format_timestamp(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{}T{:02}:{:02}:{:02}.{:06}Z",
        format_date(t.date()),
        t.hour(),
        t.minute(),
        t.second(),
        t.microsecond()
    )
}

/// Today, as the fake sees it (UTC).
pub fn today() -> Date {
    OffsetDateTime::now_utc().date()
}

/// An opaque id like Todoist's (`6X7rM8997g3RQmvh`), derived from `seed` so
/// the same seed always gives the same id.
pub fn opaque_id(seed: &str) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    Sha256::digest(seed.as_bytes())
        .iter()
        .take(16)
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

/// A fresh random token: 40 hex digits, like Todoist's.
pub fn random_token() -> String {
    let a = uuid::Uuid::new_v4().simple().to_string();
    let b = uuid::Uuid::new_v4().simple().to_string();
    format!("{a}{}", &b[..8])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Date {
        parse_date(text).unwrap()
    }

    #[test]
    fn a_monthly_task_on_the_31st_falls_back_to_the_last_day() {
        assert_eq!(
            Recurrence::Monthly.next(d("2026-01-31"), d("2026-01-01")),
            d("2026-02-28")
        );
    }

    #[test]
    fn an_overdue_recurring_task_moves_past_today() {
        let next = Recurrence::EveryDays(1).next(d("2026-03-01"), d("2026-03-10"));
        assert_eq!(next, d("2026-03-11"));
        // 2026-03-13 is a Friday: the next weekday is Monday.
        let next = Recurrence::Weekdays.next(d("2026-03-13"), d("2026-03-13"));
        assert_eq!(format_date(next), "2026-03-16");
    }

    #[test]
    fn timestamps_carry_microseconds_and_z() {
        let t = OffsetDateTime::from_unix_timestamp(1_411_719_905).unwrap();
        assert_eq!(format_timestamp(t), "2014-09-26T08:25:05.000000Z");
    }

    #[test]
    fn ids_are_opaque_and_stable() {
        assert_eq!(opaque_id("x"), opaque_id("x"));
        assert_ne!(opaque_id("x"), opaque_id("y"));
        assert_eq!(opaque_id("x").len(), 16);
        assert_eq!(random_token().len(), 40);
    }
}
