//! Signing in, from what the browser sent to a started session: the two
//! halves of the Google flow and the development sign-in. The handlers in
//! `routes/` hand it the request's parts and turn its answer into cookies
//! and a redirect; it alone keeps the flow records, asks Google, creates
//! (or finds) the profile and starts the session.
//!
//! It answers [`SignInError`]; `error.rs` alone turns that into HTTP.

use std::sync::Arc;

use subtle::ConstantTimeEq;

use crate::oidc::Google;
use crate::profile_client::ProfileClient;
use crate::sessions::{Issued, SessionError, Sessions};
use crate::store::{Attempt, Store};
use shared_types::profile::UpsertUser;

/// How long a started sign-in may take.
pub const FLOW_TTL_MS: i64 = 15 * 60 * 1000;
const PROVIDER: &str = "google";

/// Why a sign-in cannot go on.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// The sign-in cannot finish, and why in general terms: unknown,
    /// reused, foreign or expired state, a refused code, an ID token that
    /// fails a check.
    #[error("sign-in failed: {0}")]
    Refused(&'static str),
    /// Google sign-in is not configured here.
    #[error("Google sign-in is not configured")]
    NotConfigured,
    /// The development sign-in was given something that is not an address.
    #[error("not an email address")]
    InvalidEmail,
    /// Google or profile did not answer as expected.
    #[error("upstream {0} failed")]
    Upstream(&'static str),
    #[error(transparent)]
    Session(#[from] SessionError),
    /// The store failed (the database may be out of reach), or a bug.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type SignInResult<T> = Result<T, SignInError>;

/// A started Google sign-in: where to send the browser, and the state its
/// flow cookie must carry back.
#[derive(Debug)]
pub struct Begun {
    pub authorize_url: String,
    pub state: String,
}

/// What Google's redirect back carried.
#[derive(Debug, Default)]
pub struct Callback<'a> {
    pub state: Option<&'a str>,
    pub code: Option<&'a str>,
    pub error: Option<&'a str>,
    /// The flow cookie of the browser that came back.
    pub flow_cookie: Option<&'a str>,
}

/// A finished sign-in: the session's tokens and where to land.
#[derive(Debug)]
pub struct SignedIn {
    pub issued: Issued,
    pub return_to: String,
}

#[derive(Clone)]
pub struct SignIn {
    pub(crate) store: Store,
    pub(crate) sessions: Sessions,
    pub(crate) google: Option<Arc<Google>>,
    pub(crate) profile: ProfileClient,
}

impl SignIn {
    /// Whether a Google client is configured.
    pub fn has_google(&self) -> bool {
        self.google.is_some()
    }

    fn google(&self) -> SignInResult<&Google> {
        self.google.as_deref().ok_or(SignInError::NotConfigured)
    }

    /// Starts a Google sign-in that lands on `return_to` (a local path,
    /// checked by the caller): the flow record is kept server-side for
    /// [`FLOW_TTL_MS`].
    #[tracing::instrument(skip_all)]
    pub async fn start_google(&self, return_to: String) -> SignInResult<Begun> {
        let started = self.google()?.start().await?;
        let now = self.sessions.clock.now_millis();
        self.store.purge_expired_attempts(now).await?;
        self.store
            .insert_attempt(&Attempt {
                state: started.state.clone(),
                provider: PROVIDER.into(),
                nonce: started.nonce,
                pkce_verifier: started.pkce_verifier,
                return_to,
                created_at: now,
                expires_at: now + FLOW_TTL_MS,
            })
            .await?;
        Ok(Begun {
            authorize_url: started.authorize_url,
            state: started.state,
        })
    }

    /// Google's redirect back: checks the state against this browser's flow
    /// (a flow record works once), exchanges the code with the PKCE
    /// verifier, verifies the ID token, then creates (or finds) the profile
    /// and starts a session.
    #[tracing::instrument(skip_all)]
    pub async fn finish_google(&self, back: Callback<'_>) -> SignInResult<SignedIn> {
        let google = self.google()?;
        let given = back
            .state
            .filter(|s| !s.is_empty() && s.len() <= 256)
            .ok_or(SignInError::Refused("missing state"))?;
        // Only the browser that started the flow carries its state.
        let bound = back
            .flow_cookie
            .is_some_and(|c| bool::from(c.as_bytes().ct_eq(given.as_bytes())));
        if !bound {
            return Err(SignInError::Refused("the sign-in was started elsewhere"));
        }
        let now = self.sessions.clock.now_millis();
        let attempt = self
            .store
            .take_attempt(given)
            .await?
            .ok_or(SignInError::Refused("unknown or used state"))?;
        if attempt.expires_at <= now {
            return Err(SignInError::Refused("the sign-in expired"));
        }
        if attempt.provider != PROVIDER {
            return Err(SignInError::Refused(
                "the state belongs to another provider",
            ));
        }
        if back.error.is_some() {
            return Err(SignInError::Refused("Google refused"));
        }
        let code = back
            .code
            .filter(|c| !c.is_empty())
            .ok_or(SignInError::Refused("missing code"))?;
        let user = google
            .finish(code, &attempt.nonce, &attempt.pkce_verifier)
            .await?;
        Ok(SignedIn {
            issued: self.start_session(&user).await?,
            return_to: attempt.return_to,
        })
    }

    /// The development sign-in: as anyone with a plausible email address.
    #[tracing::instrument(skip_all)]
    pub async fn as_developer(&self, email: &str, name: Option<&str>) -> SignInResult<Issued> {
        let email = email.trim().to_lowercase();
        let valid = email.len() <= 254
            && email
                .split_once('@')
                .is_some_and(|(l, d)| !l.is_empty() && !d.is_empty())
            && !email.chars().any(|c| c.is_whitespace() || c.is_control());
        if !valid {
            return Err(SignInError::InvalidEmail);
        }
        let user = UpsertUser {
            google_sub: format!("dev:{email}"),
            name: name
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_owned),
            email,
            picture: None,
        };
        self.start_session(&user).await
    }

    /// The profile for `user` (created if new), then a session for it.
    async fn start_session(&self, user: &UpsertUser) -> SignInResult<Issued> {
        let user_id = self.profile.upsert(user).await.map_err(|e| {
            tracing::warn!(error = %format!("{e:#}"), "profile upsert failed");
            SignInError::Upstream("profile")
        })?;
        Ok(self.sessions.start(user_id).await?)
    }
}
