//! The two kinds of caller a service's routes accept, as axum extractors:
//! the signed-in user an access token names ([`CurrentUser`]), and another
//! service holding `INTERNAL_API_TOKEN` ([`InternalCaller`]). A service's
//! state says where its verifier and its token are by implementing
//! [`TokenVerifier`] and [`InternalToken`].

use axum::Json;
use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use http::request::Parts;
use secrecy::SecretString;
use shared_types::{ErrorBody, UserId};

use crate::jwt::Verifier;
use crate::secrets::{bearer, bearer_matches};

/// A service state that verifies access tokens.
pub trait TokenVerifier {
    fn verifier(&self) -> &Verifier;
}

/// A service state that knows the shared `INTERNAL_API_TOKEN`.
pub trait InternalToken {
    fn internal_token(&self) -> &SecretString;
}

/// No valid credential: 401 with the JSON error every service gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not signed in")]
pub struct Unauthenticated;

impl IntoResponse for Unauthenticated {
    fn into_response(self) -> Response {
        (
            StatusCode::UNAUTHORIZED,
            Json(ErrorBody::new("unauthorized", "Not signed in.")),
        )
            .into_response()
    }
}

/// The user whose access token (`Authorization: Bearer`, verified again
/// here) the request carries. A token whose `sub` is not a user id is
/// refused like a forged one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CurrentUser(pub UserId);

impl<S: TokenVerifier + Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = Unauthenticated;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Unauthenticated> {
        let token = bearer(&parts.headers).ok_or(Unauthenticated)?;
        let claims = state.verifier().verify(token).await.map_err(|e| {
            tracing::info!(reason = %e, "access token refused");
            Unauthenticated
        })?;
        UserId::parse(&claims.sub)
            .map(Self)
            .map_err(|_| Unauthenticated)
    }
}

/// Another service of the fleet: `Authorization: Bearer` holds the shared
/// internal token, compared in constant time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InternalCaller;

impl<S: InternalToken + Send + Sync> FromRequestParts<S> for InternalCaller {
    type Rejection = Unauthenticated;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Unauthenticated> {
        if bearer_matches(&parts.headers, state.internal_token()) {
            Ok(Self)
        } else {
            Err(Unauthenticated)
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use http::Request;

    use super::*;

    struct State(SecretString);

    impl InternalToken for State {
        fn internal_token(&self) -> &SecretString {
            &self.0
        }
    }

    async fn internal(authorization: Option<&str>) -> Result<InternalCaller, Unauthenticated> {
        let mut request = Request::builder().uri("/internal/x");
        if let Some(value) = authorization {
            request = request.header(http::header::AUTHORIZATION, value);
        }
        let (mut parts, _) = request.body(Body::empty()).unwrap().into_parts();
        let state = State(SecretString::from("the-internal-token"));
        InternalCaller::from_request_parts(&mut parts, &state).await
    }

    #[tokio::test]
    async fn only_the_internal_token_makes_an_internal_caller() {
        assert_eq!(
            internal(Some("Bearer the-internal-token")).await,
            Ok(InternalCaller)
        );
        for refused in [
            None,
            Some("Bearer the-internal-toke"),
            Some("Bearer the-internal-token2"),
            Some("Basic the-internal-token"),
            Some("the-internal-token"),
        ] {
            assert_eq!(internal(refused).await, Err(Unauthenticated), "{refused:?}");
        }
    }

    #[tokio::test]
    async fn a_refusal_is_401_with_the_json_error() {
        let response = Unauthenticated.into_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let body = axum::body::to_bytes(response.into_body(), 1024)
            .await
            .unwrap();
        let body: ErrorBody = serde_json::from_slice(&body).unwrap();
        assert_eq!(body, ErrorBody::new("unauthorized", "Not signed in."));
    }
}
