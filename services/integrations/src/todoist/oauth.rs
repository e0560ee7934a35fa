//! Todoist OAuth through the `oauth2` crate: the authorize URL (PKCE S256,
//! a random `state`, the scope as one comma-joined string), the code
//! exchange and the refresh (credentials in the body), and RFC 7009
//! revocation (HTTP Basic).
//!
//! The code exchange and the refresh are sent once, never retried: a lost
//! answer to a refresh may already have rotated the refresh token, and a
//! code is single use.

use std::time::Duration;

use oauth2::basic::{BasicClient, BasicErrorResponseType};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, HttpClientError, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken,
    RequestTokenError, Scope, StandardErrorResponse, TokenResponse, TokenUrl,
};
use secrecy::{ExposeSecret, SecretString};
use tokio::time::Instant;

use super::error::TodoistError;
use super::http::Safety;
use super::{SCOPE, TodoistClient, TodoistConfig};

pub(crate) type OAuthClient =
    BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

pub(crate) fn client(config: &TodoistConfig) -> Result<OAuthClient, TodoistError> {
    let bad = |what: &str| TodoistError::Config(format!("{what} is not a URL"));
    Ok(BasicClient::new(ClientId::new(config.client_id.clone()))
        .set_client_secret(ClientSecret::new(
            config.client_secret.expose_secret().to_owned(),
        ))
        .set_auth_uri(AuthUrl::new(config.auth_url.clone()).map_err(|_| bad("TODOIST_AUTH_URL"))?)
        .set_token_uri(
            TokenUrl::new(config.token_url.clone()).map_err(|_| bad("TODOIST_TOKEN_URL"))?,
        )
        .set_redirect_uri(
            RedirectUrl::new(config.redirect_url.clone()).map_err(|_| bad("the redirect URL"))?,
        )
        .set_auth_type(AuthType::RequestBody))
}

/// Where to send the user, and what to keep until the callback.
pub struct AuthorizeRequest {
    pub url: String,
    pub state: String,
    pub pkce_verifier: SecretString,
}

impl std::fmt::Debug for AuthorizeRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthorizeRequest").finish_non_exhaustive()
    }
}

/// Tokens from the token endpoint.
#[derive(Debug, Clone)]
pub struct TokenGrant {
    pub access: SecretString,
    /// Present for apps with expiring tokens; rotates on every refresh.
    pub refresh: Option<SecretString>,
    pub expires_in: Option<Duration>,
    /// The granted scopes, comma-joined as Todoist writes them.
    pub scope: Option<String>,
}

impl TodoistClient {
    /// A fresh authorize URL with PKCE S256 and a random `state`.
    pub fn authorize(&self) -> AuthorizeRequest {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state) = self
            .oauth
            .authorize_url(CsrfToken::new_random)
            // One scope string: the crate would join several with spaces.
            .add_scope(Scope::new(SCOPE.into()))
            .set_pkce_challenge(challenge)
            .url();
        AuthorizeRequest {
            url: url.to_string(),
            state: state.secret().clone(),
            pkce_verifier: SecretString::from(verifier.secret().clone()),
        }
    }

    /// Exchanges an authorization code (once, never retried).
    pub async fn exchange_code(
        &self,
        code: &str,
        pkce_verifier: &SecretString,
    ) -> Result<TokenGrant, TodoistError> {
        let response = self
            .oauth
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .set_pkce_verifier(PkceCodeVerifier::new(
                pkce_verifier.expose_secret().to_owned(),
            ))
            .request_async(&self.http)
            .await
            .map_err(map_token_error)?;
        Ok(grant(&response))
    }

    /// Trades a refresh token for a new pair (once, never retried). The
    /// answer's refresh token replaces the old one, which is now spent.
    pub async fn refresh(&self, refresh_token: &SecretString) -> Result<TokenGrant, TodoistError> {
        let response = self
            .oauth
            .exchange_refresh_token(&RefreshToken::new(refresh_token.expose_secret().to_owned()))
            .request_async(&self.http)
            .await
            .map_err(map_token_error)?;
        Ok(grant(&response))
    }

    /// Revokes a token at Todoist (RFC 7009; repeatable, so retried).
    pub async fn revoke(
        &self,
        token: &SecretString,
        deadline: Instant,
    ) -> Result<(), TodoistError> {
        let url = format!("{}/revoke", self.config.api_url);
        let result = self
            .send(None, Safety::Repeatable, deadline, || {
                self.http
                    .post(&url)
                    .basic_auth(
                        &self.config.client_id,
                        Some(self.config.client_secret.expose_secret()),
                    )
                    .form(&[
                        ("token", token.expose_secret()),
                        ("token_type_hint", "access_token"),
                    ])
            })
            .await;
        match result {
            // Unknown or already revoked: the goal is reached.
            Ok(_) | Err(TodoistError::Unauthorized) | Err(TodoistError::NotFound) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

fn grant(response: &oauth2::basic::BasicTokenResponse) -> TokenGrant {
    TokenGrant {
        access: SecretString::from(response.access_token().secret().clone()),
        refresh: response
            .refresh_token()
            .map(|r| SecretString::from(r.secret().clone())),
        expires_in: response.expires_in(),
        scope: response.scopes().map(|scopes| {
            scopes
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(",")
        }),
    }
}

/// The crate's error without the raw body (it may hold tokens).
fn map_token_error(
    e: RequestTokenError<
        HttpClientError<reqwest::Error>,
        StandardErrorResponse<BasicErrorResponseType>,
    >,
) -> TodoistError {
    match e {
        RequestTokenError::ServerResponse(response) => {
            TodoistError::GrantRefused(response.error().to_string())
        }
        RequestTokenError::Request(HttpClientError::Reqwest(e)) if e.is_timeout() => {
            TodoistError::Timeout
        }
        RequestTokenError::Request(HttpClientError::Reqwest(e)) => {
            TodoistError::Transport(super::http::describe(&e))
        }
        RequestTokenError::Request(_) => TodoistError::Transport("request failed".into()),
        RequestTokenError::Parse(_, _) => {
            TodoistError::InvalidResponse("the token endpoint's answer".into())
        }
        RequestTokenError::Other(_) => {
            TodoistError::InvalidResponse("the token endpoint's answer".into())
        }
    }
}
