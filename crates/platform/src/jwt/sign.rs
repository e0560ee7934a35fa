//! Signing our access tokens: auth's half. The key is zeroized on drop
//! and never cloned.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, Header};
use secrecy::zeroize::{Zeroize, Zeroizing};

use super::{ACCESS_TOKEN_TYPE, AccessClaims, PublicJwk, is_good_kid};

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
