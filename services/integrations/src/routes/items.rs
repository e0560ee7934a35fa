//! `POST /api/integrations/items/{connector}/{item}/complete` and
//! `…/reopen`: the writes behind a tap on "done" and on "undo".
//!
//! Both need an `Idempotency-Key` (the same key is the same write at the
//! provider, however often it is sent) and accept the recommender's
//! `X-Decision-Id`. The route says what `task.completed` / `task.reopened`
//! carries; the connector records it in the outbox in the transaction that
//! records the write's answer, so the event exists exactly when the write
//! does (a crash or a failed insert leaves neither, and the retry with the
//! same key records both, once). The relay sends it; an answer never waits
//! for the bus. A provider that fails or is slow is a 503 with
//! `Retry-After`, so the caller can say "try again".

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use http::HeaderMap;
use serde_json::json;
use shared_types::NormalizedEvent;
use shared_types::events::kinds::{TASK_COMPLETED, TASK_REOPENED};
use shared_types::integrations::{CompleteOutcome, ReopenKind, ReopenOutcome, ReopenRequest};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::CurrentUser;
use crate::AppState;
use crate::connector::{Completion, Connector};
use crate::domain::{IdempotencyKey, UserId};
use crate::error::{ApiError, ApiResult};

/// The longest decision id kept in an event.
const MAX_DECISION_ID: usize = 128;

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

/// What a write on `item` caused, for the outbox.
struct WriteEvent<'a> {
    user: &'a UserId,
    source: &'static str,
    item: &'a str,
    key: &'a IdempotencyKey,
    decision_id: Option<String>,
    trace_id: Option<String>,
}

impl<'a> WriteEvent<'a> {
    fn new(
        user: &'a UserId,
        connector: &dyn Connector,
        item: &'a str,
        key: &'a IdempotencyKey,
        headers: &HeaderMap,
    ) -> Self {
        Self {
            user,
            source: connector.name(),
            item,
            key,
            decision_id: decision_id(headers),
            trace_id: trace_id(headers),
        }
    }

    /// The event of `kind`; its id is new, and written once per write (the
    /// receipt's answer is recorded once).
    fn of(
        &self,
        kind: &str,
        outcome: serde_json::Value,
        previous_due: serde_json::Value,
        next_due: serde_json::Value,
    ) -> NormalizedEvent {
        NormalizedEvent {
            id: uuid::Uuid::now_v7(),
            user_id: self.user.as_uuid(),
            source: self.source.to_owned(),
            kind: kind.to_owned(),
            subject_id: self.item.to_owned(),
            occurred_at: OffsetDateTime::now_utc()
                .format(&Rfc3339)
                .unwrap_or_default(),
            trace_id: self.trace_id.clone(),
            payload: json!({
                "idempotency_key": self.key.as_str(),
                "outcome": outcome,
                "previous_due": previous_due,
                "next_due": next_due,
                "decision_id": self.decision_id,
            }),
        }
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
    let write = WriteEvent::new(&user, &*connector, &item, &key, &headers);
    let event = |done: &Completion| {
        write.of(
            TASK_COMPLETED,
            json!(done.outcome),
            json!(done.previous_due),
            json!(done.next_due),
        )
    };
    let done = connector
        .complete(&user, &item, &key, &event)
        .await
        .map_err(ApiError::from_write)?;
    state.outbox.wake();
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
    let write = WriteEvent::new(&user, &*connector, &item, &key, &headers);
    let previous_due = json!(request.previous_due);
    let event = |kind: &ReopenKind| {
        write.of(
            TASK_REOPENED,
            json!(kind),
            previous_due.clone(),
            json!(null),
        )
    };
    let outcome = connector
        .reopen(&user, &item, &key, request.previous_due.clone(), &event)
        .await
        .map_err(ApiError::from_write)?;
    state.outbox.wake();
    Ok(Json(ReopenOutcome { outcome }))
}
