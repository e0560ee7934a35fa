//! `GET /api/integrations/tasks`: the signed-in user's candidates from
//! every connector, with how each source answered. A failing source never
//! fails the list: it is reported `failed` (or `stale`, with its last good
//! items); only a missing or invalid access token is an error.

use axum::Json;
use axum::extract::State;
use shared_types::integrations::Candidates;

use super::CurrentUser;
use crate::AppState;
use crate::error::ApiResult;

/// The user's open tasks from every connected service, and one report per
/// connector: `ok`, `stale` (older than `TODOIST_CACHE_TTL`, or the
/// provider failing: the last good list, up to 24 h old), `failed`,
/// `not_connected` or `reconnect_required`, with `as_of`.
#[utoipa::path(get, path = "/api/integrations/tasks", tag = "connectors", operation_id = "list_tasks",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The user's open items (`task.open` events whose payload is a `TaskPayload`) and a report per source", body = Candidates),
        (status = 401, description = "No valid access token", body = shared_types::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> ApiResult<Json<Candidates>> {
    let answers =
        futures::future::join_all(state.connectors.all().iter().map(|c| c.candidates(&user))).await;
    let mut candidates = Candidates {
        items: Vec::new(),
        sources: Vec::with_capacity(answers.len()),
    };
    for answer in answers {
        candidates.items.extend(answer.items);
        candidates.sources.push(answer.report);
    }
    Ok(Json(candidates))
}
