//! `POST /auth/refresh` and `POST /auth/logout`, and the answer that
//! starts a session in the browser.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use http::{HeaderMap, header};
use platform::identity::{InternalCaller, Unauthenticated, cookie};
use shared_types::auth::Refreshed;

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::sessions::{Issued, SessionError};

fn set_session_cookies(state: &AppState, issued: &Issued, headers: &mut HeaderMap) {
    let c = &state.cookies;
    headers.append(
        header::SET_COOKIE,
        c.set(c.access, &issued.access_token, issued.cookie_max_age),
    );
    headers.append(
        header::SET_COOKIE,
        c.set(c.refresh, &issued.refresh_token, issued.cookie_max_age),
    );
}

/// 303 to `return_to` with the session cookies (and the flow cookie gone).
pub fn signed_in(state: &AppState, issued: &Issued, return_to: &str) -> Response {
    let mut response = Redirect::to(return_to).into_response();
    let headers = response.headers_mut();
    set_session_cookies(state, issued, headers);
    headers.append(header::SET_COOKIE, state.cookies.clear(state.cookies.flow));
    headers.insert(header::CACHE_CONTROL, "no-store".parse().expect("static"));
    response
}

/// Rotates the refresh token from the `onetip_rt` cookie. The access token
/// comes back in the body only to an internal caller (the gateway, with the
/// internal token); a browser gets its cookies and 204, so a script on the
/// page never sees a token.
#[utoipa::path(post, path = "/auth/refresh", tag = "auth",
    responses(
        (status = 200, description = "New tokens, to internal callers; the cookies are set too", body = Refreshed),
        (status = 204, description = "New tokens in the cookies (browsers)"),
        (status = 401, description = "No valid refresh token", body = shared_types::ErrorBody)))]
pub async fn refresh(
    State(state): State<AppState>,
    // The gateway, refreshing for a browser, is an internal caller; a
    // browser is not, and that is no refusal here.
    caller: Result<InternalCaller, Unauthenticated>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let token = cookie(&headers, state.cookies.refresh).ok_or(ApiError::Unauthorized)?;
    let issued = match state.sessions.refresh(token).await {
        Ok(issued) => issued,
        Err(SessionError::NotLive) => {
            return Ok(cleared(&state, ApiError::Unauthorized.into_response()));
        }
        Err(e) => return Err(e.into()),
    };
    let mut response = if caller.is_ok() {
        Json(Refreshed {
            access_token: issued.access_token.clone(),
            expires_in: issued.access_expires_in,
        })
        .into_response()
    } else {
        StatusCode::NO_CONTENT.into_response()
    };
    set_session_cookies(&state, &issued, response.headers_mut());
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, "no-store".parse().expect("static"));
    Ok(response)
}

fn cleared(state: &AppState, mut response: Response) -> Response {
    let c = &state.cookies;
    let headers = response.headers_mut();
    headers.append(header::SET_COOKIE, c.clear(c.access));
    headers.append(header::SET_COOKIE, c.clear(c.refresh));
    response
}

/// Ends the session server-side (its refresh tokens are deleted and its
/// `sid` joins the revoked list) and clears the cookies.
#[utoipa::path(post, path = "/auth/logout", tag = "auth",
    responses(
        (status = 204, description = "Signed out"),
        (status = 303, description = "Signed out; to the sign-in page (browsers)")))]
pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    let c = &state.cookies;
    if let Some(rt) = cookie(&headers, c.refresh) {
        state.sessions.end_by_refresh(rt).await?;
    }
    let access = cookie(&headers, c.access).or_else(|| platform::secrets::bearer(&headers));
    if let Some(Ok(claims)) = match access {
        Some(at) => Some(state.verifier.verify(at).await),
        None => None,
    } {
        state.sessions.end(&claims.sid).await?;
    }
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    let response = if wants_html {
        Redirect::to("/signin").into_response()
    } else {
        StatusCode::NO_CONTENT.into_response()
    };
    Ok(cleared(&state, response))
}
