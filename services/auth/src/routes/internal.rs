//! `/internal/*`: for the other services only, behind the internal token.

use axum::Json;
use axum::extract::{Query, State};
use http::HeaderMap;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::{ApiError, ApiResult};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Since {
    /// Epoch milliseconds: sessions revoked at or after this time.
    pub since: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RevokedSession {
    pub sid: String,
    /// Epoch milliseconds.
    pub revoked_at: i64,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RevokedList {
    /// Pass this as `since` next time.
    pub now: i64,
    pub revoked: Vec<RevokedSession>,
}

/// Sessions revoked since a time, for the gateway's revocation set.
#[utoipa::path(get, path = "/internal/sessions/revoked", tag = "internal", params(Since),
    responses(
        (status = 200, description = "Revoked sessions", body = RevokedList),
        (status = 401, description = "Missing or wrong internal token", body = shared_types::ErrorBody)))]
pub async fn revoked(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<Since>,
) -> ApiResult<Json<RevokedList>> {
    if !platform::secrets::bearer_matches(&headers, &state.internal_token) {
        return Err(ApiError::Unauthorized);
    }
    let now = state.sessions.clock.now_millis();
    let revoked = state
        .sessions
        .store
        .revoked_since(q.since.unwrap_or(0))
        .await?
        .into_iter()
        .map(|r| RevokedSession {
            sid: r.id,
            revoked_at: r.revoked_at,
        })
        .collect();
    Ok(Json(RevokedList { now, revoked }))
}
