//! `/signin`: the way in. "Sign in with Google" leads to auth's OpenID
//! Connect start; when development sign-in is on (no Google client, not
//! production: the same rule auth follows), a clearly marked form signs in
//! as any address through `/auth/dev/signin`.
//!
//! `return_to` (where the gateway was sent away from) is carried on to auth
//! only when it is a local path: never another site.
//!
//! The development form posts to web (`POST /signin`, public like the page
//! at the gateway), which checks its CSRF token before asking auth: the
//! token is bound to a random cookie of web's own, set by this page, so a
//! form on another site cannot sign a browser in as someone else.

use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, LOCATION, SET_COOKIE};
use axum::response::{IntoResponse, Redirect, Response};
use leptos::prelude::*;
use platform::identity::is_local_path;
use serde::Deserialize;

use super::account::Viewer;
use super::{Head, forms, framed};
use crate::app::AppState;
use crate::csrf::{self, Binding};
use crate::gateway::GatewayError;

#[derive(Debug, Deserialize)]
pub struct Params {
    return_to: Option<String>,
    error: Option<String>,
}

/// `GET /signin`.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    query: Result<Query<Params>, QueryRejection>,
) -> Response {
    // A query that does not parse is as good as none.
    let (return_to, error) = match query {
        Ok(Query(p)) => (p.return_to.filter(|r| is_local_path(r)), p.error),
        Err(_) => (None, None),
    };
    let error = error.and_then(|code| match code.as_str() {
        "dev_refused" => Some("That address could not be used to sign in. Please check it."),
        "dev_failed" => Some("Signing in did not work just now. Please try again."),
        _ => None,
    });
    let google_href = match &return_to {
        Some(r) => format!(
            "/auth/google/start?return_to={}",
            platform::http::query_value(r)
        ),
        None => "/auth/google/start".to_owned(),
    };
    // Development sign-in is on exactly when Google is not configured: a
    // Google button would only lead back here, so say so instead.
    let google = if state.dev_sign_in {
        view! {
            <p id="google-unavailable" class="notice-calm">
                "Google sign-in is not configured in this development run: use the form below."
            </p>
        }
        .into_any()
    } else {
        // A plain link, not a form: the start of the OpenID Connect dance is
        // a GET that auth answers with a redirect.
        view! {
            <a id="google-signin" class="button" href=google_href>
                "Sign in with Google"
            </a>
        }
        .into_any()
    };
    // The development form's token is bound to web's own cookie: the
    // browser's, or a new one set with this answer.
    let mut new_cookie = None;
    let dev_form = state.dev_sign_in.then(|| {
        let name = csrf::cookie_name(state.production);
        let id = match csrf::browser_id(&headers, name) {
            Some(id) => id.to_owned(),
            None => {
                let (id, cookie) = csrf::new_browser_cookie(name, state.production);
                new_cookie = Some(cookie);
                id
            }
        };
        dev_form(return_to, &state.csrf.token(Binding::Browser(&id)))
    });
    let error = error.map(|e| {
        view! { <p id="outcome" class="outcome" data-kind="error" role="status">{e}</p> }
    });
    let mut response = framed(
        Head::titled("Sign in · Onetip"),
        &viewer,
        view! {
            <section class="panel signin">
                <h1>"Sign in"</h1>
                <p>"One tip at a time, from your own tasks."</p>
                {error}
                {google}
            </section>
            {dev_form}
        },
    )
    .into_response();
    if let Some(cookie) = new_cookie {
        let headers = response.headers_mut();
        headers.insert(SET_COOKIE, cookie);
        headers.insert(CACHE_CONTROL, "no-store".parse().expect("static"));
    }
    response
}

/// The development form's fields.
#[derive(Debug, Default, Deserialize)]
pub struct DevForm {
    csrf: Option<String>,
    email: Option<String>,
    name: Option<String>,
    return_to: Option<String>,
}

/// `POST /signin`: the development form. Checks its token against web's
/// cookie, then asks auth's `/auth/dev/signin` and hands its redirect and
/// session cookies on. 404 when development sign-in is off.
pub async fn dev_sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<DevForm>, FormRejection>,
) -> Response {
    if !state.dev_sign_in {
        return StatusCode::NOT_FOUND.into_response();
    }
    let form = form.map(|Form(f)| f).unwrap_or_default();
    if !forms::browser_ok(&state, &headers, form.csrf.as_deref()) {
        return forms::forbidden();
    }
    let return_to = form.return_to.filter(|r| is_local_path(r));
    let mut fields = vec![("email", form.email.as_deref().unwrap_or_default())];
    if let Some(name) = form.name.as_deref() {
        fields.push(("name", name));
    }
    if let Some(r) = return_to.as_deref() {
        fields.push(("return_to", r));
    }
    let request_id = headers.get(platform::http::REQUEST_ID);
    match state.gateway.dev_sign_in(&fields, request_id).await {
        Ok(signed_in) => {
            let mut response = (
                StatusCode::SEE_OTHER,
                [(LOCATION, signed_in.location.as_str())],
            )
                .into_response();
            for cookie in signed_in.set_cookies {
                response.headers_mut().append(SET_COOKIE, cookie);
            }
            response
        }
        Err(GatewayError::Status(StatusCode::BAD_REQUEST)) => {
            Redirect::to("/signin?error=dev_refused").into_response()
        }
        Err(e) => {
            tracing::warn!(error = %e, "development sign-in failed");
            Redirect::to("/signin?error=dev_failed").into_response()
        }
    }
}

/// The development form: any address signs in. Only rendered when auth
/// serves `/auth/dev/signin` too.
fn dev_form(return_to: Option<String>, csrf: &str) -> impl IntoView + use<> {
    let hidden = return_to.map(|r| view! { <input type="hidden" name="return_to" value=r /> });
    let field = forms::csrf_field(csrf);
    view! {
        <section id="dev-signin" class="panel dev-signin">
            <h2>"Development only"</h2>
            <p class="dev-warning">
                <strong>"Development only: "</strong>
                "no Google client is configured, so anyone can sign in as any address. "
                "This form does not exist in production."
            </p>
            <form method="post" action="/signin" class="dev-form">
                {field}
                {hidden}
                <label>
                    "Email"
                    <input type="email" name="email" required maxlength="254" autocomplete="email" />
                </label>
                <label>
                    "Name (optional)"
                    <input type="text" name="name" maxlength="100" autocomplete="name" />
                </label>
                <button class="button" type="submit">"Sign in (development)"</button>
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use platform::http::query_value;

    use super::is_local_path;

    #[test]
    fn only_local_paths_are_carried_on() {
        for evil in [
            "https://evil",
            "//evil",
            "/\\evil",
            "\\\\evil",
            "evil",
            "/a\nb",
            "http:/x",
            "/a\\b",
        ] {
            assert!(!is_local_path(evil), "{evil:?}");
        }
        assert!(is_local_path("/"));
        assert!(is_local_path("/connect?x=1"));
        assert!(!is_local_path(&format!("/{}", "a".repeat(600))));
    }

    #[test]
    fn return_to_is_one_encoded_query_value() {
        assert_eq!(
            query_value("/connect?x=1&y=2"),
            "%2Fconnect%3Fx%3D1%26y%3D2"
        );
        assert_eq!(query_value("/é"), "%2F%C3%A9");
    }
}
