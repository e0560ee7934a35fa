//! The vault's key ring: 256-bit keys with ids, newest first, held in
//! zeroizing memory and never shown by `Debug`.
//!
//! Keys come from a [`KeyProvider`]: [`StaticKeys`] wraps a ring parsed from
//! `TOKEN_VAULT_KEYS` (or the development file under `DATA_DIR`); a KMS
//! provider that unwraps data keys at start is one more implementation.

use std::fmt;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use secrecy::{ExposeSecret, SecretBox};
use zeroize::Zeroizing;

/// Why a key ring could not be had. Never carries key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("entry {0} is not id:base64(32 bytes)")]
    Malformed(usize),
    #[error("entry {0}: a key id is 1-64 of [A-Za-z0-9_.-]")]
    BadId(usize),
    #[error("entry {0}: a key must be 32 bytes in base64")]
    BadKey(usize),
    #[error("key id {0} appears twice")]
    Duplicate(String),
    #[error("the key ring is empty")]
    Empty,
    #[error("the key provider failed: {0}")]
    Provider(String),
}

/// One 256-bit vault key and its id.
pub struct VaultKey {
    id: String,
    secret: SecretBox<[u8; 32]>,
}

impl fmt::Debug for VaultKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VaultKey").field("id", &self.id).finish()
    }
}

impl VaultKey {
    /// A key from its bytes; the caller's copy should be zeroized.
    pub fn new(id: impl Into<String>, bytes: [u8; 32]) -> Result<Self, KeyError> {
        let id = id.into();
        if !is_good_id(&id) {
            return Err(KeyError::BadId(0));
        }
        Ok(Self {
            id,
            secret: SecretBox::new(Box::new(bytes)),
        })
    }

    /// A fresh key from the OS random source with a random id.
    pub fn generate() -> Self {
        let id = format!(
            "k{}",
            uuid::Uuid::new_v4()
                .simple()
                .to_string()
                .get(..10)
                .unwrap_or("0")
        );
        let mut bytes = platform::secrets::random_bytes::<32>();
        let key = Self::new(id, bytes).expect("a generated id is well formed");
        zeroize::Zeroize::zeroize(&mut bytes);
        key
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub(crate) fn bytes(&self) -> &[u8; 32] {
        self.secret.expose_secret()
    }

    /// `id:base64(key)`, one `TOKEN_VAULT_KEYS` entry (for the dev file).
    pub fn to_entry(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("{}:{}", self.id, STANDARD.encode(self.bytes())))
    }
}

/// Keys newest first: the first seals, every one opens.
#[derive(Clone)]
pub struct KeyRing {
    keys: Arc<Vec<VaultKey>>,
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyRing")
            .field("ids", &self.ids().collect::<Vec<_>>())
            .finish()
    }
}

impl KeyRing {
    pub fn new(keys: Vec<VaultKey>) -> Result<Self, KeyError> {
        if keys.is_empty() {
            return Err(KeyError::Empty);
        }
        for (i, key) in keys.iter().enumerate() {
            if keys[..i].iter().any(|k| k.id == key.id) {
                return Err(KeyError::Duplicate(key.id.clone()));
            }
        }
        Ok(Self {
            keys: Arc::new(keys),
        })
    }

    /// Parses `id:base64(32 bytes)` entries, comma- or newline-separated,
    /// newest first. Errors name the entry, never its value.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let keys = text
            .split([',', '\n'])
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .enumerate()
            .map(|(i, entry)| {
                let (id, encoded) = entry.split_once(':').ok_or(KeyError::Malformed(i))?;
                if !is_good_id(id) {
                    return Err(KeyError::BadId(i));
                }
                let decoded = Zeroizing::new(
                    STANDARD
                        .decode(encoded.trim())
                        .map_err(|_| KeyError::BadKey(i))?,
                );
                let mut bytes: [u8; 32] = decoded
                    .as_slice()
                    .try_into()
                    .map_err(|_| KeyError::BadKey(i))?;
                let key = VaultKey::new(id, bytes);
                zeroize::Zeroize::zeroize(&mut bytes);
                key
            })
            .collect::<Result<Vec<_>, _>>()?;
        Self::new(keys)
    }

    /// The key that seals new writes.
    pub fn active(&self) -> &VaultKey {
        &self.keys[0]
    }

    /// The key with this id, if the ring still holds it.
    pub fn get(&self, id: &str) -> Option<&VaultKey> {
        self.keys.iter().find(|k| k.id == id)
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(|k| k.id.as_str())
    }

    /// The ring with `key` put first (the next active key).
    pub fn with_newest(&self, key: VaultKey) -> Result<Self, KeyError> {
        let mut keys: Vec<VaultKey> = vec![key];
        for k in self.keys.iter() {
            keys.push(VaultKey::new(k.id.clone(), *k.bytes())?);
        }
        Self::new(keys)
    }
}

fn is_good_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Where the vault gets its keys: the environment today, a KMS tomorrow.
#[async_trait::async_trait]
pub trait KeyProvider: Send + Sync {
    /// The current ring, newest first.
    async fn key_ring(&self) -> Result<KeyRing, KeyError>;
}

/// A ring known at start (from `TOKEN_VAULT_KEYS` or the dev file).
#[derive(Debug, Clone)]
pub struct StaticKeys(pub KeyRing);

#[async_trait::async_trait]
impl KeyProvider for StaticKeys {
    async fn key_ring(&self) -> Result<KeyRing, KeyError> {
        Ok(self.0.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ring_parses_newest_first_and_debug_shows_only_ids() {
        let a = VaultKey::generate();
        let b = VaultKey::generate();
        let text = format!("{},{}", a.to_entry().as_str(), b.to_entry().as_str());
        let ring = KeyRing::parse(&text).unwrap();
        assert_eq!(ring.active().id(), a.id());
        assert!(ring.get(b.id()).is_some());
        let shown = format!("{ring:?} {:?}", ring.active());
        assert!(shown.contains(a.id()));
        let secret = a.to_entry();
        let encoded = secret.split_once(':').unwrap().1;
        assert!(!shown.contains(encoded));
    }

    #[test]
    fn bad_entries_are_named_without_their_value() {
        assert_eq!(KeyRing::parse("").unwrap_err(), KeyError::Empty);
        assert_eq!(
            KeyRing::parse("nocolon").unwrap_err(),
            KeyError::Malformed(0)
        );
        let short = format!("k1:{}", STANDARD.encode([1u8; 16]));
        let err = KeyRing::parse(&short).unwrap_err();
        assert_eq!(err, KeyError::BadKey(0));
        assert!(!err.to_string().contains(&STANDARD.encode([1u8; 16])));
        let k = format!("k1:{}", STANDARD.encode([1u8; 32]));
        assert!(matches!(
            KeyRing::parse(&format!("{k},{k}")).unwrap_err(),
            KeyError::Duplicate(_)
        ));
        assert_eq!(
            KeyRing::parse(&format!("bad id:{}", STANDARD.encode([1u8; 32]))).unwrap_err(),
            KeyError::BadId(0)
        );
    }
}
