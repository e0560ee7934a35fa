//! `/api/v1/tasks`: listing with cursor pagination, the filter endpoint, one
//! task, close (recurring tasks move) and reopen, with `X-Request-Id`
//! idempotency on the writes.

use axum::Json;
use axum::extract::{Extension, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use crate::errors::ApiError;
use crate::faults::ClientRequestId;
use crate::filter;
use crate::model::{Task, format_date, format_timestamp, parse_date, today};
use crate::state::{Need, Replay, Shared, State as FakeState, StoredTask, WriteRecord, lock};

const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 200;

/// Query of the listing endpoints (every field optional, as in the API).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ListQuery {
    project_id: Option<String>,
    section_id: Option<String>,
    parent_id: Option<String>,
    label: Option<String>,
    ids: Option<String>,
    cursor: Option<String>,
    limit: Option<String>,
    query: Option<String>,
}

/// One page: `{"results": [...], "next_cursor": "…" | null}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Page {
    pub results: Vec<Task>,
    pub next_cursor: Option<String>,
}

pub(crate) async fn list(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Json<Page>, ApiError> {
    let ids: Option<Vec<&str>> = q
        .ids
        .as_deref()
        .map(|ids| ids.split(',').map(str::trim).collect());
    let wanted = |t: &Task| {
        q.project_id.as_ref().is_none_or(|p| &t.project_id == p)
            && q.section_id
                .as_ref()
                .is_none_or(|s| t.section_id.as_ref() == Some(s))
            && q.parent_id
                .as_ref()
                .is_none_or(|p| t.parent_id.as_ref() == Some(p))
            && q.label.as_ref().is_none_or(|l| t.labels.contains(l))
            && ids.as_ref().is_none_or(|ids| ids.contains(&t.id.as_str()))
    };
    listing(&shared, &headers, &q, |t, _| wanted(t))
}

pub(crate) async fn filter(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Json<Page>, ApiError> {
    let text = q.query.as_deref().unwrap_or("all");
    let Some(filter) = filter::parse(text) else {
        // Authentication still comes first, as on every endpoint.
        lock(&shared).authenticate(&headers, Need::Read)?;
        return Err(ApiError::invalid_argument("query"));
    };
    let today = today();
    listing(&shared, &headers, &q, |t, account| {
        filter.matches(t, account, today)
    })
}

/// One page of the account's active tasks that `keep` keeps.
fn listing(
    shared: &Shared,
    headers: &HeaderMap,
    q: &ListQuery,
    keep: impl Fn(&Task, &str) -> bool,
) -> Result<Json<Page>, ApiError> {
    let mut state = lock(shared);
    let account = state.authenticate(headers, Need::Read)?;
    let limit = match q.limit.as_deref() {
        None => DEFAULT_LIMIT,
        Some(raw) => raw
            .parse()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| ApiError::invalid_argument("limit"))?,
    };
    let after = q
        .cursor
        .as_deref()
        .filter(|c| !c.is_empty())
        .map(decode_cursor)
        .transpose()?;
    let tasks = &state.account(&account).tasks;
    let matching: Vec<&StoredTask> = tasks
        .iter()
        .filter(|t| !t.task.checked && !t.task.is_deleted && keep(&t.task, &account))
        .filter(|t| after.is_none_or(|seq| t.seq > seq))
        .collect();
    let next_cursor = (matching.len() > limit).then(|| encode_cursor(matching[limit - 1].seq));
    let results = matching
        .into_iter()
        .take(limit)
        .map(|t| t.task.clone())
        .collect();
    state.user_stats(&account).task_listings += 1;
    Ok(Json(Page {
        results,
        next_cursor,
    }))
}

/// Cursors are opaque: they point after a position in the account's list,
/// so closing a task between two pages neither repeats nor skips another.
fn encode_cursor(seq: u64) -> String {
    URL_SAFE_NO_PAD.encode(format!("after:{seq}"))
}

fn decode_cursor(cursor: &str) -> Result<u64, ApiError> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|raw| String::from_utf8(raw).ok())
        .and_then(|text| text.strip_prefix("after:")?.parse().ok())
        .ok_or_else(|| ApiError::invalid_argument("cursor"))
}

pub(crate) async fn get_one(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Task>, ApiError> {
    let mut state = lock(&shared);
    let account = state.authenticate(&headers, Need::Read)?;
    state
        .account(&account)
        .tasks
        .iter()
        .find(|t| t.task.id == id && !t.task.is_deleted)
        .map(|t| Json(t.task.clone()))
        .ok_or_else(ApiError::task_not_found)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Close,
    Reopen,
}

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Action::Close => "close",
            Action::Reopen => "reopen",
        }
    }
}

pub(crate) async fn close(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    request_id: Option<Extension<ClientRequestId>>,
) -> Result<StatusCode, ApiError> {
    let request_id = request_id.and_then(|Extension(r)| r.0);
    write(&shared, &headers, request_id, Action::Close, &id)
}

pub(crate) async fn reopen(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    request_id: Option<Extension<ClientRequestId>>,
) -> Result<StatusCode, ApiError> {
    let request_id = request_id.and_then(|Extension(r)| r.0);
    write(&shared, &headers, request_id, Action::Reopen, &id)
}

/// A write, answered once per `X-Request-Id`: the same id replays the
/// first answer and changes nothing.
fn write(
    shared: &Shared,
    headers: &HeaderMap,
    request_id: Option<String>,
    action: Action,
    task_id: &str,
) -> Result<StatusCode, ApiError> {
    let mut state = lock(shared);
    let account = state.authenticate(headers, Need::Write)?;
    let stats = state.user_stats(&account);
    match action {
        Action::Close => stats.close_requests += 1,
        Action::Reopen => stats.reopen_requests += 1,
    }
    stats.request_ids.extend(request_id.clone());
    let mut record = WriteRecord {
        action: action.as_str().to_owned(),
        task_id: task_id.to_owned(),
        request_id: request_id.clone(),
        applied: false,
    };
    let key = request_id.map(|id| (account.clone(), id));
    if let Some(replay) = key.as_ref().and_then(|k| state.replays.get(k)) {
        let outcome = if replay.action != action.as_str() || replay.task_id != task_id {
            Err(ApiError::request_id_reused())
        } else {
            replay.outcome.clone()
        };
        state.user_stats(&account).writes.push(record);
        return outcome.map(|()| StatusCode::NO_CONTENT);
    }
    let (closes, reopens) = {
        let stats = state.user_stats(&account);
        (stats.closes, stats.reopens)
    };
    let outcome = match action {
        Action::Close => close_task(&mut state, &account, task_id),
        Action::Reopen => reopen_task(&mut state, &account, task_id),
    };
    let stats = state.user_stats(&account);
    record.applied = stats.closes > closes || stats.reopens > reopens;
    stats.writes.push(record);
    if let Some(key) = key {
        let replay = Replay {
            action: action.as_str(),
            task_id: task_id.to_owned(),
            outcome: outcome.clone(),
        };
        state.replays.insert(key, replay);
    }
    outcome.map(|()| StatusCode::NO_CONTENT)
}

/// Completes a one-off task (and its subtasks); moves a recurring one to
/// its next date, where it stays active.
fn close_task(state: &mut FakeState, account: &str, id: &str) -> Result<(), ApiError> {
    let now = format_timestamp(time::OffsetDateTime::now_utc());
    let tasks = &mut state.account(account).tasks;
    let at = position(tasks, id)?;
    if tasks[at].task.checked {
        // Already done: nothing moves and nothing is counted.
        return Ok(());
    }
    let stored = &mut tasks[at];
    match (stored.recurrence, stored.task.due.as_mut()) {
        (Some(recurrence), Some(due)) => {
            let today = today();
            let current = parse_date(&due.date).unwrap_or(today);
            let time_of_day = due.date.get(10..).unwrap_or_default().to_owned();
            due.date = format_date(recurrence.next(current, today)) + &time_of_day;
            stored.task.updated_at = now;
        }
        _ => {
            // Subtasks close with their parent, at any depth.
            let mut closing = vec![id.to_owned()];
            let mut next = 0;
            while let Some(current) = closing.get(next).cloned() {
                for t in tasks.iter_mut().filter(|t| !t.task.checked) {
                    if t.task.id == current {
                        t.task.checked = true;
                        t.task.completed_at = Some(now.clone());
                        t.task.updated_at = now.clone();
                    } else if t.task.parent_id.as_deref() == Some(current.as_str()) {
                        closing.push(t.task.id.clone());
                    }
                }
                next += 1;
            }
        }
    }
    let stats = state.user_stats(account);
    stats.closes += 1;
    stats.closed_task_ids.push(id.to_owned());
    Ok(())
}

/// Reopens a completed task and the parents above it.
fn reopen_task(state: &mut FakeState, account: &str, id: &str) -> Result<(), ApiError> {
    let now = format_timestamp(time::OffsetDateTime::now_utc());
    let tasks = &mut state.account(account).tasks;
    let mut at = Some(position(tasks, id)?);
    let mut reopened = false;
    while let Some(i) = at {
        let task = &mut tasks[i].task;
        if task.checked {
            task.checked = false;
            task.completed_at = None;
            task.updated_at = now.clone();
            reopened = true;
        }
        let parent = task.parent_id.clone();
        at = parent.and_then(|p| position(tasks, &p).ok());
    }
    if reopened {
        state.user_stats(account).reopens += 1;
    }
    Ok(())
}

fn position(tasks: &[StoredTask], id: &str) -> Result<usize, ApiError> {
    tasks
        .iter()
        .position(|t| t.task.id == id && !t.task.is_deleted)
        .ok_or_else(ApiError::task_not_found)
}

/// `/rest/v2/*` and `/sync/v9/*` are shut down.
pub(crate) async fn gone() -> ApiError {
    ApiError::gone()
}
