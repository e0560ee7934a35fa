//! A believable task list per account: 52–60 active tasks (more than one
//! page at the default limit of 50) across a few projects, mixing
//! priorities, due dates today / overdue / later, recurring tasks, labels
//! and subtasks. The same account name always gives the same ids, contents
//! and shape, so tests are repeatable; due dates are relative to today.

use sha2::{Digest, Sha256};
use time::{Date, OffsetDateTime, Time};

use crate::model::{
    Deadline, Due, Recurrence, Task, TaskDuration, format_date, format_timestamp, opaque_id, today,
};
use crate::state::{StoredTask, user_id};

mod catalogue;

use catalogue::{POOL, PROJECTS, RECURRING, WITH_SUBTASKS};

/// The id of `account`'s project called `name` (any case), if it has one.
pub(crate) fn project_id(account: &str, name: &str) -> Option<String> {
    PROJECTS
        .iter()
        .find(|(p, _)| p.eq_ignore_ascii_case(name))
        .map(|(p, _)| opaque_id(&format!("project:{account}:{p}")))
}

/// splitmix64: tiny, and stable across crate versions (unlike `StdRng`).
struct Rng(u64);

impl Rng {
    fn for_account(account: &str) -> Self {
        let digest = Sha256::digest(account.as_bytes());
        let mut seed = [0u8; 8];
        seed.copy_from_slice(&digest[..8]);
        Self(u64::from_le_bytes(seed))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// One task before ids and order are given.
struct Draft {
    content: &'static str,
    project: usize,
    labels: &'static [&'static str],
    recurrence: Option<(Recurrence, i64)>,
    parent: Option<usize>,
}

/// The seeded task list of `account`, in list order.
pub(crate) fn tasks_for(account: &str) -> Vec<StoredTask> {
    let mut rng = Rng::for_account(account);
    let mut pool: Vec<usize> = (0..POOL.len()).collect();
    for i in (1..pool.len()).rev() {
        pool.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let fixed = RECURRING.len() + WITH_SUBTASKS.iter().map(|p| 1 + p.2.len()).sum::<usize>();
    let total = 52 + rng.below(9) as usize;
    let mut drafts: Vec<Draft> = pool[..total - fixed]
        .iter()
        .map(|&i| Draft {
            content: POOL[i].0,
            project: POOL[i].1,
            labels: POOL[i].2,
            recurrence: None,
            parent: None,
        })
        .collect();
    for (content, project, labels, recurrence, days) in RECURRING {
        let at = rng.below(drafts.len() as u64 + 1) as usize;
        let recurrence = Some((recurrence, days));
        drafts.insert(
            at,
            Draft {
                content,
                project,
                labels,
                recurrence,
                parent: None,
            },
        );
    }
    for (content, project, children) in WITH_SUBTASKS {
        let parent = drafts.len();
        drafts.push(Draft {
            content,
            project,
            labels: &[],
            recurrence: None,
            parent: None,
        });
        drafts.extend(children.iter().map(|child| Draft {
            content: child,
            project,
            labels: &[],
            recurrence: None,
            parent: Some(parent),
        }));
    }
    // Todoist lists a project's tasks together; subtasks stay after their parent.
    let mut order: Vec<usize> = (0..drafts.len()).collect();
    order.sort_by_key(|&i| drafts[i].project);
    build(account, &drafts, &order, &mut rng)
}

fn build(account: &str, drafts: &[Draft], order: &[usize], rng: &mut Rng) -> Vec<StoredTask> {
    let uid = user_id(account);
    let today = today();
    let task_id = |i: usize| opaque_id(&format!("task:{account}:{}", drafts[i].content));
    let mut child_order = [0i64; PROJECTS.len()];
    let mut day_order = 0;
    let mut out = Vec::with_capacity(order.len());
    for (seq, &i) in order.iter().enumerate() {
        let draft = &drafts[i];
        let (project, sections) = PROJECTS[draft.project];
        let section = (!sections.is_empty() && rng.below(3) > 0)
            .then(|| sections[rng.below(sections.len() as u64) as usize]);
        let due = match draft.recurrence {
            Some((rec, days)) => Some(due_on(today + time::Duration::days(days), Some(rec), today)),
            None if draft.parent.is_some() => None,
            None => random_due(rng, today),
        };
        let is_today = due
            .as_ref()
            .is_some_and(|d| d.date.starts_with(&format_date(today)));
        day_order = if is_today { day_order + 1 } else { day_order };
        child_order[draft.project] += 1;
        let days_ago = 5 + rng.below(60) as i64;
        let added = random_instant(rng, today, days_ago);
        let priority = match rng.below(100) {
            0..8 => 4,
            8..20 => 3,
            20..38 => 2,
            _ => 1,
        };
        let task = Task {
            id: task_id(i),
            user_id: uid.clone(),
            project_id: opaque_id(&format!("project:{account}:{project}")),
            section_id: section.map(|s| opaque_id(&format!("section:{account}:{s}"))),
            parent_id: draft.parent.map(task_id),
            content: draft.content.to_owned(),
            description: if rng.below(5) == 0 {
                "Seeded by the Todoist sandbox.".to_owned()
            } else {
                String::new()
            },
            labels: draft.labels.iter().map(|l| (*l).to_owned()).collect(),
            priority,
            deadline: (rng.below(12) == 0).then(|| Deadline {
                date: format_date(today + time::Duration::days(7 + rng.below(21) as i64)),
                lang: "en".to_owned(),
            }),
            duration: (rng.below(6) == 0).then(|| TaskDuration {
                amount: [15, 30, 45, 60][rng.below(4) as usize],
                unit: "minute".to_owned(),
            }),
            due,
            checked: false,
            is_deleted: false,
            is_collapsed: false,
            child_order: child_order[draft.project],
            day_order: if is_today { day_order } else { -1 },
            added_by_uid: uid.clone(),
            assigned_by_uid: None,
            responsible_uid: None,
            note_count: if rng.below(5) == 0 {
                1 + rng.below(3) as u32
            } else {
                0
            },
            added_at: format_timestamp(added),
            completed_at: None,
            updated_at: format_timestamp(added + time::Duration::hours(rng.below(48) as i64)),
        };
        out.push(StoredTask {
            seq: seq as u64 + 1,
            task,
            recurrence: draft.recurrence.map(|r| r.0),
        });
    }
    out
}

fn random_due(rng: &mut Rng, today: Date) -> Option<Due> {
    let days = match rng.below(100) {
        0..18 => 0,
        18..33 => -(1 + rng.below(9) as i64),
        33..66 => 1 + rng.below(30) as i64,
        _ => return None,
    };
    let mut due = due_on(today + time::Duration::days(days), None, today);
    match rng.below(6) {
        // A floating time of day.
        0 => {
            let hour = 8 + rng.below(10);
            due.date.push_str(&format!("T{hour:02}:30:00"));
            due.string = format!("{} at {hour}:30", due.string);
        }
        // A fixed time in a time zone, given in UTC.
        1 => {
            let hour = 7 + rng.below(10);
            due.date.push_str(&format!("T{hour:02}:00:00Z"));
            due.string = format!("{} at {}:00", due.string, hour + 1);
            due.timezone = Some("Europe/Berlin".to_owned());
        }
        _ => {}
    }
    Some(due)
}

/// A due date as Todoist writes it, with a human `string`.
pub(crate) fn due_on(date: Date, recurrence: Option<Recurrence>, today: Date) -> Due {
    let string = match recurrence {
        Some(r) => r.phrase(),
        None if date == today => "today".to_owned(),
        None if date == today + time::Duration::days(1) => "tomorrow".to_owned(),
        None => format!("{} {}", &format!("{:?}", date.month())[..3], date.day()),
    };
    Due {
        date: format_date(date),
        timezone: None,
        string,
        lang: "en".to_owned(),
        is_recurring: recurrence.is_some(),
    }
}

fn random_instant(rng: &mut Rng, today: Date, days_ago: i64) -> OffsetDateTime {
    let time = Time::from_hms_micro(
        rng.below(24) as u8,
        rng.below(60) as u8,
        rng.below(60) as u8,
        rng.below(1_000_000) as u32,
    )
    .unwrap_or(Time::MIDNIGHT);
    (today - time::Duration::days(days_ago))
        .with_time(time)
        .assume_utc()
}
