//! `GET /auth/google/start` and `GET /auth/google/callback`: the OpenID
//! Connect dance. The flow record (state, nonce, PKCE verifier, provider,
//! where to return) stays server-side for 15 minutes and is deleted on
//! first use; a cookie holding the state ties it to the browser that
//! started it.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use http::{HeaderMap, header};
use serde::Deserialize;
use subtle::ConstantTimeEq;

use super::session::signed_in;
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::store::Attempt;
use platform::identity::{cookie, safe_return_to};

/// How long a started sign-in may take.
pub const FLOW_TTL_MS: i64 = 15 * 60 * 1000;
const PROVIDER: &str = "google";

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
    let Some(google) = &state.google else {
        if state.dev_sign_in {
            let to = format!(
                "/auth/dev/signin?return_to={}",
                url::form_urlencoded::byte_serialize(return_to.as_bytes()).collect::<String>()
            );
            return Ok(Redirect::to(&to).into_response());
        }
        return Err(ApiError::NotFound);
    };
    let started = google.start().await?;
    let now = state.sessions.clock.now_millis();
    let store = &state.sessions.store;
    store.purge_expired_attempts(now).await?;
    store
        .insert_attempt(&Attempt {
            state: started.state.clone(),
            provider: PROVIDER.into(),
            nonce: started.nonce,
            pkce_verifier: started.pkce_verifier,
            return_to,
            created_at: now,
            expires_at: now + FLOW_TTL_MS,
        })
        .await?;
    let mut response = Redirect::to(&started.authorize_url).into_response();
    let c = &state.cookies;
    response.headers_mut().append(
        header::SET_COOKIE,
        c.set(c.flow, &started.state, FLOW_TTL_MS / 1000),
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
    let google = state.google.as_ref().ok_or(ApiError::NotFound)?;
    let given = q
        .state
        .as_deref()
        .filter(|s| !s.is_empty() && s.len() <= 256)
        .ok_or(ApiError::SignIn("missing state"))?;
    // Only the browser that started the flow carries its state.
    let bound = cookie(&headers, state.cookies.flow)
        .is_some_and(|c| bool::from(c.as_bytes().ct_eq(given.as_bytes())));
    if !bound {
        return Err(ApiError::SignIn("the sign-in was started elsewhere"));
    }
    let now = state.sessions.clock.now_millis();
    let attempt = state
        .sessions
        .store
        .take_attempt(given)
        .await?
        .ok_or(ApiError::SignIn("unknown or used state"))?;
    if attempt.expires_at <= now {
        return Err(ApiError::SignIn("the sign-in expired"));
    }
    if attempt.provider != PROVIDER {
        return Err(ApiError::SignIn("the state belongs to another provider"));
    }
    if q.error.is_some() {
        return Err(ApiError::SignIn("Google refused"));
    }
    let code = q
        .code
        .as_deref()
        .filter(|c| !c.is_empty())
        .ok_or(ApiError::SignIn("missing code"))?;
    let user = google
        .finish(code, &attempt.nonce, &attempt.pkce_verifier)
        .await?;
    let user_id = state.profile.upsert(&user).await.map_err(|e| {
        tracing::warn!(error = %format!("{e:#}"), "profile upsert failed");
        ApiError::Upstream("profile")
    })?;
    let issued = state.sessions.start(user_id).await?;
    Ok(signed_in(&state, &issued, &attempt.return_to))
}
