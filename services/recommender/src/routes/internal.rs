//! `POST /internal/events`: where the HTTP event sink delivers. Requires
//! `Authorization: Bearer $INTERNAL_API_TOKEN`; stores each event once per
//! id, however often it is sent.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use platform::identity::InternalCaller;
use shared_types::NormalizedEvent;

use crate::AppState;
use crate::error::{ApiError, ApiResult};

/// Stores an event (idempotent by its id).
#[utoipa::path(post, path = "/internal/events", tag = "internal", operation_id = "store_event",
    request_body = NormalizedEvent,
    responses(
        (status = 202, description = "Stored, or already stored"),
        (status = 400, description = "Not an event", body = shared_types::ErrorBody),
        (status = 401, description = "No valid internal token", body = shared_types::ErrorBody)))]
pub async fn store_event(
    State(state): State<AppState>,
    // The token first (before the body is read): an outsider learns
    // nothing about what we accept.
    _: InternalCaller,
    body: Bytes,
) -> ApiResult<StatusCode> {
    let event: NormalizedEvent = super::parse(&body)?;
    if !crate::bus::valid(&event) {
        return Err(ApiError::Invalid(
            "`kind` and `source` must be 1 to 64 characters.".into(),
        ));
    }
    let now = state.recommender.clock.now_millis();
    state.recommender.store.insert_event(&event, now).await?;
    Ok(StatusCode::ACCEPTED)
}
