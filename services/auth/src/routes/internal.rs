//! `/internal/*`: for the other services only, behind the internal token.

use axum::Json;
use axum::extract::{Path, Query, State};
use http::HeaderMap;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::{ApiError, ApiResult};

/// The most rows one page of the revoked list holds.
pub const MAX_PAGE: i64 = 10_000;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Since {
    /// Epoch milliseconds: sessions revoked at or after this time.
    pub since: Option<i64>,
    /// The `sid` of the last row already seen at `since` (the next page
    /// starts after it); unset for a first page.
    pub after: Option<String>,
    /// Rows per page, at most 10 000 (the default).
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RevokedSession {
    pub sid: String,
    /// Epoch milliseconds.
    pub revoked_at: i64,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RevokedList {
    /// auth's clock when the page was read, epoch milliseconds.
    pub now: i64,
    /// In `(revoked_at, sid)` order. A page holding `limit` rows may have
    /// more after it: ask again with the last row's `revoked_at` as `since`
    /// and its `sid` as `after`.
    pub revoked: Vec<RevokedSession>,
}

/// Sessions revoked since a time, for the gateway's revocation set, a page
/// at a time.
#[utoipa::path(get, path = "/internal/sessions/revoked", tag = "internal", params(Since),
    responses(
        (status = 200, description = "Revoked sessions", body = RevokedList),
        (status = 400, description = "A malformed query", body = shared_types::ErrorBody),
        (status = 401, description = "Missing or wrong internal token", body = shared_types::ErrorBody)))]
pub async fn revoked(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<Since>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<RevokedList>> {
    // The token first: a caller without it learns nothing, not even what
    // a well-formed query looks like.
    if !platform::secrets::bearer_matches(&headers, &state.internal_token) {
        return Err(ApiError::Unauthorized);
    }
    let Query(q) = query.map_err(|_| {
        ApiError::BadRequest("since, after and limit must be a number, a session id and a number")
    })?;
    let now = state.sessions.clock.now_millis();
    let limit = q.limit.unwrap_or(MAX_PAGE).clamp(1, MAX_PAGE);
    let revoked = state
        .sessions
        .store
        .revoked_page(
            q.since.unwrap_or(0),
            q.after.as_deref().unwrap_or(""),
            limit,
        )
        .await?
        .into_iter()
        .map(|r| RevokedSession {
            sid: r.id,
            revoked_at: r.revoked_at,
        })
        .collect();
    Ok(Json(RevokedList { now, revoked }))
}

/// Whether one session may still be used.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SessionState {
    pub sid: String,
    /// False when the session is revoked or unknown.
    pub live: bool,
}

/// One session's state, for a gateway whose revoked list is stale.
#[utoipa::path(get, path = "/internal/sessions/{sid}", tag = "internal",
    params(("sid" = String, Path, description = "The session id")),
    responses(
        (status = 200, description = "The session's state", body = SessionState),
        (status = 401, description = "Missing or wrong internal token", body = shared_types::ErrorBody)))]
pub async fn session(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(sid): Path<String>,
) -> ApiResult<Json<SessionState>> {
    if !platform::secrets::bearer_matches(&headers, &state.internal_token) {
        return Err(ApiError::Unauthorized);
    }
    let live = sid.len() <= 64 && state.sessions.store.session_is_live(&sid).await?;
    Ok(Json(SessionState { sid, live }))
}
