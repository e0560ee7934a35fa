//! What every state-changing form of web's shares: the hidden CSRF field
//! when it is rendered, the check when it is posted, and the calm 403 page
//! when the check fails (see [`crate::csrf`] for the token itself).

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use leptos::prelude::*;

use super::{Head, document};
use crate::app::AppState;
use crate::csrf::{self, Binding};

/// The hidden field carrying `token`.
pub fn csrf_field(token: &str) -> impl IntoView + use<> {
    let token = token.to_owned();
    view! { <input type="hidden" name=csrf::FIELD value=token /> }
}

/// The token for forms shown in this signed-in request, when it has a
/// session.
pub fn session_token(state: &AppState, headers: &HeaderMap) -> Option<String> {
    let sid = csrf::session_id(headers)?;
    Some(state.csrf.token(Binding::Session(&sid)))
}

/// Whether `given` is this request's session token.
pub fn session_ok(state: &AppState, headers: &HeaderMap, given: Option<&str>) -> bool {
    match (csrf::session_id(headers), given) {
        (Some(sid), Some(given)) => state.csrf.verify(Binding::Session(&sid), given),
        _ => false,
    }
}

/// Whether `given` is the token of this browser's signed-out CSRF cookie.
pub fn browser_ok(state: &AppState, headers: &HeaderMap, given: Option<&str>) -> bool {
    let name = csrf::cookie_name(state.production);
    match (csrf::browser_id(headers, name), given) {
        (Some(id), Some(given)) => state.csrf.verify(Binding::Browser(id), given),
        _ => false,
    }
}

/// 403: the form's token is missing or not this session's. Nothing was
/// done; the page says how to go on.
pub fn forbidden() -> Response {
    let page = document(
        Head::titled("Form expired · Onetip"),
        "framed",
        view! {
            <main class="content" data-state="forbidden">
                <h1>"This form has expired"</h1>
                <p>
                    "Nothing was changed. The page it came from was opened in another session, "
                    "or is too old. Go back, reload the page, and try again."
                </p>
                <p><a href="/">"Back to your tip"</a></p>
            </main>
        },
    );
    (StatusCode::FORBIDDEN, page).into_response()
}
