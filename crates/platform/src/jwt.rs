//! Our own access tokens: signing (auth) and verification (the gateway and
//! every service), in one place so both sides agree.
//!
//! Access tokens are EdDSA (Ed25519) JWTs with `typ: at+jwt`, a `kid`, and
//! the claims `iss` (`PUBLIC_URL`), `aud` (`onetip`), `sub` (the user id),
//! `sid` (the session), `iat`, `exp` and `jti`. The verifier allows exactly
//! that algorithm and type, requires every claim, and refuses headers that
//! point at other keys (`jku`, `x5u`, `jwk`, `x5c`): keys come only from
//! auth's JWKS, cached and refetched (rate-limited) on an unknown `kid`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, DecodingKey, Header, Validation};
use secrecy::zeroize::{Zeroize, Zeroizing};
use serde::{Deserialize, Serialize};
use tokio::sync::{Mutex, RwLock};

#[path = "jwt_cache.rs"]
mod cache;

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

/// One Ed25519 signing key with its `kid`. `Debug` never shows the seed;
/// the secret lives only inside `ed25519_dalek`'s key, which zeroizes it on
/// drop, and the type is not `Clone` (share it behind an `Arc`).
pub struct SigningKey {
    kid: String,
    signing: ed25519_dalek::SigningKey,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish()
    }
}

impl SigningKey {
    pub fn from_seed(kid: impl Into<String>, seed: [u8; 32]) -> Self {
        let mut seed = Zeroizing::new(seed);
        let signing = ed25519_dalek::SigningKey::from_bytes(&seed);
        seed.zeroize();
        Self {
            kid: kid.into(),
            signing,
        }
    }

    /// A fresh key from the OS random source, with a random `kid`.
    pub fn generate() -> Self {
        let kid = URL_SAFE_NO_PAD.encode(crate::secrets::random_bytes::<9>());
        Self::from_seed(kid, crate::secrets::random_bytes::<32>())
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// `kid:base64(seed)`, the form of one `JWT_SIGNING_KEYS` entry.
    pub fn to_entry(&self) -> String {
        let seed = Zeroizing::new(self.signing.to_bytes());
        format!("{}:{}", self.kid, STANDARD.encode(*seed))
    }

    /// Parses `kid:base64(seed)` entries, comma- or newline-separated,
    /// newest first. The error never echoes a seed; a `kid` twice is refused
    /// (which key would verify a token would depend on the order).
    pub fn parse_ring(text: &str) -> Result<Vec<SigningKey>, String> {
        let keys = text
            .split([',', '\n'])
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .enumerate()
            .map(|(i, entry)| {
                let (kid, seed) = entry
                    .split_once(':')
                    .ok_or_else(|| format!("entry {i} is not kid:base64(seed)"))?;
                if !is_good_kid(kid) {
                    return Err(format!("entry {i}: kid must be 1-64 of [A-Za-z0-9_.-]"));
                }
                let decoded = Zeroizing::new(STANDARD.decode(seed.trim()).unwrap_or_default());
                let seed: [u8; 32] = decoded
                    .as_slice()
                    .try_into()
                    .map_err(|_| format!("entry {i}: the seed must be 32 bytes in base64"))?;
                Ok(SigningKey::from_seed(kid, seed))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if keys.is_empty() {
            return Err("no keys".into());
        }
        for (i, key) in keys.iter().enumerate() {
            if keys[..i].iter().any(|k| k.kid == key.kid) {
                return Err(format!("entry {i}: kid {} appears twice", key.kid));
            }
        }
        Ok(keys)
    }

    /// The public half, as a JWK.
    pub fn public_jwk(&self) -> PublicJwk {
        let public = self.signing.verifying_key();
        PublicJwk {
            kty: "OKP".into(),
            crv: "Ed25519".into(),
            alg: "EdDSA".into(),
            use_: "sig".into(),
            kid: self.kid.clone(),
            x: URL_SAFE_NO_PAD.encode(public.as_bytes()),
        }
    }

    /// Signs `claims` as an access token (a compact JWS, EdDSA).
    pub fn sign(&self, claims: &AccessClaims) -> String {
        use ed25519_dalek::Signer;
        let mut header = Header::new(Algorithm::EdDSA);
        header.typ = Some(ACCESS_TOKEN_TYPE.into());
        header.kid = Some(self.kid.clone());
        let header = serde_json::to_vec(&header).expect("a header serializes");
        let claims = serde_json::to_vec(claims).expect("claims serialize");
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(claims)
        );
        let signature = self.signing.sign(input.as_bytes());
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
    }
}

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

// ---------------------------------------------------------------- verifying

fn is_good_kid(kid: &str) -> bool {
    (1..=64).contains(&kid.len())
        && kid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Verification keys by `kid`: only well-formed Ed25519 keys are kept.
#[derive(Clone, Default)]
pub struct KeySet {
    keys: HashMap<String, DecodingKey>,
}

impl KeySet {
    pub fn from_jwks(jwks: &Jwks) -> Self {
        let keys = jwks
            .keys
            .iter()
            .filter(|k| k.kty == "OKP" && k.crv == "Ed25519" && is_good_kid(&k.kid))
            .filter(|k| k.alg.is_empty() || k.alg == "EdDSA")
            .filter_map(|k| {
                // Exactly 32 bytes: the verifier slices the key unchecked.
                let x = URL_SAFE_NO_PAD
                    .decode(&k.x)
                    .ok()
                    .filter(|x| x.len() == 32)?;
                Some((k.kid.clone(), DecodingKey::from_ed_der(&x)))
            })
            .collect();
        Self { keys }
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// Where a verifier gets its keys.
enum KeySource {
    Fixed(KeySet),
    Remote(RemoteKeys),
}

struct RemoteKeys {
    url: String,
    client: reqwest::Client,
    cached: RwLock<(Arc<KeySet>, Option<Instant>)>,
    /// Held while fetching, so concurrent misses cause one fetch.
    fetching: Mutex<Option<Instant>>,
}

/// Verifies access tokens: the one implementation the gateway and every
/// service use.
#[derive(Clone)]
pub struct Verifier {
    issuer: String,
    source: Arc<KeySource>,
    verified: Arc<cache::VerifiedCache>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("issuer", &self.issuer)
            .finish()
    }
}

impl Verifier {
    /// A verifier with fixed keys (tests, auth itself).
    pub fn with_keys(issuer: impl Into<String>, jwks: &Jwks) -> Self {
        Self {
            issuer: issuer.into(),
            source: Arc::new(KeySource::Fixed(KeySet::from_jwks(jwks))),
            verified: Arc::default(),
        }
    }

    /// A verifier that fetches auth's JWKS from `jwks_url` when needed.
    pub fn remote(issuer: impl Into<String>, jwks_url: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into(),
            source: Arc::new(KeySource::Remote(RemoteKeys {
                url: jwks_url.into(),
                client: crate::client::http_client(Duration::from_secs(5)),
                cached: RwLock::new((Arc::new(KeySet::default()), None)),
                fetching: Mutex::new(None),
            })),
            verified: Arc::default(),
        }
    }

    /// The claims of a valid access token, or why it is not one.
    /// A token verified before is answered from a bounded cache until it
    /// expires (see [`cache`]).
    pub async fn verify(&self, token: &str) -> Result<AccessClaims, JwtError> {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        if let Some(claims) = self.verified.get(token, now) {
            return Ok(claims);
        }
        let claims = self.verify_uncached(token).await?;
        self.verified.put(token, &claims, now);
        Ok(claims)
    }

    async fn verify_uncached(&self, token: &str) -> Result<AccessClaims, JwtError> {
        let kid = check_shape(token)?;
        match self.source.as_ref() {
            KeySource::Fixed(keys) => self.verify_with(keys, &kid, token),
            KeySource::Remote(remote) => {
                let keys = remote.current().await;
                match keys.keys.get(&kid) {
                    Some(_) => self.verify_with(&keys, &kid, token),
                    None => {
                        let keys = remote.refetch().await.ok_or(JwtError::UnknownKey)?;
                        self.verify_with(&keys, &kid, token)
                    }
                }
            }
        }
    }

    fn verify_with(&self, keys: &KeySet, kid: &str, token: &str) -> Result<AccessClaims, JwtError> {
        let key = keys.keys.get(kid).ok_or(JwtError::UnknownKey)?;
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.leeway = LEEWAY_SECS;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.validate_aud = true;
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        let data = jsonwebtoken::decode::<AccessClaims>(token, key, &validation).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind;
            match e.kind() {
                ErrorKind::ExpiredSignature => JwtError::Expired,
                ErrorKind::InvalidAlgorithm => JwtError::Algorithm,
                other => JwtError::Invalid(format!("{other:?}")),
            }
        })?;
        let claims = data.claims;
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        if claims.iat > now + LEEWAY_SECS as i64 {
            return Err(JwtError::Invalid("issued in the future".into()));
        }
        if claims.sub.is_empty() || claims.sid.is_empty() {
            return Err(JwtError::Invalid("empty sub or sid".into()));
        }
        Ok(claims)
    }
}

impl RemoteKeys {
    /// The cached keys, fetched first when none are cached or they are old.
    async fn current(&self) -> Arc<KeySet> {
        let (keys, fresh) = {
            let cached = self.cached.read().await;
            (
                cached.0.clone(),
                cached.1.is_some_and(|at| at.elapsed() < KEYS_TTL),
            )
        };
        if fresh {
            return keys;
        }
        // Refused (rate limit) or failed: keep what we have.
        self.refetch().await.unwrap_or(keys)
    }

    /// Fetches the JWKS unless one was fetched within `REFETCH_INTERVAL`.
    /// `None` when refused by the rate limit or failed.
    async fn refetch(&self) -> Option<Arc<KeySet>> {
        let mut last = self.fetching.lock().await;
        if last.is_some_and(|at| at.elapsed() < REFETCH_INTERVAL) {
            // Someone fetched just now: their result is in the cache.
            let cached = self.cached.read().await;
            return cached
                .1
                .filter(|at| at.elapsed() < REFETCH_INTERVAL)
                .map(|_| cached.0.clone());
        }
        *last = Some(Instant::now());
        let fetched = async {
            let response = self.client.get(&self.url).send().await.ok()?;
            if !response.status().is_success() {
                return None;
            }
            response.json::<Jwks>().await.ok()
        }
        .await;
        match fetched {
            Some(jwks) => {
                let keys = Arc::new(KeySet::from_jwks(&jwks));
                *self.cached.write().await = (keys.clone(), Some(Instant::now()));
                Some(keys)
            }
            None => {
                tracing::warn!("fetching the JWKS failed");
                // auth may be starting: try again after a second, not the
                // full interval.
                *last = Instant::now()
                    .checked_sub(REFETCH_INTERVAL.saturating_sub(Duration::from_secs(1)));
                None
            }
        }
    }
}

/// Checks size, segments and header before any key is looked up; returns
/// the `kid`.
fn check_shape(token: &str) -> Result<String, JwtError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(JwtError::TooLarge);
    }
    let segments: Vec<&str> = token.split('.').collect();
    if segments.len() != 3 || segments.iter().any(|s| s.is_empty()) {
        return Err(JwtError::Malformed);
    }
    let header = URL_SAFE_NO_PAD
        .decode(segments[0])
        .map_err(|_| JwtError::Malformed)?;
    let header: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&header).map_err(|_| JwtError::Malformed)?;
    if header.get("alg").and_then(|a| a.as_str()) != Some("EdDSA") {
        return Err(JwtError::Algorithm);
    }
    if header.get("typ").and_then(|t| t.as_str()) != Some(ACCESS_TOKEN_TYPE) {
        return Err(JwtError::Type);
    }
    for name in ["jku", "x5u", "jwk", "x5c", "crit"] {
        if header.contains_key(name) {
            return Err(JwtError::ForbiddenHeader(match name {
                "jku" => "jku",
                "x5u" => "x5u",
                "jwk" => "jwk",
                "x5c" => "x5c",
                _ => "crit",
            }));
        }
    }
    match header.get("kid").and_then(|k| k.as_str()) {
        Some(kid) if is_good_kid(kid) => Ok(kid.to_owned()),
        _ => Err(JwtError::UnknownKey),
    }
}

#[cfg(test)]
#[path = "jwt_tests.rs"]
mod tests;
