//! `GET /api/connectors`, `POST /api/connectors/{name}/connect` and
//! `DELETE /api/connectors/{name}`: what the user can connect, starting the
//! OAuth dance, and disconnecting (revoke, then delete).

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::{StatusCode, header};
use shared_types::integrations::{ConnectStart, ConnectorState};

use super::CurrentUser;
use crate::AppState;
use crate::error::{ApiError, ApiResult};

/// Every connector, with the signed-in user's state for each.
#[utoipa::path(get, path = "/api/connectors", tag = "connectors", operation_id = "list_connectors",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The connectors", body = Vec<ConnectorState>),
        (status = 401, description = "No valid access token", body = shared_types::ErrorBody),
        (status = 503, description = "The service cannot reach its database; `Retry-After` says when to try again", body = shared_types::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> ApiResult<Json<Vec<ConnectorState>>> {
    let mut out = Vec::new();
    for connector in state.connectors.all() {
        let status = connector.status(&user).await?;
        out.push(ConnectorState {
            name: connector.name().to_owned(),
            display_name: connector.display_name().to_owned(),
            connected: status.is_some(),
            connected_at: status.as_ref().map(|s| s.connected_at),
            scope: status.and_then(|s| s.scope),
        });
    }
    Ok(Json(out))
}

/// Starts the OAuth dance: `303 See Other` to the provider's consent page
/// (also given in the body for clients that do not follow redirects).
#[utoipa::path(post, path = "/api/connectors/{name}/connect", tag = "connectors",
    security(("bearer" = [])),
    params(("name" = String, Path, description = "The connector, e.g. `todoist`")),
    responses(
        (status = 303, description = "Go to the provider; `Location` is the same URL", body = ConnectStart),
        (status = 401, description = "No valid access token", body = shared_types::ErrorBody),
        (status = 404, description = "No such connector", body = shared_types::ErrorBody)))]
pub async fn connect(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(name): Path<String>,
) -> ApiResult<Response> {
    let connector = state
        .connectors
        .get(&name)
        .ok_or(ApiError::UnknownConnector)?;
    let redirect_url = connector.begin_oauth(&user).await?;
    Ok((
        StatusCode::SEE_OTHER,
        [(header::LOCATION, redirect_url.clone())],
        Json(ConnectStart { redirect_url }),
    )
        .into_response())
}

/// Revokes the user's token at the provider and deletes it here. Answers
/// 204 whether or not there was a connection.
#[utoipa::path(delete, path = "/api/connectors/{name}", tag = "connectors",
    security(("bearer" = [])),
    params(("name" = String, Path, description = "The connector, e.g. `todoist`")),
    responses(
        (status = 204, description = "Disconnected"),
        (status = 401, description = "No valid access token", body = shared_types::ErrorBody),
        (status = 404, description = "No such connector", body = shared_types::ErrorBody)))]
pub async fn disconnect(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(name): Path<String>,
) -> ApiResult<StatusCode> {
    let connector = state
        .connectors
        .get(&name)
        .ok_or(ApiError::UnknownConnector)?;
    connector.disconnect(&user).await?;
    Ok(StatusCode::NO_CONTENT)
}
