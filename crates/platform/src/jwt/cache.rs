//! Verified tokens remembered until they expire, so a request that crosses
//! three hops (gateway, web, a service) pays for one EdDSA verification per
//! process per token, not one per hop and request.
//!
//! Keyed by the SHA-256 of the token, so a different token can never land
//! on a cached result; bounded in size. A hit is still refused once the
//! token's `exp` (with the leeway) has passed. What the cache does not see:
//! a signing key withdrawn from the JWKS keeps its cached tokens valid until
//! they expire (at most `ACCESS_TOKEN_TTL`); revocation is a separate check
//! (the gateway's `sid` set) and is not affected.

use std::collections::HashMap;
use std::sync::Mutex;

use sha2::{Digest, Sha256};

use super::{AccessClaims, LEEWAY_SECS};

/// The most tokens remembered per verifier.
pub const CAPACITY: usize = 4096;

#[derive(Default)]
pub(super) struct VerifiedCache {
    entries: Mutex<HashMap<[u8; 32], AccessClaims>>,
}

fn key(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

fn expired(claims: &AccessClaims, now: i64) -> bool {
    claims.exp + LEEWAY_SECS as i64 <= now
}

impl VerifiedCache {
    /// The claims of `token` if it was verified before and has not expired.
    pub(super) fn get(&self, token: &str, now: i64) -> Option<AccessClaims> {
        let entries = self.entries.lock().expect("verified-token cache");
        entries
            .get(&key(token))
            .filter(|claims| !expired(claims, now))
            .cloned()
    }

    /// Remembers a verified token. When full, expired entries go first;
    /// if none had expired, everything goes (a burst of new tokens).
    pub(super) fn put(&self, token: &str, claims: &AccessClaims, now: i64) {
        let mut entries = self.entries.lock().expect("verified-token cache");
        if entries.len() >= CAPACITY {
            entries.retain(|_, c| !expired(c, now));
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        entries.insert(key(token), claims.clone());
    }

    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.entries.lock().expect("verified-token cache").len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: i64) -> AccessClaims {
        AccessClaims {
            iss: "i".into(),
            aud: "onetip".into(),
            sub: "s".into(),
            sid: "sid".into(),
            iat: 0,
            exp,
            jti: "j".into(),
        }
    }

    #[test]
    fn a_cached_token_expires_with_its_exp_and_another_token_never_hits() {
        let cache = VerifiedCache::default();
        cache.put("token-a", &claims(1000), 900);
        assert!(cache.get("token-a", 900).is_some());
        assert!(cache.get("token-b", 900).is_none());
        assert!(cache.get("token-a", 1000 + LEEWAY_SECS as i64).is_none());
    }

    #[test]
    fn the_cache_stays_bounded() {
        let cache = VerifiedCache::default();
        for i in 0..(CAPACITY * 2 + 3) {
            cache.put(&format!("t{i}"), &claims(10_000), 0);
            assert!(cache.len() <= CAPACITY);
        }
    }
}
