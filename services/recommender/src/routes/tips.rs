//! `POST /api/tips/{decision_id}/done | skip | undo`.

use axum::Json;
use axum::extract::{Path, State};
use shared_types::recommender::{SkipRequest, TipActionAnswer};
use uuid::Uuid;

use super::{IdempotencyKey, OptionalJson, SignedIn};
use crate::AppState;
use crate::error::{ApiError, ApiResult};

fn decision_id(raw: &str) -> Result<Uuid, ApiError> {
    // A malformed id cannot name anyone's decision.
    Uuid::parse_str(raw).map_err(|_| ApiError::Tip(crate::service::TipError::NotFound))
}

/// Marks the tip done: the task is completed at its source, once per key.
#[utoipa::path(post, path = "/api/tips/{decision_id}/done", tag = "recommender", operation_id = "tip_done",
    security(("bearer" = [])),
    params(("decision_id" = String, Path, description = "The decision the tip came with"),
           ("Idempotency-Key" = String, Header, description = "Required; at most 64 characters. The same key gives the same answer.")),
    responses(
        (status = 200, description = "Done, with the undo window and the next tip", body = TipActionAnswer),
        (status = 400, description = "No or a malformed Idempotency-Key", body = shared_types::ErrorBody),
        (status = 401, description = "No valid access token", body = shared_types::ErrorBody),
        (status = 404, description = "No such decision of this user", body = shared_types::ErrorBody),
        (status = 409, description = "Already done (`already_done`) or no longer open", body = shared_types::ErrorBody),
        (status = 503, description = "The source is failing, or the recommender cannot reach its database; nothing was done. See `Retry-After`", body = shared_types::ErrorBody)))]
pub async fn done(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Path(id): Path<String>,
    key: IdempotencyKey,
) -> ApiResult<Json<TipActionAnswer>> {
    let key = key.required()?;
    let id = decision_id(&id)?;
    Ok(Json(state.recommender.done(&caller, id, &key).await?))
}

/// Skips the tip, with an optional reason, and answers the next one.
#[utoipa::path(post, path = "/api/tips/{decision_id}/skip", tag = "recommender", operation_id = "tip_skip",
    security(("bearer" = [])),
    params(("decision_id" = String, Path, description = "The decision the tip came with"),
           ("Idempotency-Key" = Option<String>, Header, description = "Optional; the same key gives the same answer.")),
    request_body(content = Option<SkipRequest>, description = "Optional: why"),
    responses(
        (status = 200, description = "Skipped, with the next tip", body = TipActionAnswer),
        (status = 400, description = "Malformed JSON or an unknown reason", body = shared_types::ErrorBody),
        (status = 401, description = "No valid access token", body = shared_types::ErrorBody),
        (status = 404, description = "No such decision of this user", body = shared_types::ErrorBody),
        (status = 409, description = "The tip is no longer open", body = shared_types::ErrorBody),
        (status = 503, description = "The recommender cannot reach its database; nothing was done. See `Retry-After`", body = shared_types::ErrorBody)))]
pub async fn skip(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Path(id): Path<String>,
    key: IdempotencyKey,
    OptionalJson(body): OptionalJson<SkipRequest>,
) -> ApiResult<Json<TipActionAnswer>> {
    let id = decision_id(&id)?;
    let key = key.0.unwrap_or_else(|| "skip".into());
    Ok(Json(
        state
            .recommender
            .skip(&caller, id, body.reason, &key)
            .await?,
    ))
}

/// Undoes a done within the undo window; the tip comes back.
#[utoipa::path(post, path = "/api/tips/{decision_id}/undo", tag = "recommender", operation_id = "tip_undo",
    security(("bearer" = [])),
    params(("decision_id" = String, Path, description = "The decision that was done"),
           ("Idempotency-Key" = Option<String>, Header, description = "Optional; the same key gives the same answer.")),
    responses(
        (status = 200, description = "Undone; `next` is the tip again", body = TipActionAnswer),
        (status = 400, description = "A malformed Idempotency-Key", body = shared_types::ErrorBody),
        (status = 401, description = "No valid access token", body = shared_types::ErrorBody),
        (status = 404, description = "No such decision of this user", body = shared_types::ErrorBody),
        (status = 409, description = "`undo_expired`, `undo_unavailable` (the source refused) or `not_done`", body = shared_types::ErrorBody),
        (status = 503, description = "The source is failing, or the recommender cannot reach its database; see `Retry-After`", body = shared_types::ErrorBody)))]
pub async fn undo(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Path(id): Path<String>,
    key: IdempotencyKey,
) -> ApiResult<Json<TipActionAnswer>> {
    let id = decision_id(&id)?;
    // A decision is undone at most once: without a key, that is the key.
    let key = key.0.unwrap_or_else(|| "undo".into());
    Ok(Json(state.recommender.undo(&caller, id, &key).await?))
}
