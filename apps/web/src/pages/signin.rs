//! `/signin`: the way in. "Sign in with Google" leads to auth's OpenID
//! Connect start; when development sign-in is on (no Google client, not
//! production: the same rule auth follows), a clearly marked form signs in
//! as any address through `/auth/dev/signin`.
//!
//! `return_to` (where the gateway was sent away from) is carried on to auth
//! only when it is a local path: never another site.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Html;
use leptos::prelude::*;
use serde::Deserialize;

use super::account::Viewer;
use super::{Head, framed};
use crate::app::AppState;

#[derive(Debug, Deserialize)]
pub struct Params {
    return_to: Option<String>,
}

/// `GET /signin`.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    query: Result<Query<Params>, QueryRejection>,
) -> Html<String> {
    // A query that does not parse is as good as none.
    let return_to = query
        .ok()
        .and_then(|Query(p)| p.return_to)
        .filter(|r| is_local_path(r));
    let google_href = match &return_to {
        Some(r) => format!("/auth/google/start?return_to={}", url_encode(r)),
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
    let dev_form = state.dev_sign_in.then(|| dev_form(return_to));
    framed(
        Head::titled("Sign in · Onetip"),
        &viewer,
        view! {
            <section class="panel signin">
                <h1>"Sign in"</h1>
                <p>"One tip at a time, from your own tasks."</p>
                {google}
            </section>
            {dev_form}
        },
    )
}

/// The development form: any address signs in. Only rendered when auth
/// serves `/auth/dev/signin` too.
fn dev_form(return_to: Option<String>) -> impl IntoView {
    let hidden = return_to.map(|r| view! { <input type="hidden" name="return_to" value=r /> });
    view! {
        <section id="dev-signin" class="panel dev-signin">
            <h2>"Development only"</h2>
            <p class="dev-warning">
                <strong>"Development only: "</strong>
                "no Google client is configured, so anyone can sign in as any address. "
                "This form does not exist in production."
            </p>
            <form method="post" action="/auth/dev/signin" class="dev-form">
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

/// A path on this site, never another: `https://evil`, `//evil` and
/// `/\evil` are refused. The same rule as auth's `safe_return_to`.
fn is_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.starts_with("/\\")
        && path.len() <= 512
        && !path.chars().any(|c| c.is_control() || c == '\\')
}

/// Percent-encodes everything but unreserved characters, so the value is
/// one query parameter whatever it contains (`/` included).
fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{is_local_path, url_encode};

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
        assert_eq!(url_encode("/connect?x=1&y=2"), "%2Fconnect%3Fx%3D1%26y%3D2");
        assert_eq!(url_encode("/é"), "%2F%C3%A9");
    }
}
