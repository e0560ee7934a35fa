//! The control API under `/__fake/`, for tests in other languages (and
//! curl): the same as [`FakeTodoist`]'s methods.
//!
//! * `POST /__fake/faults` a [`FaultSpec`] → 201; `GET /__fake/faults` the queue
//! * `GET /__fake/stats` → [`Stats`](crate::Stats)
//! * `POST /__fake/reset` → 204
//! * `POST /__fake/tokens` `{"account", "scope"}` → tokens, without the OAuth dance
//! * `POST /__fake/expire-tokens` → 204: every access token expires
//! * `GET /__fake/tasks?account=…` → the account's tasks, completed ones included

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::faults::FaultSpec;
use crate::handle::FakeTodoist;

pub(crate) fn routes(fake: FakeTodoist) -> Router {
    Router::new()
        .route("/faults", post(queue_fault).get(pending_faults))
        .route(
            "/stats",
            get(|State(f): State<FakeTodoist>| async move { Json(f.stats()) }),
        )
        .route("/reset", post(reset))
        .route("/tokens", post(issue_token))
        .route("/expire-tokens", post(expire_tokens))
        .route("/tasks", get(tasks))
        .with_state(fake)
}

async fn queue_fault(State(fake): State<FakeTodoist>, Json(spec): Json<FaultSpec>) -> Response {
    match fake.queue_fault(spec) {
        Ok(()) => (
            StatusCode::CREATED,
            Json(json!({ "pending": fake.pending_faults() })),
        )
            .into_response(),
        Err(reason) => (StatusCode::BAD_REQUEST, Json(json!({ "error": reason }))).into_response(),
    }
}

async fn pending_faults(State(fake): State<FakeTodoist>) -> Response {
    Json(json!({ "pending": fake.pending_faults() })).into_response()
}

async fn reset(State(fake): State<FakeTodoist>) -> StatusCode {
    fake.reset();
    StatusCode::NO_CONTENT
}

async fn expire_tokens(State(fake): State<FakeTodoist>) -> StatusCode {
    fake.expire_access_tokens();
    StatusCode::NO_CONTENT
}

#[derive(Debug, Deserialize)]
struct TokenAsk {
    account: String,
    /// Comma-joined; `data:read_write` by default.
    scope: Option<String>,
}

async fn issue_token(State(fake): State<FakeTodoist>, Json(ask): Json<TokenAsk>) -> Response {
    let scope = ask.scope.unwrap_or_else(|| "data:read_write".to_owned());
    let scopes: Vec<&str> = scope.split(',').collect();
    Json(fake.issue_token(&ask.account, &scopes)).into_response()
}

#[derive(Debug, Deserialize)]
struct AccountQuery {
    account: String,
}

async fn tasks(State(fake): State<FakeTodoist>, Query(q): Query<AccountQuery>) -> Response {
    Json(fake.tasks(&q.account)).into_response()
}
