//! Development sign-in: when no Google client is configured and
//! `APP_ENV=development`, a form signs in as any email address. The form
//! itself is web's `/signin` (GET here redirects there, so that one page
//! under the site's CSP renders it); the POST is answered here. These
//! routes do not exist otherwise (production refuses to start without
//! Google), and they are left out of the OpenAPI document.

use axum::Form;
use axum::extract::{Query, State};
use axum::response::{Redirect, Response};
use serde::Deserialize;

use super::session::signed_in;
use crate::AppState;
use crate::error::ApiResult;
use platform::identity::safe_return_to;

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

/// `GET /auth/dev/signin`: 303 to web's `/signin`, which renders the one
/// development form (under the site's strict CSP), keeping a local
/// `return_to` and dropping anything else.
pub async fn form(Query(q): Query<ReturnTo>) -> Redirect {
    let return_to = safe_return_to(q.return_to.as_deref());
    if return_to == "/" {
        return Redirect::to("/signin");
    }
    Redirect::to(&format!(
        "/signin?return_to={}",
        platform::http::query_value(&return_to)
    ))
}

/// Signs in as the given address.
pub async fn sign_in(
    State(state): State<AppState>,
    Form(f): Form<DevSignIn>,
) -> ApiResult<Response> {
    let issued = state
        .sign_in
        .as_developer(&f.email, f.name.as_deref())
        .await?;
    Ok(signed_in(
        &state,
        &issued,
        &safe_return_to(f.return_to.as_deref()),
    ))
}
