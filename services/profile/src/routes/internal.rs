//! `POST /internal/users`: auth creates or finds a user on sign-in.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use platform::identity::InternalCaller;
use shared_types::profile::{UpsertUser, Upserted};

use super::user_id;
use crate::AppState;
use crate::domain::SignedInUser;
use crate::error::ApiResult;

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
    _: InternalCaller,
    body: Result<Json<UpsertUser>, JsonRejection>,
) -> ApiResult<Json<Upserted>> {
    let Json(u) = body?;
    let user = SignedInUser::parse(&u)?;
    let row = state.store.upsert(&user).await?;
    Ok(Json(Upserted {
        id: user_id(&row.id)?,
    }))
}
