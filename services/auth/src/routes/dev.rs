//! Development sign-in: when no Google client is configured and
//! `APP_ENV=development`, a form signs in as any email address. These
//! routes do not exist otherwise (production refuses to start without
//! Google), and they are left out of the OpenAPI document.

use axum::Form;
use axum::extract::{Query, State};
use axum::response::{Html, Response};
use serde::Deserialize;

use super::safe_return_to;
use super::session::signed_in;
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::profile_client::NewUser;

#[derive(Debug, Deserialize)]
pub struct ReturnTo {
    pub return_to: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct DevSignIn {
    pub email: String,
    pub name: Option<String>,
    pub return_to: Option<String>,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The form.
pub async fn form(Query(q): Query<ReturnTo>) -> Html<String> {
    let return_to = escape(&safe_return_to(q.return_to.as_deref()));
    Html(format!(
        r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>Development sign-in</title></head>
<body style="background:#000;color:#eee;font-family:sans-serif">
<h1>Development sign-in</h1>
<p><strong>DEVELOPMENT ONLY.</strong> No Google client is configured, so anyone can sign in as any address.
This form does not exist in production.</p>
<form method="post" action="/auth/dev/signin">
<input type="hidden" name="return_to" value="{return_to}">
<label>Email <input type="email" name="email" required maxlength="254"></label>
<label>Name <input type="text" name="name" maxlength="100"></label>
<button type="submit">Sign in (development)</button>
</form></body></html>"#
    ))
}

/// Signs in as the given address.
pub async fn sign_in(
    State(state): State<AppState>,
    Form(f): Form<DevSignIn>,
) -> ApiResult<Response> {
    let email = f.email.trim().to_lowercase();
    let valid = email.len() <= 254
        && email
            .split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && !d.is_empty())
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if !valid {
        return Err(ApiError::BadRequest("a valid email address is required"));
    }
    let user = NewUser {
        google_sub: format!("dev:{email}"),
        name: f
            .name
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty()),
        email,
        picture: None,
    };
    let user_id = state.profile.upsert(&user).await.map_err(|e| {
        tracing::warn!(error = %format!("{e:#}"), "profile upsert failed");
        ApiError::Upstream("profile")
    })?;
    let issued = state.sessions.start(&user_id).await?;
    Ok(signed_in(
        &state,
        &issued,
        &safe_return_to(f.return_to.as_deref()),
    ))
}
