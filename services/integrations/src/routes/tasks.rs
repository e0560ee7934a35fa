//! `GET /api/integrations/tasks`: the signed-in user's current candidates
//! from every connected service, normalized (served from a short cache).

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use shared_types::NormalizedEvent;

use super::CurrentUser;
use crate::AppState;
use crate::error::ApiResult;

/// The user's open items.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Candidates {
    pub items: Vec<NormalizedEvent>,
}

/// The user's open tasks from every connected service.
#[utoipa::path(get, path = "/api/integrations/tasks", tag = "connectors", operation_id = "list_tasks",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The user's open items", body = Candidates),
        (status = 401, description = "No valid access token", body = shared_types::ErrorBody),
        (status = 409, description = "A connection must be made again", body = shared_types::ErrorBody),
        (status = 502, description = "A provider failed", body = shared_types::ErrorBody),
        (status = 503, description = "Rate limited; see `Retry-After`", body = shared_types::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> ApiResult<Json<Candidates>> {
    let mut items = Vec::new();
    for connector in state.connectors.all() {
        if connector.status(&user).await?.is_none() {
            continue;
        }
        items.extend(connector.fetch_signals(&user, None).await?);
    }
    Ok(Json(Candidates { items }))
}
