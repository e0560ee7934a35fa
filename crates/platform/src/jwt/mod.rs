//! Our own access tokens: signing (auth) and verification (the gateway and
//! every service), in one place so both sides agree.
//!
//! Access tokens are EdDSA (Ed25519) JWTs with `typ: at+jwt`, a `kid`, and
//! the claims `iss` (`PUBLIC_URL`), `aud` (`onetip`), `sub` (the user id),
//! `sid` (the session), `iat`, `exp` and `jti`. The verifier allows exactly
//! that algorithm and type, requires every claim, and refuses headers that
//! point at other keys (`jku`, `x5u`, `jwk`, `x5c`): keys come only from
//! auth's JWKS, cached and refetched (rate-limited) on an unknown `kid`.

use std::time::Duration;

use serde::{Deserialize, Serialize};

mod cache;
mod sign;
mod verify;

pub use sign::SigningKey;
pub use verify::{KeySet, Verifier};

/// The `aud` of every access token.
pub const AUDIENCE: &str = "onetip";
/// The `typ` header of an access token (RFC 9068).
pub const ACCESS_TOKEN_TYPE: &str = "at+jwt";
/// Longer tokens are refused before any parsing.
pub const MAX_TOKEN_LEN: usize = 4096;
/// Clock skew allowed on `exp` and `iat`, in seconds.
pub const LEEWAY_SECS: u64 = 30;
/// The least time between two JWKS fetches caused by unknown `kid`s.
pub const REFETCH_INTERVAL: Duration = Duration::from_secs(10);
/// How long fetched keys are trusted before they are fetched again.
pub const KEYS_TTL: Duration = Duration::from_secs(300);

/// Where auth publishes the keys that verify access tokens, on its own
/// address as through the gateway.
pub const JWKS_PATH: &str = "/auth/jwks.json";

/// The JWKS URL of the auth service at `auth_url` (its base, no slash at
/// the end): what every verifier of access tokens fetches.
pub fn jwks_url(auth_url: &str) -> String {
    format!("{auth_url}{JWKS_PATH}")
}

/// The claims of an access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    pub aud: String,
    /// The profile's user id.
    pub sub: String,
    /// The session the token belongs to.
    pub sid: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
}

/// Why a token was refused. The messages name the check, never the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    #[error("token too large")]
    TooLarge,
    #[error("malformed token")]
    Malformed,
    #[error("algorithm not allowed")]
    Algorithm,
    #[error("not an access token")]
    Type,
    #[error("forbidden header {0}")]
    ForbiddenHeader(&'static str),
    #[error("unknown signing key")]
    UnknownKey,
    #[error("token expired")]
    Expired,
    #[error("invalid token: {0}")]
    Invalid(String),
    #[error("signing keys unavailable")]
    KeysUnavailable,
}

// ---------------------------------------------------------------- signing

/// A public Ed25519 key as published in the JWKS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PublicJwk {
    /// `OKP`.
    pub kty: String,
    /// `Ed25519`.
    pub crv: String,
    /// `EdDSA`.
    #[serde(default)]
    pub alg: String,
    /// `sig`.
    #[serde(rename = "use", default)]
    pub use_: String,
    pub kid: String,
    /// The public key, base64url.
    pub x: String,
}

/// A JSON Web Key Set (`/auth/jwks.json`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Jwks {
    pub keys: Vec<PublicJwk>,
}

/// A `kid` we issue or accept: 1 to 64 of `[A-Za-z0-9._-]`.
fn is_good_kid(kid: &str) -> bool {
    (1..=64).contains(&kid.len())
        && kid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

#[cfg(test)]
mod tests;
