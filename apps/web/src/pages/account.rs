//! Who is looking at the page, and the header piece that says so.
//!
//! The gateway has already checked the session and forwards the access
//! token as `Authorization: Bearer`; web asks the gateway's `/api/me` with
//! that same header before rendering (a plain future, nothing streamed or
//! serialised into the page). No header, or a 401, means signed out.
//!
//! The markup is a contract the tests rely on: the signed-in user's element
//! is `id="user"`, the sign-out button `id="signout"`, and the sign-in link
//! (signed out) `id="signin"`.

use std::convert::Infallible;

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{FromRequestParts, State};
use axum::http::header::{AUTHORIZATION, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use leptos::prelude::*;
use serde::Deserialize;

use super::{Head, document, forms};
use crate::app::AppState;
use crate::gateway::User;

/// The person the page is for, and the CSRF token of their session for
/// the page's forms.
#[derive(Debug, Clone)]
pub enum Viewer {
    SignedOut,
    SignedIn {
        me: User,
        csrf: String,
    },
    /// The request carries a token but the profile could not be had (the
    /// gateway or profile failing): still offer to sign out.
    Unknown {
        csrf: String,
    },
}

impl Viewer {
    /// The session's CSRF token, when signed in.
    pub fn csrf(&self) -> Option<&str> {
        match self {
            Self::SignedOut => None,
            Self::SignedIn { csrf, .. } | Self::Unknown { csrf } => Some(csrf),
        }
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        let Some(authorization) = parts.headers.get(AUTHORIZATION) else {
            return Ok(Self::SignedOut);
        };
        let request_id = parts.headers.get(platform::http::REQUEST_ID);
        // A token without a session id gets a token no post will match.
        let csrf = forms::session_token(state, &parts.headers).unwrap_or_default();
        Ok(match state.gateway.me(authorization, request_id).await {
            Ok(Some(me)) => Self::SignedIn { me, csrf },
            Ok(None) => Self::SignedOut,
            Err(e) => {
                tracing::warn!(error = %e, "the signed-in user's profile is unavailable");
                Self::Unknown { csrf }
            }
        })
    }
}

/// The sign-out button: a plain form posted to web (`POST /signout`,
/// which checks its CSRF token, then asks auth to end the session), so it
/// works without JavaScript.
fn sign_out(csrf: &str) -> impl IntoView + use<> {
    let field = forms::csrf_field(csrf);
    view! {
        <form class="signout" method="post" action="/signout">
            {field}
            <button id="signout" class="link-button" type="submit">"Sign out"</button>
        </form>
    }
}

/// The header's account corner: the user and "Sign out", or "Sign in".
/// `lead` is said before the name (the tip page's "Signed in as").
pub fn account(viewer: &Viewer, lead: Option<&'static str>) -> AnyView {
    match viewer {
        Viewer::SignedIn { me, csrf } => {
            let name = me.display_name().to_owned();
            let email = me.email.clone();
            view! {
                <div class="account">
                    <span class="account-who">
                        {lead}
                        <span id="user" class="user" title=email>{name}</span>
                    </span>
                    {sign_out(csrf)}
                </div>
            }
            .into_any()
        }
        Viewer::Unknown { csrf } => view! {
            <div class="account">
                <span id="user" class="user" data-state="unknown">"Signed in"</span>
                {sign_out(csrf)}
            </div>
        }
        .into_any(),
        Viewer::SignedOut => view! {
            <div class="account">
                <a id="signin" href="/signin">"Sign in"</a>
            </div>
        }
        .into_any(),
    }
}

/// The sign-out form's fields.
#[derive(Debug, Default, Deserialize)]
pub struct SignOutForm {
    csrf: Option<String>,
}

/// `POST /signout`: checks the form's token, asks auth (through the
/// gateway, with the user's Bearer token) to end the session, and hands
/// auth's cookie-clearing `Set-Cookie` headers on with `303 /signin`.
pub async fn sign_out_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<SignOutForm>, FormRejection>,
) -> Response {
    let Some(token) = headers.get(AUTHORIZATION) else {
        return Redirect::to("/signin").into_response();
    };
    let form = form.map(|Form(f)| f).unwrap_or_default();
    if !forms::session_ok(&state, &headers, form.csrf.as_deref()) {
        return forms::forbidden();
    }
    let request_id = headers.get(platform::http::REQUEST_ID);
    match state.gateway.sign_out(token, request_id).await {
        Ok(cookies) => {
            let mut response = Redirect::to("/signin").into_response();
            for cookie in cookies {
                response.headers_mut().append(SET_COOKIE, cookie);
            }
            response
        }
        Err(e) => {
            tracing::warn!(error = %e, "signing out failed");
            let page = document(
                Head::titled("Not signed out · Onetip"),
                "framed",
                view! {
                    <main class="content" data-state="signout-failed">
                        <h1>"You are still signed in"</h1>
                        <p>"Signing out did not work just now. Please go back and try again."</p>
                        <p><a href="/">"Back to your tip"</a></p>
                    </main>
                },
            );
            (StatusCode::SERVICE_UNAVAILABLE, page).into_response()
        }
    }
}
