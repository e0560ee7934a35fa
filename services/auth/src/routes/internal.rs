//! `/internal/*`: for the other services only, behind the internal token.

use axum::Json;
use axum::extract::{Path, Query, State};
use platform::identity::InternalCaller;
use serde::Deserialize;
use shared_types::auth::{RevokedList, SessionState};

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

/// Sessions revoked since a time, for the gateway's revocation set, a page
/// at a time.
#[utoipa::path(get, path = "/internal/sessions/revoked", tag = "internal", params(Since),
    responses(
        (status = 200, description = "Revoked sessions", body = RevokedList),
        (status = 400, description = "A malformed query", body = shared_types::ErrorBody),
        (status = 401, description = "Missing or wrong internal token", body = shared_types::ErrorBody)))]
pub async fn revoked(
    State(state): State<AppState>,
    // The token first: a caller without it learns nothing, not even what
    // a well-formed query looks like.
    _: InternalCaller,
    query: Result<Query<Since>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<RevokedList>> {
    let Query(q) = query.map_err(|_| {
        ApiError::BadRequest("since, after and limit must be a number, a session id and a number")
    })?;
    let limit = q.limit.unwrap_or(MAX_PAGE).clamp(1, MAX_PAGE);
    let page = state
        .sessions
        .revoked(
            q.since.unwrap_or(0),
            q.after.as_deref().unwrap_or(""),
            limit,
        )
        .await?;
    Ok(Json(page))
}

/// One session's state, for a gateway whose revoked list is stale.
#[utoipa::path(get, path = "/internal/sessions/{sid}", tag = "internal",
    params(("sid" = String, Path, description = "The session id")),
    responses(
        (status = 200, description = "The session's state", body = SessionState),
        (status = 401, description = "Missing or wrong internal token", body = shared_types::ErrorBody)))]
pub async fn session(
    State(state): State<AppState>,
    _: InternalCaller,
    Path(sid): Path<String>,
) -> ApiResult<Json<SessionState>> {
    let live = state.sessions.is_live(&sid).await?;
    Ok(Json(SessionState { sid, live }))
}
