//! `POST /oauth/access_token` (code exchange with PKCE, refresh with
//! rotation; JSON or form bodies) and revocation (`POST /api/v1/revoke`,
//! RFC 7009; and the older `DELETE /api/v1/access_tokens` that Doist's
//! Python SDK still calls).

use std::time::Instant;

use axum::extract::{FromRequest, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::errors::ApiError;
use crate::state::{IssuedTokens, Shared, State as FakeState, lock};

/// Every field either body style may carry.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct TokenRequest {
    grant_type: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    code_verifier: Option<String>,
    refresh_token: Option<String>,
}

fn bad(code: &'static str, description: &'static str) -> ApiError {
    let status = if code == "invalid_client" {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::BAD_REQUEST
    };
    ApiError::oauth(status, code, description)
}

/// OAuth errors: a failed client authentication asks for Basic, not Bearer.
fn oauth_response(error: ApiError) -> Response {
    let basic = error.status == StatusCode::UNAUTHORIZED;
    let mut response = error.into_response();
    if basic {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"todoist\""),
        );
    }
    response
}

/// `client_id:client_secret` from an HTTP Basic header.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

async fn read_body<T: serde::de::DeserializeOwned + Send>(req: Request) -> Result<T, ApiError> {
    let json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let body = if json {
        Json::<T>::from_request(req, &())
            .await
            .map(|Json(b)| b)
            .ok()
    } else {
        Form::<T>::from_request(req, &())
            .await
            .map(|Form(b)| b)
            .ok()
    };
    body.ok_or_else(|| {
        bad(
            "invalid_request",
            "the body is neither a JSON object nor a form",
        )
    })
}

pub(crate) async fn access_token(State(shared): State<Shared>, req: Request) -> Response {
    let basic = basic_credentials(req.headers());
    let mut body: TokenRequest = match read_body(req).await {
        Ok(body) => body,
        Err(e) => return oauth_response(e),
    };
    if let (None, Some((id, secret))) = (&body.client_id, basic) {
        body.client_id = Some(id);
        body.client_secret = Some(secret);
    }
    let mut state = lock(&shared);
    match exchange(&mut state, body) {
        Ok(tokens) => (
            [
                (header::CACHE_CONTROL, "no-store"),
                (header::PRAGMA, "no-cache"),
            ],
            Json(tokens),
        )
            .into_response(),
        Err(e) => oauth_response(e),
    }
}

fn exchange(state: &mut FakeState, body: TokenRequest) -> Result<IssuedTokens, ApiError> {
    let client_id = body.client_id.clone().unwrap_or_default();
    if !state
        .config
        .accepts_client(&client_id, body.client_secret.as_deref())
    {
        return Err(bad("invalid_client", "unknown client or wrong secret"));
    }
    let grant_type = body.grant_type.as_deref().unwrap_or("authorization_code");
    match grant_type {
        "authorization_code" => exchange_code(state, &client_id, body),
        "refresh_token" => refresh(state, &client_id, body),
        _ => Err(bad(
            "unsupported_grant_type",
            "authorization_code or refresh_token",
        )),
    }
}

fn exchange_code(
    state: &mut FakeState,
    client_id: &str,
    body: TokenRequest,
) -> Result<IssuedTokens, ApiError> {
    let code = body
        .code
        .ok_or_else(|| bad("invalid_request", "code is missing"))?;
    // A code works once: even a failed attempt uses it up.
    let grant = state
        .grants
        .remove(&code)
        .filter(|g| Instant::now() < g.expires_at)
        .ok_or_else(|| bad("invalid_grant", "unknown, used or expired code"))?;
    if grant.client_id != client_id {
        return Err(bad(
            "invalid_grant",
            "the code was issued to another client",
        ));
    }
    if body
        .redirect_uri
        .as_ref()
        .is_some_and(|r| *r != grant.redirect_uri)
    {
        return Err(bad(
            "invalid_grant",
            "redirect_uri differs from the authorize request",
        ));
    }
    if let Some(challenge) = &grant.code_challenge {
        let verifier = body
            .code_verifier
            .ok_or_else(|| bad("invalid_grant", "code_verifier is missing"))?;
        if !(43..=128).contains(&verifier.len()) || pkce_s256(&verifier) != *challenge {
            return Err(bad(
                "invalid_grant",
                "code_verifier does not match code_challenge",
            ));
        }
    }
    Ok(state.issue(&grant.account, client_id, grant.scopes, Some(grant.state)))
}

fn refresh(
    state: &mut FakeState,
    client_id: &str,
    body: TokenRequest,
) -> Result<IssuedTokens, ApiError> {
    let token = body
        .refresh_token
        .ok_or_else(|| bad("invalid_request", "refresh_token is missing"))?;
    let old = state
        .refresh
        .get(&token)
        .ok_or_else(|| bad("invalid_grant", "unknown, rotated or revoked refresh token"))?;
    if old.client_id != client_id {
        return Err(bad(
            "invalid_grant",
            "the refresh token belongs to another client",
        ));
    }
    // Rotation: the old refresh token stops working now.
    let old = state.refresh.remove(&token).expect("found above");
    state.user_stats(&old.account).refreshes += 1;
    Ok(state.issue(&old.account, client_id, old.scopes, None))
}

/// BASE64URL(SHA256(verifier)) without padding (RFC 7636 §4.2).
pub fn pkce_s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RevokeRequest {
    token: Option<String>,
    #[allow(dead_code)] // Read for the record: both kinds are looked up anyway.
    token_type_hint: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

/// `POST /api/v1/revoke`: HTTP Basic client credentials, form `token`.
pub(crate) async fn revoke(State(shared): State<Shared>, req: Request) -> Response {
    let basic = basic_credentials(req.headers());
    let body: RevokeRequest = match read_body(req).await {
        Ok(body) => body,
        Err(e) => return oauth_response(e),
    };
    let client = basic.or_else(|| Some((body.client_id?, body.client_secret?)));
    revoke_for(&shared, client, body.token)
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct SdkRevokeQuery {
    client_id: Option<String>,
    client_secret: Option<String>,
    access_token: Option<String>,
}

/// `DELETE /api/v1/access_tokens?client_id&client_secret&access_token`.
pub(crate) async fn revoke_sdk(
    State(shared): State<Shared>,
    Query(q): Query<SdkRevokeQuery>,
) -> Response {
    let client = q.client_id.zip(q.client_secret);
    revoke_for(&shared, client, q.access_token)
}

fn revoke_for(
    shared: &Shared,
    client: Option<(String, String)>,
    token: Option<String>,
) -> Response {
    let mut state = lock(shared);
    let authenticated = client
        .as_ref()
        .is_some_and(|(id, secret)| state.config.accepts_client(id, Some(secret)));
    if !authenticated {
        return oauth_response(bad("invalid_client", "client authentication failed"));
    }
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return oauth_response(bad("invalid_request", "token is missing"));
    };
    state.revoke(&token);
    StatusCode::OK.into_response()
}

#[cfg(test)]
mod tests {
    use super::pkce_s256;

    #[test]
    fn pkce_matches_rfc_7636_appendix_b() {
        assert_eq!(
            pkce_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
