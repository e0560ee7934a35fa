//! The token vault: provider tokens sealed with XChaCha20-Poly1305.
//!
//! Every write draws a fresh random 24-byte nonce (192 bits: random nonces
//! never collide in practice). The associated data binds the row's identity
//! (purpose, user id, provider) and the key id, so a ciphertext copied into
//! another user's row, or relabelled with another key id, fails to open.

mod keys;
pub mod rotate;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

pub use keys::{KeyError, KeyProvider, KeyRing, StaticKeys, VaultKey};

use crate::domain::UserId;

/// The length of an XChaCha20 nonce.
pub const NONCE_LEN: usize = 24;
/// The purpose of the provider-token rows in `credentials`.
pub const PURPOSE_PROVIDER_TOKENS: &str = "provider-tokens";

/// Why a seal or an open failed. Never carries plaintext or key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    #[error("no key with id {0} in the ring")]
    UnknownKey(String),
    #[error("the ciphertext does not open under this row's identity")]
    Tampered,
    #[error("the nonce must be {NONCE_LEN} bytes")]
    BadNonce,
    #[error("the sealed payload is not a token bundle")]
    BadPayload,
    #[error(transparent)]
    Keys(#[from] KeyError),
}

/// The identity of the row a ciphertext belongs to.
#[derive(Debug, Clone, Copy)]
pub struct SealContext<'a> {
    pub purpose: &'a str,
    pub user: &'a UserId,
    pub provider: &'a str,
}

impl<'a> SealContext<'a> {
    /// The context of a user's provider tokens.
    pub fn provider_tokens(user: &'a UserId, provider: &'a str) -> Self {
        Self {
            purpose: PURPOSE_PROVIDER_TOKENS,
            user,
            provider,
        }
    }

    /// Length-prefixed fields, so no two identities share an encoding.
    fn associated_data(&self, key_id: &str) -> Vec<u8> {
        let user = self.user.to_string();
        let mut aad = b"onetip-vault-v1".to_vec();
        for field in [self.purpose, &user, self.provider, key_id] {
            aad.extend_from_slice(&(field.len() as u32).to_be_bytes());
            aad.extend_from_slice(field.as_bytes());
        }
        aad
    }
}

/// What is stored: the key id, the nonce and the ciphertext (with its tag).
#[derive(Clone, PartialEq, Eq)]
pub struct Sealed {
    pub key_id: String,
    pub nonce: Vec<u8>,
    pub ciphertext: Vec<u8>,
}

impl std::fmt::Debug for Sealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealed")
            .field("key_id", &self.key_id)
            .field("len", &self.ciphertext.len())
            .finish()
    }
}

/// Seals and opens with a key ring.
#[derive(Debug, Clone)]
pub struct Vault {
    ring: KeyRing,
}

impl Vault {
    pub fn new(ring: KeyRing) -> Self {
        Self { ring }
    }

    /// A vault on whatever ring the provider gives now.
    pub async fn from_provider(provider: &dyn KeyProvider) -> Result<Self, VaultError> {
        Ok(Self::new(provider.key_ring().await?))
    }

    pub fn ring(&self) -> &KeyRing {
        &self.ring
    }

    /// The id of the key new writes are sealed with.
    pub fn active_key_id(&self) -> &str {
        self.ring.active().id()
    }

    /// Seals `plaintext` under the active key with a fresh random nonce.
    pub fn seal(&self, ctx: SealContext<'_>, plaintext: &[u8]) -> Result<Sealed, VaultError> {
        let key = self.ring.active();
        let nonce = fresh_nonce();
        let cipher = XChaCha20Poly1305::new(key.bytes().into());
        let aad = ctx.associated_data(key.id());
        let ciphertext = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: &aad,
                },
            )
            // Only fails for messages beyond 256 GiB.
            .map_err(|_| VaultError::BadPayload)?;
        Ok(Sealed {
            key_id: key.id().to_owned(),
            nonce: nonce.to_vec(),
            ciphertext,
        })
    }

    /// Opens a sealed value under the key its id names.
    pub fn open(
        &self,
        ctx: SealContext<'_>,
        sealed: &Sealed,
    ) -> Result<Zeroizing<Vec<u8>>, VaultError> {
        let key = self
            .ring
            .get(&sealed.key_id)
            .ok_or_else(|| VaultError::UnknownKey(sealed.key_id.clone()))?;
        if sealed.nonce.len() != NONCE_LEN {
            return Err(VaultError::BadNonce);
        }
        let cipher = XChaCha20Poly1305::new(key.bytes().into());
        let aad = ctx.associated_data(key.id());
        cipher
            .decrypt(
                XNonce::from_slice(&sealed.nonce),
                Payload {
                    msg: &sealed.ciphertext,
                    aad: &aad,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| VaultError::Tampered)
    }

    /// Seals a provider's token pair.
    pub fn seal_tokens(
        &self,
        user: &UserId,
        provider: &str,
        tokens: &TokenSecrets,
    ) -> Result<Sealed, VaultError> {
        let plain = tokens.to_bytes();
        self.seal(SealContext::provider_tokens(user, provider), &plain)
    }

    /// Opens a provider's token pair.
    pub fn open_tokens(
        &self,
        user: &UserId,
        provider: &str,
        sealed: &Sealed,
    ) -> Result<TokenSecrets, VaultError> {
        let plain = self.open(SealContext::provider_tokens(user, provider), sealed)?;
        TokenSecrets::from_bytes(&plain)
    }
}

/// A fresh random nonce from the OS.
pub fn fresh_nonce() -> [u8; NONCE_LEN] {
    platform::secrets::random_bytes::<NONCE_LEN>()
}

/// A provider's access token and (when it has one) refresh token.
#[derive(Clone)]
pub struct TokenSecrets {
    pub access: SecretString,
    pub refresh: Option<SecretString>,
}

impl std::fmt::Debug for TokenSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSecrets")
            .field("refresh", &self.refresh.is_some())
            .finish_non_exhaustive()
    }
}

#[derive(Serialize)]
struct Wire<'a> {
    #[serde(rename = "a")]
    access: &'a str,
    #[serde(rename = "r", skip_serializing_if = "Option::is_none")]
    refresh: Option<&'a str>,
}

#[derive(Deserialize)]
struct WireOwned {
    #[serde(rename = "a")]
    access: String,
    #[serde(rename = "r", default)]
    refresh: Option<String>,
}

impl TokenSecrets {
    fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        let wire = Wire {
            access: self.access.expose_secret(),
            refresh: self.refresh.as_ref().map(|r| r.expose_secret()),
        };
        Zeroizing::new(serde_json::to_vec(&wire).expect("two strings serialize"))
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self, VaultError> {
        let wire: WireOwned = serde_json::from_slice(bytes).map_err(|_| VaultError::BadPayload)?;
        Ok(Self {
            access: SecretString::from(wire.access),
            refresh: wire.refresh.map(SecretString::from),
        })
    }
}
