//! Signing out and the development sign-in, asked of auth through the
//! gateway once web has checked the form's CSRF token.
//!
//! The browser's forms post to web, not to auth, so that web can refuse a
//! form without its token before anything changes. Auth answers with the
//! session cookies to set or clear; web hands exactly those `Set-Cookie`
//! headers (and nothing else of auth's answer) on to the browser.

use axum::http::header::{ACCEPT, AUTHORIZATION, LOCATION, SET_COOKIE};
use axum::http::{HeaderValue, StatusCode};

use platform::identity::SessionCookies;

use super::{GatewayClient, GatewayError, unreachable};

/// What auth answered a sign-in with: where to go, and the cookies.
#[derive(Debug)]
pub struct SignedIn {
    pub location: String,
    pub set_cookies: Vec<HeaderValue>,
}

/// Only auth's session cookies are handed on.
fn session_cookies(headers: &reqwest::header::HeaderMap) -> Vec<HeaderValue> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter(|v| {
            v.to_str().is_ok_and(|v| {
                let name = v.split('=').next().unwrap_or_default();
                // Either deployment's names: web hands on what auth set.
                [true, false]
                    .into_iter()
                    .any(|production| SessionCookies::new(production).is_session_cookie(name))
            })
        })
        .cloned()
        .collect()
}

impl GatewayClient {
    /// `POST /auth/logout` with the user's Bearer token: auth ends the
    /// session (its `sid` joins the revoked list) and answers the cookies
    /// that clear it.
    #[tracing::instrument(skip_all)]
    pub async fn sign_out(
        &self,
        authorization: &HeaderValue,
        request_id: Option<&HeaderValue>,
    ) -> Result<Vec<HeaderValue>, GatewayError> {
        let mut request = self
            .http
            .post(format!("{}/auth/logout", self.base))
            .header(AUTHORIZATION, authorization.clone())
            .header(ACCEPT, "application/json");
        if let Some(id) = request_id {
            request = request.header(platform::http::REQUEST_ID, id.clone());
        }
        let response = request
            .headers(platform::trace::headers())
            .send()
            .await
            .map_err(|e| unreachable(&e))?;
        let status = response.status();
        if status.is_success() || status.is_redirection() {
            Ok(session_cookies(response.headers()))
        } else {
            Err(GatewayError::Status(status))
        }
    }

    /// `POST /auth/dev/signin`: auth answers `303` to a local path with the
    /// new session's cookies. A refusal (a bad address) is `Status(400)`.
    #[tracing::instrument(skip_all)]
    pub async fn dev_sign_in(
        &self,
        form: &[(&str, &str)],
        request_id: Option<&HeaderValue>,
    ) -> Result<SignedIn, GatewayError> {
        let mut request = self
            .http
            .post(format!("{}/auth/dev/signin", self.base))
            .header(ACCEPT, "text/html")
            .form(form);
        if let Some(id) = request_id {
            request = request.header(platform::http::REQUEST_ID, id.clone());
        }
        let response = request
            .headers(platform::trace::headers())
            .send()
            .await
            .map_err(|e| unreachable(&e))?;
        let status = response.status();
        if !matches!(status, StatusCode::SEE_OTHER | StatusCode::FOUND) {
            return Err(GatewayError::Status(status));
        }
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .filter(|l| platform::identity::is_local_path(l))
            .ok_or(GatewayError::Garbage)?
            .to_owned();
        Ok(SignedIn {
            location,
            set_cookies: session_cookies(response.headers()),
        })
    }
}
