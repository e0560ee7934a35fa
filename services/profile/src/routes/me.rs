//! `GET /api/me` and `PATCH /api/me`: the signed-in user's own profile.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use platform::identity::CurrentUser;
use serde::Deserialize;

use shared_types::profile::User;

use super::shown;
use crate::AppState;
use crate::domain::{DisplayName, TimeZone};
use crate::error::{ApiError, ApiResult};

/// The signed-in user's profile.
#[utoipa::path(get, path = "/api/me", tag = "profile",
    responses(
        (status = 200, description = "The profile", body = User),
        (status = 401, description = "No valid access token", body = shared_types::ErrorBody)))]
pub async fn get_me(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> ApiResult<Json<User>> {
    let row = state
        .store
        .get(&user.to_string())
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(shown(row)?))
}

/// What may change; absent fields stay as they are.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMe {
    /// 1 to 80 characters.
    pub name: Option<String>,
    /// An IANA time zone name, such as `Europe/Berlin`.
    pub time_zone: Option<String>,
}

/// Changes the display name and/or time zone.
#[utoipa::path(patch, path = "/api/me", tag = "profile", request_body = UpdateMe,
    responses(
        (status = 200, description = "The updated profile", body = User),
        (status = 400, description = "Not a JSON object of known fields", body = shared_types::ErrorBody),
        (status = 401, description = "No valid access token", body = shared_types::ErrorBody),
        (status = 422, description = "A field is invalid", body = shared_types::ErrorBody)))]
pub async fn patch_me(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    body: Result<Json<UpdateMe>, JsonRejection>,
) -> ApiResult<Json<User>> {
    let Json(update) = body?;
    let name = update.name.as_deref().map(DisplayName::parse).transpose()?;
    let time_zone = update
        .time_zone
        .as_deref()
        .map(TimeZone::parse)
        .transpose()?;
    let row = state
        .store
        .update(&user.to_string(), name.as_ref(), time_zone.as_ref())
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(shown(row)?))
}
