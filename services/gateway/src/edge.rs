//! Identity at the edge: the gateway verifies the access JWT (cookie or
//! Bearer) with the shared verifier, refuses sessions auth has revoked,
//! refreshes an expired token transparently from the refresh cookie, and
//! forwards `Authorization: Bearer <jwt>` with the session cookies stripped.
//!
//! `/api/*` answers 401 JSON when no valid session is there; pages redirect
//! to `/signin`. `/auth/*` is auth's own business and passes untouched.

use std::time::Duration;

use axum::extract::Request;
use http::{HeaderMap, HeaderValue, header};
use platform::identity::{SessionCookies, cookie};
use platform::jwt::{JwtError, Verifier};
use platform::{ConfigError, Env};
use secrecy::{ExposeSecret, SecretString};
use shared_types::auth::Refreshed;

use crate::revocation::{RevocationSettings, Revocations, Verdict};

/// What the gateway reads for the identity check.
#[derive(Debug, Clone)]
pub struct EdgeSettings {
    pub auth_url: String,
    pub issuer: String,
    pub internal_token: SecretString,
    pub production: bool,
    /// How the revoked-session set is kept fresh.
    pub revocation: RevocationSettings,
}

impl EdgeSettings {
    pub fn from_env(
        env: &Env,
        service: &platform::config::ServiceSettings,
    ) -> Result<Self, ConfigError> {
        let common = &service.common;
        common.require_https("PUBLIC_URL", &common.public_url)?;
        let internal_token = platform::secrets::internal_api_token(env, common)?;
        Ok(Self {
            auth_url: platform::config::ServiceName::Auth.url(env)?,
            issuer: service.common.public_url.clone(),
            internal_token,
            production: service.common.is_production(),
            revocation: RevocationSettings::default(),
        })
    }
}

/// Pages anyone may open, signed in or not.
pub fn is_public_page(path: &str) -> bool {
    matches!(path, "/signin" | "/status" | "/favicon.ico" | "/robots.txt")
        || path.starts_with("/static/")
        || path.starts_with("/assets/")
        || path.starts_with("/pkg/")
}

/// A request that may go on: the token to forward, and cookies to set on
/// the answer when a refresh happened.
#[derive(Debug, Default)]
pub struct Admitted {
    pub token: Option<String>,
    pub set_cookies: Vec<HeaderValue>,
    /// The verified token's `sub`, for the per-user limits.
    pub user: Option<String>,
}

/// Refused: cookies to clear (from auth's refusal), if any.
#[derive(Debug, Default)]
pub struct Refused {
    pub set_cookies: Vec<HeaderValue>,
    /// The session could not be checked (revoked list stale, auth silent):
    /// an outage, not a sign-out.
    pub unavailable: bool,
}

impl Refused {
    fn unavailable() -> Self {
        Self {
            set_cookies: Vec::new(),
            unavailable: true,
        }
    }
}

#[derive(Clone)]
pub struct EdgeAuth {
    verifier: Verifier,
    pub(crate) revocations: Revocations,
    cookies: SessionCookies,
    auth_url: String,
    internal_token: SecretString,
    http: reqwest::Client,
}

impl EdgeAuth {
    pub fn new(settings: &EdgeSettings) -> Self {
        Self {
            verifier: Verifier::remote(
                settings.issuer.clone(),
                platform::jwt::jwks_url(&settings.auth_url),
            ),
            revocations: Revocations::new(
                settings.revocation.clone(),
                settings.auth_url.clone(),
                settings.internal_token.clone(),
            ),
            cookies: SessionCookies::new(settings.production),
            auth_url: settings.auth_url.clone(),
            internal_token: settings.internal_token.clone(),
            http: platform::client::http_client(Duration::from_secs(5)),
        }
    }

    /// Keeps the revoked-session set fresh until the runtime ends.
    pub fn spawn_revocation_poller(&self) {
        self.revocations.spawn_poller();
    }

    /// Checks the request's session; refreshes when the access token has
    /// expired (or is missing) and a refresh cookie is there.
    pub async fn admit(&self, headers: &HeaderMap) -> Result<Admitted, Refused> {
        let token = platform::secrets::bearer(headers)
            .or_else(|| cookie(headers, self.cookies.access))
            .map(str::to_owned);
        if let Some(token) = &token {
            match self.verifier.verify(token).await {
                Ok(claims) => {
                    return match self.revocations.check(&claims.sid).await {
                        Verdict::Live => Ok(Admitted {
                            token: Some(token.clone()),
                            set_cookies: Vec::new(),
                            user: Some(claims.sub),
                        }),
                        Verdict::Revoked => Err(Refused::default()),
                        Verdict::Unknown => Err(Refused::unavailable()),
                    };
                }
                Err(JwtError::Expired) => {}
                Err(e) => {
                    tracing::info!(reason = %e, "access token refused");
                }
            }
        }
        match cookie(headers, self.cookies.refresh) {
            Some(rt) => self.refresh(rt).await,
            None => Err(Refused::default()),
        }
    }

    /// The access token when there is a valid one, for public pages.
    pub async fn optional(&self, headers: &HeaderMap) -> Option<String> {
        let token =
            platform::secrets::bearer(headers).or_else(|| cookie(headers, self.cookies.access))?;
        let claims = self.verifier.verify(token).await.ok()?;
        (self.revocations.check(&claims.sid).await == Verdict::Live).then(|| token.to_owned())
    }

    /// The user a request's Bearer token names, if it verifies (no
    /// revocation check: this only says whose budget a request spends).
    pub async fn bearer_user(&self, headers: &HeaderMap) -> Option<String> {
        let token = platform::secrets::bearer(headers)?;
        self.verifier.verify(token).await.ok().map(|c| c.sub)
    }

    async fn refresh(&self, rt: &str) -> Result<Admitted, Refused> {
        let response = self
            .http
            .post(format!("{}/auth/refresh", self.auth_url))
            .header(header::COOKIE, format!("{}={rt}", self.cookies.refresh))
            // Only an internal caller gets the access token in the body.
            .bearer_auth(self.internal_token.expose_secret())
            .headers(platform::trace::headers())
            .send()
            .await
            .map_err(|_| Refused::default())?;
        let set_cookies: Vec<HeaderValue> = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .cloned()
            .collect();
        if !response.status().is_success() {
            return Err(Refused {
                set_cookies,
                unavailable: false,
            });
        }
        let refreshed: Refreshed = response.json().await.map_err(|_| Refused::default())?;
        let claims = self
            .verifier
            .verify(&refreshed.access_token)
            .await
            .map_err(|_| Refused::default())?;
        // auth has just checked the session itself; the set may know of a
        // revocation auth's answer raced with.
        if self.revocations.check(&claims.sid).await == Verdict::Revoked {
            return Err(Refused::default());
        }
        Ok(Admitted {
            token: Some(refreshed.access_token),
            set_cookies,
            user: Some(claims.sub),
        })
    }

    /// Removes the session cookies (and the flow cookie) from the request
    /// and forwards the access token as `Authorization: Bearer` instead.
    pub fn rewrite(&self, req: &mut Request, token: Option<&str>) {
        let headers = req.headers_mut();
        let kept: Vec<String> = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .map(str::trim)
            .filter(|pair| {
                let name = pair.split('=').next().unwrap_or("");
                !pair.is_empty() && !self.cookies.is_session_cookie(name)
            })
            .map(str::to_owned)
            .collect();
        headers.remove(header::COOKIE);
        if !kept.is_empty()
            && let Ok(v) = HeaderValue::from_str(&kept.join("; "))
        {
            headers.insert(header::COOKIE, v);
        }
        headers.remove(header::AUTHORIZATION);
        if let Some(token) = token
            && let Ok(v) = HeaderValue::from_str(&format!("Bearer {token}"))
        {
            headers.insert(header::AUTHORIZATION, v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_sign_in_status_and_static_pages_are_public() {
        for p in ["/signin", "/status", "/static/app.css", "/favicon.ico"] {
            assert!(is_public_page(p), "{p}");
        }
        for p in ["/", "/connect", "/signin/x", "/statusx"] {
            assert!(!is_public_page(p), "{p}");
        }
    }
}
