//! The recommender's routes, each module beside its handlers, and the
//! extractors they share: the signed-in user, the idempotency key, and a
//! JSON body read under a size limit with errors as `ErrorBody`.

pub mod internal;
pub mod recommend;
pub mod tips;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use http::request::Parts;
use platform::identity::CurrentUser;
use serde::de::DeserializeOwned;

use crate::AppState;
use crate::error::ApiError;
use crate::service::Caller;

/// The largest body a route reads.
pub const BODY_LIMIT: usize = 16 * 1024;

/// The caller: the user platform's [`CurrentUser`] verified, with the
/// token and request id to pass on to integrations.
pub struct SignedIn(pub Caller);

impl platform::identity::TokenVerifier for AppState {
    fn verifier(&self) -> &platform::jwt::Verifier {
        &self.verifier
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let CurrentUser(user) = CurrentUser::from_request_parts(parts, state).await?;
        let token = platform::secrets::bearer(&parts.headers).ok_or(ApiError::Unauthorized)?;
        let request_id = parts
            .headers
            .get(&platform::http::REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .filter(|v| platform::http::is_well_formed(v))
            .map(str::to_owned);
        Ok(Self(Caller {
            user: user.as_uuid(),
            token: token.to_owned(),
            request_id,
        }))
    }
}

/// The `Idempotency-Key` header: 1 to 64 visible ASCII characters.
pub struct IdempotencyKey(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let Some(value) = parts.headers.get("idempotency-key") else {
            return Ok(Self(None));
        };
        let key = value
            .to_str()
            .ok()
            .filter(|k| (1..=64).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()))
            .ok_or_else(|| {
                ApiError::Invalid(
                    "Idempotency-Key must be 1 to 64 visible ASCII characters.".into(),
                )
            })?;
        Ok(Self(Some(key.to_owned())))
    }
}

impl IdempotencyKey {
    /// The key, or 400 when the route requires one.
    pub fn required(self) -> Result<String, ApiError> {
        self.0
            .ok_or_else(|| ApiError::Invalid("The Idempotency-Key header is required.".into()))
    }
}

/// A JSON body of at most [`BODY_LIMIT`] bytes; an empty body is `T::default()`
/// when `T` allows it (see [`OptionalJson`]).
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _: &S) -> Result<Self, ApiError> {
        let bytes = read_body(req).await?;
        parse(&bytes).map(Self)
    }
}

/// Like [`JsonBody`], but an empty body is `T::default()`.
pub struct OptionalJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Default> FromRequest<S> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _: &S) -> Result<Self, ApiError> {
        let bytes = read_body(req).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self(T::default()));
        }
        parse(&bytes).map(Self)
    }
}

async fn read_body(req: Request) -> Result<Bytes, ApiError> {
    axum::body::to_bytes(req.into_body(), BODY_LIMIT)
        .await
        .map_err(|_| ApiError::TooLarge)
}

pub(crate) fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| {
        // serde's message names the field and the line, never a secret.
        ApiError::Invalid(format!("The body is not valid JSON for this request: {e}."))
    })
}

/// Every POST-only route's answer to other methods: 405 with a JSON body.
pub async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
