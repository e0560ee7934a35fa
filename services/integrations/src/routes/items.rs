//! `POST /api/integrations/items/{connector}/{item}/complete` and
//! `…/reopen`: the writes behind a tap on "done" and on "undo".
//!
//! Both need an `Idempotency-Key` (the same key is the same write at the
//! provider, however often it is sent) and accept the recommender's
//! `X-Decision-Id`. After a success they emit `task.completed` /
//! `task.reopened`; emitting never fails the answer. A provider that fails
//! or is slow is a 503 with `Retry-After`, so the caller can say "try
//! again". A repeat of a write (same key) emits its event again with the
//! same event id, so the receiver, idempotent by id, stores it once.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use http::HeaderMap;
use serde_json::json;
use shared_types::NormalizedEvent;
use shared_types::events::kinds::{TASK_COMPLETED, TASK_REOPENED};
use shared_types::integrations::{CompleteOutcome, ReopenOutcome, ReopenRequest};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::CurrentUser;
use crate::AppState;
use crate::connector::Connector;
use crate::domain::{IdempotencyKey, UserId};
use crate::error::{ApiError, ApiResult};

/// How long an answer waits for its event to be handed over; past it the
/// event goes on in the background.
const EMIT_WAIT: Duration = Duration::from_millis(500);

/// The longest decision id kept in an event.
const MAX_DECISION_ID: usize = 128;

/// How long a write's event id is reused for a repeat of the write.
const EVENT_ID_TTL: Duration = Duration::from_secs(60 * 60);

/// The event id of each recent write, by (user, connector, item, action,
/// idempotency key): a repeated write (a double tap, a retry) emits its
/// event again under the same id, which receivers store once.
#[derive(Debug, Default)]
pub struct EventIds {
    ids: std::sync::Mutex<HashMap<String, (uuid::Uuid, Instant)>>,
}

impl EventIds {
    fn id_for(&self, write: &str) -> uuid::Uuid {
        let mut ids = self.ids.lock().unwrap_or_else(|e| e.into_inner());
        if ids.len() > 10_000 {
            ids.retain(|_, (_, at)| at.elapsed() < EVENT_ID_TTL);
        }
        match ids.get(write) {
            Some((id, at)) if at.elapsed() < EVENT_ID_TTL => *id,
            _ => {
                let id = uuid::Uuid::now_v7();
                ids.insert(write.to_owned(), (id, Instant::now()));
                id
            }
        }
    }
}

fn idempotency_key(headers: &HeaderMap) -> ApiResult<IdempotencyKey> {
    headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| IdempotencyKey::parse(v).ok())
        .ok_or(ApiError::IdempotencyKey)
}

/// The recommender's decision, when it says which one this write answers.
fn decision_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get("x-decision-id")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| {
            !v.is_empty() && v.len() <= MAX_DECISION_ID && v.bytes().all(|b| b.is_ascii_graphic())
        })
        .map(str::to_owned)
}

fn trace_id(headers: &HeaderMap) -> Option<String> {
    platform::trace::event_trace_id(
        headers
            .get(platform::http::REQUEST_ID)
            .and_then(|v| v.to_str().ok()),
    )
}

fn connector(state: &AppState, name: &str) -> ApiResult<std::sync::Arc<dyn Connector>> {
    state.connectors.get(name).ok_or(ApiError::UnknownConnector)
}

/// Hands `event` to the sink, waiting a little for it; never fails.
async fn emit(state: &AppState, event: NormalizedEvent) {
    let sink = state.events.clone();
    let handed = tokio::spawn(async move { platform::events::emit_logged(&*sink, event).await });
    if tokio::time::timeout(EMIT_WAIT, handed).await.is_err() {
        tracing::info!("the event sink is slow; the event goes on in the background");
    }
}

#[allow(clippy::too_many_arguments)]
fn event(
    state: &AppState,
    user: &UserId,
    connector: &dyn Connector,
    kind: &str,
    item: &str,
    key: &IdempotencyKey,
    headers: &HeaderMap,
    payload: serde_json::Value,
) -> NormalizedEvent {
    let write = format!(
        "{user}\n{}\n{item}\n{kind}\n{}",
        connector.name(),
        key.as_str()
    );
    NormalizedEvent {
        id: state.event_ids.id_for(&write),
        user_id: user.as_uuid(),
        source: connector.name().to_owned(),
        kind: kind.to_owned(),
        subject_id: item.to_owned(),
        occurred_at: OffsetDateTime::now_utc()
            .format(&Rfc3339)
            .unwrap_or_default(),
        trace_id: trace_id(headers),
        payload,
    }
}

/// Marks the item done at its provider: `completed`, or `advanced` for a
/// recurring task (it moved to its next date), with the due date before
/// the close, which an undo gives back.
#[utoipa::path(post, path = "/api/integrations/items/{connector}/{item}/complete", tag = "connectors",
    operation_id = "complete_item",
    security(("bearer" = [])),
    params(
        ("connector" = String, Path, description = "The connector, e.g. `todoist`"),
        ("item" = String, Path, description = "The item's id at the provider"),
        ("Idempotency-Key" = String, Header, description = "1 to 64 visible ASCII characters; the same key is the same write"),
        ("X-Decision-Id" = Option<String>, Header, description = "The recommender's decision this completion answers, carried into the event")),
    responses(
        (status = 200, description = "Done (or done already with this key)", body = CompleteOutcome),
        (status = 400, description = "Missing or malformed Idempotency-Key", body = shared_types::ErrorBody),
        (status = 401, description = "No valid access token", body = shared_types::ErrorBody),
        (status = 404, description = "No such connector, or no such item", body = shared_types::ErrorBody),
        (status = 409, description = "Not connected, or the connection must be made again", body = shared_types::ErrorBody),
        (status = 503, description = "The provider failed, is slow or rate-limits us: try again after `Retry-After`", body = shared_types::ErrorBody)))]
pub async fn complete(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((name, item)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Json<CompleteOutcome>> {
    let key = idempotency_key(&headers)?;
    let connector = connector(&state, &name)?;
    let done = connector
        .complete(&user, &item, &key)
        .await
        .map_err(ApiError::from_write)?;
    let payload = json!({
        "idempotency_key": key.as_str(),
        "outcome": done.outcome,
        "previous_due": done.previous_due,
        "next_due": done.next_due,
        "decision_id": decision_id(&headers),
    });
    let event = event(
        &state,
        &user,
        &*connector,
        TASK_COMPLETED,
        &item,
        &key,
        &headers,
        payload,
    );
    emit(&state, event).await;
    Ok(Json(done))
}

/// Undoes a completion: a one-off item is reopened (`reopened`); a
/// recurring one gets `previous_due`, as `complete` answered it, back
/// (`restored`). 409 `undo_unavailable` when the provider refuses.
#[utoipa::path(post, path = "/api/integrations/items/{connector}/{item}/reopen", tag = "connectors",
    operation_id = "reopen_item",
    security(("bearer" = [])),
    params(
        ("connector" = String, Path, description = "The connector, e.g. `todoist`"),
        ("item" = String, Path, description = "The item's id at the provider"),
        ("Idempotency-Key" = String, Header, description = "1 to 64 visible ASCII characters; the same key is the same write"),
        ("X-Decision-Id" = Option<String>, Header, description = "The recommender's decision this undo answers, carried into the event")),
    request_body(content = ReopenRequest, description = "What `complete` answered; may be empty for a one-off task"),
    responses(
        (status = 200, description = "Reopened, or its previous due date restored", body = ReopenOutcome),
        (status = 400, description = "Missing or malformed Idempotency-Key, or a body that is not a `ReopenRequest`", body = shared_types::ErrorBody),
        (status = 401, description = "No valid access token", body = shared_types::ErrorBody),
        (status = 404, description = "No such connector, or no such item", body = shared_types::ErrorBody),
        (status = 409, description = "Not connected, the connection must be made again, or `undo_unavailable`: the provider will not undo this", body = shared_types::ErrorBody),
        (status = 503, description = "The provider failed, is slow or rate-limits us: try again after `Retry-After`", body = shared_types::ErrorBody)))]
pub async fn reopen(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((name, item)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<ReopenOutcome>> {
    let key = idempotency_key(&headers)?;
    let request: ReopenRequest = if body.iter().all(u8::is_ascii_whitespace) {
        ReopenRequest::default()
    } else {
        serde_json::from_slice(&body).map_err(|_| ApiError::InvalidBody)?
    };
    let connector = connector(&state, &name)?;
    let outcome = connector
        .reopen(&user, &item, &key, request.previous_due.clone())
        .await
        .map_err(ApiError::from_write)?;
    let payload = json!({
        "idempotency_key": key.as_str(),
        "outcome": outcome,
        "previous_due": request.previous_due,
        "next_due": null,
        "decision_id": decision_id(&headers),
    });
    let event = event(
        &state,
        &user,
        &*connector,
        TASK_REOPENED,
        &item,
        &key,
        &headers,
        payload,
    );
    emit(&state, event).await;
    Ok(Json(ReopenOutcome { outcome }))
}
