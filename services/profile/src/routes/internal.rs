//! `POST /internal/users`: auth creates or finds a user on sign-in.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use http::HeaderMap;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::{ApiError, ApiResult};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct UpsertUser {
    /// Google's stable `sub` (or `dev:<email>` for development sign-in).
    pub google_sub: String,
    pub email: String,
    pub name: Option<String>,
    pub picture: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Upserted {
    /// The user's id: the `sub` of their access tokens.
    pub id: String,
}

fn bounded(field: &'static str, value: &str, max: usize) -> Result<(), ApiError> {
    if value.is_empty() || value.len() > max || value.chars().any(char::is_control) {
        return Err(ApiError::Invalid {
            field,
            reason: "empty, too long or with control characters",
        });
    }
    Ok(())
}

/// Creates the user on first sign-in; the same `google_sub` again returns
/// the same id. Requires `Authorization: Bearer $INTERNAL_API_TOKEN`.
#[utoipa::path(post, path = "/internal/users", tag = "internal", request_body = UpsertUser,
    responses(
        (status = 200, description = "The user's id", body = Upserted),
        (status = 400, description = "The body is not JSON", body = shared_types::ErrorBody),
        (status = 401, description = "Missing or wrong internal token", body = shared_types::ErrorBody),
        (status = 422, description = "A field is invalid", body = shared_types::ErrorBody)))]
pub async fn upsert(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<UpsertUser>, JsonRejection>,
) -> ApiResult<Json<Upserted>> {
    if !platform::secrets::bearer_matches(&headers, &state.internal_token) {
        return Err(ApiError::Unauthorized);
    }
    let Json(u) = body?;
    bounded("google_sub", &u.google_sub, 255)?;
    bounded("email", &u.email, 254)?;
    let name = u.name.as_deref().map(str::trim).filter(|n| !n.is_empty());
    let name = name.map(|n| n.chars().take(80).collect::<String>());
    let picture = u
        .picture
        .as_deref()
        .filter(|p| p.starts_with("https://") && p.len() <= 2048);
    let row = state
        .store
        .upsert(&u.google_sub, &u.email, name.as_deref(), picture)
        .await?;
    Ok(Json(Upserted { id: row.id }))
}
