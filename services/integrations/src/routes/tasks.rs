//! `GET /api/integrations/tasks`: the signed-in user's candidates from
//! every connector, with how each source answered. A failing source never
//! fails the list: it is reported `failed` (or `stale`, with its last good
//! items); only a missing or invalid access token is an error.
//!
//! The answer carries a strong `ETag`; a caller that sends it back in
//! `If-None-Match` gets `304 Not Modified` while nothing in the answer
//! changed (the recommender asks on every page view, and keeps what it
//! parsed).

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::CurrentUser;
use crate::AppState;
use crate::connector::CandidateList;
use crate::connector::answer::none_match;
use crate::error::ApiResult;

/// The user's open tasks from every connected service, and one report per
/// connector: `ok`, `stale` (older than `TODOIST_CACHE_TTL`, or the
/// provider failing: the last good list, up to 24 h old), `failed`,
/// `not_connected` or `reconnect_required`, with `as_of`. The items, their
/// event ids included, stay the same while the source's cached list does.
#[utoipa::path(get, path = "/api/integrations/tasks", tag = "connectors", operation_id = "list_tasks",
    security(("bearer" = [])),
    params(
        ("If-None-Match" = Option<String>, Header,
            description = "An `ETag` this endpoint answered before: `304 Not Modified` when the answer is still that one")),
    responses(
        (status = 200, description = "The user's open items (`task.open` events whose payload is a `TaskPayload`) and a report per source", body = shared_types::integrations::Candidates,
            headers(("ETag" = String, description = "A strong validator of this answer (items, event ids, statuses and `as_of`)"))),
        (status = 304, description = "Not modified: the answer is still the one `If-None-Match` names (no body)",
            headers(("ETag" = String, description = "The same validator"))),
        (status = 401, description = "No valid access token", body = shared_types::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let answers =
        futures::future::join_all(state.connectors.all().iter().map(|c| c.candidates(&user))).await;
    let list = CandidateList::new(&user, answers);
    let etag = list.etag();
    let validators = [
        (
            header::ETAG,
            HeaderValue::from_str(&etag).expect("an ETag is a header value"),
        ),
        // Per user, and to be revalidated each time.
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-cache"),
        ),
    ];
    let unchanged = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| none_match(v, &etag));
    if unchanged {
        return Ok((StatusCode::NOT_MODIFIED, validators).into_response());
    }
    Ok((
        validators,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        list.body(),
    )
        .into_response())
}
