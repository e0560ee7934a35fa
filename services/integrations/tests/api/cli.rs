//! `onetip-integrations rotate-keys`: the operator's command, run as a
//! process against the database of the backend under test.

use integrations::vault::{Vault, VaultKey};

use crate::helpers::*;

#[tokio::test]
async fn the_rotate_keys_command_reseals_every_row_under_the_newest_key() {
    let db = database().await;
    let old = ring(1);
    let users = seed(&db.store, &Vault::new(copy_ring(&old)), 30).await;
    let new = VaultKey::generate();
    let keys = format!("{},{}", new.to_entry().as_str(), entries(&old)[0]);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_onetip-integrations"))
        .args(["rotate-keys", "--batch-size", "7"])
        .env_clear()
        .env("DATA_DIR", db.db.dir())
        .env("INTEGRATIONS_DATABASE_URL", db.db.url())
        .env("TOKEN_VAULT_KEYS", &keys)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("resealed 30 row(s)"), "{stdout}");
    assert!(stdout.contains("in 5 batch(es)"), "{stdout}");
    assert_eq!(
        db.store.credentials_by_key().await.unwrap(),
        vec![(new.id().to_owned(), 30)]
    );
    let only_new = Vault::new(integrations::vault::KeyRing::parse(&new.to_entry()).unwrap());
    let creds = integrations::connector::Credentials::new(db.store.clone(), only_new);
    for u in &users {
        assert!(creds.load(u, "todoist").await.unwrap().is_some());
    }
    // Nothing leaks into the output.
    let old_entry = &entries(&old)[0];
    let (_, secret) = old_entry.split_once(':').unwrap();
    assert!(!stdout.contains(secret));
}

#[test]
fn an_unknown_command_is_refused() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_onetip-integrations"))
        .arg("rotate-everything")
        .env_clear()
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown command"));
}
