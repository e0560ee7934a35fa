//! `POST /api/recommend`: the one tip to show now.

use axum::Json;
use axum::extract::State;
use serde_json::Value;
use shared_types::recommender::{RecommendRequest, Recommendation};

use super::{JsonBody, SignedIn};
use crate::AppState;
use crate::error::{ApiError, ApiResult};

/// The user's tip: the open decision again (sticky) or a new draw.
#[utoipa::path(post, path = "/api/recommend", tag = "recommender", operation_id = "recommend",
    security(("bearer" = [])),
    request_body = RecommendRequest,
    responses(
        (status = 200, description = "The tip to show", body = Recommendation),
        (status = 400, description = "Malformed JSON, or a context that is not an object", body = shared_types::ErrorBody),
        (status = 401, description = "No valid access token", body = shared_types::ErrorBody),
        (status = 403, description = "`user_id` is not the token's subject", body = shared_types::ErrorBody),
        (status = 413, description = "The body is larger than 16 KiB", body = shared_types::ErrorBody),
        (status = 503, description = "The recommender cannot reach its database; see `Retry-After`", body = shared_types::ErrorBody)))]
pub async fn recommend(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    JsonBody(request): JsonBody<RecommendRequest>,
) -> ApiResult<Json<Recommendation>> {
    if request.user_id != caller.user {
        return Err(ApiError::Forbidden);
    }
    let context = match request.context {
        None | Some(Value::Null) => Value::Object(Default::default()),
        Some(Value::Object(map)) => Value::Object(map),
        Some(_) => return Err(ApiError::Invalid("`context` must be a JSON object.".into())),
    };
    Ok(Json(
        state
            .recommender
            .recommend(&caller, context, request.new)
            .await?,
    ))
}
