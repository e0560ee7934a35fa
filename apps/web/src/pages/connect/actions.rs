//! The two form posts: `POST /connect/{name}` starts the OAuth dance and
//! `POST /connect/{name}/disconnect` ends a connection, both through the
//! API with the user's token, after the session's CSRF check.

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use shared_types::integrations::ConnectError;

use super::{SIGN_IN, is_name};
use crate::app::AppState;
use crate::gateway::GatewayError;
use crate::pages::forms;

/// Back to `/connect` with an error code for the page to explain.
fn back_with_error(name: &str, code: ConnectError) -> Response {
    Redirect::to(&format!("/connect?connector={name}&error={code}")).into_response()
}

/// Where a connect or disconnect that the API refused leads: sign-in when
/// the session is gone, otherwise back to `/connect` with a code to explain
/// (`otherwise` for anything unexpected, which is logged).
fn failed(name: &str, e: GatewayError, otherwise: ConnectError) -> Response {
    match e {
        GatewayError::Unauthorized => Redirect::to(SIGN_IN).into_response(),
        GatewayError::RateLimited => back_with_error(name, ConnectError::RateLimited),
        GatewayError::Status(StatusCode::NOT_FOUND) => {
            back_with_error(name, ConnectError::UnknownConnector)
        }
        e => {
            tracing::warn!(connector = %name, error = %e, code = %otherwise, "connector request failed");
            back_with_error(name, otherwise)
        }
    }
}

/// The connect and disconnect forms' fields.
#[derive(Debug, Default, Deserialize)]
pub struct ConnectForm {
    csrf: Option<String>,
}

/// The user's token when the form may go on: `Err` is the answer instead
/// (sign in when there is no session, 403 when the form's CSRF token is
/// missing or another session's, back to `/connect` when `name` is no
/// connector's name).
fn admitted<'h>(
    state: &AppState,
    name: &str,
    headers: &'h HeaderMap,
    form: Result<Form<ConnectForm>, FormRejection>,
) -> Result<&'h HeaderValue, Box<Response>> {
    let token = headers
        .get(AUTHORIZATION)
        .ok_or_else(|| Box::new(Redirect::to(SIGN_IN).into_response()))?;
    let form = form.map(|Form(f)| f).unwrap_or_default();
    if !forms::session_ok(state, headers, form.csrf.as_deref()) {
        return Err(Box::new(forms::forbidden()));
    }
    if !is_name(name) {
        let to = format!("/connect?error={}", ConnectError::UnknownConnector);
        return Err(Box::new(Redirect::to(&to).into_response()));
    }
    Ok(token)
}

/// `POST /connect/{name}`: starts the OAuth dance through the API and
/// sends the browser on to the provider's consent page (`303`).
pub async fn start(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    form: Result<Form<ConnectForm>, FormRejection>,
) -> Response {
    let token = match admitted(&state, &name, &headers, form) {
        Ok(token) => token,
        Err(answer) => return *answer,
    };
    let request_id = headers.get(platform::http::REQUEST_ID);
    match state.gateway.start_connect(&name, token, request_id).await {
        Ok(url) => match HeaderValue::from_str(&url) {
            Ok(location) => (
                StatusCode::SEE_OTHER,
                [(axum::http::header::LOCATION, location)],
            )
                .into_response(),
            Err(_) => back_with_error(&name, ConnectError::StartFailed),
        },
        Err(e) => failed(&name, e, ConnectError::StartFailed),
    }
}

/// `POST /connect/{name}/disconnect`: revokes and forgets the connection
/// through the API, then back to `/connect?disconnected={name}`.
pub async fn disconnect(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    form: Result<Form<ConnectForm>, FormRejection>,
) -> Response {
    let token = match admitted(&state, &name, &headers, form) {
        Ok(token) => token,
        Err(answer) => return *answer,
    };
    let request_id = headers.get(platform::http::REQUEST_ID);
    match state.gateway.disconnect(&name, token, request_id).await {
        Ok(()) => Redirect::to(&format!("/connect?disconnected={name}")).into_response(),
        Err(e) => failed(&name, e, ConnectError::DisconnectFailed),
    }
}
