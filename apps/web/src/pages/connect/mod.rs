//! `/connect`: the connectors, one button each, with their state; what the
//! last attempt came to; and, once something is connected, the user's open
//! tasks, so they see that it worked.
//!
//! Connecting is a plain form posted to web (`POST /connect/{name}`), which
//! asks the API through the gateway with the user's Bearer token to start
//! the OAuth dance and answers `303` to the provider's consent page. The
//! provider sends the browser back to integrations' callback, which answers
//! `303` to `/connect?connected={name}` or
//! `/connect?connector={name}&error={code}`: this page explains each code in
//! one plain sentence. Disconnecting is another form
//! (`POST /connect/{name}/disconnect` → `DELETE /api/connectors/{name}` →
//! `303 /connect?disconnected={name}`).
//!
//! Browsers hold a form's redirect chain to the page's CSP `form-action`,
//! so this page's policy also allows the providers' consent pages (and
//! nothing else: scripts and styles stay `'self'`).
//!
//! The markup is a contract the tests rely on: each connector is an element
//! with `data-connector="{name}"` and `data-state="connected|disconnected"`;
//! the outcome message is `id="outcome"` with `data-kind="ok|error"`; the
//! tasks are `<li>`s of `id="tasks"`, counted in `id="task-count"`.
//!
//! Here the page itself; its markup in [`view`], the outcome sentences in
//! [`outcome`], and the two form posts in [`actions`].

mod actions;
mod outcome;
mod view;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header::{AUTHORIZATION, CONTENT_SECURITY_POLICY};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use leptos::prelude::*;
use serde::Deserialize;

pub use actions::{disconnect, start};

use super::account::Viewer;
use super::{Head, framed};
use crate::app::AppState;
use crate::gateway::{ConnectorState, GatewayError, OpenTask};

/// At most this many tasks are listed; the count says how many there are.
const MAX_LISTED: usize = 100;

/// Where a signed-out form post is sent.
const SIGN_IN: &str = "/signin?return_to=%2Fconnect";

/// What the callback (or web's own handlers) put in the query.
#[derive(Debug, Default, Deserialize)]
pub struct Outcome {
    connected: Option<String>,
    disconnected: Option<String>,
    connector: Option<String>,
    error: Option<String>,
}

/// A connector name as URLs carry it: short, letters, digits, `-` and `_`.
fn is_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 32
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The connectors, or why they are not shown.
enum Listing {
    SignedOut,
    Shown(Vec<ConnectorState>),
    SlowDown,
    Unavailable,
}

/// The tasks, or why they are not shown.
enum Tasks {
    Shown(Vec<OpenTask>),
    SlowDown,
    Reconnect,
    Unavailable,
}

/// `GET /connect`.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    query: Result<Query<Outcome>, QueryRejection>,
) -> Response {
    // A query that does not parse is as good as none.
    let outcome = query.map(|Query(q)| q).unwrap_or_default();
    let request_id = headers.get(platform::http::REQUEST_ID);
    let token = headers
        .get(AUTHORIZATION)
        .filter(|_| !matches!(viewer, Viewer::SignedOut));

    let listing = match token {
        None => Listing::SignedOut,
        Some(token) => match state.gateway.connectors(token, request_id).await {
            Ok(list) => Listing::Shown(list),
            Err(GatewayError::Unauthorized) => Listing::SignedOut,
            Err(GatewayError::RateLimited) => Listing::SlowDown,
            Err(e) => {
                tracing::warn!(error = %e, "the connectors are unavailable");
                Listing::Unavailable
            }
        },
    };
    let tasks = match (&listing, token) {
        (Listing::Shown(list), Some(token)) if list.iter().any(|c| c.connected) => {
            Some(match state.gateway.tasks(token, request_id).await {
                Ok(tasks) => Tasks::Shown(tasks),
                Err(GatewayError::RateLimited) => Tasks::SlowDown,
                Err(GatewayError::Status(StatusCode::CONFLICT)) => Tasks::Reconnect,
                Err(e) => {
                    tracing::warn!(error = %e, "the user's tasks are unavailable");
                    Tasks::Unavailable
                }
            })
        }
        _ => None,
    };

    let known: Vec<(String, String)> = match &listing {
        Listing::Shown(list) => list
            .iter()
            .map(|c| (c.name.clone(), c.display_name.clone()))
            .collect(),
        _ => Vec::new(),
    };
    let message = outcome::message(&outcome, &known);
    let html = framed(
        Head::titled("Connectors · Onetip"),
        &viewer,
        view! {
            <h1>"Connectors"</h1>
            <p>"Connect a service so that your tips come from your own tasks."</p>
            {message.map(|(kind, text)| view! {
                <p id="outcome" class="outcome" data-kind=kind role="status">{text}</p>
            })}
            {view::connectors(listing, viewer.csrf().unwrap_or_default())}
            {tasks.map(view::tasks)}
        },
    );
    let mut response = html.into_response();
    response
        .headers_mut()
        .insert(CONTENT_SECURITY_POLICY, state.connect_csp.clone());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connector_names_are_plain() {
        assert!(is_name("todoist"));
        assert!(is_name("google-calendar_2"));
        for bad in ["", "a/b", "a?b", "<x>", "é", &"a".repeat(33)] {
            assert!(!is_name(bad), "{bad:?}");
        }
    }
}
