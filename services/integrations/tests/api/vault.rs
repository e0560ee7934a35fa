//! The token vault: round trip, tampering, rows swapped between users,
//! nonces, old keys.

use std::collections::HashSet;

use integrations::vault::{SealContext, TokenSecrets, Vault, VaultError, fresh_nonce};
use secrecy::ExposeSecret;

use crate::helpers::*;

fn tokens() -> TokenSecrets {
    TokenSecrets {
        access: secret("access-0f1e2d3c4b5a"),
        refresh: Some(secret("refresh-a5b4c3d2e1f0")),
    }
}

#[test]
fn a_sealed_token_pair_opens_again() {
    let vault = Vault::new(ring(1));
    let u = user();
    let sealed = vault.seal_tokens(&u, "todoist", &tokens()).unwrap();
    assert_eq!(sealed.nonce.len(), 24);
    assert_eq!(sealed.key_id, vault.active_key_id());
    let opened = vault.open_tokens(&u, "todoist", &sealed).unwrap();
    assert_eq!(opened.access.expose_secret(), "access-0f1e2d3c4b5a");
    assert_eq!(
        opened.refresh.unwrap().expose_secret(),
        "refresh-a5b4c3d2e1f0"
    );
    // Without a refresh token too.
    let only_access = TokenSecrets {
        access: secret("a"),
        refresh: None,
    };
    let sealed = vault.seal_tokens(&u, "todoist", &only_access).unwrap();
    assert!(
        vault
            .open_tokens(&u, "todoist", &sealed)
            .unwrap()
            .refresh
            .is_none()
    );
}

#[test]
fn a_flipped_bit_anywhere_fails_to_open() {
    let vault = Vault::new(ring(1));
    let u = user();
    let sealed = vault.seal_tokens(&u, "todoist", &tokens()).unwrap();
    for i in 0..sealed.ciphertext.len() {
        let mut bad = sealed.clone();
        bad.ciphertext[i] ^= 0x01;
        assert_eq!(
            vault.open_tokens(&u, "todoist", &bad).unwrap_err(),
            VaultError::Tampered,
            "byte {i}"
        );
    }
    for i in 0..sealed.nonce.len() {
        let mut bad = sealed.clone();
        bad.nonce[i] ^= 0x80;
        assert!(vault.open_tokens(&u, "todoist", &bad).is_err());
    }
    let mut short = sealed.clone();
    short.ciphertext.truncate(10);
    assert!(vault.open_tokens(&u, "todoist", &short).is_err());
}

#[test]
fn a_ciphertext_moved_to_another_row_does_not_open() {
    let vault = Vault::new(ring(1));
    let (alice, bob) = (user(), user());
    let sealed = vault.seal_tokens(&alice, "todoist", &tokens()).unwrap();
    assert_eq!(
        vault.open_tokens(&bob, "todoist", &sealed).unwrap_err(),
        VaultError::Tampered
    );
    assert_eq!(
        vault.open_tokens(&alice, "google", &sealed).unwrap_err(),
        VaultError::Tampered
    );
    let other_purpose = SealContext {
        purpose: "something-else",
        user: &alice,
        provider: "todoist",
    };
    assert!(vault.open(other_purpose, &sealed).is_err());
}

#[test]
fn the_key_id_is_bound_too() {
    // Two ids for the same key bytes: relabelling a row must still fail.
    let one = ring(1);
    let entry = entries(&one).remove(0);
    let (_, key) = entry.split_once(':').unwrap();
    let twin = integrations::vault::KeyRing::parse(&format!("twin:{key},{entry}")).unwrap();
    let old = Vault::new(one);
    let vault = Vault::new(twin);
    let u = user();
    let mut sealed = old.seal_tokens(&u, "todoist", &tokens()).unwrap();
    assert!(vault.open_tokens(&u, "todoist", &sealed).is_ok());
    sealed.key_id = "twin".into();
    assert_eq!(
        vault.open_tokens(&u, "todoist", &sealed).unwrap_err(),
        VaultError::Tampered
    );
}

#[test]
fn rows_under_an_old_key_still_open_and_new_writes_use_the_newest() {
    let old_ring = ring(1);
    let old = Vault::new(copy_ring(&old_ring));
    let u = user();
    let sealed = old.seal_tokens(&u, "todoist", &tokens()).unwrap();
    let newest = integrations::vault::VaultKey::generate();
    let rotated = Vault::new(old_ring.with_newest(newest).unwrap());
    assert_ne!(rotated.active_key_id(), sealed.key_id);
    assert!(rotated.open_tokens(&u, "todoist", &sealed).is_ok());
    let fresh = rotated.seal_tokens(&u, "todoist", &tokens()).unwrap();
    assert_eq!(fresh.key_id, rotated.active_key_id());
    // A ring that dropped the old key says which key is missing.
    let without_old = Vault::new(ring(1));
    assert_eq!(
        without_old.open_tokens(&u, "todoist", &sealed).unwrap_err(),
        VaultError::UnknownKey(sealed.key_id.clone())
    );
}

#[test]
fn no_nonce_repeats_in_a_million_writes() {
    let mut seen = HashSet::with_capacity(1_000_000);
    for _ in 0..1_000_000 {
        assert!(seen.insert(fresh_nonce()), "a nonce repeated");
    }
    // And the real write path draws a new one each time.
    let vault = Vault::new(ring(1));
    let u = user();
    let mut nonces = HashSet::new();
    for _ in 0..10_000 {
        let sealed = vault.seal_tokens(&u, "todoist", &tokens()).unwrap();
        assert!(nonces.insert(sealed.nonce));
    }
}

#[test]
fn debug_output_never_shows_keys_or_tokens() {
    let ring = ring(2);
    let vault = Vault::new(copy_ring(&ring));
    let shown = format!("{vault:?} {ring:?} {:?}", tokens());
    for entry in entries(&ring) {
        let (_, key) = entry.split_once(':').unwrap();
        assert!(!shown.contains(key));
    }
    assert!(!shown.contains("access-0f1e2d3c4b5a"));
    assert!(!shown.contains("refresh-a5b4c3d2e1f0"));
}
