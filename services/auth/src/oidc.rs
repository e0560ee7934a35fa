//! Google sign-in by OpenID Connect (the `openidconnect` crate):
//! authorization code + PKCE S256 + state + nonce, endpoints and keys from
//! discovery at `GOOGLE_ISSUER_URL`, cached and rediscovered once
//! (rate-limited) when an ID token names an unknown key.

use std::time::{Duration, Instant};

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreIdToken, CoreIdTokenClaims, CoreJwsSigningAlgorithm,
    CoreProviderMetadata,
};
use openidconnect::{
    AccessToken, AccessTokenHash, AuthorizationCode, ClientId, ClientSecret, CsrfToken,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use secrecy::ExposeSecret;
use tokio::sync::Mutex;

use crate::config::GoogleSettings;
use crate::signin::{SignInError, SignInResult};
use shared_types::profile::UpsertUser;

type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Discovery (and its JWKS) is trusted this long.
const METADATA_TTL: Duration = Duration::from_secs(3600);
/// The least time between two rediscoveries caused by an unknown `kid`.
const REDISCOVER_INTERVAL: Duration = Duration::from_secs(30);

/// What the start of a sign-in must remember for its callback.
#[derive(Debug)]
pub struct Started {
    pub authorize_url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

pub struct Google {
    settings: GoogleSettings,
    redirect_uri: String,
    http: reqwest::Client,
    metadata: Mutex<Cached>,
}

/// The discovered metadata, when it was fetched, and when an unknown `kid`
/// last forced a refetch (the rate limit).
#[derive(Default)]
struct Cached {
    metadata: Option<(CoreProviderMetadata, Instant)>,
    last_forced: Option<Instant>,
}

impl Google {
    pub fn new(settings: GoogleSettings, public_url: &str) -> Self {
        Self {
            settings,
            redirect_uri: format!("{public_url}/auth/google/callback"),
            // No redirects followed: an SSRF hole otherwise.
            http: platform::client::http_client(Duration::from_secs(10)),
            metadata: Mutex::new(Cached::default()),
        }
    }

    async fn metadata(&self, force: bool) -> SignInResult<CoreProviderMetadata> {
        let mut cached = self.metadata.lock().await;
        if let Some((m, at)) = cached.metadata.as_ref() {
            let fresh = at.elapsed() < METADATA_TTL;
            let too_soon = cached
                .last_forced
                .is_some_and(|t| t.elapsed() < REDISCOVER_INTERVAL);
            if (fresh && !force) || (force && too_soon) {
                return Ok(m.clone());
            }
        }
        if force {
            cached.last_forced = Some(Instant::now());
        }
        let issuer = IssuerUrl::new(self.settings.issuer_url.clone())
            .map_err(|_| SignInError::Upstream("Google"))?;
        let metadata = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| {
                tracing::warn!(error = %e, "OpenID discovery failed");
                SignInError::Upstream("Google")
            })?;
        cached.metadata = Some((metadata.clone(), Instant::now()));
        Ok(metadata)
    }

    fn client(&self, metadata: CoreProviderMetadata) -> SignInResult<Client> {
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.settings.client_id.clone()),
            Some(ClientSecret::new(
                self.settings.client_secret.expose_secret().to_owned(),
            )),
        )
        .set_redirect_uri(
            RedirectUrl::new(self.redirect_uri.clone())
                .map_err(|e| anyhow::anyhow!("redirect URI: {e}"))?,
        ))
    }

    /// A new authorization request: PKCE S256 always, fresh state and nonce.
    pub async fn start(&self) -> SignInResult<Started> {
        let client = self.client(self.metadata(false).await?)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge)
            .url();
        Ok(Started {
            authorize_url: url.to_string(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        })
    }

    /// Exchanges the code and verifies the ID token; the signed-in person.
    pub async fn finish(
        &self,
        code: &str,
        nonce: &str,
        pkce_verifier: &str,
    ) -> SignInResult<UpsertUser> {
        let client = self.client(self.metadata(false).await?)?;
        // Never retried: a code works once.
        let token = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|_| SignInError::Upstream("Google"))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_owned()))
            .request_async(&self.http)
            .await
            .map_err(|e| {
                tracing::info!(error = %describe_token_error(&e), "code exchange refused");
                SignInError::Refused("the code was refused")
            })?;
        let id_token = token
            .id_token()
            .ok_or(SignInError::Refused("no ID token"))?;
        let nonce = Nonce::new(nonce.to_owned());
        let algs = client_metadata_algs(&self.metadata(false).await?);
        let claims = match check_id_token(&client, algs, id_token, &nonce, token.access_token()) {
            Checked::NoMatchingKey => {
                // Keys rotate: rediscover once (rate-limited), then decide.
                let fresh = self.metadata(true).await?;
                let algs = client_metadata_algs(&fresh);
                let client = self.client(fresh)?;
                match check_id_token(&client, algs, id_token, &nonce, token.access_token()) {
                    Checked::Valid(claims) => claims,
                    Checked::NoMatchingKey => {
                        return Err(SignInError::Refused("unknown signing key"));
                    }
                    Checked::Refused(e) => return Err(e),
                }
            }
            Checked::Valid(claims) => claims,
            Checked::Refused(e) => return Err(e),
        };
        if claims.email_verified() != Some(true) {
            return Err(SignInError::Refused("the email address is not verified"));
        }
        let email = claims
            .email()
            .map(|e| e.to_string())
            .ok_or(SignInError::Refused("no email address"))?;
        Ok(UpsertUser {
            google_sub: claims.subject().to_string(),
            email,
            name: claims
                .name()
                .and_then(|n| n.get(None))
                .map(|n| n.to_string()),
            picture: claims
                .picture()
                .and_then(|p| p.get(None))
                .map(|p| p.to_string()),
        })
    }
}

/// How far an ID token's times may be off our clock.
const ID_TOKEN_LEEWAY_SECS: i64 = 60;

enum Checked {
    Valid(Box<CoreIdTokenClaims>),
    NoMatchingKey,
    Refused(SignInError),
}

/// Signature (by `kid`, allowed algorithms only), `iss`, `aud`, `azp`,
/// `exp`, `iat`, `nonce`, then `at_hash` when present.
fn check_id_token(
    client: &Client,
    algs: Vec<CoreJwsSigningAlgorithm>,
    id_token: &CoreIdToken,
    nonce: &Nonce,
    access_token: &AccessToken,
) -> Checked {
    let verifier = client
        .id_token_verifier()
        .set_allowed_algs(algs)
        .set_issue_time_verifier_fn(|iat| {
            // Issued in the future beyond the leeway: a forged or replayed
            // token from a skewed clock; refuse it (security.md, ID token).
            let now = platform::db::now_millis() / 1000;
            if iat.timestamp() > now + ID_TOKEN_LEEWAY_SECS {
                Err("issued in the future".to_owned())
            } else {
                Ok(())
            }
        });
    let claims = match id_token.claims(&verifier, nonce) {
        Ok(claims) => claims,
        Err(openidconnect::ClaimsVerificationError::SignatureVerification(
            openidconnect::SignatureVerificationError::NoMatchingKey,
        )) => return Checked::NoMatchingKey,
        Err(e) => {
            tracing::info!(check = claims_error_kind(&e), "ID token refused");
            return Checked::Refused(SignInError::Refused("the ID token failed verification"));
        }
    };
    if let Some(expected) = claims.access_token_hash() {
        let bad = || Checked::Refused(SignInError::Refused("bad ID token"));
        let (Ok(alg), Ok(key)) = (id_token.signing_alg(), id_token.signing_key(&verifier)) else {
            return bad();
        };
        match AccessTokenHash::from_token(access_token, alg, key) {
            Ok(actual) if actual == *expected => {}
            _ => return Checked::Refused(SignInError::Refused("access token hash mismatch")),
        }
    }
    Checked::Valid(Box::new(claims.clone()))
}

/// The asymmetric algorithms the provider advertises: anything else (and
/// `none`, and HMAC with our client secret) is refused.
fn client_metadata_algs(metadata: &CoreProviderMetadata) -> Vec<CoreJwsSigningAlgorithm> {
    use CoreJwsSigningAlgorithm as A;
    metadata
        .id_token_signing_alg_values_supported()
        .iter()
        .filter(|a| {
            matches!(
                a,
                A::RsaSsaPkcs1V15Sha256
                    | A::RsaSsaPkcs1V15Sha384
                    | A::RsaSsaPkcs1V15Sha512
                    | A::EcdsaP256Sha256
                    | A::EcdsaP384Sha384
                    | A::RsaSsaPssSha256
                    | A::EdDsa
            )
        })
        .cloned()
        .collect()
}

/// A token-endpoint failure in words fit for a log: the error kind, never a
/// request or response body (which could carry codes or tokens).
fn describe_token_error<E: std::error::Error>(
    e: &openidconnect::RequestTokenError<
        E,
        openidconnect::StandardErrorResponse<openidconnect::core::CoreErrorResponseType>,
    >,
) -> String {
    match e {
        openidconnect::RequestTokenError::ServerResponse(r) => {
            format!("provider error {}", r.error())
        }
        openidconnect::RequestTokenError::Request(_) => "request failed".into(),
        openidconnect::RequestTokenError::Parse(_, _) => "unparsable answer".into(),
        openidconnect::RequestTokenError::Other(_) => "other".into(),
    }
}

/// Which check an ID token failed, without any of its values.
fn claims_error_kind(e: &openidconnect::ClaimsVerificationError) -> &'static str {
    use openidconnect::ClaimsVerificationError as E;
    match e {
        E::Expired(_) => "expired",
        E::InvalidAudience(_) => "audience",
        E::InvalidIssuer(_) => "issuer",
        E::InvalidNonce(_) => "nonce",
        E::InvalidSubject(_) => "subject",
        E::SignatureVerification(_) => "signature",
        E::Unsupported(_) => "unsupported",
        _ => "other",
    }
}
