//! `POST /api/v1/sync`: the one write command the fake runs,
//! `item_update_date_complete` (how a recurring task's close is undone:
//! its previous due object put back), every other write command refused
//! plainly in `sync_status`, commands deduplicated by `uuid` as Todoist
//! does, and a minimal read (`resource_types` with `items`).
//!
//! `commands` comes as a JSON body `{"commands": [...]}` or as a form field
//! holding the JSON array, the two ways Doist's SDKs send it.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::errors::ApiError;
use crate::faults;
use crate::model::{Due, format_timestamp, random_token};
use crate::state::{Need, Shared, State as FakeState, WriteRecord, lock};

/// The command the fake runs.
pub const DATE_COMPLETE: &str = "item_update_date_complete";

/// One command of `commands`.
#[derive(Debug, Deserialize)]
struct Command {
    #[serde(rename = "type")]
    kind: String,
    uuid: String,
    #[serde(default)]
    args: Value,
}

/// What the request asked for, whichever way it was encoded.
#[derive(Debug, Default)]
struct SyncRequest {
    commands: Option<Value>,
    resource_types: Option<Value>,
}

fn parse(headers: &HeaderMap, body: &[u8]) -> Result<SyncRequest, ApiError> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let mut request = SyncRequest::default();
    if json {
        let body: Map<String, Value> =
            serde_json::from_slice(body).map_err(|_| ApiError::invalid_argument("body"))?;
        request.commands = body.get("commands").cloned();
        request.resource_types = body.get("resource_types").cloned();
    } else {
        for (name, value) in form_urlencoded(body) {
            // Form fields hold JSON text; a bare word is kept as a string.
            let value = serde_json::from_str(&value).unwrap_or(Value::String(value));
            match name.as_str() {
                "commands" => request.commands = Some(value),
                "resource_types" => request.resource_types = Some(value),
                _ => {}
            }
        }
    }
    // A JSON body may also carry the array as text.
    if let Some(Value::String(text)) = &request.commands {
        request.commands =
            Some(serde_json::from_str(text).map_err(|_| ApiError::invalid_argument("commands"))?);
    }
    Ok(request)
}

fn form_urlencoded(body: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(body);
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'+', _) => out.push(b' '),
            (b'%', Some(b)) => {
                out.push(b);
                i += 2;
            }
            (b, _) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(crate) async fn sync(
    State(shared): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let request = parse(&headers, &body)?;
    let mut state = lock(&shared);
    let need = if request.commands.is_some() {
        Need::Write
    } else {
        Need::Read
    };
    let account = state.authenticate(&headers, need)?;
    let mut answer = json!({
        "sync_token": random_token(),
        "full_sync": request.commands.is_none(),
        "temp_id_mapping": {},
    });
    if let Some(commands) = request.commands {
        let commands: Vec<Command> =
            serde_json::from_value(commands).map_err(|_| ApiError::invalid_argument("commands"))?;
        let mut status = Map::new();
        for command in commands {
            let outcome = run(&mut state, &account, &command);
            status.insert(command.uuid, outcome);
        }
        answer["sync_status"] = Value::Object(status);
    }
    let wants_items = request.resource_types.as_ref().is_some_and(|r| {
        r.as_array()
            .is_some_and(|a| a.iter().any(|t| t == "items" || t == "all"))
    });
    if wants_items {
        let items: Vec<_> = state
            .account(&account)
            .tasks
            .iter()
            .filter(|t| !t.task.checked && !t.task.is_deleted)
            .map(|t| t.task.clone())
            .collect();
        answer["items"] = json!(items);
        state.user_stats(&account).task_listings += 1;
    }
    Ok(Json(answer))
}

/// Runs one command (once per uuid): its `sync_status` entry.
fn run(state: &mut FakeState, account: &str, command: &Command) -> Value {
    let stats = state.user_stats(account);
    stats.sync_commands += 1;
    stats.sync_uuids.push(command.uuid.clone());
    let key = (account.to_owned(), command.uuid.clone());
    let task_id = command
        .args
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if let Some(seen) = state.sync_seen.get(&key).cloned() {
        // Todoist does not run a command whose uuid it has seen.
        state.user_stats(account).writes.push(WriteRecord {
            action: command.kind.clone(),
            task_id,
            request_id: Some(command.uuid.clone()),
            applied: false,
        });
        return seen;
    }
    let outcome = if command.kind != DATE_COMPLETE {
        command_error(
            StatusCode::BAD_REQUEST,
            &format!(
                "This fake Todoist runs only {DATE_COMPLETE}; {} is refused",
                command.kind
            ),
            "UNSUPPORTED_COMMAND",
        )
    } else if let Some(fault) = faults::take_exact(&mut state.faults, DATE_COMPLETE) {
        state.stats.faults_served += 1;
        let status = fault
            .status
            .and_then(|s| StatusCode::from_u16(s).ok())
            .unwrap_or(StatusCode::BAD_REQUEST);
        command_error(
            status,
            "The due date of this task cannot be restored",
            "FAULT_INJECTED",
        )
    } else {
        restore_due(state, account, &task_id, &command.args)
    };
    let applied = outcome == "ok";
    let stats = state.user_stats(account);
    if applied && command.kind == DATE_COMPLETE {
        stats.date_restores += 1;
    }
    stats.writes.push(WriteRecord {
        action: command.kind.clone(),
        task_id,
        request_id: Some(command.uuid.clone()),
        applied,
    });
    state.sync_seen.insert(key, outcome.clone());
    outcome
}

/// The due object a client sends: lenient, as Todoist is.
#[derive(Debug, Deserialize)]
struct GivenDue {
    date: String,
    #[serde(default)]
    timezone: Option<String>,
    #[serde(default)]
    string: Option<String>,
    #[serde(default)]
    lang: Option<String>,
    #[serde(default)]
    is_recurring: Option<bool>,
}

/// `item_update_date_complete {id, due, is_forward}`: the task's due
/// becomes the given object.
fn restore_due(state: &mut FakeState, account: &str, id: &str, args: &Value) -> Value {
    let Some(given) = args
        .get("due")
        .cloned()
        .and_then(|d| serde_json::from_value::<GivenDue>(d).ok())
        .filter(|d| crate::model::parse_date(&d.date).is_some())
    else {
        return command_error(
            StatusCode::BAD_REQUEST,
            "Invalid argument value",
            "INVALID_ARGUMENT_VALUE",
        );
    };
    let now = format_timestamp(time::OffsetDateTime::now_utc());
    let tasks = &mut state.account(account).tasks;
    let Some(stored) = tasks
        .iter_mut()
        .find(|t| t.task.id == id && !t.task.is_deleted)
    else {
        return command_error(StatusCode::NOT_FOUND, "Item not found", "ITEM_NOT_FOUND");
    };
    let old = stored.task.due.take();
    stored.task.due = Some(Due {
        date: given.date,
        timezone: given.timezone,
        string: given
            .string
            .or_else(|| old.as_ref().map(|d| d.string.clone()))
            .unwrap_or_default(),
        lang: given.lang.unwrap_or_else(|| "en".to_owned()),
        is_recurring: given
            .is_recurring
            .unwrap_or_else(|| old.as_ref().is_some_and(|d| d.is_recurring)),
    });
    stored.task.updated_at = now;
    Value::from("ok")
}

/// A command's error entry, shaped like Todoist's error bodies.
fn command_error(status: StatusCode, error: &str, tag: &str) -> Value {
    json!({
        "error": error,
        "error_code": status.as_u16(),
        "error_extra": {},
        "error_tag": tag,
        "http_code": status.as_u16(),
    })
}
