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

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use leptos::prelude::*;

use crate::app::AppState;
use crate::gateway::Me;

/// The person the page is for.
#[derive(Debug, Clone)]
pub enum Viewer {
    SignedOut,
    SignedIn(Me),
    /// The request carries a token but the profile could not be had (the
    /// gateway or profile failing): still offer to sign out.
    Unknown,
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        let Some(authorization) = parts.headers.get(AUTHORIZATION) else {
            return Ok(Self::SignedOut);
        };
        let request_id = parts.headers.get(platform::http::REQUEST_ID);
        Ok(match state.gateway.me(authorization, request_id).await {
            Ok(Some(me)) => Self::SignedIn(me),
            Ok(None) => Self::SignedOut,
            Err(e) => {
                tracing::warn!(error = %e, "the signed-in user's profile is unavailable");
                Self::Unknown
            }
        })
    }
}

/// The sign-out button: a plain form, so it works without JavaScript and
/// is a POST (auth answers browsers with a redirect to `/signin`).
fn sign_out() -> impl IntoView {
    view! {
        <form class="signout" method="post" action="/auth/logout">
            <button id="signout" class="link-button" type="submit">"Sign out"</button>
        </form>
    }
}

/// The header's account corner: the user and "Sign out", or "Sign in".
/// `lead` is said before the name (the tip page's "Signed in as").
pub fn account(viewer: &Viewer, lead: Option<&'static str>) -> AnyView {
    match viewer {
        Viewer::SignedIn(me) => {
            let name = me.display_name().to_owned();
            let email = me.email.clone();
            view! {
                <div class="account">
                    <span class="account-who">
                        {lead}
                        <span id="user" class="user" title=email>{name}</span>
                    </span>
                    {sign_out()}
                </div>
            }
            .into_any()
        }
        Viewer::Unknown => view! {
            <div class="account">
                <span id="user" class="user" data-state="unknown">"Signed in"</span>
                {sign_out()}
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
