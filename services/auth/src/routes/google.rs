//! `GET /auth/google/start` and `GET /auth/google/callback`: the OpenID
//! Connect dance. The flow record (state, nonce, PKCE verifier, provider,
//! where to return) stays server-side for 15 minutes and is deleted on
//! first use; a cookie holding the state ties it to the browser that
//! started it.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use http::{HeaderMap, header};
use serde::Deserialize;

use super::session::signed_in;
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::signin::{Callback, FLOW_TTL_MS};
use platform::identity::{cookie, safe_return_to};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StartParams {
    /// A local path to land on after sign-in; anything else means `/`.
    pub return_to: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallbackParams {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
}

/// Starts a Google sign-in: 303 to Google's authorization endpoint.
#[utoipa::path(get, path = "/auth/google/start", tag = "auth", params(StartParams),
    responses(
        (status = 303, description = "To Google (or to the development form)"),
        (status = 404, description = "Neither Google nor the development sign-in is configured", body = shared_types::ErrorBody),
        (status = 502, description = "Google's discovery failed", body = shared_types::ErrorBody)))]
pub async fn start(
    State(state): State<AppState>,
    Query(q): Query<StartParams>,
) -> ApiResult<Response> {
    let return_to = safe_return_to(q.return_to.as_deref());
    if !state.sign_in.has_google() {
        if state.dev_sign_in {
            let to = format!(
                "/auth/dev/signin?return_to={}",
                platform::http::query_value(&return_to)
            );
            return Ok(Redirect::to(&to).into_response());
        }
        return Err(ApiError::NotFound);
    }
    let begun = state.sign_in.start_google(return_to).await?;
    let mut response = Redirect::to(&begun.authorize_url).into_response();
    let c = &state.cookies;
    response.headers_mut().append(
        header::SET_COOKIE,
        c.set(c.flow, &begun.state, FLOW_TTL_MS / 1000),
    );
    Ok(response)
}

/// Google's redirect back: checks the state against this browser's flow,
/// exchanges the code with the PKCE verifier, verifies the ID token, then
/// creates (or finds) the profile and starts a session.
#[utoipa::path(get, path = "/auth/google/callback", tag = "auth", params(CallbackParams),
    responses(
        (status = 303, description = "Signed in; to the page the sign-in started from"),
        (status = 400, description = "The sign-in cannot finish", body = shared_types::ErrorBody),
        (status = 404, description = "Google sign-in is not configured (development signs in with the form)", body = shared_types::ErrorBody)))]
pub async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<CallbackParams>,
) -> ApiResult<Response> {
    let finished = state
        .sign_in
        .finish_google(Callback {
            state: q.state.as_deref(),
            code: q.code.as_deref(),
            error: q.error.as_deref(),
            flow_cookie: cookie(&headers, state.cookies.flow),
        })
        .await?;
    Ok(signed_in(&state, &finished.issued, &finished.return_to))
}
