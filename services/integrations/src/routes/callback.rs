//! `GET /connect/{name}/callback`: where the provider sends the user back.
//!
//! The answer is always a `303` to the web app's `/connect` page, with
//! `?connected=<name>` or `?error=<code>` for the page to explain. No
//! failure stores anything.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use shared_types::integrations::ConnectError;

use super::CurrentUser;
use crate::AppState;
use crate::connector::ConnectorError;

/// What the provider appends to the redirect.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallbackQuery {
    pub code: Option<String>,
    pub state: Option<String>,
    /// `access_denied` when the user said no.
    pub error: Option<String>,
}

/// Why a callback failed, as `/connect?error=` carries it.
fn error_code(e: &ConnectorError) -> ConnectError {
    match e {
        ConnectorError::UnknownState => ConnectError::StateUnknown,
        ConnectorError::ExpiredState => ConnectError::StateExpired,
        ConnectorError::ForeignState => ConnectError::StateForeign,
        ConnectorError::WrongProvider => ConnectError::WrongProvider,
        ConnectorError::CodeRejected { .. } => ConnectError::CodeRejected,
        ConnectorError::RateLimited { .. } => ConnectError::RateLimited,
        ConnectorError::Upstream { .. } => ConnectError::ProviderFailed,
        _ => ConnectError::Internal,
    }
}

fn back(name: &str, outcome: Result<(), ConnectError>) -> Response {
    let name: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .take(32)
        .collect();
    let target = match outcome {
        Ok(()) => format!("/connect?connected={name}"),
        Err(code) => format!("/connect?connector={name}&error={code}"),
    };
    Redirect::to(&target).into_response()
}

/// Finishes the OAuth dance for the signed-in user who started it.
#[utoipa::path(get, path = "/connect/{name}/callback", tag = "connectors",
    security(("bearer" = [])),
    params(("name" = String, Path, description = "The connector, e.g. `todoist`"), CallbackQuery),
    responses(
        (status = 303, description = "Back to `/connect?connected={name}`, or `/connect?connector={name}&error={code}` with code one of `access_denied`, `state_missing`, `state_unknown` (unknown or already used), `state_expired`, `state_foreign`, `wrong_provider`, `code_rejected`, `rate_limited`, `provider_failed`, `not_signed_in`, `unknown_connector`, `internal`")))]
pub async fn callback(
    State(state): State<AppState>,
    user: Result<CurrentUser, platform::identity::Unauthenticated>,
    Path(name): Path<String>,
    query: Result<Query<CallbackQuery>, QueryRejection>,
) -> Response {
    let Some(connector) = state.connectors.get(&name) else {
        return back("", Err(ConnectError::UnknownConnector));
    };
    let Ok(CurrentUser(user)) = user else {
        return back(&name, Err(ConnectError::NotSignedIn));
    };
    let Ok(Query(query)) = query else {
        return back(&name, Err(ConnectError::StateMissing));
    };
    if query.error.is_some() {
        // The flow is over: spend its state so it cannot be finished later.
        if let Some(s) = query.state.as_deref() {
            let _ = connector.finish_oauth(&user, "", s).await;
        }
        let code = match query.error.as_deref() {
            Some("access_denied") => ConnectError::AccessDenied,
            _ => ConnectError::ProviderFailed,
        };
        return back(&name, Err(code));
    }
    let Some(flow_state) = query.state.filter(|s| !s.is_empty()) else {
        return back(&name, Err(ConnectError::StateMissing));
    };
    let code = query.code.unwrap_or_default();
    match connector.finish_oauth(&user, &code, &flow_state).await {
        Ok(_) => back(&name, Ok(())),
        Err(e) => {
            tracing::info!(connector = %name, reason = %e, "OAuth callback refused");
            if matches!(e, ConnectorError::Store(_) | ConnectorError::Vault(_)) {
                tracing::error!(error = %e, "OAuth callback failed");
            }
            back(&name, Err(error_code(&e)))
        }
    }
}
