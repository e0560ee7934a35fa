//! Verifying our access tokens: the gateway's and every service's half.
//! Keys come from auth's JWKS only (fixed, or fetched and cached).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use tokio::sync::{Mutex, RwLock};

use super::{
    ACCESS_TOKEN_TYPE, AUDIENCE, AccessClaims, Jwks, JwtError, KEYS_TTL, LEEWAY_SECS,
    MAX_TOKEN_LEN, REFETCH_INTERVAL, cache, is_good_kid,
};

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
