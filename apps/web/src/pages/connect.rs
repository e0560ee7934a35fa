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

use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::header::{AUTHORIZATION, CONTENT_SECURITY_POLICY};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use leptos::prelude::*;
use serde::Deserialize;
use time::OffsetDateTime;

use super::account::Viewer;
use super::{Head, forms, framed};
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
    let message = outcome_message(&outcome, &known);
    let html = framed(
        Head::titled("Connectors · Onetip"),
        &viewer,
        view! {
            <h1>"Connectors"</h1>
            <p>"Connect a service so that your tips come from your own tasks."</p>
            {message.map(|(kind, text)| view! {
                <p id="outcome" class="outcome" data-kind=kind role="status">{text}</p>
            })}
            {connectors_view(listing, viewer.csrf().unwrap_or_default())}
            {tasks.map(tasks_view)}
        },
    );
    let mut response = html.into_response();
    response
        .headers_mut()
        .insert(CONTENT_SECURITY_POLICY, state.connect_csp.clone());
    response
}

fn connectors_view(listing: Listing, csrf: &str) -> AnyView {
    match listing {
        Listing::SignedOut => view! {
            <p class="notice-calm">
                "Sign in to connect your services. "
                <a href=SIGN_IN>"Sign in"</a>
            </p>
        }
        .into_any(),
        Listing::SlowDown => view! {
            <p class="notice-calm" data-notice="slow-down">
                "Lots of requests right now, so we are pausing for a moment. "
                "Reload this page in a minute to see your connectors."
            </p>
        }
        .into_any(),
        Listing::Unavailable => view! {
            <p class="notice-calm" data-notice="unavailable">
                "Your connectors cannot be shown just now. Please try again in a moment."
            </p>
        }
        .into_any(),
        Listing::Shown(list) => {
            let rows = list
                .into_iter()
                .filter(|c| is_name(&c.name))
                .map(|c| connector_row(c, csrf))
                .collect_view();
            view! { <ul class="connectors">{rows}</ul> }.into_any()
        }
    }
}

/// One connector: its name, its state, and the one button that fits.
fn connector_row(c: ConnectorState, csrf: &str) -> impl IntoView + use<> {
    let field = forms::csrf_field(csrf);
    let data_state = if c.connected {
        "connected"
    } else {
        "disconnected"
    };
    let state_text = if c.connected {
        match c.connected_at.and_then(since) {
            Some((datetime, shown)) => view! {
                <span class="connector-state">
                    "connected since " <time datetime=datetime>{shown}</time>
                </span>
            }
            .into_any(),
            None => view! { <span class="connector-state">"connected"</span> }.into_any(),
        }
    } else {
        view! { <span class="connector-state">"not connected"</span> }.into_any()
    };
    let button = if c.connected {
        let action = format!("/connect/{}/disconnect", c.name);
        view! {
            <form method="post" action=action>
                {field}
                <button class="button button-quiet" type="submit">"Disconnect"</button>
            </form>
        }
        .into_any()
    } else {
        // A POST, not a link: starting to connect changes state (an OAuth
        // state is stored), and forms post to web.
        let action = format!("/connect/{}", c.name);
        let label = format!("Connect {}", c.display_name);
        view! {
            <form method="post" action=action>
                {field}
                <button class="button" type="submit">{label}</button>
            </form>
        }
        .into_any()
    };
    let name = c.name;
    view! {
        <li class="connector" data-connector=name data-state=data_state>
            <div class="connector-text">
                <span class="connector-name">{c.display_name}</span>
                {state_text}
            </div>
            {button}
        </li>
    }
}

/// Epoch milliseconds as (`datetime` attribute, shown text), in UTC.
fn since(epoch_ms: i64) -> Option<(String, String)> {
    let t = OffsetDateTime::from_unix_timestamp_nanos(i128::from(epoch_ms) * 1_000_000).ok()?;
    let datetime = t
        .format(&time::format_description::well_known::Rfc3339)
        .ok()?;
    let shown = format!(
        "{}-{:02}-{:02} {:02}:{:02} UTC",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    );
    Some((datetime, shown))
}

/// The tasks section when they cannot be listed: one calm sentence.
fn notice(kind: &'static str, text: &'static str) -> AnyView {
    view! {
        <section class="tasks">
            <h2>"Your open tasks"</h2>
            <p class="notice-calm" data-notice=kind>{text}</p>
        </section>
    }
    .into_any()
}

fn tasks_view(tasks: Tasks) -> AnyView {
    match tasks {
        Tasks::SlowDown => notice(
            "slow-down",
            "Todoist asks us to slow down for a moment. \
             Your tasks will show again shortly: reload this page in a minute.",
        ),
        Tasks::Reconnect => notice(
            "reconnect",
            "The connection no longer works, so your tasks cannot be read. \
             Disconnect, then connect again.",
        ),
        Tasks::Unavailable => notice(
            "unavailable",
            "Your tasks cannot be shown just now. Please try again in a moment.",
        ),
        Tasks::Shown(tasks) => {
            let total = tasks.len();
            let count = match total {
                0 => "No open tasks: nothing to do right now.".to_owned(),
                1 => "1 open task.".to_owned(),
                n if n > MAX_LISTED => format!("{n} open tasks; the first {MAX_LISTED} below."),
                n => format!("{n} open tasks."),
            };
            let items = tasks
                .into_iter()
                .take(MAX_LISTED)
                .map(|t| {
                    let due = t.due.map(|d| view! { <span class="task-due">{d}</span> });
                    view! {
                        <li class="task" data-source=t.source data-task-id=t.id>
                            <span class="task-title">{t.title}</span>
                            {due}
                        </li>
                    }
                })
                .collect_view();
            view! {
                <section class="tasks">
                    <h2>"Your open tasks"</h2>
                    <p id="task-count" data-count=total.to_string()>{count}</p>
                    <ul id="tasks" class="task-list">{items}</ul>
                </section>
            }
            .into_any()
        }
    }
}

/// The sentence for the query's outcome, and whether it is good news.
/// Only known names and codes are put into words: nothing from the query
/// is shown as it came.
fn outcome_message(q: &Outcome, known: &[(String, String)]) -> Option<(&'static str, String)> {
    let display = |name: Option<&String>| -> String {
        name.and_then(|n| known.iter().find(|(k, _)| k == n))
            .map(|(_, display)| display.clone())
            .or_else(|| {
                // The list may be unavailable: the first connector is still known by name.
                (name.map(String::as_str) == Some("todoist")).then(|| "Todoist".to_owned())
            })
            .unwrap_or_else(|| "The service".to_owned())
    };
    if let Some(code) = &q.error {
        let who = display(q.connector.as_ref());
        return Some(("error", error_sentence(code, &who)));
    }
    if let Some(name) = &q.connected {
        return Some(("ok", format!("{} is connected.", display(Some(name)))));
    }
    if let Some(name) = &q.disconnected {
        return Some(("ok", format!("{} is disconnected.", display(Some(name)))));
    }
    None
}

/// One plain sentence per code the callback (and web's own handlers) can
/// send back; a general one for anything else.
fn error_sentence(code: &str, who: &str) -> String {
    match code {
        "access_denied" => format!(
            "You declined on {who}'s page, so {who} is not connected. \
             You can connect it whenever you like."
        ),
        "state_missing" => format!(
            "{who} sent you back without the details of this attempt, so nothing was \
             connected. Please try again."
        ),
        "state_unknown" => "This connection attempt is unknown or was already used, so \
             nothing was connected. Please start again from this page."
            .to_owned(),
        "state_expired" => "This connection attempt took too long and expired, so nothing \
             was connected. Please start again from this page."
            .to_owned(),
        "state_foreign" => "This connection attempt was started by another account or in \
             another session, so it was not used. Start again from this page while signed in."
            .to_owned(),
        "wrong_provider" => "The answer came back for a different service than the one this \
             attempt was started for, so nothing was connected. Please start again."
            .to_owned(),
        "code_rejected" => format!(
            "{who} did not accept the approval (it may have expired or been used already), \
             so nothing was connected. Please try again."
        ),
        "rate_limited" => {
            format!("{who} asks us to slow down for a moment. Please try again in a minute.")
        }
        "provider_failed" => format!(
            "{who} did not answer properly, so nothing was connected. Please try again shortly."
        ),
        "not_signed_in" => format!(
            "You were not signed in when {who} sent you back, so nothing was connected. \
             Sign in, then connect again."
        ),
        "unknown_connector" => "There is no service of that name to connect.".to_owned(),
        "start_failed" => format!(
            "Connecting to {who} could not be started just now. Please try again in a moment."
        ),
        "disconnect_failed" => {
            format!("{who} could not be disconnected just now. Please try again in a moment.")
        }
        "internal" => "Something went wrong on our side, so nothing was connected. \
             Please try again."
            .to_owned(),
        _ => format!("Connecting to {who} did not work. Please try again."),
    }
}

/// Back to `/connect` with an error code for the page to explain.
fn back_with_error(name: &str, code: &str) -> Response {
    Redirect::to(&format!("/connect?connector={name}&error={code}")).into_response()
}

/// Where a connect or disconnect that the API refused leads: sign-in when
/// the session is gone, otherwise back to `/connect` with a code to explain
/// (`otherwise` for anything unexpected, which is logged).
fn failed(name: &str, e: GatewayError, otherwise: &str) -> Response {
    match e {
        GatewayError::Unauthorized => Redirect::to(SIGN_IN).into_response(),
        GatewayError::RateLimited => back_with_error(name, "rate_limited"),
        GatewayError::Status(StatusCode::NOT_FOUND) => back_with_error(name, "unknown_connector"),
        e => {
            tracing::warn!(connector = %name, error = %e, code = otherwise, "connector request failed");
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
/// missing or another session's).
fn admitted<'h>(
    state: &AppState,
    headers: &'h HeaderMap,
    form: Result<Form<ConnectForm>, FormRejection>,
) -> Result<&'h HeaderValue, Box<Response>> {
    let token = headers
        .get(AUTHORIZATION)
        .ok_or_else(|| Box::new(Redirect::to(SIGN_IN).into_response()))?;
    let form = form.map(|Form(f)| f).unwrap_or_default();
    if forms::session_ok(state, headers, form.csrf.as_deref()) {
        Ok(token)
    } else {
        Err(Box::new(forms::forbidden()))
    }
}

/// `POST /connect/{name}`: starts the OAuth dance through the API and
/// sends the browser on to the provider's consent page (`303`).
pub async fn start(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    form: Result<Form<ConnectForm>, FormRejection>,
) -> Response {
    let token = match admitted(&state, &headers, form) {
        Ok(token) => token,
        Err(answer) => return *answer,
    };
    if !is_name(&name) {
        return Redirect::to("/connect?error=unknown_connector").into_response();
    }
    let request_id = headers.get(platform::http::REQUEST_ID);
    match state.gateway.start_connect(&name, token, request_id).await {
        Ok(url) => match HeaderValue::from_str(&url) {
            Ok(location) => (
                StatusCode::SEE_OTHER,
                [(axum::http::header::LOCATION, location)],
            )
                .into_response(),
            Err(_) => back_with_error(&name, "start_failed"),
        },
        Err(e) => failed(&name, e, "start_failed"),
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
    let token = match admitted(&state, &headers, form) {
        Ok(token) => token,
        Err(answer) => return *answer,
    };
    if !is_name(&name) {
        return Redirect::to("/connect?error=unknown_connector").into_response();
    }
    let request_id = headers.get(platform::http::REQUEST_ID);
    match state.gateway.disconnect(&name, token, request_id).await {
        Ok(()) => Redirect::to(&format!("/connect?disconnected={name}")).into_response(),
        Err(e) => failed(&name, e, "disconnect_failed"),
    }
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

    #[test]
    fn every_code_gets_its_own_sentence_and_unknown_ones_the_general_one() {
        let general = error_sentence("no-such-code", "Todoist");
        let codes = [
            "access_denied",
            "state_missing",
            "state_unknown",
            "state_expired",
            "state_foreign",
            "wrong_provider",
            "code_rejected",
            "rate_limited",
            "provider_failed",
            "not_signed_in",
            "unknown_connector",
            "start_failed",
            "disconnect_failed",
            "internal",
        ];
        let mut seen = std::collections::HashSet::new();
        for code in codes {
            let sentence = error_sentence(code, "Todoist");
            assert_ne!(sentence, general, "{code}");
            assert!(seen.insert(sentence), "{code}: not its own sentence");
        }
    }

    #[test]
    fn connection_times_read_as_utc() {
        let (datetime, shown) = since(1_764_158_400_000).unwrap();
        assert_eq!(datetime, "2025-11-26T12:00:00Z");
        assert_eq!(shown, "2025-11-26 12:00 UTC");
    }
}
